// SPDX-License-Identifier: Apache-2.0
//
// access.c -- the citizen's own view of the disclosure log (Changzhou
// art. 24-25): GET /v1/me/access lists every disclosure of the citizen,
// who looked, when, for what and in which scope, each with its inclusion
// proof against the latest signed checkpoint, so the citizen need not
// trust this answer.
//
// The citizen proves who they are with a consent token of their own:
// audience, purpose and scope "self", from the issuer, for this region,
// valid, not revoked.  A token granted to anyone else never opens this
// view, whatever its scope.  Viewing uses none of the token's uses and
// is not itself a disclosure.  Each item carries its log entry and the
// salt of the entry's subject commitment, so the citizen can check that
// the entry names them (BLAKE2b-256(key=salt, subject)) and that the entry
// is in the log (SHA-256 leaf hash, inclusion proof, checkpoint root).

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/merkle.h"
#include "crypto/paseto.h"
#include "net/httpd.h"
#include "net/revfresh.h"
#include "wire/consent.h"
#include "wire/token.h"

#define WHO "coordinator"

static void
problem(fs_httpd_res *res, int status, fs_err err, const char *detail)
{
	fs_outcome o;

	coord_problem(&o, "an access view", status, err, "%s", detail);
	coord_answer(res, &o);
	free(o.body);
}

// bearer returns the token of "Authorization: Bearer <token>", or NULL.
static const char *
bearer(const fs_httpd_req *req)
{
	const char *h = req->authorization;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		return (NULL);
	}
	h += 7;
	while (*h == ' ') {
		h++;
	}
	return (*h != '\0' ? h : NULL);
}

// item is one disclosure of the subject; with its inclusion proof when
// the checkpoint covers it.
static json_t *
item(fs_coord *c, sqlite3_stmt *st, uint64_t size)
{
	uint64_t        index = (uint64_t) sqlite3_column_int64(st, 0);
	char            t[FS_TIME_LEN + 1], b[64];
	uint8_t         salt[16];
	fs_merkle_proof proof;
	json_t         *o;

	fs_time_format(t, sqlite3_column_int64(st, 1) / 1000);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "index",
	    (json_int_t) index, "time", t, "requester",
	    (const char *) sqlite3_column_text(st, 2), "purpose",
	    (const char *) sqlite3_column_text(st, 3), "scope",
	    (const char *) sqlite3_column_text(st, 4), "entry",
	    (const char *) sqlite3_column_text(st, 6));
	if (o == NULL
	    || (sqlite3_column_bytes(st, 5) != 16
	        && sqlite3_column_bytes(st, 7) != 16)) {
		json_decref(o);
		return (NULL);
	}
	coord_row_salt(c->logkey, sqlite3_column_blob(st, 5),
	    sqlite3_column_bytes(st, 5), sqlite3_column_blob(st, 7),
	    sqlite3_column_bytes(st, 7), salt);
	fs_b64_encode(b, salt, 16);
	sodium_memzero(salt, sizeof(salt));
	json_object_set_new(o, "salt", json_string(b));
	if (index < size
	    && fs_merkle_prove_inclusion(&proof, index, size, coord_log_get, c)
	        == FS_OK) {
		json_object_set_new(o, "inclusion", coord_proof_json(&proof));
	}
	return (o);
}

// list answers every disclosure of subject against the checkpoint note
// of size entries.
static json_t *
list(fs_coord *c, const uint8_t subject[static FS_SUBJECT_BYTES],
    const char *note, uint64_t size)
{
	sqlite3_stmt *st = NULL;
	json_t       *a  = json_array();
	json_t       *o  = NULL;
	int           rc;

	pthread_mutex_lock(&c->dbmtx);
	if (sqlite3_prepare_v2(c->db,
	        "SELECT idx, time_ms, requester, purpose, scope, salt, entry, "
	        "nonce FROM disclosure WHERE subject = ? ORDER BY idx",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		goto out;
	}
	sqlite3_bind_blob(st, 1, subject, FS_SUBJECT_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *it = item(c, st, size);

		if (it == NULL) {
			goto out;
		}
		json_array_append_new(a, it);
	}
	if (rc == SQLITE_DONE) {
		o = json_pack("{s:s, s:I, s:O}", "checkpoint", note, "size",
		    (json_int_t) size, "disclosures", a);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&c->dbmtx);
	json_decref(a);
	return (o);
}

void
coord_get_access(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_coord   *c     = arg;
	const char *token = bearer(req);
	fs_claims   cl;
	char        why[FS_WHY_MAX];
	char       *note = NULL, *s;
	uint64_t    size;
	json_t     *o;
	int64_t     now = (int64_t) (fs_now_ms() / 1000);
	fs_err      rv;

	if (token == NULL || strlen(token) > FS_PASETO_MAX_LEN) {
		problem(res, 401, FS_ERR_MALFORMED,
		    "expected 'Authorization: Bearer <consent token>' with a "
		    "token of audience, purpose and scope 'self'");
		return;
	}
	pthread_mutex_lock(&c->revmtx);
	if ((rv = fs_revocations_fresh(c->have_revoked, c->revoked_at_ms,
	         c->max_age_ms, fs_now_ms(), why, sizeof(why)))
	    != FS_OK) {
		pthread_mutex_unlock(&c->revmtx);
		problem(res, 503, rv, why);
		return;
	}
	rv = fs_consent_verify(&cl, token, strlen(token), &c->issuer.key,
	    c->scheme.region, &c->revoked, now, why, sizeof(why));
	pthread_mutex_unlock(&c->revmtx);
	if (rv != FS_OK) {
		problem(res, 403, rv, why);
		return;
	}
	if (cl.scope != FS_SCOPE_SELF || strcmp(cl.purpose, "self") != 0
	    || strcmp(cl.aud, "self") != 0) {
		snprintf(why, sizeof(why),
		    "expected a token of audience, purpose and scope 'self', "
		    "found audience '%s', purpose '%s', scope '%s'",
		    cl.aud, cl.purpose, fs_scope_name(cl.scope));
		problem(res, 403,
		    cl.scope != FS_SCOPE_SELF ? FS_ERR_SCOPE
		        : strcmp(cl.purpose, "self") != 0
		        ? FS_ERR_PURPOSE
		        : FS_ERR_WRONG_AUDIENCE,
		    why);
		return;
	}
	pthread_mutex_lock(&c->cpmtx);
	if (c->checkpoint != NULL) {
		note = strdup(c->checkpoint);
	}
	size = c->checkpoint_size;
	pthread_mutex_unlock(&c->cpmtx);
	if (note == NULL) {
		problem(res, 503, FS_ERR_NOT_FOUND, "no signed checkpoint yet");
		return;
	}
	o = list(c, cl.sub, note, size);
	free(note);
	sodium_memzero(&cl, sizeof(cl));
	if (o == NULL
	    || (s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(o);
		problem(res, 500, FS_ERR_IO, "cannot read the disclosures");
		return;
	}
	fs_log(FS_LOG_INFO, WHO, "served an access view of %zu disclosures",
	    json_array_size(json_object_get(o, "disclosures")));
	json_decref(o);
	fs_httpd_reply(res, 200, "application/json", s, strlen(s));
	free(s);
}

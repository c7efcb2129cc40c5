// SPDX-License-Identifier: Apache-2.0
//
// recognition.c -- POST /v1/recognitions: the receiving coordinator
// recognizes a foreign attestation under its trust list, as `fedscore
// attest verify` does offline, and records each decision in its own
// disclosure log.
//
// Who presents an attestation is not known, and need not be: the
// attestation is the citizen's to show.  The ID number never travels
// here; the subject binding is for the verifier who is shown the ID
// (offline).  Garbage is refused without a trace, but every decision on
// a genuine attestation of a trusted region -- recognized, expired,
// unmapped -- is logged, so the log answers "what did this region
// accept, and when".  The entry holds no personal data in clear: the
// attestation's hash and a salted commitment to the local tier; the full
// record (the attestation, the salt) is for auditors.  The handler does
// no network I/O, only two signature checks and one short transaction;
// that transaction is durable (synced), so it answers on a worker of the
// HTTP server rather than on its event loop.

#include <sodium.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/paseto.h"
#include "net/httpd.h"
#include "wire/attest.h"
#include "wire/logcommit.h"
#include "wire/recognize.h"
#include "wire/request.h"
#include "wire/scheme.h"

#define WHO "coordinator"

#define problem(out, ...) coord_problem(out, "a recognition", __VA_ARGS__)

fs_err
fs_recognition_body_decode(
    json_t **op, const char *body, size_t len, const char **tokenp)
{
	json_t      *o;
	json_error_t jerr;
	const char  *token;

	if (len > FS_RECOGNITION_BODY_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr))
	    == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (!json_is_object(o) || json_object_size(o) != 1
	    || (token = json_string_value(json_object_get(o, "attestation")))
	        == NULL
	    || strlen(token) > FS_PASETO_MAX_LEN) {
		json_decref(o);
		return (FS_ERR_MALFORMED);
	}
	*op     = o;
	*tokenp = token;
	return (FS_OK);
}

// record appends the decision on a genuine attestation to the log.
static fs_err
record(fs_coord *c, const fs_attestation *a, const char *token,
    const fs_tier *local, fs_err result, int64_t now, int64_t *indexp)
{
	coord_disclosure d = { 0 };
	uint8_t          h[32];
	char             b[64], tb[FS_TIME_LEN + 1];
	json_t          *e;
	char            *ej;
	fs_err           rv;

	fs_time_format(tb, now);
	e = json_pack("{s:s, s:s, s:s, s:s}", "type", "recognition", "time", tb,
	    "region", a->iss, "result",
	    result == FS_OK ? "recognized" : fs_err_name(result));
	crypto_generichash(
	    h, sizeof(h), (const uint8_t *) token, strlen(token), NULL, 0);
	fs_b64_encode(b, h, sizeof(h));
	json_object_set_new(e, "attestation", json_string(b));
	randombytes_buf(d.nonce, sizeof(d.nonce));
	fs_log_salt(d.salt, c->logkey, d.nonce);
	if (local != NULL) {
		crypto_generichash(h, sizeof(h), (const uint8_t *) local->name,
		    strlen(local->name), d.salt, sizeof(d.salt));
		fs_b64_encode(b, h, sizeof(h));
		json_object_set_new(e, "local_tier", json_string(b));
	}
	ej = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(e);
	if (ej == NULL) {
		return (FS_ERR_NOMEM);
	}
	// The full record: the foreign region in the requester's place, what
	// the attestation disclosed as the scope, its subject binding (or
	// zeros) as the subject, and the attestation itself.
	d.time_ms   = now * 1000;
	d.requester = a->iss;
	d.purpose   = "recognition";
	d.scope     = a->has_score ? "score" : "tier";
	memcpy(d.subject, a->idc, sizeof(d.subject));
	d.consent = token;
	d.entry   = ej;
	rv        = coord_store_disclose(c, &d, 1, indexp);
	free(ej);
	return (rv);
}

// status: a token that cannot be read is 422, one that is read and
// refused is 403.
static int
status_of(fs_err rv)
{
	switch (rv) {
	case FS_ERR_MALFORMED:
	case FS_ERR_TRUNCATED:
	case FS_ERR_TOO_LARGE:
	case FS_ERR_VERSION:
	case FS_ERR_TYPE:
		return (422);
	default:
		return (403);
	}
}

// answer makes out the signed answer to a recognized attestation a,
// recorded as disclosure index.
static void
answer(fs_coord *c, const fs_attestation *a, const fs_recognition *r,
    int64_t index, fs_outcome *out)
{
	char    tb[FS_TIME_LEN + 1];
	json_t *res, *f;

	fs_time_format(tb, a->exp);
	f = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:I, s:s}",
	    "region", a->iss, "tier", "name", a->tier.name, "label",
	    a->tier.label, "scheme", "id", a->scheme_id, "version",
	    a->scheme_version, "hash", a->scheme_hash, "log_index",
	    (json_int_t) a->log_index, "exp", tb);
	if (a->has_score) {
		json_object_set_new(f, "score", json_integer(a->score));
	}
	res = json_pack("{s:b, s:{s:s, s:s}, s:o, s:s, s:{s:I}, s:s}",
	    "recognized", 1, "local_tier", "name", r->local.name, "label",
	    r->local.label, "foreign", f, "rule", r->rule, "disclosure",
	    "index", (json_int_t) index, "region", c->scheme.region);
	if (r->by_score) {
		json_object_set_new(
		    res, "local_score", json_integer(r->local_score));
	}
	// Signed, so that whoever relies on the recognition can prove what
	// this coordinator answered: the token's message is the answer
	// without "signed".
	{
		char *aj  = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
		char *tok = NULL;

		if (aj != NULL
		    && fs_recognition_answer_sign(
		           &tok, c->key, aj, c->scheme.region)
		        == FS_OK) {
			json_object_set_new(res, "signed", json_string(tok));
			out->body
			    = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
		}
		free(aj);
		free(tok);
	}
	out->status = out->body != NULL ? 200 : 500;
	out->err    = out->body != NULL ? FS_OK : FS_ERR_NOMEM;
	json_decref(res);
}

static void
recognize_locked(fs_coord *c, const char *body, size_t len, fs_outcome *out)
{
	fs_attestation a;
	fs_recognition r;
	json_t        *o = NULL;
	const char    *token;
	char           why[FS_WHY_MAX];
	int64_t        now = (int64_t) (fs_now_ms() / 1000);
	int64_t        index;
	fs_err         rv, logged;

	memset(out, 0, sizeof(*out));
	if (c->trust == NULL) {
		problem(out, 404, FS_ERR_UNREGISTERED,
		    "this coordinator holds no trust list: it recognizes no "
		    "other region");
		return;
	}
	if ((rv = fs_recognition_body_decode(&o, body, len, &token)) != FS_OK) {
		problem(out, 422, rv,
		    "expected a JSON object {\"attestation\": "
		    "\"v4.public...\"} of at most %d bytes",
		    FS_RECOGNITION_BODY_MAX);
		return;
	}
	if ((rv = fs_recognize_verify(
	         &a, c->trust, token, strlen(token), why, sizeof(why)))
	    != FS_OK) {
		problem(out, status_of(rv), rv, "not recognized: %s", why);
		goto done;
	}
	rv     = fs_recognize_check(&r, c->trust, &a, now, why, sizeof(why));
	logged = record(
	    c, &a, token, rv == FS_OK ? &r.local : NULL, rv, now, &index);
	if (logged != FS_OK) {
		// Nothing is decided that is not recorded.
		problem(out, 500, logged, "cannot record the recognition");
		goto done;
	}
	if (rv != FS_OK) {
		problem(out, 403, rv, "not recognized (disclosure %lld): %s",
		    (long long) index, why);
		goto done;
	}
	answer(c, &a, &r, index, out);
	fs_log(FS_LOG_INFO, WHO,
	    "recognized an attestation of %s as %s (%s), disclosure %lld",
	    a.iss, r.local.name, r.rule, (long long) index);
done:
	json_decref(o);
}

void
coord_post_recognition(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_outcome o;

	fs_coord_recognize(arg, req->body, req->len, &o);
	coord_answer(res, &o);
	free(o.body);
}

void
fs_coord_recognize(fs_coord *c, const char *body, size_t len, fs_outcome *out)
{
	pthread_mutex_lock(&c->trustmtx);
	coord_trust_refresh(c);
	recognize_locked(c, body, len, out);
	pthread_mutex_unlock(&c->trustmtx);
}

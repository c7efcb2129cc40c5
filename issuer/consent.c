// SPDX-License-Identifier: Apache-2.0
//
// consent.c -- granting and revoking consent, and the signed statement of
// when each consent was revoked.

#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/rfc3339.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "issuer/issuerimpl.h"
#include "wire/revocations.h"
#include "wire/token.h"

static bool
purpose_known(const fs_issuer *iss, const char *purpose)
{
	// No list configured: any token-safe purpose; the coordinator's
	// scheme still decides which it serves.
	return (iss->npurposes == 0
	    || fs_conf_words_has((const char *) iss->purposes,
	        sizeof(iss->purposes[0]), iss->npurposes, purpose));
}

fs_err
fs_issuer_grant(fs_issuer *iss, const fs_grant *g, char **tokenp,
    char jti[static FS_JTI_STR_LEN + 1], uint8_t *salt, char *why,
    size_t whycap)
{
	fs_claims     c;
	uint8_t       y[FS_OPRF_OUTPUT_BYTES];
	uint8_t       s[FS_IDC_SALT_BYTES];
	sqlite3_stmt *st;
	char         *token = NULL;
	int64_t       now   = (int64_t) (fs_now_ms() / 1000);
	int           rc;
	fs_err        rv;

	if (!purpose_known(iss, g->purpose)) {
		return (fs_why(why, whycap, FS_ERR_PURPOSE,
		    "purpose '%s' is not one this issuer grants", g->purpose));
	}
	if (g->ttl_s < 1 || g->uses < 1 || g->uses > FS_CLAIM_USES_MAX) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "expected a positive validity and 1 to %d "
		    "uses",
		    FS_CLAIM_USES_MAX));
	}
	if (g->scope == FS_SCOPE_ATTEST && salt == NULL) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "an attest consent needs somewhere to return the salt"));
	}
	fs_claims_init(&c);
	if (strlen(g->requester) > FS_CLAIM_STR_MAX
	    || strlen(g->purpose) > FS_CLAIM_STR_MAX) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "requester and purpose are at most %d "
		    "characters",
		    FS_CLAIM_STR_MAX));
	}
	// The issuer may see ID numbers: it evaluates the PRF directly.
	if ((rv = fs_oprf_evaluate(
	         iss->oprf, y, (const uint8_t *) g->idnum, strlen(g->idnum)))
	    != 0) {
		return (rv);
	}
	fs_pseudonym_subject(c.sub, y);
	sodium_memzero(y, sizeof(y));
	if (g->scope == FS_SCOPE_ATTEST) {
		randombytes_buf(s, sizeof(s));
		fs_idc_commit(c.idc, s, g->idnum, strlen(g->idnum));
		c.has_idc = true;
	}
	snprintf(c.iss, sizeof(c.iss), "%s", iss->name);
	snprintf(c.aud, sizeof(c.aud), "%s", g->requester);
	snprintf(c.purpose, sizeof(c.purpose), "%s", g->purpose);
	c.scope = g->scope;
	c.iat   = now;
	c.nbf   = now;
	c.exp   = now + g->ttl_s;
	c.uses  = g->uses;
	if ((rv = fs_token_issue(&token, iss->key, &c, iss->region)) != 0) {
		snprintf(
		    why, whycap, "cannot issue the token: %s", fs_strerror(rv));
		sodium_memzero(s, sizeof(s));
		return (rv);
	}
	fs_jti_string(jti, c.jti);
	if (fs_db_prepare(iss->db, &st,
	        "INSERT INTO grant_ (jti, subject, requester, purpose, scope, "
	        "uses, issued_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	        NULL, 0)
	    != FS_OK) {
		free(token);
		sodium_memzero(s, sizeof(s));
		return (FS_ERR_IO);
	}
	sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, c.sub, FS_SUBJECT_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c.aud, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c.purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, fs_scope_name(c.scope), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c.uses);
	sqlite3_bind_int64(st, 7, c.iat * 1000);
	sqlite3_bind_int64(st, 8, c.exp * 1000);
	pthread_mutex_lock(&iss->mtx);
	rc = sqlite3_step(st);
	pthread_mutex_unlock(&iss->mtx);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		// A grant that is not recorded cannot be revoked: do not give
		// it.
		free(token);
		sodium_memzero(s, sizeof(s));
		return (fs_why(why, whycap, FS_ERR_IO,
		    "cannot record the grant: %s", sqlite3_errmsg(iss->db)));
	}
	*tokenp = token;
	if (c.has_idc) {
		memcpy(salt, s, sizeof(s));
	}
	sodium_memzero(s, sizeof(s));
	return (FS_OK);
}

fs_err
fs_issuer_revoke(fs_issuer *iss, const char *jti, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	int           rc;

	if (fs_db_prepare(iss->db, &st,
	        "INSERT INTO revocation (jti, revoked_ms) "
	        "SELECT jti, ? FROM grant_ WHERE jti = ?",
	        NULL, 0)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) fs_now_ms());
	sqlite3_bind_text(st, 2, jti, -1, SQLITE_STATIC);
	pthread_mutex_lock(&iss->mtx);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE && sqlite3_changes(iss->db) == 0) {
		rc = SQLITE_NOTFOUND;
	}
	pthread_mutex_unlock(&iss->mtx);
	sqlite3_finalize(st);
	switch (rc) {
	case SQLITE_DONE:
		return (FS_OK);
	case SQLITE_CONSTRAINT:
		return (fs_why(why, whycap, FS_ERR_EXISTS,
		    "consent %s is already revoked", jti));
	case SQLITE_NOTFOUND:
		return (fs_why(why, whycap, FS_ERR_NOT_FOUND,
		    "no consent with jti '%s' was granted here", jti));
	default:
		return (fs_why(
		    why, whycap, FS_ERR_IO, "%s", sqlite3_errmsg(iss->db)));
	}
}

fs_err
fs_issuer_revocation_note(
    fs_issuer *iss, char **notep, char *why, size_t whycap)
{
	sqlite3_stmt  *st;
	fs_revocation *r = NULL;
	size_t         n = 0, cap = 0;
	int            rc;
	fs_err         rv = FS_OK;

	if ((rv = fs_db_prepare(iss->db, &st,
	         "SELECT jti, revoked_ms FROM revocation ORDER BY seq", why,
	         whycap))
	    != FS_OK) {
		return (rv);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *jti = (const char *) sqlite3_column_text(st, 0);
		size_t      got = 0;

		if ((rv = fs_grow(&r, &cap, n, sizeof(*r), 64)) != FS_OK) {
			break;
		}
		if (jti == NULL
		    || fs_b64_decode(
		           r[n].jti, FS_JTI_BYTES, &got, jti, strlen(jti))
		        != FS_OK
		    || got != FS_JTI_BYTES) {
			continue; // not a jti this issuer makes
		}
		// Rounded up: a disclosure in the same second is not after it.
		r[n++].at = (sqlite3_column_int64(st, 1) + 999) / 1000;
	}
	sqlite3_finalize(st);
	if (rv == FS_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rv = fs_why(
		    why, whycap, FS_ERR_IO, "%s", sqlite3_errmsg(iss->db));
	}
	if (rv == FS_OK
	    && (rv = fs_revocations_sign(
	            notep, iss->key, iss->region, (int64_t) time(NULL), r, n))
	        != FS_OK) {
		snprintf(why, whycap, "cannot sign the revocations: %s",
		    fs_strerror(rv));
	}
	free(r);
	return (rv);
}

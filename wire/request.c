// SPDX-License-Identifier: Apache-2.0
//
// request.c -- the requester's signed lookup request and the
// coordinator's signed answer, both PASETO v4.public.
//
// A request is signed by the requester's registered key (footer: its
// kid) over {"consent", "iat", "jti", "scope"}, with the implicit
// assertion "fedscore lookup request v1|<region>": fresh by iat, unique by
// jti, and bound to one region.  The answer is signed by the coordinator
// with "fedscore lookup answer v1|<region>", so that neither can be
// passed off as the other or as a consent token.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "wire/json.h"
#include "wire/lookup.h"
#include "wire/request.h"
#include "wire/token.h"

static void
assertion(char out[static 128], const char *what, const char *region)
{
	snprintf(out, 128, "fedscore lookup %s v1|%s", what, region);
}

// sign_as signs json as what ("request", "answer", ...) for region.
static fs_err
sign_as(char **tokenp, const fs_key *signer, const char *json, const char *what,
    const char *region)
{
	char footer[FS_FOOTER_LEN + 1], ia[128];

	fs_footer_encode(footer, fs_key_public(signer)->kid);
	assertion(ia, what, region);
	return (fs_paseto_sign(tokenp, signer, (const uint8_t *) json,
	    strlen(json), footer, (const uint8_t *) ia, strlen(ia)));
}

// verify_as verifies a token signed as what for region and hands over
// its JSON text, NUL-terminated, and its length (lenp may be NULL).
static fs_err
verify_as(char **jsonp, size_t *lenp, const char *token, size_t len,
    const fs_pubkey *signer, const char *what, const char *region)
{
	char     ia[128];
	uint8_t *msg;
	fs_err   rv;

	assertion(ia, what, region);
	if ((rv = fs_paseto_verify(&msg, lenp, token, len, signer, NULL,
	         (const uint8_t *) ia, strlen(ia)))
	    != FS_OK) {
		return (rv);
	}
	*jsonp = (char *) msg;
	return (FS_OK);
}

fs_err
fs_request_sign(char **tokenp, const fs_key *requester, const char *consent,
    const char *scope, const char *region, int64_t now)
{
	json_t *o;
	char    iat[FS_TIME_LEN + 1], jti[FS_JTI_STR_LEN + 1];
	uint8_t raw[FS_JTI_BYTES];
	char   *json;
	fs_err  rv;

	randombytes_buf(raw, sizeof(raw));
	fs_jti_string(jti, raw);
	if (fs_time_format(iat, now) != FS_OK) {
		return (FS_ERR_INVALID);
	}
	o = json_pack(
	    "{s:s, s:s, s:s}", "consent", consent, "iat", iat, "jti", jti);
	if (o == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (scope != NULL
	    && json_object_set_new(o, "scope", json_string(scope)) != 0) {
		json_decref(o);
		return (FS_ERR_NOMEM);
	}
	json = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (json == NULL) {
		return (FS_ERR_NOMEM);
	}
	rv = sign_as(tokenp, requester, json, "request", region);
	free(json);
	return (rv);
}

fs_err
fs_request_verify(fs_request *out, const char *token, size_t len,
    const fs_pubkey *requester, const char *region, int64_t now, int64_t skew)
{
	fs_request   r;
	char         iat[FS_TIME_MAX_LEN + 1];
	char        *msg;
	size_t       mlen;
	json_t      *o;
	json_error_t err;
	fs_err       rv;

	memset(&r, 0, sizeof(r));
	if ((rv = verify_as(
	         &msg, &mlen, token, len, requester, "request", region))
	    != FS_OK) {
		return (rv);
	}
	o = json_loadb(msg, mlen, JSON_REJECT_DUPLICATES, &err);
	free(msg);
	if (o == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if ((rv = FS_JSON_ONLY(o, "consent", "iat", "jti", "scope")) == FS_OK
	    && (rv = fs_json_str(
	            o, "consent", r.consent, FS_TOKEN_MAX + 1, NULL))
	        == FS_OK
	    && (rv = fs_json_str(o, "jti", r.jti, FS_JTI_STR_LEN + 1, NULL))
	        == FS_OK
	    && (rv = fs_json_str(o, "iat", iat, sizeof(iat), NULL)) == FS_OK
	    && json_object_get(o, "scope") != NULL) {
		// The scope is optional: "" asks for the consent's.
		rv = fs_json_str(o, "scope", r.scope, sizeof(r.scope), NULL);
	}
	json_decref(o);
	if (rv != FS_OK) {
		return (rv);
	}
	if (strlen(r.jti) < 16
	    || fs_time_parse(&r.iat, iat, strlen(iat)) != 0) {
		return (FS_ERR_MALFORMED);
	}
	if (r.iat > now + skew || r.iat < now - skew) {
		return (FS_ERR_CLOCK_SKEW);
	}
	*out = r;
	return (FS_OK);
}

fs_err
fs_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region)
{
	return (sign_as(tokenp, coord, json, "answer", region));
}

fs_err
fs_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region)
{
	return (verify_as(jsonp, NULL, token, len, coord, "answer", region));
}

fs_err
fs_recognition_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region)
{
	return (sign_as(tokenp, coord, json, "recognition", region));
}

fs_err
fs_recognition_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region)
{
	return (
	    verify_as(jsonp, NULL, token, len, coord, "recognition", region));
}

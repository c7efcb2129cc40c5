// SPDX-License-Identifier: Apache-2.0
//
// attest.c -- attestations: a region's signed statement of a citizen's
// tier (and score, when the consent allows), for another region to
// recognize (docs/recognition.md).
//
// An attestation is PASETO v4.public, signed by the coordinator's key,
// footer {"kid":…}, implicit assertion "fedscore attestation v1".  It
// carries the scheme's scale and tier table, so that a receiving region
// can map it offline, and the subject binding idc that the issuer put in
// the consent, so that whoever is shown the ID number and the salt can
// tell whose it is.  The claims are read as strictly as consent claims:
// known members only, each of its type, and a tier table that is a valid
// scheme table whose tier for the score is the tier attested.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "common/text.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "crypto/paseto.h"
#include "wire/attest.h"
#include "wire/json.h"
#include "wire/scheme.h"
#include "wire/token.h"

static const char assertion[] = FS_ATTEST_ASSERTION;

// id_ok: what a region id or a tier name may be, 1..64 characters that
// configuration keys and section names accept (map.<tier> in a trust
// list), plus the token-safe ones of region ids.
static bool
id_ok(const char *s, size_t len)
{
	return (fs_word_ok(s, len, FS_LABEL_MAX, "-._~:/"));
}

// text_ok: a label or a version, as published: 1..64 bytes without
// control characters (jansson has checked the UTF-8 and refused NULs).
static bool
text_ok(const char *s, size_t len)
{
	if (len == 0 || len > FS_LABEL_MAX || strlen(s) != len) {
		return (false);
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
			return (false);
		}
	}
	return (true);
}

static bool
hash_ok(const char *s, size_t len)
{
	if (len != 16) {
		return (false);
	}
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char) s[i])
		    && (s[i] < 'a' || s[i] > 'f')) {
			return (false);
		}
	}
	return (true);
}

static fs_err
get_tier(json_t *o, fs_tier *t, bool with_min)
{
	fs_err rv;

	if ((rv = with_min ? FS_JSON_ONLY(o, "name", "label", "min")
	                   : FS_JSON_ONLY(o, "name", "label"))
	        != FS_OK
	    || (rv = fs_json_str(o, "name", t->name, sizeof(t->name), id_ok))
	        != FS_OK
	    || (rv = fs_json_str(
	            o, "label", t->label, sizeof(t->label), text_ok))
	        != FS_OK) {
		return (rv);
	}
	t->min = 0;
	return (with_min ? fs_json_int(o, "min", &t->min) : FS_OK);
}

const fs_tier *
fs_attest_tier_of(const fs_attestation *a, int64_t score)
{
	for (size_t i = 0; i < a->ntiers; i++) {
		if (score >= a->tiers[i].min) {
			return (&a->tiers[i]);
		}
	}
	return (NULL);
}

// valid is the one validator of both directions: nothing is signed that
// would not decode.
static fs_err
valid(const fs_attestation *a)
{
	const fs_tier *t = NULL;
	char           tb[FS_TIME_LEN + 1];

	if (!id_ok(a->iss, strnlen(a->iss, sizeof(a->iss)))
	    || !text_ok(
	        a->scheme_id, strnlen(a->scheme_id, sizeof(a->scheme_id)))
	    || !text_ok(a->scheme_version,
	        strnlen(a->scheme_version, sizeof(a->scheme_version)))
	    || !hash_ok(a->scheme_hash, strnlen(a->scheme_hash, 17))
	    || a->scale_min >= a->scale_max || a->scale_min < -FS_SCALE_BOUND
	    || a->scale_max > FS_SCALE_BOUND || a->ntiers == 0
	    || a->ntiers > FS_TIERS_MAX || a->log_index < 0
	    || fs_time_format(tb, a->iat) != FS_OK
	    || fs_time_format(tb, a->exp) != FS_OK || a->iat >= a->exp) {
		return (FS_ERR_MALFORMED);
	}
	// A scheme's table: descending bounds within the scale, the lowest
	// at its floor, distinct names.
	for (size_t i = 0; i < a->ntiers; i++) {
		const fs_tier *x = &a->tiers[i];

		if (!id_ok(x->name, strnlen(x->name, sizeof(x->name)))
		    || !text_ok(x->label, strnlen(x->label, sizeof(x->label)))
		    || x->min < a->scale_min || x->min > a->scale_max
		    || (i > 0 && x->min >= a->tiers[i - 1].min)) {
			return (FS_ERR_MALFORMED);
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(a->tiers[j].name, x->name) == 0) {
				return (FS_ERR_MALFORMED);
			}
		}
		if (strcmp(x->name, a->tier.name) == 0
		    && strcmp(x->label, a->tier.label) == 0) {
			t = x;
		}
	}
	if (a->tiers[a->ntiers - 1].min != a->scale_min || t == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (a->has_score
	    && (a->score < a->scale_min || a->score > a->scale_max
	        || fs_attest_tier_of(a, a->score) != t)) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

// get_scheme reads "scheme": {"id", "version", "hash"} and "scale":
// {"min", "max"}.
static fs_err
get_scheme(json_t *o, fs_attestation *a)
{
	json_t *v;
	fs_err  rv;

	if ((rv = fs_json_member(o, "scheme", JSON_OBJECT, &v)) != FS_OK
	    || (rv = FS_JSON_ONLY(v, "id", "version", "hash")) != FS_OK
	    || (rv = fs_json_str(
	            v, "id", a->scheme_id, sizeof(a->scheme_id), text_ok))
	        != FS_OK
	    || (rv = fs_json_str(v, "version", a->scheme_version,
	            sizeof(a->scheme_version), text_ok))
	        != FS_OK
	    || (rv = fs_json_str(
	            v, "hash", a->scheme_hash, sizeof(a->scheme_hash), hash_ok))
	        != FS_OK
	    || (rv = fs_json_member(o, "scale", JSON_OBJECT, &v)) != FS_OK
	    || (rv = FS_JSON_ONLY(v, "min", "max")) != FS_OK
	    || (rv = fs_json_int(v, "min", &a->scale_min)) != FS_OK
	    || (rv = fs_json_int(v, "max", &a->scale_max)) != FS_OK) {
		return (rv);
	}
	return (FS_OK);
}

// get_tiers reads the tier table "tiers" and the tier attested, "tier".
static fs_err
get_tiers(json_t *o, fs_attestation *a)
{
	json_t *v;
	fs_err  rv;

	if ((rv = fs_json_member(o, "tiers", JSON_ARRAY, &v)) != FS_OK) {
		return (rv);
	}
	if (json_array_size(v) == 0 || json_array_size(v) > FS_TIERS_MAX) {
		return (FS_ERR_MALFORMED);
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		if ((rv = get_tier(json_array_get(v, i), &a->tiers[i], true))
		    != FS_OK) {
			return (rv);
		}
	}
	a->ntiers = json_array_size(v);
	if ((rv = fs_json_member(o, "tier", JSON_OBJECT, &v)) != FS_OK) {
		return (rv);
	}
	return (get_tier(v, &a->tier, false));
}

// get_optional reads what an attestation may leave out: the score and
// the subject binding.
static fs_err
get_optional(json_t *o, fs_attestation *a)
{
	fs_err rv;

	if (json_object_get(o, "score") != NULL) {
		a->has_score = true;
		if ((rv = fs_json_int(o, "score", &a->score)) != FS_OK) {
			return (rv);
		}
	}
	if (json_object_get(o, "idc") != NULL) {
		a->has_idc = true;
		if ((rv = fs_json_b64(o, "idc", a->idc, sizeof(a->idc)))
		    != FS_OK) {
			return (rv);
		}
	}
	return (FS_OK);
}

fs_err
fs_attest_decode(fs_attestation *out, const uint8_t *json, size_t len)
{
	fs_attestation a;
	json_t        *o;
	json_error_t   jerr;
	fs_err         rv;

	if (len > FS_ATTEST_CLAIMS_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	// Bounded by the length: jansson's own depth limit is far above
	// anything that fits, and any nesting but ours is refused below.
	if ((o = json_loadb(
	         (const char *) json, len, JSON_REJECT_DUPLICATES, &jerr))
	    == NULL) {
		return (FS_ERR_MALFORMED);
	}
	memset(&a, 0, sizeof(a));
	if ((rv = FS_JSON_ONLY(o, "iss", "scheme", "scale", "tiers", "tier",
	         "score", "iat", "exp", "jti", "log_index", "idc"))
	        != FS_OK
	    || (rv = fs_json_str(o, "iss", a.iss, sizeof(a.iss), id_ok))
	        != FS_OK
	    || (rv = fs_json_time(o, "iat", &a.iat)) != FS_OK
	    || (rv = fs_json_time(o, "exp", &a.exp)) != FS_OK
	    || (rv = fs_json_b64(o, "jti", a.jti, sizeof(a.jti))) != FS_OK
	    || (rv = fs_json_int(o, "log_index", &a.log_index)) != FS_OK
	    || (rv = get_scheme(o, &a)) != FS_OK
	    || (rv = get_tiers(o, &a)) != FS_OK
	    || (rv = get_optional(o, &a)) != FS_OK
	    || (rv = valid(&a)) != FS_OK) {
		goto out;
	}
	// The tier's bound, from the table.
	for (size_t i = 0; i < a.ntiers; i++) {
		if (strcmp(a.tiers[i].name, a.tier.name) == 0) {
			a.tier.min = a.tiers[i].min;
		}
	}
	*out = a;
out:
	json_decref(o);
	return (rv);
}

static json_t *
time_json(int64_t t)
{
	char s[FS_TIME_LEN + 1];

	(void) fs_time_format(s, t); // in range: valid() checked
	return (json_string(s));
}

fs_err
fs_attest_encode(char **jsonp, const fs_attestation *a)
{
	char    b[64];
	json_t *o, *tiers;
	char   *json;
	int     bad = 0;
	fs_err  rv;

	if ((rv = valid(a)) != FS_OK) {
		return (FS_ERR_INVALID);
	}
	if ((o = json_object()) == NULL || (tiers = json_array()) == NULL) {
		json_decref(o);
		return (FS_ERR_NOMEM);
	}
	for (size_t i = 0; i < a->ntiers; i++) {
		bad |= json_array_append_new(tiers,
		    json_pack("{s:s, s:s, s:I}", "name", a->tiers[i].name,
		        "label", a->tiers[i].label, "min",
		        (json_int_t) a->tiers[i].min));
	}
	bad |= json_object_set_new(o, "tiers", tiers);
	bad |= json_object_set_new(o, "iss", json_string(a->iss));
	bad |= json_object_set_new(o, "scheme",
	    json_pack("{s:s, s:s, s:s}", "id", a->scheme_id, "version",
	        a->scheme_version, "hash", a->scheme_hash));
	bad |= json_object_set_new(o, "scale",
	    json_pack("{s:I, s:I}", "min", (json_int_t) a->scale_min, "max",
	        (json_int_t) a->scale_max));
	bad |= json_object_set_new(o, "tier",
	    json_pack(
	        "{s:s, s:s}", "name", a->tier.name, "label", a->tier.label));
	if (a->has_score) {
		bad |= json_object_set_new(
		    o, "score", json_integer((json_int_t) a->score));
	}
	bad |= json_object_set_new(o, "iat", time_json(a->iat));
	bad |= json_object_set_new(o, "exp", time_json(a->exp));
	fs_b64_encode(b, a->jti, sizeof(a->jti));
	bad |= json_object_set_new(o, "jti", json_string(b));
	bad |= json_object_set_new(
	    o, "log_index", json_integer((json_int_t) a->log_index));
	if (a->has_idc) {
		fs_b64_encode(b, a->idc, sizeof(a->idc));
		bad |= json_object_set_new(o, "idc", json_string(b));
	}
	json = bad == 0 ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (json == NULL) {
		return (FS_ERR_NOMEM);
	}
	*jsonp = json;
	return (FS_OK);
}

fs_err
fs_attest_sign(char **tokenp, const fs_key *coord, const fs_attestation *a)
{
	char   footer[FS_FOOTER_LEN + 1];
	char  *json;
	fs_err rv;

	if ((rv = fs_attest_encode(&json, a)) != FS_OK) {
		return (rv);
	}
	fs_footer_encode(footer, fs_key_public(coord)->kid);
	rv = fs_paseto_sign(tokenp, coord, (const uint8_t *) json, strlen(json),
	    footer, (const uint8_t *) assertion, sizeof(assertion) - 1);
	free(json);
	return (rv);
}

fs_err
fs_attest_verify(
    fs_attestation *a, const char *token, size_t len, const fs_pubkey *key)
{
	char     footer[FS_FOOTER_LEN + 1];
	uint8_t *msg;
	size_t   mlen;
	fs_err   rv;

	fs_footer_encode(footer, key->kid);
	if ((rv = fs_paseto_verify(&msg, &mlen, token, len, key, footer,
	         (const uint8_t *) assertion, sizeof(assertion) - 1))
	    != FS_OK) {
		return (rv);
	}
	rv = fs_attest_decode(a, msg, mlen);
	free(msg);
	return (rv);
}

fs_err
fs_attest_peek(fs_attestation *a, const char *token, size_t len)
{
	static const char hdr[] = "v4.public.";
	const char       *body  = token + sizeof(hdr) - 1;
	char             *footer;
	const char       *dot;
	size_t            blen, n;
	uint8_t          *raw;
	fs_err            rv;

	// Reading the footer checks the form; the body is the part before.
	if ((rv = fs_paseto_footer(&footer, NULL, token, len)) != FS_OK) {
		return (rv);
	}
	free(footer);
	// The token need not end in a NUL: search within len only.
	dot  = memchr(body, '.', len - (sizeof(hdr) - 1));
	blen = dot != NULL ? (size_t) (dot - body) : len - (sizeof(hdr) - 1);
	if ((raw = malloc(blen)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_b64_decode(raw, blen, &n, body, blen)) == FS_OK) {
		rv = n < FS_SIG_BYTES
		    ? FS_ERR_TRUNCATED
		    : fs_attest_decode(a, raw, n - FS_SIG_BYTES);
	}
	free(raw);
	return (rv);
}

fs_err
fs_attest_bound(const fs_attestation *a, const char *idnum, size_t len,
    const uint8_t salt[static FS_IDC_SALT_BYTES])
{
	uint8_t idc[FS_IDC_BYTES];
	bool    same;

	if (!a->has_idc) {
		return (FS_ERR_WRONG_SUBJECT);
	}
	fs_idc_commit(idc, salt, idnum, len);
	same = sodium_memcmp(idc, a->idc, sizeof(idc)) == 0;
	sodium_memzero(idc, sizeof(idc));
	return (same ? FS_OK : FS_ERR_WRONG_SUBJECT);
}

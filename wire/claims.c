// SPDX-License-Identifier: Apache-2.0
//
// claims.c -- the claims of a consent token and its footer, as JSON.
//
// jansson parses, but the bounds are ours: a length limit, then a depth
// limit found by a scan of the raw bytes before jansson builds anything
// (its own limit is 2048 levels), then duplicate keys refused by jansson.
// After that every claim is looked up in a fixed table: unknown keys,
// missing claims and values of another type are refused.  One validator,
// claims_valid, serves both directions, so that nothing is encoded that
// would not decode.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

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
#include "wire/token.h"

enum {
	C_ISS,
	C_SUB,
	C_AUD,
	C_PURPOSE,
	C_SCOPE,
	C_IAT,
	C_NBF,
	C_EXP,
	C_JTI,
	C_USES,
	C_REG,
	C_IDC,
	C_NUM
};

static const char *const claim_names[C_NUM] = {
	[C_ISS]     = "iss",
	[C_SUB]     = "sub",
	[C_AUD]     = "aud",
	[C_PURPOSE] = "purpose",
	[C_SCOPE]   = "scope",
	[C_IAT]     = "iat",
	[C_NBF]     = "nbf",
	[C_EXP]     = "exp",
	[C_JTI]     = "jti",
	[C_USES]    = "uses",
	[C_REG]     = "reg",
	[C_IDC]     = "idc",
};

#define OPTIONAL ((1u << C_NBF) | (1u << C_USES) | (1u << C_IDC))
#define REQUIRED (((1u << C_NUM) - 1) & ~OPTIONAL)

static const char *const scope_names[] = {
	[FS_SCOPE_TIER]      = "tier",
	[FS_SCOPE_SCORE]     = "score",
	[FS_SCOPE_BREAKDOWN] = "breakdown",
	[FS_SCOPE_ATTEST]    = "attest",
	[FS_SCOPE_SELF]      = "self",
};
#define NSCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

const char *
fs_scope_name(fs_scope scope)
{
	if ((size_t) scope >= NSCOPES) {
		return (NULL);
	}
	return (scope_names[scope]);
}

fs_err
fs_scope_parse(fs_scope *scopep, const char *s, size_t len)
{
	for (size_t i = 1; i < NSCOPES; i++) {
		if (strlen(scope_names[i]) == len
		    && memcmp(scope_names[i], s, len) == 0) {
			*scopep = (fs_scope) i;
			return (FS_OK);
		}
	}
	return (FS_ERR_SCOPE);
}

int
fs_scope_rank(fs_scope scope)
{
	switch (scope) {
	case FS_SCOPE_TIER:
		return (1);
	case FS_SCOPE_SCORE:
		return (2);
	case FS_SCOPE_BREAKDOWN:
		return (3);
	default:
		return (0);
	}
}

bool
fs_scope_covers(fs_scope granted, fs_scope asked)
{
	if (granted == FS_SCOPE_ATTEST) {
		return (asked == FS_SCOPE_ATTEST || asked == FS_SCOPE_TIER);
	}
	return (fs_scope_rank(asked) > 0 && fs_scope_rank(granted) > 0
	    && fs_scope_rank(asked) <= fs_scope_rank(granted));
}

// depth_scan refuses JSON nested deeper than FS_JSON_MAX_DEPTH, counting
// brackets outside strings.  It needs no valid JSON: jansson judges that.
static fs_err
depth_scan(const uint8_t *p, size_t len)
{
	size_t depth = 0;
	bool   instr = false;

	for (size_t i = 0; i < len; i++) {
		if (instr) {
			if (p[i] == '\\') {
				i++;
			} else if (p[i] == '"') {
				instr = false;
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			instr = true;
			break;
		case '{':
		case '[':
			if (++depth > FS_JSON_MAX_DEPTH) {
				return (FS_ERR_TOO_LARGE);
			}
			break;
		case '}':
		case ']':
			if (depth > 0) {
				depth--;
			}
			break;
		default:
			break;
		}
	}
	return (FS_OK);
}

// json_object_strict parses len bytes as one JSON object under our bounds.
static fs_err
json_object_strict(json_t **jp, const uint8_t *buf, size_t len, size_t max)
{
	json_error_t err;
	json_t      *j;
	fs_err       rv;

	if (len > max) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = depth_scan(buf, len)) != FS_OK) {
		return (rv);
	}
	// JSON_DECODE_ANY, so that a string or an array parses and is
	// refused for its type, not reported as malformed.
	j = json_loadb((const char *) buf, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (j == NULL) {
		return (json_error_code(&err) == json_error_out_of_memory
		        ? FS_ERR_NOMEM
		        : FS_ERR_MALFORMED);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return (FS_ERR_TYPE);
	}
	*jp = j;
	return (FS_OK);
}

bool
fsi_claim_str_ok(const char *s, size_t len)
{
	return (fs_word_ok(s, len, FS_CLAIM_STR_MAX, "-._~:/"));
}

// safe_field checks a fixed-size string field of the struct.
static bool
safe_field(const char *s)
{
	size_t len = strnlen(s, FS_CLAIM_STR_MAX + 1);

	return (len <= FS_CLAIM_STR_MAX && fsi_claim_str_ok(s, len));
}

static fs_err
claims_valid(const fs_claims *c)
{
	char t[FS_TIME_LEN + 1];

	if (fs_scope_name(c->scope) == NULL) {
		return (FS_ERR_SCOPE);
	}
	if (!safe_field(c->iss) || !safe_field(c->aud)
	    || !safe_field(c->purpose) || !safe_field(c->reg)) {
		return (FS_ERR_MALFORMED);
	}
	if (c->uses < 1 || c->uses > FS_CLAIM_USES_MAX) {
		return (FS_ERR_MALFORMED);
	}
	// The subject binding serves attestations only: on any other
	// consent it would be a claim nobody checks.
	if (c->has_idc && c->scope != FS_SCOPE_ATTEST) {
		return (FS_ERR_MALFORMED);
	}
	// Representable times, and a validity period that is not empty.
	if (fs_time_format(t, c->iat) != FS_OK
	    || fs_time_format(t, c->nbf) != FS_OK
	    || fs_time_format(t, c->exp) != FS_OK || c->iat >= c->exp
	    || c->nbf >= c->exp) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

void
fs_claims_init(fs_claims *c)
{
	memset(c, 0, sizeof(*c));
	// Staff paste a jti into `consent revoke JTI`; one whose base64url
	// began with '-' would be read as an option. Draw again (1 in 64).
	do {
		randombytes_buf(c->jti, sizeof(c->jti));
	} while ((c->jti[0] >> 2) == 62);
	c->uses = 1;
}

// set_str copies a token-safe string into a field of FS_CLAIM_STR_MAX + 1.
static fs_err
set_str(char *field, const char *s, size_t len)
{
	if (!fsi_claim_str_ok(s, len)) {
		return (FS_ERR_MALFORMED);
	}
	memcpy(field, s, len);
	field[len] = 0;
	return (FS_OK);
}

// set_b64 decodes exactly n bytes.
static fs_err
set_b64(uint8_t *field, size_t n, const char *s, size_t len)
{
	size_t got;

	if (len != fs_b64_encoded_len(n)
	    || fs_b64_decode(field, n, &got, s, len) != FS_OK || got != n) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

static fs_err
claim_set(fs_claims *c, int i, json_t *v)
{
	const char *s;
	size_t      len;

	if (i == C_USES) {
		json_int_t n;

		if (!json_is_integer(v)) {
			return (FS_ERR_TYPE);
		}
		n = json_integer_value(v);
		if (n < 1 || n > FS_CLAIM_USES_MAX) {
			return (FS_ERR_MALFORMED);
		}
		c->uses = (uint32_t) n;
		return (FS_OK);
	}
	if (!json_is_string(v)) {
		return (FS_ERR_TYPE);
	}
	s   = json_string_value(v);
	len = json_string_length(v);
	switch (i) {
	case C_ISS:
		return (set_str(c->iss, s, len));
	case C_AUD:
		return (set_str(c->aud, s, len));
	case C_PURPOSE:
		return (set_str(c->purpose, s, len));
	case C_REG:
		return (set_str(c->reg, s, len));
	case C_SUB:
		return (set_b64(c->sub, sizeof(c->sub), s, len));
	case C_JTI:
		return (set_b64(c->jti, sizeof(c->jti), s, len));
	case C_IDC:
		c->has_idc = true;
		return (set_b64(c->idc, sizeof(c->idc), s, len));
	case C_SCOPE:
		return (fs_scope_parse(&c->scope, s, len));
	case C_IAT:
		return (fs_time_parse(&c->iat, s, len));
	case C_NBF:
		return (fs_time_parse(&c->nbf, s, len));
	default:
		return (fs_time_parse(&c->exp, s, len));
	}
}

fs_err
fs_claims_decode(fs_claims *out, const uint8_t *json, size_t len)
{
	fs_claims   c;
	json_t     *root, *v;
	const char *key;
	unsigned    seen = 0;
	fs_err      rv;

	if ((rv = json_object_strict(&root, json, len, FS_CLAIMS_MAX_LEN))
	    != FS_OK) {
		return (rv);
	}
	memset(&c, 0, sizeof(c));
	json_object_foreach (root, key, v) {
		int i;

		for (i = 0; i < C_NUM; i++) {
			if (strcmp(key, claim_names[i]) == 0) {
				break;
			}
		}
		if (i == C_NUM) {
			rv = FS_ERR_MALFORMED; // unknown claim
			goto out;
		}
		seen |= 1u << i;
		if ((rv = claim_set(&c, i, v)) != FS_OK) {
			goto out;
		}
	}
	if ((seen & REQUIRED) != REQUIRED) {
		rv = FS_ERR_MALFORMED;
		goto out;
	}
	if ((seen & (1u << C_NBF)) == 0) {
		c.nbf = c.iat;
	}
	if ((seen & (1u << C_USES)) == 0) {
		c.uses = 1;
	}
	if ((rv = claims_valid(&c)) != FS_OK) {
		goto out;
	}
	*out = c;
out:
	json_decref(root);
	return (rv);
}

// set_new adds v to o, counting a failure on either side as out of memory.
static int
set_new(json_t *o, const char *key, json_t *v)
{
	return (v == NULL ? -1 : json_object_set_new(o, key, v));
}

static int
set_time(json_t *o, const char *key, int64_t t)
{
	char s[FS_TIME_LEN + 1];

	(void) fs_time_format(s, t); // in range: claims_valid checked
	return (set_new(o, key, json_string(s)));
}

fs_err
fs_claims_encode(char **jsonp, size_t *lenp, const fs_claims *c)
{
	char    sub[FS_SUBJECT_BYTES * 2], jti[FS_JTI_BYTES * 2];
	char    idc[FS_IDC_BYTES * 2];
	json_t *o;
	char   *buf = NULL;
	size_t  n;
	int     bad = 0;
	fs_err  rv;

	if ((rv = claims_valid(c)) != FS_OK) {
		return (rv == FS_ERR_MALFORMED ? FS_ERR_INVALID : rv);
	}
	if ((o = json_object()) == NULL) {
		return (FS_ERR_NOMEM);
	}
	fs_b64_encode(sub, c->sub, sizeof(c->sub));
	fs_b64_encode(jti, c->jti, sizeof(c->jti));
	bad |= set_new(o, "iss", json_string(c->iss));
	bad |= set_new(o, "sub", json_string(sub));
	bad |= set_new(o, "aud", json_string(c->aud));
	bad |= set_new(o, "purpose", json_string(c->purpose));
	bad |= set_new(o, "scope", json_string(fs_scope_name(c->scope)));
	bad |= set_time(o, "iat", c->iat);
	bad |= set_time(o, "nbf", c->nbf);
	bad |= set_time(o, "exp", c->exp);
	bad |= set_new(o, "jti", json_string(jti));
	bad |= set_new(o, "uses", json_integer(c->uses));
	bad |= set_new(o, "reg", json_string(c->reg));
	if (c->has_idc) {
		fs_b64_encode(idc, c->idc, sizeof(c->idc));
		bad |= set_new(o, "idc", json_string(idc));
	}
	if (bad != 0) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	// json_dumpb, not json_dumps: the caller frees with free(), whatever
	// allocator jansson was given.
	n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
	if (n == 0 || (buf = malloc(n + 1)) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	(void) json_dumpb(o, buf, n, JSON_COMPACT | JSON_SORT_KEYS);
	buf[n] = 0;
	*jsonp = buf;
	if (lenp != NULL) {
		*lenp = n;
	}
out:
	json_decref(o);
	return (rv);
}

fs_err
fs_claims_check(const fs_claims *c, int64_t now, int64_t skew)
{
	// Bounded skew and representable claim times keep the sums below
	// from overflowing.
	if (skew < 0 || skew > FS_SKEW_MAX || claims_valid(c) != FS_OK) {
		return (FS_ERR_INVALID);
	}
	if (now >= c->exp + skew) {
		return (FS_ERR_EXPIRED);
	}
	if (now < c->nbf - skew || now < c->iat - skew) {
		return (FS_ERR_NOT_YET_VALID);
	}
	return (FS_OK);
}

void
fs_footer_encode(
    char out[static FS_FOOTER_LEN + 1], const uint8_t kid[static FS_KID_BYTES])
{
	char pid[FS_PASERK_PID_LEN + 1];

	fs_paserk_pid_from_kid(pid, kid);
	memcpy(out, "{\"kid\":\"", 8);
	memcpy(out + 8, pid, FS_PASERK_PID_LEN);
	memcpy(out + 8 + FS_PASERK_PID_LEN, "\"}", 3);
}

fs_err
fs_footer_decode(uint8_t kid[static FS_KID_BYTES], const char *s, size_t len)
{
	json_t *root, *v;
	fs_err  rv;

	if ((rv = json_object_strict(
	         &root, (const uint8_t *) s, len, FS_FOOTER_MAX_LEN))
	    != FS_OK) {
		return (rv);
	}
	if (json_object_size(root) != 1
	    || (v = json_object_get(root, "kid")) == NULL) {
		rv = FS_ERR_MALFORMED;
	} else if (!json_is_string(v)) {
		rv = FS_ERR_TYPE;
	} else {
		rv = fs_paserk_parse_pid(
		    kid, json_string_value(v), json_string_length(v));
	}
	json_decref(root);
	return (rv);
}

fs_err
fs_token_kid(uint8_t kid[static FS_KID_BYTES], const char *token, size_t len)
{
	char  *footer;
	size_t flen;
	fs_err rv;

	if ((rv = fs_paseto_footer(&footer, &flen, token, len)) != FS_OK) {
		return (rv);
	}
	rv = fs_footer_decode(kid, footer, flen);
	free(footer);
	return (rv);
}

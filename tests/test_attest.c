// SPDX-License-Identifier: Apache-2.0
//
// test_attest.c -- attestations (strict claims, signature, subject
// binding), trust lists (parsing, refusals with their line, the credit
// office's signature, binding to the local scheme) and recognition: the
// mapping rules, and every refusal with its own error.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "tests/keys.h"
#include "wire/attest.h"
#include "wire/note.h"
#include "wire/recognize.h"
#include "wire/scheme.h"
#include "wire/token.h"
#include "wire/trust.h"

#define NOW INT64_C(1795428000) // 2026-11-23T10:00:00Z

static const char yuxi[] = "[scheme]\n"
                           "id = yuxi\nversion = 2024-1\nregion = yuxi\n"
                           "scale_min = 0\nscale_max = 1000\nbase = 500\n"
                           "purposes = credit_loan\n"
                           "[tier excellent]\nlabel = 信用优秀\nmin = 800\n"
                           "[tier good]\nlabel = 信用良好\nmin = 600\n"
                           "[tier fair]\nlabel = 信用一般\nmin = 500\n"
                           "[tier poor]\nlabel = 信用不足\nmin = 0\n";

// The receiving side: another scale, other names.
static const char changzhou[] = "[scheme]\n"
                                "id = changzhou\nversion = 2022-1\n"
                                "region = changzhou\n"
                                "scale_min = 0\nscale_max = 100\n"
                                "base = 50\npurposes = credit_loan\n"
                                "[tier a]\nlabel = A\nmin = 90\n"
                                "[tier b]\nlabel = B\nmin = 70\n"
                                "[tier c]\nlabel = C\nmin = 0\n";

static const char idnum[] = "11010519491231002X";

static void
scheme(fs_scheme *s, const char *text)
{
	char why[FS_WHY_MAX];

	if (fs_scheme_parse(s, text, strlen(text), "t.scheme", why, sizeof(why))
	    != FS_OK) {
		fail_msg("scheme: %s", why);
	}
}

// sample is a Yuxi attestation of tier good, score 650, bound to idnum
// with salt 1..16.
static void
sample(fs_attestation *a, const char *iss)
{
	fs_scheme s;
	uint8_t   salt[FS_IDC_SALT_BYTES];

	scheme(&s, yuxi);
	memset(a, 0, sizeof(*a));
	snprintf(a->iss, sizeof(a->iss), "%s", iss);
	strcpy(a->scheme_id, s.id);
	strcpy(a->scheme_version, s.version);
	strcpy(a->scheme_hash, s.hash);
	a->scale_min = s.scale_min;
	a->scale_max = s.scale_max;
	a->ntiers    = s.ntiers;
	memcpy(a->tiers, s.tiers, sizeof(a->tiers));
	a->tier      = *fs_scheme_tier(&s, 650);
	a->has_score = true;
	a->score     = 650;
	a->iat       = NOW;
	a->exp       = NOW + 600;
	memset(a->jti, 7, sizeof(a->jti));
	a->log_index = 12;
	for (int i = 0; i < FS_IDC_SALT_BYTES; i++) {
		salt[i] = (uint8_t) (i + 1);
	}
	a->has_idc = true;
	fs_idc_commit(a->idc, salt, idnum, strlen(idnum));
}

static char *
sign(const fs_key *k, const fs_attestation *a)
{
	char *tok;

	assert_int_equal(fs_attest_sign(&tok, k, a), FS_OK);
	return (tok);
}

static fs_err
decode_json(const char *json)
{
	fs_attestation a;

	return (fs_attest_decode(&a, (const uint8_t *) json, strlen(json)));
}

// with replaces the first occurrence of from in the sample's JSON by to
// and decodes the result.
static fs_err
decode_with(const char *from, const char *to)
{
	fs_attestation a;
	char          *json, *at, buf[4096];

	sample(&a, "yuxi");
	assert_int_equal(fs_attest_encode(&json, &a), FS_OK);
	at = strstr(json, from);
	if (at == NULL) {
		fail_msg("'%s' is not in %s", from, json);
	}
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int) (at - json), json, to,
	    at + strlen(from));
	free(json);
	return (decode_json(buf));
}

static void
test_attest_roundtrip(void **state)
{
	fs_key        *k = key_from_byte(1);
	fs_attestation a, b;
	char          *tok, *json;
	uint8_t        kid[FS_KID_BYTES];

	(void) state;
	sample(&a, "yuxi");
	assert_int_equal(fs_attest_encode(&json, &a), FS_OK);
	assert_non_null(strstr(json,
	    "\"iss\":\"yuxi\",\"jti\":\"BwcHBwcHBwcHBwcHBwcHBw\","
	    "\"log_index\":12,\"scale\":{\"max\":1000,\"min\":0},"
	    "\"scheme\":{\"hash\":\""));
	assert_non_null(strstr(json,
	    "\"score\":650,\"tier\":{\"label\":\"信用良好\",\"name\":"
	    "\"good\"},\"tiers\":[{\"label\":\"信用优秀\",\"min\":800,"
	    "\"name\":\"excellent\"}"));
	assert_non_null(strstr(json, "\"exp\":\"2026-11-23T10:10:00Z\""));
	free(json);
	tok = sign(k, &a);
	assert_int_equal(strncmp(tok, "v4.public.", 10), 0);
	assert_int_equal(fs_attest_kid(kid, tok, strlen(tok)), FS_OK);
	assert_memory_equal(kid, fs_key_public(k)->kid, FS_KID_BYTES);
	assert_int_equal(
	    fs_attest_verify(&b, tok, strlen(tok), fs_key_public(k)), FS_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(fs_attest_peek(&b, tok, strlen(tok)), FS_OK);
	assert_string_equal(b.iss, "yuxi");
	free(tok);

	// The credit code: tier only, and no binding when the consent had
	// none.
	a.has_score = false;
	a.score     = 0;
	a.has_idc   = false;
	memset(a.idc, 0, sizeof(a.idc));
	assert_int_equal(fs_attest_encode(&json, &a), FS_OK);
	assert_null(strstr(json, "score"));
	assert_null(strstr(json, "idc"));
	free(json);
	tok = sign(k, &a);
	assert_int_equal(
	    fs_attest_verify(&b, tok, strlen(tok), fs_key_public(k)), FS_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	free(tok);
	fs_key_free(k);
}

static void
test_attest_strict(void **state)
{
	fs_attestation a;
	char          *json;

	(void) state;
	assert_int_equal(decode_with("\"iss\"", "\"iss\""), FS_OK);
	// Unknown members, anywhere.
	assert_int_equal(
	    decode_with("\"iss\"", "\"extra\":1,\"iss\""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"max\"", "\"mid\":5,\"max\""), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("\"hash\"", "\"name\":\"x\",\"hash\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"label\":\"信用良好\",\"name\":\"good\"",
	        "\"label\":\"信用良好\",\"name\":\"good\",\"min\":600"),
	    FS_ERR_MALFORMED);
	// Types.
	assert_int_equal(
	    decode_with("\"score\":650", "\"score\":\"650\""), FS_ERR_TYPE);
	assert_int_equal(
	    decode_with("\"log_index\":12", "\"log_index\":12.0"), FS_ERR_TYPE);
	assert_int_equal(
	    decode_with("\"iss\":\"yuxi\"", "\"iss\":[\"yuxi\"]"), FS_ERR_TYPE);
	assert_int_equal(
	    decode_with("\"tiers\":[", "\"tiers\":{\"x\":["), FS_ERR_MALFORMED);
	// Values.
	assert_int_equal(decode_with("\"score\":650", "\"score\":850"),
	    FS_ERR_MALFORMED); // not the tier of the score
	assert_int_equal(
	    decode_with("\"score\":650", "\"score\":1001"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("\"min\":500", "\"min\":900"),
	    FS_ERR_MALFORMED); // bounds not descending
	assert_int_equal(
	    decode_with("\"min\":0", "\"min\":1"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("\"name\":\"fair\"", "\"name\":\"good\""),
	    FS_ERR_MALFORMED); // a name twice
	assert_int_equal(decode_with("\"label\":\"信用良好\",\"name\":\"good\"}"
	                             ",\"tiers\"",
	                     "\"label\":\"优\",\"name\":\"good\"},\"tiers\""),
	    FS_ERR_MALFORMED); // a tier not in the table
	assert_int_equal(decode_with("\"log_index\":12", "\"log_index\":-1"),
	    FS_ERR_MALFORMED);
	assert_int_equal(decode_with("\"iss\":\"yuxi\"", "\"iss\":\"yu xi\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"hash\":\"", "\"hash\":\"X"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("\"exp\":\"2026-11-23T10:10:00Z\"",
	                     "\"exp\":\"2026-11-23T10:00:00Z\""),
	    FS_ERR_MALFORMED); // empty validity
	assert_int_equal(
	    decode_with("\"jti\":\"BwcH", "\"jti\":\"B"), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"idc\":\"", "\"idc\":\"AA"), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"label\":\"信用优秀\"", "\"label\":\"\\u0000\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"label\":\"信用优秀\"", "\"label\":\"a\\nb\""),
	    FS_ERR_MALFORMED);
	// Missing members, duplicates, not an object, too large.
	assert_int_equal(
	    decode_with("\"log_index\":12,", ""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("\"iss\"", "\"iss\":\"x\",\"iss\""), FS_ERR_MALFORMED);
	assert_int_equal(decode_json("[]"), FS_ERR_TYPE);
	assert_int_equal(decode_json("{"), FS_ERR_MALFORMED);
	{
		char big[FS_ATTEST_CLAIMS_MAX + 2];

		memset(big, ' ', sizeof(big));
		big[0]               = '{';
		big[sizeof(big) - 2] = '}';
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(decode_json(big), FS_ERR_TOO_LARGE);
	}
	// Nothing is signed that would not decode.
	sample(&a, "yuxi");
	a.score = 900;
	assert_int_equal(fs_attest_encode(&json, &a), FS_ERR_INVALID);
	sample(&a, "yuxi");
	a.ntiers = 0;
	assert_int_equal(fs_attest_encode(&json, &a), FS_ERR_INVALID);
}

static void
test_attest_signature(void **state)
{
	fs_key        *k = key_from_byte(1), *other = key_from_byte(2);
	fs_attestation a, b;
	char          *tok, *consent;
	fs_claims      c;
	size_t         body;

	(void) state;
	sample(&a, "yuxi");
	tok = sign(k, &a);
	// Another key: its kid is not in the footer.
	assert_int_equal(
	    fs_attest_verify(&b, tok, strlen(tok), fs_key_public(other)),
	    FS_ERR_FOOTER);
	// One character of the claims changed.
	body          = 10 + strcspn(tok + 10, ".");
	tok[body / 2] = tok[body / 2] == 'A' ? 'B' : 'A';
	assert_int_equal(
	    fs_attest_verify(&b, tok, strlen(tok), fs_key_public(k)),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);
	// A consent token by the same key is no attestation.
	fs_claims_init(&c);
	strcpy(c.iss, "i");
	strcpy(c.aud, "a");
	strcpy(c.purpose, "p");
	c.scope = FS_SCOPE_TIER;
	c.iat = c.nbf = NOW;
	c.exp         = NOW + 60;
	assert_int_equal(fs_token_issue(&consent, k, &c, "yuxi"), FS_OK);
	assert_int_equal(
	    fs_attest_verify(&b, consent, strlen(consent), fs_key_public(k)),
	    FS_ERR_BAD_SIGNATURE);
	free(consent);
	fs_key_free(k);
	fs_key_free(other);
}

static void
test_attest_bound(void **state)
{
	fs_attestation a;
	uint8_t        salt[FS_IDC_SALT_BYTES];

	(void) state;
	sample(&a, "yuxi");
	for (int i = 0; i < FS_IDC_SALT_BYTES; i++) {
		salt[i] = (uint8_t) (i + 1);
	}
	assert_int_equal(
	    fs_attest_bound(&a, idnum, strlen(idnum), salt), FS_OK);
	assert_int_equal(fs_attest_bound(&a, "110105194912310038", 18, salt),
	    FS_ERR_WRONG_SUBJECT);
	salt[15] ^= 0x80;
	assert_int_equal(fs_attest_bound(&a, idnum, strlen(idnum), salt),
	    FS_ERR_WRONG_SUBJECT);
	salt[15] ^= 0x80;
	a.has_idc = false;
	assert_int_equal(fs_attest_bound(&a, idnum, strlen(idnum), salt),
	    FS_ERR_WRONG_SUBJECT);
}

// trust_text writes a Changzhou trust list for Yuxi (key k, retired key
// old) followed by extra lines.
static void
trust_text(char *buf, size_t cap, const fs_key *k, const fs_key *old,
    const char *extra)
{
	char pk[FS_PASERK_PUBLIC_LEN + 1], rk[FS_PASERK_PUBLIC_LEN + 1];

	fs_paserk_public(pk, fs_key_public(k)->pk);
	fs_paserk_public(rk, fs_key_public(old)->pk);
	snprintf(buf, cap,
	    "# Changzhou recognizes Yuxi\n"
	    "[trust]\nlocal = changzhou\nscheme = changzhou.conf\nskew = 0s\n"
	    "[region yuxi]\nkey = %s\nretired = %s\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2027-01-01T00:00:00Z\n"
	    "map.excellent = a\nmap.good = b\n%s",
	    pk, rk, extra);
}

static fs_trust *
trust(const char *text)
{
	fs_trust *t;
	fs_scheme s;
	char      why[FS_WHY_MAX];

	if (fs_trust_parse(
	        &t, text, strlen(text), "/etc/fs/trust.list", why, sizeof(why))
	    != FS_OK) {
		fail_msg("trust list: %s", why);
	}
	scheme(&s, changzhou);
	if (fs_trust_bind(t, &s, why, sizeof(why)) != FS_OK) {
		fail_msg("bind: %s", why);
	}
	return (t);
}

static void
test_trust_parse(void **state)
{
	fs_key                *k = key_from_byte(1), *old = key_from_byte(3);
	char                   buf[2048];
	fs_trust              *t;
	const fs_trust_region *r;

	(void) state;
	trust_text(buf, sizeof(buf), k, old,
	    "score = linear\n[region sanming]\nkey = "
	    "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "not_before = 2026-01-01T00:00:00+08:00\n"
	    "not_after = 2026-06-01T00:00:00Z\nscore = linear\n");
	t = trust(buf);
	assert_string_equal(fs_trust_local(t), "changzhou");
	assert_string_equal(fs_trust_scheme_path(t), "/etc/fs/changzhou.conf");
	assert_string_equal(fs_trust_scheme(t)->id, "changzhou");
	assert_int_equal(fs_trust_skew(t), 0);
	assert_int_equal(fs_trust_count(t), 2);
	r = fs_trust_region_find(t, "yuxi");
	assert_non_null(r);
	assert_memory_equal(r->key.pk, fs_key_public(k)->pk, FS_PK_BYTES);
	assert_int_equal(r->nretired, 1);
	assert_memory_equal(
	    r->retired[0].pk, fs_key_public(old)->pk, FS_PK_BYTES);
	assert_int_equal(r->not_before, INT64_C(1767225600));
	assert_int_equal(r->nmaps, 2);
	assert_string_equal(r->maps[1].foreign, "good");
	assert_string_equal(r->maps[1].local, "b");
	assert_true(r->linear);
	r = fs_trust_region_at(t, 1);
	assert_string_equal(r->id, "sanming");
	assert_int_equal(r->not_before, INT64_C(1767196800));
	assert_null(fs_trust_region_at(t, 2));
	assert_null(fs_trust_region_find(t, "shaoxing"));
	fs_trust_free(t);
	fs_trust_free(NULL);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_trust_refusals(void **state)
{
	static const struct {
		const char *extra; // after the sample's lines
		const char *want;  // in the message
	} cases[] = {
		{ "colour = red\n", ":13: 'colour' is not a setting" },
		{ "score = log\n", ":13: expected score = linear" },
		{ "map.good = c\n", "'map.good' is already set on line 12" },
		{ "map.fair = c d\n", ":13: expected map." },
		{ "[region yuxi]\n", "region yuxi is already listed" },
		{ "[region changzhou]\n", "does not recognize itself" },
		{ "[region]\n", "expected [region ID]" },
		{ "[region x]\nkey = k4.public.AAAA\nscore = linear\n"
		  "not_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    ":14: expected key as k4" },
		{ "[region x]\nmap.a = b\nnot_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "section [region x] needs 'key" },
		{ "[region x]\nscore = linear\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2026-01-01\nnot_after = 2027-01-01T00:00:00Z\n",
		    ":16: expected not_before as an RFC 3339 time" },
		{ "[region x]\nscore = linear\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2027-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "not_before before not_after" },
		{ "[region x]\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "region x has no recognition rule" },
		{ "[issuer]\nurl = x\n", "found [issuer]" },
		{ "[trust]\nlocal = x\n", "found [trust]" },
	};
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	char      buf[2048], why[FS_WHY_MAX];
	char      pk[FS_PASERK_PUBLIC_LEN + 1];
	fs_trust *t;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		trust_text(buf, sizeof(buf), k, old, cases[i].extra);
		why[0] = '\0';
		assert_int_equal(fs_trust_parse(&t, buf, strlen(buf), "t.list",
		                     why, sizeof(why)),
		    FS_ERR_CONFIG);
		if (strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: expected '%s' in '%s'", i,
			    cases[i].want, why);
		}
	}
	// One key, one region: the key of another region, or a retired
	// key, again.
	fs_paserk_public(pk, fs_key_public(k)->pk);
	snprintf(why, sizeof(why),
	    "[region x]\nscore = linear\nkey = %s\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2027-01-01T00:00:00Z\n",
	    pk);
	trust_text(buf, sizeof(buf), k, old, why);
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(strstr(why, "a key of region x is listed again"));
	trust_text(buf, sizeof(buf), k, k, "");
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	// No [trust], no region, no local.
	assert_int_equal(fs_trust_parse(&t, "[trust]\nlocal = a\nscheme = b\n",
	                     29, "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(strstr(why, "1 to 64 [region ID]"));
	assert_int_equal(fs_trust_parse(&t, "", 0, "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_trust_signed(void **state)
{
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	fs_key   *office = key_from_byte(4), *other = key_from_byte(5);
	char      buf[2048], why[FS_WHY_MAX];
	char     *note;
	size_t    nlen;
	fs_trust *t;

	(void) state;
	trust_text(buf, sizeof(buf), k, old, "");
	assert_int_equal(fs_note_sign(&note, &nlen, buf, strlen(buf),
	                     FS_TRUST_OFFICE_NAME, office),
	    FS_OK);
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_OK);
	assert_string_equal(fs_trust_local(t), "changzhou");
	assert_null(fs_trust_scheme(t)); // not bound yet
	fs_trust_free(t);
	// Another office, or the same key under another name.
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(other),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	assert_non_null(strstr(why, "not signed by the credit office"));
	assert_int_equal(fs_trust_open(&t, note, nlen, "t.list",
	                     fs_key_public(office), "office", why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	// A mapping changed after signing.
	*strstr(note, "map.good = b") = 'M';
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_BAD_SIGNATURE);
	assert_non_null(strstr(why, "altered"));
	// Text without a signature.
	assert_int_equal(
	    fs_trust_open(&t, buf, strlen(buf), "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_MALFORMED);
	free(note);
	fs_key_free(k);
	fs_key_free(old);
	fs_key_free(office);
	fs_key_free(other);
}

static void
test_trust_bind(void **state)
{
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	char      buf[2048], why[FS_WHY_MAX];
	fs_trust *t;
	fs_scheme s;

	(void) state;
	trust_text(buf, sizeof(buf), k, old, "map.fair = z\n");
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_OK);
	scheme(&s, changzhou);
	assert_int_equal(fs_trust_bind(t, &s, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(
	    strstr(why, "maps tier fair to z, which is not a tier"));
	scheme(&s, yuxi);
	assert_int_equal(fs_trust_bind(t, &s, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "for region changzhou"));
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
}

static fs_err
recognize(const fs_trust *t, const char *tok, int64_t now, fs_recognition *r,
    char *why)
{
	fs_recognition x;

	return (fs_recognize(
	    r != NULL ? r : &x, t, tok, strlen(tok), now, why, FS_WHY_MAX));
}

static void
test_recognize_map(void **state)
{
	fs_key        *k = key_from_byte(1), *old = key_from_byte(3);
	char           buf[2048], why[FS_WHY_MAX];
	fs_trust      *t;
	fs_attestation a;
	fs_recognition r;
	char          *tok;

	(void) state;
	// map.good = b: the tier decides, not the score.
	trust_text(buf, sizeof(buf), k, old, "score = linear\n");
	t = trust(buf);
	sample(&a, "yuxi");
	tok = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
	assert_string_equal(r.local.name, "b");
	assert_string_equal(r.local.label, "B");
	assert_false(r.by_score);
	assert_string_equal(r.rule, "map.good = b");
	assert_string_equal(r.att.tier.name, "good");
	assert_int_equal(r.att.log_index, 12);
	free(tok);
	// fair is not mapped: linear, 550 of 0..1000 is 55 of 0..100: c.
	a.score = 550;
	a.tier  = *fs_attest_tier_of(&a, 550);
	tok     = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
	assert_true(r.by_score);
	assert_int_equal(r.local_score, 55);
	assert_string_equal(r.local.name, "c");
	assert_string_equal(r.rule, "score = linear");
	free(tok);
	// Without the score (the credit code) only a map line can apply.
	a.has_score = false;
	tok         = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_ERR_REFUSED);
	assert_non_null(strstr(why, "maps no tier fair of region yuxi"));
	assert_non_null(strstr(why, "no score"));
	free(tok);
	fs_trust_free(t);

	// Linear rounds down: 899 of 0..1000 is 89.9, so 89, tier b; 900
	// is 90, tier a; the ends map to the ends.
	trust_text(buf, sizeof(buf), k, old, "");
	{
		char *p = strstr(buf, "map.excellent");

		strcpy(p, "score = linear\n");
	}
	t = trust(buf);
	for (int i = 0; i < 4; i++) {
		static const struct {
			int64_t     score, local;
			const char *tier;
		} want[] = { { 899, 89, "b" }, { 900, 90, "a" },
			{ 1000, 100, "a" }, { 0, 0, "c" } };

		sample(&a, "yuxi");
		a.score = want[i].score;
		a.tier  = *fs_attest_tier_of(&a, a.score);
		tok     = sign(k, &a);
		assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
		assert_int_equal(r.local_score, want[i].local);
		assert_string_equal(r.local.name, want[i].tier);
		free(tok);
	}
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_recognize_refusals(void **state)
{
	fs_key        *k = key_from_byte(1), *old = key_from_byte(3);
	fs_key        *stranger = key_from_byte(6), *sanming = key_from_byte(7);
	char           buf[2048], why[FS_WHY_MAX], extra[512];
	char           pk[FS_PASERK_PUBLIC_LEN + 1];
	fs_trust      *t;
	fs_attestation a;
	fs_recognition r;
	char          *tok;
	size_t         body;

	(void) state;
	fs_paserk_public(pk, fs_key_public(sanming)->pk);
	snprintf(extra, sizeof(extra),
	    "[region sanming]\nkey = %s\nscore = linear\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2026-06-01T00:00:00Z\n",
	    pk);
	trust_text(buf, sizeof(buf), k, old, extra);
	t = trust(buf);

	// A region the list does not hold.
	sample(&a, "shaoxing");
	tok = sign(stranger, &a);
	assert_int_equal(
	    recognize(t, tok, NOW, NULL, why), FS_ERR_UNREGISTERED);
	assert_non_null(strstr(why, "region shaoxing is not in the trust"));
	free(tok);
	// A region it holds, with a key it does not.
	sample(&a, "yuxi");
	tok = sign(stranger, &a);
	assert_int_equal(recognize(t, tok, NOW, NULL, why), FS_ERR_WRONG_KEY);
	free(tok);
	// A retired key.
	tok = sign(old, &a);
	assert_int_equal(recognize(t, tok, NOW, NULL, why), FS_ERR_REVOKED);
	assert_non_null(strstr(why, "retired key of region yuxi"));
	free(tok);
	// Altered: the claims, then the signature.
	tok  = sign(k, &a);
	body = 10 + strcspn(tok + 10, ".");
	for (size_t at = body / 2; at < body; at += body / 2 - 3) {
		char saved = tok[at];

		tok[at] = saved == 'A' ? 'B' : 'A';
		assert_int_equal(
		    recognize(t, tok, NOW, NULL, why), FS_ERR_BAD_SIGNATURE);
		assert_non_null(strstr(why, "altered"));
		tok[at] = saved;
	}
	// Genuine: recognized until exp (skew 0s), then expired -- and so
	// is every replay of it after that.
	assert_int_equal(recognize(t, tok, NOW + 599, &r, why), FS_OK);
	assert_int_equal(recognize(t, tok, NOW + 600, &r, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "expired at 2026-11-23T10:10:00Z"));
	assert_int_equal(
	    recognize(t, tok, NOW + 86400, &r, why), FS_ERR_EXPIRED);
	assert_int_equal(
	    recognize(t, tok, NOW - 1, &r, why), FS_ERR_NOT_YET_VALID);
	free(tok);
	// Outside the region's window: trust ended, or not begun.
	sample(&a, "sanming");
	a.iat = a.exp - 1 - 400 * 86400;
	a.exp = a.iat + 600;
	tok   = sign(sanming, &a);
	assert_int_equal(
	    recognize(t, tok, a.iat, &r, why), FS_ERR_NOT_YET_VALID);
	assert_non_null(strstr(why, "trusts region sanming from"));
	free(tok);
	sample(&a, "sanming");
	tok = sign(sanming, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "trusted region sanming until"));
	free(tok);
	// The key of one region claiming to be another.
	sample(&a, "yuxi");
	tok = sign(sanming, &a);
	assert_int_equal(recognize(t, tok, INT64_C(1770000000), &r, why),
	    FS_ERR_WRONG_REGION);
	free(tok);
	// Garbage.
	assert_int_equal(
	    recognize(t, "v4.local.AAAA", NOW, &r, why), FS_ERR_VERSION);
	assert_int_equal(
	    recognize(t, "v4.public.AAAA", NOW, &r, why), FS_ERR_TRUNCATED);
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
	fs_key_free(stranger);
	fs_key_free(sanming);
}

static void
test_recognition_body(void **state)
{
	static const char *bad[] = {
		"",
		"[]",
		"{}",
		"{\"attestation\":1}",
		"{\"attestation\":\"v4.public.x\",\"id\":"
		"\"11010519491231002X\"}",
		"{\"attestation\":\"a\",\"attestation\":\"b\"}",
		"{\"request\":\"v4.public.x\"}",
	};
	static const char good[] = "{\"attestation\": \"v4.public.x\"}";
	json_t           *o;
	const char       *tok;

	(void) state;
	assert_int_equal(
	    fs_recognition_body_decode(&o, good, strlen(good), &tok), FS_OK);
	assert_string_equal(tok, "v4.public.x");
	json_decref(o);
	// Exactly the attestation: the ID number and the salt stay with the
	// citizen.
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fs_recognition_body_decode(
		                     &o, bad[i], strlen(bad[i]), &tok),
		    FS_ERR_MALFORMED);
	}
	assert_int_equal(fs_recognition_body_decode(
	                     &o, "{}", FS_RECOGNITION_BODY_MAX + 1, &tok),
	    FS_ERR_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest_roundtrip),
		cmocka_unit_test(test_attest_strict),
		cmocka_unit_test(test_attest_signature),
		cmocka_unit_test(test_attest_bound),
		cmocka_unit_test(test_trust_parse),
		cmocka_unit_test(test_trust_refusals),
		cmocka_unit_test(test_trust_signed),
		cmocka_unit_test(test_trust_bind),
		cmocka_unit_test(test_recognize_map),
		cmocka_unit_test(test_recognize_refusals),
		cmocka_unit_test(test_recognition_body),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

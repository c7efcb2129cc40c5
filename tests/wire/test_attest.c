// SPDX-License-Identifier: Apache-2.0
//
// test_attest.c -- attestations: strict claims, the signature, and the
// binding to the subject's ID number.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "tests/keys.h"
#include "tests/wire/attest_sample.h"
#include "wire/attest.h"
#include "wire/token.h"

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
	assert_int_equal(fs_token_kid(kid, tok, strlen(tok)), FS_OK);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest_roundtrip),
		cmocka_unit_test(test_attest_strict),
		cmocka_unit_test(test_attest_signature),
		cmocka_unit_test(test_attest_bound),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

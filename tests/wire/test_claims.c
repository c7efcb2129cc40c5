// SPDX-License-Identifier: Apache-2.0
//
// test_claims.c -- consent claims: strict JSON (not an object, duplicate
// keys, wrong types, deep nesting, unknown scope), the subject binding,
// validity times, and the kid footer.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "tests/keys.h"
#include "tests/wire/claims_sample.h"
#include "wire/token.h"

static fs_err
decode_str(fs_claims *c, const char *json)
{
	return (fs_claims_decode(c, (const uint8_t *) json, strlen(json)));
}

// with replaces one "key":value pair of sample_json (value NULL: removes
// it) and decodes the result.
static fs_err
decode_with(const char *key, const char *value)
{
	char        buf[1024], pat[32];
	const char *at, *end;
	fs_claims   c;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(sample_json, pat);
	assert_non_null(at);
	end = at + strlen(pat);
	if (*end == '"') {
		end = strchr(end + 1, '"') + 1;
	} else {
		end += strspn(end, "0123456789");
	}
	if (value == NULL) {
		// Drop the pair and the comma after it (or before, if last).
		if (*end == ',') {
			end++;
		} else {
			at--;
		}
		snprintf(buf, sizeof(buf), "%.*s%s", (int) (at - sample_json),
		    sample_json, end);
	} else {
		snprintf(buf, sizeof(buf), "%.*s%s%s%s",
		    (int) (at - sample_json), sample_json, pat, value, end);
	}
	return (decode_str(&c, buf));
}

static void
test_claims_roundtrip(void **state)
{
	fs_claims c, d;
	char     *json;
	size_t    len;

	(void) state;
	sample(&c);
	assert_int_equal(fs_claims_encode(&json, &len, &c), FS_OK);
	assert_string_equal(json, sample_json);
	assert_int_equal(len, strlen(sample_json));
	assert_int_equal(fs_claims_decode(&d, (uint8_t *) json, len), FS_OK);
	assert_memory_equal(&c, &d, sizeof(c));
	free(json);

	// Every scope, and "self" for a citizen's own view.
	for (int s = FS_SCOPE_TIER; s <= FS_SCOPE_SELF; s++) {
		fs_scope back;

		assert_non_null(fs_scope_name((fs_scope) s));
		assert_int_equal(
		    fs_scope_parse(&back, fs_scope_name((fs_scope) s),
		        strlen(fs_scope_name((fs_scope) s))),
		    FS_OK);
		assert_int_equal(back, s);
	}
	assert_null(fs_scope_name((fs_scope) 0));
	assert_null(fs_scope_name((fs_scope) 99));

	// Without nbf and uses: nbf is iat, one use.
	assert_int_equal(decode_with("nbf", NULL), FS_OK);
	assert_int_equal(decode_with("uses", NULL), FS_OK);
	assert_int_equal(decode_with("uses", "7"), FS_OK);
	assert_int_equal(
	    decode_str(&d,
	        "{\"aud\":\"b\",\"exp\":\"2026-11-23T19:00:00+08:00\","
	        "\"iat\":\"2026-11-23T10:00:00.5Z\",\"iss\":\"i\","
	        "\"jti\":\"EREREREREREREREREREREQ\",\"purpose\":\"p\","
	        "\"reg\":\"cz\",\"scope\":\"self\","
	        "\"sub\":\"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\"}"),
	    FS_OK);
	assert_int_equal(d.nbf, NOW);
	assert_int_equal(d.exp, NOW + 3600);
	assert_int_equal(d.uses, 1);
	assert_int_equal(d.scope, FS_SCOPE_SELF);

	// Nothing is encoded that would not decode.
	sample(&c);
	c.scope = (fs_scope) 0;
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_SCOPE);
	sample(&c);
	strcpy(c.purpose, "loan\"x");
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_INVALID);
	sample(&c);
	c.uses = 0;
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_INVALID);
	sample(&c);
	c.exp = c.iat;
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_INVALID);
	sample(&c);
	memset(c.iss, 'a', sizeof(c.iss));
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_INVALID);
}

static void
test_claims_not_object(void **state)
{
	static const char *docs[]
	    = { "[]", "[{}]", "\"claims\"", "1", "null", "true" };
	fs_claims c;

	(void) state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(decode_str(&c, docs[i]), FS_ERR_TYPE);
	}
	assert_int_equal(decode_str(&c, ""), FS_ERR_MALFORMED);
	assert_int_equal(decode_str(&c, "{"), FS_ERR_MALFORMED);
	assert_int_equal(decode_str(&c, "{}x"), FS_ERR_MALFORMED);
	assert_int_equal(decode_str(&c, "{} {}"), FS_ERR_MALFORMED);
	assert_int_equal(fs_claims_decode(&c, (const uint8_t *) "{}\0", 3),
	    FS_ERR_MALFORMED);
}

static void
test_claims_duplicate_keys(void **state)
{
	char      buf[1024];
	fs_claims c;

	(void) state;
	snprintf(buf, sizeof(buf), "{\"scope\":\"tier\",%s", sample_json + 1);
	assert_int_equal(decode_str(&c, buf), FS_ERR_MALFORMED);
	snprintf(buf, sizeof(buf), "%.*s,\"uses\":1}",
	    (int) strlen(sample_json) - 1, sample_json);
	assert_int_equal(decode_str(&c, buf), FS_ERR_MALFORMED);
}

static void
test_claims_wrong_types(void **state)
{
	(void) state;
	assert_int_equal(decode_with("iss", "1"), FS_ERR_TYPE);
	assert_int_equal(decode_with("sub", "null"), FS_ERR_TYPE);
	assert_int_equal(decode_with("aud", "[\"a\"]"), FS_ERR_TYPE);
	assert_int_equal(decode_with("scope", "{}"), FS_ERR_TYPE);
	assert_int_equal(decode_with("exp", "1795431600"), FS_ERR_TYPE);
	assert_int_equal(decode_with("uses", "\"1\""), FS_ERR_TYPE);
	assert_int_equal(decode_with("uses", "1.0"), FS_ERR_TYPE);
	assert_int_equal(decode_with("uses", "true"), FS_ERR_TYPE);
	assert_int_equal(decode_with("jti", "false"), FS_ERR_TYPE);
}

static void
test_claims_bad_values(void **state)
{
	(void) state;
	assert_int_equal(decode_with("scope", "\"all\""), FS_ERR_SCOPE);
	assert_int_equal(decode_with("scope", "\"Score\""), FS_ERR_SCOPE);
	assert_int_equal(decode_with("scope", "\"score \""), FS_ERR_SCOPE);
	assert_int_equal(decode_with("scope", "\"\""), FS_ERR_SCOPE);
	assert_int_equal(decode_with("uses", "0"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("uses", "-1"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("uses", "1000001"), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("uses", "99999999999999999999999"), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("purpose", "\"\""), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("purpose", "\"a b\""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("purpose", "\"a\\u0000b\""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("purpose", "\"\\u8d37\""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("aud",
	        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	        "aaaaaaaaaaaaaa\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(decode_with("sub", "\"q6urq6ur\""), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("sub",
	                     "\"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(decode_with("jti", "\"EREREREREREREREREREREQ==\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("exp", "\"2026-11-23T11:00:00\""), FS_ERR_MALFORMED);
	// An empty validity period.
	assert_int_equal(
	    decode_with("exp", "\"2026-11-23T10:00:00Z\""), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("nbf", "\"2026-11-23T11:00:00Z\""), FS_ERR_MALFORMED);
	// Missing and unknown claims.
	assert_int_equal(decode_with("reg", NULL), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("exp", NULL), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("sub", NULL), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("uses", "1,\"extra\":1"), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("uses", "1,\"data\":\"x\""), FS_ERR_MALFORMED);
}

static void
test_claims_bounds(void **state)
{
	char      buf[FS_CLAIMS_MAX_LEN + 64];
	fs_claims c;
	size_t    n;

	(void) state;
	// Nesting: four levels parse (and are then refused as unknown), five
	// do not get to jansson.
	assert_int_equal(
	    decode_str(&c, "{\"x\":{\"a\":[{}]}}"), FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_str(&c, "{\"x\":{\"a\":[{\"b\":[]}]}}"), FS_ERR_TOO_LARGE);
	assert_int_equal(
	    decode_str(&c, "[[[[[[[[[[[[[[[[[[[[[[[[[[[["), FS_ERR_TOO_LARGE);
	memset(buf, '[', 2000);
	buf[2000] = 0;
	assert_int_equal(decode_str(&c, buf), FS_ERR_TOO_LARGE);
	// Brackets in strings are text, escaped quotes included.
	assert_int_equal(
	    decode_with("iss", "\"[[[[[[\\\"{{{{{{\""), FS_ERR_MALFORMED);
	// Length.
	n = strlen(sample_json);
	memcpy(buf, sample_json, n - 1);
	memset(buf + n - 1, ' ', FS_CLAIMS_MAX_LEN - n);
	strcpy(buf + FS_CLAIMS_MAX_LEN - 1, "}");
	assert_int_equal(strlen(buf), FS_CLAIMS_MAX_LEN);
	assert_int_equal(decode_str(&c, buf), FS_OK);
	strcpy(buf + FS_CLAIMS_MAX_LEN - 1, " }");
	assert_int_equal(decode_str(&c, buf), FS_ERR_TOO_LARGE);
}

// A jti is pasted as the argument of `consent revoke`: it must never
// begin with '-', which would be read as an option (1 in 64 if drawn
// plainly, so 2000 draws would all but surely show one).
static void
test_claims_jti_not_option(void **state)
{
	(void) state;
	for (int i = 0; i < 2000; i++) {
		fs_claims c;
		char      s[48];

		fs_claims_init(&c);
		fs_b64_encode(s, c.jti, FS_JTI_BYTES);
		assert_int_not_equal(s[0], '-');
	}
}

// The subject binding: an optional claim of attest consents only, and
// its commitment BLAKE2b-256(key = salt, ID number).
static void
test_claims_idc(void **state)
{
	static const char idnum[] = "11010519491231002X";
	static const char want[]
	    = "6KbRzE1ozv7ZQNloh8kekJa1SpgxBcYSRlYKLLMUOZU";
	uint8_t   salt[FS_IDC_SALT_BYTES], idc[FS_IDC_BYTES];
	char      b[64], buf[1024];
	fs_claims c, d;
	char     *json;

	(void) state;
	for (int i = 0; i < FS_IDC_SALT_BYTES; i++) {
		salt[i] = (uint8_t) (i + 1);
	}
	fs_idc_commit(idc, salt, idnum, strlen(idnum));
	fs_b64_encode(b, idc, sizeof(idc));
	assert_string_equal(b, want);
	salt[0] ^= 1;
	fs_idc_commit(idc, salt, idnum, strlen(idnum));
	fs_b64_encode(b, idc, sizeof(idc));
	assert_string_not_equal(b, want);

	// Round trip on an attest consent; absent, it stays absent.
	sample(&c);
	c.scope   = FS_SCOPE_ATTEST;
	c.has_idc = true;
	memcpy(c.idc, idc, sizeof(idc));
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_OK);
	assert_non_null(strstr(json, "\"idc\":\""));
	assert_int_equal(decode_str(&d, json), FS_OK);
	assert_true(d.has_idc);
	assert_memory_equal(d.idc, idc, sizeof(idc));
	assert_memory_equal(&c, &d, sizeof(c));
	free(json);
	assert_int_equal(decode_str(&d, sample_json), FS_OK);
	assert_false(d.has_idc);

	// On another scope it is refused both ways.
	c.scope = FS_SCOPE_SCORE;
	assert_int_equal(fs_claims_encode(&json, NULL, &c), FS_ERR_INVALID);
	snprintf(buf, sizeof(buf), "%.*s,\"idc\":\"%s\"}",
	    (int) strlen(sample_json) - 1, sample_json, want);
	assert_int_equal(decode_str(&d, buf), FS_ERR_MALFORMED);
	assert_int_equal(decode_with("scope", "\"attest\""), FS_OK);
	snprintf(buf, sizeof(buf), "\"attest\",\"idc\":\"%s\"", want);
	assert_int_equal(decode_with("scope", buf), FS_OK);
	// Not 32 bytes, not a string, padded.
	assert_int_equal(
	    decode_with("scope", "\"attest\",\"idc\":\"q6urq6ur\""),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    decode_with("scope", "\"attest\",\"idc\":1"), FS_ERR_TYPE);
	snprintf(buf, sizeof(buf), "\"attest\",\"idc\":\"%s=\"", want);
	assert_int_equal(decode_with("scope", buf), FS_ERR_MALFORMED);
}

static void
test_claims_check_times(void **state)
{
	fs_claims c;

	(void) state;
	sample(&c);
	c.nbf = NOW + 60;
	assert_int_equal(fs_claims_check(&c, NOW + 60, 0), FS_OK);
	assert_int_equal(
	    fs_claims_check(&c, NOW + 59, 0), FS_ERR_NOT_YET_VALID);
	assert_int_equal(fs_claims_check(&c, NOW, 60), FS_OK);
	assert_int_equal(
	    fs_claims_check(&c, NOW - 1, 60), FS_ERR_NOT_YET_VALID);
	assert_int_equal(fs_claims_check(&c, c.exp - 1, 0), FS_OK);
	assert_int_equal(fs_claims_check(&c, c.exp, 0), FS_ERR_EXPIRED);
	assert_int_equal(fs_claims_check(&c, c.exp + 299, 300), FS_OK);
	assert_int_equal(fs_claims_check(&c, c.exp + 300, 300), FS_ERR_EXPIRED);
	assert_int_equal(
	    fs_claims_check(&c, INT64_MAX, FS_SKEW_MAX), FS_ERR_EXPIRED);
	assert_int_equal(
	    fs_claims_check(&c, INT64_MIN, FS_SKEW_MAX), FS_ERR_NOT_YET_VALID);
	// Issued in the future.
	c.nbf = NOW - 60;
	assert_int_equal(
	    fs_claims_check(&c, NOW - 30, 0), FS_ERR_NOT_YET_VALID);
	assert_int_equal(fs_claims_check(&c, NOW - 30, 30), FS_OK);
	assert_int_equal(fs_claims_check(&c, NOW, -1), FS_ERR_INVALID);
	assert_int_equal(
	    fs_claims_check(&c, NOW, FS_SKEW_MAX + 1), FS_ERR_INVALID);
}

static void
test_footer(void **state)
{
	fs_key *k = key_from_byte(8);
	char    f[FS_FOOTER_LEN + 1];
	char    pid[FS_PASERK_PID_LEN + 1];
	char    buf[FS_FOOTER_MAX_LEN + 2];
	uint8_t kid[FS_KID_BYTES];

	(void) state;
	fs_footer_encode(f, fs_key_public(k)->kid);
	fs_paserk_pid(pid, fs_key_public(k)->pk);
	snprintf(buf, sizeof(buf), "{\"kid\":\"%s\"}", pid);
	assert_string_equal(f, buf);
	assert_int_equal(strlen(f), FS_FOOTER_LEN);
	assert_int_equal(fs_footer_decode(kid, f, strlen(f)), FS_OK);
	assert_memory_equal(kid, fs_key_public(k)->kid, FS_KID_BYTES);
	snprintf(buf, sizeof(buf), " { \"kid\" : \"%s\" } ", pid);
	assert_int_equal(fs_footer_decode(kid, buf, strlen(buf)), FS_OK);

	// Not a k4.pid, another key, a duplicate, not an object.
	strcpy(
	    buf, "{\"kid\":\"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haN\"}");
	assert_int_equal(
	    fs_footer_decode(kid, buf, strlen(buf)), FS_ERR_VERSION);
	snprintf(buf, sizeof(buf), "{\"kid\":\"%s\"}",
	    "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(fs_footer_decode(kid, buf, strlen(buf)), FS_ERR_TYPE);
	snprintf(buf, sizeof(buf), "{\"kid\":\"%s\",\"wpk\":\"x\"}", pid);
	assert_int_equal(
	    fs_footer_decode(kid, buf, strlen(buf)), FS_ERR_MALFORMED);
	snprintf(buf, sizeof(buf), "{\"kid\":\"%s\",\"kid\":\"%s\"}", pid, pid);
	assert_int_equal(
	    fs_footer_decode(kid, buf, strlen(buf)), FS_ERR_MALFORMED);
	assert_int_equal(fs_footer_decode(kid, "{\"kid\":1}", 9), FS_ERR_TYPE);
	assert_int_equal(fs_footer_decode(kid, "{}", 2), FS_ERR_MALFORMED);
	assert_int_equal(fs_footer_decode(kid, "", 0), FS_ERR_MALFORMED);
	assert_int_equal(fs_footer_decode(kid, "\"kid\"", 5), FS_ERR_TYPE);
	memset(buf, ' ', FS_FOOTER_MAX_LEN + 1);
	assert_int_equal(fs_footer_decode(kid, buf, FS_FOOTER_MAX_LEN + 1),
	    FS_ERR_TOO_LARGE);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_roundtrip),
		cmocka_unit_test(test_claims_not_object),
		cmocka_unit_test(test_claims_duplicate_keys),
		cmocka_unit_test(test_claims_wrong_types),
		cmocka_unit_test(test_claims_bad_values),
		cmocka_unit_test(test_claims_bounds),
		cmocka_unit_test(test_claims_idc),
		cmocka_unit_test(test_claims_jti_not_option),
		cmocka_unit_test(test_claims_check_times),
		cmocka_unit_test(test_footer),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

// SPDX-License-Identifier: Apache-2.0
//
// test_token.c -- consent tokens: RFC 3339 times, strict claims (not an
// object, duplicate keys, wrong types, deep nesting, unknown scope), the
// kid footer, and the errors fs_token_verify reports (expired, not yet
// valid, wrong key, wrong region, forged).

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "crypto/paseto.h"
#include "tests/keys.h"
#include "wire/revocations.h"
#include "wire/token.h"

#define NOW INT64_C(1795428000) // 2026-11-23T10:00:00Z

static void
test_time_rfc3339(void **state)
{
	static const struct {
		const char *s;
		int64_t     t;
	} good[] = {
		{ "2026-11-23T10:00:00Z", NOW },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2000-02-29T23:59:59Z", 951868799 },
		{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
		{ "0000-01-01T00:00:00Z", INT64_C(-62167219200) },
		{ "2026-11-23T18:00:00+08:00", NOW },
		{ "2026-11-23T09:30:00-00:30", NOW },
		{ "2026-11-23T10:00:00.999Z", NOW },
		{ "2026-11-23T10:00:00.123456789+00:00", NOW },
	};
	static const char *bad[] = {
		"2026-11-23t10:00:00Z",
		"2026-11-23T10:00:00z",
		"2026-11-23 10:00:00Z",
		"2026-11-23T10:00:00",
		"2026-02-29T10:00:00Z",
		"1900-02-29T10:00:00Z",
		"2026-11-31T10:00:00Z",
		"2026-13-01T10:00:00Z",
		"2026-11-23T24:00:00Z",
		"2026-11-23T10:60:00Z",
		"2016-12-31T23:59:60Z",
		"2026-11-23T10:00:00.Z",
		"2026-11-23T10:00:00.1234567890Z",
		"2026-11-23T10:00:00+0800",
		"2026-11-23T10:00:00+24:00",
		"+2026-11-23T10:00:00Z",
		"2026-1-23T10:00:00Z",
		"2026-11-23T10:00:00Z ",
		"0000-01-01T00:00:00+00:01",
		"9999-12-31T23:59:59-00:01",
		"2026-11-23T10:00:0xZ",
		"",
	};
	char    s[FS_TIME_LEN + 1];
	int64_t t;

	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(
		    fs_time_parse(&t, good[i].s, strlen(good[i].s)), FS_OK);
		assert_int_equal(t, good[i].t);
		assert_int_equal(fs_time_format(s, good[i].t), FS_OK);
		assert_int_equal(fs_time_parse(&t, s, strlen(s)), FS_OK);
		assert_int_equal(t, good[i].t);
	}
	assert_int_equal(fs_time_format(s, NOW), FS_OK);
	assert_string_equal(s, "2026-11-23T10:00:00Z");
	assert_int_equal(fs_time_format(s, -1), FS_OK);
	assert_string_equal(s, "1969-12-31T23:59:59Z");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		if (fs_time_parse(&t, bad[i], strlen(bad[i]))
		    != FS_ERR_MALFORMED) {
			fail_msg("accepted time \"%s\"", bad[i]);
		}
		assert_int_equal(t, 42);
	}
	assert_int_equal(
	    fs_time_format(s, INT64_C(253402300800)), FS_ERR_INVALID);
	assert_int_equal(fs_time_format(s, INT64_MIN), FS_ERR_INVALID);
}

// sample fills the claims of a test consent: one hour from NOW.
static void
sample(fs_claims *c)
{
	fs_claims_init(c);
	strcpy(c->iss, "issuer.cz");
	memset(c->sub, 0xab, sizeof(c->sub));
	strcpy(c->aud, "bank.example");
	strcpy(c->purpose, "loan");
	c->scope = FS_SCOPE_SCORE;
	c->iat   = NOW;
	c->nbf   = NOW;
	c->exp   = NOW + 3600;
	memset(c->jti, 0x11, sizeof(c->jti));
	strcpy(c->reg, "cz");
}

static const char sample_json[]
    = "{\"aud\":\"bank.example\",\"exp\":\"2026-11-23T11:00:00Z\","
      "\"iat\":\"2026-11-23T10:00:00Z\",\"iss\":\"issuer.cz\","
      "\"jti\":\"EREREREREREREREREREREQ\",\"nbf\":\"2026-11-23T10:00:00Z\","
      "\"purpose\":\"loan\",\"reg\":\"cz\",\"scope\":\"score\","
      "\"sub\":\"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\",\"uses\":1}";

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

// The subject binding: an optional claim of attest consents only, and
// its commitment BLAKE2b-256(key = salt, ID number).
// The issuer's signed revocations: read back, found by jti; refused
// under another key or region, or altered.
static void
test_revocations_note(void **state)
{
	fs_key        *k, *other;
	fs_revocation  r[3] = { 0 };
	fs_revocations rs;
	char          *note, *p;
	const int64_t  t0 = 1795400000;

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);
	for (int i = 0; i < 3; i++) {
		memset(r[i].jti, 3 - i, FS_JTI_BYTES);
		r[i].at = t0 + i;
	}
	assert_int_equal(
	    fs_revocations_sign(&note, k, "yuxi", t0 + 9, r, 3), FS_OK);
	assert_int_equal(
	    strncmp(note, "fedscore.yuxi/revocations\n3\n", 28), 0);
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_OK);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.iat, t0 + 9);
	assert_int_equal(fs_revocations_find(&rs, r[1].jti)->at, t0 + 1);
	assert_int_equal(fs_revocations_find(&rs, r[2].jti)->at, t0 + 2);
	memset(r[0].jti, 9, FS_JTI_BYTES);
	assert_null(fs_revocations_find(&rs, r[0].jti));
	fs_revocations_fini(&rs);
	assert_int_not_equal(fs_revocations_open(&rs, note, strlen(note),
	                         fs_key_public(other), "yuxi"),
	    FS_OK);
	assert_int_not_equal(fs_revocations_open(&rs, note, strlen(note),
	                         fs_key_public(k), "changzhou"),
	    FS_OK);
	// A revocation time moved after the fact.
	p = strstr(note, " 2026-11-23T02:13:21Z");
	assert_non_null(p);
	p[19] = '2'; // 02:13:21 -> 02:13:22
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	free(note);
	// None revoked is a statement too.
	assert_int_equal(
	    fs_revocations_sign(&note, k, "yuxi", t0, NULL, 0), FS_OK);
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_OK);
	assert_int_equal(rs.n, 0);
	assert_null(fs_revocations_find(&rs, r[1].jti));
	fs_revocations_fini(&rs);
	free(note);
	fs_key_free(k);
	fs_key_free(other);
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

static char *
issue(const fs_key *k, const fs_claims *c, const char *region)
{
	char *tok;

	assert_int_equal(fs_token_issue(&tok, k, c, region), FS_OK);
	return (tok);
}

static fs_err
token_verify(const char *tok, const fs_pubkey *pub, const char *region,
    int64_t now, fs_claims *out)
{
	fs_claims c;

	return (fs_token_verify(out != NULL ? out : &c, tok, strlen(tok), pub,
	    region, now, FS_SKEW_DEFAULT));
}

static void
test_token_roundtrip(void **state)
{
	fs_key   *k = key_from_byte(9);
	fs_claims c, d;
	char     *tok, *f, *want;
	char      footer[FS_FOOTER_LEN + 1];
	uint8_t  *msg;
	size_t    mlen;

	(void) state;
	sample(&c);
	c.reg[0] = 0; // filled in from the region
	tok      = issue(k, &c, "cz");
	// The parts: our JSON, the kid footer, the region as assertion.
	assert_int_equal(fs_paseto_verify(&msg, &mlen, tok, strlen(tok),
	                     fs_key_public(k), NULL, (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_string_equal((char *) msg, sample_json);
	free(msg);
	fs_footer_encode(footer, fs_key_public(k)->kid);
	assert_int_equal(fs_paseto_footer(&f, NULL, tok, strlen(tok)), FS_OK);
	assert_string_equal(f, footer);
	free(f);

	memset(&d, 0x55, sizeof(d));
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW, &d), FS_OK);
	strcpy(c.reg, "cz");
	assert_memory_equal(&c, &d, sizeof(c));

	// Deterministic, so a token issued again is the same token.
	want = tok;
	tok  = issue(k, &c, "cz");
	assert_string_equal(tok, want);
	free(tok);
	free(want);

	// The claim "reg" must agree with the region; regions are claim values.
	assert_int_equal(fs_token_issue(&tok, k, &c, "yx"), FS_ERR_INVALID);
	c.reg[0] = 0;
	assert_int_equal(fs_token_issue(&tok, k, &c, ""), FS_ERR_INVALID);
	assert_int_equal(fs_token_issue(&tok, k, &c, "c z"), FS_ERR_INVALID);
	assert_int_equal(fs_token_issue(&tok, k, &c, NULL), FS_ERR_INVALID);
	fs_key_free(k);
}

static void
test_token_times(void **state)
{
	fs_key   *k = key_from_byte(10);
	fs_claims c, d;
	char     *tok;

	(void) state;
	sample(&c);
	c.nbf = NOW + 600;
	tok   = issue(k, &c, "cz");
	memset(&d, 0x55, sizeof(d));
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, &d),
	    FS_ERR_NOT_YET_VALID);
	assert_int_equal(d.uses, 0x55555555); // untouched on failure
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW + 300, NULL), FS_OK);
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW + 3899, NULL), FS_OK);
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW + 3900, NULL),
	    FS_ERR_EXPIRED);
	assert_int_equal(fs_token_verify(&d, tok, strlen(tok), fs_key_public(k),
	                     "cz", NOW + 3600, 0),
	    FS_ERR_EXPIRED);
	assert_int_equal(fs_token_verify(&d, tok, strlen(tok), fs_key_public(k),
	                     "cz", NOW + 3600, -1),
	    FS_ERR_INVALID);
	free(tok);
	fs_key_free(k);
}

static void
test_token_forged(void **state)
{
	fs_key   *k = key_from_byte(11);
	fs_claims c;
	char     *tok;
	size_t    sig;

	(void) state;
	sample(&c);
	tok = issue(k, &c, "cz");
	sig = 10 + strcspn(tok + 10, ".") - 20;
	for (size_t at = 30; at <= sig; at += sig - 30) {
		char saved = tok[at];

		flip(tok, at);
		assert_int_equal(
		    token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
		    FS_ERR_BAD_SIGNATURE);
		tok[at] = saved;
	}
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW, NULL), FS_OK);
	// Form errors come through unchanged.
	assert_int_equal(
	    fs_token_verify(&c, tok, 20, fs_key_public(k), "cz", NOW, 0),
	    FS_ERR_MALFORMED);
	tok[1] = '3';
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_VERSION);
	free(tok);
	fs_key_free(k);
}

static void
test_token_wrong_key(void **state)
{
	fs_key   *k     = key_from_byte(12);
	fs_key   *other = key_from_byte(13);
	fs_claims c;
	char      footer[FS_FOOTER_LEN + 1];
	char     *json, *tok;
	size_t    jlen;

	(void) state;
	sample(&c);
	tok = issue(k, &c, "cz");
	assert_int_equal(
	    token_verify(tok, fs_key_public(other), "cz", NOW, NULL),
	    FS_ERR_WRONG_KEY);
	free(tok);

	// Signed by one key, naming the other in its footer: a forgery.
	assert_int_equal(fs_claims_encode(&json, &jlen, &c), FS_OK);
	fs_footer_encode(footer, fs_key_public(other)->kid);
	assert_int_equal(fs_paseto_sign(&tok, k, (uint8_t *) json, jlen, footer,
	                     (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(
	    token_verify(tok, fs_key_public(other), "cz", NOW, NULL),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_WRONG_KEY);
	free(tok);

	// No footer, or not ours.
	assert_int_equal(fs_paseto_sign(&tok, k, (uint8_t *) json, jlen, NULL,
	                     (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_MALFORMED);
	free(tok);
	assert_int_equal(
	    fs_paseto_sign(&tok, k, (uint8_t *) json, jlen,
	        "{\"kid\":\"k4.lid.x\"}", (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW, NULL), FS_ERR_TYPE);
	free(tok);
	free(json);
	fs_key_free(k);
	fs_key_free(other);
}

static void
test_token_wrong_region(void **state)
{
	fs_key   *k = key_from_byte(14);
	fs_claims c;
	char      footer[FS_FOOTER_LEN + 1];
	char     *json, *tok;
	size_t    jlen;

	(void) state;
	sample(&c);
	strcpy(c.reg, "yx");
	tok = issue(k, &c, "yx");
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "yx", NOW, NULL), FS_OK);
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_WRONG_REGION);
	// Changed, it is a forgery whatever region it names.
	flip(tok, 40);
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);

	fs_footer_encode(footer, fs_key_public(k)->kid);
	// Signed for "cz" but claiming "yx": refused in both.
	assert_int_equal(fs_claims_encode(&json, &jlen, &c), FS_OK);
	assert_int_equal(fs_paseto_sign(&tok, k, (uint8_t *) json, jlen, footer,
	                     (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(token_verify(tok, fs_key_public(k), "cz", NOW, NULL),
	    FS_ERR_WRONG_REGION);
	assert_int_equal(token_verify(tok, fs_key_public(k), "yx", NOW, NULL),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);
	free(json);

	// A signed message that is not claims.
	assert_int_equal(fs_paseto_sign(&tok, k, (const uint8_t *) "[]", 2,
	                     footer, (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(
	    token_verify(tok, fs_key_public(k), "cz", NOW, NULL), FS_ERR_TYPE);
	assert_int_equal(token_verify(tok, fs_key_public(k), "yx", NOW, NULL),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_rfc3339),
		cmocka_unit_test(test_claims_roundtrip),
		cmocka_unit_test(test_claims_not_object),
		cmocka_unit_test(test_claims_duplicate_keys),
		cmocka_unit_test(test_claims_wrong_types),
		cmocka_unit_test(test_claims_bad_values),
		cmocka_unit_test(test_claims_bounds),
		cmocka_unit_test(test_claims_idc),
		cmocka_unit_test(test_claims_jti_not_option),
		cmocka_unit_test(test_revocations_note),
		cmocka_unit_test(test_claims_check_times),
		cmocka_unit_test(test_footer),
		cmocka_unit_test(test_token_roundtrip),
		cmocka_unit_test(test_token_times),
		cmocka_unit_test(test_token_forged),
		cmocka_unit_test(test_token_wrong_key),
		cmocka_unit_test(test_token_wrong_region),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

// SPDX-License-Identifier: Apache-2.0
//
// test_paserk.c -- PASERK k4.public, k4.pid and k4.secret against the
// official vectors, and the strings refused.

#include <jansson.h>
#include <sodium.h>

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
#include "tests/vectors.h"

static void
test_paserk_public_vectors(void **state)
{
	json_t *doc = vec_load("paseto/k4.public.json");
	json_t *t;
	size_t  i, n = 0;

	(void) state;
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		bool     fail = json_is_true(json_object_get(t, "expect-fail"));
		size_t   klen;
		uint8_t *key = vec_hex(
		    json_string_value(json_object_get(t, "key")), &klen);
		fs_pubkey   pub;
		fs_err      rv = fs_pubkey_init(&pub, key, klen);
		char        s[FS_PASERK_PUBLIC_LEN + 1];
		uint8_t     back[FS_PK_BYTES];
		const char *want;

		if (fail) {
			assert_int_equal(rv, FS_ERR_VERSION);
		} else {
			assert_int_equal(rv, FS_OK);
			want = json_string_value(json_object_get(t, "paserk"));
			fs_paserk_public(s, pub.pk);
			assert_string_equal(s, want);
			assert_int_equal(
			    fs_paserk_parse_public(back, want, strlen(want)),
			    FS_OK);
			assert_memory_equal(back, key, FS_PK_BYTES);
		}
		free(key);
		n++;
	}
	assert_true(n >= 4);
	json_decref(doc);
}

static void
test_paserk_pid_vectors(void **state)
{
	json_t *doc = vec_load("paseto/k4.pid.json");
	json_t *t;
	size_t  i, n = 0;

	(void) state;
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		bool     fail = json_is_true(json_object_get(t, "expect-fail"));
		size_t   klen;
		uint8_t *key = vec_hex(
		    json_string_value(json_object_get(t, "key")), &klen);
		fs_pubkey pub;
		fs_err    rv = fs_pubkey_init(&pub, key, klen);
		char      s[FS_PASERK_PID_LEN + 1];

		if (fail) {
			// Keys of the wrong size or version cannot be named.
			assert_int_equal(rv, FS_ERR_VERSION);
		} else {
			const char *want
			    = json_string_value(json_object_get(t, "paserk"));
			uint8_t kid[FS_KID_BYTES];

			assert_int_equal(rv, FS_OK);
			fs_paserk_pid(s, pub.pk);
			assert_string_equal(s, want);
			assert_int_equal(
			    fs_paserk_parse_pid(kid, want, strlen(want)),
			    FS_OK);
			assert_memory_equal(kid, pub.kid, FS_KID_BYTES);
		}
		free(key);
		n++;
	}
	assert_true(n >= 5);
	json_decref(doc);
}

static void
test_paserk_secret_vectors(void **state)
{
	json_t *doc = vec_load("paseto/k4.secret.json");
	json_t *t;
	size_t  i, n = 0;

	(void) state;
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		bool fail = json_is_true(json_object_get(t, "expect-fail"));
		const char *hex = json_string_value(json_object_get(t, "key"));
		const char *want
		    = json_string_value(json_object_get(t, "paserk"));
		size_t   klen;
		uint8_t *key;
		uint8_t *sk;
		fs_key  *k;
		char     s[FS_PASERK_SECRET_LEN + 1];

		if (hex == NULL) {
			continue;
		}
		key = vec_hex(hex, &klen);
		if (fail) {
			// Wrong sizes are not Ed25519 secret keys: a PASERK
			// holding one is refused.
			char enc[256] = "k4.secret.";

			assert_true(klen < 128);
			fs_b64_encode(enc + 10, key, klen);
			assert_int_equal(
			    fs_paserk_parse_secret(&sk, enc, strlen(enc)),
			    FS_ERR_MALFORMED);
		} else {
			assert_int_equal(klen, FS_SK_BYTES);
			assert_int_equal(fs_key_from_secret(&k, key), FS_OK);
			fs_paserk_secret(s, fs_key_secret(k));
			assert_string_equal(s, want);
			assert_int_equal(
			    fs_paserk_parse_secret(&sk, want, strlen(want)),
			    FS_OK);
			assert_memory_equal(sk, key, FS_SK_BYTES);
			sodium_free(sk);
			fs_key_free(k);
		}
		free(key);
		n++;
	}
	assert_true(n >= 3);
	json_decref(doc);
}

static void
test_paserk_parse_refuses(void **state)
{
	uint8_t  pk[FS_PK_BYTES];
	uint8_t *sk;
	char     good[FS_PASERK_PUBLIC_LEN + 1];
	char     bad[FS_PASERK_PUBLIC_LEN + 8];
	fs_key  *k;
	char     sec[FS_PASERK_SECRET_LEN + 1];

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	fs_paserk_public(good, fs_key_public(k)->pk);

	// Another version, another type, padding, truncation.
	strcpy(bad, good);
	bad[1] = '3';
	assert_int_equal(
	    fs_paserk_parse_public(pk, bad, strlen(bad)), FS_ERR_VERSION);
	assert_int_equal(
	    fs_paserk_parse_public(pk, "k4.local.AAAA", 13), FS_ERR_TYPE);
	snprintf(bad, sizeof(bad), "%s=", good);
	assert_int_equal(
	    fs_paserk_parse_public(pk, bad, strlen(bad)), FS_ERR_MALFORMED);
	assert_int_equal(fs_paserk_parse_public(pk, good, strlen(good) - 1),
	    FS_ERR_MALFORMED);
	// Standard base64 alphabet is not base64url.
	strcpy(bad, good);
	bad[12] = '+';
	assert_int_equal(
	    fs_paserk_parse_public(pk, bad, strlen(bad)), FS_ERR_MALFORMED);

	// A secret key whose public half was swapped is refused.
	fs_paserk_secret(sec, fs_key_secret(k));
	sec[FS_PASERK_SECRET_LEN - 5]
	    = sec[FS_PASERK_SECRET_LEN - 5] == 'A' ? 'B' : 'A';
	assert_int_equal(
	    fs_paserk_parse_secret(&sk, sec, strlen(sec)), FS_ERR_WRONG_KEY);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paserk_public_vectors),
		cmocka_unit_test(test_paserk_pid_vectors),
		cmocka_unit_test(test_paserk_secret_vectors),
		cmocka_unit_test(test_paserk_parse_refuses),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

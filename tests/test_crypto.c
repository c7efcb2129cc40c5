// SPDX-License-Identifier: Apache-2.0
//
// test_crypto.c -- keys, PASERK (official vectors), key files, base64url.

#include <jansson.h>
#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void
test_keyfile_roundtrip_and_modes(void **state)
{
	char        dir[] = "/tmp/fs-test-keyfile.XXXXXX";
	char        sec[256], pub[256];
	struct stat st;
	fs_key     *k, *k2;
	fs_pubkey   p;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(sec, sizeof(sec), "%s/k", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_keyfile_write_secret(sec, k, "test key"), FS_OK);
	assert_int_equal(fs_keyfile_write_public(pub, fs_key_public(k)), FS_OK);
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	// Never overwrite.
	assert_int_equal(fs_keyfile_write_secret(sec, k, NULL), FS_ERR_EXISTS);
	assert_int_equal(
	    fs_keyfile_write_public(pub, fs_key_public(k)), FS_ERR_EXISTS);

	assert_int_equal(fs_keyfile_read_secret(&k2, sec), FS_OK);
	assert_memory_equal(
	    fs_key_public(k2)->kid, fs_key_public(k)->kid, FS_KID_BYTES);
	assert_int_equal(fs_keyfile_read_public(&p, pub), FS_OK);
	assert_memory_equal(p.pk, fs_key_public(k)->pk, FS_PK_BYTES);

	// A secret key others can read is refused.
	assert_int_equal(chmod(sec, 0644), 0);
	fs_key_free(k2);
	assert_int_equal(fs_keyfile_read_secret(&k2, sec), FS_ERR_PERMISSION);
	// A public key is not a secret key, nor the other way round.
	assert_int_equal(chmod(sec, 0600), 0);
	assert_int_equal(fs_keyfile_read_public(&p, sec), FS_ERR_TYPE);
	assert_int_equal(fs_keyfile_read_secret(&k2, pub), FS_ERR_PERMISSION);
	assert_int_equal(chmod(pub, 0600), 0);
	assert_int_equal(fs_keyfile_read_secret(&k2, pub), FS_ERR_TYPE);

	unlink(sec);
	unlink(pub);
	rmdir(dir);
	fs_key_free(k);
}

static void
test_b64_strict(void **state)
{
	uint8_t out[8];
	size_t  n;
	char    s[16];

	(void) state;
	fs_b64_encode(s, (const uint8_t *) "\xfb\xff", 2);
	assert_string_equal(s, "-_8");
	assert_int_equal(fs_b64_decode(out, sizeof(out), &n, "-_8", 3), FS_OK);
	assert_int_equal(n, 2);
	// Non-zero trailing bits, padding, one dangling character.
	assert_int_equal(
	    fs_b64_decode(out, sizeof(out), &n, "-_9", 3), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_b64_decode(out, sizeof(out), &n, "-_8=", 4), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_b64_decode(out, sizeof(out), &n, "AAAAA", 5), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_b64_decode(out, 2, &n, "AAAAAA", 6), FS_ERR_TOO_LARGE);
}

static void
test_b64std_strict(void **state)
{
	uint8_t out[8];
	size_t  n;
	char    s[16];

	(void) state;
	fs_b64std_encode(s, (const uint8_t *) "\xfb\xff", 2);
	assert_string_equal(s, "+/8=");
	assert_int_equal(fs_b64std_encoded_len(2), 4);
	assert_int_equal(
	    fs_b64std_decode(out, sizeof(out), &n, "+/8=", 4), FS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "", 0), FS_OK);
	assert_int_equal(n, 0);
	// Non-zero trailing bits, missing or extra padding, base64url.
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "+/9=", 4),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_b64std_decode(out, sizeof(out), &n, "+/8", 3), FS_ERR_MALFORMED);
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "+/8==", 5),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "+/8=AAAA", 8),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "-_8=", 4),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_b64std_decode(out, sizeof(out), &n, "+/8=\n", 5),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_b64std_decode(out, 2, &n, "AAAAAAAA", 8), FS_ERR_TOO_LARGE);
}

static void
test_strerror_covers_every_code(void **state)
{
	(void) state;
	for (int e = 0; e < FS_ERR_NUM; e++) {
		assert_string_not_equal(
		    fs_strerror((fs_err) e), "unknown error");
		assert_string_not_equal(fs_err_name((fs_err) e), "unknown");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paserk_public_vectors),
		cmocka_unit_test(test_paserk_pid_vectors),
		cmocka_unit_test(test_paserk_secret_vectors),
		cmocka_unit_test(test_paserk_parse_refuses),
		cmocka_unit_test(test_keyfile_roundtrip_and_modes),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_b64std_strict),
		cmocka_unit_test(test_strerror_covers_every_code),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

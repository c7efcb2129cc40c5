// SPDX-License-Identifier: Apache-2.0
//
// test_paseto.c -- PASETO v4.public against every official v4 vector, and
// the strict parsing of tokens: forged, truncated, another version,
// padded or non-url base64, oversize.

#include <jansson.h>

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
#include "crypto/paseto.h"
#include "tests/keys.h"
#include "tests/vectors.h"

static const char *
jstr(json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));

	assert_non_null(s);
	return (s);
}

static fs_err
verify_str(const char *tok, const fs_pubkey *pub, const char *footer,
    const char *implicit)
{
	return (fs_paseto_verify(NULL, NULL, tok, strlen(tok), pub, footer,
	    (const uint8_t *) implicit, strlen(implicit)));
}

// The public key of the official 4-S vectors, for verifying the others.
static void
vector_pubkey(fs_pubkey *pub, json_t *doc)
{
	json_t *t;
	size_t  i, klen;

	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		if (json_object_get(t, "public-key") != NULL) {
			uint8_t *pk = vec_hex(jstr(t, "public-key"), &klen);

			assert_int_equal(fs_pubkey_init(pub, pk, klen), FS_OK);
			free(pk);
			return;
		}
	}
	fail_msg("no public key in paseto/v4.json");
}

static void
test_v4_sign_vectors(void **state)
{
	json_t *doc = vec_load("paseto/v4.json");
	json_t *t;
	size_t  i, n = 0;

	(void) state;
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		const char *name = jstr(t, "name");
		const char *want, *payload, *footer, *implicit;
		uint8_t    *sk, *pk, *msg;
		size_t      sklen, pklen, mlen, flen;
		fs_key     *k;
		char       *tok, *f;

		if (strncmp(name, "4-S-", 4) != 0) {
			continue;
		}
		assert_false(json_is_true(json_object_get(t, "expect-fail")));
		sk = vec_hex(jstr(t, "secret-key"), &sklen);
		pk = vec_hex(jstr(t, "public-key"), &pklen);
		assert_int_equal(sklen, FS_SK_BYTES);
		assert_int_equal(fs_key_from_secret(&k, sk), FS_OK);
		assert_memory_equal(fs_key_public(k)->pk, pk, pklen);
		want     = jstr(t, "token");
		payload  = jstr(t, "payload");
		footer   = jstr(t, "footer");
		implicit = jstr(t, "implicit-assertion");

		// Ed25519 is deterministic: the very token of the vector.
		assert_int_equal(
		    fs_paseto_sign(&tok, k, (const uint8_t *) payload,
		        strlen(payload), footer, (const uint8_t *) implicit,
		        strlen(implicit)),
		    FS_OK);
		assert_string_equal(tok, want);

		assert_int_equal(
		    fs_paseto_verify(&msg, &mlen, want, strlen(want),
		        fs_key_public(k), footer, (const uint8_t *) implicit,
		        strlen(implicit)),
		    FS_OK);
		assert_int_equal(mlen, strlen(payload));
		assert_string_equal((char *) msg, payload);
		free(msg);
		// Any footer, when none is expected; the footer read back.
		assert_int_equal(
		    verify_str(want, fs_key_public(k), NULL, implicit), FS_OK);
		assert_int_equal(
		    fs_paseto_footer(&f, &flen, want, strlen(want)), FS_OK);
		assert_int_equal(flen, strlen(footer));
		assert_string_equal(f, footer);
		free(f);
		// Another implicit assertion or footer is refused.
		assert_int_equal(
		    verify_str(want, fs_key_public(k), footer, "x"),
		    FS_ERR_BAD_SIGNATURE);
		assert_int_equal(
		    verify_str(want, fs_key_public(k), "{}", implicit),
		    FS_ERR_FOOTER);

		free(tok);
		free(sk);
		free(pk);
		fs_key_free(k);
		n++;
	}
	assert_int_equal(n, 3);
	json_decref(doc);
}

// 4-F-*: tokens every implementation must refuse.  Those of another
// version or purpose never reach a signature check; the v4.public one was
// signed with a symmetric key, so neither the vectors' public key nor that
// key taken as an Ed25519 key verifies it.
static void
test_v4_fail_vectors(void **state)
{
	json_t   *doc = vec_load("paseto/v4.json");
	json_t   *t;
	fs_pubkey pub;
	size_t    i, n = 0;

	(void) state;
	vector_pubkey(&pub, doc);
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		const char *name = jstr(t, "name");
		const char *tok, *footer, *implicit;
		fs_err      want;

		if (strncmp(name, "4-F-", 4) != 0) {
			continue;
		}
		assert_true(json_is_true(json_object_get(t, "expect-fail")));
		tok      = jstr(t, "token");
		footer   = jstr(t, "footer");
		implicit = jstr(t, "implicit-assertion");
		want     = strncmp(tok, "v4.public.", 10) == 0
		        ? FS_ERR_BAD_SIGNATURE
		        : FS_ERR_VERSION;
		assert_int_equal(verify_str(tok, &pub, footer, implicit), want);
		assert_int_equal(verify_str(tok, &pub, NULL, implicit), want);
		if (json_object_get(t, "key") != NULL) {
			size_t    klen;
			uint8_t  *key = vec_hex(jstr(t, "key"), &klen);
			fs_pubkey wrong;

			assert_int_equal(
			    fs_pubkey_init(&wrong, key, klen), FS_OK);
			assert_int_equal(
			    verify_str(tok, &wrong, footer, implicit), want);
			free(key);
		}
		n++;
	}
	assert_int_equal(n, 5);
	json_decref(doc);
}

// 4-E-*: v4.local (encryption), which fedscore does not implement; a
// v4.public verifier refuses them before looking inside.
static void
test_v4_local_vectors_refused(void **state)
{
	json_t   *doc = vec_load("paseto/v4.json");
	json_t   *t;
	fs_pubkey pub;
	size_t    i, n = 0;
	char     *f;

	(void) state;
	vector_pubkey(&pub, doc);
	json_array_foreach (json_object_get(doc, "tests"), i, t) {
		const char *tok;

		if (strncmp(jstr(t, "name"), "4-E-", 4) != 0) {
			continue;
		}
		tok = jstr(t, "token");
		assert_int_equal(strncmp(tok, "v4.local.", 9), 0);
		assert_int_equal(verify_str(tok, &pub, jstr(t, "footer"),
		                     jstr(t, "implicit-assertion")),
		    FS_ERR_VERSION);
		assert_int_equal(fs_paseto_footer(&f, NULL, tok, strlen(tok)),
		    FS_ERR_VERSION);
		n++;
	}
	assert_int_equal(n, 9);
	json_decref(doc);
}

static void
test_paseto_binary_and_empty(void **state)
{
	fs_key       *k     = key_from_byte(1);
	const uint8_t bin[] = { 0, 1, 2, 0xff, 0 };
	uint8_t      *msg;
	size_t        mlen;
	char         *tok, *f;

	(void) state;
	// An empty message, no footer, no implicit assertion.
	assert_int_equal(
	    fs_paseto_sign(&tok, k, NULL, 0, NULL, NULL, 0), FS_OK);
	assert_null(strchr(tok + 10, '.'));
	assert_int_equal(fs_paseto_verify(&msg, &mlen, tok, strlen(tok),
	                     fs_key_public(k), "", NULL, 0),
	    FS_OK);
	assert_int_equal(mlen, 0);
	assert_int_equal(msg[0], 0);
	free(msg);
	assert_int_equal(fs_paseto_footer(&f, NULL, tok, strlen(tok)), FS_OK);
	assert_string_equal(f, "");
	free(f);
	free(tok);

	// Bytes with NULs come back whole.
	assert_int_equal(
	    fs_paseto_sign(&tok, k, bin, sizeof(bin), "", bin, 3), FS_OK);
	assert_int_equal(fs_paseto_verify(&msg, &mlen, tok, strlen(tok),
	                     fs_key_public(k), NULL, bin, 3),
	    FS_OK);
	assert_int_equal(mlen, sizeof(bin));
	assert_memory_equal(msg, bin, sizeof(bin));
	free(msg);
	free(tok);
	fs_key_free(k);
}

static void
test_paseto_forged(void **state)
{
	fs_key *k     = key_from_byte(2);
	fs_key *other = key_from_byte(3);
	char   *tok;
	size_t  dot;

	(void) state;
	assert_int_equal(fs_paseto_sign(&tok, k, (const uint8_t *) "{\"a\":1}",
	                     7, "{\"kid\":\"x\"}", (const uint8_t *) "cz", 2),
	    FS_OK);
	dot = (size_t) (strchr(tok + 10, '.') - tok);
	assert_int_equal(verify_str(tok, fs_key_public(k), NULL, "cz"), FS_OK);
	assert_int_equal(verify_str(tok, fs_key_public(other), NULL, "cz"),
	    FS_ERR_BAD_SIGNATURE);

	// One character changed in the message, the signature, the footer.
	const size_t at[] = { 12, dot - 10, dot + 3 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char saved = tok[at[i]];

		flip(tok, at[i]);
		assert_int_equal(verify_str(tok, fs_key_public(k), NULL, "cz"),
		    FS_ERR_BAD_SIGNATURE);
		tok[at[i]] = saved;
	}
	assert_int_equal(verify_str(tok, fs_key_public(k), NULL, "cz"), FS_OK);
	free(tok);
	fs_key_free(k);
	fs_key_free(other);
}

// Every bit of message and signature matters: a token re-encoded with one
// bit flipped, at every byte, is refused.
static void
test_paseto_bit_flips(void **state)
{
	fs_key    *k = key_from_byte(2);
	const char msg[]
	    = "{\"sub\":\"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\"}";
	uint8_t body[sizeof(msg) - 1 + FS_SIG_BYTES];
	char    tok[10 + 2 * sizeof(body) + 32] = "v4.public.";
	char   *good;
	size_t  n;

	(void) state;
	assert_int_equal(fs_paseto_sign(&good, k, (const uint8_t *) msg,
	                     sizeof(msg) - 1, NULL, (const uint8_t *) "cz", 2),
	    FS_OK);
	assert_int_equal(
	    fs_b64_decode(body, sizeof(body), &n, good + 10, strlen(good) - 10),
	    FS_OK);
	assert_int_equal(n, sizeof(body));
	for (size_t i = 0; i < sizeof(body); i++) {
		body[i] ^= (uint8_t) (1u << (i % 8));
		fs_b64_encode(tok + 10, body, sizeof(body));
		assert_int_equal(verify_str(tok, fs_key_public(k), NULL, "cz"),
		    FS_ERR_BAD_SIGNATURE);
		body[i] ^= (uint8_t) (1u << (i % 8));
	}
	fs_b64_encode(tok + 10, body, sizeof(body));
	assert_string_equal(tok, good);
	assert_int_equal(verify_str(tok, fs_key_public(k), NULL, "cz"), FS_OK);
	free(good);
	fs_key_free(k);
}

static void
test_paseto_truncated(void **state)
{
	fs_key *k                     = key_from_byte(4);
	char    tok[256]              = "v4.public.";
	uint8_t sig[FS_SIG_BYTES - 1] = { 0 };
	char   *good;

	(void) state;
	assert_int_equal(
	    verify_str("", fs_key_public(k), NULL, ""), FS_ERR_TRUNCATED);
	assert_int_equal(
	    verify_str("v4.pub", fs_key_public(k), NULL, ""), FS_ERR_TRUNCATED);
	assert_int_equal(verify_str("v4.public.", fs_key_public(k), NULL, ""),
	    FS_ERR_TRUNCATED);
	// One byte short of a signature.
	fs_b64_encode(tok + 10, sig, sizeof(sig));
	assert_int_equal(
	    verify_str(tok, fs_key_public(k), NULL, ""), FS_ERR_TRUNCATED);
	// Cut by a whole quantum: 66 bytes become 63, 69 become 66.
	assert_int_equal(
	    fs_paseto_sign(&good, k, (const uint8_t *) "mm", 2, NULL, NULL, 0),
	    FS_OK);
	good[strlen(good) - 4] = 0;
	assert_int_equal(
	    verify_str(good, fs_key_public(k), NULL, ""), FS_ERR_TRUNCATED);
	free(good);
	assert_int_equal(fs_paseto_sign(&good, k, (const uint8_t *) "mmmmm", 5,
	                     NULL, NULL, 0),
	    FS_OK);
	good[strlen(good) - 4] = 0;
	assert_int_equal(
	    verify_str(good, fs_key_public(k), NULL, ""), FS_ERR_BAD_SIGNATURE);
	free(good);
	fs_key_free(k);
}

static void
test_paseto_wrong_version(void **state)
{
	fs_key *k = key_from_byte(5);
	char   *tok;

	(void) state;
	assert_int_equal(
	    fs_paseto_sign(&tok, k, (const uint8_t *) "m", 1, NULL, NULL, 0),
	    FS_OK);
	tok[1] = '3';
	assert_int_equal(
	    verify_str(tok, fs_key_public(k), NULL, ""), FS_ERR_VERSION);
	tok[1] = '4';
	memcpy(tok, "V4", 2);
	assert_int_equal(
	    verify_str(tok, fs_key_public(k), NULL, ""), FS_ERR_VERSION);
	assert_int_equal(
	    verify_str("v4.local.AAAA", fs_key_public(k), NULL, ""),
	    FS_ERR_VERSION);
	assert_int_equal(
	    verify_str("v4.Public.AAAA", fs_key_public(k), NULL, ""),
	    FS_ERR_VERSION);
	assert_int_equal(
	    verify_str("hello", fs_key_public(k), NULL, ""), FS_ERR_VERSION);
	free(tok);
	fs_key_free(k);
}

static void
test_paseto_strict_base64(void **state)
{
	fs_key *k = key_from_byte(6);
	char   *tok;
	char    bad[512];
	size_t  len;

	(void) state;
	// 65 bytes of body: 87 characters, not a multiple of four.
	assert_int_equal(
	    fs_paseto_sign(&tok, k, (const uint8_t *) "m", 1, "f", NULL, 0),
	    FS_OK);
	len = strlen(tok);
	assert_true(len + 4 < sizeof(bad));
	assert_int_equal(verify_str(tok, fs_key_public(k), "f", ""), FS_OK);

	// Padding, on the body or on the footer.
	snprintf(
	    bad, sizeof(bad), "%.*s=.%s", (int) (len - 3), tok, tok + len - 2);
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "%s==", tok);
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	// Standard base64 characters.
	strcpy(bad, tok);
	bad[20] = '+';
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	bad[20] = '/';
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	// Whitespace, a NUL, a dangling character.
	strcpy(bad, tok);
	bad[20] = ' ';
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	memcpy(bad, tok, len);
	bad[20] = 0;
	assert_int_equal(fs_paseto_verify(NULL, NULL, bad, len,
	                     fs_key_public(k), NULL, NULL, 0),
	    FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "%sAAA", tok);
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	// A bare trailing dot (an empty footer), a fourth part.
	snprintf(bad, sizeof(bad), "%.*s", (int) (len - 2), tok);
	assert_int_equal(bad[len - 3], '.');
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "%s.Zg", tok);
	assert_int_equal(
	    verify_str(bad, fs_key_public(k), NULL, ""), FS_ERR_MALFORMED);
	free(tok);
	fs_key_free(k);
}

static void
test_paseto_oversize(void **state)
{
	fs_key  *k   = key_from_byte(7);
	size_t   max = 6072; // 10 + b64(6072 + 64) = 8192 characters
	uint8_t *msg = calloc(1, max + 1);
	char    *tok, *big;

	(void) state;
	assert_non_null(msg);
	assert_int_equal(
	    fs_paseto_sign(&tok, k, msg, max, NULL, NULL, 0), FS_OK);
	assert_int_equal(strlen(tok), FS_PASETO_MAX_LEN);
	assert_int_equal(verify_str(tok, fs_key_public(k), NULL, ""), FS_OK);
	free(tok);
	// One byte more is neither issued nor read.
	assert_int_equal(fs_paseto_sign(&tok, k, msg, max + 1, NULL, NULL, 0),
	    FS_ERR_TOO_LARGE);
	assert_int_equal(
	    fs_paseto_sign(&tok, k, msg, 10, NULL, msg, FS_PASETO_MAX_LEN + 1),
	    FS_ERR_TOO_LARGE);
	// An explicit check, so that the compiler knows big is not NULL.
	if ((big = malloc(FS_PASETO_MAX_LEN + 2)) == NULL) {
		fail();
		return;
	}
	memcpy(big, "v4.public.", 10);
	memset(big + 10, 'A', FS_PASETO_MAX_LEN - 9);
	big[FS_PASETO_MAX_LEN + 1] = 0;
	assert_int_equal(
	    verify_str(big, fs_key_public(k), NULL, ""), FS_ERR_TOO_LARGE);
	free(big);
	free(msg);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_sign_vectors),
		cmocka_unit_test(test_v4_fail_vectors),
		cmocka_unit_test(test_v4_local_vectors_refused),
		cmocka_unit_test(test_paseto_binary_and_empty),
		cmocka_unit_test(test_paseto_forged),
		cmocka_unit_test(test_paseto_bit_flips),
		cmocka_unit_test(test_paseto_truncated),
		cmocka_unit_test(test_paseto_wrong_version),
		cmocka_unit_test(test_paseto_strict_base64),
		cmocka_unit_test(test_paseto_oversize),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

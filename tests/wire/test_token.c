// SPDX-License-Identifier: Apache-2.0
//
// test_token.c -- consent tokens: issued and verified, and the errors
// fs_token_verify reports (expired, not yet valid, wrong key, wrong region,
// forged).

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "tests/keys.h"
#include "tests/wire/claims_sample.h"
#include "wire/token.h"

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

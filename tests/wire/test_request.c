// SPDX-License-Identifier: Apache-2.0
//
// test_request.c -- the requester's signed request and the coordinator's
// signed answers, none of them passing for another.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/request.h"
#include "wire/token.h"

static void
test_request_and_answer_tokens(void **state)
{
	fs_key    *rq, *co, *other;
	fs_request r;
	char      *tok, *ans, *json;
	uint8_t    kid[FS_KID_BYTES];
	int64_t    now = 1795000000;

	(void) state;
	assert_int_equal(fs_key_generate(&rq), FS_OK);
	assert_int_equal(fs_key_generate(&co), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);
	assert_int_equal(
	    fs_request_sign(&tok, rq, "v4.public.consent", "tier", "yuxi", now),
	    FS_OK);
	assert_int_equal(fs_token_kid(kid, tok, strlen(tok)), FS_OK);
	assert_memory_equal(kid, fs_key_public(rq)->kid, FS_KID_BYTES);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi", now + 10, 300),
	    FS_OK);
	assert_string_equal(r.consent, "v4.public.consent");
	assert_string_equal(r.scope, "tier");
	assert_int_equal(r.iat, now);
	// Another region, another key, a stale request.
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "changzhou", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(other), "yuxi", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi", now + 301, 300),
	    FS_ERR_CLOCK_SKEW);
	// A request is not an answer, nor the other way round.
	assert_int_equal(fs_answer_verify(&json, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(
	    fs_answer_sign(&ans, co, "{\"score\":1}", "yuxi"), FS_OK);
	assert_int_equal(fs_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_OK);
	assert_string_equal(json, "{\"score\":1}");
	free(json);
	assert_int_equal(fs_request_verify(&r, ans, strlen(ans),
	                     fs_key_public(co), "yuxi", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	// Nor does a lookup answer pass for a recognition's, or back.
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	free(ans);
	assert_int_equal(fs_recognition_answer_sign(
	                     &ans, co, "{\"recognized\":true}", "yuxi"),
	    FS_OK);
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_OK);
	assert_string_equal(json, "{\"recognized\":true}");
	free(json);
	assert_int_equal(fs_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "changzhou"),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);
	free(ans);
	fs_key_free(rq);
	fs_key_free(co);
	fs_key_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_and_answer_tokens),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

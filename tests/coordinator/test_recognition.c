// SPDX-License-Identifier: Apache-2.0
//
// test_recognition.c -- the body of a recognition request: exactly the
// attestation, never the ID number or the salt.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/err.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"

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
		cmocka_unit_test(test_recognition_body),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

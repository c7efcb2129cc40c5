// SPDX-License-Identifier: Apache-2.0
//
// test_pseudonym.c -- pseudonyms of a subject and keys of a behavior from
// an OPRF output, against values computed independently.

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
#include "tests/vectors.h"

#define OB FS_OPRF_OUTPUT_BYTES

static void
test_pseudonyms(void **state)
{
	// y is the first OPRF output of the mode 0 vectors; the expected
	// values come from Python's hashlib.blake2b(digest_size=32, key=y).
	static const char y_hex[]
	    = "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
	      "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf"
	      "6";
	static const char subject_hex[] = "050484e8742f2927a2523048b7603aca70a1"
	                                  "3e3478036eb1fbc3049028d6bd0a";
	static const char behavior_hex[] = "631f1a59f10b980bc7a0c887732f6dd0d1a"
	                                   "94b0ba8a75f48d5fdd02675c7e566";
	static const char key_hex[] = "17366e08e5f4c8dbb3005c8355de9a6a32b2ac9b"
	                              "eb037e8fb006f13f26986797";
	size_t            n;
	uint8_t          *y = vec_hex(y_hex, &n), *want;
	uint8_t           out[FS_PSEUDONYM_BYTES], base[FS_PSEUDONYM_BYTES];

	(void) state;
	assert_int_equal(n, OB);
	fs_pseudonym_subject(out, y);
	want = vec_hex(subject_hex, &n);
	assert_memory_equal(out, want, n);
	free(want);
	fs_pseudonym_behavior_base(base, y);
	want = vec_hex(behavior_hex, &n);
	assert_memory_equal(base, want, n);
	free(want);
	fs_behavior_key(out, base, "GA-2024-000123", 14);
	want = vec_hex(key_hex, &n);
	assert_memory_equal(out, want, n);
	free(want);
	free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pseudonyms),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

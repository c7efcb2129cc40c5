// SPDX-License-Identifier: Apache-2.0
//
// test_b64.c -- base64url and standard base64, both strict: no padding
// where none belongs, no stray bits, no other alphabet.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/b64.h"
#include "common/err.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_b64std_strict),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

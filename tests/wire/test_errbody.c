// SPDX-License-Identifier: Apache-2.0
//
// test_errbody.c -- error bodies: the code and a detail cut to size, and
// truncation refused.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/envelope.h"

static void
test_error_body(void **state)
{
	uint8_t *buf;
	size_t   len;
	fs_err   code;
	char     detail[8];

	(void) state;
	assert_int_equal(fs_error_body_encode(FS_ERR_REVOKED,
	                     "token revoked\x01 at seq 7", &buf, &len),
	    FS_OK);
	assert_int_equal(
	    fs_error_body_decode(buf, len, &code, detail, sizeof(detail)),
	    FS_OK);
	assert_int_equal(code, FS_ERR_REVOKED);
	assert_string_equal(detail, "token r");
	assert_int_equal(
	    fs_error_body_decode(buf, len - 1, &code, detail, sizeof(detail)),
	    FS_ERR_TRUNCATED);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_body),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

// SPDX-License-Identifier: Apache-2.0
//
// test_err.c -- every error code has a message and a name.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"

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
		cmocka_unit_test(test_strerror_covers_every_code),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

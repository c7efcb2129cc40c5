// SPDX-License-Identifier: Apache-2.0
//
// test_rfc3339.c -- RFC 3339 times: parsed strictly, formatted back, and
// the range of years 0000 to 9999.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/rfc3339.h"

#define NOW INT64_C(1795428000) // 2026-11-23T10:00:00Z

static void
test_time_rfc3339(void **state)
{
	static const struct {
		const char *s;
		int64_t     t;
	} good[] = {
		{ "2026-11-23T10:00:00Z", NOW },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2000-02-29T23:59:59Z", 951868799 },
		{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
		{ "0000-01-01T00:00:00Z", INT64_C(-62167219200) },
		{ "2026-11-23T18:00:00+08:00", NOW },
		{ "2026-11-23T09:30:00-00:30", NOW },
		{ "2026-11-23T10:00:00.999Z", NOW },
		{ "2026-11-23T10:00:00.123456789+00:00", NOW },
	};
	static const char *bad[] = {
		"2026-11-23t10:00:00Z",
		"2026-11-23T10:00:00z",
		"2026-11-23 10:00:00Z",
		"2026-11-23T10:00:00",
		"2026-02-29T10:00:00Z",
		"1900-02-29T10:00:00Z",
		"2026-11-31T10:00:00Z",
		"2026-13-01T10:00:00Z",
		"2026-11-23T24:00:00Z",
		"2026-11-23T10:60:00Z",
		"2016-12-31T23:59:60Z",
		"2026-11-23T10:00:00.Z",
		"2026-11-23T10:00:00.1234567890Z",
		"2026-11-23T10:00:00+0800",
		"2026-11-23T10:00:00+24:00",
		"+2026-11-23T10:00:00Z",
		"2026-1-23T10:00:00Z",
		"2026-11-23T10:00:00Z ",
		"0000-01-01T00:00:00+00:01",
		"9999-12-31T23:59:59-00:01",
		"2026-11-23T10:00:0xZ",
		"",
	};
	char    s[FS_TIME_LEN + 1];
	int64_t t;

	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(
		    fs_time_parse(&t, good[i].s, strlen(good[i].s)), FS_OK);
		assert_int_equal(t, good[i].t);
		assert_int_equal(fs_time_format(s, good[i].t), FS_OK);
		assert_int_equal(fs_time_parse(&t, s, strlen(s)), FS_OK);
		assert_int_equal(t, good[i].t);
	}
	assert_int_equal(fs_time_format(s, NOW), FS_OK);
	assert_string_equal(s, "2026-11-23T10:00:00Z");
	assert_int_equal(fs_time_format(s, -1), FS_OK);
	assert_string_equal(s, "1969-12-31T23:59:59Z");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		if (fs_time_parse(&t, bad[i], strlen(bad[i]))
		    != FS_ERR_MALFORMED) {
			fail_msg("accepted time \"%s\"", bad[i]);
		}
		assert_int_equal(t, 42);
	}
	assert_int_equal(
	    fs_time_format(s, INT64_C(253402300800)), FS_ERR_INVALID);
	assert_int_equal(fs_time_format(s, INT64_MIN), FS_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_rfc3339),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

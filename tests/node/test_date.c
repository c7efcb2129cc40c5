// SPDX-License-Identifier: Apache-2.0
//
// test_date.c -- dates, working days with holidays and make-up working
// days, and the normal form of event references.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"

static void
test_dates(void **state)
{
	char   out[FS_DATE_LEN + 1];
	fs_day v;

	(void) state;
	assert_int_equal(d("1970-01-01"), 0);
	assert_int_equal(d("2024-03-01") - d("2024-02-28"), 2); // leap
	fs_date_format(out, d("2026-11-23"));
	assert_string_equal(out, "2026-11-23");
	assert_int_equal(fs_date_parse(&v, "2023-02-29", 10), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024-13-01", 10), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024-1-01", 9), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024/01/01", 10), FS_ERR_MALFORMED);
	// 2026-11-23T20:00:00Z is 2026-11-24 in China.
	assert_int_equal(fs_today(1795464000), d("2026-11-24"));
}

static void
test_workdays_skip_weekends_and_holidays(void **state)
{
	fs_day      hol[] = { d("2025-10-01"), d("2025-10-02"), d("2025-10-03"),
		     d("2025-10-06"), d("2025-10-07"), d("2025-10-08") };
	fs_day      work[] = { d("2025-09-28"), d("2025-10-11") };
	fs_holidays h      = { .days = hol, .n = 6 };
	fs_holidays h2     = { .days = hol, .n = 6, .work = work, .nwork = 2 };
	char        dir[]  = "/tmp/fs-hol-XXXXXX", p[64], why[FS_WHY_MAX];
	fs_holidays l;

	(void) state;
	// Friday + 3 working days = Wednesday.
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-20"), 3), d("2026-11-25"));
	// Received on a Saturday: the count starts on Monday.
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-21"), 1), d("2026-11-23"));
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-20"), 15), d("2026-12-11"));
	// National Day week: received 2025-09-30, flag due on the 3rd
	// working day after 1-8 October.
	assert_int_equal(
	    fs_workdays_add(&h, d("2025-09-30"), 3), d("2025-10-13"));
	assert_false(fs_workday(&h, d("2025-10-06")));
	assert_true(fs_workday(&h, d("2025-10-09")));
	// With the make-up working days (调休) of that year: Saturday 11
	// October is worked, and is the third working day.
	assert_true(fs_workday(&h2, d("2025-10-11")));
	assert_false(fs_workday(&h2, d("2025-10-12")));
	assert_int_equal(
	    fs_workdays_add(&h2, d("2025-09-30"), 3), d("2025-10-11"));
	// The file: holidays, then "work" days; a weekday marked work or
	// another word is refused with its line.
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/h.txt", dir);
	put(p,
	    "# 2025 National Day\n2025-09-28 work\n2025-10-01\n"
	    "2025-10-02\n 2025-10-03 \n2025-10-06\n2025-10-07\n"
	    "2025-10-08\n2025-10-11   work\n\n");
	assert_int_equal(fs_holidays_load(&l, p, why, sizeof(why)), FS_OK);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.nwork, 2);
	assert_int_equal(
	    fs_workdays_add(&l, d("2025-09-30"), 3), d("2025-10-11"));
	fs_holidays_fini(&l);
	put(p, "2025-10-01\n2025-10-09 work\n");
	assert_int_equal(
	    fs_holidays_load(&l, p, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "h.txt:2: expected 'work' on a Saturday"));
	put(p, "2025-10-11 off\n");
	assert_int_equal(
	    fs_holidays_load(&l, p, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "h.txt:1: expected a date YYYY-MM-DD"));
	unlink(p);
	rmdir(dir);
}

static void
test_event_ref_normal_form(void **state)
{
	char   out[64];
	size_t len;

	(void) state;
	assert_int_equal(fs_event_ref_normalize(out, &len,
	                     "\xef\xbc\x88"
	                     "2024\xef\xbc\x89 su 1\xe3\x80\x80号",
	                     strlen("\xef\xbc\x88"
	                            "2024\xef\xbc\x89 su "
	                            "1\xe3\x80\x80号")),
	    FS_OK);
	assert_string_equal(out, "(2024)SU1号");
	assert_int_equal(
	    fs_event_ref_normalize(out, &len, "\xe3\x80\x94x\xe3\x80\x95", 7),
	    FS_OK);
	assert_string_equal(out, "(X)");
	assert_int_equal(
	    fs_event_ref_normalize(out, &len, "\xff", 1), FS_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_workdays_skip_weekends_and_holidays),
		cmocka_unit_test(test_event_ref_normal_form),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

// SPDX-License-Identifier: Apache-2.0
//
// test_idnum.c -- GB 11643-1999 citizen ID numbers: valid numbers (check
// characters computed independently), normalization, and a refusal with
// its message for each part.

#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/idnum.h"

// 2024-06-15 12:00 UTC, 20:00 in China.
#define NOW ((time_t) 1718452800)

static void
accepts(const char *in, const char *want, time_t now)
{
	char out[FS_IDNUM_LEN + 1];
	char why[256] = "";

	if (fs_idnum_normalize(out, in, strlen(in), now, why, sizeof(why))
	    != FS_OK) {
		fail_msg("refused \"%s\": %s", in, why);
	}
	assert_string_equal(out, want);
}

// refuses checks that in is refused with a message containing part, that
// the message never holds the number, and that out is left alone.
static void
refuses(const char *in, const char *part, time_t now)
{
	char out[FS_IDNUM_LEN + 1];
	char why[256] = "";

	memset(out, '#', sizeof(out));
	assert_int_equal(
	    fs_idnum_normalize(out, in, strlen(in), now, why, sizeof(why)),
	    FS_ERR_ID_NUMBER);
	if (strstr(why, part) == NULL) {
		fail_msg("message for \"%s\" is \"%s\", without \"%s\"", in,
		    why, part);
	}
	if (strlen(in) >= 17) {
		char head[18];

		memcpy(head, in, 17);
		head[17] = '\0';
		assert_null(strstr(why, head));
	}
	for (size_t i = 0; i < sizeof(out); i++) {
		assert_int_equal(out[i], '#');
	}
}

static void
test_valid_numbers(void **state)
{
	static const char *valid[] = {
		"11010519491231002X", // the textbook example
		"440304200002291236", // 2000 is a leap year (divisible by 400)
		"650102190001010016", // the earliest birth date accepted
		"510107200111111114",
		"820000199602290046", // Macao residents' residence permit
		"830000202001010105", // Taiwan residents' residence permit
		"110105202406150024", // born today
	};

	(void) state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		accepts(valid[i], valid[i], NOW);
	}
}

static void
test_normalization(void **state)
{
	(void) state;
	accepts("11010519491231002x", "11010519491231002X", NOW);
	accepts("  \t11010519491231002x\r\n", "11010519491231002X", NOW);
	// The ideographic space that Chinese input methods type.
	accepts("\xe3\x80\x80"
	        "11010519491231002X\xe3\x80\x80",
	    "11010519491231002X", NOW);
	// Only the check character may be a letter, lowercase or not.
	refuses("1101051949123100x2",
	    "character 17: expected a digit, found 'x'", NOW);
	// Inner spaces are not trimmed.
	refuses("110105 19491231002X", "expected 18 characters, found 19", NOW);
	// A full-width digit.
	refuses("1101051949123100\xef\xbc\x92X",
	    "character 17: expected an ASCII digit", NOW);
}

static void
test_length_and_characters(void **state)
{
	char out[FS_IDNUM_LEN + 1];

	(void) state;
	refuses("", "expected 18 characters, found 0", NOW);
	refuses("   ", "expected 18 characters, found 0", NOW);
	refuses("11010519491231002", "expected 18 characters, found 17", NOW);
	refuses("11010519491231002X1", "expected 18 characters, found 19", NOW);
	refuses("110105491231002", "first-generation", NOW);
	refuses("1101051949123100AX",
	    "character 17: expected a digit, found 'A'", NOW);
	refuses("11010519491231002Y",
	    "character 18: expected a digit or X, found 'Y'", NOW);
	refuses("11010519491231002\x01",
	    "character 18: expected a digit or X, found byte 0x01", NOW);
	// No message wanted.
	assert_int_equal(
	    fs_idnum_normalize(out, "1", 1, NOW, NULL, 0), FS_ERR_ID_NUMBER);
	assert_int_equal(
	    fs_idnum_normalize(out, NULL, 0, NOW, NULL, 0), FS_ERR_ID_NUMBER);
}

static void
test_region_code(void **state)
{
	(void) state;
	refuses("990105194912310023",
	    "region code (characters 1-2): expected a province code (11-15, "
	    "21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83), found 99",
	    NOW);
	refuses("000105194912310024", "found 00", NOW);
}

static void
test_birth_date(void **state)
{
	(void) state;
	refuses("110105194913310021",
	    "birth date (characters 7-14): expected a month 01 to 12, found 13",
	    NOW);
	refuses("110105194912000021",
	    "expected a day 01 to 31 for 1949-12, "
	    "found 00",
	    NOW);
	refuses("11010519490132002X",
	    "expected a day 01 to 31 for 1949-01, "
	    "found 32",
	    NOW);
	refuses("110105189912310023",
	    "expected 1900-01-01 or later, found 1899-12-31", NOW);
	refuses("11010520240616002X",
	    "expected no later than today, 2024-06-15, found 2024-06-16", NOW);
	// At 01:00 in China on the 16th it is still the 15th in UTC: the
	// day is China's.
	accepts("11010520240616002X", "11010520240616002X", NOW + 5 * 3600);
	refuses("110105202406170025", "found 2024-06-17", NOW + 5 * 3600);
}

static void
test_february_29(void **state)
{
	(void) state;
	// Leap years: 2000 (divisible by 400), 2024; not 1949, nor 1900
	// (divisible by 100 but not by 400).
	accepts("440304200002291236", "440304200002291236", NOW);
	accepts("110105202402290054", "110105202402290054", NOW);
	refuses("110105194902290029",
	    "expected a day 01 to 28 for 1949-02, found 29", NOW);
	refuses("44030419000229123X",
	    "expected a day 01 to 28 for 1900-02, found 29", NOW);
	accepts("440304190002281234", "440304190002281234", NOW);
}

static void
test_sequence_and_check(void **state)
{
	(void) state;
	refuses("110105194912310003",
	    "sequence number (characters 15-17): expected 001 to 999, found "
	    "000",
	    NOW);
	refuses("110105194912310021",
	    "check character (character 18): expected X for the first 17 "
	    "digits, found 1",
	    NOW);
	refuses("110105194912310020", "expected X", NOW);
	refuses("44030420000229123X", "expected 6", NOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_numbers),
		cmocka_unit_test(test_normalization),
		cmocka_unit_test(test_length_and_characters),
		cmocka_unit_test(test_region_code),
		cmocka_unit_test(test_birth_date),
		cmocka_unit_test(test_february_29),
		cmocka_unit_test(test_sequence_and_check),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

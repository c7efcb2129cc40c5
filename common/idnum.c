// SPDX-License-Identifier: Apache-2.0
//
// idnum.c -- citizen ID numbers of GB 11643-1999: normalization and
// validation, before a number is blinded into a pseudonym.
//
// An ID number has 18 characters:
//   1-6    region code (GB/T 2260) of the place of first registration
//   7-14   birth date, YYYYMMDD
//   15-17  sequence number; odd for men, even for women; never 000
//   18     check character, ISO 7064 MOD 11-2 over the first 17 digits,
//          '0'-'9' or 'X' for ten
// Decisions (see also docs/):
// * Surrounding ASCII whitespace and the ideographic space U+3000, which
//   Chinese input methods type, are trimmed; a lowercase 'x' check
//   character becomes 'X'.  Nothing else is rewritten: a number with
//   inner spaces or full-width digits is refused, not guessed at.
// * The region code is checked at its province level only (without the
//   full GB/T 2260 table, which changes yearly): 11-15, 21-23, 31-37,
//   41-46, 50-54, 61-65, 71 (Taiwan), 81 and 82 (Hong Kong and Macao
//   residents' residence permits), 83 (Taiwan residents' residence
//   permits, issued since 2018 in this format).  Foreigners' permanent
//   residence cards (starting with 9) are not citizen ID numbers.
// * Birth dates run from 1900-01-01 to today in China's time (UTC+8) of
//   the caller's `now`, so that tests can fix the day.
// * Messages name the part and its character positions, what was expected
//   and what was found in that part, never the whole number.

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/idnum.h"

#define CST_OFFSET (8 * 3600) // China Standard Time, no daylight saving

static const char provinces[][3] = { "11", "12", "13", "14", "15", "21", "22",
	"23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
	"45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
	"71", "81", "82", "83" };

#define PROVINCE_LIST "11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83"

static bool
is_space(unsigned char c)
{
	return (c == ' ' || (c >= '\t' && c <= '\r'));
}

// trim narrows [*s, *s + *len) past surrounding whitespace, U+3000 too.
static void
trim(const char **s, size_t *len)
{
	static const char ideo[] = "\xe3\x80\x80"; // U+3000 in UTF-8
	const char       *p = *s, *e = *s + *len;

	for (;;) {
		if (p < e && is_space((unsigned char) *p)) {
			p++;
		} else if (e - p >= 3 && memcmp(p, ideo, 3) == 0) {
			p += 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (e > p && is_space((unsigned char) e[-1])) {
			e--;
		} else if (e - p >= 3 && memcmp(e - 3, ideo, 3) == 0) {
			e -= 3;
		} else {
			break;
		}
	}
	*s   = p;
	*len = (size_t) (e - p);
}

// utf8_chars counts the characters of s, for a length message that
// counts what a person sees.
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		n += ((unsigned char) s[i] & 0xc0) != 0x80;
	}
	return (n);
}

static int
digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

static bool
is_leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
month_days(int y, int m)
{
	static const int days[12]
	    = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return (m == 2 && is_leap(y) ? 29 : days[m - 1]);
}

// check_char is the ISO 7064 MOD 11-2 check character of 17 digits: the
// weights are 2^(17 - i) mod 11.
static char
check_char(const char *s)
{
	static const int w[17]
	    = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int               sum   = 0;

	for (int i = 0; i < 17; i++) {
		sum += (s[i] - '0') * w[i];
	}
	return (map[sum % 11]);
}

static fs_err
check_date(const char *id, time_t now, char *why, size_t whycap)
{
	int       y = digits(id + 6, 4), m = digits(id + 10, 2);
	int       d = digits(id + 12, 2);
	time_t    t = now + CST_OFFSET;
	struct tm today;

	if (m < 1 || m > 12) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "birth date (characters 7-14): expected a month 01 to 12, "
		    "found %02d",
		    m));
	}
	if (d < 1 || d > month_days(y, m)) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "birth date (characters 7-14): expected a day 01 to %02d "
		    "for %04d-%02d, found %02d",
		    month_days(y, m), y, m, d));
	}
	if (y < 1900) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "birth date (characters 7-14): expected 1900-01-01 or "
		    "later, found %04d-%02d-%02d",
		    y, m, d));
	}
	if (gmtime_r(&t, &today) == NULL) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "the current time is out of range"));
	}
	if (y * 10000 + m * 100 + d > (today.tm_year + 1900) * 10000
	        + (today.tm_mon + 1) * 100 + today.tm_mday) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "birth date (characters 7-14): expected no later than "
		    "today, %04d-%02d-%02d, found %04d-%02d-%02d",
		    today.tm_year + 1900, today.tm_mon + 1, today.tm_mday, y, m,
		    d));
	}
	return (FS_OK);
}

fs_err
fs_idnum_normalize(char out[static FS_IDNUM_LEN + 1], const char *in,
    size_t len, time_t now, char *why, size_t whycap)
{
	char   id[FS_IDNUM_LEN + 1];
	char   want;
	size_t i, n;
	fs_err rv;

	if (in == NULL) {
		in  = "";
		len = 0;
	}
	trim(&in, &len);
	n = utf8_chars(in, len);
	if (len == 15 && strspn(in, "0123456789") >= 15) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "length: expected 18 characters, found 15 (a first-"
		    "generation number; the 18-character number replaced it)"));
	}
	if (n == FS_IDNUM_LEN && len != FS_IDNUM_LEN) {
		// Eighteen characters, some of them multi-byte: full-width
		// digits, typically.
		for (i = 0, n = 0; (unsigned char) in[i] < 0x80; i++) {
			n++;
		}
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "character %zu: expected an ASCII digit, found a "
		    "multi-byte character (a full-width digit?)",
		    n + 1));
	}
	if (n != FS_IDNUM_LEN) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "length: expected 18 characters, found %zu", n));
	}
	memcpy(id, in, FS_IDNUM_LEN);
	id[FS_IDNUM_LEN] = '\0';
	if (id[17] == 'x') {
		id[17] = 'X';
	}
	for (i = 0; i < FS_IDNUM_LEN; i++) {
		unsigned char c = (unsigned char) id[i];

		if (c >= '0' && c <= '9') {
			continue;
		}
		if (i == 17 && c == 'X') {
			continue;
		}
		if (c >= 0x21 && c < 0x7f) {
			return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
			    "character %zu: expected a digit%s, found '%c'",
			    i + 1, i == 17 ? " or X" : "", c));
		}
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "character %zu: expected a digit%s, found byte 0x%02x",
		    i + 1, i == 17 ? " or X" : "", c));
	}
	for (i = 0; i < sizeof(provinces) / sizeof(provinces[0]); i++) {
		if (memcmp(id, provinces[i], 2) == 0) {
			break;
		}
	}
	if (i == sizeof(provinces) / sizeof(provinces[0])) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "region code (characters 1-2): expected a province "
		    "code (" PROVINCE_LIST "), found %.2s",
		    id));
	}
	if ((rv = check_date(id, now, why, whycap)) != FS_OK) {
		return (rv);
	}
	if (memcmp(id + 14, "000", 3) == 0) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "sequence number (characters 15-17): expected 001 to "
		    "999, found 000"));
	}
	if ((want = check_char(id)) != id[17]) {
		return (fs_why(why, whycap, FS_ERR_ID_NUMBER,
		    "check character (character 18): expected %c for the "
		    "first 17 digits, found %c (a digit mistyped?)",
		    want, id[17]));
	}
	memcpy(out, id, sizeof(id));
	return (FS_OK);
}

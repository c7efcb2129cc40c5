// SPDX-License-Identifier: Apache-2.0
//
// rfc3339.c -- RFC 3339 date-times to and from Unix seconds, without the C
// library's time zone machinery: civil dates are converted with Howard
// Hinnant's days_from_civil algorithms, exact over the proleptic Gregorian
// calendar, so the result never depends on TZ or on the width of time_t.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "common/err.h"
#include "common/rfc3339.h"

#define DAY 86400

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
#define TIME_MIN INT64_C(-62167219200)
#define TIME_MAX INT64_C(253402300799)

int64_t
fs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t  era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t) doe - 719468);
}

void
fs_civil_from_days(int64_t z, int64_t *yp, unsigned *mp, unsigned *dp)
{
	int64_t  era;
	unsigned doe, yoe, doy, mp0;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp0 = (5 * doy + 2) / 153;
	*dp = doy - (153 * mp0 + 2) / 5 + 1;
	*mp = mp0 < 10 ? mp0 + 3 : mp0 - 9;
	*yp = (int64_t) yoe + era * 400 + (*mp <= 2);
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char mdays[12]
	    = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap ? 29 : mdays[m - 1]);
}

// put_digits writes v as exactly n decimal digits.
static void
put_digits(char *out, int n, unsigned v)
{
	while (n-- > 0) {
		out[n] = (char) ('0' + v % 10);
		v /= 10;
	}
}

fs_err
fs_time_format(char out[static FS_TIME_LEN + 1], int64_t t)
{
	int64_t  days, secs, y;
	unsigned m, d;

	if (t < TIME_MIN || t > TIME_MAX) {
		return (FS_ERR_INVALID);
	}
	days = t / DAY;
	secs = t % DAY;
	if (secs < 0) {
		secs += DAY;
		days--;
	}
	fs_civil_from_days(days, &y, &m, &d);
	put_digits(out, 4, (unsigned) y);
	out[4] = '-';
	put_digits(out + 5, 2, m);
	out[7] = '-';
	put_digits(out + 8, 2, d);
	out[10] = 'T';
	put_digits(out + 11, 2, (unsigned) (secs / 3600));
	out[13] = ':';
	put_digits(out + 14, 2, (unsigned) (secs / 60 % 60));
	out[16] = ':';
	put_digits(out + 17, 2, (unsigned) (secs % 60));
	out[19] = 'Z';
	out[20] = 0;
	return (FS_OK);
}

// digits reads n decimal digits; -1 if any is not one.
static int
digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return (-1);
		}
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

fs_err
fs_time_parse(int64_t *tp, const char *s, size_t len)
{
	int     y, mo, d, h, mi, sec, oh, om;
	size_t  i, f;
	int64_t off = 0;
	int64_t t;

	// date-time = full-date "T" full-time (RFC 3339 section 5.6)
	if (len < FS_TIME_LEN || len > FS_TIME_MAX_LEN) {
		return (FS_ERR_MALFORMED);
	}
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':'
	    || s[16] != ':') {
		return (FS_ERR_MALFORMED);
	}
	y   = digits(s, 4);
	mo  = digits(s + 5, 2);
	d   = digits(s + 8, 2);
	h   = digits(s + 11, 2);
	mi  = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1
	    || (unsigned) d > days_in_month(y, (unsigned) mo) || h < 0 || h > 23
	    || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
		return (FS_ERR_MALFORMED);
	}
	i = 19;
	if (s[i] == '.') {
		for (f = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		}
		if (i == f || i - f > 9) {
			return (FS_ERR_MALFORMED);
		}
	}
	if (i + 1 == len && s[i] == 'Z') {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-')
	    && s[i + 3] == ':') {
		oh = digits(s + i + 1, 2);
		om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59) {
			return (FS_ERR_MALFORMED);
		}
		off = (int64_t) oh * 3600 + om * 60;
		if (s[i] == '-') {
			off = -off;
		}
	} else {
		return (FS_ERR_MALFORMED);
	}
	t = fs_days_from_civil(y, (unsigned) mo, (unsigned) d) * DAY
	    + (int64_t) h * 3600 + mi * 60 + sec - off;
	if (t < TIME_MIN || t > TIME_MAX) {
		return (FS_ERR_MALFORMED);
	}
	*tp = t;
	return (FS_OK);
}

uint64_t
fs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000);
}

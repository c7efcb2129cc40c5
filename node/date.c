// SPDX-License-Identifier: Apache-2.0
//
// date.c -- calendar dates and working days.
//
// Dates are counted in days from 1970-01-01 with the proleptic Gregorian
// calendar (days_from_civil of H. Hinnant), which needs no time zone and
// no libc.  Working days are Monday to Friday minus the holidays of the
// holiday file, plus the make-up working days on weekends of China's
// holiday calendar (调休) it lists.

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "node/node.h"
#include "node/nodeimpl.h"

static bool
leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

fs_err
fs_date_parse(fs_day *d, const char *s, size_t len)
{
	static const unsigned mdays[]
	    = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned v[3]      = { 0 };
	int      widths[3] = { 4, 2, 2 };
	size_t   i         = 0;

	if (len != FS_DATE_LEN || s[4] != '-' || s[7] != '-') {
		return (FS_ERR_MALFORMED);
	}
	for (int f = 0; f < 3; f++) {
		for (int k = 0; k < widths[f]; k++, i++) {
			if (!isdigit((unsigned char) s[i])) {
				return (FS_ERR_MALFORMED);
			}
			v[f] = v[f] * 10 + (unsigned) (s[i] - '0');
		}
		i++; // the '-'
	}
	if (v[0] < 1900 || v[0] > 2999 || v[1] < 1 || v[1] > 12 || v[2] < 1
	    || v[2] > mdays[v[1] - 1] + (v[1] == 2 && leap((int) v[0]))) {
		return (FS_ERR_MALFORMED);
	}
	*d = (fs_day) fs_days_from_civil(v[0], v[1], v[2]);
	return (FS_OK);
}

void
fs_date_format(char out[static FS_DATE_LEN + 1], fs_day d)
{
	int64_t  y;
	unsigned m, dd;

	fs_civil_from_days(d, &y, &m, &dd);
	y = y < 0 ? 0 : y % 10000;
	snprintf(
	    out, FS_DATE_LEN + 1, "%04d-%02u-%02u", (int) y, m % 13, dd % 32);
}

fs_day
fs_today(int64_t now)
{
	int64_t t = now + 8 * 3600;

	return ((fs_day) ((t >= 0 ? t : t - 86399) / 86400));
}

static int
cmp_day(const void *a, const void *b)
{
	fs_day x = *(const fs_day *) a, y = *(const fs_day *) b;

	return ((x > y) - (x < y));
}

// add appends d to a growing array.
static fs_err
add_day(fs_day **days, size_t *n, size_t *cap, fs_day d)
{
	if (*n == *cap) {
		fs_day *nd;

		*cap = *cap == 0 ? 64 : *cap * 2;
		if ((nd = realloc(*days, *cap * sizeof(*nd))) == NULL) {
			return (FS_ERR_NOMEM);
		}
		*days = nd;
	}
	(*days)[(*n)++] = d;
	return (FS_OK);
}

fs_err
fs_holidays_load(fs_holidays *h, const char *path, char *why, size_t whycap)
{
	fs_holidays out = { 0 };
	size_t      cap = 0, wcap = 0;
	char        line[256];
	int         lineno = 0;
	fs_err      rv     = FS_OK;
	FILE       *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whycap, "%s: %s", path, strerror(errno));
		return (FS_ERR_IO);
	}
	while (rv == FS_OK && fgets(line, sizeof(line), f) != NULL) {
		char  *p = line;
		size_t n, dn;
		fs_day d;
		bool   work = false;

		lineno++;
		while (isspace((unsigned char) *p)) {
			p++;
		}
		n = strlen(p);
		while (n > 0 && isspace((unsigned char) p[n - 1])) {
			n--;
		}
		if (n == 0 || *p == '#') {
			continue;
		}
		// "YYYY-MM-DD" or "YYYY-MM-DD work".
		for (dn = 0; dn < n && !isspace((unsigned char) p[dn]); dn++) {
		}
		if (dn < n) {
			size_t w = dn;

			while (w < n && isspace((unsigned char) p[w])) {
				w++;
			}
			work = n - w == 4 && strncmp(p + w, "work", 4) == 0;
		}
		if (fs_date_parse(&d, p, dn) != FS_OK || (dn < n && !work)) {
			snprintf(why, whycap,
			    "%s:%d: expected a date YYYY-MM-DD (a holiday), or "
			    "one followed by 'work' (a weekend day worked), "
			    "found '%.*s'",
			    path, lineno, (int) (n > 40 ? 40 : n), p);
			rv = FS_ERR_CONFIG;
		} else if (work && fs_workday(NULL, d)) {
			snprintf(why, whycap,
			    "%s:%d: expected 'work' on a Saturday or Sunday, "
			    "found it on a weekday, %.*s",
			    path, lineno, (int) dn, p);
			rv = FS_ERR_CONFIG;
		} else if (work) {
			rv = add_day(&out.work, &out.nwork, &wcap, d);
		} else {
			rv = add_day(&out.days, &out.n, &cap, d);
		}
	}
	fclose(f);
	if (rv != FS_OK) {
		fs_holidays_fini(&out);
		return (rv);
	}
	if (out.n > 0) {
		qsort(out.days, out.n, sizeof(*out.days), cmp_day);
	}
	if (out.nwork > 0) {
		qsort(out.work, out.nwork, sizeof(*out.work), cmp_day);
	}
	*h = out;
	return (FS_OK);
}

void
fs_holidays_fini(fs_holidays *h)
{
	if (h != NULL) {
		free(h->days);
		free(h->work);
		h->days  = NULL;
		h->n     = 0;
		h->work  = NULL;
		h->nwork = 0;
	}
}

bool
fs_workday(const fs_holidays *h, fs_day d)
{
	// 1970-01-01 was a Thursday: weekday 0 = Monday.
	int64_t wd = ((int64_t) d % 7 + 7 + 3) % 7;

	if (wd >= 5) {
		return (h != NULL && h->nwork > 0
		    && bsearch(&d, h->work, h->nwork, sizeof(d), cmp_day)
		        != NULL);
	}
	return (h == NULL || h->n == 0
	    || bsearch(&d, h->days, h->n, sizeof(d), cmp_day) == NULL);
}

fs_day
fs_workdays_add(const fs_holidays *h, fs_day from, int n)
{
	fs_day d = from;

	while (n > 0) {
		d++;
		if (fs_workday(h, d)) {
			n--;
		}
	}
	return (d);
}

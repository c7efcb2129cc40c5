// SPDX-License-Identifier: Apache-2.0
//
// log.c -- one line per event on stderr, UTC time first.

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

static fs_log_level max_level = FS_LOG_INFO;

void
fs_log_set_level(fs_log_level level)
{
	max_level = level;
}

void
fs_log(fs_log_level level, const char *who, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char               line[1024];
	char               ts[32];
	struct timespec    now;
	struct tm          tm;
	va_list            ap;
	int                n;

	// FEDSCORE_LOG=debug turns on debug lines (read once).
	static int debug = -1;

	if (debug < 0) {
		const char *e = getenv("FEDSCORE_LOG");

		debug = e != NULL && strcmp(e, "debug") == 0;
	}
	if (level > (debug ? FS_LOG_DEBUG : max_level)) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s: ", ts,
	    now.tv_nsec / 1000000, names[level], who);
	va_start(ap, fmt);
	if (n > 0 && (size_t) n < sizeof(line)) {
		vsnprintf(line + n, sizeof(line) - (size_t) n, fmt, ap);
	}
	va_end(ap);
	// One write per line, so lines from several threads do not mix.
	fprintf(stderr, "%s\n", line);
}

void
fs_hexid(char out[static 17], const uint8_t *bytes)
{
	sodium_bin2hex(out, 17, bytes, 8);
}

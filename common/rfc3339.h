// SPDX-License-Identifier: Apache-2.0
//
// rfc3339.h -- RFC 3339 date-times, civil days and the wall clock.

#ifndef FS_COMMON_RFC3339_H
#define FS_COMMON_RFC3339_H

#include <stddef.h>

#include <stdint.h>

#include "common/err.h"

// Times: RFC 3339 date-times, as PASETO's registered claims use them.
//
// fs_time_format always writes UTC with a "Z" and whole seconds
// ("2026-11-23T10:00:00Z").  fs_time_parse takes the RFC 3339 grammar
// strictly: upper-case "T" and "Z", an optional fraction of up to nine
// digits (dropped: times are whole seconds), "Z" or a numeric offset, which
// is applied.  Leap seconds (":60") and years outside 0000..9999 are
// refused.
#define FS_TIME_LEN     20 // "YYYY-MM-DDTHH:MM:SSZ"
#define FS_TIME_MAX_LEN 35 // with nine fraction digits and an offset
fs_err fs_time_format(char out[static FS_TIME_LEN + 1], int64_t t);
// Days since 1970-01-01 of a date in the proleptic Gregorian calendar,
// and back (H. Hinnant's algorithms); m is 1..12, d 1..31.
int64_t fs_days_from_civil(int64_t y, unsigned m, unsigned d);
void    fs_civil_from_days(int64_t z, int64_t *yp, unsigned *mp, unsigned *dp);
fs_err  fs_time_parse(int64_t *tp, const char *s, size_t len);

// fs_now_ms returns the wall-clock time in milliseconds since the epoch.
uint64_t fs_now_ms(void);

#endif // FS_COMMON_RFC3339_H

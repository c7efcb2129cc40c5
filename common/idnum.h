// SPDX-License-Identifier: Apache-2.0
//
// idnum.h -- citizen ID numbers of GB 11643-1999.

#ifndef FS_COMMON_IDNUM_H
#define FS_COMMON_IDNUM_H

#include <stddef.h>
#include <time.h>

#include "common/err.h"

// Citizen ID numbers (GB 11643-1999), 18 characters: 6-digit region code,
// birth date YYYYMMDD, 3-digit sequence, ISO 7064 MOD 11-2 check
// character.  fs_idnum_normalize trims surrounding whitespace, upper-cases
// the check character 'x' and validates every part, with birth dates from
// 1900-01-01 to the day of now (UTC+8, China's time).  On failure it
// returns FS_ERR_ID_NUMBER and, when why is not NULL, writes there which
// part is wrong, what was expected and what was found (never the whole
// number).
#define FS_IDNUM_LEN 18
fs_err fs_idnum_normalize(char out[static FS_IDNUM_LEN + 1], const char *in,
    size_t len, time_t now, char *why, size_t whycap);

#endif // FS_COMMON_IDNUM_H

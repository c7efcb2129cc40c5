// SPDX-License-Identifier: Apache-2.0
//
// scheme.h -- a region's scoring scheme: scale, base, tiers, purposes.

#ifndef FS_WIRE_SCHEME_H
#define FS_WIRE_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define FS_TIERS_MAX    16
#define FS_PURPOSES_MAX 32
#define FS_LABEL_MAX    64

typedef struct fs_tier {
	char    name[FS_LABEL_MAX + 1];  // machine name, e.g. "excellent"
	char    label[FS_LABEL_MAX + 1]; // as published, e.g. "优秀"
	int64_t min;                     // lower bound, inclusive
} fs_tier;

typedef struct fs_scheme {
	char    id[FS_LABEL_MAX + 1];
	char    version[FS_LABEL_MAX + 1];
	char    name[FS_LABEL_MAX + 1];
	char    region[FS_LABEL_MAX + 1];
	char    hash[17]; // first 8 bytes of BLAKE2b of the file, hex
	int64_t scale_min, scale_max;
	int64_t base;
	int64_t default_valid_days;
	bool    require_all; // refuse unless every node answered (default)
	int64_t deadline_ms;
	size_t  ntiers; // sorted by min, descending
	fs_tier tiers[FS_TIERS_MAX];
	size_t  npurposes;
	char    purposes[FS_PURPOSES_MAX][FS_LABEL_MAX + 1];
} fs_scheme;

// fs_scheme_load reads a scheme file (docs/schemes.md).
fs_err fs_scheme_load(fs_scheme *s, const char *path, char *why, size_t whycap);
fs_err fs_scheme_parse(fs_scheme *s, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
bool   fs_scheme_allows(const fs_scheme *s, const char *purpose);
const fs_tier *fs_scheme_tier(const fs_scheme *s, int64_t score);
// fs_scheme_tier_named returns the tier called name, or NULL.
const fs_tier *fs_scheme_tier_named(const fs_scheme *s, const char *name);

#endif // FS_WIRE_SCHEME_H

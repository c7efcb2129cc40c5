// SPDX-License-Identifier: Apache-2.0
//
// coordinator.h -- consented lookups: the scheme, the aggregation of node
// contributions into a score, and the daemon that answers requesters.
//
// Design notes.
// * The coordinator holds node and requester public keys, the scheme, the
//   consent replay state and the disclosure log; never ID numbers, raw
//   records or record categories.
// * A lookup is refused unless the requester's signed request is fresh
//   and unused, and the citizen's consent token is valid for this region,
//   this requester, a purpose the scheme and the requester allow, a scope
//   that covers the request, not revoked, with uses left.  Only then are
//   the nodes asked, all at once, with the scheme's deadline.
// * Aggregation follows the scheme: per behavior key across nodes only the
//   largest deduction and the largest addition count (Changzhou art.
//   11.3-11.4); dimensions are summed; the base is added; the result is
//   clamped to the scale; the tier is the highest whose lower bound the
//   score reaches.
// * The disclosure is recorded durably before the answer leaves, and the
//   answer is signed (PASETO v4.public) so the requester can prove what
//   it received.

#ifndef FS_COORDINATOR_H
#define FS_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "crypto.h"
#include "protocol.h"

#define FS_TIERS_MAX 16
#define FS_PURPOSES_MAX 32
#define FS_LABEL_MAX 64

typedef struct fs_tier {
	char    name[FS_LABEL_MAX + 1];  // machine name, e.g. "excellent"
	char    label[FS_LABEL_MAX + 1]; // as published, e.g. "优秀"
	int64_t min;                     // lower bound, inclusive
} fs_tier;

typedef struct fs_scheme {
	char     id[FS_LABEL_MAX + 1];
	char     version[FS_LABEL_MAX + 1];
	char     name[FS_LABEL_MAX + 1];
	char     region[FS_LABEL_MAX + 1];
	char     hash[17]; // first 8 bytes of BLAKE2b of the file, hex
	int64_t  scale_min, scale_max;
	int64_t  base;
	int64_t  default_valid_days;
	bool     require_all;
	int64_t  deadline_ms;
	size_t   ntiers; // sorted by min, descending
	fs_tier  tiers[FS_TIERS_MAX];
	size_t   npurposes;
	char     purposes[FS_PURPOSES_MAX][FS_LABEL_MAX + 1];
} fs_scheme;

// fs_scheme_load reads a scheme file (docs/schemes.md).
fs_err fs_scheme_load(fs_scheme *s, const char *path, char *why, size_t whycap);
fs_err fs_scheme_parse(fs_scheme *s, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
bool   fs_scheme_allows(const fs_scheme *s, const char *purpose);
const fs_tier *fs_scheme_tier(const fs_scheme *s, int64_t score);

// The outcome of aggregation.
typedef struct fs_score {
	int64_t        dims[FS_DIM_COUNT]; // after cross-node deduplication
	int64_t        raw;                // base + dims, before clamping
	int64_t        score;              // clamped to the scale
	const fs_tier *tier;
	bool           disputed;
	uint32_t       counted;
} fs_score;

// fs_aggregate combines the contributions of the nodes that answered.
void fs_aggregate(fs_score *out, const fs_scheme *s,
    const fs_contribution *const *c, size_t n);

#endif // FS_COORDINATOR_H

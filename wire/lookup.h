// SPDX-License-Identifier: Apache-2.0
//
// lookup.h -- the coordinator's lookup and a node's contribution.

#ifndef FS_WIRE_LOOKUP_H
#define FS_WIRE_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/token.h"

// Lookups.  The coordinator asks every node for its contribution to one
// subject's score, passing the citizen's consent token so that each node
// checks the consent itself.  A node answers with one partial delta per
// dimension over the records only it holds, plus one item per behavior
// other departments may also report, keyed by a behavior key that is
// equal across departments and meaningless to the coordinator.
#define FS_REQUEST_ID_BYTES 16
#define FS_TOKEN_MAX        4096
#define FS_VERSION_MAX      64
#define FS_SHARED_MAX       4096

// Score dimensions (Sanming art. 17).
typedef enum fs_dim {
	FS_DIM_BASIC    = 0,
	FS_DIM_POSITIVE = 1,
	FS_DIM_NEGATIVE = 2,
	FS_DIM_REPAIR   = 3,
	FS_DIM_USAGE    = 4,
	FS_DIM_COUNT    = 5,
} fs_dim;

const char *fs_dim_name(fs_dim d);
fs_err      fs_dim_parse(const char *s, fs_dim *d);

typedef struct fs_lookup {
	uint8_t  request_id[FS_REQUEST_ID_BYTES];
	uint8_t  subject[FS_SUBJECT_BYTES];
	char     token[FS_TOKEN_MAX + 1];
	uint64_t deadline_ms; // answer only before this time
} fs_lookup;

typedef struct fs_shared_item {
	uint8_t behavior_key[FS_SUBJECT_BYTES];
	fs_dim  dim;
	int64_t points;
} fs_shared_item;

typedef struct fs_contribution {
	char            rules_version[FS_VERSION_MAX + 1];
	int64_t         dims[FS_DIM_COUNT];
	fs_shared_item *shared; // malloc'd
	size_t          nshared;
	bool            disputed;   // a counted record is under dispute
	uint32_t        considered; // records held on the subject
	uint32_t        counted;    // records that counted
} fs_contribution;

fs_err fs_lookup_encode(const fs_lookup *l, uint8_t **outp, size_t *outlenp);
fs_err fs_lookup_decode(fs_lookup *l, const uint8_t *buf, size_t len);
fs_err fs_contribution_encode(
    const fs_contribution *c, uint8_t **outp, size_t *outlenp);
fs_err fs_contribution_decode(
    fs_contribution *c, const uint8_t *buf, size_t len);
void fs_contribution_fini(fs_contribution *c);

#endif // FS_WIRE_LOOKUP_H

// SPDX-License-Identifier: Apache-2.0
//
// revocations.h -- the issuer's revocations: the signed list nodes and the
// coordinator hold, and the statement of when each was revoked.

#ifndef FS_WIRE_REVOCATIONS_H
#define FS_WIRE_REVOCATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/token.h"

#define FS_JTI_MAX  64
#define FS_NAME_MAX 64 // a party's name or a region

// The issuer's revocations, for auditors: when it revoked each consent,
// as a C2SP signed note by the issuer's key (revocations.c has the text).
// fs_revocations_open verifies the note for region and reads it; the
// times are seconds since the epoch.
typedef struct fs_revocation {
	uint8_t jti[FS_JTI_BYTES];
	int64_t at;
} fs_revocation;

typedef struct fs_revocations {
	int64_t        iat; // when the issuer made the statement
	fs_revocation *r;   // sorted by jti
	size_t         n;
} fs_revocations;

fs_err fs_revocations_sign(char **notep, const fs_key *issuer,
    const char *region, int64_t iat, const fs_revocation *r, size_t n);
fs_err fs_revocations_open(fs_revocations *rs, const char *note, size_t len,
    const fs_pubkey *issuer, const char *region);
const fs_revocation *fs_revocations_find(
    const fs_revocations *rs, const uint8_t jti[FS_JTI_BYTES]);
void fs_revocations_fini(fs_revocations *rs);

// A signed revocation list.
typedef struct fs_revlist {
	uint64_t seq;
	uint64_t time_ms;
	size_t   n;
	char (*jti)[FS_JTI_MAX + 1];
} fs_revlist;

fs_err fs_revlist_encode(const fs_key *issuer, const char *region,
    const fs_revlist *rl, uint8_t **outp, size_t *outlenp);
// fs_revlist_decode verifies the signature and the region.
fs_err fs_revlist_decode(fs_revlist *rl, const uint8_t *buf, size_t len,
    const fs_pubkey *issuer, const char *region);
bool   fs_revlist_has(const fs_revlist *rl, const char *jti);
// fs_revlist_copy makes out a copy of rl that the caller finis.
fs_err fs_revlist_copy(fs_revlist *out, const fs_revlist *rl);
void   fs_revlist_fini(fs_revlist *rl);

#endif // FS_WIRE_REVOCATIONS_H

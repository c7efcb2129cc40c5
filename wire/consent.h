// SPDX-License-Identifier: Apache-2.0
//
// consent.h -- the check every holder of a consent token makes.

#ifndef FS_WIRE_CONSENT_H
#define FS_WIRE_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/revocations.h"
#include "wire/token.h"

// fs_consent_verify is the check every holder of a token makes before it
// acts on it: the issuer's signature, the region, the times and, when rl
// is not NULL, revocation.  Audience, purpose, scope and uses are the
// caller's to check.
fs_err fs_consent_verify(fs_claims *c, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, const fs_revlist *rl,
    int64_t now, char *why, size_t whycap);

#endif // FS_WIRE_CONSENT_H

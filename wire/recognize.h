// SPDX-License-Identifier: Apache-2.0
//
// recognize.h -- recognition of a foreign attestation under a trust list.

#ifndef FS_WIRE_RECOGNIZE_H
#define FS_WIRE_RECOGNIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/attest.h"
#include "wire/scheme.h"
#include "wire/trust.h"
#include "wire/wireimpl.h"

// Recognition (recognize.c): an attestation of a foreign region, checked
// against a bound trust list and mapped to a local tier.
typedef struct fs_recognition {
	fs_attestation att;         // the foreign attestation, verified
	fs_tier        local;       // the tier recognized here
	bool           by_score;    // mapped linearly from the score
	int64_t        local_score; // the score on the local scale, if so
	char           rule[2 * FS_LABEL_MAX + 16]; // the rule applied
} fs_recognition;

// fs_recognize_verify finds the key the attestation is signed with in the
// trust list and checks the signature: FS_ERR_UNREGISTERED for a region
// not in the list, FS_ERR_WRONG_KEY for a key the list does not hold for
// the region it names, FS_ERR_REVOKED for a retired key,
// FS_ERR_BAD_SIGNATURE for an altered attestation, FS_ERR_WRONG_REGION
// when the region it names is not the one of its key.  On success the
// attestation is genuine, from a key currently trusted.
fs_err fs_recognize_verify(fs_attestation *a, const fs_trust *t,
    const char *token, size_t len, char *why, size_t whycap);
// fs_recognize_check decides on a genuine attestation at time now: the
// region's validity window (FS_ERR_NOT_YET_VALID, FS_ERR_EXPIRED), the
// attestation's own (FS_ERR_EXPIRED, FS_ERR_NOT_YET_VALID), within the
// list's skew, then the mapping (FS_ERR_REFUSED when no rule applies).
fs_err fs_recognize_check(fs_recognition *r, const fs_trust *t,
    const fs_attestation *a, int64_t now, char *why, size_t whycap);
// fs_recognize does both.
fs_err fs_recognize(fs_recognition *r, const fs_trust *t, const char *token,
    size_t len, int64_t now, char *why, size_t whycap);

#endif // FS_WIRE_RECOGNIZE_H

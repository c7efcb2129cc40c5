// SPDX-License-Identifier: Apache-2.0
//
// wireimpl.h -- internals shared by the files of wire/.  Must not be
// exposed to other floors: what it declares skips checks that the public
// functions make.  Its symbols take the prefix fsi_.

#ifndef FS_WIRE_WIREIMPL_H
#define FS_WIRE_WIREIMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/scheme.h"
#include "wire/trust.h"

// fsi_claim_str_ok: 1..FS_CLAIM_STR_MAX token-safe characters, the rule
// for iss, aud, purpose and reg (and so for a region).
bool fsi_claim_str_ok(const char *s, size_t len);

// The trust list behind the opaque fs_trust of trust.h: trust.c builds
// it, recognize.c reads it.
struct fs_trust {
	char             local[FS_LABEL_MAX + 1];
	char            *scheme_path; // resolved against the list's path
	int64_t          skew_s;
	size_t           nregions;
	fs_trust_region *regions;
	bool             bound;
	fs_scheme        scheme; // once bound
};

#endif // FS_WIRE_WIREIMPL_H

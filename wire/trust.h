// SPDX-License-Identifier: Apache-2.0
//
// trust.h -- trust lists: which foreign regions this one recognizes.

#ifndef FS_WIRE_TRUST_H
#define FS_WIRE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/scheme.h"

// Trust lists (trust.c, docs/recognition.md).
//
// Design notes.
// * A trust list is a C2SP signed note, signed by this region's credit
//   office (key name FS_TRUST_OFFICE_NAME unless configured), whose text
//   is INI: [trust] local = this region, scheme = the local scheme file
//   (relative to the list), skew = the clock skew allowed (default 1m);
//   then one [region ID] per foreign region: key = k4.public…, not_before
//   and not_after (RFC 3339), retired = keys no longer accepted, and the
//   rules: map.<foreign tier> = <local tier> lines, score = linear.
// * The signature is checked before the text is parsed.  Unknown keys
//   are errors with their line; a key belongs to one region only, and a
//   retired key is current nowhere.
#define FS_TRUST_OFFICE_NAME  "credit-office"
#define FS_TRUST_REGIONS_MAX  64
#define FS_TRUST_RETIRED_MAX  16
#define FS_TRUST_SKEW_DEFAULT 60 // seconds

typedef struct fs_trust_map {
	char foreign[FS_LABEL_MAX + 1];
	char local[FS_LABEL_MAX + 1];
} fs_trust_map;

typedef struct fs_trust_region {
	char         id[FS_LABEL_MAX + 1];
	fs_pubkey    key;
	int64_t      not_before, not_after; // trusted while in [nb, na)
	size_t       nretired;
	fs_pubkey    retired[FS_TRUST_RETIRED_MAX];
	bool         linear; // score = linear
	size_t       nmaps;
	fs_trust_map maps[FS_TIERS_MAX];
	int          line; // of its section, for messages
} fs_trust_region;

typedef struct fs_trust fs_trust;

// fs_trust_parse parses the text of a trust list, without a signature
// (for signing it, and for fuzzing); path names it in messages, and the
// scheme path is taken relative to it.
fs_err fs_trust_parse(fs_trust **tp, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
// fs_trust_open verifies a signed trust list (the note's text and
// signature) by office under the key name, then parses it.
fs_err fs_trust_open(fs_trust **tp, const char *note, size_t len,
    const char *path, const fs_pubkey *office, const char *name, char *why,
    size_t whycap);
// fs_trust_bind checks the list against the local scheme (its region and
// tier names) and keeps a copy of it for mapping.
fs_err fs_trust_bind(
    fs_trust *t, const fs_scheme *local, char *why, size_t whycap);
// fs_trust_load reads the file path, opens it, and binds the scheme that
// the list names.
fs_err fs_trust_load(fs_trust **tp, const char *path, const fs_pubkey *office,
    const char *name, char *why, size_t whycap);
void   fs_trust_free(fs_trust *t);

const char            *fs_trust_local(const fs_trust *t);
const char            *fs_trust_scheme_path(const fs_trust *t);
const fs_scheme       *fs_trust_scheme(const fs_trust *t); // NULL unbound
size_t                 fs_trust_count(const fs_trust *t);
const fs_trust_region *fs_trust_region_at(const fs_trust *t, size_t i);
const fs_trust_region *fs_trust_region_find(const fs_trust *t, const char *id);
int64_t                fs_trust_skew(const fs_trust *t); // seconds

#endif // FS_WIRE_TRUST_H

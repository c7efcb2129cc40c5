// SPDX-License-Identifier: Apache-2.0
//
// pseudonym.c -- pseudonyms from the OPRF output y of a normalized ID
// number (docs/design.md, "Pseudonyms").
//
// BLAKE2b-256 keyed with y (64 bytes, the largest key BLAKE2b takes):
//   subject       = BLAKE2b-256(key = y, "fedscore subject")
//   behavior_base = BLAKE2b-256(key = y, "fedscore behavior")
//   behavior key  = BLAKE2b-256(key = behavior_base, event reference)
// The subject travels to the coordinator; the behavior base stays with the
// nodes, so the coordinator cannot link behavior keys to subjects.
//
// The subject binding of an attestation is not derived from y: the
// issuer commits to the ID number itself, keyed with a random salt that
// only the citizen keeps, idc = BLAKE2b-256(key = salt, ID number).

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "crypto/oprf.h"

static void
keyed(uint8_t out[static FS_PSEUDONYM_BYTES], const uint8_t *key, size_t keylen,
    const void *msg, size_t len)
{
	// Cannot fail: the sizes are within BLAKE2b's bounds.
	(void) crypto_generichash(out, FS_PSEUDONYM_BYTES,
	    len > 0 ? (const uint8_t *) msg : key, len, key, keylen);
}

void
fs_pseudonym_subject(uint8_t subject[static FS_PSEUDONYM_BYTES],
    const uint8_t            y[static FS_OPRF_OUTPUT_BYTES])
{
	static const char label[] = "fedscore subject";

	keyed(subject, y, FS_OPRF_OUTPUT_BYTES, label, sizeof(label) - 1);
}

void
fs_pseudonym_behavior_base(uint8_t base[static FS_PSEUDONYM_BYTES],
    const uint8_t                  y[static FS_OPRF_OUTPUT_BYTES])
{
	static const char label[] = "fedscore behavior";

	keyed(base, y, FS_OPRF_OUTPUT_BYTES, label, sizeof(label) - 1);
}

void
fs_behavior_key(uint8_t key[static FS_PSEUDONYM_BYTES],
    const uint8_t base[static FS_PSEUDONYM_BYTES], const char *ref, size_t len)
{
	keyed(key, base, FS_PSEUDONYM_BYTES, ref, len);
}

void
fs_idc_commit(uint8_t idc[static FS_IDC_BYTES],
    const uint8_t salt[static FS_IDC_SALT_BYTES], const char *idnum, size_t len)
{
	// The salt keys BLAKE2b (16 bytes is BLAKE2b's smallest key): without
	// it, a guess of the ID number cannot be tested against idc.
	(void) crypto_generichash(idc, FS_IDC_BYTES,
	    len > 0 ? (const uint8_t *) idnum : salt, len, salt,
	    FS_IDC_SALT_BYTES);
}

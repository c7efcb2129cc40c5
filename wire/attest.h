// SPDX-License-Identifier: Apache-2.0
//
// attest.h -- attestations: a region's signed statement of a tier.

#ifndef FS_WIRE_ATTEST_H
#define FS_WIRE_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "wire/scheme.h"
#include "wire/token.h"

// Attestations (attest.c, docs/recognition.md).
//
// Design notes.
// * A consent of scope attest lets a lookup ask for scope attest (tier
//   and score) or tier (tier only: the credit code).  The answer then
//   carries an attestation: PASETO v4.public signed by the coordinator's
//   key, footer {"kid":…}, implicit assertion FS_ATTEST_ASSERTION.  It
//   holds no region in its assertion: it is made to travel.
// * Its claims: iss (the region), scheme {id, version, hash}, scale {min,
//   max}, tiers [{name, label, min}], tier {name, label}, score (scope
//   attest only), iat, exp, jti, log_index (the disclosure's index in the
//   issuing log) and idc, the subject binding copied from the consent.
// * Decoding is strict: known members only, each of its type; the table
//   must be a scheme's (descending bounds within the scale, the lowest at
//   its floor, distinct names) and the tier the one it gives the score.
//   Times are the verifier's to check.
#define FS_ATTEST_ASSERTION   "fedscore attestation v1"
#define FS_ATTEST_TTL_DEFAULT 600  // seconds
#define FS_ATTEST_CLAIMS_MAX  4096 // bytes of JSON
#define FS_SCALE_BOUND        1000000000

typedef struct fs_attestation {
	char    iss[FS_LABEL_MAX + 1]; // the issuing region
	char    scheme_id[FS_LABEL_MAX + 1];
	char    scheme_version[FS_LABEL_MAX + 1];
	char    scheme_hash[17];
	int64_t scale_min, scale_max;
	size_t  ntiers; // sorted by min, descending
	fs_tier tiers[FS_TIERS_MAX];
	fs_tier tier; // the tier attested; min is its lower bound
	bool    has_score;
	int64_t score;
	int64_t iat, exp; // Unix seconds
	uint8_t jti[FS_JTI_BYTES];
	int64_t log_index;
	bool    has_idc;
	uint8_t idc[FS_IDC_BYTES];
} fs_attestation;
// fs_attest_encode writes the claims as compact JSON with sorted keys
// (malloc'd); an attestation that would not decode is FS_ERR_INVALID.
fs_err fs_attest_encode(char **jsonp, const fs_attestation *a);
fs_err fs_attest_decode(fs_attestation *a, const uint8_t *json, size_t len);
fs_err fs_attest_sign(
    char **tokenp, const fs_key *coord, const fs_attestation *a);
// fs_attest_verify checks the signature by key, whose kid the footer
// must name (FS_ERR_FOOTER otherwise), and decodes the claims.
fs_err fs_attest_verify(
    fs_attestation *a, const char *token, size_t len, const fs_pubkey *key);
// fs_attest_peek decodes the claims WITHOUT checking the signature, only
// to say why an attestation is refused (fs_token_kid reads the untrusted
// key id, to choose the key).
fs_err fs_attest_peek(fs_attestation *a, const char *token, size_t len);
// fs_attest_bound checks the subject binding against a normalized ID
// number and the citizen's salt: FS_ERR_WRONG_SUBJECT when it differs or
// the attestation has none.
fs_err fs_attest_bound(const fs_attestation *a, const char *idnum, size_t len,
    const uint8_t salt[static FS_IDC_SALT_BYTES]);
// fs_attest_tier_of returns the tier of the attestation's table for a
// score on its scale.
const fs_tier *fs_attest_tier_of(const fs_attestation *a, int64_t score);

#endif // FS_WIRE_ATTEST_H

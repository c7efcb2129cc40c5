// SPDX-License-Identifier: Apache-2.0
//
// attest_sample.h -- schemes, an attestation and trust lists of two
// regions, for the tests of attestations, trust lists and recognition.

#ifndef FS_TEST_ATTEST_SAMPLE_H
#define FS_TEST_ATTEST_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "wire/attest.h"
#include "wire/scheme.h"
#include "wire/trust.h"

#define NOW INT64_C(1795428000) // 2026-11-23T10:00:00Z

// yuxi is the scheme of the attesting region; changzhou, that of the
// receiving side, has another scale and other names.
extern const char yuxi[];
extern const char changzhou[];

// idnum is the ID number the sample attestation is bound to.
extern const char idnum[];

// scheme parses text as a scheme; the test fails when it cannot.
void scheme(fs_scheme *s, const char *text);

// sample is a Yuxi attestation of tier good, score 650, bound to idnum
// with salt 1..16.
void sample(fs_attestation *a, const char *iss);

// sign signs a with k; the test fails when it cannot.
char *sign(const fs_key *k, const fs_attestation *a);

// trust_text writes a Changzhou trust list for Yuxi (key k, retired key
// old) followed by extra lines.
void trust_text(char *buf, size_t cap, const fs_key *k, const fs_key *old,
    const char *extra);

// trust parses text as a trust list and binds it to the Changzhou
// scheme; the test fails when it cannot.
fs_trust *trust(const char *text);

#endif // FS_TEST_ATTEST_SAMPLE_H

// SPDX-License-Identifier: Apache-2.0
//
// claims_sample.h -- the claims of a test consent, for the tests of claims
// and tokens.

#ifndef FS_TEST_CLAIMS_SAMPLE_H
#define FS_TEST_CLAIMS_SAMPLE_H

#include <stdint.h>

#include "wire/token.h"

#define NOW INT64_C(1795428000) // 2026-11-23T10:00:00Z

// sample fills the claims of a test consent: one hour from NOW.
void sample(fs_claims *c);

// sample_json is those claims as fs_claims_encode writes them.
extern const char sample_json[];

#endif // FS_TEST_CLAIMS_SAMPLE_H

// SPDX-License-Identifier: Apache-2.0
//
// scheme_sample.h -- a scheme with Yuxi's values, for the tests of schemes
// and of aggregation by a scheme.

#ifndef FS_TEST_SCHEME_SAMPLE_H
#define FS_TEST_SCHEME_SAMPLE_H

#include "wire/scheme.h"

// Yuxi's published values (art. 12-13): base 500, tiers at 800/600/500.
extern const char yuxi[];

// load parses text as a scheme; the test fails when it cannot.
void load(fs_scheme *s, const char *text);

#endif // FS_TEST_SCHEME_SAMPLE_H

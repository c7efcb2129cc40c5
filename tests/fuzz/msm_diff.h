// SPDX-License-Identifier: Apache-2.0
//
// msm_diff.h -- checks the hand-written ristretto255 arithmetic
// (crypto/ristretto.c) and multi-scalar multiplication (crypto/msm.c)
// against libsodium's constant-time code, for fuzz_msm and test_msm.
//
// Every function returns true when the two agree.  On a disagreement it
// prints the inputs and both answers in hex on stderr and returns false;
// the fuzz harness then aborts, the unit test fails.

#ifndef FS_MSM_DIFF_H
#define FS_MSM_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// msm_diff_ref is the reference for fs_msm, on libsodium's public API
// only: FS_ERR_INVALID if a scalar is 2^253 or more, else
// FS_ERR_MALFORMED if a point is not a canonical encoding, else the sum of
// (scalars[i] mod L) * points[i], all zero for the identity.  fs_msm and
// fs_msm_naive check every scalar before any point, and so does this.
fs_err msm_diff_ref(uint8_t out[static 32], const uint8_t *scalars,
    const uint8_t *points, size_t n);

// msm_diff_terms compares fs_msm, and fs_msm_naive when naive is set,
// with msm_diff_ref: the same error, or the same sum.
bool msm_diff_terms(
    const uint8_t *scalars, const uint8_t *points, size_t n, bool naive);

// msm_diff_encoding compares fs_ge_decode with libsodium's
// crypto_core_ristretto255_is_valid_point (which ignores the top bit, that
// RFC 9496 refuses); for a point that decodes, that fs_ge_encode gives its
// encoding back, and the encoding of its negation.
bool msm_diff_encoding(const uint8_t p[static 32]);

// msm_diff_ops compares fs_ge_add, fs_ge_madd (both signs), fs_ge_dbl and
// fs_ge_from_niels, in place and not, from the identity, and on points
// whose Z is no longer 2, with crypto_core_ristretto255_add and _sub.
// Either encoding that does not decode is skipped.
bool msm_diff_ops(const uint8_t a[static 32], const uint8_t b[static 32]);

// msm_diff_input reads a list of scalars and points from fuzz input
// (format in msm_diff.c) and runs all of the above on it.
bool msm_diff_input(const uint8_t *data, size_t size);

#endif // FS_MSM_DIFF_H

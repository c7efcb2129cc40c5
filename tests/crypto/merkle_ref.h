// SPDX-License-Identifier: Apache-2.0
//
// merkle_ref.h -- RFC 9162's Merkle tree definitions, word for word, to
// check crypto/merkle.c against.

#ifndef FS_TEST_MERKLE_REF_H
#define FS_TEST_MERKLE_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/merkle.h"

#define HB FS_MERKLE_HASH_BYTES

// ref_mth writes MTH (2.1.1) of the n leaf hashes d to out; ref_path
// appends PATH(m, d) (2.1.3.1) and ref_subproof SUBPROOF(m, d, b)
// (2.1.4.1) to p.
void ref_mth(uint8_t out[HB], const uint8_t (*d)[HB], uint64_t n);
void ref_path(
    fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n);
void ref_subproof(
    fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n, bool b);

// assert_proof_equal fails the test unless a and b are the same proof.
void assert_proof_equal(const fs_merkle_proof *a, const fs_merkle_proof *b);

#endif // FS_TEST_MERKLE_REF_H

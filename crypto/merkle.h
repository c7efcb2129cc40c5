// SPDX-License-Identifier: Apache-2.0
//
// merkle.h -- RFC 9162 Merkle trees with SHA-256.

#ifndef FS_CRYPTO_MERKLE_H
#define FS_CRYPTO_MERKLE_H

#include <sodium.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// Merkle trees: RFC 9162 section 2.1 with SHA-256.
//
// Design notes.
// * A leaf hash is SHA-256(0x00 || entry), a node SHA-256(0x01 || l || r);
//   the empty tree hashes to SHA-256("").  Proofs are lists of hashes in
//   the RFC's order, deepest first, exactly as Go's sumdb/tlog and the
//   transparency-dev verifiers take them.
// * Stored hashes are addressed as in C2SP tlog-tiles: (level, index) is
//   the complete subtree of 2^level leaves starting at leaf index << level;
//   level 0 holds the leaf hashes.  An append-only log stores each such
//   hash once, when its subtree completes, and never changes it.  Proof
//   generation reads them through an fs_merkle_get_fn, so that the caller
//   can serve them from SQLite, from tiles, or from fs_merkle_mem in tests.
// * fs_merkle_state is the right edge of the tree: one hash per set bit of
//   the size.  Appending costs one leaf hash plus one node hash per
//   trailing one bit of the old size (two hashes on average), and the root
//   at most 63 more; the state is a plain struct of 2 KiB with no
//   allocation, so a log keeps one in memory and can rebuild it from
//   storage with fs_merkle_state_load.
// * Verification runs the RFC 9162 algorithms (2.1.3.2 and 2.1.4.2), and
//   compares hashes with sodium_memcmp.  A consistency proof from size 0
//   is refused: it proves nothing, and the transparency-dev vectors expect
//   the refusal.  Sizes are uint64_t, so a proof has at most 64 hashes for
//   inclusion and 65 for consistency.

#define FS_MERKLE_HASH_BYTES crypto_hash_sha256_BYTES // 32
#define FS_MERKLE_LEVELS     64
#define FS_MERKLE_PROOF_MAX  (FS_MERKLE_LEVELS + 1)

typedef struct fs_merkle_proof {
	size_t  n; // number of hashes
	uint8_t hash[FS_MERKLE_PROOF_MAX][FS_MERKLE_HASH_BYTES];
} fs_merkle_proof;

// fs_merkle_get_fn stores in out the hash of the complete subtree at
// (level, index), or returns an error (FS_ERR_NOT_FOUND, FS_ERR_IO...)
// that the proof functions pass back unchanged.
typedef fs_err (*fs_merkle_get_fn)(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES]);

// fs_merkle_put_fn is told each hash that becomes permanent as a leaf is
// appended: the leaf hash at level 0, then every subtree it completes.
typedef fs_err (*fs_merkle_put_fn)(void *arg, uint64_t level, uint64_t index,
    const uint8_t hash[FS_MERKLE_HASH_BYTES]);

void fs_merkle_leaf_hash(
    uint8_t out[static FS_MERKLE_HASH_BYTES], const uint8_t *entry, size_t len);
void fs_merkle_node_hash(uint8_t out[static FS_MERKLE_HASH_BYTES],
    const uint8_t                left[static FS_MERKLE_HASH_BYTES],
    const uint8_t                right[static FS_MERKLE_HASH_BYTES]);
void fs_merkle_empty_root(uint8_t out[static FS_MERKLE_HASH_BYTES]);

// fs_merkle_root computes the tree hash of n leaf hashes, held one after
// the other in leaves (n * FS_MERKLE_HASH_BYTES bytes), in O(log n) memory.
void fs_merkle_root(
    uint8_t root[static FS_MERKLE_HASH_BYTES], const uint8_t *leaves, size_t n);

typedef struct fs_merkle_state {
	uint64_t size;
	// edge[l] is the hash of the complete subtree of 2^l leaves on the
	// right edge, valid where bit l of size is set.
	uint8_t edge[FS_MERKLE_LEVELS][FS_MERKLE_HASH_BYTES];
} fs_merkle_state;

void fs_merkle_state_init(fs_merkle_state *st);
// fs_merkle_state_append adds one leaf hash.  put, if not NULL, is told
// every hash that became permanent; if it fails, st is left unchanged and
// its error returned (a retry puts the same hashes again, so a store
// should take an identical hash twice).  A tree of 2^64 - 1 leaves is
// full: FS_ERR_TOO_LARGE.
fs_err fs_merkle_state_append(fs_merkle_state *st,
    const uint8_t leaf[static FS_MERKLE_HASH_BYTES], fs_merkle_put_fn put,
    void *arg);
void   fs_merkle_state_root(
      const fs_merkle_state *st, uint8_t root[static FS_MERKLE_HASH_BYTES]);
// fs_merkle_state_load rebuilds the state of a tree of the given size
// from stored hashes (one get per set bit of size).
fs_err fs_merkle_state_load(
    fs_merkle_state *st, uint64_t size, fs_merkle_get_fn get, void *arg);

// fs_merkle_root_at computes the root of the tree's first size leaves
// from stored hashes, so a log can answer for any older size.
fs_err fs_merkle_root_at(uint8_t root[static FS_MERKLE_HASH_BYTES],
    uint64_t size, fs_merkle_get_fn get, void *arg);

// fs_merkle_prove_inclusion writes the proof that leaf index is in the
// tree of the given size (RFC 9162 2.1.3.1); index < size.
fs_err fs_merkle_prove_inclusion(fs_merkle_proof *proof, uint64_t index,
    uint64_t size, fs_merkle_get_fn get, void *arg);
// fs_merkle_prove_consistency writes the proof that the tree of size1 is
// a prefix of the tree of size2 (RFC 9162 2.1.4.1); 0 < size1 <= size2.
fs_err fs_merkle_prove_consistency(fs_merkle_proof *proof, uint64_t size1,
    uint64_t size2, fs_merkle_get_fn get, void *arg);

// Verification: FS_OK, or FS_ERR_BAD_PROOF for any proof that does not
// verify, whatever the reason (sizes, lengths, hashes).
fs_err fs_merkle_verify_inclusion(
    const uint8_t leaf[static FS_MERKLE_HASH_BYTES], uint64_t index,
    uint64_t size, const fs_merkle_proof *proof,
    const uint8_t root[static FS_MERKLE_HASH_BYTES]);
fs_err fs_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t          root1[static FS_MERKLE_HASH_BYTES],
    const uint8_t          root2[static FS_MERKLE_HASH_BYTES],
    const fs_merkle_proof *proof);

// An in-memory store of every permanent hash of a tree (2n hashes for n
// leaves), for tests and tools.  fs_merkle_mem_get is an fs_merkle_get_fn
// whose arg is the fs_merkle_mem.
typedef struct fs_merkle_mem fs_merkle_mem;

fs_err fs_merkle_mem_create(fs_merkle_mem **mp);
void   fs_merkle_mem_free(fs_merkle_mem *m);
fs_err fs_merkle_mem_append(
    fs_merkle_mem *m, const uint8_t leaf[static FS_MERKLE_HASH_BYTES]);
uint64_t fs_merkle_mem_size(const fs_merkle_mem *m);
void     fs_merkle_mem_root(
        const fs_merkle_mem *m, uint8_t root[static FS_MERKLE_HASH_BYTES]);
fs_err fs_merkle_mem_get(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES]);

#endif // FS_CRYPTO_MERKLE_H

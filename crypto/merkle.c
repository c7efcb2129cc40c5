// SPDX-License-Identifier: Apache-2.0
//
// merkle.c -- RFC 9162 Merkle tree hashes, the right-edge state of an
// append-only tree, and inclusion and consistency proofs.
//
// Proofs are generated top-down, following the RFC's recursive PATH and
// SUBPROOF definitions with a loop over the range [lo, hi) still to
// descend: each step emits one hash, and the RFC lists them bottom-up, so
// the list is reversed at the end.  Every hash a step needs is the tree
// hash of a range that starts on a multiple of a power of two at least as
// large as the range, so it is the fold of one stored complete subtree per
// set bit of its length (range_hash).

//
// SHA-256 comes from OpenSSL's libcrypto, not libsodium: it uses the
// CPU's SHA extensions, about four times libsodium's portable code here,
// and an auditor hashes every entry of the log.  Everything else stays
// with libsodium.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "crypto/merkle.h"

static EVP_MD        *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	// Fetched once: an implicit fetch on every digest costs more than
	// hashing a log entry.
	if ((sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		abort();
	}
}

static const EVP_MD *
md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return (sha256);
}

void
fs_merkle_leaf_hash(
    uint8_t out[static FS_MERKLE_HASH_BYTES], const uint8_t *entry, size_t len)
{
	static const uint8_t pfx = 0x00;
	EVP_MD_CTX          *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, md(), NULL) != 1
	    || EVP_DigestUpdate(ctx, &pfx, 1) != 1
	    || EVP_DigestUpdate(ctx, entry, len) != 1
	    || EVP_DigestFinal_ex(ctx, out, NULL) != 1) {
		// Out of memory inside OpenSSL: no hash can stand in.
		abort();
	}
	EVP_MD_CTX_free(ctx);
}

void
fs_merkle_node_hash(uint8_t out[static FS_MERKLE_HASH_BYTES],
    const uint8_t           left[static FS_MERKLE_HASH_BYTES],
    const uint8_t           right[static FS_MERKLE_HASH_BYTES])
{
	uint8_t buf[1 + 2 * FS_MERKLE_HASH_BYTES];

	// One call on a 65-byte buffer: appends hash nodes on the hot path.
	buf[0] = 0x01;
	memcpy(buf + 1, left, FS_MERKLE_HASH_BYTES);
	memcpy(buf + 1 + FS_MERKLE_HASH_BYTES, right, FS_MERKLE_HASH_BYTES);
	if (EVP_Digest(buf, sizeof(buf), out, NULL, md(), NULL) != 1) {
		abort();
	}
}

void
fs_merkle_empty_root(uint8_t out[static FS_MERKLE_HASH_BYTES])
{
	crypto_hash_sha256(out, NULL, 0);
}

// The right-edge state.

void
fs_merkle_state_init(fs_merkle_state *st)
{
	memset(st, 0, sizeof(*st));
}

fs_err
fs_merkle_state_append(fs_merkle_state *st,
    const uint8_t leaf[static FS_MERKLE_HASH_BYTES], fs_merkle_put_fn put,
    void *arg)
{
	uint8_t  h[FS_MERKLE_HASH_BYTES];
	uint64_t n = st->size;
	unsigned l;
	fs_err   rv;

	if (n == UINT64_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	memcpy(h, leaf, FS_MERKLE_HASH_BYTES);
	// Each trailing one bit of n is a complete subtree that the new leaf
	// completes into one twice its size.
	for (l = 0;; l++) {
		if (put != NULL && (rv = put(arg, l, n >> l, h)) != FS_OK) {
			return (rv);
		}
		if ((n & ((uint64_t) 1 << l)) == 0) {
			break;
		}
		fs_merkle_node_hash(h, st->edge[l], h);
	}
	memcpy(st->edge[l], h, FS_MERKLE_HASH_BYTES);
	st->size = n + 1;
	return (FS_OK);
}

void
fs_merkle_state_root(
    const fs_merkle_state *st, uint8_t root[static FS_MERKLE_HASH_BYTES])
{
	uint8_t  r[FS_MERKLE_HASH_BYTES];
	bool     any = false;
	unsigned l;

	// Fold from the smallest subtree, the rightmost, to the largest.
	for (l = 0; l < FS_MERKLE_LEVELS; l++) {
		if ((st->size & ((uint64_t) 1 << l)) == 0) {
			continue;
		}
		if (any) {
			fs_merkle_node_hash(r, st->edge[l], r);
		} else {
			memcpy(r, st->edge[l], FS_MERKLE_HASH_BYTES);
			any = true;
		}
	}
	if (!any) {
		fs_merkle_empty_root(r);
	}
	memcpy(root, r, FS_MERKLE_HASH_BYTES);
}

fs_err
fs_merkle_state_load(
    fs_merkle_state *st, uint64_t size, fs_merkle_get_fn get, void *arg)
{
	fs_merkle_state s;
	unsigned        l;
	fs_err          rv;

	fs_merkle_state_init(&s);
	for (l = 0; l < FS_MERKLE_LEVELS; l++) {
		if ((size & ((uint64_t) 1 << l)) == 0) {
			continue;
		}
		// The last complete subtree of 2^l leaves.
		if ((rv = get(arg, l, (size >> l) - 1, s.edge[l])) != FS_OK) {
			return (rv);
		}
	}
	s.size = size;
	*st    = s;
	return (FS_OK);
}

void
fs_merkle_root(
    uint8_t root[static FS_MERKLE_HASH_BYTES], const uint8_t *leaves, size_t n)
{
	fs_merkle_state st;

	fs_merkle_state_init(&st);
	for (size_t i = 0; i < n; i++) {
		(void) fs_merkle_state_append(
		    &st, leaves + i * FS_MERKLE_HASH_BYTES, NULL, NULL);
	}
	fs_merkle_state_root(&st, root);
}

// Proofs.

// range_hash computes the tree hash of leaves [lo, hi), where lo is a
// multiple of a power of two at least hi - lo, from stored subtrees: one
// per set bit of hi - lo, the largest first, folded from the right.
static fs_err
range_hash(uint8_t out[static FS_MERKLE_HASH_BYTES], uint64_t lo, uint64_t hi,
    fs_merkle_get_fn get, void *arg)
{
	uint8_t  r[FS_MERKLE_HASH_BYTES], c[FS_MERKLE_HASH_BYTES];
	uint64_t len = hi - lo;
	bool     any = false;
	fs_err   rv;

	for (unsigned l = 0; l < FS_MERKLE_LEVELS; l++) {
		if ((len & ((uint64_t) 1 << l)) == 0) {
			continue;
		}
		hi -= (uint64_t) 1 << l;
		if ((rv = get(arg, l, hi >> l, any ? c : r)) != FS_OK) {
			return (rv);
		}
		if (any) {
			fs_merkle_node_hash(r, c, r);
		}
		any = true;
	}
	memcpy(out, r, FS_MERKLE_HASH_BYTES);
	return (FS_OK);
}

fs_err
fs_merkle_root_at(uint8_t root[static FS_MERKLE_HASH_BYTES], uint64_t size,
    fs_merkle_get_fn get, void *arg)
{
	if (size == 0) {
		fs_merkle_empty_root(root);
		return (FS_OK);
	}
	return (range_hash(root, 0, size, get, arg));
}

// split returns the largest power of two smaller than n, for n >= 2: the
// size of the left subtree of a tree of n leaves.
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k < (n - k)) {
		k <<= 1;
	}
	return (k);
}

static void
reverse(fs_merkle_proof *p)
{
	uint8_t t[FS_MERKLE_HASH_BYTES];

	for (size_t i = 0, j = p->n - 1; p->n > 0 && i < j; i++, j--) {
		memcpy(t, p->hash[i], FS_MERKLE_HASH_BYTES);
		memcpy(p->hash[i], p->hash[j], FS_MERKLE_HASH_BYTES);
		memcpy(p->hash[j], t, FS_MERKLE_HASH_BYTES);
	}
}

fs_err
fs_merkle_prove_inclusion(fs_merkle_proof *proof, uint64_t index, uint64_t size,
    fs_merkle_get_fn get, void *arg)
{
	fs_merkle_proof p;
	uint64_t        lo = 0, hi = size, k;
	fs_err          rv;

	if (index >= size) {
		return (FS_ERR_INVALID);
	}
	p.n = 0;
	while (hi - lo > 1) {
		k = split(hi - lo);
		if (index < lo + k) {
			rv = range_hash(p.hash[p.n], lo + k, hi, get, arg);
			hi = lo + k;
		} else {
			rv = range_hash(p.hash[p.n], lo, lo + k, get, arg);
			lo = lo + k;
		}
		if (rv != FS_OK) {
			return (rv);
		}
		p.n++;
	}
	reverse(&p);
	*proof = p;
	return (FS_OK);
}

fs_err
fs_merkle_prove_consistency(fs_merkle_proof *proof, uint64_t size1,
    uint64_t size2, fs_merkle_get_fn get, void *arg)
{
	fs_merkle_proof p;
	uint64_t        lo = 0, hi = size2, k;
	bool            whole = true; // still a prefix of the first tree
	fs_err          rv;

	if (size1 == 0 || size1 > size2) {
		return (FS_ERR_INVALID);
	}
	p.n = 0;
	while (size1 != hi) {
		k = split(hi - lo);
		if (size1 <= lo + k) {
			rv = range_hash(p.hash[p.n], lo + k, hi, get, arg);
			hi = lo + k;
		} else {
			rv    = range_hash(p.hash[p.n], lo, lo + k, get, arg);
			lo    = lo + k;
			whole = false;
		}
		if (rv != FS_OK) {
			return (rv);
		}
		p.n++;
	}
	// The verifier knows the first tree's root; it needs the hash of the
	// last subtree only if that is not the whole first tree.
	if (!whole
	    && (rv = range_hash(p.hash[p.n], lo, hi, get, arg)) != FS_OK) {
		return (rv);
	}
	p.n += whole ? 0 : 1;
	reverse(&p);
	*proof = p;
	return (FS_OK);
}

// Verification, RFC 9162 2.1.3.2 and 2.1.4.2.

fs_err
fs_merkle_verify_inclusion(const uint8_t leaf[static FS_MERKLE_HASH_BYTES],
    uint64_t index, uint64_t size, const fs_merkle_proof *proof,
    const uint8_t root[static FS_MERKLE_HASH_BYTES])
{
	uint8_t  r[FS_MERKLE_HASH_BYTES];
	uint64_t fn = index, sn;

	if (index >= size || proof->n > FS_MERKLE_PROOF_MAX) {
		return (FS_ERR_BAD_PROOF);
	}
	sn = size - 1;
	memcpy(r, leaf, FS_MERKLE_HASH_BYTES);
	for (size_t i = 0; i < proof->n; i++) {
		if (sn == 0) {
			return (FS_ERR_BAD_PROOF);
		}
		if ((fn & 1) != 0 || fn == sn) {
			fs_merkle_node_hash(r, proof->hash[i], r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			fs_merkle_node_hash(r, r, proof->hash[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(r, root, FS_MERKLE_HASH_BYTES) != 0) {
		return (FS_ERR_BAD_PROOF);
	}
	return (FS_OK);
}

fs_err
fs_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t          root1[static FS_MERKLE_HASH_BYTES],
    const uint8_t          root2[static FS_MERKLE_HASH_BYTES],
    const fs_merkle_proof *proof)
{
	uint8_t        fr[FS_MERKLE_HASH_BYTES], sr[FS_MERKLE_HASH_BYTES];
	const uint8_t *c;
	uint64_t       fn, sn;
	size_t         i;

	if (size1 == 0 || size1 > size2 || proof->n > FS_MERKLE_PROOF_MAX) {
		return (FS_ERR_BAD_PROOF);
	}
	if (size1 == size2) {
		if (proof->n != 0
		    || sodium_memcmp(root1, root2, FS_MERKLE_HASH_BYTES) != 0) {
			return (FS_ERR_BAD_PROOF);
		}
		return (FS_OK);
	}
	if (proof->n == 0) {
		return (FS_ERR_BAD_PROOF);
	}
	// A first tree of a power of two leaves is one subtree of the second,
	// whose hash is root1: the proof starts from it rather than repeat it.
	i = 0;
	if ((size1 & (size1 - 1)) == 0) {
		c = root1;
	} else {
		c = proof->hash[i++];
	}
	fn = size1 - 1;
	sn = size2 - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, FS_MERKLE_HASH_BYTES);
	memcpy(sr, c, FS_MERKLE_HASH_BYTES);
	for (; i < proof->n; i++) {
		c = proof->hash[i];
		if (sn == 0) {
			return (FS_ERR_BAD_PROOF);
		}
		if ((fn & 1) != 0 || fn == sn) {
			fs_merkle_node_hash(fr, c, fr);
			fs_merkle_node_hash(sr, c, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			fs_merkle_node_hash(sr, sr, c);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(fr, root1, FS_MERKLE_HASH_BYTES) != 0
	    || sodium_memcmp(sr, root2, FS_MERKLE_HASH_BYTES) != 0) {
		return (FS_ERR_BAD_PROOF);
	}
	return (FS_OK);
}

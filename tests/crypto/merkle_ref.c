// SPDX-License-Identifier: Apache-2.0
//
// merkle_ref.c -- reference Merkle trees for the tests of crypto/merkle.c.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/merkle.h"
#include "tests/crypto/merkle_ref.h"

// Reference implementations: RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1, word for
// word, on an array of leaf hashes.

static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n) {
		k *= 2;
	}
	return (k);
}

void
ref_mth(uint8_t out[HB], const uint8_t (*d)[HB], uint64_t n)
{
	uint8_t  l[HB], r[HB];
	uint64_t k;

	if (n == 0) {
		fs_merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HB);
		return;
	}
	k = ref_split(n);
	ref_mth(l, d, k);
	ref_mth(r, d + k, n - k);
	fs_merkle_node_hash(out, l, r);
}

void
ref_path(fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n)
{
	uint64_t k;

	if (n == 1) {
		return;
	}
	k = ref_split(n);
	if (m < k) {
		ref_path(p, m, d, k);
		ref_mth(p->hash[p->n++], d + k, n - k);
	} else {
		ref_path(p, m - k, d + k, n - k);
		ref_mth(p->hash[p->n++], d, k);
	}
}

void
ref_subproof(
    fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n, bool b)
{
	uint64_t k;

	if (m == n) {
		if (!b) {
			ref_mth(p->hash[p->n++], d, n);
		}
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(p, m, d, k, b);
		ref_mth(p->hash[p->n++], d + k, n - k);
	} else {
		ref_subproof(p, m - k, d + k, n - k, false);
		ref_mth(p->hash[p->n++], d, k);
	}
}

void
assert_proof_equal(const fs_merkle_proof *a, const fs_merkle_proof *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->hash, b->hash, a->n * HB);
}

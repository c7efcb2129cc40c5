// SPDX-License-Identifier: Apache-2.0
//
// test_merkle.c -- RFC 9162 Merkle trees: proofs generated for every tree
// of 1 to 70 leaves checked against a direct transcription of the RFC's
// recursive definitions (merkle_ref.c), and the refusals and store errors.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "tests/crypto/merkle_ref.h"

static void
tamper(fs_merkle_proof *p, size_t i, int bit)
{
	p->hash[i][bit / 8] ^= (uint8_t) (1u << (bit % 8));
}

// Every tree of 1..70 leaves: the incremental root, the root from storage
// and the rebuilt state equal the RFC's MTH; every inclusion and
// consistency proof equals the RFC's PATH and PROOF, verifies, and stops
// verifying when a bit, an index or a size changes.
static void
test_generated_proofs(void **state)
{
	enum { N = 70 };
	uint8_t         leaves[N][HB], roots[N + 1][HB], r[HB];
	fs_merkle_mem  *m;
	fs_merkle_state st, st2;
	fs_merkle_proof p, ref;
	uint64_t        n, i;

	(void) state;
	assert_int_equal(fs_merkle_mem_create(&m), FS_OK);
	fs_merkle_state_init(&st);
	fs_merkle_empty_root(roots[0]);
	fs_merkle_state_root(&st, r);
	assert_memory_equal(r, roots[0], HB);
	for (n = 1; n <= N; n++) {
		uint8_t e[8];

		for (int b = 0; b < 8; b++) {
			e[b] = (uint8_t) ((n - 1) >> (8 * (7 - b)));
		}
		fs_merkle_leaf_hash(leaves[n - 1], e, sizeof(e));
		assert_int_equal(
		    fs_merkle_state_append(&st, leaves[n - 1], NULL, NULL),
		    FS_OK);
		assert_int_equal(fs_merkle_mem_append(m, leaves[n - 1]), FS_OK);
		ref_mth(roots[n], (const uint8_t(*)[HB]) leaves, n);
		fs_merkle_state_root(&st, r);
		assert_memory_equal(r, roots[n], HB);
		fs_merkle_root(r, leaves[0], n);
		assert_memory_equal(r, roots[n], HB);
	}

	for (n = 1; n <= N; n++) {
		assert_int_equal(
		    fs_merkle_root_at(r, n, fs_merkle_mem_get, m), FS_OK);
		assert_memory_equal(r, roots[n], HB);
		assert_int_equal(
		    fs_merkle_state_load(&st2, n, fs_merkle_mem_get, m), FS_OK);
		fs_merkle_state_root(&st2, r);
		assert_memory_equal(r, roots[n], HB);

		for (i = 0; i < n; i++) {
			assert_int_equal(fs_merkle_prove_inclusion(
			                     &p, i, n, fs_merkle_mem_get, m),
			    FS_OK);
			ref.n = 0;
			ref_path(&ref, i, (const uint8_t(*)[HB]) leaves, n);
			assert_proof_equal(&p, &ref);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n]),
			    FS_OK);
			// Wrong index, leaf, root; a flipped bit; a hash too
			// many or too few.  (A size alone is not bound: the
			// proof for leaf 0 of 3 leaves fits 4 leaves too, and
			// only the root, signed with its size, tells them
			// apart.)
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i ^ 1, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			assert_int_equal(
			    fs_merkle_verify_inclusion(
			        leaves[(i + 1) % N], i, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n - 1]),
			    FS_ERR_BAD_PROOF);
			for (size_t j = 0; j < p.n; j++) {
				tamper(&p, j, (int) (i * 7 + j) % 256);
				assert_int_equal(
				    fs_merkle_verify_inclusion(
				        leaves[i], i, n, &p, roots[n]),
				    FS_ERR_BAD_PROOF);
				tamper(&p, j, (int) (i * 7 + j) % 256);
			}
			memset(p.hash[p.n++], 0x5a, HB);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			if (p.n >= 2) {
				p.n -= 2;
				assert_int_equal(
				    fs_merkle_verify_inclusion(
				        leaves[i], i, n, &p, roots[n]),
				    FS_ERR_BAD_PROOF);
			}
		}

		for (i = 1; i <= n; i++) {
			assert_int_equal(fs_merkle_prove_consistency(
			                     &p, i, n, fs_merkle_mem_get, m),
			    FS_OK);
			ref.n = 0;
			ref_subproof(
			    &ref, i, (const uint8_t(*)[HB]) leaves, n, true);
			assert_proof_equal(&p, &ref);
			assert_int_equal(fs_merkle_verify_consistency(
			                     i, n, roots[i], roots[n], &p),
			    FS_OK);
			assert_int_equal(fs_merkle_verify_consistency(
			                     i, n, roots[n], roots[i], &p),
			    i == n ? FS_OK : FS_ERR_BAD_PROOF);
			if (i > 1) {
				assert_int_equal(
				    fs_merkle_verify_consistency(
				        i - 1, n, roots[i - 1], roots[n], &p),
				    FS_ERR_BAD_PROOF);
			}
			for (size_t j = 0; j < p.n; j++) {
				tamper(&p, j, (int) (i * 5 + j) % 256);
				assert_int_equal(fs_merkle_verify_consistency(i,
				                     n, roots[i], roots[n], &p),
				    FS_ERR_BAD_PROOF);
				tamper(&p, j, (int) (i * 5 + j) % 256);
			}
			if (p.n > 0) {
				p.n--;
				assert_int_equal(fs_merkle_verify_consistency(i,
				                     n, roots[i], roots[n], &p),
				    FS_ERR_BAD_PROOF);
			}
		}
	}
	fs_merkle_mem_free(m);
}

static fs_err
get_fails(void *arg, uint64_t level, uint64_t index, uint8_t out[HB])
{
	(void) arg;
	(void) level;
	(void) index;
	(void) out;
	return (FS_ERR_IO);
}

static fs_err
put_fails(void *arg, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	(void) hash;
	(void) index;
	// Fail on the first subtree above the leaf.
	return (level == 1 ? *(fs_err *) arg : FS_OK);
}

static void
test_refusals_and_errors(void **state)
{
	fs_merkle_proof p = { .n = 3 };
	fs_merkle_state st, before;
	uint8_t         h[HB] = { 0 };
	fs_err          io    = FS_ERR_IO;

	(void) state;
	assert_int_equal(fs_merkle_prove_inclusion(&p, 5, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	assert_int_equal(fs_merkle_prove_consistency(&p, 0, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	assert_int_equal(fs_merkle_prove_consistency(&p, 6, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	// The store's error comes back unchanged; the proof is untouched.
	assert_int_equal(
	    fs_merkle_prove_inclusion(&p, 1, 5, get_fails, NULL), FS_ERR_IO);
	assert_int_equal(
	    fs_merkle_prove_consistency(&p, 3, 5, get_fails, NULL), FS_ERR_IO);
	assert_int_equal(p.n, 3);
	// A tree of one leaf needs no stored hash for either proof.
	assert_int_equal(
	    fs_merkle_prove_inclusion(&p, 0, 1, get_fails, NULL), FS_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(fs_merkle_root_at(h, 0, get_fails, NULL), FS_OK);
	assert_int_equal(fs_merkle_state_load(&st, 0, get_fails, NULL), FS_OK);
	assert_int_equal(
	    fs_merkle_state_load(&st, 3, get_fails, NULL), FS_ERR_IO);

	// A failed put leaves the state as it was.
	fs_merkle_state_init(&st);
	assert_int_equal(fs_merkle_state_append(&st, h, put_fails, &io), FS_OK);
	before = st;
	assert_int_equal(
	    fs_merkle_state_append(&st, h, put_fails, &io), FS_ERR_IO);
	assert_memory_equal(&st, &before, sizeof(st));

	// A full tree refuses more leaves.
	st.size = UINT64_MAX;
	assert_int_equal(
	    fs_merkle_state_append(&st, h, NULL, NULL), FS_ERR_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_proofs),
		cmocka_unit_test(test_refusals_and_errors),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

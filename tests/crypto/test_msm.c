// SPDX-License-Identifier: Apache-2.0
//
// test_msm.c -- the fast multi-scalar multiplication against a plain one,
// on random and edge-case terms, and the inputs it refuses.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES

static void
random_point(uint8_t p[static EB])
{
	uint8_t h[crypto_core_ristretto255_HASHBYTES];

	randombytes_buf(h, sizeof(h));
	crypto_core_ristretto255_from_hash(p, h);
}

static void
test_msm_matches_naive(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 16, 33, 100, 257 };
	uint8_t            *s       = malloc(257 * SB);
	uint8_t            *p       = malloc(257 * EB);
	uint8_t             a[EB], b[EB];

	(void) state;
	assert_true(s && p);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		size_t n = sizes[t];

		for (size_t i = 0; i < n; i++) {
			crypto_core_ristretto255_scalar_random(s + i * SB);
			random_point(p + i * EB);
		}
		if (n >= 7) {
			// Zero and tiny scalars, the identity, a repeated
			// point, a point and its negation, the largest scalar.
			memset(s, 0, SB);
			memset(s + SB, 0, SB);
			s[SB] = 1;
			memset(p + 2 * EB, 0, EB);
			memcpy(p + 3 * EB, p + 4 * EB, EB);
			memcpy(s + 3 * SB, s + 4 * SB, SB);
			memcpy(p + 5 * EB, p + 6 * EB, EB);
			crypto_core_ristretto255_scalar_negate(
			    s + 5 * SB, s + 6 * SB);
			memcpy(s + 4 * SB,
			    "\xec\xd3\xf5\x5c\x1a\x63\x12\x58\xd6"
			    "\x9c\xf7\xa2\xde\xf9\xde\x14\0\0\0\0\0"
			    "\0\0\0\0\0\0\0\0\0\0\x10",
			    SB);
		}
		assert_int_equal(fs_msm(a, s, p, n), FS_OK);
		assert_int_equal(fs_msm_naive(b, s, p, n), FS_OK);
		assert_memory_equal(a, b, EB);
	}
	// Terms that cancel give the identity.
	random_point(p);
	memcpy(p + EB, p, EB);
	crypto_core_ristretto255_scalar_random(s);
	crypto_core_ristretto255_scalar_negate(s + SB, s);
	assert_int_equal(fs_msm(a, s, p, 2), FS_OK);
	assert_true(sodium_is_zero(a, EB));
	// A point that does not decode, or only with its top bit ignored.
	memcpy(p + EB, p, EB);
	p[2 * EB - 1] |= 0x80;
	assert_int_equal(fs_msm(a, s, p, 2), FS_ERR_MALFORMED);
	assert_int_equal(fs_msm_naive(a, s, p, 2), FS_ERR_MALFORMED);
	memset(p + EB, 0xff, EB);
	assert_int_equal(fs_msm(a, s, p, 2), FS_ERR_MALFORMED);
	assert_int_equal(fs_msm_naive(a, s, p, 2), FS_ERR_MALFORMED);
	// Scalars must be reduced.
	random_point(p + EB);
	s[SB - 1] |= 0x20;
	assert_int_equal(fs_msm(a, s, p, 2), FS_ERR_INVALID);
	assert_int_equal(fs_msm_naive(a, s, p, 2), FS_ERR_INVALID);
	free(s);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msm_matches_naive),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

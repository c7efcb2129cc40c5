// SPDX-License-Identifier: Apache-2.0
//
// test_msm.c -- the hand-written ristretto255 arithmetic and multi-scalar
// multiplication (crypto/ristretto.c, crypto/msm.c) against libsodium's
// constant-time code, with the checks of the fuzz harness
// (tests/fuzz/msm_diff.c): its seed corpus, a few thousand inputs drawn
// from a fixed seed, batches of distinct points at every window width up
// to the DLEQ batch sizes, field elements at the edges of the encoding,
// and the edge cases of the scalars and points.

#include <sodium.h>

#include <dirent.h>
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
#include "tests/fuzz/msm_diff.h"
#include "tests/node/fixture.h"
#include "tests/vectors.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES

// The group order L and the field's prime p, little-endian.
static const uint8_t order[SB] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12,
	0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t prime[EB]
    = { 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
static const uint8_t identity[EB] = { 0 };

// det fills buf from a fixed seed: the same bytes at every run.
static void
det(void *buf, size_t len)
{
	static uint64_t ctr;
	uint8_t         seed[randombytes_SEEDBYTES] = "fedscore test_msm";

	memcpy(seed + 24, &ctr, sizeof(ctr));
	ctr++;
	randombytes_buf_deterministic(buf, len, seed);
}

static void
det_scalar(uint8_t s[static SB])
{
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];

	det(wide, sizeof(wide));
	crypto_core_ristretto255_scalar_reduce(s, wide);
}

static void
det_point(uint8_t p[static EB])
{
	uint8_t h[crypto_core_ristretto255_HASHBYTES];

	det(h, sizeof(h));
	crypto_core_ristretto255_from_hash(p, h);
}

static void
test_msm_edges(void **state)
{
	uint8_t s[4 * SB], p[4 * EB], out[EB], want[EB];

	(void) state;
	det_point(p);
	det_point(p + EB);

	// n = 0: the identity.
	memset(out, 0xaa, EB);
	assert_int_equal(fs_msm(out, s, p, 0), FS_OK);
	assert_true(sodium_is_zero(out, EB));
	assert_true(msm_diff_terms(s, p, 0, true));

	// n = 1: zero, one, L - 1 (the negation), L (zero, not reduced),
	// L + 1 (one), 2^253 - 1 (the largest accepted).
	memset(s, 0, SB);
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);
	assert_true(sodium_is_zero(out, EB));
	s[0] = 1;
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);
	assert_memory_equal(out, p, EB);
	memcpy(s, order, SB);
	s[0]--;
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);
	crypto_core_ristretto255_sub(want, identity, p);
	assert_memory_equal(out, want, EB);
	assert_true(msm_diff_terms(s, p, 1, true));
	memcpy(s, order, SB);
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);
	assert_true(sodium_is_zero(out, EB));
	s[0]++;
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);
	assert_memory_equal(out, p, EB);
	memset(s, 0xff, SB);
	s[31] = 0x1f;
	assert_true(msm_diff_terms(s, p, 1, true));
	assert_int_equal(fs_msm(out, s, p, 1), FS_OK);

	// 2^253 and above are refused, whatever the points.
	s[31] = 0x20;
	assert_int_equal(fs_msm(out, s, p, 1), FS_ERR_INVALID);
	assert_true(msm_diff_terms(s, p, 1, true));

	// The identity as a point, alone and among others.
	det_scalar(s);
	det_scalar(s + SB);
	memset(p + EB, 0, EB);
	assert_int_equal(fs_msm(out, s, p + EB, 1), FS_OK);
	assert_true(sodium_is_zero(out, EB));
	assert_true(msm_diff_terms(s, p, 2, true));

	// n = 2: a point and its negation with one scalar: the identity;
	// the same point twice; s * P + (L - s) * P.
	crypto_core_ristretto255_sub(p + EB, p + EB, p);
	memcpy(s + SB, s, SB);
	assert_int_equal(fs_msm(out, s, p, 2), FS_OK);
	assert_true(sodium_is_zero(out, EB));
	memcpy(p + EB, p, EB);
	assert_true(msm_diff_terms(s, p, 2, true));
	crypto_core_ristretto255_scalar_negate(s + SB, s);
	assert_int_equal(fs_msm(out, s, p, 2), FS_OK);
	assert_true(sodium_is_zero(out, EB));

	// Points that do not decode: the top bit set on a valid one, a
	// negative one, a field element not below p; a scalar out of range
	// is reported first.
	det_point(p + EB);
	det_point(p + 2 * EB);
	det_scalar(s + 2 * SB);
	p[EB + 31] |= 0x80;
	assert_int_equal(fs_msm(out, s, p, 3), FS_ERR_MALFORMED);
	assert_true(msm_diff_terms(s, p, 3, true));
	p[EB + 31] &= 0x7f;
	p[EB] |= 1;
	assert_int_equal(fs_msm(out, s, p, 3), FS_ERR_MALFORMED);
	assert_true(msm_diff_terms(s, p, 3, true));
	memcpy(p + EB, prime, EB);
	assert_int_equal(fs_msm(out, s, p, 3), FS_ERR_MALFORMED);
	assert_true(msm_diff_terms(s, p, 3, true));
	s[2 * SB + 31] = 0xff;
	assert_int_equal(fs_msm(out, s, p, 3), FS_ERR_INVALID);
	assert_true(msm_diff_terms(s, p, 3, true));
}

// test_msm_corpus replays the fuzz harness's seed corpus.
static void
test_msm_corpus(void **state)
{
	const char    *dir = getenv("FS_MSM_CORPUS");
	struct dirent *e;
	DIR           *d;
	int            n = 0;

	(void) state;
	if (dir == NULL) {
		skip();
	}
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		char     path[4096];
		uint8_t *data;
		size_t   len;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		data = vec_read(path, &len);
		if (!msm_diff_input(data, len)) {
			fail_msg("%s differs", path);
		}
		free(data);
		n++;
	}
	closedir(d);
	assert_true(n > 0);
}

// test_msm_random_inputs runs inputs of the fuzz harness's format drawn
// from a fixed seed, with at most 63 terms each (the batches come next).
static void
test_msm_random_inputs(void **state)
{
	uint8_t buf[512];

	(void) state;
	for (int i = 0; i < 2000; i++) {
		uint16_t len;

		det(&len, sizeof(len));
		len %= sizeof(buf);
		det(buf, len);
		if (len > 0) {
			buf[0] %= 240;
		}
		if (!msm_diff_input(buf, len)) {
			fail_msg("input %d differs", i);
		}
	}
}

// test_msm_batches compares batches of distinct points on either side of
// each change of fs_msm's window width (2 to 10 bits), and at the DLEQ
// batch sizes, with reduced scalars as the DLEQ weights are, scalars not
// reduced, and small ones.
static void
test_msm_batches(void **state)
{
	static const size_t sizes[] = { 5, 6, 21, 22, 60, 61, 64, 180, 181, 256,
		425, 426, 888, 889, 1024, 2852, 2853, 4096, 5046, 5047 };
	size_t              max     = 5047;
	uint8_t            *s = malloc(max * SB), *p = malloc(max * EB);

	(void) state;
	assert_true(s != NULL && p != NULL);
	for (size_t i = 0; i < max; i++) {
		det_point(p + i * EB);
	}
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		size_t n = sizes[t];

		for (size_t i = 0; i < n; i++) {
			uint8_t *si = s + i * SB;

			switch ((t + i) % 3) {
			case 0:
				det_scalar(si);
				break;
			case 1:
				det(si, SB);
				si[31] &= 0x1f;
				break;
			default:
				memset(si, 0, SB);
				det(si, 2);
				break;
			}
		}
		if (!msm_diff_terms(s, p, n, n <= 256)) {
			fail_msg("a batch of %zu differs", n);
		}
	}
	// 4096 terms that cancel: the identity.
	for (size_t i = 0; i < 2048; i++) {
		det_scalar(s + i * SB);
		memcpy(p + (2048 + i) * EB, p + i * EB, EB);
		crypto_core_ristretto255_scalar_negate(
		    s + (2048 + i) * SB, s + i * SB);
	}
	assert_true(msm_diff_terms(s, p, 4096, false));
	free(s);
	free(p);
}

// test_encodings compares decoding on the small and large canonical field
// elements, those not below p, random ones, and valid ones with the top
// bit set.
static void
test_encodings(void **state)
{
	uint8_t e[EB], kk[EB];
	int     valid = 0;

	(void) state;
	for (unsigned k = 0; k < 4096; k++) {
		memset(e, 0, EB);
		e[0] = (uint8_t) k;
		e[1] = (uint8_t) (k >> 8);
		assert_true(msm_diff_encoding(e));
		// p - k, and p + k up to 2^255 - 1
		memset(kk, 0, EB);
		kk[0] = (uint8_t) k;
		kk[1] = (uint8_t) (k >> 8);
		memcpy(e, prime, EB);
		sodium_sub(e, kk, EB);
		assert_true(msm_diff_encoding(e));
		valid += crypto_core_ristretto255_is_valid_point(e);
		if (k < 19) {
			memcpy(e, prime, EB);
			e[0] += (uint8_t) k;
			assert_true(msm_diff_encoding(e));
		}
	}
	for (int i = 0; i < 20000; i++) {
		det(e, EB);
		if (i % 2 == 0) {
			e[0] &= 0xfe;
			e[31] &= 0x7f;
		}
		assert_true(msm_diff_encoding(e));
		valid += (e[31] & 0x80) == 0
		    && crypto_core_ristretto255_is_valid_point(e);
		if (i % 10 == 0) {
			det_point(e);
			assert_true(msm_diff_encoding(e));
			e[31] |= 0x80;
			assert_true(msm_diff_encoding(e));
		}
	}
	// Not vacuous: some of them decode.
	assert_true(valid > 100);
}

// test_group_ops compares the point additions and doublings on random
// points, multiples of the base, a point with itself and its negation,
// and the identity.
static void
test_group_ops(void **state)
{
	uint8_t a[EB], b[EB], s[SB];

	(void) state;
	memset(b, 0, EB);
	for (int i = 0; i < 500; i++) {
		det_point(a);
		switch (i % 5) {
		case 0:
			det_point(b);
			break;
		case 1:
			det_scalar(s);
			assert_int_equal(
			    crypto_scalarmult_ristretto255_base(b, s), 0);
			break;
		case 2:
			memcpy(b, a, EB);
			break;
		case 3:
			crypto_core_ristretto255_sub(b, identity, a);
			break;
		default:
			memset(b, 0, EB);
			break;
		}
		assert_true(msm_diff_ops(a, b));
		assert_true(msm_diff_ops(b, a));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msm_edges),
		cmocka_unit_test(test_msm_corpus),
		cmocka_unit_test(test_msm_random_inputs),
		cmocka_unit_test(test_msm_batches),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_group_ops),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

// SPDX-License-Identifier: Apache-2.0
//
// msm.c -- sums of multiples of ristretto255 points (multi-scalar
// multiplication), for the composites and checks of the DLEQ proofs.
//
// A VOPRF server evaluates k * C[i] for each blinded element and proves it
// with the composite M = sum d[i] * C[i].  Done with libsodium's public
// API, M costs one more scalar multiplication and one point addition per
// element, more than the evaluation itself, which would halve the
// server's rate.  libsodium exposes no group arithmetic, so the composite
// is computed here on the group arithmetic of ristretto.c: Pippenger's
// bucket method in variable time, which is safe because the weights d[i]
// and the points are public (no secret ever reaches this file).  It costs
// about one ristretto255 decoding and forty mixed additions per point.
// Without a 128-bit integer type, fs_msm falls back to fs_msm_naive.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"

// scalars_ok checks the contract of both versions: below 2^253, as every
// reduced scalar is.
static bool
scalars_ok(const uint8_t *scalars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (scalars[i * FS_OPRF_SCALAR_BYTES + 31] & 0xe0) {
			return (false);
		}
	}
	return (true);
}

fs_err
fs_msm_naive(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	uint8_t acc[FS_OPRF_ELEMENT_BYTES] = { 0 };
	uint8_t q[FS_OPRF_ELEMENT_BYTES];

	if (!scalars_ok(scalars, n)) {
		return (FS_ERR_INVALID);
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = points + i * FS_OPRF_ELEMENT_BYTES;

		// libsodium 1.0.18 ignores the top bit; RFC 9496 refuses it.
		if ((p[31] & 0x80) != 0
		    || !crypto_core_ristretto255_is_valid_point(p)) {
			return (FS_ERR_MALFORMED);
		}
		// libsodium refuses to return the identity; a zero term adds
		// nothing.
		if (crypto_scalarmult_ristretto255(
		        q, scalars + i * FS_OPRF_SCALAR_BYTES, p)
		    != 0) {
			continue;
		}
		crypto_core_ristretto255_add(acc, acc, q);
	}
	memcpy(out, acc, sizeof(acc));
	return (FS_OK);
}

#ifndef __SIZEOF_INT128__

fs_err
fs_msm(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	return (fs_msm_naive(out, scalars, points, n));
}

#else

// A bucket or a running sum that may still be empty, to spare additions
// with the identity.
typedef struct acc {
	fs_ge p;
	bool  set;
} acc;

static void
acc_add(acc *a, const fs_ge *p)
{
	if (a->set) {
		fs_ge_add(&a->p, &a->p, p);
	} else {
		a->p   = *p;
		a->set = true;
	}
}

// window picks the digit width c that minimizes the multiplications:
// ceil(254 / c) windows, each with a mixed addition (7) per point and two
// additions (9 each) per bucket, 2^(c-1) buckets.
static int
window(size_t n)
{
	int    best = 2;
	double cost = 1e300;

	for (int c = 2; c <= 16; c++) {
		double w = (254 + c - 1) / c;
		double k = w * (7 * (double) n + 9 * (double) (1u << c));

		if (k < cost) {
			cost = k;
			best = c;
		}
	}
	return (best);
}

// recode writes the signed digits of s in base 2^c, lowest first, each in
// (-2^(c-1), 2^(c-1)]; s < 2^253 and c * nw >= 254 leave no carry.
static void
recode(int16_t *dig, size_t stride, const uint8_t s[static 32], int c, int nw)
{
	int carry = 0;

	for (int j = 0; j < nw; j++) {
		int      bit = j * c, byte = bit / 8;
		uint32_t w = 0;
		int      v;

		for (int k = 2; k >= 0; k--) {
			w = (w << 8) | (byte + k < 32 ? s[byte + k] : 0);
		}
		v = (int) ((w >> (bit % 8)) & ((1u << c) - 1)) + carry;
		if (v > (1 << (c - 1))) {
			v -= 1 << c;
			carry = 1;
		} else {
			carry = 0;
		}
		dig[(size_t) j * stride] = (int16_t) v;
	}
}

fs_err
fs_msm(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	int          c  = window(n);
	int          nw = (254 + c - 1) / c;
	size_t       nb = (size_t) 1 << (c - 1);
	fs_ge_niels *pts;
	int16_t     *dig;
	acc         *bk;
	acc          total = { .set = false };
	fs_err       rv    = FS_OK;

	if (!scalars_ok(scalars, n)) {
		return (FS_ERR_INVALID);
	}
	pts = malloc((n > 0 ? n : 1) * sizeof(*pts));
	dig = malloc((n > 0 ? n : 1) * (size_t) nw * sizeof(*dig));
	bk  = malloc(nb * sizeof(*bk));
	if (pts == NULL || dig == NULL || bk == NULL) {
		rv = FS_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (!fs_ge_decode(
		        &pts[i], points + i * FS_OPRF_ELEMENT_BYTES)) {
			rv = FS_ERR_MALFORMED;
			goto done;
		}
		recode(dig + i, n, scalars + i * FS_OPRF_SCALAR_BYTES, c, nw);
	}
	for (int j = nw - 1; j >= 0; j--) {
		const int16_t *dj  = dig + (size_t) j * n;
		acc            run = { .set = false }, sum = { .set = false };

		if (total.set) {
			for (int k = 0; k < c; k++) {
				fs_ge_dbl(&total.p, &total.p);
			}
		}
		for (size_t b = 0; b < nb; b++) {
			bk[b].set = false;
		}
		for (size_t i = 0; i < n; i++) {
			int  v   = dj[i];
			bool neg = v < 0;
			acc *a;

			if (v == 0) {
				continue;
			}
			a = &bk[(neg ? -v : v) - 1];
			if (a->set) {
				fs_ge_madd(&a->p, &a->p, &pts[i], neg);
			} else {
				fs_ge_from_niels(&a->p, &pts[i], neg);
				a->set = true;
			}
		}
		// sum = sum over b of (b + 1) * bucket[b], by running sums.
		for (size_t b = nb; b-- > 0;) {
			if (bk[b].set) {
				acc_add(&run, &bk[b].p);
			}
			if (run.set) {
				acc_add(&sum, &run.p);
			}
		}
		if (sum.set) {
			acc_add(&total, &sum.p);
		}
	}
	if (!total.set) {
		fs_ge_identity(&total.p);
	}
	fs_ge_encode(out, &total.p);
done:
	free(pts);
	free(dig);
	free(bk);
	return (rv);
}

#endif // __SIZEOF_INT128__

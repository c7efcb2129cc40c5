// SPDX-License-Identifier: Apache-2.0
//
// msm_diff.c -- the differential checks of msm_diff.h, and the reading of
// fuzz input into scalars and points.
//
// Input format.  Byte 0 chooses n: below 192, n = byte % 16; below 240,
// n = byte - 176 (16 to 63); otherwise one of `big` (64 to 4096: the
// sizes on either side of each change of fs_msm's window width, and the
// DLEQ batches of 256 and 4096).  Byte 1 chooses how terms are made once
// the input is used up (fill).  Then come the terms, each a scalar kind
// byte and its bytes, then a point kind byte and its bytes (read_scalar,
// read_point).  Bytes wanted past the end of the input come from a
// ChaCha20 stream keyed with the BLAKE2b hash of the input, so that a
// short input still makes n terms, always the same ones.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"
#include "tests/fuzz/msm_diff.h"

#define SB FS_OPRF_SCALAR_BYTES
#define EB FS_OPRF_ELEMENT_BYTES

// The group order L, little-endian.
static const uint8_t order[SB] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12,
	0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };

// The ristretto255 generator's encoding.
static const uint8_t generator[EB]
    = { 0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61,
	      0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd,
	      0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76 };

static const uint8_t identity[EB] = { 0 };

static void
hex(const char *label, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s ", label);
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%02x", p[i]);
	}
	fputc('\n', stderr);
}

static void
report_terms(const char *what, const uint8_t *scalars, const uint8_t *points,
    size_t n, fs_err want, const uint8_t *w, fs_err got, const uint8_t *g)
{
	fprintf(stderr, "msm_diff: %s differs from the reference, n = %zu\n",
	    what, n);
	for (size_t i = 0; i < n && i < 16; i++) {
		fprintf(stderr, "term %zu\n", i);
		hex("  scalar", scalars + i * SB, SB);
		hex("  point ", points + i * EB, EB);
	}
	fprintf(stderr, "reference: %s\n", fs_err_name(want));
	if (want == FS_OK) {
		hex("  ", w, EB);
	}
	fprintf(stderr, "%s: %s\n", what, fs_err_name(got));
	if (got == FS_OK) {
		hex("  ", g, EB);
	}
}

// A term of the reference, sorted by point.
typedef struct term {
	const uint8_t *s, *p;
} term;

static int
term_cmp(const void *a, const void *b)
{
	return (memcmp(((const term *) a)->p, ((const term *) b)->p, EB));
}

// msm_diff_ref adds up the scalars of each point first (mod L), then
// multiplies: the fuzzer's lists repeat points, which this makes cheap,
// and it sums in another order than fs_msm does.
fs_err
msm_diff_ref(uint8_t out[static 32], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	uint8_t acc[EB] = { 0 }, q[EB], r[SB], sum[SB];
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES] = { 0 };
	term   *t;

	for (size_t i = 0; i < n; i++) {
		if (scalars[i * SB + 31] & 0xe0) {
			return (FS_ERR_INVALID);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = points + i * EB;

		if ((p[31] & 0x80) != 0
		    || !crypto_core_ristretto255_is_valid_point(p)) {
			return (FS_ERR_MALFORMED);
		}
	}
	if ((t = malloc((n > 0 ? n : 1) * sizeof(*t))) == NULL) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		t[i] = (term) { scalars + i * SB, points + i * EB };
	}
	qsort(t, n, sizeof(*t), term_cmp);
	for (size_t i = 0; i < n;) {
		const uint8_t *p = t[i].p;

		memset(sum, 0, SB);
		for (; i < n && memcmp(t[i].p, p, EB) == 0; i++) {
			memcpy(wide, t[i].s, SB);
			crypto_core_ristretto255_scalar_reduce(r, wide);
			crypto_core_ristretto255_scalar_add(sum, sum, r);
		}
		// -1 for a valid point: the product is the identity.
		if (crypto_scalarmult_ristretto255(q, sum, p) == 0) {
			crypto_core_ristretto255_add(acc, acc, q);
		}
	}
	free(t);
	memcpy(out, acc, EB);
	return (FS_OK);
}

bool
msm_diff_terms(
    const uint8_t *scalars, const uint8_t *points, size_t n, bool naive)
{
	uint8_t want[EB], got[EB];
	fs_err  rw, rg;

	rw = msm_diff_ref(want, scalars, points, n);
	rg = fs_msm(got, scalars, points, n);
	if (rg != rw || (rw == FS_OK && memcmp(got, want, EB) != 0)) {
		report_terms("fs_msm", scalars, points, n, rw, want, rg, got);
		return (false);
	}
	if (!naive) {
		return (true);
	}
	rg = fs_msm_naive(got, scalars, points, n);
	if (rg != rw || (rw == FS_OK && memcmp(got, want, EB) != 0)) {
		report_terms(
		    "fs_msm_naive", scalars, points, n, rw, want, rg, got);
		return (false);
	}
	return (true);
}

#ifdef __SIZEOF_INT128__

// same tells whether p encodes to want, and reports it if not.
static bool
same(const char *what, const fs_ge *p, const uint8_t want[static EB],
    const uint8_t a[static EB], const uint8_t b[static EB])
{
	uint8_t got[EB];

	fs_ge_encode(got, p);
	if (memcmp(got, want, EB) == 0) {
		return (true);
	}
	fprintf(stderr, "msm_diff: %s differs from libsodium\n", what);
	hex("  a        ", a, EB);
	hex("  b        ", b, EB);
	hex("  libsodium", want, EB);
	hex("  fs_ge    ", got, EB);
	return (false);
}

bool
msm_diff_encoding(const uint8_t p[static 32])
{
	fs_ge_niels q;
	fs_ge       g;
	uint8_t     neg[EB];
	bool        ours, theirs;

	ours = fs_ge_decode(&q, p);
	theirs
	    = (p[31] & 0x80) == 0 && crypto_core_ristretto255_is_valid_point(p);
	if (ours != theirs || fs_point_decodes(p) != theirs) {
		fprintf(stderr,
		    "msm_diff: decoding differs: fs_ge_decode %d, "
		    "fs_point_decodes %d, libsodium %d\n",
		    ours, fs_point_decodes(p), theirs);
		hex("  encoding", p, EB);
		return (false);
	}
	if (!ours) {
		return (true);
	}
	fs_ge_from_niels(&g, &q, false);
	if (!same("decoding then encoding", &g, p, p, p)) {
		return (false);
	}
	if (crypto_core_ristretto255_sub(neg, identity, p) != 0) {
		abort();
	}
	fs_ge_from_niels(&g, &q, true);
	return (same("negation", &g, neg, p, p));
}

bool
msm_diff_ops(const uint8_t a[static 32], const uint8_t b[static 32])
{
	fs_ge_niels na, nb;
	fs_ge       A, B, I, R, S;
	uint8_t     sum[EB], diff[EB], dbl[EB], nega[EB], t[EB], t2[EB];
	bool        ok = true;

	if (!fs_ge_decode(&na, a) || !fs_ge_decode(&nb, b)) {
		return (true);
	}
	if (crypto_core_ristretto255_add(sum, a, b) != 0
	    || crypto_core_ristretto255_sub(diff, a, b) != 0
	    || crypto_core_ristretto255_add(dbl, a, a) != 0
	    || crypto_core_ristretto255_sub(nega, identity, a) != 0) {
		abort(); // both decode for libsodium too
	}
	fs_ge_from_niels(&A, &na, false);
	fs_ge_from_niels(&B, &nb, false);

	fs_ge_add(&R, &A, &B);
	ok &= same("a + b (add)", &R, sum, a, b);
	fs_ge_madd(&R, &A, &nb, false);
	ok &= same("a + b (madd)", &R, sum, a, b);
	fs_ge_madd(&R, &A, &nb, true);
	ok &= same("a - b (madd)", &R, diff, a, b);
	fs_ge_dbl(&R, &A);
	ok &= same("2a (dbl)", &R, dbl, a, b);
	fs_ge_add(&R, &A, &A);
	ok &= same("a + a (add)", &R, dbl, a, b);
	fs_ge_madd(&R, &A, &na, true);
	ok &= same("a - a (madd)", &R, identity, a, b);

	// In place, as msm.c calls them.
	R = A;
	fs_ge_add(&R, &R, &B);
	ok &= same("a + b (add in place)", &R, sum, a, b);
	R = A;
	fs_ge_madd(&R, &R, &nb, true);
	ok &= same("a - b (madd in place)", &R, diff, a, b);
	R = A;
	fs_ge_dbl(&R, &R);
	ok &= same("2a (dbl in place)", &R, dbl, a, b);

	// Points whose Z is no longer the 2 of fs_ge_from_niels.
	fs_ge_dbl(&S, &A);
	fs_ge_add(&S, &S, &B);
	crypto_core_ristretto255_add(t, dbl, b);
	ok &= same("2a + b", &S, t, a, b);
	fs_ge_madd(&S, &S, &na, true);
	ok &= same("2a + b - a", &S, sum, a, b);
	fs_ge_dbl(&S, &S);
	crypto_core_ristretto255_add(t, sum, sum);
	ok &= same("2(a + b)", &S, t, a, b);
	fs_ge_add(&S, &S, &S);
	crypto_core_ristretto255_add(t2, t, t);
	ok &= same("4(a + b) (add to itself)", &S, t2, a, b);

	// The identity, as msm.c starts from it.
	fs_ge_identity(&I);
	ok &= same("identity", &I, identity, a, b);
	fs_ge_add(&R, &I, &A);
	ok &= same("0 + a (add)", &R, a, a, b);
	fs_ge_madd(&R, &I, &na, true);
	ok &= same("0 - a (madd)", &R, nega, a, b);
	fs_ge_dbl(&R, &I);
	ok &= same("2 * 0 (dbl)", &R, identity, a, b);
	return (ok);
}

#else // !__SIZEOF_INT128__: fs_msm is fs_msm_naive, no fs_ge_*.

bool
msm_diff_encoding(const uint8_t p[static 32])
{
	(void) p;
	return (true);
}

bool
msm_diff_ops(const uint8_t a[static 32], const uint8_t b[static 32])
{
	(void) a;
	(void) b;
	return (true);
}

#endif // __SIZEOF_INT128__

// The reader: the input, then the stream.
typedef struct rd {
	const uint8_t *p;
	size_t         n;
	uint8_t        key[crypto_stream_chacha20_ietf_KEYBYTES];
	uint32_t       ic;
	uint8_t        blk[64];
	size_t         used;
} rd;

static void
rd_init(rd *r, const uint8_t *data, size_t size)
{
	r->p = data;
	r->n = size;
	crypto_generichash(r->key, sizeof(r->key), data, size, NULL, 0);
	r->ic   = 0;
	r->used = sizeof(r->blk);
}

static void
rd_bytes(rd *r, uint8_t *out, size_t len)
{
	static const uint8_t zero[64];
	static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES];

	for (size_t i = 0; i < len; i++) {
		if (r->n > 0) {
			out[i] = *r->p++;
			r->n--;
			continue;
		}
		if (r->used == sizeof(r->blk)) {
			crypto_stream_chacha20_ietf_xor_ic(r->blk, zero,
			    sizeof(r->blk), nonce, r->ic++, r->key);
			r->used = 0;
		}
		out[i] = r->blk[r->used++];
	}
}

static uint8_t
rd_byte(rd *r)
{
	uint8_t b;

	rd_bytes(r, &b, 1);
	return (b);
}

static void
reduced_scalar(rd *r, uint8_t s[static SB])
{
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];

	rd_bytes(r, wide, sizeof(wide));
	crypto_core_ristretto255_scalar_reduce(s, wide);
}

static void
hashed_point(rd *r, uint8_t p[static EB])
{
	uint8_t h[crypto_core_ristretto255_HASHBYTES];

	rd_bytes(r, h, sizeof(h));
	crypto_core_ristretto255_from_hash(p, h);
}

// base_point sets p to a multiple of the generator, which may be the
// identity (libsodium refuses to return it).
static void
base_point(rd *r, uint8_t p[static EB])
{
	uint8_t s[SB];

	rd_bytes(r, s, SB);
	if (crypto_scalarmult_ristretto255_base(p, s) != 0) {
		memset(p, 0, EB);
	}
}

// read_scalar makes one scalar; prev is the last one made.
static void
read_scalar(rd *r, uint8_t s[static SB], const uint8_t prev[static SB])
{
	uint8_t b;

	memset(s, 0, SB);
	switch (rd_byte(r) % 14) {
	case 0: // zero
		break;
	case 1: // one
		s[0] = 1;
		break;
	case 2: // L - 1, the largest reduced scalar
		memcpy(s, order, SB);
		s[0]--;
		break;
	case 3: // L itself, not reduced: zero
		memcpy(s, order, SB);
		break;
	case 4: // any below 2^253, which fs_msm accepts, reduced or not
		rd_bytes(r, s, SB);
		s[31] &= 0x1f;
		break;
	case 5: // any 32 bytes: 2^253 and above are refused
		rd_bytes(r, s, SB);
		break;
	case 6: // a reduced scalar, as the DLEQ weights are
		reduced_scalar(r, s);
		break;
	case 7: // 2^253 - 1, the largest accepted
		memset(s, 0xff, SB);
		s[31] = 0x1f;
		break;
	case 8: // one byte repeated: digits at the edges of their range
		memset(s, rd_byte(r), SB);
		s[31] &= 0x1f;
		break;
	case 9: // the previous one negated, reduced
		crypto_core_ristretto255_scalar_negate(s, prev);
		break;
	case 10: // the previous one again
		memcpy(s, prev, SB);
		break;
	case 11: // small
		s[0] = rd_byte(r);
		break;
	case 12: // a power of two below 2^253
		b        = rd_byte(r) % 253;
		s[b / 8] = (uint8_t) (1u << (b % 8));
		break;
	default: // L plus a small number, not reduced
		s[0] = rd_byte(r);
		sodium_add(s, order, SB);
		break;
	}
}

// read_point makes one encoding, valid or not; prev is the last one made.
static void
read_point(rd *r, uint8_t p[static EB], const uint8_t prev[static EB])
{
	memset(p, 0, EB);
	switch (rd_byte(r) % 11) {
	case 0: // the identity
		break;
	case 1:
		hashed_point(r, p);
		break;
	case 2:
		base_point(r, p);
		break;
	case 3: // any 32 bytes
		rd_bytes(r, p, EB);
		break;
	case 4: // the previous one again
		memcpy(p, prev, EB);
		break;
	case 5: // the previous one negated, if it decodes
		if (crypto_core_ristretto255_sub(p, identity, prev) != 0) {
			memcpy(p, prev, EB);
		}
		break;
	case 6:
		memcpy(p, generator, EB);
		break;
	case 7: // the previous one with the top bit set, which libsodium
		// 1.0.18 ignores and RFC 9496 refuses
		memcpy(p, prev, EB);
		p[31] |= 0x80;
		break;
	case 8: // a field element of p - 19 to 2^255 - 1: the largest
		// canonical ones (p - 1 decodes to y = 0), then those that
		// are not
		memset(p, 0xff, EB);
		p[0]  = (uint8_t) (0xda + rd_byte(r) % 38);
		p[31] = 0x7f;
		break;
	case 9: // any non-negative field element below 2^255
		rd_bytes(r, p, EB);
		p[0] &= 0xfe;
		p[31] &= 0x7f;
		break;
	default: // a small non-negative field element
		rd_bytes(r, p, 2);
		p[0] &= 0xfe;
		break;
	}
}

// The sizes past 63, either side of each change of fs_msm's window width
// (at 181, 426, 889, 2853) and the DLEQ batches.
static const size_t big[16] = { 64, 65, 100, 128, 180, 181, 256, 425, 426, 512,
	888, 889, 1024, 2852, 2853, 4096 };

// fill makes term i once the input is used up, by mode:
// 0: a reduced scalar and a hashed point, as in the DLEQ composites;
// 1: a scalar below 2^253 (reduced or not) and a multiple of the base;
// 2: the input's terms again, negated every other round, so that the
//    sum cancels to the identity after an even number of rounds;
// 3: a few points many times, with small or reduced scalars, so that
//    buckets gather the same point.
// Past FILL_DISTINCT made points, modes 0 and 1 take those points again
// with new scalars: the reference then costs that many multiplications
// however large n is (test_msm has batches of distinct points).
#define FILL_DISTINCT 64

static void
fill(rd *r, int mode, size_t i, size_t nexp, uint8_t *scalars, uint8_t *points,
    uint8_t pool[4][EB])
{
	uint8_t *s = scalars + i * SB, *p = points + i * EB;

	if (mode == 2 && nexp > 0) {
		size_t j = i % nexp;

		memcpy(p, points + j * EB, EB);
		if ((i / nexp) % 2 == 1) {
			crypto_core_ristretto255_scalar_negate(
			    s, scalars + j * SB);
		} else {
			memcpy(s, scalars + j * SB, SB);
		}
		return;
	}
	if (mode == 3) {
		memcpy(p, pool[rd_byte(r) % 4], EB);
		if (rd_byte(r) < 128) {
			memset(s, 0, SB);
			s[0] = rd_byte(r);
		} else {
			reduced_scalar(r, s);
		}
		return;
	}
	if (mode == 1) {
		rd_bytes(r, s, SB);
		s[31] &= 0x1f;
	} else {
		reduced_scalar(r, s);
	}
	if (i - nexp >= FILL_DISTINCT) {
		memcpy(
		    p, points + (nexp + (i - nexp) % FILL_DISTINCT) * EB, EB);
	} else if (mode == 1) {
		base_point(r, p);
	} else {
		hashed_point(r, p);
	}
}

bool
msm_diff_input(const uint8_t *data, size_t size)
{
	rd       r;
	uint8_t  b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
	uint8_t  pool[4][EB], one[SB]            = { 1 };
	uint8_t *scalars, *points, *sub_s, *sub_p;
	size_t   n, nexp = 0, m = 0, k;
	int      mode = b1 % 4;
	bool     ok   = true;

	if (b0 < 192) {
		n = b0 % 16;
	} else if (b0 < 240) {
		n = (size_t) b0 - 176;
	} else {
		n = big[b0 - 240];
	}
	rd_init(&r, data + (size > 2 ? 2 : size), size > 2 ? size - 2 : 0);
	scalars = malloc((n + 1) * SB);
	points  = malloc((n + 1) * EB);
	sub_s   = malloc((n + 1) * SB);
	sub_p   = malloc((n + 1) * EB);
	if (scalars == NULL || points == NULL || sub_s == NULL
	    || sub_p == NULL) {
		abort();
	}
	if (mode == 3) {
		for (int j = 0; j < 4; j++) {
			hashed_point(&r, pool[j]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (r.n > 0) {
			read_scalar(&r, scalars + i * SB,
			    i > 0 ? scalars + (i - 1) * SB : one);
			read_point(&r, points + i * EB,
			    i > 0 ? points + (i - 1) * EB : generator);
			nexp++;
		} else {
			fill(&r, mode, i, nexp, scalars, points, pool);
		}
	}

	// The decoding of the first 16 points, and the group operations on
	// the first 4 (each costs some twenty encodings).
	k = n < 16 ? n : 16;
	for (size_t i = 0; i < k; i++) {
		ok &= msm_diff_encoding(points + i * EB);
	}
	k = n < 4 ? n : 4;
	for (size_t i = 0; i < k; i++) {
		ok &= msm_diff_ops(
		    points + i * EB, points + (i + 1 < k ? i + 1 : 0) * EB);
	}

	// The whole list, which may be refused; then again without the
	// terms that make it refused, so that a refusal hides no sum.
	ok &= msm_diff_terms(scalars, points, n, n <= 64);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *s = scalars + i * SB, *p = points + i * EB;

		if ((s[31] & 0xe0) == 0 && (p[31] & 0x80) == 0
		    && crypto_core_ristretto255_is_valid_point(p)) {
			memcpy(sub_s + m * SB, s, SB);
			memcpy(sub_p + m * EB, p, EB);
			m++;
		}
	}
	if (m < n) {
		ok &= msm_diff_terms(sub_s, sub_p, m, m <= 64);
	}
	free(scalars);
	free(points);
	free(sub_s);
	free(sub_p);
	return (ok);
}

// SPDX-License-Identifier: Apache-2.0
//
// ristretto.c -- ristretto255 group arithmetic for the variable-time
// multi-scalar multiplication of msm.c, which libsodium does not expose.
//
// The field is GF(2^255 - 19) in five 51-bit limbs with 128-bit products;
// points are extended twisted Edwards coordinates (Hisil, Wong, Carter,
// Dawson 2008, formulas complete for a = -1); decoding and encoding follow
// RFC 9496 section 4.3.  Only public values pass here: nothing is constant
// time.  Built only where the compiler has a 128-bit integer type.

#include <stdbool.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "crypto/oprfimpl.h"

#ifdef __SIZEOF_INT128__

__extension__ typedef unsigned __int128 u128;

// The limb arithmetic is small and hot: inlined, it runs about a third
// faster at -O2.
#define FE_INLINE static inline __attribute__((always_inline))

#define MASK51 ((UINT64_C(1) << 51) - 1)

typedef fs_fe       fe;
typedef fs_ge       ge;
typedef fs_ge_niels ge_niels;

static const fe fe_one = { { 1, 0, 0, 0, 0 } };
static const fe fe_d = { { UINT64_C(929955233495203), UINT64_C(466365720129213),
    UINT64_C(1662059464998953), UINT64_C(2033849074728123),
    UINT64_C(1442794654840575) } };
static const fe fe_d2     = { { UINT64_C(1859910466990425),
	UINT64_C(932731440258426), UINT64_C(1072319116312658),
	UINT64_C(1815898335770999), UINT64_C(633789495995903) } };
static const fe fe_dinv   = { { UINT64_C(266592072628291),
      UINT64_C(853561038980284), UINT64_C(1943101592401754),
      UINT64_C(2007251003935334), UINT64_C(1135829554646364) } };
static const fe fe_sqrtm1 = { { UINT64_C(1718705420411056),
    UINT64_C(234908883556509), UINT64_C(2233514472574048),
    UINT64_C(2117202627021982), UINT64_C(765476049583133) } };
// 1/sqrt(a - d), a = -1
static const fe fe_invsqrtamd = { { UINT64_C(278908739862762),
    UINT64_C(821645201101625), UINT64_C(8113234426968),
    UINT64_C(1777959178193151), UINT64_C(2118520810568447) } };

static uint64_t
load64(const uint8_t *s)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | s[i];
	}
	return (v);
}

static void
store64(uint8_t *s, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		s[i] = (uint8_t) (v >> (8 * i));
	}
}

// The loops over limbs are written out: GCC's -O2 does not unroll them,
// and this file is all limb arithmetic.
FE_INLINE void
fe_carry(fe *h)
{
	uint64_t *v = h->v;

	v[1] += v[0] >> 51;
	v[0] &= MASK51;
	v[2] += v[1] >> 51;
	v[1] &= MASK51;
	v[3] += v[2] >> 51;
	v[2] &= MASK51;
	v[4] += v[3] >> 51;
	v[3] &= MASK51;
	v[0] += 19 * (v[4] >> 51);
	v[4] &= MASK51;
}

// The top bit of s is ignored; callers check canonical encodings.
static void
fe_frombytes(fe *h, const uint8_t s[static 32])
{
	h->v[0] = load64(s) & MASK51;
	h->v[1] = (load64(s + 6) >> 3) & MASK51;
	h->v[2] = (load64(s + 12) >> 6) & MASK51;
	h->v[3] = (load64(s + 19) >> 1) & MASK51;
	h->v[4] = (load64(s + 24) >> 12) & MASK51;
}

static void
fe_tobytes(uint8_t s[static 32], const fe *f)
{
	fe       t = *f;
	uint64_t c;

	fe_carry(&t);
	fe_carry(&t);
	// Now 0 <= t < 2^255.  Adding 19 carries past 2^255 exactly when
	// t >= p; the carry out of the top limb is the quotient.
	c = (t.v[0] + 19) >> 51;
	for (int i = 1; i < 5; i++) {
		c = (t.v[i] + c) >> 51;
	}
	t.v[0] += 19 * c;
	for (int i = 0; i < 4; i++) {
		t.v[i + 1] += t.v[i] >> 51;
		t.v[i] &= MASK51;
	}
	t.v[4] &= MASK51;
	store64(s, t.v[0] | (t.v[1] << 51));
	store64(s + 8, (t.v[1] >> 13) | (t.v[2] << 38));
	store64(s + 16, (t.v[2] >> 26) | (t.v[3] << 25));
	store64(s + 24, (t.v[3] >> 39) | (t.v[4] << 12));
}

FE_INLINE void
fe_add(fe *h, const fe *f, const fe *g)
{
	h->v[0] = f->v[0] + g->v[0];
	h->v[1] = f->v[1] + g->v[1];
	h->v[2] = f->v[2] + g->v[2];
	h->v[3] = f->v[3] + g->v[3];
	h->v[4] = f->v[4] + g->v[4];
	fe_carry(h);
}

// fe_sub adds 4p first so that no limb goes below zero.
FE_INLINE void
fe_sub(fe *h, const fe *f, const fe *g)
{
	const uint64_t four_p0 = UINT64_C(0x1fffffffffffb4);
	const uint64_t four_p  = UINT64_C(0x1ffffffffffffc);

	h->v[0] = f->v[0] + four_p0 - g->v[0];
	h->v[1] = f->v[1] + four_p - g->v[1];
	h->v[2] = f->v[2] + four_p - g->v[2];
	h->v[3] = f->v[3] + four_p - g->v[3];
	h->v[4] = f->v[4] + four_p - g->v[4];
	fe_carry(h);
}

FE_INLINE void
fe_neg(fe *h, const fe *f)
{
	static const fe zero = { { 0 } };

	fe_sub(h, &zero, f);
}

FE_INLINE void
fe_reduce128(fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	uint64_t c;

	r1 += (uint64_t) (r0 >> 51);
	h->v[0] = (uint64_t) r0 & MASK51;
	r2 += (uint64_t) (r1 >> 51);
	h->v[1] = (uint64_t) r1 & MASK51;
	r3 += (uint64_t) (r2 >> 51);
	h->v[2] = (uint64_t) r2 & MASK51;
	r4 += (uint64_t) (r3 >> 51);
	h->v[3] = (uint64_t) r3 & MASK51;
	c       = (uint64_t) (r4 >> 51);
	h->v[4] = (uint64_t) r4 & MASK51;
	h->v[0] += c * 19;
	h->v[1] += h->v[0] >> 51;
	h->v[0] &= MASK51;
}

FE_INLINE void
fe_mul(fe *h, const fe *f, const fe *g)
{
	const uint64_t *a = f->v, *b = g->v;
	uint64_t        b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3];
	uint64_t        b4 = 19 * b[4];
	u128            r0, r1, r2, r3, r4;

	r0 = (u128) a[0] * b[0] + (u128) a[1] * b4 + (u128) a[2] * b3
	    + (u128) a[3] * b2 + (u128) a[4] * b1;
	r1 = (u128) a[0] * b[1] + (u128) a[1] * b[0] + (u128) a[2] * b4
	    + (u128) a[3] * b3 + (u128) a[4] * b2;
	r2 = (u128) a[0] * b[2] + (u128) a[1] * b[1] + (u128) a[2] * b[0]
	    + (u128) a[3] * b4 + (u128) a[4] * b3;
	r3 = (u128) a[0] * b[3] + (u128) a[1] * b[2] + (u128) a[2] * b[1]
	    + (u128) a[3] * b[0] + (u128) a[4] * b4;
	r4 = (u128) a[0] * b[4] + (u128) a[1] * b[3] + (u128) a[2] * b[2]
	    + (u128) a[3] * b[1] + (u128) a[4] * b[0];
	fe_reduce128(h, r0, r1, r2, r3, r4);
}

FE_INLINE void
fe_sq(fe *h, const fe *f)
{
	const uint64_t *a  = f->v;
	uint64_t        a0 = 2 * a[0], a1 = 2 * a[1];
	uint64_t        a1_38 = 38 * a[1], a2_38 = 38 * a[2];
	uint64_t        a3_38 = 38 * a[3], a3_19 = 19 * a[3];
	uint64_t        a4_19 = 19 * a[4];
	u128            r0, r1, r2, r3, r4;

	r0 = (u128) a[0] * a[0] + (u128) a1_38 * a[4] + (u128) a2_38 * a[3];
	r1 = (u128) a0 * a[1] + (u128) a2_38 * a[4] + (u128) a3_19 * a[3];
	r2 = (u128) a0 * a[2] + (u128) a[1] * a[1] + (u128) a3_38 * a[4];
	r3 = (u128) a0 * a[3] + (u128) a1 * a[2] + (u128) a4_19 * a[4];
	r4 = (u128) a0 * a[4] + (u128) a1 * a[3] + (u128) a[2] * a[2];
	fe_reduce128(h, r0, r1, r2, r3, r4);
}

static void
fe_sqn(fe *h, const fe *f, int n)
{
	fe_sq(h, f);
	while (--n > 0) {
		fe_sq(h, h);
	}
}

// fe_sqn_mul sets h = f^(2^n) g.
static void
fe_sqn_mul(fe *h, const fe *f, int n, const fe *g)
{
	fe t;

	fe_sqn(&t, f, n);
	fe_mul(h, &t, g);
}

// fe_pow22523 raises z to (p - 5) / 8 = 2^252 - 3.
static void
fe_pow22523(fe *out, const fe *z)
{
	fe t0, t1;

	fe_sq(&t0, z);
	fe_sqn(&t1, &t0, 2);
	fe_mul(&t1, z, &t1);
	fe_mul(&t0, &t0, &t1);
	fe_sq(&t0, &t0);
	fe_mul(&t0, &t1, &t0);          // 2^5 - 1
	fe_sqn_mul(&t0, &t0, 5, &t0);   // 2^10 - 1
	fe_sqn_mul(&t1, &t0, 10, &t0);  // 2^20 - 1
	fe_sqn_mul(&t1, &t1, 20, &t1);  // 2^40 - 1
	fe_sqn_mul(&t0, &t1, 10, &t0);  // 2^50 - 1
	fe_sqn_mul(&t1, &t0, 50, &t0);  // 2^100 - 1
	fe_sqn_mul(&t1, &t1, 100, &t1); // 2^200 - 1
	fe_sqn_mul(&t0, &t1, 50, &t0);  // 2^250 - 1
	fe_sqn_mul(out, &t0, 2, z);     // 2^252 - 3
}

static bool
fe_eq(const fe *f, const fe *g)
{
	uint8_t a[32], b[32];

	fe_tobytes(a, f);
	fe_tobytes(b, g);
	return (memcmp(a, b, 32) == 0);
}

static bool
fe_is_negative(const fe *f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return (s[0] & 1);
}

static void
fe_abs(fe *h, const fe *f)
{
	if (fe_is_negative(f)) {
		fe_neg(h, f);
	} else {
		*h = *f;
	}
}

// sqrt_ratio_m1 of RFC 9496 section 4.2: r = sqrt(u / v) when it exists,
// else sqrt(i * u / v); the result is non-negative.
static bool
sqrt_ratio_m1(fe *r, const fe *u, const fe *v)
{
	fe   v3, v7, t, check, nu, nui;
	bool correct, flipped, flipped_i;

	fe_sq(&v3, v);
	fe_mul(&v3, &v3, v); // v^3
	fe_sq(&v7, &v3);
	fe_mul(&v7, &v7, v); // v^7
	fe_mul(&t, u, &v7);
	fe_pow22523(&t, &t);
	fe_mul(&t, &t, &v3);
	fe_mul(r, &t, u); // (u v^3) (u v^7)^((p-5)/8)
	fe_sq(&check, r);
	fe_mul(&check, &check, v);
	fe_neg(&nu, u);
	fe_mul(&nui, &nu, &fe_sqrtm1);
	correct   = fe_eq(&check, u);
	flipped   = fe_eq(&check, &nu);
	flipped_i = fe_eq(&check, &nui);
	if (flipped || flipped_i) {
		fe_mul(r, r, &fe_sqrtm1);
	}
	fe_abs(r, r);
	return (correct || flipped);
}

// fs_ge_decode is RFC 9496 section 4.3.1; it leaves the point in affine form.
bool
fs_ge_decode(ge_niels *q, const uint8_t in[static 32])
{
	uint8_t back[32];
	fe      s, ss, u1, u2, u2sq, v, t, invsqrt, den_x, den_y, x, y;

	fe_frombytes(&s, in);
	fe_tobytes(back, &s);
	// Canonical (which also refuses the top bit) and non-negative.
	if (memcmp(back, in, 32) != 0 || (in[0] & 1) != 0) {
		return (false);
	}
	fe_sq(&ss, &s);
	fe_sub(&u1, &fe_one, &ss);
	fe_add(&u2, &fe_one, &ss);
	fe_sq(&u2sq, &u2);
	fe_sq(&t, &u1);
	fe_mul(&t, &t, &fe_d);
	fe_neg(&t, &t);
	fe_sub(&v, &t, &u2sq); // -(d u1^2) - u2^2
	fe_mul(&t, &v, &u2sq);
	if (!sqrt_ratio_m1(&invsqrt, &fe_one, &t)) {
		return (false);
	}
	fe_mul(&den_x, &invsqrt, &u2);
	fe_mul(&den_y, &invsqrt, &den_x);
	fe_mul(&den_y, &den_y, &v);
	fe_add(&x, &s, &s);
	fe_mul(&x, &x, &den_x);
	fe_abs(&x, &x);
	fe_mul(&y, &u1, &den_y);
	fe_mul(&t, &x, &y);
	fe_tobytes(back, &y);
	if (fe_is_negative(&t) || sodium_is_zero(back, 32)) {
		return (false);
	}
	fe_add(&q->ypx, &y, &x);
	fe_sub(&q->ymx, &y, &x);
	fe_mul(&q->t2d, &t, &fe_d2);
	return (true);
}

// fs_ge_encode is RFC 9496 section 4.3.2.
void
fs_ge_encode(uint8_t out[static 32], const ge *p)
{
	fe u1, u2, t, invsqrt, den1, den2, zinv, ix, iy, x, y, dinv, s;

	fe_add(&u1, &p->Z, &p->Y);
	fe_sub(&t, &p->Z, &p->Y);
	fe_mul(&u1, &u1, &t);
	fe_mul(&u2, &p->X, &p->Y);
	fe_sq(&t, &u2);
	fe_mul(&t, &t, &u1);
	(void) sqrt_ratio_m1(&invsqrt, &fe_one, &t);
	fe_mul(&den1, &invsqrt, &u1);
	fe_mul(&den2, &invsqrt, &u2);
	fe_mul(&zinv, &den1, &den2);
	fe_mul(&zinv, &zinv, &p->T);
	fe_mul(&t, &p->T, &zinv);
	if (fe_is_negative(&t)) {
		fe_mul(&ix, &p->X, &fe_sqrtm1);
		fe_mul(&iy, &p->Y, &fe_sqrtm1);
		x = iy;
		y = ix;
		fe_mul(&dinv, &den1, &fe_invsqrtamd);
	} else {
		x    = p->X;
		y    = p->Y;
		dinv = den2;
	}
	fe_mul(&t, &x, &zinv);
	if (fe_is_negative(&t)) {
		fe_neg(&y, &y);
	}
	fe_sub(&s, &p->Z, &y);
	fe_mul(&s, &s, &dinv);
	fe_abs(&s, &s);
	fe_tobytes(out, &s);
}

void
fs_ge_identity(ge *p)
{
	memset(p, 0, sizeof(*p));
	p->Y = fe_one;
	p->Z = fe_one;
}

// fs_ge_from_niels sets p to q (or -q): X = 2x, Y = 2y, Z = 2, T = 2xy.
void
fs_ge_from_niels(ge *p, const ge_niels *q, bool neg)
{
	fe_sub(&p->X, &q->ypx, &q->ymx);
	fe_add(&p->Y, &q->ypx, &q->ymx);
	fe_add(&p->Z, &fe_one, &fe_one);
	fe_mul(&p->T, &q->t2d, &fe_dinv);
	if (neg) {
		fe_neg(&p->X, &p->X);
		fe_neg(&p->T, &p->T);
	}
}

// ge_finish computes X3 = EF, Y3 = GH, T3 = EH, Z3 = FG.
static void
ge_finish(ge *r, const fe *e, const fe *f, const fe *g, const fe *h)
{
	fe_mul(&r->X, e, f);
	fe_mul(&r->Y, g, h);
	fe_mul(&r->T, e, h);
	fe_mul(&r->Z, f, g);
}

// ge_finish_add ends an addition from its A, B, C and D: E = B - A,
// F = D - C, G = D + C, H = B + A.
static void
ge_finish_add(ge *r, const fe *a, const fe *b, const fe *c, const fe *d)
{
	fe e, f, g, h;

	fe_sub(&e, b, a);
	fe_sub(&f, d, c);
	fe_add(&g, d, c);
	fe_add(&h, b, a);
	ge_finish(r, &e, &f, &g, &h);
}

// fs_ge_madd sets r = p + q, or p - q when neg (7 multiplications).
void
fs_ge_madd(ge *r, const ge *p, const ge_niels *q, bool neg)
{
	fe a, b, c, d;

	fe_sub(&a, &p->Y, &p->X);
	fe_mul(&a, &a, neg ? &q->ypx : &q->ymx);
	fe_add(&b, &p->Y, &p->X);
	fe_mul(&b, &b, neg ? &q->ymx : &q->ypx);
	fe_mul(&c, &p->T, &q->t2d);
	if (neg) {
		fe_neg(&c, &c);
	}
	fe_add(&d, &p->Z, &p->Z);
	ge_finish_add(r, &a, &b, &c, &d);
}

// fs_ge_add sets r = p + q (9 multiplications).
void
fs_ge_add(ge *r, const ge *p, const ge *q)
{
	fe a, b, c, d, e;

	fe_sub(&a, &p->Y, &p->X);
	fe_sub(&e, &q->Y, &q->X);
	fe_mul(&a, &a, &e);
	fe_add(&b, &p->Y, &p->X);
	fe_add(&e, &q->Y, &q->X);
	fe_mul(&b, &b, &e);
	fe_mul(&c, &p->T, &q->T);
	fe_mul(&c, &c, &fe_d2);
	fe_mul(&d, &p->Z, &q->Z);
	fe_add(&d, &d, &d);
	ge_finish_add(r, &a, &b, &c, &d);
}

// fs_ge_dbl sets r = 2p (4 squarings, 4 multiplications): A = X^2, B = Y^2,
// C = 2 Z^2.
void
fs_ge_dbl(ge *r, const ge *p)
{
	fe a, b, c, e, f, g, h;

	fe_sq(&a, &p->X);
	fe_sq(&b, &p->Y);
	fe_sq(&c, &p->Z);
	fe_add(&c, &c, &c);
	fe_add(&e, &p->X, &p->Y);
	fe_sq(&e, &e);
	fe_sub(&e, &e, &a);
	fe_sub(&e, &e, &b); // E = (X + Y)^2 - A - B
	fe_sub(&g, &b, &a); // G = aA + B, with a = -1
	fe_sub(&f, &g, &c); // F = G - C
	fe_add(&h, &a, &b);
	fe_neg(&h, &h); // H = aA - B
	ge_finish(r, &e, &f, &g, &h);
}

#endif // __SIZEOF_INT128__

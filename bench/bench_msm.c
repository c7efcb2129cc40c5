// SPDX-License-Identifier: Apache-2.0
//
// bench_msm.c -- what the hand-written multi-scalar multiplication
// (crypto/msm.c on crypto/ristretto.c) buys over what libsodium alone
// offers: n calls of crypto_scalarmult_ristretto255 and n additions.
//
// For n = 16, 256 and 4096 (and n = 2, the size of the proof check's two
// last sums) it measures the sum alone, then the VOPRF batch it serves:
// the issuer's evaluation with its proof (one sum of n terms), the
// node's proof check (two of n, two of 2), and the round trip
// (evaluation, check and Finalize).  Linked with -Wl,--wrap=fs_msm, every
// call to fs_msm, dleq.c's included, comes through __wrap_fs_msm below,
// which hands it to libsodium when use_sodium is set: the alternative is
// measured in the same program, on the same inputs, alternately.
// Figures are elements (terms) per second, medians of 5 rounds (or the
// argument), with the libsodium alternative as the floor.
//
// usage: bench_msm [rounds]

#include <sodium.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES

fs_err __real_fs_msm(uint8_t out[static EB], const uint8_t *scalars,
    const uint8_t *points, size_t n);
fs_err __wrap_fs_msm(uint8_t out[static EB], const uint8_t *scalars,
    const uint8_t *points, size_t n);

static bool use_sodium;

// sodium_msm is the alternative: libsodium's constant-time products,
// summed, with fs_msm's contract (scalars below 2^253, canonical points).
// A point is checked apart only when its product fails, which it does
// for the identity and for an encoding that does not decode.
static fs_err
sodium_msm(uint8_t out[static EB], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	uint8_t acc[EB] = { 0 }, q[EB];

	for (size_t i = 0; i < n; i++) {
		if (scalars[i * SB + 31] & 0xe0) {
			return (FS_ERR_INVALID);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = points + i * EB;

		if ((p[31] & 0x80) != 0) {
			return (FS_ERR_MALFORMED);
		}
		if (crypto_scalarmult_ristretto255(q, scalars + i * SB, p)
		    != 0) {
			if (!crypto_core_ristretto255_is_valid_point(p)) {
				return (FS_ERR_MALFORMED);
			}
			continue;
		}
		crypto_core_ristretto255_add(acc, acc, q);
	}
	memcpy(out, acc, EB);
	return (FS_OK);
}

fs_err
__wrap_fs_msm(uint8_t out[static EB], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	if (use_sodium) {
		return (sodium_msm(out, scalars, points, n));
	}
	return (__real_fs_msm(out, scalars, points, n));
}

typedef struct ctx {
	size_t         n;
	uint8_t       *scalars, *points; // the sum's terms
	fs_oprf_key   *k;
	fs_oprf_input *in;
	char (*text)[24]; // the inputs, ID numbers
	uint8_t *blinds, *blinded, *ev, *out;
	uint8_t  proof[FS_OPRF_PROOF_BYTES];
} ctx;

static void
run_msm(void *arg, size_t iters)
{
	ctx    *c = arg;
	uint8_t out[EB];

	for (size_t i = 0; i < iters; i++) {
		if (fs_msm(out, c->scalars, c->points, c->n) != FS_OK) {
			abort();
		}
	}
}

static void
run_evaluate(void *arg, size_t iters)
{
	ctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		if (fs_voprf_blind_evaluate(
		        c->k, c->ev, c->proof, c->blinded, c->n)
		    != FS_OK) {
			abort();
		}
	}
}

static void
run_verify(void *arg, size_t iters)
{
	ctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		if (fs_voprf_verify(fs_oprf_key_public(c->k), c->blinded, c->ev,
		        c->n, c->proof)
		    != FS_OK) {
			abort();
		}
	}
}

static void
run_round(void *arg, size_t iters)
{
	ctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		run_evaluate(c, 1);
		if (fs_voprf_finalize(c->out, fs_oprf_key_public(c->k), c->in,
		        c->blinds, c->blinded, c->ev, c->n, c->proof)
		    != FS_OK) {
			abort();
		}
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return ((x > y) - (x < y));
}

// pair measures fn with fs_msm and with libsodium in alternate rounds,
// the order swapped every round, and prints the medians in elements per
// second (iters * n per round), the libsodium figure as the floor.
static void
pair(const char *what, bench_fn fn, ctx *c, size_t iters, int rounds)
{
	double fast[64], slow[64], rf, rs;
	char   name[64];

	for (int mode = 0; mode < 2; mode++) { // warm up
		use_sodium = mode;
		fn(c, 1);
	}
	for (int i = 0; i < rounds; i++) {
		for (int j = 0; j < 2; j++) {
			bool   sodium = (i + j) % 2 == 1;
			double t;

			use_sodium = sodium;
			t          = bench_now();
			fn(c, iters);
			t = (double) (iters * c->n) / (bench_now() - t);
			if (sodium) {
				slow[i] = t;
			} else {
				fast[i] = t;
			}
		}
	}
	use_sodium = false;
	qsort(fast, (size_t) rounds, sizeof(fast[0]), cmp);
	qsort(slow, (size_t) rounds, sizeof(slow[0]), cmp);
	rf = fast[rounds / 2];
	rs = slow[rounds / 2];
	snprintf(name, sizeof(name), "n=%-4zu %s: libsodium", c->n, what);
	bench_print(name, rs, rs);
	snprintf(name, sizeof(name), "n=%-4zu %s: fs_msm", c->n, what);
	bench_print(name, rf, rs);
}

static void
setup(ctx *c, size_t n)
{
	uint8_t h[crypto_core_ristretto255_HASHBYTES];
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];
	uint8_t a[EB], b[EB];

	c->n       = n;
	c->scalars = malloc(n * SB);
	c->points  = malloc(n * EB);
	c->blinds  = malloc(n * SB);
	c->blinded = malloc(n * EB);
	c->ev      = malloc(n * EB);
	c->out     = malloc(n * FS_OPRF_OUTPUT_BYTES);
	c->in      = malloc(n * sizeof(*c->in));
	c->text    = malloc(n * sizeof(*c->text));
	if (!c->scalars || !c->points || !c->blinds || !c->blinded || !c->ev
	    || !c->out || !c->in || !c->text) {
		abort();
	}
	// Reduced scalars and hashed points, as the DLEQ weights and the
	// blinded elements are.
	for (size_t i = 0; i < n; i++) {
		randombytes_buf(wide, sizeof(wide));
		crypto_core_ristretto255_scalar_reduce(
		    c->scalars + i * SB, wide);
		randombytes_buf(h, sizeof(h));
		crypto_core_ristretto255_from_hash(c->points + i * EB, h);
	}
	if (__real_fs_msm(a, c->scalars, c->points, n) != FS_OK
	    || sodium_msm(b, c->scalars, c->points, n) != FS_OK
	    || memcmp(a, b, EB) != 0) {
		fprintf(stderr, "bench_msm: the two sums differ at n=%zu\n", n);
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(
		    c->text[i], sizeof(c->text[i]), "1101051949%08zu", i);

		c->in[i] = (fs_oprf_input) { (const uint8_t *) c->text[i],
			(size_t) len };
		if (fs_oprf_blind(FS_OPRF_MODE_VOPRF, c->blinds + i * SB,
		        c->blinded + i * EB, c->in[i].data, c->in[i].len)
		    != FS_OK) {
			abort();
		}
	}
	// The evaluations and proof for run_verify.
	run_evaluate(c, 1);
}

static void
teardown(ctx *c)
{
	free(c->scalars);
	free(c->points);
	free(c->blinds);
	free(c->blinded);
	free(c->ev);
	free(c->out);
	free(c->in);
	free(c->text);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 2, 16, 256, 4096 };
	int                 rounds  = argc > 1 ? atoi(argv[1]) : 5;
	fs_oprf_key        *k;

	if (rounds < 1 || rounds > 64 || fs_crypto_init() != FS_OK
	    || fs_oprf_key_generate(&k, FS_OPRF_MODE_VOPRF) != FS_OK) {
		fprintf(stderr, "usage: bench_msm [rounds <= 64]\n");
		return (2);
	}
	bench_machine();
	printf(
	    "median of %d rounds, elements (terms) per second; the floor is\n"
	    "n crypto_scalarmult_ristretto255 + n adds in fs_msm's place\n"
	    "(sum: the sum alone; evaluate+prove: fs_voprf_blind_evaluate;\n"
	    "verify: fs_voprf_verify; round trip: both and Finalize)\n",
	    rounds);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		size_t n     = sizes[t];
		size_t iters = n < 4096 ? 4096 / n : 1;
		ctx    c     = { .k = k };

		setup(&c, n);
		pair("sum", run_msm, &c, iters, rounds);
		if (n >= 16) {
			pair("evaluate+prove", run_evaluate, &c, iters, rounds);
			pair("verify", run_verify, &c, iters, rounds);
			pair("round trip", run_round, &c, iters, rounds);
		}
		teardown(&c);
	}
	fs_oprf_key_free(k);
	return (0);
}

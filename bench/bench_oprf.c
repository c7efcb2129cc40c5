// SPDX-License-Identifier: Apache-2.0
//
// oprf_bench.c -- the issuer's VOPRF evaluation rate against libsodium's
// bare scalar multiplication, by batch size.
//
// The goal is a batched evaluation, proof included, at 0.8 or more of the
// rate of crypto_scalarmult_ristretto255 alone.  Each figure is the best
// of several runs, so that a busy machine spoils less of it; the two are
// measured alternately for the same reason.  Run with
// `meson test -C build --benchmark -v` or directly: oprf_bench [max_batch]

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"

#define RUNS 5

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec * 1e-9);
}

// The inputs of a batch of up to max and the buffers of its rounds.
typedef struct batch {
	fs_oprf_key   *k;
	uint8_t       *blinds, *blinded, *ev, *out;
	fs_oprf_input *in;
	char (*text)[24];
} batch;

// blind_inputs makes max ID-like inputs and blinds them.
static int
blind_inputs(batch *b, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		int n = snprintf(
		    b->text[i], sizeof(b->text[i]), "1101051949%08zu", i);

		b->in[i] = (fs_oprf_input) { (const uint8_t *) b->text[i],
			(size_t) n };
		if (fs_oprf_blind(FS_OPRF_MODE_VOPRF,
		        b->blinds + i * FS_OPRF_SCALAR_BYTES,
		        b->blinded + i * FS_OPRF_ELEMENT_BYTES, b->in[i].data,
		        b->in[i].len)
		    != FS_OK) {
			return (-1);
		}
	}
	return (0);
}

// measure times n bare scalar multiplications, the evaluation of n
// blinded inputs with its proof, and their finalization, alternately,
// and prints the best of RUNS rounds of each.
static int
measure(batch *b, size_t n)
{
	uint8_t proof[FS_OPRF_PROOF_BYTES], q[FS_OPRF_ELEMENT_BYTES];
	double  best_mul = 1e300, best_ev = 1e300, best_fin = 1e300;

	for (int run = 0; run < RUNS; run++) {
		double t = now();

		for (size_t i = 0; i < n; i++) {
			if (crypto_scalarmult_ristretto255(q,
			        fs_oprf_key_secret(b->k),
			        b->blinded + i * FS_OPRF_ELEMENT_BYTES)
			    != 0) {
				return (-1);
			}
		}
		t        = now() - t;
		best_mul = t < best_mul ? t : best_mul;
		t        = now();
		if (fs_voprf_blind_evaluate(b->k, b->ev, proof, b->blinded, n)
		    != FS_OK) {
			return (-1);
		}
		t       = now() - t;
		best_ev = t < best_ev ? t : best_ev;
		t       = now();
		if (fs_voprf_finalize(b->out, fs_oprf_key_public(b->k), b->in,
		        b->blinds, b->blinded, b->ev, n, proof)
		    != FS_OK) {
			return (-1);
		}
		t        = now() - t;
		best_fin = t < best_fin ? t : best_fin;
	}
	printf("%6zu %14.0f %14.0f %6.3f %14.0f\n", n, n / best_mul,
	    n / best_ev, best_mul / best_ev, n / best_fin);
	return (0);
}

int
main(int argc, char **argv)
{
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	batch  b;

	if (max == 0 || max > FS_OPRF_BATCH_MAX || fs_crypto_init() != FS_OK
	    || fs_oprf_key_generate(&b.k, FS_OPRF_MODE_VOPRF) != FS_OK) {
		fprintf(stderr, "usage: oprf_bench [max_batch <= %d]\n",
		    FS_OPRF_BATCH_MAX);
		return (2);
	}
	b.blinds  = malloc(max * FS_OPRF_SCALAR_BYTES);
	b.blinded = malloc(max * FS_OPRF_ELEMENT_BYTES);
	b.ev      = malloc(max * FS_OPRF_ELEMENT_BYTES);
	b.out     = malloc(max * FS_OPRF_OUTPUT_BYTES);
	b.in      = malloc(max * sizeof(*b.in));
	b.text    = malloc(max * sizeof(*b.text));
	if (!b.blinds || !b.blinded || !b.ev || !b.out || !b.in || !b.text) {
		return (2);
	}
	if (blind_inputs(&b, max) != 0) {
		return (1);
	}
	printf("%6s %14s %14s %6s %14s\n", "batch", "scalarmult/s",
	    "evaluate/s", "ratio", "finalize/s");
	for (size_t n = 1; n <= max; n *= 4) {
		if (measure(&b, n) != 0) {
			return (1);
		}
	}
	fs_oprf_key_free(b.k);
	free(b.blinds);
	free(b.blinded);
	free(b.ev);
	free(b.out);
	free(b.in);
	free(b.text);
	return (0);
}

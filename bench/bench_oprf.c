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

int
main(int argc, char **argv)
{
	size_t         max = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	fs_oprf_key   *k;
	uint8_t       *blinds, *blinded, *ev, *out;
	uint8_t        proof[FS_OPRF_PROOF_BYTES], q[FS_OPRF_ELEMENT_BYTES];
	fs_oprf_input *in;
	char(*text)[24];

	if (max == 0 || max > FS_OPRF_BATCH_MAX || fs_crypto_init() != FS_OK
	    || fs_oprf_key_generate(&k, FS_OPRF_MODE_VOPRF) != FS_OK) {
		fprintf(stderr, "usage: oprf_bench [max_batch <= %d]\n",
		    FS_OPRF_BATCH_MAX);
		return (2);
	}
	blinds  = malloc(max * FS_OPRF_SCALAR_BYTES);
	blinded = malloc(max * FS_OPRF_ELEMENT_BYTES);
	ev      = malloc(max * FS_OPRF_ELEMENT_BYTES);
	out     = malloc(max * FS_OPRF_OUTPUT_BYTES);
	in      = malloc(max * sizeof(*in));
	text    = malloc(max * sizeof(*text));
	if (!blinds || !blinded || !ev || !out || !in || !text) {
		return (2);
	}
	for (size_t i = 0; i < max; i++) {
		int n
		    = snprintf(text[i], sizeof(text[i]), "1101051949%08zu", i);

		in[i]
		    = (fs_oprf_input) { (const uint8_t *) text[i], (size_t) n };
		if (fs_oprf_blind(FS_OPRF_MODE_VOPRF,
		        blinds + i * FS_OPRF_SCALAR_BYTES,
		        blinded + i * FS_OPRF_ELEMENT_BYTES, in[i].data,
		        in[i].len)
		    != FS_OK) {
			return (1);
		}
	}
	printf("%6s %14s %14s %6s %14s\n", "batch", "scalarmult/s",
	    "evaluate/s", "ratio", "finalize/s");
	for (size_t n = 1; n <= max; n *= 4) {
		double best_mul = 1e300, best_ev = 1e300, best_fin = 1e300;

		for (int run = 0; run < RUNS; run++) {
			double t = now();

			for (size_t i = 0; i < n; i++) {
				if (crypto_scalarmult_ristretto255(q,
				        fs_oprf_key_secret(k),
				        blinded + i * FS_OPRF_ELEMENT_BYTES)
				    != 0) {
					return (1);
				}
			}
			t        = now() - t;
			best_mul = t < best_mul ? t : best_mul;
			t        = now();
			if (fs_voprf_blind_evaluate(k, ev, proof, blinded, n)
			    != FS_OK) {
				return (1);
			}
			t       = now() - t;
			best_ev = t < best_ev ? t : best_ev;
			t       = now();
			if (fs_voprf_finalize(out, fs_oprf_key_public(k), in,
			        blinds, blinded, ev, n, proof)
			    != FS_OK) {
				return (1);
			}
			t        = now() - t;
			best_fin = t < best_fin ? t : best_fin;
		}
		printf("%6zu %14.0f %14.0f %6.3f %14.0f\n", n, n / best_mul,
		    n / best_ev, best_mul / best_ev, n / best_fin);
	}
	fs_oprf_key_free(k);
	free(blinds);
	free(blinded);
	free(ev);
	free(out);
	free(in);
	free(text);
	return (0);
}

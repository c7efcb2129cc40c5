// SPDX-License-Identifier: Apache-2.0
//
// filter.c -- the Bloom filter of a bulk import's probe (probe.c): the
// ID hashes of the citizens the pseudonym cache does not hold, so that
// the second reading of the file (readahead.c) pseudonymizes only those.

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "node/nodeimpl.h"

#define MISS_PROBES 8

static void
probes(const uint8_t h[static NODE_IDHASH_BYTES], uint64_t *a, uint64_t *b)
{
	// ID hashes are keyed BLAKE2b, uniform: the probes are read from
	// the hash itself (double hashing on two of its words).
	memcpy(a, h, sizeof(*a));
	memcpy(b, h + 8, sizeof(*b));
	*b |= 1;
}

bool
node_probe_has(const node_import *im, const uint8_t h[static NODE_IDHASH_BYTES])
{
	uint64_t a, b;

	probes(h, &a, &b);
	for (int i = 0; i < MISS_PROBES; i++, a += b) {
		uint64_t bit = a & im->fmask;

		if ((im->filter[bit >> 6] & (UINT64_C(1) << (bit & 63))) == 0) {
			return (false);
		}
	}
	return (true);
}

void
node_probe_add(node_import *im, const uint8_t h[static NODE_IDHASH_BYTES])
{
	uint64_t a, b;

	probes(h, &a, &b);
	for (int i = 0; i < MISS_PROBES; i++, a += b) {
		uint64_t bit = a & im->fmask;

		im->filter[bit >> 6] |= UINT64_C(1) << (bit & 63);
	}
}

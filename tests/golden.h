// SPDX-License-Identifier: Apache-2.0
//
// golden.h -- the fixed keys and time behind tests/golden/*.env.

#ifndef FS_TEST_GOLDEN_H
#define FS_TEST_GOLDEN_H

#include <string.h>

#include "common/err.h"
#include "crypto/key.h"

#define GOLDEN_TIME 1795000000000ULL // 2026-11-18T09:46:40Z, in ms
#define GOLDEN_BODY "golden envelope"

// golden_keys makes a (sender), b (recipient), c (another recipient) and
// x (a sender nobody registered) from the seeds 0x01.., 0x02.., ...
static inline void
golden_keys(fs_key **a, fs_key **b, fs_key **c, fs_key **x)
{
	uint8_t  seed[FS_SEED_BYTES];
	fs_key **ks[] = { a, b, c, x };

	for (int i = 0; i < 4; i++) {
		memset(seed, i + 1, sizeof(seed));
		if (fs_key_from_seed(ks[i], seed) != FS_OK) {
			*ks[i] = NULL;
		}
	}
}

// ka, kb, kc and kx are those keys for a cmocka group: golden_setup
// makes them and golden_teardown frees them (tests/golden.c).
extern fs_key *ka, *kb, *kc, *kx;

int golden_setup(void **state);
int golden_teardown(void **state);

#endif // FS_TEST_GOLDEN_H

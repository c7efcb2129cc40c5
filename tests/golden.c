// SPDX-License-Identifier: Apache-2.0
//
// golden.c -- the golden keys as a cmocka group fixture.

#include "tests/golden.h"
#include "crypto/key.h"

fs_key *ka, *kb, *kc, *kx;

int
golden_setup(void **state)
{
	(void) state;
	golden_keys(&ka, &kb, &kc, &kx);
	return (ka && kb && kc && kx) ? 0 : -1;
}

int
golden_teardown(void **state)
{
	(void) state;
	fs_key_free(ka);
	fs_key_free(kb);
	fs_key_free(kc);
	fs_key_free(kx);
	return (0);
}

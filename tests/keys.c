// SPDX-License-Identifier: Apache-2.0
//
// keys.c -- test keys and altered tokens.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/keys.h"

fs_key *
key_from_byte(uint8_t b)
{
	uint8_t seed[FS_SEED_BYTES];
	fs_key *k;

	memset(seed, b, sizeof(seed));
	assert_int_equal(fs_key_from_seed(&k, seed), FS_OK);
	return (k);
}

void
flip(char *tok, size_t i)
{
	tok[i] = tok[i] == 'A' ? 'B' : 'A';
}

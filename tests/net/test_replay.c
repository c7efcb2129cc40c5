// SPDX-License-Identifier: Apache-2.0
//
// test_replay.c -- the replay cache: a message seen once, for as long as it
// could pass the skew check, and failing closed when full.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "net/replay.h"
#include "tests/golden.h"
#include "wire/envelope.h"

static void
test_replay_cache(void **state)
{
	fs_replay  *r;
	fs_envelope e    = { 0 };
	uint64_t    t    = 1000000;
	uint64_t    skew = 1000;

	(void) state;
	assert_int_equal(fs_replay_init(&r, 4, skew), FS_OK);
	memcpy(e.sender, fs_key_public(ka)->kid, FS_KID_BYTES);
	e.time_ms = t;
	assert_int_equal(fs_replay_check(r, &e, t), FS_OK);
	assert_int_equal(fs_replay_check(r, &e, t), FS_ERR_REPLAYED);
	// Still remembered while the envelope could pass the skew check,
	// across a generation change.
	assert_int_equal(fs_replay_check(r, &e, t + 2 * skew), FS_ERR_REPLAYED);
	// Another sender with the same nonce is another message.
	memcpy(e.sender, fs_key_public(kb)->kid, FS_KID_BYTES);
	assert_int_equal(fs_replay_check(r, &e, t), FS_OK);
	// Full of live entries: fail closed.
	for (int i = 1; i < 64; i++) {
		fs_err rv;

		e.nonce[0] = (uint8_t) i;
		rv         = fs_replay_check(r, &e, t);
		if (rv != FS_OK) {
			assert_int_equal(rv, FS_ERR_TOO_LARGE);
			break;
		}
		assert_true(i < 32);
	}
	fs_replay_fini(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_cache),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, golden_setup, golden_teardown));
}

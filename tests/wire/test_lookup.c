// SPDX-License-Identifier: Apache-2.0
//
// test_lookup.c -- the lookup and contribution messages: round trips, every
// prefix refused, and points beyond any scale.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/lookup.h"

static void
test_lookup_roundtrip(void **state)
{
	fs_lookup l = { .deadline_ms = 1234 }, back;
	uint8_t  *buf;
	size_t    len;

	(void) state;
	memset(l.request_id, 7, sizeof(l.request_id));
	memset(l.subject, 9, sizeof(l.subject));
	strcpy(l.token, "v4.public.abc");
	assert_int_equal(fs_lookup_encode(&l, &buf, &len), FS_OK);
	assert_int_equal(fs_lookup_decode(&back, buf, len), FS_OK);
	assert_memory_equal(&back, &l, sizeof(l) - sizeof(l.token));
	assert_string_equal(back.token, l.token);
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(fs_lookup_decode(&back, buf, n), FS_OK);
	}
	free(buf);
}

static void
test_contribution_roundtrip_and_bounds(void **state)
{
	fs_shared_item  items[2] = { { .dim = FS_DIM_NEGATIVE, .points = -50 },
		 { .dim = FS_DIM_POSITIVE, .points = 20 } };
	fs_contribution c        = { .rules_version = "r1",
		       .dims                        = { 0, 10, -30, 5, 0 },
		       .shared                      = items,
		       .nshared                     = 2,
		       .disputed                    = true,
		       .considered                  = 7,
		       .counted                     = 4 };
	fs_contribution back;
	uint8_t        *buf;
	size_t          len;

	(void) state;
	memset(items[0].behavior_key, 1, FS_SUBJECT_BYTES);
	memset(items[1].behavior_key, 2, FS_SUBJECT_BYTES);
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(fs_contribution_decode(&back, buf, len), FS_OK);
	assert_string_equal(back.rules_version, "r1");
	assert_memory_equal(back.dims, c.dims, sizeof(c.dims));
	assert_int_equal(back.nshared, 2);
	assert_memory_equal(back.shared, items, sizeof(items));
	assert_true(back.disputed);
	assert_int_equal(back.considered, 7);
	assert_int_equal(back.counted, 4);
	fs_contribution_fini(&back);
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(
		    fs_contribution_decode(&back, buf, n), FS_OK);
	}
	free(buf);

	// Points beyond any scale are refused, so sums cannot overflow.
	c.dims[1] = 1000001;
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(
	    fs_contribution_decode(&back, buf, len), FS_ERR_TOO_LARGE);
	free(buf);
	c.dims[1]    = 0;
	items[0].dim = (fs_dim) 9;
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(
	    fs_contribution_decode(&back, buf, len), FS_ERR_MALFORMED);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_roundtrip),
		cmocka_unit_test(test_contribution_roundtrip_and_bounds),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

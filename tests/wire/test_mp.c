// SPDX-License-Identifier: Apache-2.0
//
// test_mp.c -- the strict msgpack reader.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/mp.h"

static void
test_mp_reader(void **state)
{
	// [ -1, 300, "hi", bin(2), true, nil, {1:2} ]
	static const uint8_t buf[] = { 0x97, 0xff, 0xcd, 0x01, 0x2c, 0xa2, 'h',
		'i', 0xc4, 0x02, 0xaa, 0xbb, 0xc3, 0xc0, 0x81, 0x01, 0x02 };
	fs_mp                r;
	uint32_t             n;
	int64_t              i;
	uint64_t             u;
	const char          *s;
	const uint8_t       *b;
	size_t               len;
	bool                 t;

	(void) state;
	fs_mp_init(&r, buf, sizeof(buf));
	assert_int_equal(fs_mp_array(&r, &n), FS_OK);
	assert_int_equal(n, 7);
	assert_int_equal(fs_mp_uint(&r, &u), FS_ERR_TYPE); // -1 is not uint
	assert_int_equal(fs_mp_int(&r, &i), FS_OK);
	assert_int_equal(i, -1);
	assert_int_equal(fs_mp_int(&r, &i), FS_OK);
	assert_int_equal(i, 300);
	assert_int_equal(fs_mp_str(&r, &s, &len, 1), FS_ERR_TOO_LARGE);
	assert_int_equal(fs_mp_str(&r, &s, &len, 2), FS_OK);
	assert_int_equal(fs_mp_bin(&r, &b, &len, 8), FS_OK);
	assert_int_equal(len, 2);
	assert_int_equal(fs_mp_bool(&r, &t), FS_OK);
	assert_true(t);
	assert_true(fs_mp_nil(&r));
	assert_int_equal(fs_mp_map(&r, &n), FS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fs_mp_end(&r), FS_ERR_TRAILING);
	assert_int_equal(fs_mp_uint(&r, &u), FS_OK);
	assert_int_equal(fs_mp_uint(&r, &u), FS_OK);
	assert_int_equal(fs_mp_end(&r), FS_OK);
	assert_int_equal(fs_mp_uint(&r, &u), FS_ERR_TRUNCATED);

	// An array claiming more items than bytes left is a truncation.
	{
		static const uint8_t lie[]
		    = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00 };

		fs_mp_init(&r, lie, sizeof(lie));
		assert_int_equal(fs_mp_array(&r, &n), FS_ERR_TRUNCATED);
	}
	// int8 and int16 sign extension.
	{
		static const uint8_t neg[] = { 0xd0, 0x80, 0xd1, 0xff, 0x00 };

		fs_mp_init(&r, neg, sizeof(neg));
		assert_int_equal(fs_mp_int(&r, &i), FS_OK);
		assert_int_equal(i, -128);
		assert_int_equal(fs_mp_int(&r, &i), FS_OK);
		assert_int_equal(i, -256);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mp_reader),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

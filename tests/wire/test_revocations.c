// SPDX-License-Identifier: Apache-2.0
//
// test_revocations.c -- the issuer's signed revocations: read back, found
// by jti, and refused under another key or region, or altered.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/revocations.h"

// The issuer's signed revocations: read back, found by jti; refused
// under another key or region, or altered.
static void
test_revocations_note(void **state)
{
	fs_key        *k, *other;
	fs_revocation  r[3] = { 0 };
	fs_revocations rs;
	char          *note, *p;
	const int64_t  t0 = 1795400000;

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);
	for (int i = 0; i < 3; i++) {
		memset(r[i].jti, 3 - i, FS_JTI_BYTES);
		r[i].at = t0 + i;
	}
	assert_int_equal(
	    fs_revocations_sign(&note, k, "yuxi", t0 + 9, r, 3), FS_OK);
	assert_int_equal(
	    strncmp(note, "fedscore.yuxi/revocations\n3\n", 28), 0);
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_OK);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.iat, t0 + 9);
	assert_int_equal(fs_revocations_find(&rs, r[1].jti)->at, t0 + 1);
	assert_int_equal(fs_revocations_find(&rs, r[2].jti)->at, t0 + 2);
	memset(r[0].jti, 9, FS_JTI_BYTES);
	assert_null(fs_revocations_find(&rs, r[0].jti));
	fs_revocations_fini(&rs);
	assert_int_not_equal(fs_revocations_open(&rs, note, strlen(note),
	                         fs_key_public(other), "yuxi"),
	    FS_OK);
	assert_int_not_equal(fs_revocations_open(&rs, note, strlen(note),
	                         fs_key_public(k), "changzhou"),
	    FS_OK);
	// A revocation time moved after the fact.
	p = strstr(note, " 2026-11-23T02:13:21Z");
	assert_non_null(p);
	p[19] = '2'; // 02:13:21 -> 02:13:22
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	free(note);
	// None revoked is a statement too.
	assert_int_equal(
	    fs_revocations_sign(&note, k, "yuxi", t0, NULL, 0), FS_OK);
	assert_int_equal(fs_revocations_open(
	                     &rs, note, strlen(note), fs_key_public(k), "yuxi"),
	    FS_OK);
	assert_int_equal(rs.n, 0);
	assert_null(fs_revocations_find(&rs, r[1].jti));
	fs_revocations_fini(&rs);
	free(note);
	fs_key_free(k);
	fs_key_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revocations_note),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

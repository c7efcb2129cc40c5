// SPDX-License-Identifier: Apache-2.0
//
// test_keyfile.c -- key files: written once, secret ones readable by their
// owner only, and never one kind read as the other.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"

static void
test_keyfile_roundtrip_and_modes(void **state)
{
	char        dir[] = "/tmp/fs-test-keyfile.XXXXXX";
	char        sec[256], pub[256];
	struct stat st;
	fs_key     *k, *k2;
	fs_pubkey   p;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(sec, sizeof(sec), "%s/k", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_keyfile_write_secret(sec, k, "test key"), FS_OK);
	assert_int_equal(fs_keyfile_write_public(pub, fs_key_public(k)), FS_OK);
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	// Never overwrite.
	assert_int_equal(fs_keyfile_write_secret(sec, k, NULL), FS_ERR_EXISTS);
	assert_int_equal(
	    fs_keyfile_write_public(pub, fs_key_public(k)), FS_ERR_EXISTS);

	assert_int_equal(fs_keyfile_read_secret(&k2, sec), FS_OK);
	assert_memory_equal(
	    fs_key_public(k2)->kid, fs_key_public(k)->kid, FS_KID_BYTES);
	assert_int_equal(fs_keyfile_read_public(&p, pub), FS_OK);
	assert_memory_equal(p.pk, fs_key_public(k)->pk, FS_PK_BYTES);

	// A secret key others can read is refused.
	assert_int_equal(chmod(sec, 0644), 0);
	fs_key_free(k2);
	assert_int_equal(fs_keyfile_read_secret(&k2, sec), FS_ERR_PERMISSION);
	// A public key is not a secret key, nor the other way round.
	assert_int_equal(chmod(sec, 0600), 0);
	assert_int_equal(fs_keyfile_read_public(&p, sec), FS_ERR_TYPE);
	assert_int_equal(fs_keyfile_read_secret(&k2, pub), FS_ERR_PERMISSION);
	assert_int_equal(chmod(pub, 0600), 0);
	assert_int_equal(fs_keyfile_read_secret(&k2, pub), FS_ERR_TYPE);

	unlink(sec);
	unlink(pub);
	rmdir(dir);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyfile_roundtrip_and_modes),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

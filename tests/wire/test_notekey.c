// SPDX-License-Identifier: Apache-2.0
//
// test_notekey.c -- the key strings of signed notes: verifier and signer
// keys written and read back, and those refused.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/wire/note_example.h"
#include "wire/note.h"

static void
test_key_strings(void **state)
{
	fs_key          *k, *k2;
	fs_note_verifier v, v2;
	char             s[FS_NOTE_SKEY_LEN(11) + 1];
	char             name[FS_NOTE_NAME_MAX + 1];
	char             bad[256];

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_note_verifier_init(&v, "example.org",
	                     FS_NOTE_COSIG_V1, fs_key_public(k)->pk),
	    FS_OK);
	// Exactly the documented length, and no byte less.
	assert_int_equal(
	    fs_note_vkey_format(s, FS_NOTE_VKEY_LEN(11), &v), FS_ERR_TOO_LARGE);
	assert_int_equal(
	    fs_note_vkey_format(s, FS_NOTE_VKEY_LEN(11) + 1, &v), FS_OK);
	assert_int_equal(strlen(s), FS_NOTE_VKEY_LEN(11));
	assert_int_equal(fs_note_vkey_parse(&v2, s, strlen(s)), FS_OK);
	assert_memory_equal(&v, &v2, sizeof(v));

	// A wrong id, an unknown type, a bad name, missing parts.
	strcpy(bad, s);
	bad[12] = bad[12] == '0' ? '1' : '0';
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_WRONG_KEY);
	assert_int_equal(fs_note_vkey_parse(&v2,
	                     "PeterNeumann+c74f20a3+"
	                     "AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	                     66),
	    FS_ERR_VERSION);
	assert_int_equal(
	    fs_note_vkey_parse(&v2, go_vkey + 1, 10), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "a b%s", strchr(go_vkey, '+'));
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "%s=", go_vkey);
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_note_verifier_init(&v2, "n", 0x02, fs_key_public(k)->pk),
	    FS_ERR_VERSION);

	// Signer keys.
	assert_int_equal(
	    fs_note_skey_format(s, sizeof(s), "example.org", k), FS_OK);
	assert_int_equal(fs_note_skey_parse(&k2, name, s, strlen(s)), FS_OK);
	assert_string_equal(name, "example.org");
	assert_memory_equal(
	    fs_key_public(k2)->pk, fs_key_public(k)->pk, FS_PK_BYTES);
	fs_key_free(k2);
	sodium_memzero(s, sizeof(s));
	assert_int_equal(
	    fs_note_skey_parse(&k2, name, go_vkey, strlen(go_vkey)),
	    FS_ERR_MALFORMED);
	strcpy(bad, go_skey);
	bad[strlen("PRIVATE+KEY+PeterNeumann+")] = 'd';
	assert_int_equal(
	    fs_note_skey_parse(&k2, name, bad, strlen(bad)), FS_ERR_WRONG_KEY);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_strings),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

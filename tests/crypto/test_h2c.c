// SPDX-License-Identifier: Apache-2.0
//
// test_h2c.c -- RFC 9380 expand_message_xmd with SHA-512 against the RFC's
// vectors, and its bounds.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprfimpl.h"
#include "tests/vectors.h"

static void
test_xmd_rfc9380(void **state)
{
	// RFC 9380 appendix K.3, expand_message_xmd(SHA-512).
	static const struct {
		const char *msg;
		size_t      len;
		const char *hex;
	} v[] = {
		{ "", 0x20,
		    "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c39"
		    "4179ba" },
		{ "abc", 0x20,
		    "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7"
		    "aca8dc" },
		{ "", 0x80,
		    "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d072"
		    "51b921b052b62eaed99b46f72f2ef4cc96bfaf254ebbbec091e1a3b9e4"
		    "fb5e5b619d2e0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d"
		    "18f5d5842cf5d13d7eb00a7cff859b605da678b318bd0e65ebff70bec8"
		    "8c753b159a805d2c89c55961" },
		{ "abc", 0x80,
		    "7f1dddd13c08b543f2e2037b14cefb255b44c83cc397c1786d975653e3"
		    "6a6b11bdd7732d8b38adb4a0edc26a0cef4bb45217135456e58fbca170"
		    "3cd6032cb1347ee720b87972d63fbf232587043ed2901bce7f22610c04"
		    "19751c065922b488431851041310ad659e4b23520e1772ab29dcdeb200"
		    "2222a363f0c2b1c972b3efe1" },
	};
	static const char dst[] = "QUUX-V01-CS02-with-expander-SHA512-256";
	uint8_t           out[0x80];

	(void) state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fs_iov   msg = { v[i].msg, strlen(v[i].msg) };
		size_t   n;
		uint8_t *want = vec_hex(v[i].hex, &n);

		assert_int_equal(n, v[i].len);
		assert_int_equal(fs_xmd_sha512(out, v[i].len, &msg, 1,
		                     (const uint8_t *) dst, strlen(dst)),
		    FS_OK);
		assert_memory_equal(out, want, n);
		free(want);
	}
	// Bounds of RFC 9380: at most 255 blocks, a DST of at most 255.
	assert_int_equal(
	    fs_xmd_sha512(out, 0, NULL, 0, (const uint8_t *) dst, 3),
	    FS_ERR_INVALID);
	assert_int_equal(
	    fs_xmd_sha512(out, 255 * 64 + 1, NULL, 0, (const uint8_t *) dst, 3),
	    FS_ERR_INVALID);
	assert_int_equal(
	    fs_xmd_sha512(out, 32, NULL, 0, (const uint8_t *) dst, 256),
	    FS_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmd_rfc9380),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}

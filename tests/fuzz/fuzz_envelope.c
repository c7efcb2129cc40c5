// SPDX-License-Identifier: Apache-2.0
//
// fuzz_envelope.c -- libFuzzer harness for the envelope decoder and the
// error-body decoder.  The recipient knows the golden sender, so inputs
// derived from tests/golden/*.env reach the signature and decryption
// checks.

#include <stdlib.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/golden.h"
#include "wire/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_key *a, *b, *c, *x;
	fs_keyring     ring;
	fs_envelope    env;
	fs_err         code;
	char           detail[64];

	if (a == NULL) {
		if (fs_crypto_init() != FS_OK) {
			abort();
		}
		golden_keys(&a, &b, &c, &x);
	}
	ring.keys = fs_key_public(a);
	ring.n    = 1;
	if (fs_envelope_open(&env, data, size, b, fs_keyring_lookup, &ring,
	        GOLDEN_TIME, FS_SKEW_DEFAULT_MS)
	    == FS_OK) {
		fs_envelope_fini(&env);
	}
	(void) fs_error_body_decode(data, size, &code, detail, sizeof(detail));
	return (0);
}

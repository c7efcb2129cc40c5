// SPDX-License-Identifier: Apache-2.0
//
// fuzz_revocations.c -- libFuzzer harness for the issuer's signed
// revocations (crypto/revocations.c), which auditors read from a file.
// The input is tried as a whole note, and, since the text is read only
// after the signature verifies, also signed here with a fixed key so
// that the text's parser sees whatever the fuzzer makes.

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/revocations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_key *k;
	fs_revocations rs;
	char          *note;
	size_t         nlen;

	if (k == NULL) {
		uint8_t seed[FS_SEED_BYTES] = { 7 };

		(void) fs_crypto_init();
		if (fs_key_from_seed(&k, seed) != FS_OK) {
			abort();
		}
	}
	if (fs_revocations_open(
	        &rs, (const char *) data, size, fs_key_public(k), "r")
	    == FS_OK) {
		fs_revocations_fini(&rs);
	}
	if (size > 0 && data[size - 1] == '\n'
	    && fs_note_sign(&note, &nlen, (const char *) data, size,
	           "fedscore.r/revocations", k)
	        == FS_OK) {
		if (fs_revocations_open(&rs, note, nlen, fs_key_public(k), "r")
		    == FS_OK) {
			fs_revocations_fini(&rs);
		}
		free(note);
	}
	return (0);
}

// SPDX-License-Identifier: Apache-2.0
//
// fuzz_note.c -- libFuzzer harness for the signed-note decoders: notes,
// checkpoint bodies and verifier key strings, all read from peers.  A
// parsed note is also verified, against one key that matches nothing and
// a cosigner key, to run the signature lookups on whatever was parsed.

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_note_verifier keys[2];
	static bool             init;
	const char             *s = (const char *) data;
	fs_note                *n;
	fs_checkpoint           cp;
	fs_note_verifier        v;
	uint64_t                t;
	const char             *text;
	size_t                  len;

	if (!init) {
		uint8_t pk[FS_PK_BYTES] = { 0 };

		(void) fs_crypto_init();
		pk[0] = 9; // the base point: a valid key
		(void) fs_note_verifier_init(
		    &keys[0], "a", FS_NOTE_ED25519, pk);
		(void) fs_note_verifier_init(
		    &keys[1], "w", FS_NOTE_COSIG_V1, pk);
		init = true;
	}
	(void) fs_checkpoint_parse(&cp, s, size);
	(void) fs_note_vkey_parse(&v, s, size);
	if (fs_note_parse(&n, s, size) == FS_OK) {
		text = fs_note_text(n, &len);
		(void) fs_checkpoint_parse(&cp, text, len);
		(void) fs_note_verify(n, keys, 2, NULL);
		(void) fs_cosig_verify(&t, n, &keys[1]);
		fs_note_free(n);
	}
	return (0);
}

// SPDX-License-Identifier: Apache-2.0
//
// fuzz_token.c -- libFuzzer harness for the consent-token parser: PASETO
// framing, footer, claims JSON and the revocation list decoder.

#include <stdlib.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "tests/golden.h"
#include "wire/revocations.h"
#include "wire/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_key *a, *b, *c, *x;
	fs_claims      cl;
	fs_revlist     rl;
	char          *footer;
	uint8_t        kid[FS_KID_BYTES];

	if (a == NULL) {
		if (fs_crypto_init() != FS_OK) {
			abort();
		}
		golden_keys(&a, &b, &c, &x);
	}
	(void) fs_token_verify(&cl, (const char *) data, size, fs_key_public(a),
	    "golden", 1795000000, FS_SKEW_DEFAULT);
	if (fs_paseto_footer(&footer, NULL, (const char *) data, size)
	    == FS_OK) {
		free(footer);
	}
	(void) fs_footer_decode(kid, (const char *) data, size);
	(void) fs_claims_decode(&cl, data, size);
	if (fs_revlist_decode(&rl, data, size, fs_key_public(a), "golden")
	    == FS_OK) {
		fs_revlist_fini(&rl);
	}
	return (0);
}

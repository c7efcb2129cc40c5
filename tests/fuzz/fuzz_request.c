// SPDX-License-Identifier: Apache-2.0
//
// fuzz_request.c -- libFuzzer harness for what the coordinator reads from
// the HTTP body of a lookup before anything else: the JSON body, the
// request token's footer, and the request's signature and claims.

#include <stdlib.h>

#include <jansson.h>

#include "common/err.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "tests/golden.h"
#include "wire/request.h"
#include "wire/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_key *a, *b, *c, *x;
	json_t        *o;
	const char    *token;
	uint8_t        kid[FS_KID_BYTES];
	fs_request     r;

	if (a == NULL) {
		if (fs_crypto_init() != FS_OK) {
			abort();
		}
		golden_keys(&a, &b, &c, &x);
	}
	if (fs_lookup_body_decode(&o, (const char *) data, size, &token)
	    == FS_OK) {
		(void) fs_token_kid(kid, token, strlen(token));
		(void) fs_request_verify(&r, token, strlen(token),
		    fs_key_public(a), "golden", 1795000000, 300);
		json_decref(o);
	}
	(void) fs_request_verify(&r, (const char *) data, size,
	    fs_key_public(a), "golden", 1795000000, 300);
	return (0);
}

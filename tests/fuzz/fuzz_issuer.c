// SPDX-License-Identifier: Apache-2.0
//
// fuzz_issuer.c -- libFuzzer harness for the issuer's evaluation request:
// the body decoder and the batched VOPRF evaluation behind it, on
// arbitrary bytes (malformed and identity points included).

#include <stdlib.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "net/issuer_client.h"
#include "wire/mp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_oprf_key *k;
	static uint8_t      out[FS_ISSUER_BATCH_MAX * FS_OPRF_ELEMENT_BYTES];
	uint8_t             proof[FS_OPRF_PROOF_BYTES];
	const uint8_t      *blinded;
	size_t              len;
	uint32_t            n;
	fs_mp               r;

	if (k == NULL) {
		static const uint8_t seed[FS_OPRF_SEED_BYTES] = { 1 };

		if (fs_crypto_init() != FS_OK
		    || fs_oprf_key_derive(&k, FS_OPRF_MODE_VOPRF, seed,
		           (const uint8_t *) FS_OPRF_INFO,
		           sizeof(FS_OPRF_INFO) - 1)
		        != FS_OK) {
			abort();
		}
	}
	fs_mp_init(&r, data, size);
	if (fs_mp_array(&r, &n) != FS_OK || n != 1
	    || fs_mp_bin(&r, &blinded, &len,
	           FS_ISSUER_BATCH_MAX * FS_OPRF_ELEMENT_BYTES)
	        != FS_OK
	    || fs_mp_end(&r) != FS_OK || len == 0
	    || len % FS_OPRF_ELEMENT_BYTES != 0) {
		return (0);
	}
	(void) fs_voprf_blind_evaluate(
	    k, out, proof, blinded, len / FS_OPRF_ELEMENT_BYTES);
	return (0);
}

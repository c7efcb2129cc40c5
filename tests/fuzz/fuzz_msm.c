// SPDX-License-Identifier: Apache-2.0
//
// fuzz_msm.c -- libFuzzer harness for the hand-written ristretto255
// arithmetic and multi-scalar multiplication behind the DLEQ proofs
// (crypto/ristretto.c, crypto/msm.c), checked against libsodium's
// constant-time scalar multiplication and addition.  The input is a list
// of scalars and points (msm_diff.c): hashed points, multiples of the
// base, the identity, raw and non-canonical encodings; zero, L - 1, L and
// other scalars not reduced; 0 to 4096 terms.  Any disagreement aborts.

#include <stdlib.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/fuzz/msm_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;

	if (!init) {
		if (fs_crypto_init() != FS_OK) {
			abort();
		}
		init = true;
	}
	if (!msm_diff_input(data, size)) {
		abort();
	}
	return (0);
}

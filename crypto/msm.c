// SPDX-License-Identifier: Apache-2.0
//
// msm.c -- sums of multiples of ristretto255 points, for the DLEQ proofs.

#include <string.h>

#include "oprfimpl.h"

fs_err
fs_msm_naive(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	uint8_t acc[FS_OPRF_ELEMENT_BYTES] = { 0 };
	uint8_t q[FS_OPRF_ELEMENT_BYTES];

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = points + i * FS_OPRF_ELEMENT_BYTES;

		// libsodium 1.0.18 ignores the top bit; RFC 9496 refuses it.
		if ((p[31] & 0x80) != 0
		    || !crypto_core_ristretto255_is_valid_point(p)) {
			return (FS_ERR_MALFORMED);
		}
		// libsodium refuses to return the identity; a zero term adds
		// nothing.
		if (crypto_scalarmult_ristretto255(
		        q, scalars + i * FS_OPRF_SCALAR_BYTES, p)
		    != 0) {
			continue;
		}
		crypto_core_ristretto255_add(acc, acc, q);
	}
	memcpy(out, acc, sizeof(acc));
	return (FS_OK);
}

fs_err
fs_msm(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n)
{
	return (fs_msm_naive(out, scalars, points, n));
}

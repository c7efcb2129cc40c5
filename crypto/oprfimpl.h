// SPDX-License-Identifier: Apache-2.0
//
// oprfimpl.h -- internals shared by h2c.c, msm.c and oprf.c.  This header
// must not be exposed to other modules; tests may include it.
//
// Design notes.
// * Messages to hash come as a list of pieces (fs_iov), so that the
//   transcripts of RFC 9497 are hashed without being copied together.
// * The domain separation tags are a prefix ("HashToGroup-") followed by
//   the context string "OPRFV1-" || mode || "-ristretto255-SHA512".
// * fs_msm computes sums of multiples of public points with public
//   scalars (the DLEQ composites and the proof checks), in variable time.

#ifndef FS_OPRFIMPL_H
#define FS_OPRFIMPL_H

#include "crypto.h"

#define FS_OPRF_CONTEXT_LEN 28 // "OPRFV1-" 7, mode 1, "-ristretto255-SHA512" 20

typedef struct fs_iov {
	const void *p;
	size_t      n;
} fs_iov;

// fs_oprf_context writes the context string of mode.
void fs_oprf_context(
    uint8_t ctx[static FS_OPRF_CONTEXT_LEN], fs_oprf_mode mode);

// expand_message_xmd with SHA-512 (RFC 9380 section 5.3.1).  len is 1 to
// 255 * 64 bytes and the DST at most 255 bytes; FS_ERR_INVALID otherwise.
fs_err fs_xmd_sha512(uint8_t *out, size_t len, const fs_iov *msg, size_t nmsg,
    const uint8_t *dst, size_t dstlen);

// HashToGroup and HashToScalar of RFC 9497 section 4.1, with the DST
// prefix || context(mode).  HashToGroup returns FS_ERR_CRYPTO if the
// message maps to the identity.
fs_err fs_hash_to_group(uint8_t p[static FS_OPRF_ELEMENT_BYTES],
    fs_oprf_mode mode, const fs_iov *msg, size_t nmsg);
void   fs_hash_to_scalar(uint8_t s[static FS_OPRF_SCALAR_BYTES],
      fs_oprf_mode mode, const char *prefix, const fs_iov *msg, size_t nmsg);

// fs_scalar_is_canonical tells whether s is below the group order.
bool fs_scalar_is_canonical(const uint8_t s[static FS_OPRF_SCALAR_BYTES]);

// fs_msm sets out to the sum of scalars[i] * points[i] for i < n, 32 bytes
// each, in variable time: only for public values.  The result may be the
// identity (all zero).  A point that does not decode is FS_ERR_MALFORMED.
// fs_msm_naive computes the same with libsodium alone; the tests compare
// the two.
fs_err fs_msm(uint8_t out[static FS_OPRF_ELEMENT_BYTES], const uint8_t *scalars,
    const uint8_t *points, size_t n);
fs_err fs_msm_naive(uint8_t out[static FS_OPRF_ELEMENT_BYTES],
    const uint8_t *scalars, const uint8_t *points, size_t n);

#endif // FS_OPRFIMPL_H

// SPDX-License-Identifier: Apache-2.0
//
// oprfimpl.h -- internals shared by h2c.c, dleq.c, msm.c, oprf.c and
// ristretto.c.  This header
// must not be exposed to other modules; tests may include it.
//
// Design notes.
// * Messages to hash come as a list of pieces (fs_iov), so that the
//   transcripts of RFC 9497 are hashed without being copied together.
// * The domain separation tags are a prefix ("HashToGroup-") followed by
//   the context string "OPRFV1-" || mode || "-ristretto255-SHA512".
// * fs_msm computes sums of multiples of public points with public
//   scalars (the DLEQ composites and the proof checks), in variable time,
//   on the group arithmetic of ristretto.c (fs_ge_*).
// * dleq.c proves and checks the batched DLEQ proof; oprf.c does the rest.

#ifndef FS_OPRFIMPL_H
#define FS_OPRFIMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/oprf.h"

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

// I2OSP(v, 2)
static inline void
fs_i2osp2(uint8_t b[static 2], size_t v)
{
	b[0] = (uint8_t) (v >> 8);
	b[1] = (uint8_t) v;
}

// fs_point_decodes tells whether p is a canonical encoding of an element;
// fs_point_check also refuses the identity (FS_ERR_CRYPTO, where an
// encoding that does not decode is FS_ERR_MALFORMED).
bool   fs_point_decodes(const uint8_t p[static FS_OPRF_ELEMENT_BYTES]);
fs_err fs_point_check(const uint8_t p[static FS_OPRF_ELEMENT_BYTES]);

// fs_dleq_prove is GenerateProof(k, G, pkS, C, D) of RFC 9497 with
// ComputeCompositesFast, over n elements C and their evaluations D, with
// the proof's random scalar r; w has room for n scalars (the weights).
fs_err fs_dleq_prove(uint8_t proof[static FS_OPRF_PROOF_BYTES],
    const uint8_t            sk[static FS_OPRF_SCALAR_BYTES],
    const uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const uint8_t *c,
    const uint8_t *d, uint8_t *w, size_t n,
    const uint8_t r[static FS_OPRF_SCALAR_BYTES]);

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

#ifdef __SIZEOF_INT128__
// ristretto255 arithmetic (ristretto.c), variable time.  Field elements
// in five 51-bit limbs; points in extended coordinates (x = X/Z, y = Y/Z,
// x*y = T/Z), or affine as y + x, y - x, 2*d*x*y for mixed additions.
typedef struct fs_fe {
	uint64_t v[5];
} fs_fe;

typedef struct fs_ge {
	fs_fe X, Y, Z, T;
} fs_ge;

typedef struct fs_ge_niels {
	fs_fe ypx, ymx, t2d;
} fs_ge_niels;

// fs_ge_decode is RFC 9496 decoding: false if in is not a canonical
// encoding of a point.
bool fs_ge_decode(fs_ge_niels *q, const uint8_t in[static 32]);
void fs_ge_encode(uint8_t out[static 32], const fs_ge *p);
void fs_ge_identity(fs_ge *p);
// fs_ge_from_niels sets p to q, or -q when neg.
void fs_ge_from_niels(fs_ge *p, const fs_ge_niels *q, bool neg);
// r = p + q, or p - q when neg.  r may be p.
void fs_ge_madd(fs_ge *r, const fs_ge *p, const fs_ge_niels *q, bool neg);
void fs_ge_add(fs_ge *r, const fs_ge *p, const fs_ge *q);
void fs_ge_dbl(fs_ge *r, const fs_ge *p);
#endif

#endif // FS_OPRFIMPL_H

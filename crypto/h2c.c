// SPDX-License-Identifier: Apache-2.0
//
// h2c.c -- hashing to ristretto255: expand_message_xmd with SHA-512
// (RFC 9380 section 5.3.1), and HashToGroup / HashToScalar of RFC 9497.
//
// libsodium 1.0.18 has the map from 64 uniform bytes to the group
// (crypto_core_ristretto255_from_hash) and the reduction of 64 bytes to a
// scalar, but not the expander, which is written here on its SHA-512.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"

#define XMD_B   64  // SHA-512 output
#define XMD_R   128 // SHA-512 block
#define DST_MAX 255

static const char ctx_head[] = "OPRFV1-";
static const char ctx_tail[] = "-ristretto255-SHA512";

void
fs_oprf_context(uint8_t ctx[static FS_OPRF_CONTEXT_LEN], fs_oprf_mode mode)
{
	memcpy(ctx, ctx_head, sizeof(ctx_head) - 1);
	ctx[sizeof(ctx_head) - 1] = (uint8_t) mode;
	memcpy(ctx + sizeof(ctx_head), ctx_tail, sizeof(ctx_tail) - 1);
}

fs_err
fs_xmd_sha512(uint8_t *out, size_t len, const fs_iov *msg, size_t nmsg,
    const uint8_t *dst, size_t dstlen)
{
	static const uint8_t     zpad[XMD_R];
	crypto_hash_sha512_state st;
	uint8_t                  b0[XMD_B], bi[XMD_B];
	uint8_t                  lib[3], dlen, i;
	size_t                   ell = (len + XMD_B - 1) / XMD_B;
	size_t                   off;

	if (len == 0 || ell > 255 || dstlen > DST_MAX) {
		return (FS_ERR_INVALID);
	}
	dlen   = (uint8_t) dstlen;
	lib[0] = (uint8_t) (len >> 8); // I2OSP(len_in_bytes, 2)
	lib[1] = (uint8_t) len;
	lib[2] = 0; // I2OSP(0, 1)

	// b_0 = H(Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime)
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, zpad, sizeof(zpad));
	for (size_t k = 0; k < nmsg; k++) {
		crypto_hash_sha512_update(&st, msg[k].p, msg[k].n);
	}
	crypto_hash_sha512_update(&st, lib, sizeof(lib));
	crypto_hash_sha512_update(&st, dst, dstlen);
	crypto_hash_sha512_update(&st, &dlen, 1);
	crypto_hash_sha512_final(&st, b0);

	// b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime), with
	// b_1 = H(b_0 || ...): xoring b_0 onto zero gives b_0 itself.
	memset(bi, 0, sizeof(bi));
	for (i = 1, off = 0; off < len; i++, off += XMD_B) {
		size_t n = len - off < XMD_B ? len - off : XMD_B;

		for (size_t k = 0; k < XMD_B; k++) {
			bi[k] ^= b0[k];
		}
		crypto_hash_sha512_init(&st);
		crypto_hash_sha512_update(&st, bi, sizeof(bi));
		crypto_hash_sha512_update(&st, &i, 1);
		crypto_hash_sha512_update(&st, dst, dstlen);
		crypto_hash_sha512_update(&st, &dlen, 1);
		crypto_hash_sha512_final(&st, bi);
		memcpy(out + off, bi, n);
	}
	// The message may be a secret seed.
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(b0, sizeof(b0));
	sodium_memzero(bi, sizeof(bi));
	return (FS_OK);
}

// make_dst writes prefix || context(mode) and returns its length.
static size_t
make_dst(uint8_t *dst, const char *prefix, fs_oprf_mode mode)
{
	size_t n = strlen(prefix);

	memcpy(dst, prefix, n);
	fs_oprf_context(dst + n, mode);
	return (n + FS_OPRF_CONTEXT_LEN);
}

fs_err
fs_hash_to_group(uint8_t p[static FS_OPRF_ELEMENT_BYTES], fs_oprf_mode mode,
    const fs_iov *msg, size_t nmsg)
{
	uint8_t u[crypto_core_ristretto255_HASHBYTES];
	uint8_t dst[32 + FS_OPRF_CONTEXT_LEN];
	uint8_t q[FS_OPRF_ELEMENT_BYTES];
	size_t  dstlen = make_dst(dst, "HashToGroup-", mode);

	(void) fs_xmd_sha512(u, sizeof(u), msg, nmsg, dst, dstlen);
	crypto_core_ristretto255_from_hash(q, u);
	sodium_memzero(u, sizeof(u));
	// The identity encodes as 32 zero bytes.
	if (sodium_is_zero(q, sizeof(q))) {
		return (FS_ERR_CRYPTO);
	}
	memcpy(p, q, sizeof(q));
	sodium_memzero(q, sizeof(q));
	return (FS_OK);
}

void
fs_hash_to_scalar(uint8_t s[static FS_OPRF_SCALAR_BYTES], fs_oprf_mode mode,
    const char *prefix, const fs_iov *msg, size_t nmsg)
{
	uint8_t u[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];
	uint8_t dst[32 + FS_OPRF_CONTEXT_LEN];
	size_t  dstlen = make_dst(dst, prefix, mode);

	(void) fs_xmd_sha512(u, sizeof(u), msg, nmsg, dst, dstlen);
	crypto_core_ristretto255_scalar_reduce(s, u);
	sodium_memzero(u, sizeof(u));
}

// The group order L = 2^252 + 27742317777372353535851937790883648493,
// little-endian.
static const uint8_t order[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12,
	0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };

bool
fs_scalar_is_canonical(const uint8_t s[static FS_OPRF_SCALAR_BYTES])
{
	// Compare from the most significant byte; proofs are public.
	for (int i = 31; i >= 0; i--) {
		if (s[i] != order[i]) {
			return (s[i] < order[i]);
		}
	}
	return (false);
}

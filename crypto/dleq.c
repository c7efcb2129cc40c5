// SPDX-License-Identifier: Apache-2.0
//
// dleq.c -- the batched DLEQ proof of RFC 9497 section 2.2: the server
// proves that log_G(pkS) = log_C[i](D[i]) for every element of a batch
// with one proof, made over the composites M = sum d[i] * C[i] and
// Z = sum d[i] * D[i].
//
// The prover knows k and takes Z = k * M (ComputeCompositesFast); the
// verifier computes both sums.  The sums, over public points with public
// weights, go to fs_msm in variable time; the scalar multiplications by
// the secrets k and r stay with libsodium's constant-time code.  The
// prover's cost per element is then one HashToScalar and one term of M;
// Z = k * M, r * G, r * M and the challenge are paid once per batch.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES

// The generator's encoding, for the proof check t2 = s * G + c * pkS.
static const uint8_t generator[EB]
    = { 0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61,
	      0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd,
	      0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76 };

// fs_point_decodes tells whether p is a canonical encoding of a point.
// libsodium 1.0.18 ignores the top bit of the last byte, which RFC 9496
// refuses: accepting it would give every element a second encoding.
bool
fs_point_decodes(const uint8_t p[static EB])
{
	return (
	    (p[31] & 0x80) == 0 && crypto_core_ristretto255_is_valid_point(p));
}

// fs_point_check refuses the identity and points that do not decode.
fs_err
fs_point_check(const uint8_t p[static EB])
{
	if (sodium_is_zero(p, EB)) {
		return (FS_ERR_CRYPTO);
	}
	if (!fs_point_decodes(p)) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

// composites computes the weights d[i] of ComputeComposites (RFC 9497
// section 2.2.1), the same for prover and verifier.
static void
composites(uint8_t *d, const uint8_t pk[static EB], const uint8_t *c,
    const uint8_t *dd, size_t n)
{
	static const char        composite[] = "Composite";
	uint8_t                  seed_dst[5 + FS_OPRF_CONTEXT_LEN];
	uint8_t                  seed[crypto_hash_sha512_BYTES];
	uint8_t                  len_e[2], len_dst[2], len_seed[2], idx[2];
	crypto_hash_sha512_state st;
	fs_iov                   msg[8];

	// seed = Hash(I2OSP(len(Bm), 2) || Bm || I2OSP(len(seedDST), 2) ||
	// seedDST), seedDST = "Seed-" || contextString
	memcpy(seed_dst, "Seed-", 5);
	fs_oprf_context(seed_dst + 5, FS_OPRF_MODE_VOPRF);
	fs_i2osp2(len_e, EB);
	fs_i2osp2(len_dst, sizeof(seed_dst));
	fs_i2osp2(len_seed, sizeof(seed));
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, len_e, 2);
	crypto_hash_sha512_update(&st, pk, EB);
	crypto_hash_sha512_update(&st, len_dst, 2);
	crypto_hash_sha512_update(&st, seed_dst, sizeof(seed_dst));
	crypto_hash_sha512_final(&st, seed);

	msg[0] = (fs_iov) { len_seed, 2 };
	msg[1] = (fs_iov) { seed, sizeof(seed) };
	msg[2] = (fs_iov) { idx, 2 };
	msg[3] = (fs_iov) { len_e, 2 };
	msg[5] = (fs_iov) { len_e, 2 };
	msg[7] = (fs_iov) { composite, sizeof(composite) - 1 };
	for (size_t i = 0; i < n; i++) {
		fs_i2osp2(idx, i);
		msg[4] = (fs_iov) { c + i * EB, EB };
		msg[6] = (fs_iov) { dd + i * EB, EB };
		fs_hash_to_scalar(
		    d + i * SB, FS_OPRF_MODE_VOPRF, "HashToScalar-", msg, 8);
	}
}

// challenge hashes the proof's transcript (RFC 9497 section 2.2.2).
static void
challenge(uint8_t c[static SB], const uint8_t pk[static EB],
    const uint8_t m[static EB], const uint8_t z[static EB],
    const uint8_t t2[static EB], const uint8_t t3[static EB])
{
	static const char label[]  = "Challenge";
	const uint8_t    *parts[5] = { pk, m, z, t2, t3 };
	uint8_t           len_e[2];
	fs_iov            msg[11];

	fs_i2osp2(len_e, EB);
	for (int i = 0; i < 5; i++) {
		msg[2 * i]     = (fs_iov) { len_e, 2 };
		msg[2 * i + 1] = (fs_iov) { parts[i], EB };
	}
	msg[10] = (fs_iov) { label, sizeof(label) - 1 };
	fs_hash_to_scalar(c, FS_OPRF_MODE_VOPRF, "HashToScalar-", msg, 11);
}

fs_err
fs_dleq_prove(uint8_t proof[static FS_OPRF_PROOF_BYTES],
    const uint8_t sk[static SB], const uint8_t pk[static EB], const uint8_t *c,
    const uint8_t *dd, uint8_t *d, size_t n, const uint8_t r[static SB])
{
	uint8_t m[EB], z[EB], t2[EB], t3[EB];
	uint8_t ch[SB], ck[SB], s[SB];
	fs_err  rv;

	composites(d, pk, c, dd, n);
	if ((rv = fs_msm(m, d, c, n)) != FS_OK) {
		return (rv);
	}
	// Z = k * M, which equals sum d[i] * D[i].  M is the identity only
	// if the weights cancel, which a hash makes negligible.
	if (crypto_scalarmult_ristretto255(z, sk, m) != 0
	    || crypto_scalarmult_ristretto255_base(t2, r) != 0
	    || crypto_scalarmult_ristretto255(t3, r, m) != 0) {
		return (FS_ERR_CRYPTO);
	}
	challenge(ch, pk, m, z, t2, t3);
	// s = r - c * k
	crypto_core_ristretto255_scalar_mul(ck, ch, sk);
	crypto_core_ristretto255_scalar_sub(s, r, ck);
	memcpy(proof, ch, SB);
	memcpy(proof + SB, s, SB);
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(s, sizeof(s));
	return (FS_OK);
}

fs_err
fs_voprf_verify(const uint8_t pk[static EB], const uint8_t *blinded,
    const uint8_t *evaluated, size_t n,
    const uint8_t proof[static FS_OPRF_PROOF_BYTES])
{
	const uint8_t *c = proof, *s = proof + SB;
	uint8_t        m[EB], z[EB], t2[EB], t3[EB], ch[SB];
	uint8_t        sc[2 * SB], pts[2 * EB];
	uint8_t       *d;
	fs_err         rv;

	if (n == 0) {
		return (FS_ERR_INVALID);
	}
	if (n > FS_OPRF_BATCH_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = fs_point_check(pk)) != FS_OK) {
		return (rv);
	}
	if (!fs_scalar_is_canonical(c) || !fs_scalar_is_canonical(s)) {
		return (FS_ERR_MALFORMED);
	}
	// fs_msm below refuses what does not decode; the identity decodes.
	for (size_t i = 0; i < n; i++) {
		if (sodium_is_zero(blinded + i * EB, EB)
		    || sodium_is_zero(evaluated + i * EB, EB)) {
			return (FS_ERR_CRYPTO);
		}
	}
	if ((d = malloc(n * SB)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	composites(d, pk, blinded, evaluated, n);
	if ((rv = fs_msm(m, d, blinded, n)) != FS_OK
	    || (rv = fs_msm(z, d, evaluated, n)) != FS_OK) {
		goto done;
	}
	// t2 = s * G + c * pkS, t3 = s * M + c * Z
	memcpy(sc, s, SB);
	memcpy(sc + SB, c, SB);
	memcpy(pts, generator, EB);
	memcpy(pts + EB, pk, EB);
	if ((rv = fs_msm(t2, sc, pts, 2)) != FS_OK) {
		goto done;
	}
	memcpy(pts, m, EB);
	memcpy(pts + EB, z, EB);
	if ((rv = fs_msm(t3, sc, pts, 2)) != FS_OK) {
		goto done;
	}
	challenge(ch, pk, m, z, t2, t3);
	rv = sodium_memcmp(ch, c, SB) == 0 ? FS_OK : FS_ERR_PROOF;
done:
	free(d);
	return (rv);
}

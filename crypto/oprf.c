// SPDX-License-Identifier: Apache-2.0
//
// oprf.c -- RFC 9497 OPRF (mode 0) and VOPRF (mode 1) over
// ristretto255-SHA512: keys, Blind, BlindEvaluate with one batched DLEQ
// proof, Finalize, Evaluate.
//
// The server's cost per element is one constant-time scalar
// multiplication k * C[i] by libsodium (which also refuses points that do
// not decode and the identity), one HashToScalar and one term of the
// composite M = sum d[i] * C[i], computed by fs_msm in variable time since
// d[i] and C[i] are public.  The rest of the proof (Z = k * M, r * G,
// r * M, the challenge) is paid once per batch.

#include <stdlib.h>
#include <string.h>

#include "oprfimpl.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES

struct fs_oprf_key {
	uint8_t     *sk; // sodium_malloc'd scalar, read-only
	uint8_t      pk[EB];
	fs_oprf_mode mode;
};

// The generator's encoding, for the proof check t2 = s * G + c * pkS.
static const uint8_t generator[EB]
    = { 0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61,
	      0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd,
	      0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76 };

// I2OSP(v, 2)
static void
be16(uint8_t b[2], size_t v)
{
	b[0] = (uint8_t) (v >> 8);
	b[1] = (uint8_t) v;
}

static bool
mode_ok(fs_oprf_mode mode)
{
	return (mode == FS_OPRF_MODE_OPRF || mode == FS_OPRF_MODE_VOPRF);
}

// scalar_ok tells, in constant time, whether s is canonical and not zero:
// reducing it must leave it unchanged.
static bool
scalar_ok(const uint8_t s[static SB])
{
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES] = { 0 };
	uint8_t red[SB];
	bool    ok;

	memcpy(wide, s, SB);
	crypto_core_ristretto255_scalar_reduce(red, wide);
	ok = sodium_memcmp(red, s, SB) == 0 && !sodium_is_zero(s, SB);
	sodium_memzero(wide, sizeof(wide));
	sodium_memzero(red, sizeof(red));
	return (ok);
}

// decodes tells whether p is a canonical encoding of a point.  libsodium
// 1.0.18 ignores the top bit of the last byte, which RFC 9496 refuses:
// accepting it would give every element a second encoding.
static bool
decodes(const uint8_t p[static EB])
{
	return (
	    (p[31] & 0x80) == 0 && crypto_core_ristretto255_is_valid_point(p));
}

// mul checks that p decodes (libsodium does the rest) and multiplies it by
// a scalar n that is not zero; -1 means p is the identity.
static fs_err
mul(uint8_t q[static EB], const uint8_t n[static SB],
    const uint8_t p[static EB])
{
	if ((p[31] & 0x80) != 0) {
		return (FS_ERR_MALFORMED);
	}
	if (crypto_scalarmult_ristretto255(q, n, p) != 0) {
		// The point does not decode, or it is the identity (n is not
		// zero and the group has prime order).
		return (decodes(p) ? FS_ERR_CRYPTO : FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

// check_point refuses the identity and points that do not decode.
static fs_err
check_point(const uint8_t p[static EB])
{
	if (sodium_is_zero(p, EB)) {
		return (FS_ERR_CRYPTO);
	}
	if (!decodes(p)) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

static fs_err
key_new(fs_oprf_key **kp, fs_oprf_mode mode, const uint8_t sk[static SB])
{
	fs_oprf_key *k;

	if (!mode_ok(mode)) {
		return (FS_ERR_INVALID);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((k->sk = sodium_malloc(SB)) == NULL) {
		free(k);
		return (FS_ERR_NOMEM);
	}
	memcpy(k->sk, sk, SB);
	k->mode = mode;
	if (crypto_scalarmult_ristretto255_base(k->pk, k->sk) != 0) {
		fs_oprf_key_free(k);
		return (FS_ERR_CRYPTO);
	}
	sodium_mprotect_readonly(k->sk);
	*kp = k;
	return (FS_OK);
}

fs_err
fs_oprf_key_derive(fs_oprf_key **kp, fs_oprf_mode mode,
    const uint8_t seed[static FS_OPRF_SEED_BYTES], const uint8_t *info,
    size_t infolen)
{
	uint8_t ilen[2], ctr;
	uint8_t sk[SB];
	fs_iov  msg[4];
	fs_err  rv = FS_ERR_CRYPTO;

	if (infolen > FS_OPRF_INPUT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	be16(ilen, infolen);
	// deriveInput = seed || I2OSP(len(info), 2) || info, then a counter
	msg[0] = (fs_iov) { seed, FS_OPRF_SEED_BYTES };
	msg[1] = (fs_iov) { ilen, 2 };
	msg[2]
	    = (fs_iov) { infolen > 0 ? info : (const uint8_t *) "", infolen };
	msg[3] = (fs_iov) { &ctr, 1 };
	for (unsigned c = 0; c <= 255; c++) {
		ctr = (uint8_t) c;
		fs_hash_to_scalar(sk, mode, "DeriveKeyPair", msg, 4);
		if (!sodium_is_zero(sk, SB)) {
			rv = key_new(kp, mode, sk);
			break;
		}
	}
	sodium_memzero(sk, sizeof(sk));
	return (rv);
}

fs_err
fs_oprf_key_generate(fs_oprf_key **kp, fs_oprf_mode mode)
{
	uint8_t sk[SB];
	fs_err  rv;

	// Never zero, always canonical.
	crypto_core_ristretto255_scalar_random(sk);
	rv = key_new(kp, mode, sk);
	sodium_memzero(sk, sizeof(sk));
	return (rv);
}

fs_err
fs_oprf_key_from_scalar(
    fs_oprf_key **kp, fs_oprf_mode mode, const uint8_t sk[static SB])
{
	if (!scalar_ok(sk)) {
		return (FS_ERR_MALFORMED);
	}
	return (key_new(kp, mode, sk));
}

void
fs_oprf_key_free(fs_oprf_key *k)
{
	if (k == NULL) {
		return;
	}
	sodium_free(k->sk);
	free(k);
}

const uint8_t *
fs_oprf_key_public(const fs_oprf_key *k)
{
	return (k->pk);
}

const uint8_t *
fs_oprf_key_secret(const fs_oprf_key *k)
{
	return (k->sk);
}

fs_oprf_mode
fs_oprf_key_mode(const fs_oprf_key *k)
{
	return (k->mode);
}

fs_err
fs_oprf_blind_fixed(fs_oprf_mode mode, const uint8_t blind[static SB],
    uint8_t blinded[static EB], const uint8_t *input, size_t len)
{
	uint8_t p[EB], q[EB];
	fs_iov  msg = { len > 0 ? input : (const uint8_t *) "", len };
	fs_err  rv;

	if (!mode_ok(mode) || !scalar_ok(blind)) {
		return (FS_ERR_INVALID);
	}
	if (len > FS_OPRF_INPUT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = fs_hash_to_group(p, mode, &msg, 1)) != FS_OK) {
		return (rv);
	}
	if (crypto_scalarmult_ristretto255(q, blind, p) != 0) {
		return (FS_ERR_CRYPTO);
	}
	memcpy(blinded, q, EB);
	return (FS_OK);
}

fs_err
fs_oprf_blind(fs_oprf_mode mode, uint8_t blind[static SB],
    uint8_t blinded[static EB], const uint8_t *input, size_t len)
{
	uint8_t b[SB];
	fs_err  rv;

	crypto_core_ristretto255_scalar_random(b);
	if ((rv = fs_oprf_blind_fixed(mode, b, blinded, input, len)) == FS_OK) {
		memcpy(blind, b, SB);
	}
	sodium_memzero(b, sizeof(b));
	return (rv);
}

fs_err
fs_oprf_blind_evaluate(const fs_oprf_key *k, uint8_t evaluated[static EB],
    const uint8_t blinded[static EB])
{
	uint8_t d[EB];
	fs_err  rv;

	if (k->mode != FS_OPRF_MODE_OPRF) {
		return (FS_ERR_INVALID);
	}
	if ((rv = mul(d, k->sk, blinded)) != FS_OK) {
		return (rv);
	}
	memcpy(evaluated, d, EB);
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
	be16(len_e, EB);
	be16(len_dst, sizeof(seed_dst));
	be16(len_seed, sizeof(seed));
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
		be16(idx, i);
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

	be16(len_e, EB);
	for (int i = 0; i < 5; i++) {
		msg[2 * i]     = (fs_iov) { len_e, 2 };
		msg[2 * i + 1] = (fs_iov) { parts[i], EB };
	}
	msg[10] = (fs_iov) { label, sizeof(label) - 1 };
	fs_hash_to_scalar(c, FS_OPRF_MODE_VOPRF, "HashToScalar-", msg, 11);
}

// prove is GenerateProof(k, G, pkS, C, D) with ComputeCompositesFast; d
// has room for n scalars.
static fs_err
prove(const fs_oprf_key *k, uint8_t proof[static FS_OPRF_PROOF_BYTES],
    const uint8_t *c, const uint8_t *dd, uint8_t *d, size_t n,
    const uint8_t r[static SB])
{
	uint8_t m[EB], z[EB], t2[EB], t3[EB];
	uint8_t ch[SB], ck[SB], s[SB];
	fs_err  rv;

	composites(d, k->pk, c, dd, n);
	if ((rv = fs_msm(m, d, c, n)) != FS_OK) {
		return (rv);
	}
	// Z = k * M, which equals sum d[i] * D[i].  M is the identity only
	// if the weights cancel, which a hash makes negligible.
	if (crypto_scalarmult_ristretto255(z, k->sk, m) != 0
	    || crypto_scalarmult_ristretto255_base(t2, r) != 0
	    || crypto_scalarmult_ristretto255(t3, r, m) != 0) {
		return (FS_ERR_CRYPTO);
	}
	challenge(ch, k->pk, m, z, t2, t3);
	// s = r - c * k
	crypto_core_ristretto255_scalar_mul(ck, ch, k->sk);
	crypto_core_ristretto255_scalar_sub(s, r, ck);
	memcpy(proof, ch, SB);
	memcpy(proof + SB, s, SB);
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(s, sizeof(s));
	return (FS_OK);
}

fs_err
fs_voprf_blind_evaluate_fixed(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded, size_t n,
    const uint8_t r[static SB])
{
	uint8_t *buf, *dd, *d;
	uint8_t  pr[FS_OPRF_PROOF_BYTES];
	fs_err   rv = FS_OK;

	if (k->mode != FS_OPRF_MODE_VOPRF || n == 0 || !scalar_ok(r)) {
		return (FS_ERR_INVALID);
	}
	if (n > FS_OPRF_BATCH_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	// Evaluations and weights, kept apart from the caller's buffer
	// until the whole batch succeeded.
	if ((buf = malloc(n * (EB + SB))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	dd = buf;
	d  = buf + n * EB;
	for (size_t i = 0; i < n; i++) {
		if ((rv = mul(dd + i * EB, k->sk, blinded + i * EB)) != FS_OK) {
			goto done;
		}
	}
	if ((rv = prove(k, pr, blinded, dd, d, n, r)) != FS_OK) {
		goto done;
	}
	memcpy(evaluated, dd, n * EB);
	memcpy(proof, pr, sizeof(pr));
done:
	free(buf);
	return (rv);
}

fs_err
fs_voprf_blind_evaluate(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded, size_t n)
{
	uint8_t r[SB];
	fs_err  rv;

	crypto_core_ristretto255_scalar_random(r);
	rv = fs_voprf_blind_evaluate_fixed(k, evaluated, proof, blinded, n, r);
	sodium_memzero(r, sizeof(r));
	return (rv);
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
	if ((rv = check_point(pk)) != FS_OK) {
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

// finalize_hash is Hash(I2OSP(len(input), 2) || input ||
// I2OSP(len(element), 2) || element || "Finalize").
static void
finalize_hash(uint8_t out[static FS_OPRF_OUTPUT_BYTES], const uint8_t *input,
    size_t len, const uint8_t e[static EB])
{
	static const char        label[] = "Finalize";
	crypto_hash_sha512_state st;
	uint8_t                  l[2];

	crypto_hash_sha512_init(&st);
	be16(l, len);
	crypto_hash_sha512_update(&st, l, 2);
	crypto_hash_sha512_update(&st, len > 0 ? input : l, len);
	be16(l, EB);
	crypto_hash_sha512_update(&st, l, 2);
	crypto_hash_sha512_update(&st, e, EB);
	crypto_hash_sha512_update(
	    &st, (const uint8_t *) label, sizeof(label) - 1);
	crypto_hash_sha512_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

// unblind_hash computes the output from a checked blind and evaluation.
static fs_err
unblind_hash(uint8_t out[static FS_OPRF_OUTPUT_BYTES], const uint8_t *input,
    size_t len, const uint8_t blind[static SB], const uint8_t ev[static EB])
{
	uint8_t inv[SB], e[EB];
	fs_err  rv = FS_OK;

	if (crypto_core_ristretto255_scalar_invert(inv, blind) != 0) {
		return (FS_ERR_INVALID);
	}
	if ((rv = mul(e, inv, ev)) == FS_OK) {
		finalize_hash(out, input, len, e);
	}
	sodium_memzero(inv, sizeof(inv));
	sodium_memzero(e, sizeof(e));
	return (rv);
}

fs_err
fs_oprf_finalize(uint8_t out[static FS_OPRF_OUTPUT_BYTES], const uint8_t *input,
    size_t len, const uint8_t blind[static SB],
    const uint8_t evaluated[static EB])
{
	uint8_t o[FS_OPRF_OUTPUT_BYTES];
	fs_err  rv;

	if (len > FS_OPRF_INPUT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (!scalar_ok(blind)) {
		return (FS_ERR_INVALID);
	}
	if ((rv = unblind_hash(o, input, len, blind, evaluated)) == FS_OK) {
		memcpy(out, o, sizeof(o));
	}
	sodium_memzero(o, sizeof(o));
	return (rv);
}

fs_err
fs_voprf_finalize(uint8_t *out, const uint8_t pk[static EB],
    const fs_oprf_input *in, const uint8_t *blinds, const uint8_t *blinded,
    const uint8_t *evaluated, size_t n,
    const uint8_t proof[static FS_OPRF_PROOF_BYTES])
{
	fs_err rv;

	for (size_t i = 0; i < n; i++) {
		if (in[i].len > FS_OPRF_INPUT_MAX) {
			return (FS_ERR_TOO_LARGE);
		}
		if (!scalar_ok(blinds + i * SB)) {
			return (FS_ERR_INVALID);
		}
	}
	if ((rv = fs_voprf_verify(pk, blinded, evaluated, n, proof)) != FS_OK) {
		return (rv);
	}
	// The proof checked that every evaluation decodes and is not the
	// identity, and every blind is invertible, so nothing below fails in
	// a group of prime order; should it, no output is left half written.
	for (size_t i = 0; i < n; i++) {
		rv = unblind_hash(out + i * FS_OPRF_OUTPUT_BYTES, in[i].data,
		    in[i].len, blinds + i * SB, evaluated + i * EB);
		if (rv != FS_OK) {
			sodium_memzero(out, n * FS_OPRF_OUTPUT_BYTES);
			return (rv);
		}
	}
	return (FS_OK);
}

fs_err
fs_oprf_evaluate(const fs_oprf_key *k, uint8_t out[static FS_OPRF_OUTPUT_BYTES],
    const uint8_t *input, size_t len)
{
	uint8_t p[EB], e[EB];
	fs_iov  msg = { len > 0 ? input : (const uint8_t *) "", len };
	fs_err  rv;

	if (len > FS_OPRF_INPUT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = fs_hash_to_group(p, k->mode, &msg, 1)) != FS_OK) {
		return (rv);
	}
	if (crypto_scalarmult_ristretto255(e, k->sk, p) != 0) {
		return (FS_ERR_CRYPTO);
	}
	finalize_hash(out, input, len, e);
	sodium_memzero(e, sizeof(e));
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// oprf.c -- RFC 9497 OPRF (mode 0) and VOPRF (mode 1) over
// ristretto255-SHA512: keys, Blind, BlindEvaluate with one batched DLEQ
// proof, Finalize, Evaluate.
//
// The server's cost per element is one constant-time scalar
// multiplication k * C[i] by libsodium (which also refuses the identity),
// and the element's share of the batch's proof (dleq.c).

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

struct fs_oprf_key {
	uint8_t     *sk; // sodium_malloc'd scalar, read-only
	uint8_t      pk[EB];
	fs_oprf_mode mode;
};

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

// mul multiplies p by a scalar n that is not zero, refusing an encoding
// that does not decode (FS_ERR_MALFORMED) and the identity (FS_ERR_CRYPTO).
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
		return (fs_point_decodes(p) ? FS_ERR_CRYPTO : FS_ERR_MALFORMED);
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
	fs_i2osp2(ilen, infolen);
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
	// H(input) stands for the input (an ID number), which anyone can
	// recover from it by guessing.
	if (crypto_scalarmult_ristretto255(q, blind, p) != 0) {
		rv = FS_ERR_CRYPTO;
	} else {
		memcpy(blinded, q, EB);
	}
	sodium_memzero(p, sizeof(p));
	return (rv);
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
	if ((rv = fs_dleq_prove(pr, k->sk, k->pk, blinded, dd, d, n, r))
	    != FS_OK) {
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
	fs_i2osp2(l, len);
	crypto_hash_sha512_update(&st, l, 2);
	crypto_hash_sha512_update(&st, len > 0 ? input : l, len);
	fs_i2osp2(l, EB);
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
		rv = FS_ERR_CRYPTO;
	} else {
		finalize_hash(out, input, len, e);
	}
	sodium_memzero(p, sizeof(p));
	sodium_memzero(e, sizeof(e));
	return (rv);
}

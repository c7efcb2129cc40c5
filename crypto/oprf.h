// SPDX-License-Identifier: Apache-2.0
//
// oprf.h -- the OPRF behind pseudonyms (RFC 9497), pseudonyms and the
// subject binding of attestations, and the OPRF key files.

#ifndef FS_CRYPTO_OPRF_H
#define FS_CRYPTO_OPRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/err.h"

// OPRF and VOPRF (RFC 9497, modes 0 and 1), suite ristretto255-SHA512.
//
// Design notes.
// * The issuer holds an fs_oprf_key: the secret scalar lives in guarded
//   memory, read-only once made; the key remembers its mode, because the
//   mode is part of every domain separation tag.
// * A client blinds each input (fs_oprf_blind), the server evaluates the
//   blinded elements and, in VOPRF mode, proves with ONE batched DLEQ
//   proof for the whole batch that it used the key behind its public key;
//   the client checks the proof and unblinds (fs_voprf_finalize).
// * Elements and scalars travel as their 32-byte encodings.  A point that
//   does not decode is FS_ERR_MALFORMED, the identity is FS_ERR_CRYPTO, a
//   proof that does not verify (tampered, or made with another key) is
//   FS_ERR_PROOF.  Scalars of a proof must be canonical (below the group
//   order).
// * The _fixed variants take the randomness from the caller, only so that
//   tests can reproduce the RFC's vectors.  Never use them otherwise.
#define FS_OPRF_ELEMENT_BYTES crypto_core_ristretto255_BYTES       // 32
#define FS_OPRF_SCALAR_BYTES  crypto_core_ristretto255_SCALARBYTES // 32
#define FS_OPRF_PROOF_BYTES   (2 * FS_OPRF_SCALAR_BYTES)           // c || s
#define FS_OPRF_OUTPUT_BYTES  crypto_hash_sha512_BYTES             // 64
#define FS_OPRF_SEED_BYTES    32
// Inputs, key info and batches are counted in two bytes on the wire of
// the transcripts.
#define FS_OPRF_INPUT_MAX 65535
#define FS_OPRF_BATCH_MAX 65535

typedef enum fs_oprf_mode {
	FS_OPRF_MODE_OPRF  = 0,
	FS_OPRF_MODE_VOPRF = 1,
} fs_oprf_mode;

// One input of a batch.
typedef struct fs_oprf_input {
	const uint8_t *data;
	size_t         len;
} fs_oprf_input;

typedef struct fs_oprf_key fs_oprf_key;

// DeriveKeyPair(seed, info) of RFC 9497 section 3.2.1.
fs_err fs_oprf_key_derive(fs_oprf_key **kp, fs_oprf_mode mode,
    const uint8_t seed[static FS_OPRF_SEED_BYTES], const uint8_t *info,
    size_t infolen);
fs_err fs_oprf_key_generate(fs_oprf_key **kp, fs_oprf_mode mode);
// fs_oprf_key_from_scalar loads a stored secret scalar; it must be
// canonical and not zero.
fs_err fs_oprf_key_from_scalar(fs_oprf_key **kp, fs_oprf_mode mode,
    const uint8_t sk[static FS_OPRF_SCALAR_BYTES]);
void   fs_oprf_key_free(fs_oprf_key *k);
// The public key pkS, and the secret scalar skS (read-only) for storage.
const uint8_t *fs_oprf_key_public(const fs_oprf_key *k);
const uint8_t *fs_oprf_key_secret(const fs_oprf_key *k);
fs_oprf_mode   fs_oprf_key_mode(const fs_oprf_key *k);

// Client: Blind.  blind is a secret the client keeps until it finalizes,
// then wipes.
fs_err fs_oprf_blind(fs_oprf_mode mode,
    uint8_t                       blind[static FS_OPRF_SCALAR_BYTES],
    uint8_t blinded[static FS_OPRF_ELEMENT_BYTES], const uint8_t *input,
    size_t len);
fs_err fs_oprf_blind_fixed(fs_oprf_mode mode,
    const uint8_t                       blind[static FS_OPRF_SCALAR_BYTES],
    uint8_t blinded[static FS_OPRF_ELEMENT_BYTES], const uint8_t *input,
    size_t len);

// Server, OPRF mode: BlindEvaluate of one element.
fs_err fs_oprf_blind_evaluate(const fs_oprf_key *k,
    uint8_t       evaluated[static FS_OPRF_ELEMENT_BYTES],
    const uint8_t blinded[static FS_OPRF_ELEMENT_BYTES]);
// Server, VOPRF mode: BlindEvaluate of n elements (n * 32 bytes each way)
// with one proof for the batch.
fs_err fs_voprf_blind_evaluate(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded,
    size_t n);
fs_err fs_voprf_blind_evaluate_fixed(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded, size_t n,
    const uint8_t r[static FS_OPRF_SCALAR_BYTES]);

// Client, OPRF mode: Finalize one evaluation.
fs_err fs_oprf_finalize(uint8_t out[static FS_OPRF_OUTPUT_BYTES],
    const uint8_t *input, size_t len,
    const uint8_t blind[static FS_OPRF_SCALAR_BYTES],
    const uint8_t evaluated[static FS_OPRF_ELEMENT_BYTES]);
// Client, VOPRF mode: check the batch's proof against the server's public
// key pk, then Finalize every element: out gets n * 64 bytes.  blinds,
// blinded and evaluated hold n * 32 bytes each, in the order sent.
fs_err fs_voprf_verify(const uint8_t pk[static FS_OPRF_ELEMENT_BYTES],
    const uint8_t *blinded, const uint8_t *evaluated, size_t n,
    const uint8_t proof[static FS_OPRF_PROOF_BYTES]);
fs_err fs_voprf_finalize(uint8_t *out,
    const uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const fs_oprf_input *in,
    const uint8_t *blinds, const uint8_t *blinded, const uint8_t *evaluated,
    size_t n, const uint8_t proof[static FS_OPRF_PROOF_BYTES]);

// Server: Evaluate, the unblinded PRF, for inputs the server may see.
fs_err fs_oprf_evaluate(const fs_oprf_key *k,
    uint8_t out[static FS_OPRF_OUTPUT_BYTES], const uint8_t *input, size_t len);

// Pseudonyms (docs/design.md), from the OPRF output y of a normalized ID
// number: the subject pseudonym that travels, the behavior base that stays
// with nodes, and the behavior key of one event reference, equal across
// departments.
#define FS_PSEUDONYM_BYTES 32
#define FS_IDC_BYTES       32
#define FS_IDC_SALT_BYTES  16
void fs_pseudonym_subject(uint8_t subject[static FS_PSEUDONYM_BYTES],
    const uint8_t                 y[static FS_OPRF_OUTPUT_BYTES]);
void fs_pseudonym_behavior_base(uint8_t base[static FS_PSEUDONYM_BYTES],
    const uint8_t                       y[static FS_OPRF_OUTPUT_BYTES]);
void fs_behavior_key(uint8_t key[static FS_PSEUDONYM_BYTES],
    const uint8_t base[static FS_PSEUDONYM_BYTES], const char *ref, size_t len);

// fs_idc_commit computes the subject binding of an attestation:
// idc = BLAKE2b-256(key = salt, message = normalized ID number).  The
// issuer draws the salt, puts idc in an attest consent and hands the salt
// to the citizen only; whoever is shown the ID number and the salt can
// check that an attestation is about that citizen, and nobody else can
// test guesses against idc (docs/recognition.md).
void fs_idc_commit(uint8_t idc[static FS_IDC_BYTES],
    const uint8_t salt[static FS_IDC_SALT_BYTES], const char *idnum,
    size_t len);

// The OPRF seed file: one line of base64url, 0600, never overwritten.
fs_err fs_seedfile_read(
    uint8_t seed[static FS_OPRF_SEED_BYTES], const char *path);
fs_err fs_seedfile_write(
    const char *path, const uint8_t seed[static FS_OPRF_SEED_BYTES]);

// fs_seedfile_why explains rv, a failure to read or create the seed file
// at path that holds what: "PATH: REASON (expected WHAT: one line of
// base64url, mode 0600)" into why.  It returns rv.
fs_err fs_seedfile_why(
    fs_err rv, const char *path, const char *what, char *why, size_t whycap);
// The OPRF public key file: one line of base64url.
fs_err fs_oprf_pubfile_read(
    uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const char *path);

#endif // FS_CRYPTO_OPRF_H

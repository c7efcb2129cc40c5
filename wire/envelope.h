// SPDX-License-Identifier: Apache-2.0
//
// envelope.h -- the signed envelope every internal message travels in, every
// message number, and error replies.
//
// Design notes.
// * An envelope is a msgpack array of ten items: version, type, sender key
//   id, recipient key id or nil, time (ms), nonce, the hash of the request
//   it answers or nil, encryption, body, signature.  The signature is
//   Ed25519 over a context string and every byte before the signature
//   item, so a decoder checks it before it trusts anything but the sender
//   key id.  docs/protocol.md has the byte layout.
// * Bodies with personal data are sealed (libsodium sealed box) to the
//   recipient's X25519 key, derived from its Ed25519 identity.  Sealing
//   uses a fresh ephemeral key, so a sender's compromise does not reveal
//   its past messages.
// * The decoder bounds every size before it allocates, refuses unknown
//   versions and checks the clock skew; each failure has its own fs_err.

#ifndef FS_WIRE_ENVELOPE_H
#define FS_WIRE_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"

#define FS_ENV_VERSION     1
#define FS_ENV_BODY_MAX    (1u << 20)              // plaintext or sealed body
#define FS_ENV_MAX         (FS_ENV_BODY_MAX + 512) // whole envelope
#define FS_ENV_NONCE_BYTES 16
#define FS_HASH_BYTES      32 // BLAKE2b-256
#define FS_SKEW_DEFAULT_MS (5 * 60 * 1000)

// Message types.  Requests are odd, their replies the next even number.
enum fs_msg_type {
	FS_MSG_PING              = 1, // body: opaque bytes
	FS_MSG_PONG              = 2, // body: the same bytes
	FS_MSG_OPRF_EVAL         = 3, // node to issuer: blinded ID numbers
	FS_MSG_OPRF_EVAL_REPLY   = 4, // issuer to node: evaluations and proof
	FS_MSG_REVOCATIONS       = 5, // node or coordinator to issuer
	FS_MSG_REVOCATIONS_REPLY = 6, // issuer: the signed revocation list
	FS_MSG_LOOKUP            = 7, // coordinator to node: fs_lookup
	FS_MSG_CONTRIBUTION      = 8, // node to coordinator: fs_contribution
	FS_MSG_WITNESS           = 9, // coordinator to node: fs_witness_req
	FS_MSG_COSIGNATURE = 10,      // node to coordinator: a cosignature line
	FS_MSG_ERROR       = 126,     // body: see fs_error_body_encode
};

typedef enum fs_enc {
	FS_ENC_NONE   = 0,
	FS_ENC_SEALED = 1,
} fs_enc;

typedef struct fs_envelope {
	uint8_t  version;
	uint16_t type;
	uint8_t  sender[FS_KID_BYTES];
	bool     has_recipient;
	uint8_t  recipient[FS_KID_BYTES];
	uint64_t time_ms;
	uint8_t  nonce[FS_ENV_NONCE_BYTES];
	bool     has_reply_to;
	uint8_t  reply_to[FS_HASH_BYTES];
	fs_enc   enc;
	uint8_t *body; // plaintext, malloc'd; freed by fs_envelope_fini
	size_t   body_len;
	uint8_t  hash[FS_HASH_BYTES]; // BLAKE2b-256 of the envelope bytes
} fs_envelope;

// What to seal.  recipient may be NULL for a clear, unaddressed message;
// enc FS_ENC_SEALED needs a recipient.  reply_to is the hash of the request
// this message answers, or NULL.
typedef struct fs_envelope_out {
	uint16_t         type;
	const fs_pubkey *recipient;
	fs_enc           enc;
	const uint8_t   *reply_to;
	uint64_t         time_ms;
	const uint8_t   *body;
	size_t           body_len;
} fs_envelope_out;

// fs_envelope_seal encodes, encrypts and signs; *outp is malloc'd.
fs_err fs_envelope_seal(const fs_key *sender, const fs_envelope_out *m,
    uint8_t **outp, size_t *outlenp);

// A key lookup: find the sender's public key by key id, or fail with
// FS_ERR_UNREGISTERED.  Must be safe to call from several threads.
typedef fs_err (*fs_keyfn)(
    void *arg, const uint8_t kid[static FS_KID_BYTES], fs_pubkey *pub);

// A fixed list of known keys, with its lookup for fs_envelope_open.
typedef struct fs_keyring {
	const fs_pubkey *keys;
	size_t           n;
} fs_keyring;
fs_err fs_keyring_lookup(
    void *ring, const uint8_t kid[static FS_KID_BYTES], fs_pubkey *pub);

// fs_envelope_open checks and decodes an envelope addressed to self (or to
// nobody).  Order of checks: size, structure, version, sender known,
// signature, recipient, clock skew, decryption.
fs_err fs_envelope_open(fs_envelope *env, const uint8_t *buf, size_t len,
    const fs_key *self, fs_keyfn lookup, void *arg, uint64_t now_ms,
    uint64_t skew_ms);
void   fs_envelope_fini(fs_envelope *env);

// fs_envelope_check_reply fails with FS_ERR_UNBOUND unless env answers
// the request whose hash is req_hash.
fs_err fs_envelope_check_reply(
    const fs_envelope *env, const uint8_t req_hash[static FS_HASH_BYTES]);

// Error replies: msgpack array [code, name, detail].  A peer that refuses
// a request answers FS_MSG_ERROR with this body, so that the caller can
// tell a refusal from a transport failure.
fs_err fs_error_body_encode(
    fs_err code, const char *detail, uint8_t **outp, size_t *outlenp);
fs_err fs_error_body_decode(const uint8_t *buf, size_t len, fs_err *code,
    char *detail, size_t detail_cap);

// fs_reply_error builds a signed FS_MSG_ERROR reply to the request bytes
// req: in clear (an error carries no personal data, and the requester may
// be one we hold no key for), bound to the request's hash, so the caller
// can tell a refusal from a transport failure and knows who refused.
fs_err fs_reply_error(const fs_key *self, const uint8_t *req, size_t len,
    fs_err code, const char *detail, uint8_t **repp, size_t *replenp);

#endif // FS_WIRE_ENVELOPE_H

// SPDX-License-Identifier: Apache-2.0
//
// protocol.h -- the signed envelope every internal message travels in, a
// strict msgpack reader for message bodies, and nng request/reply helpers.
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

#ifndef FS_PROTOCOL_H
#define FS_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define FS_ENV_VERSION     1
#define FS_ENV_BODY_MAX    (1u << 20)              // plaintext or sealed body
#define FS_ENV_MAX         (FS_ENV_BODY_MAX + 512) // whole envelope
#define FS_ENV_NONCE_BYTES 16
#define FS_HASH_BYTES      32 // BLAKE2b-256
#define FS_SKEW_DEFAULT_MS (5 * 60 * 1000)

// Message types.  Requests are odd, their replies the next even number.
enum fs_msg_type {
	FS_MSG_PING = 1, // body: opaque bytes
	FS_MSG_PONG = 2, // body: the same bytes
	// 3-6 are the issuer's, in issuer.h
	FS_MSG_LOOKUP       = 7,   // coordinator to node: fs_lookup
	FS_MSG_CONTRIBUTION = 8,   // node to coordinator: fs_contribution
	FS_MSG_WITNESS      = 9,   // coordinator to node: fs_witness_req
	FS_MSG_COSIGNATURE  = 10,  // node to coordinator: a cosignature line
	FS_MSG_ERROR        = 126, // body: see fs_error_body_encode
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

// fs_now_ms returns the wall-clock time in milliseconds since the epoch.
uint64_t fs_now_ms(void);

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

// Replay cache: remembers (sender, nonce) pairs for as long as their
// envelopes could pass a clock-skew check of skew_ms.  capacity bounds the
// pairs per two skews.  Thread-safe.
typedef struct fs_replay fs_replay;
fs_err fs_replay_init(fs_replay **rp, size_t capacity, uint64_t skew_ms);
void   fs_replay_fini(fs_replay *r);
// fs_replay_check records env and fails with FS_ERR_REPLAYED if it was
// seen before, or FS_ERR_TOO_LARGE if the cache is full of live entries.
fs_err fs_replay_check(fs_replay *r, const fs_envelope *env, uint64_t now_ms);

// Strict msgpack reading.  Each reader consumes exactly one item of the
// named type (any of its msgpack formats) or fails: FS_ERR_TRUNCATED when
// the input ends, FS_ERR_TYPE for another type, FS_ERR_TOO_LARGE when a
// length passes the caller's bound.  A reader that fails consumes nothing.
typedef struct fs_mp {
	const uint8_t *p;
	const uint8_t *end;
} fs_mp;

void   fs_mp_init(fs_mp *r, const uint8_t *buf, size_t len);
fs_err fs_mp_array(fs_mp *r, uint32_t *n);
fs_err fs_mp_map(fs_mp *r, uint32_t *n);
fs_err fs_mp_uint(fs_mp *r, uint64_t *v);
fs_err fs_mp_int(fs_mp *r, int64_t *v);
fs_err fs_mp_bool(fs_mp *r, bool *v);
fs_err fs_mp_bin(fs_mp *r, const uint8_t **p, size_t *len, size_t max);
fs_err fs_mp_str(fs_mp *r, const char **p, size_t *len, size_t max);
// fs_mp_bin_fixed reads a bin of exactly n bytes into out.
fs_err fs_mp_bin_fixed(fs_mp *r, uint8_t *out, size_t n);
// fs_mp_nil consumes a nil and returns true, or consumes nothing.
bool fs_mp_nil(fs_mp *r);
// fs_mp_end fails with FS_ERR_TRAILING unless all input was consumed.
fs_err fs_mp_end(const fs_mp *r);

// Lookups.  The coordinator asks every node for its contribution to one
// subject's score, passing the citizen's consent token so that each node
// checks the consent itself.  A node answers with one partial delta per
// dimension over the records only it holds, plus one item per behavior
// other departments may also report, keyed by a behavior key that is
// equal across departments and meaningless to the coordinator.
#define FS_SUBJECT_BYTES    32
#define FS_REQUEST_ID_BYTES 16
#define FS_TOKEN_MAX        4096
#define FS_VERSION_MAX      64
#define FS_SHARED_MAX       4096

// Score dimensions (Sanming art. 17).
typedef enum fs_dim {
	FS_DIM_BASIC    = 0,
	FS_DIM_POSITIVE = 1,
	FS_DIM_NEGATIVE = 2,
	FS_DIM_REPAIR   = 3,
	FS_DIM_USAGE    = 4,
	FS_DIM_COUNT    = 5,
} fs_dim;

const char *fs_dim_name(fs_dim d);
fs_err      fs_dim_parse(const char *s, fs_dim *d);

typedef struct fs_lookup {
	uint8_t  request_id[FS_REQUEST_ID_BYTES];
	uint8_t  subject[FS_SUBJECT_BYTES];
	char     token[FS_TOKEN_MAX + 1];
	uint64_t deadline_ms; // answer only before this time
} fs_lookup;

typedef struct fs_shared_item {
	uint8_t behavior_key[FS_SUBJECT_BYTES];
	fs_dim  dim;
	int64_t points;
} fs_shared_item;

typedef struct fs_contribution {
	char            rules_version[FS_VERSION_MAX + 1];
	int64_t         dims[FS_DIM_COUNT];
	fs_shared_item *shared; // malloc'd
	size_t          nshared;
	bool            disputed;   // a counted record is under dispute
	uint32_t        considered; // records held on the subject
	uint32_t        counted;    // records that counted
} fs_contribution;

fs_err fs_lookup_encode(const fs_lookup *l, uint8_t **outp, size_t *outlenp);
fs_err fs_lookup_decode(fs_lookup *l, const uint8_t *buf, size_t len);
fs_err fs_contribution_encode(
    const fs_contribution *c, uint8_t **outp, size_t *outlenp);
fs_err fs_contribution_decode(
    fs_contribution *c, const uint8_t *buf, size_t len);
void fs_contribution_fini(fs_contribution *c);

// Witnessing.  After signing a checkpoint the coordinator sends it to
// every node with a consistency proof from the last checkpoint that node
// cosigned; a node that finds the log consistent with what it saw before
// answers with its C2SP tlog-cosignature/v1 line.
#define FS_WITNESS_NOTE_MAX  8192
#define FS_WITNESS_PROOF_MAX 64

typedef struct fs_witness_req {
	const char *note; // the signed checkpoint (points into the body)
	size_t      note_len;
	uint64_t    old_size; // the size the proof starts from; 0: none
	size_t      nproof;
	uint8_t     proof[FS_WITNESS_PROOF_MAX][32];
} fs_witness_req;

fs_err fs_witness_encode(
    const fs_witness_req *w, uint8_t **outp, size_t *outlenp);
fs_err fs_witness_decode(fs_witness_req *w, const uint8_t *buf, size_t len);

// Request/reply over nng.  A server answers with a pool of contexts; the
// handler runs on nng's threads, several at once, and must be
// thread-safe.  It returns a malloc'd reply, or NULL to send none.
typedef void (*fs_handler)(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp);

typedef struct fs_server fs_server;
fs_err                   fs_server_start(
                      fs_server **sp, const char *url, int workers, fs_handler fn, void *arg);
void fs_server_stop(fs_server *s);

typedef struct fs_client fs_client;
fs_err                   fs_client_open(fs_client **cp, const char *url);
void                     fs_client_close(fs_client *c);
// fs_client_call sends req and waits up to timeout_ms for the reply.
fs_err fs_client_call(fs_client *c, const uint8_t *req, size_t len,
    int timeout_ms, uint8_t **repp, size_t *replenp);

// One call of fs_client_call_many: rep is malloc'd on success.
typedef struct fs_call {
	fs_client     *client;
	const uint8_t *req;
	size_t         len;
	uint8_t       *rep;
	size_t         replen;
	fs_err         rv;
} fs_call;

// fs_client_call_many runs n calls in parallel and returns when all have
// answered or timeout_ms has passed; each call's rv says how it ended.
// Must not be called from an nng callback.
fs_err fs_client_call_many(fs_call *calls, size_t n, int timeout_ms);

// HTTP requests on nng's HTTP client, for the coordinator's HTTP API and
// its log.  fs_http_request sends method to url (http:// or https://)
// with body (len bytes; NULL for none) of content type ctype (NULL for
// none), waits up to timeout_ms for the whole answer, and returns its
// status and body, malloc'd and NUL-terminated (*resplen excludes the
// NUL).  A transport failure is FS_ERR_TRANSPORT or FS_ERR_TIMEOUT; any
// HTTP status is a success for the caller to judge.
#define FS_HTTP_RESPONSE_MAX (64u << 20)
fs_err fs_http_request(const char *method, const char *url, const char *ctype,
    const void *body, size_t len, int timeout_ms, int *status, uint8_t **resp,
    size_t *resplen);
// fs_http_request_with adds request headers: a NULL-terminated list of
// name, value pairs, e.g. { "Authorization", "Bearer v4.public...", NULL }.
fs_err fs_http_request_with(const char *method, const char *url,
    const char *const *headers, const char *ctype, const void *body, size_t len,
    int timeout_ms, int *status, uint8_t **resp, size_t *resplen);

#endif // FS_PROTOCOL_H

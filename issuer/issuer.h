// SPDX-License-Identifier: Apache-2.0
//
// issuer.h -- the identity and consent authority: the only party that can
// turn an ID number into a pseudonym or mint consent.
//
// Design notes.
// * The issuer holds the VOPRF key (RFC 9497, ristretto255-SHA512), derived
//   from a 32-byte seed with DeriveKeyPair(seed, "fedscore issuer v1"), so
//   a key ceremony restores it from a backup of the seed alone.  Nodes
//   send blinded ID numbers in batches and get evaluations with one DLEQ
//   proof per batch; the issuer never sees the ID numbers they hold.
// * Parties are registered by key id with a role.  Only nodes may ask for
//   evaluations: the coordinator must never be able to test guesses of ID
//   numbers against pseudonyms.  Nodes and the coordinator may fetch the
//   revocation list.
// * Consent tokens are PASETO v4.public, signed by the issuer's Ed25519
//   key, with the region as implicit assertion.  Grants are kept by jti,
//   with the subject pseudonym, never the ID number.
// * The revocation list is signed on its own (not only by the envelope
//   that carries it) and numbered, so a copy can be kept and re-checked.

#ifndef FS_ISSUER_H
#define FS_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "crypto.h"
#include "protocol.h"

#define FS_OPRF_INFO        "fedscore issuer v1"
#define FS_ISSUER_BATCH_MAX 4096
#define FS_JTI_MAX          64
#define FS_NAME_MAX         64

// Message types of the issuer (see docs/protocol.md).
enum {
	FS_MSG_OPRF_EVAL         = 3,
	FS_MSG_OPRF_EVAL_REPLY   = 4,
	FS_MSG_REVOCATIONS       = 5,
	FS_MSG_REVOCATIONS_REPLY = 6,
};

typedef enum fs_role {
	FS_ROLE_NODE        = 1,
	FS_ROLE_COORDINATOR = 2,
} fs_role;

typedef struct fs_issuer fs_issuer;

// fs_issuer_open loads the configuration, keys and database.
fs_err fs_issuer_open(
    fs_issuer **ip, const char *conf, char *why, size_t whycap);
void fs_issuer_close(fs_issuer *iss);

// fs_issuer_init creates the Ed25519 key, the OPRF seed and their public
// files when they do not exist yet, and prints what to publish.
fs_err fs_issuer_init(const char *conf, char *why, size_t whycap);

// fs_issuer_serve answers nodes and the coordinator on the configured URL
// until SIGINT or SIGTERM.
fs_err fs_issuer_serve(fs_issuer *iss, char *why, size_t whycap);

fs_err fs_issuer_register(fs_issuer *iss, const char *name, fs_role role,
    const fs_pubkey *pub, char *why, size_t whycap);

// Consent.  The issuer grants a consent token for a citizen it has
// authenticated, naming the requester, the one purpose and the scope.
//
// A consent of scope attest also binds the attestation to the citizen:
// the issuer draws a random salt, puts idc = BLAKE2b-256(key = salt, ID
// number) in the token (fs_idc_commit) and returns the salt for the
// citizen only.  The salt is not stored: without it nobody, the issuer's
// database included, can test an ID number against idc.
#define FS_JTI_STR_LEN 22 // base64url of 16 bytes

typedef struct fs_grant {
	const char *idnum;     // normalized (fs_idnum_normalize)
	const char *requester; // the aud claim
	const char *purpose;
	fs_scope    scope;
	int64_t     ttl_s;
	uint32_t    uses;
} fs_grant;

// fs_issuer_grant writes the salt of the subject binding to salt when the
// scope is attest (salt must not be NULL then), and nothing otherwise.
fs_err fs_issuer_grant(fs_issuer *iss, const fs_grant *g, char **tokenp,
    char jti[static FS_JTI_STR_LEN + 1], uint8_t *salt, char *why,
    size_t whycap);
// fs_issuer_revocation_note returns, for auditors, the issuer's signed
// statement of every revocation and its time (fs_revocations_sign).
fs_err fs_issuer_revocation_note(
    fs_issuer *iss, char **notep, char *why, size_t whycap);
fs_err fs_issuer_revoke(
    fs_issuer *iss, const char *jti, char *why, size_t whycap);

void fs_jti_string(char out[static FS_JTI_STR_LEN + 1],
    const uint8_t       jti[static FS_JTI_BYTES]);

// The OPRF seed file: one line of base64url, 0600, never overwritten.
fs_err fs_seedfile_read(
    uint8_t seed[static FS_OPRF_SEED_BYTES], const char *path);
fs_err fs_seedfile_write(
    const char *path, const uint8_t seed[static FS_OPRF_SEED_BYTES]);
// The OPRF public key file: one line of base64url.
fs_err fs_oprf_pubfile_read(
    uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const char *path);

// A signed revocation list.
typedef struct fs_revlist {
	uint64_t seq;
	uint64_t time_ms;
	size_t   n;
	char (*jti)[FS_JTI_MAX + 1];
} fs_revlist;

fs_err fs_revlist_encode(const fs_key *issuer, const char *region,
    const fs_revlist *rl, uint8_t **outp, size_t *outlenp);
// fs_revlist_decode verifies the signature and the region.
fs_err fs_revlist_decode(fs_revlist *rl, const uint8_t *buf, size_t len,
    const fs_pubkey *issuer, const char *region);
bool   fs_revlist_has(const fs_revlist *rl, const char *jti);
void   fs_revlist_fini(fs_revlist *rl);

// fs_consent_verify is the check every holder of a token makes before it
// acts on it: the issuer's signature, the region, the times and, when rl
// is not NULL, revocation.  Audience, purpose, scope and uses are the
// caller's to check.
fs_err fs_consent_verify(fs_claims *c, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, const fs_revlist *rl,
    int64_t now, char *why, size_t whycap);

// The client side, for nodes: pseudonyms through the issuer.
typedef struct fs_issuer_client fs_issuer_client;

typedef struct fs_issuer_peer {
	const char *url;
	fs_pubkey   key;                         // the issuer's Ed25519 key
	uint8_t     oprf[FS_OPRF_ELEMENT_BYTES]; // the issuer's OPRF key
	char        region[FS_NAME_MAX + 1];
} fs_issuer_peer;

// fs_issuer_peer_load reads the [issuer] section of a node's or the
// coordinator's configuration: url, key (k4.public file), oprf (public key
// file; nodes only) and region.  *urlp is malloc'd and peer->url points
// to it.
fs_err fs_issuer_peer_load(const fs_conf *conf, fs_issuer_peer *peer,
    char **urlp, char *why, size_t whycap);

fs_err fs_issuer_client_open(
    fs_issuer_client **cp, const fs_key *self, const fs_issuer_peer *peer);
void fs_issuer_client_close(fs_issuer_client *c);

// fs_issuer_pseudonyms computes y = OPRF(key, id) for n normalized ID
// numbers (n ≤ FS_ISSUER_BATCH_MAX), checking the issuer's proof; y gets
// n * FS_OPRF_OUTPUT_BYTES bytes.  why explains a refusal.
fs_err fs_issuer_pseudonyms(fs_issuer_client *c, const char *const *ids,
    size_t n, uint8_t *y, char *why, size_t whycap);

// fs_issuer_revocations fetches and verifies the current list.
fs_err fs_issuer_revocations(
    fs_issuer_client *c, fs_revlist *rl, char *why, size_t whycap);

#endif // FS_ISSUER_H

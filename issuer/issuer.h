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

#include "common/err.h"
#include "crypto/key.h"
#include "wire/token.h"

#define FS_OPRF_INFO "fedscore issuer v1"

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

#endif // FS_ISSUER_H

// SPDX-License-Identifier: Apache-2.0
//
// key.h -- Ed25519 identities, their PASERK names and key files.
//
// * Every party has one Ed25519 identity.  Its public key is written as
//   PASERK "k4.public.<b64url(pk)>" and identified by PASERK
//   "k4.pid.<b64url(BLAKE2b-264("k4.pid." || paserk_public))>".  The raw
//   33-byte digest of the pid is what travels in envelopes.
// * Secret keys live in sodium_malloc() memory, read-only once loaded, and
//   are wiped by sodium_free().  Copies on the stack are wiped with
//   sodium_memzero().

#ifndef FS_CRYPTO_KEY_H
#define FS_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/err.h"

// fs_crypto_init initializes libsodium; call once before anything else.
fs_err fs_crypto_init(void);

// Keys.
#define FS_PK_BYTES     crypto_sign_PUBLICKEYBYTES // 32
#define FS_SK_BYTES     crypto_sign_SECRETKEYBYTES // 64 (seed || pk)
#define FS_SEED_BYTES   crypto_sign_SEEDBYTES      // 32
#define FS_SIG_BYTES    crypto_sign_BYTES          // 64
#define FS_KID_BYTES    33                         // BLAKE2b-264
#define FS_X25519_BYTES crypto_box_PUBLICKEYBYTES

// Lengths of the PASERK strings, without the terminating NUL.
#define FS_PASERK_PUBLIC_LEN (10 + 43) // "k4.public." + 43
#define FS_PASERK_SECRET_LEN (10 + 86) // "k4.secret." + 86
#define FS_PASERK_PID_LEN    (7 + 44)  // "k4.pid." + 44
#define FS_KEY_NAME_MAX      64

// A public identity: the Ed25519 key, its id, and the X25519 key that
// sealed boxes are addressed to (converted once, when the key is loaded).
typedef struct fs_pubkey {
	uint8_t pk[FS_PK_BYTES];
	uint8_t kid[FS_KID_BYTES];
	uint8_t xpk[FS_X25519_BYTES];
} fs_pubkey;

// A secret identity.  Opaque: its secret half is in guarded memory.
typedef struct fs_key fs_key;

// PASERK encodings.  out must hold the _LEN + 1 bytes.
void fs_paserk_public(char out[static FS_PASERK_PUBLIC_LEN + 1],
    const uint8_t          pk[static FS_PK_BYTES]);
void fs_paserk_pid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t       pk[static FS_PK_BYTES]);
void fs_paserk_pid_from_kid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t                kid[static FS_KID_BYTES]);
void fs_paserk_secret(char out[static FS_PASERK_SECRET_LEN + 1],
    const uint8_t          sk[static FS_SK_BYTES]);
void fs_kid_compute(
    uint8_t kid[static FS_KID_BYTES], const uint8_t pk[static FS_PK_BYTES]);

// Parsers.  The string must be exactly one PASERK of the given type.
fs_err fs_paserk_parse_public(
    uint8_t pk[static FS_PK_BYTES], const char *s, size_t len);
fs_err fs_paserk_parse_pid(
    uint8_t kid[static FS_KID_BYTES], const char *s, size_t len);
// Parses into guarded memory that the caller frees with sodium_free().
// The secret key's public half must match its seed.
fs_err fs_paserk_parse_secret(uint8_t **skp, const char *s, size_t len);

// fs_pubkey_init fills pub from a raw Ed25519 key of len bytes; any
// other length than FS_PK_BYTES (a key of another PASERK version) is
// refused.  A key that is not a point on the curve gets an all-zero
// X25519 key, which sealing refuses.
fs_err fs_pubkey_init(fs_pubkey *pub, const uint8_t *pk, size_t len);

fs_err fs_key_generate(fs_key **kp);
fs_err fs_key_from_seed(fs_key **kp, const uint8_t seed[static FS_SEED_BYTES]);
fs_err fs_key_from_secret(fs_key **kp, const uint8_t sk[static FS_SK_BYTES]);
void   fs_key_free(fs_key *k);
const fs_pubkey *fs_key_public(const fs_key *k);
void             fs_key_sign(const fs_key *k, uint8_t sig[static FS_SIG_BYTES],
                const uint8_t *msg, size_t len);
bool fs_key_verify(const fs_pubkey *pub, const uint8_t sig[static FS_SIG_BYTES],
    const uint8_t *msg, size_t len);
// fs_key_open_sealed opens a libsodium sealed box addressed to this key's
// X25519 half.  out needs len - crypto_box_SEALBYTES bytes.
fs_err fs_key_open_sealed(
    const fs_key *k, uint8_t *out, const uint8_t *c, size_t len);
// fs_key_secret exposes the 64-byte Ed25519 secret key (seed || pk) for
// signing formats that need it (PASETO).  Read-only.
const uint8_t *fs_key_secret(const fs_key *k);

// Key files.  A secret key file holds one line "k4.secret.…", after an
// optional comment line "# NAME"; it is created O_CREAT|O_EXCL|O_NOFOLLOW
// with mode 0600, and refused on read if group or others can read it.  A
// public key file holds one line "k4.public.…".  Readers skip lines that
// start with '#'.
fs_err fs_keyfile_write_secret(
    const char *path, const fs_key *k, const char *name);
fs_err fs_keyfile_write_public(const char *path, const fs_pubkey *pub);
fs_err fs_keyfile_read_secret(fs_key **kp, const char *path);
fs_err fs_keyfile_read_public(fs_pubkey *pub, const char *path);

// fs_keyfile_load_public is fs_keyfile_read_public that, when it fails,
// writes into why "PATH: REASON (expected the WHOSE's k4.public key)".
fs_err fs_keyfile_load_public(fs_pubkey *pub, const char *path,
    const char *whose, char *why, size_t whycap);

#endif // FS_CRYPTO_KEY_H

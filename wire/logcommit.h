// SPDX-License-Identifier: Apache-2.0
//
// logcommit.h -- the commitments a disclosure log entry (version 2) holds
// instead of hashes: everything derived from personal data or from the
// answer (the consent token, the subject pseudonym, the result) is
// committed under a salt unique to the disclosure, so a public reader who
// guesses a score, a tier or a token cannot confirm the guess.
//
// The salt is derived from the coordinator's log key, a secret kept in a
// 0600 file of its own and never in the database, and a random nonce the
// database keeps: a copy of the database alone opens nothing.  The salt
// goes to the requester with the answer and to the citizen with the
// access view, so each can open the commitments that concern them
// (docs/log.md, `fedscore audit open`).

#ifndef FS_WIRE_LOGCOMMIT_H
#define FS_WIRE_LOGCOMMIT_H

#include <stddef.h>
#include <stdint.h>

#define FS_LOG_ENTRY_VERSION 2
#define FS_LOG_KEY_BYTES     32
#define FS_LOG_NONCE_BYTES   16
#define FS_LOG_SALT_BYTES    16 // 128 bits
#define FS_LOG_COMMIT_BYTES  32

// fs_log_salt: salt = BLAKE2b-128(key = log key,
// "fedscore log salt v2" || nonce).
void fs_log_salt(uint8_t salt[static FS_LOG_SALT_BYTES],
    const uint8_t        key[static FS_LOG_KEY_BYTES],
    const uint8_t        nonce[static FS_LOG_NONCE_BYTES]);

// fs_log_commit: out = BLAKE2b-256(key = salt, label || 0x00 || msg),
// label one of "consent", "subject", "result".
void fs_log_commit(uint8_t out[static FS_LOG_COMMIT_BYTES],
    const uint8_t salt[static FS_LOG_SALT_BYTES], const char *label,
    const void *msg, size_t len);

#endif // FS_WIRE_LOGCOMMIT_H

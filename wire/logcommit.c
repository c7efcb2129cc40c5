// SPDX-License-Identifier: Apache-2.0
//
// logcommit.c -- salts and commitments of disclosure log entries
// (logcommit.h).

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "wire/logcommit.h"

static const char salt_label[] = "fedscore log salt v2";

void
fs_log_salt(uint8_t salt[static FS_LOG_SALT_BYTES],
    const uint8_t   key[static FS_LOG_KEY_BYTES],
    const uint8_t   nonce[static FS_LOG_NONCE_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, FS_LOG_KEY_BYTES, FS_LOG_SALT_BYTES);
	crypto_generichash_update(
	    &st, (const uint8_t *) salt_label, sizeof(salt_label) - 1);
	crypto_generichash_update(&st, nonce, FS_LOG_NONCE_BYTES);
	crypto_generichash_final(&st, salt, FS_LOG_SALT_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void
fs_log_commit(uint8_t out[static FS_LOG_COMMIT_BYTES],
    const uint8_t salt[static FS_LOG_SALT_BYTES], const char *label,
    const void *msg, size_t len)
{
	crypto_generichash_state st;
	static const uint8_t     zero = 0;

	crypto_generichash_init(
	    &st, salt, FS_LOG_SALT_BYTES, FS_LOG_COMMIT_BYTES);
	crypto_generichash_update(&st, (const uint8_t *) label, strlen(label));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, msg, len);
	crypto_generichash_final(&st, out, FS_LOG_COMMIT_BYTES);
	sodium_memzero(&st, sizeof(st));
}

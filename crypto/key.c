// SPDX-License-Identifier: Apache-2.0
//
// key.c -- Ed25519 identities in guarded memory.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"

// The guarded block holds the Ed25519 secret key (seed || pk) followed by
// its X25519 secret, converted once so that opening a sealed box costs no
// hashing.
#define XSK_OFF  FS_SK_BYTES
#define SK_BLOCK (FS_SK_BYTES + crypto_box_SECRETKEYBYTES)

struct fs_key {
	uint8_t  *sk; // sodium_malloc'd, read-only
	fs_pubkey pub;
};

fs_err
fs_pubkey_init(fs_pubkey *pub, const uint8_t *pk, size_t len)
{
	if (pk == NULL || len != FS_PK_BYTES) {
		return (FS_ERR_VERSION);
	}
	memcpy(pub->pk, pk, FS_PK_BYTES);
	fs_kid_compute(pub->kid, pk);
	if (crypto_sign_ed25519_pk_to_curve25519(pub->xpk, pk) != 0) {
		memset(pub->xpk, 0, sizeof(pub->xpk));
	}
	return (FS_OK);
}

// key_new copies the 64-byte Ed25519 secret key into a new guarded block.
static fs_err
key_new(fs_key **kp, const uint8_t sk[static FS_SK_BYTES])
{
	fs_key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((k->sk = sodium_malloc(SK_BLOCK)) == NULL) {
		free(k);
		return (FS_ERR_NOMEM);
	}
	memcpy(k->sk, sk, FS_SK_BYTES);
	(void) fs_pubkey_init(&k->pub, sk + FS_SEED_BYTES, FS_PK_BYTES);
	if (crypto_sign_ed25519_sk_to_curve25519(k->sk + XSK_OFF, sk) != 0) {
		fs_key_free(k);
		return (FS_ERR_CRYPTO);
	}
	sodium_mprotect_readonly(k->sk);
	*kp = k;
	return (FS_OK);
}

fs_err
fs_key_from_seed(fs_key **kp, const uint8_t seed[static FS_SEED_BYTES])
{
	uint8_t sk[FS_SK_BYTES];
	uint8_t pk[FS_PK_BYTES];
	fs_err  rv;

	crypto_sign_seed_keypair(pk, sk, seed);
	rv = key_new(kp, sk);
	sodium_memzero(sk, sizeof(sk));
	return (rv);
}

fs_err
fs_key_generate(fs_key **kp)
{
	uint8_t seed[FS_SEED_BYTES];
	fs_err  rv;

	randombytes_buf(seed, sizeof(seed));
	rv = fs_key_from_seed(kp, seed);
	sodium_memzero(seed, sizeof(seed));
	return (rv);
}

fs_err
fs_key_from_secret(fs_key **kp, const uint8_t sk[static FS_SK_BYTES])
{
	return (key_new(kp, sk));
}

void
fs_key_free(fs_key *k)
{
	if (k == NULL) {
		return;
	}
	sodium_free(k->sk);
	free(k);
}

const fs_pubkey *
fs_key_public(const fs_key *k)
{
	return (&k->pub);
}

const uint8_t *
fs_key_secret(const fs_key *k)
{
	return (k->sk);
}

void
fs_key_sign(const fs_key *k, uint8_t sig[static FS_SIG_BYTES],
    const uint8_t *msg, size_t len)
{
	crypto_sign_detached(sig, NULL, msg, len, k->sk);
}

bool
fs_key_verify(const fs_pubkey *pub, const uint8_t sig[static FS_SIG_BYTES],
    const uint8_t *msg, size_t len)
{
	return (crypto_sign_verify_detached(sig, msg, len, pub->pk) == 0);
}

fs_err
fs_key_open_sealed(const fs_key *k, uint8_t *out, const uint8_t *c, size_t len)
{
	if (len < crypto_box_SEALBYTES) {
		return (FS_ERR_TRUNCATED);
	}
	if (crypto_box_seal_open(out, c, len, k->pub.xpk, k->sk + XSK_OFF)
	    != 0) {
		return (FS_ERR_DECRYPT);
	}
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// paserk.c -- PASERK k4.public, k4.secret and k4.pid for Ed25519 keys.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"

static const char pfx_public[] = "k4.public.";
static const char pfx_secret[] = "k4.secret.";
static const char pfx_pid[]    = "k4.pid.";

// put writes "<prefix><b64>" of n bytes.
static void
put(char *out, const char *prefix, const uint8_t *bin, size_t n)
{
	size_t plen = strlen(prefix);

	memcpy(out, prefix, plen);
	fs_b64_encode(out + plen, bin, n);
}

void
fs_paserk_public(char out[static FS_PASERK_PUBLIC_LEN + 1],
    const uint8_t     pk[static FS_PK_BYTES])
{
	put(out, pfx_public, pk, FS_PK_BYTES);
}

void
fs_paserk_secret(char out[static FS_PASERK_SECRET_LEN + 1],
    const uint8_t     sk[static FS_SK_BYTES])
{
	put(out, pfx_secret, sk, FS_SK_BYTES);
}

// The PASERK id: BLAKE2b-264 over "k4.pid." followed by the key's own
// PASERK string.
void
fs_kid_compute(
    uint8_t kid[static FS_KID_BYTES], const uint8_t pk[static FS_PK_BYTES])
{
	char                     pub[FS_PASERK_PUBLIC_LEN + 1];
	crypto_generichash_state st;

	fs_paserk_public(pub, pk);
	crypto_generichash_init(&st, NULL, 0, FS_KID_BYTES);
	crypto_generichash_update(
	    &st, (const uint8_t *) pfx_pid, sizeof(pfx_pid) - 1);
	crypto_generichash_update(
	    &st, (const uint8_t *) pub, FS_PASERK_PUBLIC_LEN);
	crypto_generichash_final(&st, kid, FS_KID_BYTES);
}

void
fs_paserk_pid_from_kid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t           kid[static FS_KID_BYTES])
{
	put(out, pfx_pid, kid, FS_KID_BYTES);
}

void
fs_paserk_pid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t  pk[static FS_PK_BYTES])
{
	uint8_t kid[FS_KID_BYTES];

	fs_kid_compute(kid, pk);
	fs_paserk_pid_from_kid(out, kid);
}

// parse_fixed decodes "<prefix><b64>" into exactly n bytes.
static fs_err
parse_fixed(
    uint8_t *out, size_t n, const char *prefix, const char *s, size_t len)
{
	size_t plen = strlen(prefix);
	size_t got;
	fs_err rv;

	if (len < 3 || memcmp(s, "k4.", 3) != 0) {
		return (FS_ERR_VERSION);
	}
	if (len < plen || memcmp(s, prefix, plen) != 0) {
		return (FS_ERR_TYPE);
	}
	if (len - plen != fs_b64_encoded_len(n)) {
		return (FS_ERR_MALFORMED);
	}
	if ((rv = fs_b64_decode(out, n, &got, s + plen, len - plen)) != 0) {
		return (rv);
	}
	return (got == n ? FS_OK : FS_ERR_MALFORMED);
}

// parse_public parses a public PASERK of n bytes, writing out only when
// it parses.
static fs_err
parse_public(
    uint8_t *out, size_t n, const char *prefix, const char *s, size_t len)
{
	uint8_t tmp[FS_KID_BYTES > FS_PK_BYTES ? FS_KID_BYTES : FS_PK_BYTES];
	fs_err  rv;

	if ((rv = parse_fixed(tmp, n, prefix, s, len)) == FS_OK) {
		memcpy(out, tmp, n);
	}
	return (rv);
}

fs_err
fs_paserk_parse_public(
    uint8_t pk[static FS_PK_BYTES], const char *s, size_t len)
{
	return (parse_public(pk, FS_PK_BYTES, pfx_public, s, len));
}

fs_err
fs_paserk_parse_pid(uint8_t kid[static FS_KID_BYTES], const char *s, size_t len)
{
	return (parse_public(kid, FS_KID_BYTES, pfx_pid, s, len));
}

fs_err
fs_paserk_parse_secret(uint8_t **skp, const char *s, size_t len)
{
	uint8_t *sk;
	uint8_t  pk[FS_PK_BYTES];
	uint8_t  seed_sk[FS_SK_BYTES];
	fs_err   rv;

	if ((sk = sodium_malloc(FS_SK_BYTES)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = parse_fixed(sk, FS_SK_BYTES, pfx_secret, s, len)) != 0) {
		sodium_free(sk);
		return (rv);
	}
	// The public half must be the one the seed derives.
	crypto_sign_seed_keypair(pk, seed_sk, sk);
	sodium_memzero(seed_sk, sizeof(seed_sk));
	if (sodium_memcmp(pk, sk + FS_SEED_BYTES, FS_PK_BYTES) != 0) {
		sodium_free(sk);
		return (FS_ERR_WRONG_KEY);
	}
	*skp = sk;
	return (FS_OK);
}

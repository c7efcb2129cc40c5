// SPDX-License-Identifier: Apache-2.0
//
// envelope.c -- sealing and opening the signed envelope.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/envelope.h"
#include "wire/mp.h"

// Signatures cover this context string followed by the envelope bytes
// before the signature item, so that no other fedscore signature (tokens,
// notes) can be passed off as an envelope's.
static const uint8_t sig_context[] = "fedscore envelope v1";
#define SIG_CONTEXT_LEN (sizeof(sig_context) - 1)

// The signature item is always bin8 of 64 bytes: 0xc4 0x40 + signature.
#define SIG_ITEM_LEN (2 + FS_SIG_BYTES)
#define ENV_ITEMS    10

fs_err
fs_keyring_lookup(
    void *ring, const uint8_t kid[static FS_KID_BYTES], fs_pubkey *pub)
{
	const fs_keyring *r = ring;

	for (size_t i = 0; i < r->n; i++) {
		if (sodium_memcmp(r->keys[i].kid, kid, FS_KID_BYTES) == 0) {
			*pub = r->keys[i];
			return (FS_OK);
		}
	}
	return (FS_ERR_UNREGISTERED);
}

static int
pack_bin(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	return (msgpack_pack_bin(pk, n) | msgpack_pack_bin_body(pk, p, n));
}

fs_err
fs_envelope_seal(const fs_key *sender, const fs_envelope_out *m, uint8_t **outp,
    size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	uint8_t         nonce[FS_ENV_NONCE_BYTES];
	uint8_t         sig[FS_SIG_BYTES];
	uint8_t        *sealed = NULL;
	const uint8_t  *body   = m->body;
	size_t          blen   = m->body_len;
	int             bad    = 0;

	if (m->enc != FS_ENC_NONE && m->enc != FS_ENC_SEALED) {
		return (FS_ERR_INVALID);
	}
	if (m->enc == FS_ENC_SEALED && m->recipient == NULL) {
		return (FS_ERR_INVALID);
	}
	if (blen + (m->enc == FS_ENC_SEALED ? crypto_box_SEALBYTES : 0)
	    > FS_ENV_BODY_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (m->enc == FS_ENC_SEALED) {
		static const uint8_t zero[FS_X25519_BYTES];

		if (sodium_memcmp(m->recipient->xpk, zero, sizeof(zero)) == 0) {
			return (FS_ERR_CRYPTO);
		}
		if ((sealed = malloc(blen + crypto_box_SEALBYTES)) == NULL) {
			return (FS_ERR_NOMEM);
		}
		if (crypto_box_seal(sealed, body, blen, m->recipient->xpk)
		    != 0) {
			free(sealed);
			return (FS_ERR_CRYPTO);
		}
		body = sealed;
		blen += crypto_box_SEALBYTES;
	}
	randombytes_buf(nonce, sizeof(nonce));

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	// The context string goes first in the buffer so the signature is one
	// call over contiguous bytes; it is cut off before sending.
	bad |= msgpack_sbuffer_write(
	    &sb, (const char *) sig_context, SIG_CONTEXT_LEN);
	bad |= msgpack_pack_array(&pk, ENV_ITEMS);
	bad |= msgpack_pack_uint8(&pk, FS_ENV_VERSION);
	bad |= msgpack_pack_uint16(&pk, m->type);
	bad |= pack_bin(&pk, fs_key_public(sender)->kid, FS_KID_BYTES);
	if (m->recipient != NULL) {
		bad |= pack_bin(&pk, m->recipient->kid, FS_KID_BYTES);
	} else {
		bad |= msgpack_pack_nil(&pk);
	}
	bad |= msgpack_pack_uint64(&pk, m->time_ms);
	bad |= pack_bin(&pk, nonce, sizeof(nonce));
	if (m->reply_to != NULL) {
		bad |= pack_bin(&pk, m->reply_to, FS_HASH_BYTES);
	} else {
		bad |= msgpack_pack_nil(&pk);
	}
	bad |= msgpack_pack_uint8(&pk, (uint8_t) m->enc);
	bad |= pack_bin(&pk, body, blen);
	free(sealed);
	if (bad == 0) {
		fs_key_sign(sender, sig, (const uint8_t *) sb.data, sb.size);
		bad |= pack_bin(&pk, sig, sizeof(sig));
	}
	return (fs_mp_finish(&sb, bad, SIG_CONTEXT_LEN, outp, outlenp));
}

// parse reads the structure of an envelope without checking anything
// that needs a key.  The body pointer refers into buf.
static fs_err
parse(fs_envelope *env, const uint8_t *buf, size_t len, const uint8_t **body,
    const uint8_t **sig)
{
	fs_mp    r;
	uint32_t n;
	uint64_t v;
	fs_err   rv;

	fs_mp_init(&r, buf, len);
	if ((rv = fs_mp_array(&r, &n)) != 0) {
		return (rv == FS_ERR_TYPE ? FS_ERR_MALFORMED : rv);
	}
	// The version comes first so that a future format is refused as such
	// before its other items are judged by this one's rules.
	if (n < 1) {
		return (FS_ERR_MALFORMED);
	}
	if ((rv = fs_mp_uint(&r, &v)) != 0) {
		return (rv);
	}
	if (v != FS_ENV_VERSION) {
		return (FS_ERR_VERSION);
	}
	if (n != ENV_ITEMS) {
		return (FS_ERR_MALFORMED);
	}
	env->version = (uint8_t) v;
	if ((rv = fs_mp_uint(&r, &v)) != 0) {
		return (rv);
	}
	if (v > UINT16_MAX) {
		return (FS_ERR_MALFORMED);
	}
	env->type = (uint16_t) v;
	if ((rv = fs_mp_bin_fixed(&r, env->sender, FS_KID_BYTES)) != 0) {
		return (rv);
	}
	if ((rv = fs_mp_bin_fixed_or_nil(
	         &r, env->recipient, FS_KID_BYTES, &env->has_recipient))
	        != 0
	    || (rv = fs_mp_uint(&r, &env->time_ms)) != 0
	    || (rv = fs_mp_bin_fixed(&r, env->nonce, FS_ENV_NONCE_BYTES)) != 0
	    || (rv = fs_mp_bin_fixed_or_nil(
	            &r, env->reply_to, FS_HASH_BYTES, &env->has_reply_to))
	        != 0
	    || (rv = fs_mp_uint(&r, &v)) != 0) {
		return (rv);
	}
	if (v != FS_ENC_NONE && v != FS_ENC_SEALED) {
		return (FS_ERR_MALFORMED);
	}
	env->enc = (fs_enc) v;
	if ((rv = fs_mp_bin(&r, body, &env->body_len, FS_ENV_BODY_MAX)) != 0) {
		return (rv);
	}
	// The signature is the last item, always bin8 of 64 bytes.
	if ((size_t) (r.end - r.p) < SIG_ITEM_LEN) {
		return (FS_ERR_TRUNCATED);
	}
	if (r.p[0] != 0xc4 || r.p[1] != FS_SIG_BYTES) {
		return (FS_ERR_MALFORMED);
	}
	*sig = r.p + 2;
	r.p += SIG_ITEM_LEN;
	return (fs_mp_end(&r));
}

fs_err
fs_envelope_open(fs_envelope *env, const uint8_t *buf, size_t len,
    const fs_key *self, fs_keyfn lookup, void *arg, uint64_t now_ms,
    uint64_t skew_ms)
{
	fs_envelope    e;
	fs_pubkey      pub;
	const uint8_t *body;
	const uint8_t *sig;
	uint8_t       *signed_msg;
	uint8_t       *plain;
	size_t         plen;
	bool           ok;
	fs_err         rv;

	memset(&e, 0, sizeof(e));
	if (len > FS_ENV_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = parse(&e, buf, len, &body, &sig)) != 0) {
		return (rv);
	}
	if ((rv = lookup(arg, e.sender, &pub)) != 0) {
		return (rv);
	}
	if ((signed_msg = malloc(SIG_CONTEXT_LEN + len - SIG_ITEM_LEN))
	    == NULL) {
		return (FS_ERR_NOMEM);
	}
	memcpy(signed_msg, sig_context, SIG_CONTEXT_LEN);
	memcpy(signed_msg + SIG_CONTEXT_LEN, buf, len - SIG_ITEM_LEN);
	ok = fs_key_verify(
	    &pub, sig, signed_msg, SIG_CONTEXT_LEN + len - SIG_ITEM_LEN);
	free(signed_msg);
	if (!ok) {
		return (FS_ERR_BAD_SIGNATURE);
	}
	if (e.has_recipient
	    && (self == NULL
	        || sodium_memcmp(
	               e.recipient, fs_key_public(self)->kid, FS_KID_BYTES)
	            != 0)) {
		return (FS_ERR_WRONG_KEY);
	}
	if (e.time_ms + skew_ms < now_ms || e.time_ms > now_ms + skew_ms) {
		return (FS_ERR_CLOCK_SKEW);
	}
	if (e.enc == FS_ENC_SEALED) {
		if (!e.has_recipient) {
			return (FS_ERR_MALFORMED);
		}
		if (e.body_len < crypto_box_SEALBYTES) {
			return (FS_ERR_DECRYPT);
		}
		plen = e.body_len - crypto_box_SEALBYTES;
	} else {
		plen = e.body_len;
	}
	// One spare byte so that an empty body is still a valid allocation.
	if ((plain = malloc(plen + 1)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (e.enc == FS_ENC_SEALED) {
		if ((rv = fs_key_open_sealed(self, plain, body, e.body_len))
		    != 0) {
			free(plain);
			return (rv);
		}
	} else {
		memcpy(plain, body, plen);
	}
	e.body     = plain;
	e.body_len = plen;
	crypto_generichash(e.hash, sizeof(e.hash), buf, len, NULL, 0);
	*env = e;
	return (FS_OK);
}

void
fs_envelope_fini(fs_envelope *env)
{
	if (env == NULL) {
		return;
	}
	if (env->body != NULL) {
		sodium_memzero(env->body, env->body_len);
		free(env->body);
	}
	env->body = NULL;
}

fs_err
fs_envelope_check_reply(
    const fs_envelope *env, const uint8_t req_hash[static FS_HASH_BYTES])
{
	if (!env->has_reply_to
	    || sodium_memcmp(env->reply_to, req_hash, FS_HASH_BYTES) != 0) {
		return (FS_ERR_UNBOUND);
	}
	return (FS_OK);
}

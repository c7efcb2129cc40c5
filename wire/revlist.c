// SPDX-License-Identifier: Apache-2.0
//
// revlist.c -- the signed, numbered revocation list.
//
// msgpack [region: str, seq: uint, time_ms: uint, [jti: str ...], sig]
// where sig is bin8 of 64 bytes, Ed25519 over "fedscore revocations v1"
// followed by every byte before the signature item (as in envelopes).

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/mp.h"
#include "wire/revocations.h"

static const char ctx[] = "fedscore revocations v1";
#define CTX_LEN  (sizeof(ctx) - 1)
#define SIG_ITEM (2 + FS_SIG_BYTES)

void
fs_revlist_fini(fs_revlist *rl)
{
	if (rl != NULL) {
		free(rl->jti);
		rl->jti = NULL;
		rl->n   = 0;
	}
}

bool
fs_revlist_has(const fs_revlist *rl, const char *jti)
{
	for (size_t i = 0; i < rl->n; i++) {
		if (strcmp(rl->jti[i], jti) == 0) {
			return (true);
		}
	}
	return (false);
}

fs_err
fs_revlist_copy(fs_revlist *out, const fs_revlist *rl)
{
	fs_revlist c = *rl;

	c.jti = NULL;
	if (rl->n > 0) {
		if ((c.jti = calloc(rl->n, sizeof(*c.jti))) == NULL) {
			return (FS_ERR_NOMEM);
		}
		memcpy(c.jti, rl->jti, rl->n * sizeof(*c.jti));
	}
	*out = c;
	return (FS_OK);
}

fs_err
fs_revlist_encode(const fs_key *issuer, const char *region,
    const fs_revlist *rl, uint8_t **outp, size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	uint8_t         sig[FS_SIG_BYTES];
	int             bad = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bad |= msgpack_sbuffer_write(&sb, ctx, CTX_LEN);
	bad |= msgpack_pack_array(&pk, 5);
	bad |= msgpack_pack_str_with_body(&pk, region, strlen(region));
	bad |= msgpack_pack_uint64(&pk, rl->seq);
	bad |= msgpack_pack_uint64(&pk, rl->time_ms);
	bad |= msgpack_pack_array(&pk, (uint32_t) rl->n);
	for (size_t i = 0; i < rl->n; i++) {
		bad |= msgpack_pack_str_with_body(
		    &pk, rl->jti[i], strlen(rl->jti[i]));
	}
	if (bad == 0) {
		fs_key_sign(issuer, sig, (const uint8_t *) sb.data, sb.size);
		bad |= msgpack_pack_bin_with_body(&pk, sig, sizeof(sig));
	}
	return (fs_mp_finish(&sb, bad, CTX_LEN, outp, outlenp));
}

fs_err
fs_revlist_decode(fs_revlist *rl, const uint8_t *buf, size_t len,
    const fs_pubkey *issuer, const char *region)
{
	fs_mp       r;
	fs_revlist  out = { 0 };
	uint32_t    n;
	const char *s;
	size_t      slen;
	uint8_t    *msg;
	bool        ok;
	fs_err      rv;

	if (len < SIG_ITEM || buf[len - SIG_ITEM] != 0xc4
	    || buf[len - SIG_ITEM + 1] != FS_SIG_BYTES) {
		return (len < SIG_ITEM ? FS_ERR_TRUNCATED : FS_ERR_MALFORMED);
	}
	if ((msg = malloc(CTX_LEN + len)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	memcpy(msg, ctx, CTX_LEN);
	memcpy(msg + CTX_LEN, buf, len - SIG_ITEM);
	ok = fs_key_verify(
	    issuer, buf + len - FS_SIG_BYTES, msg, CTX_LEN + len - SIG_ITEM);
	free(msg);
	if (!ok) {
		return (FS_ERR_BAD_SIGNATURE);
	}
	fs_mp_init(&r, buf, len - SIG_ITEM);
	if ((rv = fs_mp_array_of(&r, 5)) != 0
	    || (rv = fs_mp_str(&r, &s, &slen, FS_NAME_MAX)) != 0) {
		return (rv);
	}
	if (slen != strlen(region) || memcmp(s, region, slen) != 0) {
		return (FS_ERR_WRONG_REGION);
	}
	if ((rv = fs_mp_uint(&r, &out.seq)) != 0
	    || (rv = fs_mp_uint(&r, &out.time_ms)) != 0
	    || (rv = fs_mp_array(&r, &n)) != 0) {
		return (rv);
	}
	if (n > 0 && (out.jti = calloc(n, sizeof(*out.jti))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	for (uint32_t i = 0; i < n; i++) {
		if ((rv = fs_mp_str(&r, &s, &slen, FS_JTI_MAX)) != 0) {
			fs_revlist_fini(&out);
			return (rv);
		}
		memcpy(out.jti[i], s, slen);
		out.jti[i][slen] = '\0';
		out.n++;
	}
	// The signature item was cut off before; nothing else may remain.
	if ((rv = fs_mp_end(&r)) != 0) {
		fs_revlist_fini(&out);
		return (rv);
	}
	*rl = out;
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// errbody.c -- the body of FS_MSG_ERROR replies: [code, name, detail].
// The name travels beside the code so that a peer built from another
// version still prints something meaningful.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "wire/envelope.h"
#include "wire/mp.h"

#define DETAIL_MAX 512

fs_err
fs_error_body_encode(
    fs_err code, const char *detail, uint8_t **outp, size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	const char     *name = fs_err_name(code);
	size_t          dlen = detail != NULL ? strlen(detail) : 0;
	int             bad  = 0;

	if (dlen > DETAIL_MAX) {
		dlen = DETAIL_MAX;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bad |= msgpack_pack_array(&pk, 3);
	bad |= msgpack_pack_uint32(&pk, (uint32_t) code);
	bad |= msgpack_pack_str_with_body(&pk, name, strlen(name));
	bad |= msgpack_pack_str_with_body(
	    &pk, detail != NULL ? detail : "", dlen);
	return (fs_mp_finish(&sb, bad, 0, outp, outlenp));
}

fs_err
fs_error_body_decode(const uint8_t *buf, size_t len, fs_err *code, char *detail,
    size_t detail_cap)
{
	fs_mp       r;
	uint64_t    c;
	const char *s;
	size_t      slen;
	fs_err      rv;

	fs_mp_init(&r, buf, len);
	if ((rv = fs_mp_array_of(&r, 3)) != 0 || (rv = fs_mp_uint(&r, &c)) != 0
	    || (rv = fs_mp_str(&r, &s, &slen, 64)) != 0
	    || (rv = fs_mp_str(&r, &s, &slen, DETAIL_MAX)) != 0
	    || (rv = fs_mp_end(&r)) != 0) {
		return (rv);
	}
	// A code this build does not know is still a refusal.
	*code = (c == 0 || c >= FS_ERR_NUM) ? FS_ERR_REFUSED : (fs_err) c;
	if (detail_cap > 0) {
		size_t k = slen < detail_cap - 1 ? slen : detail_cap - 1;

		// Peers' text is shown to people: keep printable ASCII only.
		for (size_t i = 0; i < k; i++) {
			detail[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
		}
		detail[k] = '\0';
	}
	return (FS_OK);
}

fs_err
fs_reply_error(const fs_key *self, const uint8_t *req, size_t len, fs_err code,
    const char *detail, uint8_t **repp, size_t *replenp)
{
	uint8_t         hash[FS_HASH_BYTES];
	uint8_t        *body;
	size_t          blen;
	fs_envelope_out m = { .type = FS_MSG_ERROR };
	fs_err          rv;

	if ((rv = fs_error_body_encode(code, detail, &body, &blen)) != 0) {
		return (rv);
	}
	crypto_generichash(hash, sizeof(hash), req, len, NULL, 0);
	m.reply_to = hash;
	m.time_ms  = fs_now_ms();
	m.body     = body;
	m.body_len = blen;
	rv         = fs_envelope_seal(self, &m, repp, replenp);
	free(body);
	return (rv);
}

// SPDX-License-Identifier: Apache-2.0
//
// paseto.c -- PASETO v4.public: Ed25519 over the pre-authentication
// encoding (PAE) of header, message, footer and implicit assertion.
//
// A token is split and decoded completely, under a size bound, before
// anything is verified; only then is the signature checked, and only a
// message whose signature verifies leaves fs_paseto_verify.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/paseto.h"

static const char hdr[] = "v4.public.";
#define HDR_LEN (sizeof(hdr) - 1)

// A token's decoded parts, malloc'd and NUL-terminated.
typedef struct {
	uint8_t *body; // message || signature
	size_t   blen;
	uint8_t *foot;
	size_t   flen;
} parts;

static void
parts_fini(parts *p)
{
	free(p->body);
	free(p->foot);
}

// b64_dup decodes len characters of s into a new NUL-terminated buffer.
static fs_err
b64_dup(uint8_t **outp, size_t *outlenp, const char *s, size_t len)
{
	size_t   max = len * 3 / 4;
	uint8_t *out;
	size_t   n;
	fs_err   rv;

	if ((out = malloc(max + 1)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_b64_decode(out, max, &n, s, len)) != FS_OK) {
		free(out);
		return (rv);
	}
	out[n]   = 0;
	*outp    = out;
	*outlenp = n;
	return (FS_OK);
}

// split checks the form of a token: "v4.public." body ["." footer], both
// base64url without padding, the footer left out rather than empty.
static fs_err
split(parts *p, const char *tok, size_t len)
{
	const char *body, *foot, *dot;
	size_t      blen, flen = 0;
	fs_err      rv;

	memset(p, 0, sizeof(*p));
	if (tok == NULL && len != 0) {
		return (FS_ERR_INVALID);
	}
	if (len > FS_PASETO_MAX_LEN) {
		return (FS_ERR_TOO_LARGE);
	}
	if (len < HDR_LEN) {
		return (len == 0 || memcmp(tok, hdr, len) == 0
		        ? FS_ERR_TRUNCATED
		        : FS_ERR_VERSION);
	}
	if (memcmp(tok, hdr, HDR_LEN) != 0) {
		return (FS_ERR_VERSION);
	}
	body = tok + HDR_LEN;
	blen = len - HDR_LEN;
	foot = body + blen; // empty, but never a null pointer
	if ((dot = memchr(body, '.', blen)) != NULL) {
		foot = dot + 1;
		flen = (size_t) (body + blen - foot);
		blen = (size_t) (dot - body);
		if (flen == 0 || memchr(foot, '.', flen) != NULL) {
			return (FS_ERR_MALFORMED);
		}
	}
	if ((rv = b64_dup(&p->body, &p->blen, body, blen)) != FS_OK) {
		return (rv);
	}
	if (p->blen < FS_SIG_BYTES) {
		parts_fini(p);
		return (FS_ERR_TRUNCATED);
	}
	if ((rv = b64_dup(&p->foot, &p->flen, foot, flen)) != FS_OK) {
		parts_fini(p);
		return (rv);
	}
	return (FS_OK);
}

static uint8_t *
le64(uint8_t *out, uint64_t n)
{
	// PAE clears the top bit, for languages without unsigned integers.
	n &= UINT64_MAX >> 1;
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t) (n & 0xff);
		n >>= 8;
	}
	return (out + 8);
}

// pae encodes header, message, footer and implicit assertion.
static fs_err
pae(uint8_t **outp, size_t *outlenp, const uint8_t *m, size_t mlen,
    const uint8_t *f, size_t flen, const uint8_t *i, size_t ilen)
{
	const uint8_t *piece[4] = { (const uint8_t *) hdr, m, f, i };
	size_t         plen[4]  = { HDR_LEN, mlen, flen, ilen };
	size_t         n        = 8;
	uint8_t       *out, *p;

	for (int k = 0; k < 4; k++) {
		n += 8 + plen[k];
	}
	if ((out = malloc(n)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	p = le64(out, 4);
	for (int k = 0; k < 4; k++) {
		p = le64(p, plen[k]);
		if (plen[k] > 0) {
			memcpy(p, piece[k], plen[k]);
			p += plen[k];
		}
	}
	*outp    = out;
	*outlenp = n;
	return (FS_OK);
}

fs_err
fs_paseto_sign(char **tokenp, const fs_key *k, const uint8_t *msg,
    size_t msglen, const char *footer, const uint8_t *implicit, size_t ilen)
{
	size_t   flen = footer != NULL ? strlen(footer) : 0;
	size_t   blen, tlen, m2len;
	uint8_t *body = NULL;
	uint8_t *m2   = NULL;
	char    *tok;
	fs_err   rv;

	// Never issue what fs_paseto_verify would refuse as too large.
	if (msglen > FS_PASETO_MAX_LEN || flen > FS_PASETO_MAX_LEN
	    || ilen > FS_PASETO_MAX_LEN) {
		return (FS_ERR_TOO_LARGE);
	}
	blen = msglen + FS_SIG_BYTES;
	tlen = HDR_LEN + fs_b64_encoded_len(blen);
	if (flen > 0) {
		tlen += 1 + fs_b64_encoded_len(flen);
	}
	if (tlen > FS_PASETO_MAX_LEN) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((body = malloc(blen)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (msglen > 0) {
		memcpy(body, msg, msglen);
	}
	if ((rv = pae(&m2, &m2len, body, msglen, (const uint8_t *) footer, flen,
	         implicit, ilen))
	    != FS_OK) {
		goto out;
	}
	fs_key_sign(k, body + msglen, m2, m2len);
	if ((tok = malloc(tlen + 1)) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	memcpy(tok, hdr, HDR_LEN);
	fs_b64_encode(tok + HDR_LEN, body, blen);
	if (flen > 0) {
		char *p = tok + HDR_LEN + fs_b64_encoded_len(blen);

		*p++ = '.';
		fs_b64_encode(p, (const uint8_t *) footer, flen);
	}
	*tokenp = tok;
out:
	free(m2);
	free(body);
	return (rv);
}

fs_err
fs_paseto_verify(uint8_t **msgp, size_t *msglenp, const char *token, size_t len,
    const fs_pubkey *pub, const char *footer, const uint8_t *implicit,
    size_t ilen)
{
	parts    p;
	uint8_t *m2 = NULL;
	size_t   m2len, mlen;
	fs_err   rv;

	if (ilen > FS_PASETO_MAX_LEN) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((rv = split(&p, token, len)) != FS_OK) {
		return (rv);
	}
	// The footer is public: its length may leak, its bytes need not.
	if (footer != NULL
	    && (strlen(footer) != p.flen
	        || (p.flen > 0
	            && sodium_memcmp(footer, p.foot, p.flen) != 0))) {
		rv = FS_ERR_FOOTER;
		goto out;
	}
	mlen = p.blen - FS_SIG_BYTES;
	if ((rv = pae(
	         &m2, &m2len, p.body, mlen, p.foot, p.flen, implicit, ilen))
	    != FS_OK) {
		goto out;
	}
	if (!fs_key_verify(pub, p.body + mlen, m2, m2len)) {
		rv = FS_ERR_BAD_SIGNATURE;
		goto out;
	}
	if (msglenp != NULL) {
		*msglenp = mlen;
	}
	if (msgp != NULL) {
		// The message stays in the body buffer: cut the signature off.
		p.body[mlen] = 0;
		*msgp        = p.body;
		p.body       = NULL;
	}
out:
	free(m2);
	parts_fini(&p);
	return (rv);
}

fs_err
fs_paseto_footer(char **footerp, size_t *lenp, const char *token, size_t len)
{
	parts  p;
	fs_err rv;

	if ((rv = split(&p, token, len)) != FS_OK) {
		return (rv);
	}
	if (lenp != NULL) {
		*lenp = p.flen;
	}
	*footerp = (char *) p.foot;
	p.foot   = NULL;
	parts_fini(&p);
	return (FS_OK);
}

fs_err
fs_paseto_peek(uint8_t **msgp, size_t *msglenp, const char *token, size_t len)
{
	parts  p;
	fs_err rv;

	if ((rv = split(&p, token, len)) != FS_OK) {
		return (rv);
	}
	p.body[p.blen - FS_SIG_BYTES] = 0;
	*msglenp                      = p.blen - FS_SIG_BYTES;
	*msgp                         = p.body;
	p.body                        = NULL;
	parts_fini(&p);
	return (FS_OK);
}

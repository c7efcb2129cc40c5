// SPDX-License-Identifier: Apache-2.0
//
// checkpoint.c -- C2SP tlog-checkpoint bodies and tlog-cosignature/v1
// witness cosignatures.
//
// A checkpoint body is "<origin>\n<size>\n<base64 root>\n" and optional
// non-empty extension lines.  The parser accepts exactly what the
// formatter writes: a size in decimal without leading zeros, a root of 44
// base64 characters.  A cosignature is a note signature line whose key id
// uses type 0x04 and whose bytes are an 8-byte big-endian time and an
// Ed25519 signature over "cosignature/v1\ntime <t>\n" and the body.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"
#include "wire/noteimpl.h"

#define ROOT_B64_LEN 44 // fs_b64std_encoded_len(FS_MERKLE_HASH_BYTES)
#define SIZE_DIGITS  20 // UINT64_MAX

// ext_valid: extension lines, each non-empty and ending in "\n".
static bool
ext_valid(const char *ext, size_t len)
{
	if (len == 0) {
		return (true);
	}
	if (ext[0] == '\n' || ext[len - 1] != '\n') {
		return (false);
	}
	for (size_t i = 1; i < len; i++) {
		if (ext[i] == '\n' && ext[i - 1] == '\n') {
			return (false);
		}
	}
	return (fsi_note_text_valid(ext, len));
}

fs_err
fs_checkpoint_format(char **outp, size_t *lenp, const char *origin,
    uint64_t size, const uint8_t root[static FS_MERKLE_HASH_BYTES],
    const char *ext, size_t ext_len)
{
	size_t olen = strlen(origin);
	size_t cap, n;
	char  *out;

	if (ext == NULL) {
		ext_len = 0;
	}
	if (olen == 0 || memchr(origin, '\n', olen) != NULL
	    || !fsi_note_text_valid(origin, olen) || !ext_valid(ext, ext_len)) {
		return (FS_ERR_INVALID);
	}
	cap = olen + 1 + SIZE_DIGITS + 1 + ROOT_B64_LEN + 1 + ext_len + 1;
	if (cap > FS_NOTE_TEXT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((out = malloc(cap)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	n = (size_t) snprintf(
	    out, cap, "%s\n%llu\n", origin, (unsigned long long) size);
	fs_b64std_encode(out + n, root, FS_MERKLE_HASH_BYTES);
	n += ROOT_B64_LEN;
	out[n++] = '\n';
	if (ext_len > 0) {
		memcpy(out + n, ext, ext_len);
		n += ext_len;
	}
	out[n] = '\0';
	*outp  = out;
	*lenp  = n;
	return (FS_OK);
}

// parse_size reads a decimal tree size: digits only, no leading zero but
// in "0", no overflow.
static bool
parse_size(uint64_t *vp, const char *s, size_t len)
{
	uint64_t v = 0;

	if (len == 0 || len > SIZE_DIGITS || (s[0] == '0' && len > 1)) {
		return (false);
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned) (s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10) {
			return (false);
		}
		v = v * 10 + d;
	}
	*vp = v;
	return (true);
}

fs_err
fs_checkpoint_parse(fs_checkpoint *cp, const char *text, size_t len)
{
	fs_checkpoint c;
	const char   *p = text, *end = text + len, *nl;
	size_t        n;

	if (len > FS_NOTE_TEXT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (len == 0 || text[len - 1] != '\n'
	    || !fsi_note_text_valid(text, len)) {
		return (FS_ERR_MALFORMED);
	}
	memset(&c, 0, sizeof(c));
	// Origin.
	nl = memchr(p, '\n', (size_t) (end - p));
	if (nl == p) {
		return (FS_ERR_MALFORMED);
	}
	c.origin     = p;
	c.origin_len = (size_t) (nl - p);
	p            = nl + 1;
	// Size.
	if (p == end || (nl = memchr(p, '\n', (size_t) (end - p))) == NULL
	    || !parse_size(&c.size, p, (size_t) (nl - p))) {
		return (FS_ERR_MALFORMED);
	}
	p = nl + 1;
	// Root hash.
	if (p == end || (nl = memchr(p, '\n', (size_t) (end - p))) == NULL
	    || nl - p != ROOT_B64_LEN
	    || fs_b64std_decode(c.root, sizeof(c.root), &n, p, ROOT_B64_LEN)
	        != FS_OK
	    || n != FS_MERKLE_HASH_BYTES) {
		return (FS_ERR_MALFORMED);
	}
	p = nl + 1;
	// Extension lines.
	if (!ext_valid(p, (size_t) (end - p))) {
		return (FS_ERR_MALFORMED);
	}
	c.ext     = p;
	c.ext_len = (size_t) (end - p);
	*cp       = c;
	return (FS_OK);
}

fs_err
fs_cosig_sign(char **outp, size_t *lenp, const char *note, size_t len,
    const char *name, const fs_key *k, uint64_t t)
{
	fs_note      *n;
	fs_checkpoint cp;
	const char   *text;
	size_t        text_len, hl;
	uint8_t       id[FS_NOTE_ID_BYTES];
	uint8_t       sig[8 + FS_SIG_BYTES];
	char         *m = NULL;
	fs_err        rv;

	if (t > FS_NOTE_TIME_MAX || !fs_note_name_valid(name, strlen(name))) {
		return (FS_ERR_INVALID);
	}
	if ((rv = fs_note_parse(&n, note, len)) != FS_OK) {
		return (rv);
	}
	text = fs_note_text(n, &text_len);
	if ((rv = fs_checkpoint_parse(&cp, text, text_len)) != FS_OK) {
		goto out;
	}
	if ((m = malloc(sizeof(COSIG_HEADER) + COSIG_TIME_MAX + text_len))
	    == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	hl = (size_t) snprintf(m, sizeof(COSIG_HEADER) + COSIG_TIME_MAX,
	    COSIG_HEADER "time %llu\n", (unsigned long long) t);
	memcpy(m + hl, text, text_len);
	for (int i = 0; i < 8; i++) {
		sig[i] = (uint8_t) (t >> (56 - 8 * i));
	}
	fs_key_sign(k, sig + 8, (const uint8_t *) m, hl + text_len);
	fsi_note_key_id(
	    id, name, strlen(name), FS_NOTE_COSIG_V1, fs_key_public(k)->pk);
	rv = fsi_note_append_sig(
	    outp, lenp, note, len, false, name, id, sig, sizeof(sig));
out:
	free(m);
	fs_note_free(n);
	return (rv);
}

fs_err
fs_cosig_verify(uint64_t *tp, const fs_note *n, const fs_note_verifier *witness)
{
	uint64_t t, first = 0;
	bool     found = false;
	fs_err   rv;

	if (witness->type != FS_NOTE_COSIG_V1) {
		return (FS_ERR_INVALID);
	}
	for (size_t i = 0; i < n->nsigs; i++) {
		if (!fsi_note_sig_matches(&n->sigs[i], witness)) {
			continue;
		}
		if ((rv = fsi_note_sig_check(n, &n->sigs[i], witness, &t))
		    != FS_OK) {
			return (rv);
		}
		if (!found) {
			first = t;
			found = true;
		}
	}
	if (!found) {
		return (FS_ERR_NOT_FOUND);
	}
	*tp = first;
	return (FS_OK);
}

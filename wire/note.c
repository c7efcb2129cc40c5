// SPDX-License-Identifier: Apache-2.0
//
// note.c -- C2SP signed notes: signing, parsing and verifying.
//
// The parser follows Go's note.Open, which defines what the ecosystem
// accepts: the text ends at the last blank line, every line after it is a
// signature line, and a line that is not is an error rather than noise.
// It is stricter in two places: base64 must be canonical, and a repeated
// signature by a known key is verified again instead of skipped.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/noteimpl.h"

fs_err
fsi_note_append_sig(char **outp, size_t *lenp, const char *msg, size_t len,
    bool blank, const char *name, const uint8_t id[static FS_NOTE_ID_BYTES],
    const uint8_t *sig, size_t sig_len)
{
	size_t name_len = strlen(name);
	size_t raw_len  = FS_NOTE_ID_BYTES + sig_len;
	size_t b64_len  = fs_b64std_encoded_len(raw_len);
	size_t n = len + (blank ? 1 : 0) + NOTE_SIG_PREFIX_LEN + name_len + 1
	    + b64_len + 1;
	char    *out, *p;
	uint8_t *raw;

	if (n > FS_NOTE_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((out = malloc(n + 1)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((raw = malloc(raw_len)) == NULL) {
		free(out);
		return (FS_ERR_NOMEM);
	}
	memcpy(raw, id, FS_NOTE_ID_BYTES);
	memcpy(raw + FS_NOTE_ID_BYTES, sig, sig_len);
	p = out;
	memcpy(p, msg, len);
	p += len;
	if (blank) {
		*p++ = '\n';
	}
	memcpy(p, NOTE_SIG_PREFIX, NOTE_SIG_PREFIX_LEN);
	p += NOTE_SIG_PREFIX_LEN;
	memcpy(p, name, name_len);
	p += name_len;
	*p++ = ' ';
	fs_b64std_encode(p, raw, raw_len);
	p += b64_len;
	*p++ = '\n';
	*p   = '\0';
	free(raw);
	*outp = out;
	*lenp = n;
	return (FS_OK);
}

fs_err
fs_note_sign(char **outp, size_t *lenp, const char *text, size_t len,
    const char *name, const fs_key *k)
{
	uint8_t id[FS_NOTE_ID_BYTES];
	uint8_t sig[FS_SIG_BYTES];

	if (len == 0 || text[len - 1] != '\n') {
		return (FS_ERR_MALFORMED);
	}
	if (len > FS_NOTE_TEXT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (!fsi_note_text_valid(text, len)) {
		return (FS_ERR_MALFORMED);
	}
	if (!fs_note_name_valid(name, strlen(name))) {
		return (FS_ERR_INVALID);
	}
	fsi_note_key_id(
	    id, name, strlen(name), FS_NOTE_ED25519, fs_key_public(k)->pk);
	fs_key_sign(k, sig, (const uint8_t *) text, len);
	return (fsi_note_append_sig(
	    outp, lenp, text, len, true, name, id, sig, sizeof(sig)));
}

// find_split returns the offset of the last "\n\n" in msg, or -1.
static long
find_split(const char *msg, size_t len)
{
	for (size_t i = len; i >= 2; i--) {
		if (msg[i - 2] == '\n' && msg[i - 1] == '\n') {
			return ((long) (i - 2));
		}
	}
	return (-1);
}

// parse_sig parses one signature line, without its newline, into s; the
// decoded bytes go to *arenap, which advances.
static fs_err
parse_sig(struct note_sig *s, const char *line, size_t len, uint8_t **arenap)
{
	const char *sp;
	size_t      n;

	if (len < NOTE_SIG_PREFIX_LEN
	    || memcmp(line, NOTE_SIG_PREFIX, NOTE_SIG_PREFIX_LEN) != 0) {
		return (FS_ERR_MALFORMED);
	}
	line += NOTE_SIG_PREFIX_LEN;
	len -= NOTE_SIG_PREFIX_LEN;
	if ((sp = memchr(line, ' ', len)) == NULL) {
		return (FS_ERR_MALFORMED);
	}
	s->name     = line;
	s->name_len = (size_t) (sp - line);
	// Names longer than FS_NOTE_NAME_MAX are legal, if unknown to us:
	// they are ignored when verifying, like any unknown key.
	if (!fsi_note_name_chars(line, s->name_len)) {
		return (FS_ERR_MALFORMED);
	}
	sp++;
	len -= (size_t) (sp - line);
	if (fs_b64std_decode(*arenap, len, &n, sp, len) != FS_OK
	    || n < FS_NOTE_ID_BYTES + 1) {
		return (FS_ERR_MALFORMED);
	}
	memcpy(s->id, *arenap, FS_NOTE_ID_BYTES);
	s->sig     = *arenap + FS_NOTE_ID_BYTES;
	s->sig_len = n - FS_NOTE_ID_BYTES;
	*arenap += n;
	return (FS_OK);
}

fs_err
fs_note_parse(fs_note **np, const char *msg, size_t len)
{
	fs_note *n;
	long     split;
	size_t   off;
	uint8_t *arena;
	fs_err   rv;

	if (len > FS_NOTE_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (!fsi_note_text_valid(msg, len)) {
		return (FS_ERR_MALFORMED);
	}
	if ((split = find_split(msg, len)) < 0 || (size_t) split + 2 == len
	    || msg[len - 1] != '\n') {
		return (FS_ERR_MALFORMED);
	}
	if ((size_t) split + 1 > FS_NOTE_TEXT_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((n->msg = malloc(len + 1)) == NULL
	    || (n->arena = malloc(len)) == NULL) {
		rv = FS_ERR_NOMEM;
		goto fail;
	}
	memcpy(n->msg, msg, len);
	n->msg[len] = '\0';
	n->msg_len  = len;
	n->text_len = (size_t) split + 1;
	arena       = n->arena;
	for (off = (size_t) split + 2; off < len;) {
		const char *nl = memchr(n->msg + off, '\n', len - off);
		size_t      ll = (size_t) (nl - (n->msg + off));

		if (n->nsigs == FS_NOTE_SIGS_MAX) {
			rv = FS_ERR_TOO_LARGE;
			goto fail;
		}
		rv = parse_sig(&n->sigs[n->nsigs], n->msg + off, ll, &arena);
		if (rv != FS_OK) {
			goto fail;
		}
		n->nsigs++;
		off += ll + 1;
	}
	*np = n;
	return (FS_OK);
fail:
	fs_note_free(n);
	return (rv);
}

void
fs_note_free(fs_note *n)
{
	if (n == NULL) {
		return;
	}
	free(n->msg);
	free(n->arena);
	free(n);
}

const char *
fs_note_text(const fs_note *n, size_t *lenp)
{
	*lenp = n->text_len;
	return (n->msg);
}

size_t
fs_note_sig_count(const fs_note *n)
{
	return (n->nsigs);
}

bool
fsi_note_sig_matches(const struct note_sig *s, const fs_note_verifier *v)
{
	return (s->name_len == strlen(v->name)
	    && memcmp(s->name, v->name, s->name_len) == 0
	    && memcmp(s->id, v->id, FS_NOTE_ID_BYTES) == 0);
}

// cosig_check verifies a cosignature: the time, then Ed25519 over the
// header, the time line and the note text.
static fs_err
cosig_check(const fs_note *n, const struct note_sig *s,
    const fs_note_verifier *v, uint64_t *tp)
{
	uint64_t t = 0;
	size_t   hl;
	char    *m;
	bool     ok;

	if (s->sig_len != 8 + FS_SIG_BYTES) {
		return (FS_ERR_BAD_SIGNATURE);
	}
	for (int i = 0; i < 8; i++) {
		t = (t << 8) | s->sig[i];
	}
	if (t > FS_NOTE_TIME_MAX) {
		return (FS_ERR_BAD_SIGNATURE);
	}
	if ((m = malloc(sizeof(COSIG_HEADER) + COSIG_TIME_MAX + n->text_len))
	    == NULL) {
		return (FS_ERR_NOMEM);
	}
	hl = (size_t) snprintf(m, sizeof(COSIG_HEADER) + COSIG_TIME_MAX,
	    COSIG_HEADER "time %llu\n", (unsigned long long) t);
	memcpy(m + hl, n->msg, n->text_len);
	ok = crypto_sign_verify_detached(
	         s->sig + 8, (const uint8_t *) m, hl + n->text_len, v->pk)
	    == 0;
	free(m);
	if (!ok) {
		return (FS_ERR_BAD_SIGNATURE);
	}
	*tp = t;
	return (FS_OK);
}

fs_err
fsi_note_sig_check(const fs_note *n, const struct note_sig *s,
    const fs_note_verifier *v, uint64_t *tp)
{
	switch (v->type) {
	case FS_NOTE_ED25519:
		if (s->sig_len != FS_SIG_BYTES
		    || crypto_sign_verify_detached(
		           s->sig, (const uint8_t *) n->msg, n->text_len, v->pk)
		        != 0) {
			return (FS_ERR_BAD_SIGNATURE);
		}
		*tp = 0;
		return (FS_OK);
	case FS_NOTE_COSIG_V1:
		return (cosig_check(n, s, v, tp));
	default:
		return (FS_ERR_VERSION);
	}
}

fs_err
fs_note_verify(const fs_note *n, const fs_note_verifier *keys, size_t nkeys,
    bool *verified)
{
	bool    *seen = NULL;
	bool     any  = false;
	uint64_t t;
	fs_err   rv = FS_OK;

	if (verified != NULL && nkeys > 0
	    && (seen = calloc(nkeys, sizeof(*seen))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	for (size_t i = 0; i < n->nsigs; i++) {
		for (size_t k = 0; k < nkeys; k++) {
			if (!fsi_note_sig_matches(&n->sigs[i], &keys[k])) {
				continue;
			}
			rv = fsi_note_sig_check(n, &n->sigs[i], &keys[k], &t);
			if (rv != FS_OK) {
				goto out;
			}
			any = true;
			if (seen != NULL) {
				seen[k] = true;
			}
		}
	}
	if (!any) {
		rv = FS_ERR_WRONG_KEY;
		goto out;
	}
	if (seen != NULL) {
		memcpy(verified, seen, nkeys * sizeof(*seen));
	}
out:
	free(seen);
	return (rv);
}

fs_err
fs_note_open(fs_note **np, const char *msg, size_t len,
    const fs_note_verifier *keys, size_t nkeys)
{
	fs_note *n;
	fs_err   rv;

	if ((rv = fs_note_parse(&n, msg, len)) != FS_OK) {
		return (rv);
	}
	if ((rv = fs_note_verify(n, keys, nkeys, NULL)) != FS_OK) {
		fs_note_free(n);
		return (rv);
	}
	*np = n;
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// checkpoint.c -- the checkpoint an auditor verifies: the coordinator's
// signature, the witnesses' cosignatures, and the state file that keeps
// the checkpoint verified last.
//
// A log signs its checkpoints under a note key named after its origin, so
// the verifier key is built from the origin the checkpoint states and the
// coordinator's Ed25519 key; a checkpoint of another origin, or signed by
// another key, does not verify.  When a witness's cosignature is missing,
// the signature lines are read once more to say whether the witness's
// name signed with another key: that is a cosignature by an unknown key,
// which the note format ignores but an auditor must report.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"

#define SIG_PREFIX     "\xe2\x80\x94 " // U+2014 and a space
#define SIG_PREFIX_LEN 4

static uint32_t
id32(const uint8_t id[static FS_NOTE_ID_BYTES])
{
	return (((uint32_t) id[0] << 24) | ((uint32_t) id[1] << 16)
	    | ((uint32_t) id[2] << 8) | id[3]);
}

fs_err
fs_audit_checkpoint_open(fs_note **np, fs_checkpoint *cp, const char *msg,
    size_t len, const fs_pubkey *coord, const char *origin, char *why,
    size_t whycap)
{
	fs_note         *n = NULL;
	fs_checkpoint    c;
	fs_note_verifier v;
	char             name[FS_NOTE_NAME_MAX + 1];
	const char      *text;
	size_t           tlen;
	fs_err           rv;

	if ((rv = fs_note_parse(&n, msg, len)) != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "expected a signed note (text, a blank line, signature "
		    "lines), found %zu bytes that are not: %s",
		    len, fs_strerror(rv)));
	}
	text = fs_note_text(n, &tlen);
	if ((rv = fs_checkpoint_parse(&c, text, tlen)) != FS_OK) {
		snprintf(why, whycap,
		    "expected a checkpoint (origin, size, base64 root), found "
		    "a note whose text is not one: %s",
		    fs_strerror(rv));
		goto fail;
	}
	if (c.origin_len > FS_NOTE_NAME_MAX
	    || !fs_note_name_valid(c.origin, c.origin_len)) {
		rv = fs_why(why, whycap, FS_ERR_MALFORMED,
		    "expected a checkpoint origin usable as a key name, found "
		    "one with spaces, '+' or over %d bytes",
		    FS_NOTE_NAME_MAX);
		goto fail;
	}
	memcpy(name, c.origin, c.origin_len);
	name[c.origin_len] = '\0';
	if (origin != NULL && strcmp(name, origin) != 0) {
		rv = fs_why(why, whycap, FS_ERR_WRONG_KEY,
		    "expected a checkpoint of the log '%s', found one of '%s'",
		    origin, name);
		goto fail;
	}
	if ((rv = fs_note_verifier_init(&v, name, FS_NOTE_ED25519, coord->pk))
	    != FS_OK) {
		snprintf(
		    why, whycap, "cannot build the verifier key of '%s'", name);
		goto fail;
	}
	if ((rv = fs_note_verify(n, &v, 1, NULL)) != FS_OK) {
		if (rv == FS_ERR_WRONG_KEY) {
			snprintf(why, whycap,
			    "the checkpoint carries no signature by the "
			    "coordinator's key under its origin '%s' (expected "
			    "key id %08x)",
			    name, id32(v.id));
		} else {
			snprintf(why, whycap,
			    "the coordinator's signature on the checkpoint "
			    "of '%s' does not verify: its text or signature "
			    "was altered",
			    name);
		}
		goto fail;
	}
	*np = n;
	*cp = c;
	return (FS_OK);
fail:
	fs_note_free(n);
	return (rv);
}

fs_err
fs_audit_witness_init(
    fs_audit_witness *w, const char *name, const fs_pubkey *pub)
{
	return (fs_note_verifier_init(&w->v, name, FS_NOTE_COSIG_V1, pub->pk));
}

// signed_by_name looks for a signature line of msg under name and
// returns its key id, or false.
static bool
signed_by_name(const char *msg, size_t len, const char *name, uint32_t *idp)
{
	const char *p = NULL, *end = msg + len;
	size_t      nlen = strlen(name);

	// The signatures follow the last blank line.
	for (size_t i = len; i >= 2; i--) {
		if (msg[i - 1] == '\n' && msg[i - 2] == '\n') {
			p = msg + i;
			break;
		}
	}
	while (p != NULL && p < end) {
		const char *eol = memchr(p, '\n', (size_t) (end - p));
		const char *sp;
		uint8_t     raw[128];
		size_t      rawlen;

		if (eol == NULL) {
			break;
		}
		if ((size_t) (eol - p) > SIG_PREFIX_LEN + nlen + 1
		    && memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) == 0
		    && memcmp(p + SIG_PREFIX_LEN, name, nlen) == 0
		    && p[SIG_PREFIX_LEN + nlen] == ' ') {
			sp = p + SIG_PREFIX_LEN + nlen + 1;
			if (fs_b64std_decode(raw, sizeof(raw), &rawlen, sp,
			        (size_t) (eol - sp))
			        == FS_OK
			    && rawlen >= FS_NOTE_ID_BYTES) {
				*idp = id32(raw);
				return (true);
			}
		}
		p = eol + 1;
	}
	return (false);
}

fs_err
fs_audit_witness_check(const fs_note *n, const char *msg, size_t len,
    const fs_audit_witness *w, uint64_t *tp, char *why, size_t whycap)
{
	uint64_t t;
	uint32_t other;
	fs_err   rv;

	rv = fs_cosig_verify(&t, n, &w->v);
	if (rv == FS_ERR_NOT_FOUND) {
		if (signed_by_name(msg, len, w->v.name, &other)) {
			snprintf(why, whycap,
			    "witness %s: the cosignature under its name is by "
			    "an unknown key (key id %08x, expected %08x)",
			    w->v.name, other, id32(w->v.id));
		} else {
			snprintf(why, whycap,
			    "witness %s: no cosignature on the checkpoint",
			    w->v.name);
		}
		return (rv);
	}
	if (rv != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "witness %s: its cosignature does not verify: the "
		    "checkpoint or the cosignature was altered",
		    w->v.name));
	}
	*tp = t;
	return (FS_OK);
}

char *
fs_audit_slurp(const char *path, size_t max, size_t *lenp)
{
	FILE  *f = fopen(path, "rb");
	char  *buf;
	size_t n;

	if (f == NULL) {
		return (NULL);
	}
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		errno = ENOMEM;
		return (NULL);
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		int err = ferror(f) ? EIO : EFBIG;

		fclose(f);
		free(buf);
		errno = err;
		return (NULL);
	}
	fclose(f);
	buf[n] = '\0';
	*lenp  = n;
	return (buf);
}

fs_err
fs_audit_state_read(
    char **textp, fs_checkpoint *cp, const char *path, char *why, size_t whycap)
{
	char         *buf, *text;
	size_t        len, tlen;
	fs_note      *n = NULL;
	fs_checkpoint c;
	fs_err        rv;

	if ((buf = fs_audit_slurp(path, FS_NOTE_MAX, &len)) == NULL) {
		if (errno == ENOENT) {
			return (FS_ERR_NOT_FOUND);
		}
		return (fs_why(
		    why, whycap, FS_ERR_IO, "%s: %s", path, strerror(errno)));
	}
	// A signed note, or a bare checkpoint body.
	if (fs_note_parse(&n, buf, len) == FS_OK) {
		const char *t = fs_note_text(n, &tlen);

		text = malloc(tlen + 1);
		if (text != NULL) {
			memcpy(text, t, tlen);
			text[tlen] = '\0';
		}
		fs_note_free(n);
		free(buf);
		if (text == NULL) {
			return (FS_ERR_NOMEM);
		}
	} else {
		text = buf;
		tlen = len;
	}
	if ((rv = fs_checkpoint_parse(&c, text, tlen)) != FS_OK) {
		free(text);
		return (fs_why(why, whycap, rv,
		    "%s: expected a checkpoint (origin, size, base64 root), "
		    "signed or not: %s",
		    path, fs_strerror(rv)));
	}
	*textp = text;
	*cp    = c;
	return (FS_OK);
}

fs_err
fs_audit_state_write(const char *path, const char *note, size_t len)
{
	char    tmp[4096];
	int     fd;
	ssize_t w;

	if ((size_t) snprintf(tmp, sizeof(tmp), "%s.tmp", path)
	    >= sizeof(tmp)) {
		return (FS_ERR_INVALID);
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644))
	    < 0) {
		return (FS_ERR_IO);
	}
	w = write(fd, note, len);
	if (w < 0 || (size_t) w != len || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return (FS_ERR_IO);
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return (FS_ERR_IO);
	}
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// revocations.c -- the issuer's signed statement of when it revoked each
// consent, for auditors: a C2SP signed note whose text is
//
//	fedscore.<region>/revocations
//	<number of revocations>
//	<time of the statement, RFC 3339>
//	<jti, base64url> <time revoked, RFC 3339>      (one line each)
//
// signed by the issuer's Ed25519 key under the first line as key name.
// Nodes and the coordinator act on the current revocation list; this is
// what lets an auditor tell, for each disclosure, whether its consent had
// been revoked before it.

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/noteimpl.h"
#include "wire/revocations.h"
#include "wire/token.h"

#define NAME_FMT "fedscore.%s/revocations"

static int
cmp_rev(const void *a, const void *b)
{
	return (memcmp(((const fs_revocation *) a)->jti,
	    ((const fs_revocation *) b)->jti, FS_JTI_BYTES));
}

fs_err
fs_revocations_sign(char **notep, const fs_key *issuer, const char *region,
    int64_t iat, const fs_revocation *r, size_t n)
{
	char   name[FS_NOTE_NAME_MAX + 1], t[FS_TIME_LEN + 1];
	char   jti[32], *text = NULL;
	size_t tlen = 0, nlen;
	FILE  *f;
	fs_err rv;

	if ((size_t) snprintf(name, sizeof(name), NAME_FMT, region)
	        >= sizeof(name)
	    || !fs_note_name_valid(name, strlen(name))
	    || fs_time_format(t, iat) != FS_OK) {
		return (FS_ERR_INVALID);
	}
	if ((f = open_memstream(&text, &tlen)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	fprintf(f, "%s\n%zu\n%s\n", name, n, t);
	for (size_t i = 0; i < n; i++) {
		fs_b64_encode(jti, r[i].jti, FS_JTI_BYTES);
		if (fs_time_format(t, r[i].at) != FS_OK) {
			fclose(f);
			free(text);
			return (FS_ERR_INVALID);
		}
		fprintf(f, "%s %s\n", jti, t);
	}
	if (fclose(f) != 0) {
		free(text);
		return (FS_ERR_NOMEM);
	}
	rv = tlen > FS_NOTE_TEXT_MAX
	    ? FS_ERR_TOO_LARGE
	    : fs_note_sign(notep, &nlen, text, tlen, name, issuer);
	free(text);
	return (rv);
}

// line returns the next line of the text at *p (without its newline), or
// NULL at the end.
static const char *
line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end || (nl = memchr(s, '\n', (size_t) (end - s))) == NULL) {
		return (NULL);
	}
	*len = (size_t) (nl - s);
	*p   = nl + 1;
	return (s);
}

fs_err
fs_revocations_open(fs_revocations *out, const char *note, size_t len,
    const fs_pubkey *issuer, const char *region)
{
	fs_revocations   rs = { 0 };
	fs_note_verifier v;
	fs_note         *n = NULL;
	char             name[FS_NOTE_NAME_MAX + 1], num[24];
	const char      *text, *p, *end, *l;
	size_t           tlen, ll, count = 0;
	fs_err           rv;

	if ((size_t) snprintf(name, sizeof(name), NAME_FMT, region)
	        >= sizeof(name)
	    || (rv = fs_note_verifier_init(
	            &v, name, FS_NOTE_ED25519, issuer->pk))
	        != FS_OK) {
		return (FS_ERR_INVALID);
	}
	if ((rv = fs_note_open(&n, note, len, &v, 1)) != FS_OK) {
		return (rv);
	}
	text = fs_note_text(n, &tlen);
	p    = text;
	end  = text + tlen;
	rv   = FS_ERR_MALFORMED;
	// The name line, the count, the time.
	if ((l = line(&p, end, &ll)) == NULL || ll != strlen(name)
	    || memcmp(l, name, ll) != 0 || (l = line(&p, end, &ll)) == NULL
	    || ll == 0 || ll >= sizeof(num)) {
		goto out;
	}
	memcpy(num, l, ll);
	num[ll] = '\0';
	if (strspn(num, "0123456789") != ll || (ll > 1 && num[0] == '0')
	    || (count = strtoull(num, NULL, 10)) > tlen / 40
	    || (l = line(&p, end, &ll)) == NULL
	    || fs_time_parse(&rs.iat, l, ll) != FS_OK) {
		goto out;
	}
	if (count > 0 && (rs.r = calloc(count, sizeof(*rs.r))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	for (rs.n = 0; rs.n < count; rs.n++) {
		const char *sp;
		size_t      got;

		if ((l = line(&p, end, &ll)) == NULL
		    || (sp = memchr(l, ' ', ll)) == NULL
		    || fs_b64_decode(rs.r[rs.n].jti, FS_JTI_BYTES, &got, l,
		           (size_t) (sp - l))
		        != FS_OK
		    || got != FS_JTI_BYTES
		    || fs_time_parse(
		           &rs.r[rs.n].at, sp + 1, ll - (size_t) (sp - l) - 1)
		        != FS_OK) {
			goto out;
		}
	}
	if (p != end) {
		goto out;
	}
	if (rs.n > 1) {
		qsort(rs.r, rs.n, sizeof(*rs.r), cmp_rev);
	}
	*out = rs;
	rs.r = NULL;
	rv   = FS_OK;
out:
	free(rs.r);
	fs_note_free(n);
	return (rv);
}

const fs_revocation *
fs_revocations_find(const fs_revocations *rs, const uint8_t jti[FS_JTI_BYTES])
{
	fs_revocation key;

	memcpy(key.jti, jti, FS_JTI_BYTES);
	return (rs->n == 0
	        ? NULL
	        : bsearch(&key, rs->r, rs->n, sizeof(*rs->r), cmp_rev));
}

void
fs_revocations_fini(fs_revocations *rs)
{
	if (rs != NULL) {
		free(rs->r);
		rs->r = NULL;
		rs->n = 0;
	}
}

// SPDX-License-Identifier: Apache-2.0
//
// trustfile.c -- opening a trust list: its file read, the credit office's
// signature on the note checked before a byte of the text is parsed
// (trust.c), and the list bound to the local scheme, whose tiers its map
// lines must name.

#include <stddef.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/noteimpl.h"
#include "wire/scheme.h"
#include "wire/trust.h"
#include "wire/wireimpl.h"

fs_err
fs_trust_bind(fs_trust *t, const fs_scheme *local, char *why, size_t whycap)
{
	if (strcmp(local->region, t->local) != 0) {
		snprintf(why, whycap,
		    "the trust list is for region %s, the scheme %s for "
		    "region %s",
		    t->local, local->id, local->region);
		return (FS_ERR_CONFIG);
	}
	for (size_t i = 0; i < t->nregions; i++) {
		const fs_trust_region *r = &t->regions[i];

		for (size_t m = 0; m < r->nmaps; m++) {
			size_t k;

			for (k = 0; k < local->ntiers
			     && strcmp(local->tiers[k].name, r->maps[m].local)
			         != 0;
			     k++) {
			}
			if (k == local->ntiers) {
				snprintf(why, whycap,
				    "region %s maps tier %s to %s, which is "
				    "not a tier of the %s scheme",
				    r->id, r->maps[m].foreign, r->maps[m].local,
				    local->id);
				return (FS_ERR_CONFIG);
			}
		}
	}
	t->scheme = *local;
	t->bound  = true;
	return (FS_OK);
}

fs_err
fs_trust_open(fs_trust **tp, const char *note, size_t len, const char *path,
    const fs_pubkey *office, const char *name, char *why, size_t whycap)
{
	fs_note_verifier v;
	fs_note         *n;
	const char      *text;
	size_t           tlen;
	fs_err           rv;

	if (fs_note_verifier_init(&v, name, FS_NOTE_ED25519, office->pk)
	    != FS_OK) {
		snprintf(why, whycap,
		    "expected a note key name without spaces or '+', found "
		    "'%s'",
		    name);
		return (FS_ERR_INVALID);
	}
	if ((rv = fs_note_open(&n, note, len, &v, 1)) != FS_OK) {
		snprintf(why, whycap, "%s: %s", path,
		    rv == FS_ERR_WRONG_KEY
		        ? "not signed by the credit office's key (under the "
		          "name given)"
		        : rv == FS_ERR_BAD_SIGNATURE
		        ? "the credit office's signature does not verify: the "
		          "list was altered"
		        : "expected a trust list as a signed note");
		return (rv);
	}
	text = fs_note_text(n, &tlen);
	rv   = fs_trust_parse(tp, text, tlen, path, why, whycap);
	fs_note_free(n);
	return (rv);
}

fs_err
fs_trust_load(fs_trust **tp, const char *path, const fs_pubkey *office,
    const char *name, char *why, size_t whycap)
{
	FILE     *f;
	char     *buf;
	size_t    n;
	fs_scheme scheme;
	fs_trust *t = NULL;
	fs_err    rv;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whycap, "%s: %s", path, strerror(errno));
		return (errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO);
	}
	if ((buf = malloc(FS_NOTE_MAX + 1)) == NULL) {
		fclose(f);
		return (FS_ERR_NOMEM);
	}
	n = fread(buf, 1, FS_NOTE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(why, whycap, "%s: read error", path);
		rv = FS_ERR_IO;
	} else {
		rv = fs_trust_open(&t, buf, n, path, office, name, why, whycap);
	}
	fclose(f);
	free(buf);
	if (rv == FS_OK
	    && ((rv = fs_scheme_load(&scheme, t->scheme_path, why, whycap))
	            != FS_OK
	        || (rv = fs_trust_bind(t, &scheme, why, whycap)) != FS_OK)) {
		fs_trust_free(t);
		return (rv);
	}
	if (rv == FS_OK) {
		*tp = t;
	}
	return (rv);
}

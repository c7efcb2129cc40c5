// SPDX-License-Identifier: Apache-2.0
//
// recheck.c -- checking a records file, line by line, before anything is
// written: the first pass of an import, and the same checks again on
// each line the second pass writes.  Every error names the file and line,
// what was expected and what was found, and never an ID number.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "node/node.h"
#include "node/nodeimpl.h"

static const char *const header[] = { "record_id", "id_number", "code",
	"event_ref", "occurred_on", "valid_until" };
#define NCOLS 6

#define FAIL(...) return (fs_csv_malformed(r, why, whycap, __VA_ARGS__))

static bool
rid_ok(const char *s, size_t len)
{
	if (len == 0 || len > FS_NODE_RID_MAX || s[0] == ' '
	    || s[len - 1] == ' ') {
		return (false);
	}
	return (memchr(s, '\t', len) == NULL && memchr(s, '\n', len) == NULL);
}

// ref_check checks the event reference of a record of rule w->rule and
// keeps it, and its normal form, in t.
static fs_err
ref_check(fs_csv *r, const char *ref, size_t len, const node_row *w,
    node_text *t, char *why, size_t whycap)
{
	if (len > FS_NODE_REF_MAX) {
		FAIL("expected an event_ref of at most %d bytes, found %zu",
		    FS_NODE_REF_MAX, len);
	}
	memcpy(t->ref, ref, len + 1);
	if (fs_event_ref_normalize(t->norm, &t->normlen, ref, len) != FS_OK) {
		FAIL("expected an event_ref of UTF-8 text");
	}
	if (w->rule->shared && t->normlen == 0) {
		FAIL("expected an event_ref for code %s, which other "
		     "departments may report too (shared = 1), found %s",
		    w->rule->code, len == 0 ? "an empty field" : "blanks");
	}
	return (FS_OK);
}

// dates_check checks occurred_on (f[4]) and, when the file has the
// column, valid_until (f[5]) into w.
static fs_err
dates_check(node_import *im, fs_csv *r, size_t nf, const char *const *f,
    const size_t *len, node_row *w, char *why, size_t whycap)
{
	char found[NODE_FOUND_MAX], d1[11], d2[11];

	if (fs_date_parse(&w->occurred_on, f[4], len[4]) != FS_OK) {
		node_found(found, f[4], len[4]);
		FAIL("expected occurred_on as a date YYYY-MM-DD that exists, "
		     "found %s",
		    found);
	}
	if (w->occurred_on > im->today) {
		fs_date_format(d1, im->today);
		FAIL("expected occurred_on no later than today (%s), found %s",
		    d1, f[4]);
	}
	w->valid_until = 0;
	if (nf == NCOLS && len[5] > 0) {
		if (fs_date_parse(&w->valid_until, f[5], len[5]) != FS_OK) {
			node_found(found, f[5], len[5]);
			FAIL("expected valid_until empty or a date YYYY-MM-DD "
			     "that exists, found %s",
			    found);
		}
		if (w->valid_until <= w->occurred_on) {
			fs_date_format(d1, w->occurred_on);
			fs_date_format(d2, w->valid_until);
			FAIL("expected valid_until after occurred_on (%s), "
			     "found %s",
			    d1, d2);
		}
	}
	return (FS_OK);
}

// node_records_check validates the record just read into w.
fs_err
node_records_check(node_import *im, fs_csv *r, size_t nf, node_row *w,
    node_text *t, char *why, size_t whycap)
{
	const fs_ruleset *rs = &im->rules;
	const char       *f[NCOLS];
	size_t            len[NCOLS];
	char              found[NODE_FOUND_MAX];
	char              idwhy[FS_WHY_MAX];
	fs_err            rv;

	if (nf != im->ncols) {
		FAIL("expected %zu fields as in the header, found %zu",
		    im->ncols, nf);
	}
	for (size_t i = 0; i < NCOLS; i++) {
		f[i] = fs_csv_field(r, i, &len[i]);
	}
	if (strcmp(f[0], header[0]) == 0 && strcmp(f[1], header[1]) == 0) {
		FAIL("expected a record, found the header again");
	}
	w->line = fs_csv_line(r);
	if (!rid_ok(f[0], len[0])) {
		node_found(found, f[0], len[0]);
		FAIL("expected a record_id of 1 to %d bytes without "
		     "surrounding spaces, found %s",
		    FS_NODE_RID_MAX, found);
	}
	memcpy(t->rid, f[0], len[0] + 1);
	// The message names the part that is wrong, never the number.
	if (fs_idnum_normalize(
	        w->id, f[1], len[1], im->now, idwhy, sizeof(idwhy))
	    != FS_OK) {
		FAIL("expected a valid ID number in id_number: %s", idwhy);
	}
	if ((w->rule = fs_ruleset_find(rs, f[2])) == NULL) {
		node_found(found, f[2], len[2]);
		FAIL("expected a code of the current rules (version %s), "
		     "found %s",
		    rs->version, found);
	}
	if ((rv = ref_check(r, f[3], len[3], w, t, why, whycap)) != FS_OK) {
		return (rv);
	}
	return (dates_check(im, r, nf, f, len, w, why, whycap));
}

fs_err
node_records_open(
    node_import *im, const char *path, fs_csv **rp, char *why, size_t whycap)
{
	fs_csv *r;
	size_t  nf;
	fs_err  rv;

	if ((rv = fs_csv_open_file(&r, path, NULL, why, whycap)) != 0) {
		return (rv);
	}
	if ((rv = node_header_read(r, header, NCOLS, 1, &nf, why, whycap))
	    != FS_OK) {
		fs_csv_close(r);
		return (rv);
	}
	im->ncols = nf;
	im->name  = fs_csv_name(r);
	*rp       = r;
	return (FS_OK);
}

// node_records_check_all is the first pass.
fs_err
node_records_check_all(node_import *im, const char *path,
    fs_progress_fn progress, void *arg, char *why, size_t whycap)
{
	fs_csv   *r;
	node_row  w;
	node_text t;
	size_t    nf;
	fs_err    rv;

	if ((rv = node_records_open(im, path, &r, why, whycap)) != 0) {
		return (rv);
	}
	for (;;) {
		if ((rv = fs_csv_next(r, &nf, why, whycap)) != 0 || nf == 0) {
			break;
		}
		if ((rv = node_records_check(im, r, nf, &w, &t, why, whycap))
		    != 0) {
			break;
		}
		if (++im->st.records % NODE_CHUNK == 0 && progress != NULL) {
			progress(
			    arg, "checking", fs_csv_offset(r), fs_csv_size(r));
		}
	}
	if (rv == FS_OK && im->st.records == 0) {
		snprintf(why, whycap,
		    "%s:2: expected at least one record, "
		    "found the end of the file",
		    fs_csv_name(r));
		rv = FS_ERR_MALFORMED;
	}
	if (rv == FS_OK && progress != NULL) {
		progress(arg, "checking", fs_csv_offset(r), fs_csv_size(r));
	}
	sodium_memzero(&w, sizeof(w));
	fs_csv_close(r);
	im->name = NULL;
	return (rv);
}

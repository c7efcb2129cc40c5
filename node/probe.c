// SPDX-License-Identifier: Apache-2.0
//
// probe.c -- the probe filter of a bulk import: which citizens of the
// records the pseudonym cache does not hold, and their pseudonyms.
//
// A large import (bulk) reads the file once: it checks each line and
// writes it, its citizen named by ID hash, without reading the cache, and
// builds the index on ID hash again after.  Only then, with the whole file
// checked, are the citizens the cache does not hold found -- one query
// over the index and the cache side by side, both in ID-hash order, each
// page read once -- and put in a Bloom filter; a second reading of the
// file pseudonymizes those through the issuer, in chunks, as a small
// import does.  Known citizens so cost no lookup at all, and a bad file
// still costs no evaluation at the issuer.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "node/node.h"
#include "node/nodeimpl.h"

#define MISS_BITS 12 // per citizen: about 0.3% false positives

// missing counts the ID hashes of records that the cache does not hold,
// and adds them to the filter when there is one.
static fs_err
missing(node_import *im, uint64_t *count, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	uint64_t      cnt = 0;
	int           rc;

	if (sqlite3_prepare_v2(im->n->db,
	        "SELECT r.idhash FROM (SELECT DISTINCT idhash FROM record "
	        "INDEXED BY record_idhash ORDER BY idhash) r WHERE NOT EXISTS "
	        "(SELECT 1 FROM pseudonym p WHERE p.idhash = r.idhash)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(im->n->db));
		return (FS_ERR_IO);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cnt++;
		if (im->filter == NULL
		    || sqlite3_column_bytes(st, 0) != NODE_IDHASH_BYTES) {
			continue;
		}
		node_probe_add(im, sqlite3_column_blob(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(im->n->db));
		return (FS_ERR_IO);
	}
	*count = cnt;
	return (FS_OK);
}

static fs_err
pseudonymize_rows(node_import *im, char *why, size_t whycap)
{
	return (node_import_pseudonymize(im, why, whycap));
}

// node_bulk_pseudonymize finds the citizens of a bulk import that the cache
// does not hold and pseudonymizes them.
fs_err
node_bulk_pseudonymize(node_import *im, const char *path,
    fs_progress_fn progress, void *arg, char *why, size_t whycap)
{
	uint64_t nmiss, nbits = UINT64_C(1) << 16, nrec;
	fs_err   rv;

	if (progress != NULL) {
		progress(arg, "matching", 0, 1);
	}
	rv = missing(im, &nmiss, why, whycap);
	if (progress != NULL && rv == FS_OK) {
		progress(arg, "matching", 1, 1);
	}
	if (rv != FS_OK || nmiss == 0) {
		return (rv);
	}
	while (nbits < nmiss * MISS_BITS) {
		nbits <<= 1;
	}
	if ((im->filter = calloc(nbits / 64, sizeof(uint64_t))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	im->fmask = nbits - 1;
	if ((rv = missing(im, &nmiss, why, whycap)) != FS_OK
	    || (rv = node_read_rows(im, path, "pseudonymizing",
	            pseudonymize_rows, progress, arg, &nrec, why, whycap))
	        != FS_OK) {
		return (rv);
	}
	free(im->filter);
	im->filter = NULL;
	if ((rv = missing(im, &nmiss, why, whycap)) == FS_OK && nmiss != 0) {
		snprintf(why, whycap,
		    "%llu citizens of the records are still not in the cache",
		    (unsigned long long) nmiss);
		rv = FS_ERR_IO;
	}
	return (rv);
}

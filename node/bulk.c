// SPDX-License-Identifier: Apache-2.0
//
// bulk.c -- which way an import goes, told before its file is read
// properly: a small import or a bulk one, and for a bulk one, a re-export
// of records the node holds or a file of new records.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/err.h"
#include "node/node.h"
#include "node/nodeimpl.h"

#define HELD_SAMPLE 1024 // records read to tell a re-export

// An import of at least node_big_import records, and a quarter of those
// held, is a bulk import.  Tests lower it.
size_t node_big_import = 100000;

// node_import_is_bulk tells a large import (at least node_big_import records
// and a quarter of those held) from a small one, by the lines of the file,
// before reading it properly.
bool
node_import_is_bulk(node_import *im, const char *path, uint64_t *linesp)
{
	FILE    *f;
	char     buf[1 << 16];
	size_t   got;
	uint64_t lines = 0;
	int64_t  count = 0;

	if ((f = fopen(path, "rb")) == NULL) {
		return (false);
	}
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (const char *p = buf;
		     (p = memchr(p, '\n', (size_t) (buf + got - p))) != NULL;
		     p++) {
			lines++;
		}
	}
	fclose(f);
	(void) node_meta_get(im->n, "record_count", &count);
	*linesp = lines;
	return (lines >= node_big_import && lines * 4 >= (uint64_t) count);
}

// held_at reads the first whole record after offset off of f: 1 when
// the node holds its record_id, 0 when not, -1 when there is none.  A
// line inside a quoted field taken for a record reads as not held.
static int
held_at(sqlite3_stmt *st, FILE *f, off_t off)
{
	char        buf[2 * FS_CSV_RECORD_MAX];
	size_t      got, nf, len;
	const char *nl, *rid;
	fs_csv     *r;
	char        why[FS_WHY_MAX];
	int         held = -1;

	if (fseeko(f, off, SEEK_SET) != 0
	    || (got = fread(buf, 1, sizeof(buf), f)) == 0
	    || (nl = memchr(buf, '\n', got)) == NULL
	    || fs_csv_open_mem(&r, nl + 1, got - (size_t) (nl + 1 - buf), NULL)
	        != FS_OK) {
		sodium_memzero(buf, sizeof(buf)); // lines carry ID numbers
		return (-1);
	}
	if (fs_csv_next(r, &nf, why, sizeof(why)) == FS_OK && nf != 0) {
		rid = fs_csv_field(r, 0, &len);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, rid, (int) len, SQLITE_STATIC);
		held = sqlite3_step(st) == SQLITE_ROW ? 1 : 0;
		sqlite3_reset(st);
	}
	fs_csv_close(r);
	sodium_memzero(buf, sizeof(buf));
	return (held);
}

// node_import_mostly_held tells a re-export -- the node holds at least three
// quarters as many records as the file has, and three quarters of
// records read at evenly spaced places of the file -- whose index by
// citizen is kept, as its records change citizen rarely.  A file of new
// records instead has the index dropped and sorted anew after, as
// inserting millions of entries at random places in it takes far longer
// (six times the whole import, at 2 M records).
bool
node_import_mostly_held(node_import *im, const char *path, uint64_t records)
{
	FILE         *f;
	struct stat   sb;
	sqlite3_stmt *st   = NULL;
	size_t        held = 0, seen = 0;
	int64_t       count = 0;

	(void) node_meta_get(im->n, "record_count", &count);
	if ((uint64_t) count * 4 < records * 3
	    || (f = fopen(path, "rb")) == NULL) {
		return (false);
	}
	if (fstat(fileno(f), &sb) == 0
	    && sqlite3_prepare_v2(im->n->db,
	           "SELECT 1 FROM record WHERE record_id = ?", -1, &st, NULL)
	        == SQLITE_OK) {
		for (off_t k = 0; k < HELD_SAMPLE; k++) {
			int h = held_at(st, f, sb.st_size * k / HELD_SAMPLE);

			seen += h >= 0;
			held += h > 0;
		}
	}
	sqlite3_finalize(st);
	fclose(f);
	return (seen > 0 && held * 4 >= seen * 3);
}

// SPDX-License-Identifier: Apache-2.0
//
// records.c -- importing a department's records, all or nothing.
//
// A small import reads the file twice.  The first pass checks every line
// (fields, ID number, code, dates, event reference) and touches nothing,
// so a bad file costs no evaluation at the issuer.  The second runs in one
// transaction, in chunks: it hashes each chunk's ID numbers with the
// node's key, makes sure each citizen is in the pseudonym cache (looked up
// in key order, the misses pseudonymized through the issuer in batches),
// and writes the rows, which name their citizen by ID hash, with prepared
// statements.  A record id seen twice in the file is caught there, by the
// import number it was written with.  A large import goes another way,
// described in probe.c.  Readers see the old snapshot meanwhile (WAL).
//
// This file drives an import -- which way it goes (bulk.c), its passes
// over the file (readahead.c), its one transaction -- and holds the SQL
// that writes its rows.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/db.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "node/node.h"
#include "node/nodeimpl.h"

#define CACHE_KIB 16384 // SQLite page cache during an import

// write_chunk writes the rows of im->c.  A small import first makes sure
// their citizens are in the cache; a bulk one pseudonymizes the citizens
// it lacks once all rows are written (probe.c).
static fs_err
write_chunk(node_import *im, char *why, size_t whycap)
{
	fs_err rv;

	if (!im->st.bulk
	    && (rv = node_import_pseudonymize(im, why, whycap)) != 0) {
		return (rv);
	}
	// A row is inserted, or updated when its record_id is held; a
	// re-export updates nearly every row and a new one inserts, so the
	// statement that served the last row is tried first.  A record whose
	// citizen is unchanged is updated without touching the index by
	// citizen; the last statement, the full update, is for the rest.
	for (size_t i = 0; i < im->c.nrows; i++) {
		const node_row *w = &im->c.rows[i];
		sqlite3_stmt   *order[3];

		order[0] = im->upd_first ? im->same : im->ins;
		order[1] = im->upd_first ? im->ins : im->same;
		order[2] = im->upd;
		for (int pass = 0; pass < 3; pass++) {
			sqlite3_stmt *st = order[pass];

			sqlite3_reset(st);
			sqlite3_bind_text(
			    st, 1, im->c.text + w->rid, -1, SQLITE_STATIC);
			sqlite3_bind_blob(
			    st, 2, w->idhash, NODE_IDHASH_BYTES, SQLITE_STATIC);
			sqlite3_bind_text(
			    st, 3, w->rule->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(
			    st, 4, im->c.text + w->ref, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 5, w->occurred_on);
			if (w->valid_until != 0) {
				sqlite3_bind_int(st, 6, w->valid_until);
			} else {
				sqlite3_bind_null(st, 6);
			}
			sqlite3_bind_int64(st, 7, im->id);
			if (sqlite3_step(st) != SQLITE_DONE) {
				snprintf(why, whycap, "cannot write record: %s",
				    sqlite3_errmsg(im->n->db));
				return (FS_ERR_IO);
			}
			if (sqlite3_changes(im->n->db) == 1) {
				if (st == im->ins) {
					im->st.inserted++;
				} else {
					im->st.updated++;
				}
				im->upd_first = st != im->ins;
				break;
			}
			if (pass == 2) {
				snprintf(why, whycap,
				    "%s:%ld: expected each record_id once, "
				    "found "
				    "'%s' again",
				    im->name, w->line, im->c.text + w->rid);
				return (FS_ERR_MALFORMED);
			}
		}
	}
	return (FS_OK);
}

static fs_err
prepare(node_import *im)
{
	sqlite3 *db = im->n->db;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pseudonym WHERE idhash = ?",
	        -1, &im->get, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "INSERT INTO record (record_id, idhash, code, event_ref, "
	           "occurred_on, valid_until, import) VALUES "
	           "(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	           "ON CONFLICT(record_id) DO NOTHING",
	           -1, &im->ins, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "UPDATE record SET idhash = ?2, code = ?3, event_ref = ?4, "
	           "occurred_on = ?5, valid_until = ?6, import = ?7 "
	           "WHERE record_id = ?1 AND import <> ?7",
	           -1, &im->upd, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "UPDATE record SET code = ?3, event_ref = ?4, "
	           "occurred_on = ?5, valid_until = ?6, import = ?7 "
	           "WHERE record_id = ?1 AND idhash = ?2 AND import <> ?7",
	           -1, &im->same, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	return (FS_OK);
}

// write_all writes the records inside the transaction: a small import
// after its first pass (im->st.records counted), a bulk one in its only
// pass.
static fs_err
write_all(node_import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	fs_node *n     = im->n;
	int64_t  count = 0;
	uint64_t nrec;
	fs_err   rv;

	(void) node_meta_get(n, "record_count", &count);
	if (im->st.reindexed
	    && fs_db_exec(n->db, "DROP INDEX IF EXISTS record_idhash") != 0) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (FS_ERR_IO);
	}
	if ((rv = prepare(im)) != 0) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (rv);
	}
	if ((rv = node_read_rows(im, path, "writing", write_chunk, progress,
	         arg, &nrec, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	im->st.records = nrec;
	// The index is sorted by SQLite's sorter, which may use both cores;
	// each of its tasks takes up to the page cache's size in memory.
	if (im->st.reindexed && progress != NULL) {
		progress(arg, "indexing", 0, 1);
	}
	if (im->st.reindexed
	    && fs_db_exec(n->db,
	           "PRAGMA threads = 2; PRAGMA cache_size = -6144; "
	           "CREATE INDEX record_idhash ON record(idhash)")
	        != FS_OK) {
		snprintf(
		    why, whycap, "cannot index: %s", sqlite3_errmsg(n->db));
		return (FS_ERR_IO);
	}
	if (im->st.reindexed && progress != NULL) {
		progress(arg, "indexing", 1, 1);
	}
	if (im->st.bulk
	    && (rv = node_bulk_pseudonymize(
	            im, path, progress, arg, why, whycap))
	        != FS_OK) {
		return (rv);
	}
	return (node_meta_set(
	    n, "record_count", count + (int64_t) im->st.inserted));
}

// log_begin numbers the import in the import table, which log_end
// completes with its counts.
static fs_err
log_begin(node_import *im, const char *path)
{
	fs_err rv;

	if ((rv = node_sql_run(im->n->db,
	         "INSERT INTO import (time_ms, source, records, inserted, "
	         "updated, rules_version) VALUES (?, ?, 0, 0, 0, ?)",
	         NODE_VALS(NODE_INT((int64_t) fs_now_ms()), NODE_TEXT(path),
	             NODE_TEXT(im->rules.version)),
	         NULL, 0))
	    == FS_OK) {
		im->id = sqlite3_last_insert_rowid(im->n->db);
	}
	return (rv);
}

static fs_err
log_end(node_import *im)
{
	return (node_sql_run(im->n->db,
	    "UPDATE import SET records = ?, inserted = ?, updated = ? "
	    "WHERE id = ?",
	    NODE_VALS(NODE_INT((int64_t) im->st.records),
	        NODE_INT((int64_t) im->st.inserted),
	        NODE_INT((int64_t) im->st.updated), NODE_INT(im->id)),
	    NULL, 0));
}

// plan reads the rules in force, tells which way the import goes, makes
// the first pass of a small import, and allocates the chunk.
static fs_err
plan(node_import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	uint64_t lines;
	fs_err   rv;

	if ((rv = node_rules_load(im->n->db, &im->rules)) != 0) {
		snprintf(why, whycap,
		    rv == FS_ERR_NOT_FOUND ? "no rules imported yet: expected "
		                             "'fedscore node rules "
		                             "import' before records"
		                           : "cannot read the rules");
		return (rv);
	}
	// The file's lines are its records and the header.
	im->st.bulk      = node_import_is_bulk(im, path, &lines);
	im->st.reindexed = im->st.bulk
	    && !node_import_mostly_held(im, path, lines > 0 ? lines - 1 : 0);
	if (!im->st.bulk
	    && (rv = node_records_check_all(
	            im, path, progress, arg, why, whycap))
	        != 0) {
		return (rv);
	}
	if ((im->c.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL
	    || (im->order = calloc(NODE_CHUNK, sizeof(node_key))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	return (FS_OK);
}

// cache_size sets the writing connection's page cache to an import's
// and returns the size it had, 0 if unknown.
static int
cache_size(fs_node *n)
{
	sqlite3_stmt *q;
	char          pragma[64];
	int           was = 0;

	if (node_sql_row(n->db, "PRAGMA cache_size", NULL, &q) == FS_OK) {
		was = sqlite3_column_int(q, 0);
	}
	sqlite3_finalize(q);
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", CACHE_KIB);
	(void) fs_db_exec(n->db, pragma);
	return (was);
}

// transact writes the records and logs the import in one transaction.
static fs_err
transact(node_import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	sqlite3 *db = im->n->db;
	fs_err   rv;

	if ((rv = fs_db_begin(db)) != 0) {
		snprintf(why, whycap, "cannot write to the database: %s",
		    sqlite3_errmsg(db));
		return (rv);
	}
	rv = log_begin(im, path);
	if (rv == FS_OK) {
		rv = write_all(im, path, progress, arg, why, whycap);
	}
	if (rv == FS_OK) {
		rv = log_end(im);
	}
	if (rv == FS_OK && progress != NULL && im->st.bulk) {
		progress(arg, "committing", 0, 1);
	}
	if (rv == FS_OK && (rv = fs_db_commit(db)) == FS_OK && progress != NULL
	    && im->st.bulk) {
		progress(arg, "committing", 1, 1);
	}
	if (rv != FS_OK) {
		if (rv == FS_ERR_IO && why[0] == '\0') {
			snprintf(why, whycap, "%s", sqlite3_errmsg(db));
		}
		fs_db_rollback(db);
		return (rv);
	}
	(void) fs_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	return (FS_OK);
}

fs_err
fs_node_records_import(fs_node *n, const char *path, fs_progress_fn progress,
    void *arg, fs_import_stats *st, char *why, size_t whycap)
{
	node_import im = { .n = n };
	fs_err      rv;
	char        pragma[64];
	int         cache_was = 0;

	im.now   = time(NULL);
	im.today = fs_today((int64_t) im.now);
	pthread_mutex_lock(&n->wmtx);
	if ((rv = plan(&im, path, progress, arg, why, whycap)) == FS_OK) {
		// The import's page cache is given back to the connection
		// after.
		cache_was = cache_size(n);
		if ((rv = transact(&im, path, progress, arg, why, whycap))
		    == FS_OK) {
			*st = im.st;
		}
	}
	sqlite3_finalize(im.get);
	sqlite3_finalize(im.ins);
	sqlite3_finalize(im.upd);
	sqlite3_finalize(im.same);
	node_chunk_free(&im.c);
	free(im.order);
	free(im.filter);
	fs_ruleset_fini(&im.rules);
	if (cache_was != 0) {
		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = %d",
		    cache_was);
		(void) fs_db_exec(n->db, pragma);
	}
	pthread_mutex_unlock(&n->wmtx);
	return (rv);
}

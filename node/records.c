// SPDX-License-Identifier: Apache-2.0
//
// records.c -- importing a department's records, all or nothing.
//
// Two passes over the file.  The first checks every line (fields, ID
// number, code, dates, event reference) and touches nothing, so a bad
// file costs no evaluation at the issuer.  The second runs in one
// transaction, in chunks: it hashes each chunk's ID numbers with the
// node's key, makes sure each citizen is in the pseudonym cache (looked
// up in key order, the misses pseudonymized through the issuer in
// batches), and writes the rows, which name their citizen by ID hash,
// with prepared statements.  A record id seen twice in the file is caught
// there, by the import number it was written with.  A large import drops
// the index on ID hash and builds it again after the rows are in, which
// is several times faster than keeping it, and reads the cache only for
// citizens a filter of it says are new; see resolve.  Readers see the old
// snapshot meanwhile (WAL).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nodeimpl.h"

#define CACHE_KIB 16384 // SQLite page cache during an import

// An import of at least node_big_import records, and a quarter of those
// held, drops the index on idhash and builds it again after, and takes
// citizens the cache's filter may hold as known.  Tests lower it.
size_t node_big_import = 100000;

static fs_err
write_chunk(node_import *im, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = node_import_pseudonymize(im, why, whycap)) != 0) {
		return (rv);
	}
	for (size_t i = 0; i < im->nrows; i++) {
		const node_row *w  = &im->rows[i];
		sqlite3_stmt   *st = im->ins;

		for (int pass = 0; pass < 2; pass++) {
			sqlite3_reset(st);
			sqlite3_bind_text(
			    st, 1, im->text + w->rid, -1, SQLITE_STATIC);
			sqlite3_bind_blob(
			    st, 2, w->idhash, FS_HASH_BYTES, SQLITE_STATIC);
			sqlite3_bind_text(
			    st, 3, w->rule->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(
			    st, 4, im->text + w->ref, -1, SQLITE_STATIC);
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
				if (pass == 0) {
					im->st.inserted++;
				} else {
					im->st.updated++;
				}
				break;
			}
			if (pass == 1) {
				snprintf(why, whycap,
				    "%s:%ld: expected each record_id once, "
				    "found "
				    "'%s' again",
				    im->name, w->line, im->text + w->rid);
				return (FS_ERR_MALFORMED);
			}
			st = im->upd;
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
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	return (FS_OK);
}

// pack appends a row's texts to the chunk's.
static fs_err
add(node_import *im, uint32_t *off, const char *s, size_t len)
{
	if (im->tlen + len + 1 > im->tcap) {
		size_t cap = im->tcap == 0 ? 1 << 20 : im->tcap * 2;
		char  *nt;

		if ((nt = realloc(im->text, cap)) == NULL) {
			return (FS_ERR_NOMEM);
		}
		im->text = nt;
		im->tcap = cap;
	}
	memcpy(im->text + im->tlen, s, len);
	im->text[im->tlen + len] = '\0';
	*off                     = (uint32_t) im->tlen;
	im->tlen += len + 1;
	return (FS_OK);
}

static fs_err
pack(node_import *im, node_row *w, const node_text *t)
{
	fs_err rv;

	if ((rv = add(im, &w->rid, t->rid, strlen(t->rid))) != 0) {
		return (rv);
	}
	return (add(im, &w->ref, t->ref, strlen(t->ref)));
}

// resolve finds, after a large import, the citizens the filter took for
// known but the cache does not hold (about 0.3% of the new ones), a
// window at a time in key order, reads their ID numbers from the file
// again and pseudonymizes them.  The query reads the index on ID hash and
// the cache side by side, both in ID-hash order, each page once.
#define RESOLVE_WINDOW FS_ISSUER_BATCH_MAX

static int
cmp_hash(const void *a, const void *b)
{
	return (memcmp(a, b, FS_HASH_BYTES));
}

static fs_err
resolve_window(node_import *im, const char *path,
    uint8_t (*miss)[FS_HASH_BYTES], size_t nmiss, char *why, size_t whycap)
{
	const char *ids[RESOLVE_WINDOW];
	uint8_t     hs[RESOLVE_WINDOW][FS_HASH_BYTES];
	char(*idbuf)[FS_IDNUM_LEN + 1] = NULL;
	bool     *seen                 = NULL;
	size_t    found                = 0;
	node_row  w;
	node_text t;
	fs_csv   *r = NULL;
	size_t    nf;
	fs_err    rv;

	if ((idbuf = sodium_malloc(nmiss * sizeof(*idbuf))) == NULL
	    || (seen = calloc(nmiss, sizeof(*seen))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	if ((rv = node_records_open(im, path, &r, why, whycap)) != 0) {
		goto out;
	}
	while ((rv = fs_csv_next(r, &nf, why, whycap)) == 0 && nf != 0) {
		uint8_t *m;

		if ((rv = node_records_check(im, r, nf, &w, &t, why, whycap))
		    != 0) {
			break;
		}
		node_idhash(im->n, w.idhash, w.id);
		m = bsearch(w.idhash, miss, nmiss, FS_HASH_BYTES, cmp_hash);
		if (m != NULL && !seen[(m - miss[0]) / FS_HASH_BYTES]) {
			seen[(m - miss[0]) / FS_HASH_BYTES] = true;
			memcpy(idbuf[found], w.id, FS_IDNUM_LEN + 1);
			memcpy(hs[found], w.idhash, FS_HASH_BYTES);
			ids[found] = idbuf[found];
			found++;
		}
	}
	sodium_memzero(&w, sizeof(w));
	fs_csv_close(r);
	im->name = NULL;
	if (rv == FS_OK && found != nmiss) {
		snprintf(why, whycap,
		    "%zu records name a citizen the cache does not hold",
		    nmiss - found);
		rv = FS_ERR_IO;
	}
	if (rv == FS_OK) {
		im->st.cached -= found;
		rv = node_import_evaluate(im, ids,
		    (const uint8_t(*)[FS_HASH_BYTES]) hs, found, why, whycap);
	}
out:
	if (idbuf != NULL) {
		sodium_free(idbuf);
	}
	free(seen);
	return (rv);
}

static fs_err
resolve(node_import *im, const char *path, char *why, size_t whycap)
{
	uint8_t(*miss)[FS_HASH_BYTES] = NULL;
	sqlite3_stmt *st              = NULL;
	fs_err        rv              = FS_OK;

	if ((miss = malloc(RESOLVE_WINDOW * FS_HASH_BYTES)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (sqlite3_prepare_v2(im->n->db,
	        "SELECT DISTINCT r.idhash FROM record r "
	        "INDEXED BY record_idhash WHERE NOT EXISTS "
	        "(SELECT 1 FROM pseudonym p WHERE p.idhash = r.idhash) "
	        "ORDER BY r.idhash LIMIT ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(im->n->db));
		free(miss);
		return (FS_ERR_IO);
	}
	for (;;) {
		size_t nmiss = 0;
		int    rc;

		sqlite3_bind_int(st, 1, RESOLVE_WINDOW);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (sqlite3_column_bytes(st, 0) == FS_HASH_BYTES) {
				memcpy(miss[nmiss++],
				    sqlite3_column_blob(st, 0), FS_HASH_BYTES);
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			snprintf(why, whycap, "%s", sqlite3_errmsg(im->n->db));
			rv = FS_ERR_IO;
		} else if (nmiss > 0) {
			rv = resolve_window(im, path, miss, nmiss, why, whycap);
		}
		if (rv != FS_OK || nmiss < RESOLVE_WINDOW) {
			break;
		}
	}
	sqlite3_finalize(st);
	free(miss);
	return (rv);
}

// write_all is the second pass, inside the transaction.
static fs_err
write_all(node_import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	fs_node  *n = im->n;
	node_text t;
	fs_csv   *r = NULL;
	size_t    nf;
	int64_t   count = 0;
	bool      rebuild;
	fs_err    rv;

	(void) node_meta_get(n, "record_count", &count);
	rebuild = im->st.records >= node_big_import
	    && im->st.records * 4 >= (uint64_t) count;
	if (rebuild
	    && ((rv = node_import_filter(im)) != FS_OK
	        || fs_db_exec(n->db, "DROP INDEX IF EXISTS record_idhash")
	            != 0)) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (rv != FS_OK ? rv : FS_ERR_IO);
	}
	if ((rv = prepare(im)) != 0) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (rv);
	}
	if ((rv = node_records_open(im, path, &r, why, whycap)) != 0) {
		return (rv);
	}
	for (;;) {
		if ((rv = fs_csv_next(r, &nf, why, whycap)) != 0) {
			break;
		}
		if (nf != 0) {
			node_row *w = &im->rows[im->nrows];

			if ((rv = node_records_check(
			         im, r, nf, w, &t, why, whycap))
			        != 0
			    || (rv = pack(im, w, &t)) != 0) {
				break;
			}
			node_idhash(n, w->idhash, w->id);
			im->nrows++;
		}
		if (im->nrows == NODE_CHUNK || (nf == 0 && im->nrows > 0)) {
			rv        = write_chunk(im, why, whycap);
			im->nrows = 0;
			im->tlen  = 0;
			if (rv != FS_OK) {
				break;
			}
			if (progress != NULL) {
				progress(arg, "writing", fs_csv_offset(r),
				    fs_csv_size(r));
			}
		}
		if (nf == 0) {
			break;
		}
	}
	fs_csv_close(r);
	im->name = NULL;
	// The index is sorted by SQLite's sorter, which may use both cores;
	// each of its tasks takes up to the page cache's size in memory.
	if (rv == FS_OK && rebuild
	    && fs_db_exec(n->db,
	           "PRAGMA threads = 2; PRAGMA cache_size = -6144; "
	           "CREATE INDEX record_idhash ON record(idhash)")
	        != FS_OK) {
		snprintf(
		    why, whycap, "cannot index: %s", sqlite3_errmsg(n->db));
		rv = FS_ERR_IO;
	}
	if (rv == FS_OK && rebuild) {
		rv = resolve(im, path, why, whycap);
	}
	if (rv == FS_OK) {
		rv = node_meta_set(
		    n, "record_count", count + (int64_t) im->st.inserted);
	}
	return (rv);
}

static fs_err
log_import(node_import *im, const char *path, bool start)
{
	sqlite3_stmt *st;
	int           rc;

	if (sqlite3_prepare_v2(im->n->db,
	        start ? "INSERT INTO import (time_ms, source, records, "
	                "inserted, updated, rules_version) "
	                "VALUES (?1, ?2, 0, 0, 0, ?3)"
	              : "UPDATE import SET records = ?4, inserted = ?5, "
	                "updated = ?6 WHERE id = ?7",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	if (start) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64) fs_now_ms());
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 3, im->n->rules.version, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(st, 4, (sqlite3_int64) im->st.records);
		sqlite3_bind_int64(st, 5, (sqlite3_int64) im->st.inserted);
		sqlite3_bind_int64(st, 6, (sqlite3_int64) im->st.updated);
		sqlite3_bind_int64(st, 7, im->id);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (start) {
		im->id = sqlite3_last_insert_rowid(im->n->db);
	}
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

fs_err
fs_node_records_import(fs_node *n, const char *path, fs_progress_fn progress,
    void *arg, fs_import_stats *st, char *why, size_t whycap)
{
	node_import im = { .n = n };
	fs_err      rv;
	char        pragma[64];

	im.now   = time(NULL);
	im.today = fs_today((int64_t) im.now);
	pthread_mutex_lock(&n->mtx);
	if ((rv = node_rules_current(n)) != 0) {
		snprintf(why, whycap,
		    rv == FS_ERR_NOT_FOUND ? "no rules imported yet: expected "
		                             "'fedscore node rules "
		                             "import' before records"
		                           : "cannot read the rules");
		goto out;
	}
	if ((rv = node_records_check_all(&im, path, progress, arg, why, whycap))
	    != 0) {
		goto out;
	}
	if ((im.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL
	    || (im.order = calloc(NODE_CHUNK, sizeof(node_key))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", CACHE_KIB);
	(void) fs_db_exec(n->db, pragma);
	if ((rv = fs_db_begin(n->db)) != 0) {
		snprintf(why, whycap, "cannot write to the database: %s",
		    sqlite3_errmsg(n->db));
		goto out;
	}
	if ((rv = log_import(&im, path, true)) != 0
	    || (rv = write_all(&im, path, progress, arg, why, whycap)) != 0
	    || (rv = log_import(&im, path, false)) != 0
	    || (rv = fs_db_commit(n->db)) != 0) {
		if (rv == FS_ERR_IO && why[0] == '\0') {
			snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		}
		fs_db_rollback(n->db);
		goto out;
	}
	(void) fs_db_exec(n->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	*st = im.st;
out:
	sqlite3_finalize(im.get);
	sqlite3_finalize(im.ins);
	sqlite3_finalize(im.upd);
	if (im.rows != NULL) {
		sodium_memzero(im.rows, NODE_CHUNK * sizeof(node_row));
	}
	free(im.rows);
	free(im.text);
	free(im.order);
	free(im.filter);
	pthread_mutex_unlock(&n->mtx);
	return (rv);
}

// SPDX-License-Identifier: Apache-2.0
//
// records.c -- importing a department's records, all or nothing.
//
// Two passes over the file.  The first checks every line (fields, ID
// number, code, dates, event reference) and touches nothing, so a bad
// file costs no evaluation at the issuer.  The second runs in one
// transaction, in chunks: it hashes each chunk's ID numbers with the
// node's key, looks them up in the cache in key order (neighbouring
// pages), pseudonymizes the misses through the issuer in batches, and
// writes the rows with prepared statements.  A record id seen twice in
// the file is caught there, by the import number it was written with.
// A large import drops the index on subject and builds it again after
// the rows are in, which is several times faster than keeping it
// (DESIGN.md); readers see the old snapshot meanwhile (WAL).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nodeimpl.h"

#define CHUNK      65536 // rows written per step
#define CACHE_KIB  16384 // SQLite page cache during an import
#define BIG_IMPORT 100000

static const char *const header[] = { "record_id", "id_number", "code",
	"event_ref", "occurred_on", "valid_until" };
#define NCOLS 6

typedef struct row {
	long           line;
	const fs_rule *rule;
	fs_day         occurred_on;
	fs_day         valid_until; // 0: from the rule
	size_t         person;      // slot in the chunk's subjects
	uint8_t        idhash[FS_HASH_BYTES];
	char           id[FS_IDNUM_LEN + 1];
	uint32_t       rid, ref, norm; // offsets in the chunk's text
	uint32_t       normlen;
} row;

// The texts of one row as check_row reads them; a chunk packs them.
typedef struct text {
	char   rid[FS_NODE_RID_MAX + 1];
	char   ref[FS_NODE_REF_MAX + 1];
	char   norm[FS_NODE_REF_MAX + 1];
	size_t normlen;
} text;

// Rows are looked up in the order of their ID hash.
typedef struct key {
	uint8_t idhash[FS_HASH_BYTES];
	size_t  i;
} key;

typedef struct import {
	fs_node    *n;
	size_t      ncols;
	const char *name; // of the file, while open
	fs_day      today;
	time_t      now;
	int64_t     id; // the import's number
	row        *rows;
	size_t      nrows;
	key        *order;
	char       *text; // the chunk's strings, packed
	size_t      tlen, tcap;
	uint8_t (*subj)[FS_PSEUDONYM_BYTES];
	uint8_t (*base)[FS_PSEUDONYM_BYTES]; // sodium_malloc'd
	sqlite3_stmt   *get, *ins, *upd;
	fs_import_stats st;
} import;

#define FAIL(...)                                                              \
	do {                                                                   \
		int n_ = snprintf(                                             \
		    why, whycap, "%s:%ld: ", fs_csv_name(r), fs_csv_line(r));  \
		if (n_ > 0 && (size_t) n_ < whycap) {                          \
			snprintf(why + n_, whycap - (size_t) n_, __VA_ARGS__); \
		}                                                              \
		return (FS_ERR_MALFORMED);                                     \
	} while (0)

static bool
rid_ok(const char *s, size_t len)
{
	if (len == 0 || len > FS_NODE_RID_MAX || s[0] == ' '
	    || s[len - 1] == ' ') {
		return (false);
	}
	return (memchr(s, '\t', len) == NULL && memchr(s, '\n', len) == NULL);
}

// check_row validates the record just read into w.
static fs_err
check_row(
    import *im, fs_csv *r, size_t nf, row *w, text *t, char *why, size_t whycap)
{
	const fs_ruleset *rs = &im->n->rules;
	const char       *f[NCOLS];
	size_t            len[NCOLS];
	char              found[NODE_FOUND_MAX], d1[11], d2[11];
	char              idwhy[FS_WHY_MAX];

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
	if (len[3] > FS_NODE_REF_MAX) {
		FAIL("expected an event_ref of at most %d bytes, found %zu",
		    FS_NODE_REF_MAX, len[3]);
	}
	memcpy(t->ref, f[3], len[3] + 1);
	if (fs_event_ref_normalize(t->norm, &t->normlen, f[3], len[3])
	    != FS_OK) {
		FAIL("expected an event_ref of UTF-8 text");
	}
	if (w->rule->shared && t->normlen == 0) {
		FAIL("expected an event_ref for code %s, which other "
		     "departments may report too (shared = 1), found %s",
		    w->rule->code, len[3] == 0 ? "an empty field" : "blanks");
	}
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

static fs_err
open_file(import *im, const char *path, fs_csv **rp, char *why, size_t whycap)
{
	fs_csv *r;
	size_t  nf;
	fs_err  rv;

	if ((rv = fs_csv_open_file(&r, path, NULL, why, whycap)) != 0) {
		return (rv);
	}
	if ((rv = fs_csv_next(r, &nf, why, whycap)) == FS_OK && nf == 0) {
		snprintf(why, whycap,
		    "%s:1: expected the header, found an "
		    "empty file",
		    fs_csv_name(r));
		rv = FS_ERR_MALFORMED;
	}
	if (rv == FS_OK) {
		rv = node_header_check(r, nf, header, NCOLS, 1, why, whycap);
	}
	if (rv != FS_OK) {
		fs_csv_close(r);
		return (rv);
	}
	im->ncols = nf;
	im->name  = fs_csv_name(r);
	*rp       = r;
	return (FS_OK);
}

// check_all is the first pass.
static fs_err
check_all(import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	fs_csv *r;
	row     w;
	text    t;
	size_t  nf;
	fs_err  rv;

	if ((rv = open_file(im, path, &r, why, whycap)) != 0) {
		return (rv);
	}
	for (;;) {
		if ((rv = fs_csv_next(r, &nf, why, whycap)) != 0 || nf == 0) {
			break;
		}
		if ((rv = check_row(im, r, nf, &w, &t, why, whycap)) != 0) {
			break;
		}
		if (++im->st.records % CHUNK == 0 && progress != NULL) {
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

static int
cmp_key(const void *a, const void *b)
{
	return (memcmp(((const key *) a)->idhash, ((const key *) b)->idhash,
	    FS_HASH_BYTES));
}

// cache_find looks one ID hash up in the cache.  A chunk's hashes come in
// ascending order, so neighbouring lookups share the cache's pages.
static bool
cache_find(import *im, const uint8_t h[static FS_HASH_BYTES],
    uint8_t subj[static FS_PSEUDONYM_BYTES],
    uint8_t base[static FS_PSEUDONYM_BYTES])
{
	bool hit;

	sqlite3_reset(im->get);
	sqlite3_bind_blob(im->get, 1, h, FS_HASH_BYTES, SQLITE_STATIC);
	hit = sqlite3_step(im->get) == SQLITE_ROW
	    && sqlite3_column_bytes(im->get, 0) == FS_PSEUDONYM_BYTES
	    && sqlite3_column_bytes(im->get, 1) == FS_PSEUDONYM_BYTES;
	if (hit) {
		memcpy(
		    subj, sqlite3_column_blob(im->get, 0), FS_PSEUDONYM_BYTES);
		memcpy(
		    base, sqlite3_column_blob(im->get, 1), FS_PSEUDONYM_BYTES);
	}
	sqlite3_reset(im->get);
	return (hit);
}

// flush pseudonymizes the misses ids (rows slot) through the issuer.
static fs_err
flush(import *im, const char **ids, const size_t *slot, size_t nmiss,
    uint8_t *y, char *why, size_t whycap)
{
	fs_issuer_client *ic;
	fs_err            rv;

	if ((rv = node_issuer(im->n, &ic)) != 0
	    || (rv = fs_issuer_pseudonyms(ic, ids, nmiss, y, why, whycap))
	        != 0) {
		return (rv);
	}
	for (size_t j = 0; j < nmiss; j++) {
		const row     *m  = &im->rows[slot[j]];
		const uint8_t *yj = y + j * FS_OPRF_OUTPUT_BYTES;

		fs_pseudonym_subject(im->subj[m->person], yj);
		fs_pseudonym_behavior_base(im->base[m->person], yj);
		if (node_cache_put_y(im->n, m->idhash, yj) != FS_OK) {
			snprintf(why, whycap, "cannot write the cache: %s",
			    sqlite3_errmsg(im->n->db));
			return (FS_ERR_IO);
		}
	}
	im->st.evaluated += nmiss;
	return (FS_OK);
}

// pseudonymize fills subj and base for every row of the chunk: from the
// cache, looked up in key order, else through the issuer in batches.
static fs_err
pseudonymize(import *im, char *why, size_t whycap)
{
	const char *ids[FS_ISSUER_BATCH_MAX];
	size_t      slot[FS_ISSUER_BATCH_MAX];
	size_t      nslots = 0, nmiss = 0;
	uint8_t    *y  = NULL;
	fs_err      rv = FS_OK;

	for (size_t i = 0; i < im->nrows; i++) {
		memcpy(im->order[i].idhash, im->rows[i].idhash, FS_HASH_BYTES);
		im->order[i].i = i;
	}
	qsort(im->order, im->nrows, sizeof(key), cmp_key);
	for (size_t k = 0; k < im->nrows && rv == FS_OK; k++) {
		row *w = &im->rows[im->order[k].i];

		if (k > 0
		    && memcmp(im->order[k - 1].idhash, w->idhash, FS_HASH_BYTES)
		        == 0) {
			w->person = im->rows[im->order[k - 1].i].person;
			continue;
		}
		w->person = nslots++;
		if (cache_find(im, w->idhash, im->subj[w->person],
		        im->base[w->person])) {
			im->st.cached++;
			continue;
		}
		if (y == NULL
		    && (y = sodium_malloc(
		            FS_ISSUER_BATCH_MAX * FS_OPRF_OUTPUT_BYTES))
		        == NULL) {
			return (FS_ERR_NOMEM);
		}
		ids[nmiss]    = w->id;
		slot[nmiss++] = im->order[k].i;
		if (nmiss == FS_ISSUER_BATCH_MAX) {
			rv    = flush(im, ids, slot, nmiss, y, why, whycap);
			nmiss = 0;
		}
	}
	if (rv == FS_OK && nmiss > 0) {
		rv = flush(im, ids, slot, nmiss, y, why, whycap);
	}
	if (y != NULL) {
		sodium_free(y);
	}
	return (rv);
}

static fs_err
write_chunk(import *im, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = pseudonymize(im, why, whycap)) != 0) {
		return (rv);
	}
	for (size_t i = 0; i < im->nrows; i++) {
		const row    *w = &im->rows[i];
		uint8_t       bkey[FS_PSEUDONYM_BYTES];
		sqlite3_stmt *st = im->ins;

		if (w->rule->shared) {
			fs_behavior_key(bkey, im->base[w->person],
			    im->text + w->norm, w->normlen);
		}
		for (int pass = 0; pass < 2; pass++) {
			sqlite3_reset(st);
			sqlite3_bind_text(
			    st, 1, im->text + w->rid, -1, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, im->subj[w->person],
			    FS_PSEUDONYM_BYTES, SQLITE_STATIC);
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
			if (w->rule->shared) {
				sqlite3_bind_blob(st, 7, bkey,
				    FS_PSEUDONYM_BYTES, SQLITE_TRANSIENT);
			} else {
				sqlite3_bind_null(st, 7);
			}
			sqlite3_bind_int64(st, 8, im->id);
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
prepare(import *im)
{
	sqlite3 *db = im->n->db;

	if (sqlite3_prepare_v2(db,
	        "SELECT subject, behavior_base FROM pseudonym WHERE idhash = ?",
	        -1, &im->get, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "INSERT INTO record (record_id, subject, code, event_ref, "
	           "occurred_on, valid_until, behavior_key, import) VALUES "
	           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	           "ON CONFLICT(record_id) DO NOTHING",
	           -1, &im->ins, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "UPDATE record SET subject = ?2, code = ?3, event_ref = ?4, "
	           "occurred_on = ?5, valid_until = ?6, behavior_key = ?7, "
	           "import = ?8 WHERE record_id = ?1 AND import <> ?8",
	           -1, &im->upd, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	return (FS_OK);
}

// pack appends a row's texts to the chunk's.
static fs_err
add(import *im, uint32_t *off, const char *s, size_t len)
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
pack(import *im, row *w, const text *t)
{
	fs_err rv;

	w->normlen = (uint32_t) t->normlen;
	if ((rv = add(im, &w->rid, t->rid, strlen(t->rid))) != 0
	    || (rv = add(im, &w->ref, t->ref, strlen(t->ref))) != 0) {
		return (rv);
	}
	return (add(im, &w->norm, t->norm, t->normlen));
}

// write_all is the second pass, inside the transaction.
static fs_err
write_all(import *im, const char *path, fs_progress_fn progress, void *arg,
    char *why, size_t whycap)
{
	fs_node *n = im->n;
	text     t;
	fs_csv  *r = NULL;
	size_t   nf;
	int64_t  count = 0;
	bool     rebuild;
	fs_err   rv;

	(void) node_meta_get(n, "record_count", &count);
	rebuild = im->st.records >= BIG_IMPORT
	    && im->st.records * 4 >= (uint64_t) count;
	if (rebuild
	    && fs_db_exec(n->db, "DROP INDEX IF EXISTS record_subject") != 0) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (FS_ERR_IO);
	}
	if ((rv = prepare(im)) != 0) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		return (rv);
	}
	if ((rv = open_file(im, path, &r, why, whycap)) != 0) {
		return (rv);
	}
	for (;;) {
		if ((rv = fs_csv_next(r, &nf, why, whycap)) != 0) {
			break;
		}
		if (nf != 0) {
			row *w = &im->rows[im->nrows];

			if ((rv = check_row(im, r, nf, w, &t, why, whycap)) != 0
			    || (rv = pack(im, w, &t)) != 0) {
				break;
			}
			node_idhash(n, w->idhash, w->id);
			im->nrows++;
		}
		if (im->nrows == CHUNK || (nf == 0 && im->nrows > 0)) {
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
	if (rv == FS_OK && rebuild
	    && fs_db_exec(
	           n->db, "CREATE INDEX record_subject ON record(subject)")
	        != FS_OK) {
		snprintf(
		    why, whycap, "cannot index: %s", sqlite3_errmsg(n->db));
		rv = FS_ERR_IO;
	}
	if (rv == FS_OK) {
		rv = node_meta_set(
		    n, "record_count", count + (int64_t) im->st.inserted);
	}
	return (rv);
}

static fs_err
log_import(import *im, const char *path, bool start)
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
import im = {.n = n };
	fs_err rv;
	char   pragma[64];

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
	if ((rv = check_all(&im, path, progress, arg, why, whycap)) != 0) {
		goto out;
	}
	if ((im.rows = calloc(CHUNK, sizeof(row))) == NULL
	    || (im.order = calloc(CHUNK, sizeof(key))) == NULL
	    || (im.subj = calloc(CHUNK, FS_PSEUDONYM_BYTES)) == NULL
	    || (im.base = sodium_malloc(CHUNK * FS_PSEUDONYM_BYTES)) == NULL) {
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
		sodium_memzero(im.rows, CHUNK * sizeof(row));
	}
	free(im.rows);
	free(im.text);
	free(im.order);
	free(im.subj);
	sodium_free(im.base);
	pthread_mutex_unlock(&n->mtx);
	return (rv);
}

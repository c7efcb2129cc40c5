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
// described above bulk_pseudonymize.  Readers see the old snapshot meanwhile
// (WAL).

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "node/node.h"
#include "node/nodeimpl.h"

#define CACHE_KIB   16384 // SQLite page cache during an import
#define HELD_SAMPLE 1024  // records read to tell a re-export

// An import of at least node_big_import records, and a quarter of those
// held, is a bulk import.  Tests lower it.
size_t node_big_import = 100000;

static fs_err
write_chunk(node_import *im, bool pseudonymize, char *why, size_t whycap)
{
	fs_err rv;

	if (pseudonymize
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
write_pseudonymized(node_import *im, char *why, size_t whycap)
{
	return (write_chunk(im, true, why, whycap));
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

// pack appends a row's texts to the chunk's.
static fs_err
add(node_chunk *c, uint32_t *off, const char *s, size_t len)
{
	if (c->tlen + len + 1 > c->tcap) {
		size_t cap = c->tcap == 0 ? 1 << 20 : c->tcap * 2;
		char  *nt;

		if ((nt = realloc(c->text, cap)) == NULL) {
			return (FS_ERR_NOMEM);
		}
		c->text = nt;
		c->tcap = cap;
	}
	memcpy(c->text + c->tlen, s, len);
	c->text[c->tlen + len] = '\0';
	*off                   = (uint32_t) c->tlen;
	c->tlen += len + 1;
	return (FS_OK);
}

static fs_err
pack(node_chunk *c, node_row *w, const node_text *t)
{
	fs_err rv;

	if ((rv = add(c, &w->rid, t->rid, strlen(t->rid))) != 0) {
		return (rv);
	}
	return (add(c, &w->ref, t->ref, strlen(t->ref)));
}

static void
chunk_free(node_chunk *c)
{
	if (c->rows != NULL) {
		sodium_memzero(c->rows, NODE_CHUNK * sizeof(node_row));
	}
	free(c->rows);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

// A large import (bulk) reads the file once: it checks each line and
// writes it, its citizen named by ID hash, without reading the cache, and
// builds the index on ID hash again after.  Only then, with the whole file
// checked, are the citizens the cache does not hold found -- one query
// over the index and the cache side by side, both in ID-hash order, each
// page read once -- and put in a Bloom filter; a second reading of the
// file pseudonymizes those through the issuer, in chunks, as a small
// import does.  Known citizens so cost no lookup at all, and a bad file
// still costs no evaluation at the issuer.
#define MISS_BITS   12 // per citizen: about 0.3% false positives
#define MISS_PROBES 8

static void
probes(const uint8_t h[static NODE_IDHASH_BYTES], uint64_t *a, uint64_t *b)
{
	// ID hashes are keyed BLAKE2b, uniform: the probes are read from
	// the hash itself (double hashing on two of its words).
	memcpy(a, h, sizeof(*a));
	memcpy(b, h + 8, sizeof(*b));
	*b |= 1;
}

static bool
filter_has(const node_import *im, const uint8_t h[static NODE_IDHASH_BYTES])
{
	uint64_t a, b;

	probes(h, &a, &b);
	for (int i = 0; i < MISS_PROBES; i++, a += b) {
		uint64_t bit = a & im->fmask;

		if ((im->filter[bit >> 6] & (UINT64_C(1) << (bit & 63))) == 0) {
			return (false);
		}
	}
	return (true);
}

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
		uint64_t a, b;

		cnt++;
		if (im->filter == NULL
		    || sqlite3_column_bytes(st, 0) != NODE_IDHASH_BYTES) {
			continue;
		}
		probes(sqlite3_column_blob(st, 0), &a, &b);
		for (int i = 0; i < MISS_PROBES; i++, a += b) {
			uint64_t bit = a & im->fmask;

			im->filter[bit >> 6] |= UINT64_C(1) << (bit & 63);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(im->n->db));
		return (FS_ERR_IO);
	}
	*count = cnt;
	return (FS_OK);
}

// Reading and writing overlap: a reader thread reads, checks and hashes
// the lines of the next chunk while the caller's thread writes the last
// one, which is where SQLite spends its time.  Chunks go one at a time
// through a slot; three buffers in all, each zeroed when freed, since
// rows carry ID numbers until written.
typedef struct reader {
	node_import    *im;
	fs_csv         *r;
	node_chunk      cur;  // the reader's, being filled
	node_chunk      slot; // full when full is set, else empty
	bool            full, done, stop;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	uint64_t        count; // records read
	fs_err          rv;    // the reader's, once done
	char            why[FS_WHY_MAX];
} reader;

// hand_over passes the reader's chunk to the writer; false when the
// writer has stopped.
static bool
hand_over(reader *rd)
{
	node_chunk tmp;
	bool       go;

	pthread_mutex_lock(&rd->mu);
	while (rd->full && !rd->stop) {
		pthread_cond_wait(&rd->cv, &rd->mu);
	}
	if ((go = !rd->stop)) {
		tmp      = rd->slot;
		rd->slot = rd->cur;
		rd->cur  = tmp;
		rd->full = true;
		pthread_cond_broadcast(&rd->cv);
	}
	pthread_mutex_unlock(&rd->mu);
	return (go);
}

static void *
read_ahead(void *arg)
{
	reader      *rd = arg;
	node_import *im = rd->im;
	node_text    t;
	size_t       nf;
	fs_err       rv;

	for (;;) {
		node_chunk *c = &rd->cur;

		if ((rv = fs_csv_next(rd->r, &nf, rd->why, sizeof(rd->why)))
		    != 0) {
			break;
		}
		if (nf != 0) {
			node_row *w = &c->rows[c->nrows];

			if ((rv = node_records_check(im, rd->r, nf, w, &t,
			         rd->why, sizeof(rd->why)))
			    != 0) {
				break;
			}
			rd->count++;
			node_idhash(im->n, w->idhash, w->id);
			if (im->filter != NULL && !filter_has(im, w->idhash)) {
				continue;
			}
			if ((rv = pack(c, w, &t)) != 0) {
				break;
			}
			c->nrows++;
		}
		if (c->nrows == NODE_CHUNK || (nf == 0 && c->nrows > 0)) {
			c->offset = fs_csv_offset(rd->r);
			if (!hand_over(rd)) {
				break;
			}
		}
		if (nf == 0) {
			break;
		}
	}
	sodium_memzero(&t, sizeof(t));
	pthread_mutex_lock(&rd->mu);
	rd->rv   = rv;
	rd->done = true;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	return (NULL);
}

// take gives the writer the next chunk in im->c; false at the end of the
// file or on the reader's error.
static bool
take(reader *rd, node_import *im)
{
	node_chunk tmp;
	bool       got;

	im->c.nrows = 0;
	im->c.tlen  = 0;
	pthread_mutex_lock(&rd->mu);
	while (!rd->full && !rd->done) {
		pthread_cond_wait(&rd->cv, &rd->mu);
	}
	if ((got = rd->full)) {
		tmp      = im->c;
		im->c    = rd->slot;
		rd->slot = tmp;
		rd->full = false;
		pthread_cond_broadcast(&rd->cv);
	}
	pthread_mutex_unlock(&rd->mu);
	return (got);
}

// read_rows reads the records of path in chunks, each line checked and
// its ID hashed; each chunk goes to fn.  When the filter is set, only the
// rows whose ID hash it may hold are kept.
static fs_err
read_rows(node_import *im, const char *path, const char *phase,
    fs_err (*fn)(node_import *, char *, size_t), fs_progress_fn progress,
    void *arg, uint64_t *nrecords, char *why, size_t whycap)
{
	reader    rd = { .im = im, .rv = FS_OK };
	pthread_t thr;
	fs_err    rv = FS_OK;

	if ((rv = node_records_open(im, path, &rd.r, why, whycap)) != 0) {
		return (rv);
	}
	if ((rd.cur.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL
	    || (rd.slot.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	pthread_mutex_init(&rd.mu, NULL);
	pthread_cond_init(&rd.cv, NULL);
	if (pthread_create(&thr, NULL, read_ahead, &rd) != 0) {
		rv = FS_ERR_NOMEM;
		goto done;
	}
	while (take(&rd, im)) {
		if ((rv = fn(im, why, whycap)) != FS_OK) {
			break;
		}
		if (progress != NULL) {
			progress(arg, phase, im->c.offset, fs_csv_size(rd.r));
		}
	}
	pthread_mutex_lock(&rd.mu);
	rd.stop = true;
	pthread_cond_broadcast(&rd.cv);
	pthread_mutex_unlock(&rd.mu);
	pthread_join(thr, NULL);
	// The writer's error comes first: it is of an earlier line.
	if (rv == FS_OK && rd.rv != FS_OK) {
		rv = rd.rv;
		snprintf(why, whycap, "%s", rd.why);
	}
	if (rv == FS_OK && rd.count == 0) {
		snprintf(why, whycap,
		    "%s:2: expected at least one record, "
		    "found the end of the file",
		    fs_csv_name(rd.r));
		rv = FS_ERR_MALFORMED;
	}
done:
	pthread_cond_destroy(&rd.cv);
	pthread_mutex_destroy(&rd.mu);
out:
	fs_csv_close(rd.r);
	im->name    = NULL;
	im->c.nrows = 0;
	im->c.tlen  = 0;
	chunk_free(&rd.cur);
	chunk_free(&rd.slot);
	sodium_memzero(rd.why, sizeof(rd.why));
	*nrecords = rd.count;
	return (rv);
}

static fs_err
write_rows(node_import *im, char *why, size_t whycap)
{
	return (write_chunk(im, false, why, whycap));
}

static fs_err
pseudonymize_rows(node_import *im, char *why, size_t whycap)
{
	return (node_import_pseudonymize(im, why, whycap));
}

// bulk_pseudonymize finds the citizens of a bulk import that the cache
// does not hold and pseudonymizes them.
static fs_err
bulk_pseudonymize(node_import *im, const char *path, fs_progress_fn progress,
    void *arg, char *why, size_t whycap)
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
	    || (rv = read_rows(im, path, "pseudonymizing", pseudonymize_rows,
	            progress, arg, &nrec, why, whycap))
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
	if ((rv = read_rows(im, path, "writing",
	         im->st.bulk ? write_rows : write_pseudonymized, progress, arg,
	         &nrec, why, whycap))
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
	    && (rv = bulk_pseudonymize(im, path, progress, arg, why, whycap))
	        != FS_OK) {
		return (rv);
	}
	return (node_meta_set(
	    n, "record_count", count + (int64_t) im->st.inserted));
}

// is_bulk tells a large import (at least node_big_import records and a
// quarter of those held) from a small one, by the lines of the file,
// before reading it properly.
static bool
is_bulk(node_import *im, const char *path, uint64_t *linesp)
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

// mostly_held tells a re-export -- the node holds at least three
// quarters as many records as the file has, and three quarters of
// records read at evenly spaced places of the file -- whose index by
// citizen is kept, as its records change citizen rarely.  A file of new
// records instead has the index dropped and sorted anew after, as
// inserting millions of entries at random places in it takes far longer
// (six times the whole import, at 2 M records).
static bool
mostly_held(node_import *im, const char *path, uint64_t records)
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
	node_import   im = { .n = n };
	uint64_t      lines;
	fs_err        rv;
	char          pragma[64];
	int           cache_was = 0;
	sqlite3_stmt *q;

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
	// The file's lines are its records and the header.
	im.st.bulk = is_bulk(&im, path, &lines);
	im.st.reindexed
	    = im.st.bulk && !mostly_held(&im, path, lines > 0 ? lines - 1 : 0);
	if (!im.st.bulk
	    && (rv = node_records_check_all(
	            &im, path, progress, arg, why, whycap))
	        != 0) {
		goto out;
	}
	if ((im.c.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL
	    || (im.order = calloc(NODE_CHUNK, sizeof(node_key))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	// The import's page cache is given back to the connection after.
	if (sqlite3_prepare_v2(n->db, "PRAGMA cache_size", -1, &q, NULL)
	    == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			cache_was = sqlite3_column_int(q, 0);
		}
		sqlite3_finalize(q);
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", CACHE_KIB);
	(void) fs_db_exec(n->db, pragma);
	if ((rv = fs_db_begin(n->db)) != 0) {
		snprintf(why, whycap, "cannot write to the database: %s",
		    sqlite3_errmsg(n->db));
		goto out;
	}
	rv = log_import(&im, path, true);
	if (rv == FS_OK) {
		rv = write_all(&im, path, progress, arg, why, whycap);
	}
	if (rv == FS_OK) {
		rv = log_import(&im, path, false);
	}
	if (rv == FS_OK && progress != NULL && im.st.bulk) {
		progress(arg, "committing", 0, 1);
	}
	if (rv == FS_OK && (rv = fs_db_commit(n->db)) == FS_OK
	    && progress != NULL && im.st.bulk) {
		progress(arg, "committing", 1, 1);
	}
	if (rv != FS_OK) {
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
	sqlite3_finalize(im.same);
	chunk_free(&im.c);
	free(im.order);
	free(im.filter);
	if (cache_was != 0) {
		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = %d",
		    cache_was);
		(void) fs_db_exec(n->db, pragma);
	}
	pthread_mutex_unlock(&n->mtx);
	return (rv);
}

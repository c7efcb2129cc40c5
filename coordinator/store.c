// SPDX-License-Identifier: Apache-2.0
//
// store.c -- the coordinator's SQLite state: request nonces, consent
// uses, admissions, disclosures and the log's tree.
//
// Admission is written ahead.  Before any node is asked, one committed
// transaction spends the request's nonce and one use of the consent (in
// one statement that cannot pass the maximum, so two lookups at once
// cannot both take the last use) and records the lookup as the log would
// hold it if it were interrupted.  The outcome -- a disclosure, or a
// refusal -- replaces that record in the transaction that appends it to
// the log.  A coordinator that stops in between never gives the use back:
// when it opens the database again, every admission left becomes an
// "interrupted" entry of the log, which names the requests the nodes may
// have answered (docs/log.md).

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

#include "common/b64.h"
#include "common/db.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/token.h"

// The admission of a lookup in progress: the columns of its disclosure,
// with the entry the log takes if the lookup is interrupted.
#define ADMISSION                                                              \
	"CREATE TABLE admission ("                                             \
	"  request_id BLOB PRIMARY KEY,"                                       \
	"  time_ms INTEGER NOT NULL, requester TEXT NOT NULL,"                 \
	"  purpose TEXT NOT NULL, scope TEXT NOT NULL,"                        \
	"  subject BLOB NOT NULL, nonce BLOB NOT NULL, consent TEXT NOT NULL," \
	"  entry TEXT NOT NULL);"

static const char schema[]
    = "CREATE TABLE request_nonce ("
      "  kid BLOB NOT NULL, jti TEXT NOT NULL, expires_ms INTEGER NOT NULL,"
      "  PRIMARY KEY (kid, jti));"
      "CREATE TABLE consent_use ("
      "  jti TEXT PRIMARY KEY, used INTEGER NOT NULL, max INTEGER NOT NULL);"
      "CREATE TABLE disclosure ("
      "  idx INTEGER PRIMARY KEY,"
      "  time_ms INTEGER NOT NULL, requester TEXT NOT NULL,"
      "  purpose TEXT NOT NULL, scope TEXT NOT NULL,"
      "  subject BLOB NOT NULL, salt BLOB NOT NULL, consent TEXT NOT NULL,"
      "  entry TEXT NOT NULL, nonce BLOB);"
      "CREATE INDEX disclosure_subject ON disclosure (subject);"
      // Every complete subtree hash of the disclosure log, by tree level
      // and index (level 0: leaf hashes): proofs and tiles read them.
      "CREATE TABLE log_hash ("
      "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
      "  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
      "CREATE TABLE checkpoint ("
      "  size INTEGER PRIMARY KEY, note TEXT NOT NULL);"
      // The size of the last checkpoint each witness cosigned.
      "CREATE TABLE witness (node TEXT PRIMARY KEY, size INTEGER NOT "
      "NULL);" ADMISSION;

// Version 1 held admissions in memory only.
// Version 2: log entries commit under a salt derived from the log key
// and a nonce the row keeps (wire/logcommit.h), never the salt itself:
// salt is then empty.  Version 3: admissions are written ahead.
static const char *const upgrades[] = {
	"ALTER TABLE disclosure ADD COLUMN nonce BLOB;",
	ADMISSION,
};

fs_err
coord_store_open(fs_coord *c, const char *path, char *why, size_t whycap)
{
	const fs_db_schema s
	    = { .create = schema, .version = 3, .upgrade = upgrades };
	fs_err rv;

	if ((rv = fs_db_open_schema(&c->db, path, &s, why, whycap)) != FS_OK) {
		return (rv);
	}
	// An admission is acted on as soon as it commits: it must be on disk
	// by then, WAL or not.
	if (fs_db_exec(c->db, "PRAGMA synchronous=FULL") != FS_OK) {
		snprintf(why, whycap, "%s: %s", path, sqlite3_errmsg(c->db));
		return (FS_ERR_IO);
	}
	return (FS_OK);
}

// stmt returns the statement for sql, prepared once per slot and kept:
// lookups run these on every request.  The caller holds dbmtx and resets
// the statement after use.
static sqlite3_stmt *
stmt(fs_coord *c, coord_stmt slot, const char *sql)
{
	if (c->stmts[slot] == NULL
	    && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	           &c->stmts[slot], NULL)
	        != SQLITE_OK) {
		return (NULL);
	}
	return (c->stmts[slot]);
}

// step runs st once and resets it: SQLITE_DONE, or what went wrong.
static int
step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return (rc);
}

// spend_nonce records a's request nonce, or refuses one seen before;
// nonces too old to pass the freshness check go.
static fs_err
spend_nonce(fs_coord *c, const coord_admission *a)
{
	sqlite3_stmt *st;
	int           rc;

	if ((st = stmt(c, ST_NONCE_EXPIRE,
	         "DELETE FROM request_nonce WHERE expires_ms < ?"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) fs_now_ms());
	if (step(st) != SQLITE_DONE) {
		return (FS_ERR_IO);
	}
	if ((st = stmt(c, ST_NONCE_ADD,
	         "INSERT INTO request_nonce (kid, jti, expires_ms) VALUES "
	         "(?,?,?)"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(st, 1, a->kid, FS_KID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->req_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->req_exp_ms);
	rc = step(st);
	if (rc != SQLITE_DONE) {
		return (rc == SQLITE_CONSTRAINT ? FS_ERR_REPLAYED : FS_ERR_IO);
	}
	return (FS_OK);
}

// spend_use counts one use of a's consent, or refuses one without uses
// left: the WHERE holds the count at the consent's maximum.
static fs_err
spend_use(fs_coord *c, const coord_admission *a)
{
	sqlite3_stmt *st;

	if ((st = stmt(c, ST_USE,
	         "INSERT INTO consent_use (jti, used, max) VALUES (?, 1, ?) "
	         "ON CONFLICT (jti) DO UPDATE SET used = used + 1 "
	         "WHERE used < max"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_text(st, 1, a->consent_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->max_uses);
	if (step(st) != SQLITE_DONE) {
		return (FS_ERR_IO);
	}
	return (sqlite3_changes(c->db) == 1 ? FS_OK : FS_ERR_USED_UP);
}

// bind_disclosure binds d to the 8 columns of a disclosure after the
// first (its index, or an admission's request id).
static void
bind_disclosure(sqlite3_stmt *st, const coord_disclosure *d)
{
	sqlite3_bind_int64(st, 2, d->time_ms);
	sqlite3_bind_text(st, 3, d->requester, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->scope, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, d->subject, FS_SUBJECT_BYTES, SQLITE_STATIC);
	// The salt of an entry is never stored: its nonce is.
	sqlite3_bind_blob(st, 7, d->nonce, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, d->consent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, d->entry, -1, SQLITE_STATIC);
}

// in_tx runs fn in one transaction under dbmtx, and commits it (fsync'd)
// when fn succeeds; on failure the log's tree is put back as it was.
static fs_err
in_tx(fs_coord *c, fs_err (*fn)(fs_coord *, void *), void *arg)
{
	fs_merkle_state saved;
	fs_err          rv = FS_ERR_IO;

	pthread_mutex_lock(&c->dbmtx);
	saved = c->mst;
	if (fs_db_begin(c->db) == FS_OK) {
		if ((rv = fn(c, arg)) == FS_OK
		    && (rv = fs_db_commit(c->db)) == FS_OK) {
			pthread_mutex_unlock(&c->dbmtx);
			return (FS_OK);
		}
		fs_db_rollback(c->db);
	}
	c->mst = saved;
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

static fs_err
admit_tx(fs_coord *c, void *arg)
{
	coord_admission *a = arg;
	sqlite3_stmt    *st;
	fs_err           rv;

	if ((rv = spend_nonce(c, a)) != FS_OK
	    || (rv = spend_use(c, a)) != FS_OK) {
		return (rv);
	}
	if ((st = stmt(c, ST_ADMIT,
	         "INSERT INTO admission (request_id, time_ms, requester, "
	         "purpose, scope, subject, nonce, consent, entry) "
	         "VALUES (?,?,?,?,?,?,?,?,?)"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(
	    st, 1, a->request_id, sizeof(a->request_id), SQLITE_STATIC);
	bind_disclosure(st, &a->pending);
	return (step(st) == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

fs_err
coord_store_admit(fs_coord *c, coord_admission *a)
{
	fs_err rv = in_tx(c, admit_tx, a);

	a->active = rv == FS_OK;
	return (rv);
}

fs_err
coord_log_get(void *arg, uint64_t level, uint64_t index, uint8_t out[32])
{
	fs_coord *c  = arg;
	fs_err    rv = FS_ERR_NOT_FOUND;

	// Proofs read many hashes: the statement is prepared once, and used
	// under dbmtx only.
	if (c->log_get == NULL
	    && sqlite3_prepare_v3(c->db,
	           "SELECT hash FROM log_hash WHERE level = ? AND idx = ?", -1,
	           SQLITE_PREPARE_PERSISTENT, &c->log_get, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(c->log_get, 1, (sqlite3_int64) level);
	sqlite3_bind_int64(c->log_get, 2, (sqlite3_int64) index);
	if (sqlite3_step(c->log_get) == SQLITE_ROW
	    && sqlite3_column_bytes(c->log_get, 0) == 32) {
		memcpy(out, sqlite3_column_blob(c->log_get, 0), 32);
		rv = FS_OK;
	}
	sqlite3_reset(c->log_get);
	return (rv);
}

static fs_err
log_put(void *arg, uint64_t level, uint64_t index, const uint8_t hash[32])
{
	sqlite3_stmt *st = arg;
	int           rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64) level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) index);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

fs_err
coord_store_log_load(fs_coord *c)
{
	sqlite3_stmt *st;
	uint64_t      size = 0;
	fs_err        rv;

	if (sqlite3_prepare_v2(
	        c->db, "SELECT count(*) FROM disclosure", -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		size = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	pthread_mutex_lock(&c->dbmtx);
	rv = fs_merkle_state_load(&c->mst, size, coord_log_get, c);
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

// append appends d to the log as its next entry, the tree with it, and
// stores its index; the caller holds dbmtx in a transaction.
static fs_err
append(fs_coord *c, const coord_disclosure *d, int64_t *indexp)
{
	sqlite3_stmt *ins, *put;
	uint8_t       leaf[FS_MERKLE_HASH_BYTES];
	int64_t       index = (int64_t) c->mst.size;
	fs_err        rv;

	if ((ins = stmt(c, ST_DISCLOSE,
	         "INSERT INTO disclosure (idx, time_ms, requester, purpose, "
	         "scope, subject, nonce, consent, entry, salt) "
	         "VALUES (?,?,?,?,?,?,?,?,?,?)"))
	        == NULL
	    || (put = stmt(c, ST_LOG_PUT,
	            "INSERT INTO log_hash (level, idx, hash) VALUES (?,?,?)"))
	        == NULL) {
		return (FS_ERR_IO);
	}
	// The disclosure's index is its position in the log: the rows and
	// the tree grow together, in one transaction.
	sqlite3_bind_int64(ins, 1, index);
	bind_disclosure(ins, d);
	sqlite3_bind_blob(ins, 10, "", 0, SQLITE_STATIC); // salt: never stored
	if (step(ins) != SQLITE_DONE) {
		return (FS_ERR_IO);
	}
	fs_merkle_leaf_hash(leaf, (const uint8_t *) d->entry, strlen(d->entry));
	rv = fs_merkle_state_append(&c->mst, leaf, log_put, put);
	sqlite3_reset(put);
	*indexp = index;
	return (rv);
}

typedef struct disclosing {
	coord_admission        *a; // the admission the disclosures end
	const coord_disclosure *d;
	size_t                  n;
	int64_t                *indexes;
} disclosing;

static fs_err
disclose_tx(fs_coord *c, void *arg)
{
	disclosing   *x = arg;
	sqlite3_stmt *st;
	fs_err        rv = FS_OK;

	for (size_t i = 0; rv == FS_OK && i < x->n; i++) {
		rv = append(c, &x->d[i], &x->indexes[i]);
	}
	if (rv != FS_OK || x->a == NULL) {
		return (rv);
	}
	if ((st = stmt(
	         c, ST_ADMITTED, "DELETE FROM admission WHERE request_id = ?"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(
	    st, 1, x->a->request_id, sizeof(x->a->request_id), SQLITE_STATIC);
	if (step(st) != SQLITE_DONE) {
		return (FS_ERR_IO);
	}
	// An admission already logged as interrupted cannot end twice.
	return (sqlite3_changes(c->db) == 1 ? FS_OK : FS_ERR_NOT_FOUND);
}

fs_err
coord_store_disclose(
    fs_coord *c, const coord_disclosure *d, size_t n, int64_t *indexes)
{
	disclosing x = { .d = d, .n = n, .indexes = indexes };

	return (in_tx(c, disclose_tx, &x));
}

fs_err
coord_store_finish(
    fs_coord *c, coord_admission *a, const coord_disclosure *d, int64_t *indexp)
{
	disclosing x = { .a = a, .d = d, .n = 1, .indexes = indexp };
	fs_err     rv;

	if ((rv = in_tx(c, disclose_tx, &x)) == FS_OK) {
		a->active = false;
	}
	return (rv);
}

// row reads an admission (request_id, then the columns of a disclosure)
// as the disclosure its lookup leaves when interrupted; its strings point
// into the statement's row.
static bool
row(sqlite3_stmt *st, coord_disclosure *d, uint8_t id[static 16])
{
	if (sqlite3_column_bytes(st, 0) != 16
	    || sqlite3_column_bytes(st, 5) != FS_SUBJECT_BYTES
	    || sqlite3_column_bytes(st, 6) != 16
	    || sqlite3_column_text(st, 2) == NULL
	    || sqlite3_column_text(st, 3) == NULL
	    || sqlite3_column_text(st, 4) == NULL
	    || sqlite3_column_text(st, 7) == NULL
	    || sqlite3_column_text(st, 8) == NULL) {
		return (false);
	}
	memcpy(id, sqlite3_column_blob(st, 0), 16);
	d->time_ms   = sqlite3_column_int64(st, 1);
	d->requester = (const char *) sqlite3_column_text(st, 2);
	d->purpose   = (const char *) sqlite3_column_text(st, 3);
	d->scope     = (const char *) sqlite3_column_text(st, 4);
	memcpy(d->subject, sqlite3_column_blob(st, 5), FS_SUBJECT_BYTES);
	memcpy(d->nonce, sqlite3_column_blob(st, 6), 16);
	d->consent = (const char *) sqlite3_column_text(st, 7);
	d->entry   = (const char *) sqlite3_column_text(st, 8);
	return (true);
}

// recover_tx appends every admission left, in the order they were made,
// as the interrupted entry it holds, and removes them.
static fs_err
recover_tx(fs_coord *c, void *arg)
{
	size_t       *n = arg;
	sqlite3_stmt *st;
	fs_err        rv = FS_OK;
	int           rc;

	if (sqlite3_prepare_v2(c->db,
	        "SELECT request_id, time_ms, requester, purpose, scope, "
	        "subject, nonce, consent, entry FROM admission ORDER BY rowid",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	while (rv == FS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		coord_disclosure d;
		uint8_t          id[16];
		char             id64[32], t[FS_TIME_LEN + 1];
		int64_t          index;

		if (!row(st, &d, id)) {
			rv = FS_ERR_MALFORMED;
		} else if ((rv = append(c, &d, &index)) == FS_OK) {
			fs_b64_encode(id64, id, sizeof(id));
			fs_time_format(t, d.time_ms / 1000);
			fs_log(FS_LOG_WARN, "coordinator",
			    "lookup %s by %s, admitted at %s, was interrupted "
			    "by a stop: logged as entry %lld",
			    id64, d.requester, t, (long long) index);
			(*n)++;
		}
	}
	if (rv == FS_OK && rc != SQLITE_DONE) {
		rv = FS_ERR_IO;
	}
	sqlite3_finalize(st);
	if (rv == FS_OK) {
		rv = fs_db_exec(c->db, "DELETE FROM admission");
	}
	return (rv);
}

fs_err
coord_store_recover(fs_coord *c, char *why, size_t whycap)
{
	size_t n = 0;
	fs_err rv;

	if ((rv = in_tx(c, recover_tx, &n)) != FS_OK) {
		snprintf(why, whycap,
		    "cannot log the lookups a stop interrupted: %s (%s)",
		    fs_strerror(rv), sqlite3_errmsg(c->db));
	} else if (n > 0) {
		fs_log(FS_LOG_WARN, "coordinator",
		    "%zu interrupted lookup%s logged; their consent uses stay "
		    "spent",
		    n, n == 1 ? "" : "s");
	}
	return (rv);
}

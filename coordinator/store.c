// SPDX-License-Identifier: Apache-2.0
//
// store.c -- the coordinator's SQLite state: request nonces, consent
// uses, disclosures.
//
// Uses are counted in one statement that cannot pass the maximum, in the
// same transaction as the request's nonce, so a replayed request and a
// used-up consent are refused across restarts, and two lookups at once
// cannot both take the last use.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

#include "common/db.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/token.h"

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
      "CREATE TABLE witness (node TEXT PRIMARY KEY, size INTEGER NOT NULL);";

// Version 2: log entries commit under a salt derived from the log key
// and a nonce the row keeps (wire/logcommit.h); salt is then empty.
static const char *const upgrade[] = {
	"ALTER TABLE disclosure ADD COLUMN nonce BLOB;",
};

fs_err
coord_store_open(fs_coord *c, const char *path, char *why, size_t whycap)
{
	const fs_db_schema s
	    = { .create = schema, .version = 2, .upgrade = upgrade };

	return (fs_db_open_schema(&c->db, path, &s, why, whycap));
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

static bool
same_request(const coord_admission *x, const coord_admission *y)
{
	return (sodium_memcmp(x->kid, y->kid, FS_KID_BYTES) == 0
	    && strcmp(x->req_jti, y->req_jti) == 0);
}

fs_err
coord_store_admit(fs_coord *c, coord_admission *a)
{
	sqlite3_stmt *st;
	int64_t       used      = 0;
	int           free_slot = -1, rc;
	fs_err        rv        = FS_OK;

	pthread_mutex_lock(&c->dbmtx);
	for (int i = 0; i < INFLIGHT_MAX; i++) {
		coord_admission *b = c->inflight[i];

		if (b == NULL) {
			free_slot = free_slot < 0 ? i : free_slot;
		} else if (same_request(a, b)) {
			rv = FS_ERR_REPLAYED;
		} else if (strcmp(a->consent_jti, b->consent_jti) == 0) {
			used++;
		}
	}
	if (rv == FS_OK && free_slot < 0) {
		rv = FS_ERR_TOO_LARGE;
	}
	if (rv == FS_OK
	    && (st = stmt(c, ST_NONCE_SEEN,
	            "SELECT 1 FROM request_nonce WHERE kid = ? AND jti = ?"))
	        != NULL) {
		sqlite3_bind_blob(st, 1, a->kid, FS_KID_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a->req_jti, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		rv = rc == SQLITE_ROW   ? FS_ERR_REPLAYED
		    : rc == SQLITE_DONE ? FS_OK
		                        : FS_ERR_IO;
	}
	if (rv == FS_OK
	    && (st = stmt(
	            c, ST_USED, "SELECT used FROM consent_use WHERE jti = ?"))
	        != NULL) {
		sqlite3_bind_text(st, 1, a->consent_jti, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			used += sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
		if (used >= (int64_t) a->max_uses) {
			rv = FS_ERR_USED_UP;
		}
	}
	if (rv == FS_OK) {
		a->active              = true;
		c->inflight[free_slot] = a;
	}
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

// forget removes a from the admissions in flight; the caller holds dbmtx.
static void
forget(fs_coord *c, coord_admission *a)
{
	for (int i = 0; i < INFLIGHT_MAX; i++) {
		if (c->inflight[i] == a) {
			c->inflight[i] = NULL;
		}
	}
	a->active = false;
}

void
coord_store_release(fs_coord *c, coord_admission *a)
{
	pthread_mutex_lock(&c->dbmtx);
	forget(c, a);
	pthread_mutex_unlock(&c->dbmtx);
}

// commit_admission writes a's nonce and use inside the open transaction.
static fs_err
commit_admission(fs_coord *c, const coord_admission *a)
{
	sqlite3_stmt *st;
	int           rc;

	// Old nonces can go: their requests fail the freshness check.
	if ((st = stmt(c, ST_NONCE_EXPIRE,
	         "DELETE FROM request_nonce WHERE expires_ms < ?"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) fs_now_ms());
	sqlite3_step(st);
	sqlite3_reset(st);
	if ((st = stmt(c, ST_NONCE_ADD,
	         "INSERT INTO request_nonce (kid, jti, expires_ms) VALUES "
	         "(?,?,?)"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(st, 1, a->kid, FS_KID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->req_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->req_exp_ms);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		return (rc == SQLITE_CONSTRAINT ? FS_ERR_REPLAYED : FS_ERR_IO);
	}
	// The WHERE holds the count at the consent's maximum, whatever else
	// happened since the admission.
	if ((st = stmt(c, ST_USE,
	         "INSERT INTO consent_use (jti, used, max) VALUES (?, 1, ?) "
	         "ON CONFLICT (jti) DO UPDATE SET used = used + 1 "
	         "WHERE used < max"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_text(st, 1, a->consent_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->max_uses);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		return (FS_ERR_IO);
	}
	return (sqlite3_changes(c->db) == 1 ? FS_OK : FS_ERR_USED_UP);
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

// disclose appends n disclosures (n may be 0) and commits, with the
// admission a when not NULL, in one transaction.
static fs_err
disclose(fs_coord *c, coord_admission *a, const coord_disclosure *d, size_t n,
    int64_t *indexes)
{
	sqlite3_stmt   *ins = NULL, *put = NULL;
	fs_merkle_state saved;
	fs_err          rv = FS_ERR_IO;

	pthread_mutex_lock(&c->dbmtx);
	saved = c->mst;
	if (a != NULL) {
		forget(c, a);
	}
	if (fs_db_begin(c->db) != FS_OK) {
		goto out;
	}
	if (a != NULL && (rv = commit_admission(c, a)) != FS_OK) {
		goto fail;
	}
	rv = FS_ERR_IO;
	if ((ins = stmt(c, ST_DISCLOSE,
	         "INSERT INTO disclosure (idx, time_ms, requester, purpose, "
	         "scope, subject, salt, consent, entry, nonce) "
	         "VALUES (?,?,?,?,?,?,?,?,?,?)"))
	        == NULL
	    || (put = stmt(c, ST_LOG_PUT,
	            "INSERT INTO log_hash (level, idx, hash) VALUES (?,?,?)"))
	        == NULL) {
		goto fail;
	}
	// The disclosure's index is its position in the log: the rows and
	// the tree grow together, in one transaction.
	for (size_t i = 0; i < n; i++) {
		uint8_t leaf[FS_MERKLE_HASH_BYTES];
		int64_t index = (int64_t) c->mst.size;

		sqlite3_bind_int64(ins, 1, index);
		sqlite3_bind_int64(ins, 2, d[i].time_ms);
		sqlite3_bind_text(ins, 3, d[i].requester, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, d[i].purpose, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, d[i].scope, -1, SQLITE_STATIC);
		sqlite3_bind_blob(
		    ins, 6, d[i].subject, FS_SUBJECT_BYTES, SQLITE_STATIC);
		// The salt of a new entry is never stored: its nonce is.
		sqlite3_bind_blob(ins, 7, "", 0, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 10, d[i].nonce, 16, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, d[i].consent, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 9, d[i].entry, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			goto fail;
		}
		sqlite3_reset(ins);
		fs_merkle_leaf_hash(
		    leaf, (const uint8_t *) d[i].entry, strlen(d[i].entry));
		if (fs_merkle_state_append(&c->mst, leaf, log_put, put)
		    != FS_OK) {
			goto fail;
		}
		indexes[i] = index;
	}
	sqlite3_reset(ins);
	sqlite3_reset(put);
	if (fs_db_commit(c->db) != FS_OK) {
		goto fail;
	}
	rv = FS_OK;
	goto out;
fail:
	if (ins != NULL) {
		sqlite3_reset(ins);
	}
	if (put != NULL) {
		sqlite3_reset(put);
	}
	fs_db_rollback(c->db);
	c->mst = saved;
out:
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

fs_err
coord_store_disclose(
    fs_coord *c, const coord_disclosure *d, size_t n, int64_t *indexes)
{
	return (disclose(c, NULL, d, n, indexes));
}

fs_err
coord_store_finish(
    fs_coord *c, coord_admission *a, const coord_disclosure *d, int64_t *indexp)
{
	int64_t dummy;

	return (disclose(
	    c, a, d, d != NULL ? 1 : 0, indexp != NULL ? indexp : &dummy));
}

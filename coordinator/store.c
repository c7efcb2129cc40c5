// SPDX-License-Identifier: Apache-2.0
//
// store.c -- the coordinator's SQLite state: request nonces, consent
// uses, disclosures.
//
// Uses are counted in one statement that cannot pass the maximum, in the
// same transaction as the request's nonce, so a replayed request and a
// used-up consent are refused across restarts, and two lookups at once
// cannot both take the last use.

#include <stdio.h>
#include <string.h>

#include "coordimpl.h"

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
      "  entry TEXT NOT NULL);"
      "CREATE INDEX disclosure_subject ON disclosure (subject);"
      // Every complete subtree hash of the disclosure log, by tree level
      // and index (level 0: leaf hashes): proofs and tiles read them.
      "CREATE TABLE log_hash ("
      "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
      "  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
      "CREATE TABLE checkpoint ("
      "  size INTEGER PRIMARY KEY, note TEXT NOT NULL);";

fs_err
coord_store_open(fs_coord *c, const char *path, char *why, size_t whycap)
{
	return (fs_db_open(&c->db, path, schema, 1, why, whycap));
}

fs_err
coord_store_admit(fs_coord *c, const uint8_t kid[static FS_KID_BYTES],
    const char *req_jti, int64_t req_exp_ms, const char *consent_jti,
    uint32_t max_uses, uint32_t *used)
{
	sqlite3_stmt *st  = NULL;
	int64_t       now = (int64_t) fs_now_ms();
	fs_err        rv  = FS_ERR_IO;
	int           rc;

	pthread_mutex_lock(&c->dbmtx);
	if (fs_db_begin(c->db) != FS_OK) {
		goto out;
	}
	// Old nonces can go: their requests fail the freshness check.
	if (sqlite3_prepare_v2(c->db,
	        "DELETE FROM request_nonce WHERE expires_ms < ?", -1, &st, NULL)
	    != SQLITE_OK) {
		goto fail;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c->db,
	        "INSERT INTO request_nonce (kid, jti, expires_ms) VALUES "
	        "(?,?,?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		goto fail;
	}
	sqlite3_bind_blob(st, 1, kid, FS_KID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, req_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, req_exp_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT) {
		rv = FS_ERR_REPLAYED;
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		goto fail;
	}
	if (sqlite3_prepare_v2(c->db,
	        "INSERT INTO consent_use (jti, used, max) VALUES (?, 1, ?) "
	        "ON CONFLICT (jti) DO UPDATE SET used = used + 1 "
	        "WHERE used < max RETURNING used",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		goto fail;
	}
	sqlite3_bind_text(st, 1, consent_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, max_uses);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*used = (uint32_t) sqlite3_column_int64(st, 0);
		rc    = sqlite3_step(st);
	} else if (rc == SQLITE_DONE) {
		// The WHERE of the upsert held nothing back: no use left.
		sqlite3_finalize(st);
		rv = FS_ERR_USED_UP;
		goto fail;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || fs_db_commit(c->db) != FS_OK) {
		goto fail;
	}
	rv = FS_OK;
	goto out;
fail:
	fs_db_rollback(c->db);
out:
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

fs_err
coord_log_get(void *arg, uint64_t level, uint64_t index, uint8_t out[32])
{
	fs_coord     *c = arg;
	sqlite3_stmt *st;
	fs_err        rv = FS_ERR_NOT_FOUND;

	if (sqlite3_prepare_v2(c->db,
	        "SELECT hash FROM log_hash WHERE level = ? AND idx = ?", -1,
	        &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) index);
	if (sqlite3_step(st) == SQLITE_ROW
	    && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		rv = FS_OK;
	}
	sqlite3_finalize(st);
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

fs_err
coord_store_disclose(
    fs_coord *c, const coord_disclosure *d, size_t n, int64_t *indexes)
{
	sqlite3_stmt   *ins = NULL, *put = NULL;
	fs_merkle_state saved;
	fs_err          rv = FS_ERR_IO;

	pthread_mutex_lock(&c->dbmtx);
	saved = c->mst;
	if (fs_db_begin(c->db) != FS_OK
	    || sqlite3_prepare_v2(c->db,
	           "INSERT INTO disclosure (idx, time_ms, requester, purpose, "
	           "scope, subject, salt, consent, entry) "
	           "VALUES (?,?,?,?,?,?,?,?,?)",
	           -1, &ins, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(c->db,
	           "INSERT INTO log_hash (level, idx, hash) VALUES (?,?,?)", -1,
	           &put, NULL)
	        != SQLITE_OK) {
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
		sqlite3_bind_blob(ins, 7, d[i].salt, 16, SQLITE_STATIC);
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
	sqlite3_finalize(ins);
	sqlite3_finalize(put);
	ins = put = NULL;
	if (fs_db_commit(c->db) != FS_OK) {
		goto fail;
	}
	rv = FS_OK;
	goto out;
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(put);
	fs_db_rollback(c->db);
	c->mst = saved;
out:
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

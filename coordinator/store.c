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
      "CREATE INDEX disclosure_subject ON disclosure (subject);";

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
coord_store_disclose(fs_coord *c, const coord_disclosure *d, int64_t *indexp)
{
	sqlite3_stmt *st;
	fs_err        rv = FS_ERR_IO;

	pthread_mutex_lock(&c->dbmtx);
	if (sqlite3_prepare_v2(c->db,
	        "INSERT INTO disclosure (time_ms, requester, purpose, scope, "
	        "subject, salt, consent, entry) VALUES (?,?,?,?,?,?,?,?)",
	        -1, &st, NULL)
	    == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->time_ms);
		sqlite3_bind_text(st, 2, d->requester, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, d->purpose, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, d->scope, -1, SQLITE_STATIC);
		sqlite3_bind_blob(
		    st, 5, d->subject, FS_SUBJECT_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, d->salt, 16, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, d->consent, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, d->entry, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE) {
			// Log indexes start at 0, SQLite rowids at 1.
			*indexp = sqlite3_last_insert_rowid(c->db) - 1;
			rv      = FS_OK;
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&c->dbmtx);
	return (rv);
}

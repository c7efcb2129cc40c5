// SPDX-License-Identifier: Apache-2.0
//
// store.c -- the issuer's SQLite state: registered parties, consent
// grants, revocations and the log of evaluation batches.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "issuer/issuer.h"
#include "issuer/issuerimpl.h"
#include "wire/revocations.h"

// Grants hold the subject pseudonym, never the ID number.  Revocations
// are numbered: the list's sequence number is the highest rowid.
static const char schema[]
    = "CREATE TABLE party ("
      "  kid BLOB PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      "  pk BLOB NOT NULL, role INTEGER NOT NULL,"
      "  registered_ms INTEGER NOT NULL);"
      "CREATE TABLE grant_ ("
      "  jti TEXT PRIMARY KEY, subject BLOB NOT NULL, requester TEXT NOT NULL,"
      "  purpose TEXT NOT NULL, scope TEXT NOT NULL, uses INTEGER NOT NULL,"
      "  issued_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);"
      "CREATE TABLE revocation ("
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  jti TEXT NOT NULL UNIQUE REFERENCES grant_(jti),"
      "  revoked_ms INTEGER NOT NULL);"
      "CREATE TABLE eval_log ("
      "  time_ms INTEGER NOT NULL, kid BLOB NOT NULL, count INTEGER NOT NULL);";

fs_err
issuer_store_open(fs_issuer *iss, const char *path, char *why, size_t whycap)
{
	return (fs_db_open(&iss->db, path, schema, 1, why, whycap));
}

fs_err
issuer_store_party(fs_issuer *iss, const uint8_t kid[static FS_KID_BYTES],
    fs_pubkey *pub, fs_role *role, char name[static FS_NAME_MAX + 1])
{
	sqlite3_stmt *st;
	fs_err        rv = FS_ERR_UNREGISTERED;

	if (fs_db_prepare(iss->db, &st,
	        "SELECT pk, role, name FROM party WHERE kid = ?", NULL, 0)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(st, 1, kid, FS_KID_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW
	    && sqlite3_column_bytes(st, 0) == FS_PK_BYTES) {
		rv = fs_pubkey_init(
		    pub, sqlite3_column_blob(st, 0), FS_PK_BYTES);
		*role = (fs_role) sqlite3_column_int(st, 1);
		snprintf(name, FS_NAME_MAX + 1, "%s",
		    (const char *) sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return (rv);
}

fs_err
fs_issuer_register(fs_issuer *iss, const char *name, fs_role role,
    const fs_pubkey *pub, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	int           rc;
	fs_err        rv;

	if (strlen(name) == 0 || strlen(name) > FS_NAME_MAX) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "expected a name of 1 to %d bytes, found %zu", FS_NAME_MAX,
		    strlen(name)));
	}
	if ((rv = fs_db_prepare(iss->db, &st,
	         "INSERT INTO party (kid, name, pk, role, registered_ms) "
	         "VALUES (?, ?, ?, ?, ?)",
	         why, whycap))
	    != FS_OK) {
		return (rv);
	}
	sqlite3_bind_blob(st, 1, pub->kid, FS_KID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pub->pk, FS_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int) role);
	sqlite3_bind_int64(st, 5, (sqlite3_int64) fs_now_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT) {
		return (fs_why(why, whycap, FS_ERR_EXISTS,
		    "a party with this name or key is already registered"));
	}
	if (rc != SQLITE_DONE) {
		return (fs_why(
		    why, whycap, FS_ERR_IO, "%s", sqlite3_errmsg(iss->db)));
	}
	return (FS_OK);
}

fs_err
issuer_store_log_eval(
    fs_issuer *iss, const uint8_t kid[static FS_KID_BYTES], size_t count)
{
	sqlite3_stmt *st;
	int           rc;

	if (fs_db_prepare(iss->db, &st,
	        "INSERT INTO eval_log (time_ms, kid, count) VALUES (?, ?, ?)",
	        NULL, 0)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) fs_now_ms());
	sqlite3_bind_blob(st, 2, kid, FS_KID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) count);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

fs_err
issuer_store_revlist(fs_issuer *iss, fs_revlist *rl)
{
	sqlite3_stmt *st;
	fs_revlist    r   = { 0 };
	size_t        cap = 0;
	int           rc;

	if (fs_db_prepare(iss->db, &st,
	        "SELECT seq, jti FROM revocation ORDER BY seq", NULL, 0)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fs_grow(&r.jti, &cap, r.n, sizeof(*r.jti), 64) != FS_OK) {
			sqlite3_finalize(st);
			fs_revlist_fini(&r);
			return (FS_ERR_NOMEM);
		}
		r.seq = (uint64_t) sqlite3_column_int64(st, 0);
		snprintf(r.jti[r.n++], FS_JTI_MAX + 1, "%s",
		    (const char *) sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fs_revlist_fini(&r);
		return (FS_ERR_IO);
	}
	r.time_ms = fs_now_ms();
	*rl       = r;
	return (FS_OK);
}

// SPDX-License-Identifier: Apache-2.0
//
// db.c -- SQLite databases: WAL, foreign keys, schema by user_version.

#include <stdio.h>
#include <string.h>

#include "common.h"

fs_err
fs_db_exec(sqlite3 *db, const char *sql)
{
	return (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
	        ? FS_OK
	        : FS_ERR_IO);
}

fs_err
fs_db_begin(sqlite3 *db)
{
	return (fs_db_exec(db, "BEGIN IMMEDIATE"));
}

fs_err
fs_db_commit(sqlite3 *db)
{
	return (fs_db_exec(db, "COMMIT"));
}

void
fs_db_rollback(sqlite3 *db)
{
	(void) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void
fs_db_close(sqlite3 *db)
{
	if (db != NULL) {
		sqlite3_close_v2(db);
	}
}

fs_err
fs_db_open(sqlite3 **dbp, const char *path, const char *schema, int version,
    char *why, size_t whycap)
{
	sqlite3      *db = NULL;
	sqlite3_stmt *st;
	int           have = 0;
	char         *err  = NULL;
	char          sql[64];

	if (sqlite3_open_v2(path, &db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	            | SQLITE_OPEN_FULLMUTEX,
	        NULL)
	    != SQLITE_OK) {
		snprintf(why, whycap, "%s: cannot open database: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close_v2(db);
		return (FS_ERR_IO);
	}
	sqlite3_busy_timeout(db, 5000);
	if (fs_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
	    != FS_OK) {
		snprintf(why, whycap, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return (FS_ERR_IO);
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL)
	    == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			have = sqlite3_column_int(st, 0);
		}
		sqlite3_finalize(st);
	}
	if (have > version) {
		snprintf(why, whycap,
		    "%s: database schema version %d is newer than this "
		    "fedscore "
		    "knows (%d)",
		    path, have, version);
		sqlite3_close_v2(db);
		return (FS_ERR_VERSION);
	}
	if (have < version) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d;", version);
		if (fs_db_begin(db) != FS_OK
		    || sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK
		    || fs_db_exec(db, sql) != FS_OK
		    || fs_db_commit(db) != FS_OK) {
			snprintf(why, whycap, "%s: cannot create schema: %s",
			    path, err != NULL ? err : sqlite3_errmsg(db));
			sqlite3_free(err);
			fs_db_rollback(db);
			sqlite3_close_v2(db);
			return (FS_ERR_IO);
		}
	}
	*dbp = db;
	return (FS_OK);
}

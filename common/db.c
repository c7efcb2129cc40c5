// SPDX-License-Identifier: Apache-2.0
//
// db.c -- SQLite databases: WAL, foreign keys, schema by user_version,
// and files only their owner can read.

#include <stddef.h>

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/db.h"
#include "common/err.h"

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

fs_err
fs_db_prepare(
    sqlite3 *db, sqlite3_stmt **st, const char *sql, char *why, size_t whycap)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		return (
		    fs_why(why, whycap, FS_ERR_IO, "%s", sqlite3_errmsg(db)));
	}
	return (FS_OK);
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
	const fs_db_schema s = { .create = schema, .version = version };

	return (fs_db_open_schema(dbp, path, &s, why, whycap));
}

// db_file_check creates the database file 0600 when it does not exist, so
// that SQLite, which gives the WAL, its index and a rollback journal the
// mode of the database, never makes one any local user can read; and it
// refuses a database that group may write or others may access, as a
// secret key file is refused.  Group read (0640) is allowed, for a
// backup group.
static fs_err
db_file_check(const char *path, char *why, size_t whycap)
{
	struct stat st;
	int         fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whycap, "%s: cannot open database: %s", path,
		    strerror(errno));
		return (FS_ERR_IO);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, whycap, "%s: expected a database file", path);
		return (FS_ERR_IO);
	}
	close(fd);
	if ((st.st_mode & 027) != 0) {
		snprintf(why, whycap,
		    "%s: mode %04o lets others read or change the database; "
		    "expected 0600 (or 0640 for a backup group): chmod 600 %s",
		    path, (unsigned) (st.st_mode & 07777), path);
		return (FS_ERR_PERMISSION);
	}
	return (FS_OK);
}

fs_err
fs_db_open_schema(sqlite3 **dbp, const char *path, const fs_db_schema *s,
    char *why, size_t whycap)
{
	sqlite3      *db = NULL;
	sqlite3_stmt *st;
	int           have = 0, version = s->version;
	char         *err = NULL;
	char          sql[64];
	fs_err        rv;

	if ((rv = db_file_check(path, why, whycap)) != FS_OK) {
		return (rv);
	}
	if (sqlite3_open_v2(path, &db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	            | SQLITE_OPEN_FULLMUTEX,
	        NULL)
	    != SQLITE_OK) {
		rv = fs_why(why, whycap, FS_ERR_IO,
		    "%s: cannot open database: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db, 5000);
	// Before WAL mode is set, which fixes the page size of a new file.
	if (s->page_size != 0) {
		snprintf(
		    sql, sizeof(sql), "PRAGMA page_size=%d;", s->page_size);
		(void) fs_db_exec(db, sql);
	}
	if (fs_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
	    != FS_OK) {
		rv = fs_why(
		    why, whycap, FS_ERR_IO, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL)
	    == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			have = sqlite3_column_int(st, 0);
		}
		sqlite3_finalize(st);
	}
	if (have > version) {
		rv = fs_why(why, whycap, FS_ERR_VERSION,
		    "%s: database schema version %d is newer than this "
		    "fedscore knows (%d)",
		    path, have, version);
		goto fail;
	}
	if (have > 0 && have < version && s->upgrade == NULL) {
		rv = fs_why(why, whycap, FS_ERR_VERSION,
		    "%s: database schema version %d is older than this "
		    "fedscore knows (%d), and it has no upgrade for it",
		    path, have, version);
		goto fail;
	}
	for (; have < version; have = have == 0 ? version : have + 1) {
		const char *step = have == 0 ? s->create : s->upgrade[have - 1];

		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d;",
		    have == 0 ? version : have + 1);
		if (fs_db_begin(db) != FS_OK
		    || sqlite3_exec(db, step, NULL, NULL, &err) != SQLITE_OK
		    || fs_db_exec(db, sql) != FS_OK
		    || fs_db_commit(db) != FS_OK) {
			rv = fs_why(why, whycap, FS_ERR_IO,
			    "%s: cannot %s schema version %d: %s", path,
			    have == 0 ? "create" : "upgrade to",
			    have == 0 ? version : have + 1,
			    err != NULL ? err : sqlite3_errmsg(db));
			sqlite3_free(err);
			fs_db_rollback(db);
			goto fail;
		}
	}
	*dbp = db;
	return (FS_OK);
fail:
	sqlite3_close_v2(db);
	return (rv);
}

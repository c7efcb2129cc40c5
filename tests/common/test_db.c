// SPDX-License-Identifier: Apache-2.0
//
// test_db.c -- SQLite databases: schema versions, refusals of newer and
// older files, and upgrades.

#include <sqlite3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"

static void
test_db_schema_versions(void **state)
{
	char     path[] = "/tmp/fs-test-db.XXXXXX";
	char     why[FS_WHY_MAX];
	sqlite3 *db;
	int      fd = mkstemp(path);

	(void) state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fs_db_open(&db, path, "CREATE TABLE t (x INTEGER);", 1,
	                     why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_db_exec(db, "INSERT INTO t VALUES (1)"), FS_OK);
	fs_db_close(db);
	// Opening again does not re-run the schema.
	assert_int_equal(fs_db_open(&db, path, "CREATE TABLE t (x INTEGER);", 1,
	                     why, sizeof(why)),
	    FS_OK);
	fs_db_close(db);
	// A database from a newer fedscore is refused.
	assert_int_equal(
	    fs_db_open(&db, path, "", 0, why, sizeof(why)), FS_ERR_VERSION);
	assert_non_null(strstr(why, "newer"));
	// An older database without an upgrade step is refused, untouched.
	assert_int_equal(
	    fs_db_open(&db, path, "CREATE TABLE t (y);", 2, why, sizeof(why)),
	    FS_ERR_VERSION);
	assert_non_null(strstr(why, "older"));
	{
		static const char *const bad[] = { "ALTER TABLE nope ADD z;" };
		static const char *const good[]
		    = { "ALTER TABLE t ADD COLUMN y INTEGER DEFAULT 7;" };
		fs_db_schema  s = { .create = "CREATE TABLE t (x, y);",
			 .version           = 2,
			 .upgrade           = bad };
		sqlite3_stmt *st;

		// A failing upgrade leaves the file at its version, says why.
		assert_int_equal(
		    fs_db_open_schema(&db, path, &s, why, sizeof(why)),
		    FS_ERR_IO);
		assert_non_null(strstr(why, "upgrade to schema version 2"));
		assert_non_null(strstr(why, "no such table"));
		// An upgrade keeps the rows and runs once.
		s.upgrade = good;
		for (int i = 0; i < 2; i++) {
			assert_int_equal(
			    fs_db_open_schema(&db, path, &s, why, sizeof(why)),
			    FS_OK);
			assert_int_equal(
			    sqlite3_prepare_v2(
			        db, "SELECT x, y FROM t", -1, &st, NULL),
			    SQLITE_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), 1);
			assert_int_equal(sqlite3_column_int(st, 1), 7);
			sqlite3_finalize(st);
			fs_db_close(db);
		}
	}
	unlink(path);
}

// A new database, its WAL and its index are the owner's only; one that
// others can read is refused with the command that fixes it; group read
// is allowed for a backup group.
static void
test_db_files_owner_only(void **state)
{
	char        dir[] = "/tmp/fs-db-mode.XXXXXX";
	char        path[128], wal[140], why[FS_WHY_MAX];
	struct stat st;
	sqlite3    *db;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	umask(022);
	assert_int_equal(fs_db_open(&db, path, "CREATE TABLE t (x INTEGER);", 1,
	                     why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_db_exec(db, "INSERT INTO t VALUES (1)"), FS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fs_db_close(db);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(fs_db_open(&db, path, "CREATE TABLE t (x INTEGER);", 1,
	                     why, sizeof(why)),
	    FS_ERR_PERMISSION);
	assert_non_null(strstr(why, "mode 0644"));
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(fs_db_open(&db, path, "CREATE TABLE t (x INTEGER);", 1,
	                     why, sizeof(why)),
	    FS_OK);
	fs_db_close(db);
	snprintf(wal, sizeof(wal), "rm -rf %s", dir);
	assert_int_equal(system(wal), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_schema_versions),
		cmocka_unit_test(test_db_files_owner_only),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

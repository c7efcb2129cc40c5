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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_schema_versions),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

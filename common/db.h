// SPDX-License-Identifier: Apache-2.0
//
// db.h -- SQLite databases: WAL, foreign keys, versioned schemas.
//
// * Databases are SQLite in WAL mode with foreign keys on and a busy
//   timeout; each module passes its schema, applied in one transaction
//   when user_version is behind.

#ifndef FS_COMMON_DB_H
#define FS_COMMON_DB_H

#include <stddef.h>

#include <sqlite3.h>

#include "common/err.h"

// Databases.  A schema is created whole in a new file; an older file is
// brought to the current version by its upgrade steps, upgrade[v - 1]
// taking version v to v + 1, each in the same transaction as the version
// bump.  page_size (0: SQLite's default) applies to new files only.
typedef struct fs_db_schema {
	const char        *create;
	int                version;
	int                page_size;
	const char *const *upgrade;
} fs_db_schema;

fs_err fs_db_open_schema(sqlite3 **dbp, const char *path, const fs_db_schema *s,
    char *why, size_t whycap);
fs_err fs_db_open(sqlite3 **dbp, const char *path, const char *schema,
    int version, char *why, size_t whycap);
void   fs_db_close(sqlite3 *db);
// fs_db_exec runs SQL without results; fs_db_begin/commit/rollback wrap
// BEGIN IMMEDIATE transactions.
fs_err fs_db_exec(sqlite3 *db, const char *sql);
fs_err fs_db_begin(sqlite3 *db);
fs_err fs_db_commit(sqlite3 *db);
void   fs_db_rollback(sqlite3 *db);
// fs_db_prepare prepares sql as *st, or fails with FS_ERR_IO and SQLite's
// message in why (when why is not NULL).
fs_err fs_db_prepare(
    sqlite3 *db, sqlite3_stmt **st, const char *sql, char *why, size_t whycap);

#endif // FS_COMMON_DB_H

// SPDX-License-Identifier: Apache-2.0
//
// sql.c -- the node's statements that run once: prepared with their
// values, stepped, finalized, and a failure told in SQLite's words.

#include <sqlite3.h>

#include <stdio.h>

#include "common/err.h"
#include "node/nodeimpl.h"

// bind binds the values v, up to NODE_END, to ?1 onwards.  Texts and
// blobs are not copied: they must outlive the statement's steps.
static void
bind(sqlite3_stmt *st, const node_val *v)
{
	for (int i = 1; v != NULL && v->type != NODE_V_END; i++, v++) {
		switch (v->type) {
		case NODE_V_INT:
			sqlite3_bind_int64(st, i, v->i);
			break;
		case NODE_V_TEXT:
			sqlite3_bind_text(st, i, v->p, v->len, SQLITE_STATIC);
			break;
		case NODE_V_BLOB:
			sqlite3_bind_blob(st, i, v->p, v->len, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, i);
			break;
		}
	}
}

fs_err
node_sql_prepare(
    sqlite3 *db, const char *sql, const node_val *v, sqlite3_stmt **stp)
{
	if (sqlite3_prepare_v2(db, sql, -1, stp, NULL) != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	bind(*stp, v);
	return (FS_OK);
}

fs_err
node_sql_row(
    sqlite3 *db, const char *sql, const node_val *v, sqlite3_stmt **stp)
{
	int rc;

	if (node_sql_prepare(db, sql, v, stp) != FS_OK) {
		return (FS_ERR_IO);
	}
	if ((rc = sqlite3_step(*stp)) == SQLITE_ROW) {
		return (FS_OK);
	}
	return (rc == SQLITE_DONE ? FS_ERR_NOT_FOUND : FS_ERR_IO);
}

fs_err
node_sql_run(
    sqlite3 *db, const char *sql, const node_val *v, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	int           rc = SQLITE_ERROR;

	if (node_sql_prepare(db, sql, v, &st) == FS_OK) {
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE && why != NULL) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		return (FS_OK);
	}
	return (rc == SQLITE_CONSTRAINT ? FS_ERR_EXISTS : FS_ERR_IO);
}

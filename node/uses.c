// SPDX-License-Identifier: Apache-2.0
//
// uses.c -- a release, counted and logged, or refused.
//
// A token's uses are counted per jti hash in the release database, in the
// same transaction that appends the release to the log (time, request
// hash, jti hash, requester, purpose, contribution hash, and the receipt:
// the hash of the sealed reply, which the coordinator lists in its
// disclosure), so a release is never given without being counted and
// logged.  fs_node_releases_export writes the log for auditors.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/merkle.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/token.h"

// prepared returns *stp, prepared from sql the first time.
static sqlite3_stmt *
prepared(sqlite3 *db, sqlite3_stmt **stp, const char *sql)
{
	if (*stp == NULL
	    && sqlite3_prepare_v3(
	           db, sql, -1, SQLITE_PREPARE_PERSISTENT, stp, NULL)
	        != SQLITE_OK) {
		return (NULL);
	}
	return (*stp);
}

// uses_left refuses a token of jti hash jh whose uses are all used.
static fs_err
uses_left(fs_node *n, const uint8_t jh[static FS_HASH_BYTES],
    const fs_claims *cl, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	int64_t       used = 0;

	if ((st = prepared(n->rdb, &n->st_use_get,
	         "SELECT uses FROM token_use WHERE jti_hash = ?"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(st, 1, jh, FS_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		used = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (used >= (int64_t) cl->uses) {
		snprintf(why, whycap, "consent allows %u lookup%s, all used",
		    cl->uses, cl->uses == 1 ? "" : "s");
		return (FS_ERR_USED_UP);
	}
	return (FS_OK);
}

// count_use counts one more use of the token of jti hash jh, at now.
static fs_err
count_use(fs_node *n, const uint8_t jh[static FS_HASH_BYTES], int64_t now)
{
	sqlite3_stmt *st;
	int           rc;

	if ((st = prepared(n->rdb, &n->st_use_put,
	         "INSERT INTO token_use (jti_hash, uses, first_ms, last_ms) "
	         "VALUES (?1, 1, ?2, ?2) ON CONFLICT(jti_hash) DO UPDATE SET "
	         "uses = uses + 1, last_ms = ?2"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_blob(st, 1, jh, FS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

// log_release adds the release to the release table.
static fs_err
log_release(fs_node *n, const node_release *e)
{
	sqlite3_stmt *st;
	int           rc;

	if ((st = prepared(n->rdb, &n->st_release,
	         "INSERT INTO release (time_ms, request_hash, jti_hash, "
	         "requester, purpose, contribution_hash, receipt) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?)"))
	    == NULL) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, e->time_ms);
	sqlite3_bind_blob(st, 2, e->request_hash, FS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, e->jti_hash, FS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->requester, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_blob(
	    st, 6, e->contribution_hash, FS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, e->receipt, FS_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

// node_release_count counts one use of the token and logs the release,
// or refuses.
fs_err
node_release_count(fs_node *n, const fs_envelope *env, const fs_claims *cl,
    const uint8_t *body, size_t blen, const uint8_t *rep, size_t replen,
    char *why, size_t whycap)
{
	uint8_t         jh[FS_HASH_BYTES], ch[FS_HASH_BYTES], rh[FS_HASH_BYTES];
	int64_t         now = (int64_t) fs_now_ms();
	fs_err          rv;
	fs_merkle_state saved;
	node_release    entry = { .time_ms = now,
		   .request_hash           = env->hash,
		   .jti_hash               = jh,
		   .contribution_hash      = ch,
		   .receipt                = rh,
		   .requester              = cl->aud,
		   .purpose                = cl->purpose };

	crypto_generichash(jh, sizeof(jh), cl->jti, FS_JTI_BYTES, NULL, 0);
	crypto_generichash(ch, sizeof(ch), body, blen, NULL, 0);
	crypto_generichash(rh, sizeof(rh), rep, replen, NULL, 0);
	pthread_mutex_lock(&n->relmtx);
	saved = n->rmst;
	if (fs_db_begin(n->rdb) != FS_OK) {
		snprintf(why, whycap, "cannot count the use: %s",
		    sqlite3_errmsg(n->rdb));
		pthread_mutex_unlock(&n->relmtx);
		return (FS_ERR_IO);
	}
	// The entry joins the release log's tree in the same transaction.
	if ((rv = uses_left(n, jh, cl, why, whycap)) == FS_OK
	    && (rv = count_use(n, jh, now)) == FS_OK
	    && (rv = log_release(n, &entry)) == FS_OK
	    && (rv = node_release_log_append(n, &entry)) == FS_OK
	    && (rv = fs_db_commit(n->rdb)) == FS_OK) {
		pthread_mutex_unlock(&n->relmtx);
		return (FS_OK);
	}
	if (rv != FS_ERR_USED_UP) {
		rv = FS_ERR_IO;
		snprintf(why, whycap,
		    "cannot count the use and log the release: %s",
		    sqlite3_errmsg(n->rdb));
	}
	fs_db_rollback(n->rdb);
	n->rmst = saved;
	pthread_mutex_unlock(&n->relmtx);
	return (rv);
}

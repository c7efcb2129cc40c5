// SPDX-License-Identifier: Apache-2.0
//
// releases.c -- the node's release log: one entry per release, a JSON
// line with sorted keys and hashes in base64url (docs/log.md,
// "Reconcile"), and an RFC 6962 Merkle tree over those lines, grown in
// the same transaction as the release.  Exports are signed as a C2SP
// checkpoint of exactly the lines exported, so an auditor can tell that
// a node's log was not rewritten between two audits.  fedscore audit
// reconcile matches each receipt with the coordinator's disclosure
// entries.  Nothing personal is in it: the consent is named by the hash
// of its jti, the subject not at all.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/db.h"
#include "common/err.h"
#include "crypto/merkle.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/note.h"

// put_str writes s as a JSON string.  Requester and purpose are
// token-safe claims, but the writer does not rely on it.
static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

static void
put_hash(FILE *f, const char *key, const uint8_t *h)
{
	char b64[64] = "";

	if (h != NULL) {
		fs_b64_encode(b64, h, FS_HASH_BYTES);
	}
	fprintf(f, "\"%s\":\"%s\",", key, b64);
}

fs_err
node_release_entry(char **linep, size_t *lenp, const node_release *r)
{
	char  *buf = NULL;
	size_t len = 0;
	FILE  *f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	fputc('{', f);
	put_hash(f, "contribution_hash", r->contribution_hash);
	put_hash(f, "jti_hash", r->jti_hash);
	fputs("\"purpose\":", f);
	put_str(f, r->purpose);
	fputc(',', f);
	put_hash(f, "receipt", r->receipt);
	put_hash(f, "request_hash", r->request_hash);
	fputs("\"requester\":", f);
	put_str(f, r->requester);
	fprintf(f, ",\"time_ms\":%lld}", (long long) r->time_ms);
	if (fclose(f) != 0) {
		free(buf);
		return (FS_ERR_NOMEM);
	}
	*linep = buf;
	*lenp  = len;
	return (FS_OK);
}

// The tree's hashes: (level, index) -> hash, as the coordinator keeps its
// log's.
static fs_err
hash_get(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES])
{
	fs_node *n  = arg;
	fs_err   rv = FS_ERR_NOT_FOUND;

	if (n->st_hash_get == NULL
	    && sqlite3_prepare_v3(n->rdb,
	           "SELECT hash FROM release_hash WHERE level = ? AND idx = ?",
	           -1, SQLITE_PREPARE_PERSISTENT, &n->st_hash_get, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(n->st_hash_get, 1, (sqlite3_int64) level);
	sqlite3_bind_int64(n->st_hash_get, 2, (sqlite3_int64) index);
	if (sqlite3_step(n->st_hash_get) == SQLITE_ROW
	    && sqlite3_column_bytes(n->st_hash_get, 0)
	        == FS_MERKLE_HASH_BYTES) {
		memcpy(out, sqlite3_column_blob(n->st_hash_get, 0),
		    FS_MERKLE_HASH_BYTES);
		rv = FS_OK;
	}
	sqlite3_reset(n->st_hash_get);
	return (rv);
}

static fs_err
hash_put(void *arg, uint64_t level, uint64_t index,
    const uint8_t hash[FS_MERKLE_HASH_BYTES])
{
	fs_node *n = arg;
	int      rc;

	if (n->st_hash_put == NULL
	    && sqlite3_prepare_v3(n->rdb,
	           "INSERT OR REPLACE INTO release_hash (level, idx, hash) "
	           "VALUES (?, ?, ?)",
	           -1, SQLITE_PREPARE_PERSISTENT, &n->st_hash_put, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(n->st_hash_put, 1, (sqlite3_int64) level);
	sqlite3_bind_int64(n->st_hash_put, 2, (sqlite3_int64) index);
	sqlite3_bind_blob(
	    n->st_hash_put, 3, hash, FS_MERKLE_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(n->st_hash_put);
	sqlite3_reset(n->st_hash_put);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

fs_err
node_release_log_append(fs_node *n, const node_release *r)
{
	uint8_t leaf[FS_MERKLE_HASH_BYTES];
	char   *line;
	size_t  len;
	fs_err  rv;

	if ((rv = node_release_entry(&line, &len, r)) != FS_OK) {
		return (rv);
	}
	fs_merkle_leaf_hash(leaf, (const uint8_t *) line, len);
	free(line);
	return (fs_merkle_state_append(&n->rmst, leaf, hash_put, n));
}

// row reads a release row (the columns of release_cols) as a release.
static const char release_cols[]
    = "time_ms, request_hash, jti_hash, requester, purpose, "
      "contribution_hash, receipt";

static const uint8_t *
blob(sqlite3_stmt *st, int col)
{
	return (sqlite3_column_bytes(st, col) == FS_HASH_BYTES
	        ? sqlite3_column_blob(st, col)
	        : NULL);
}

static void
row(node_release *r, sqlite3_stmt *st)
{
	const char *rq = (const char *) sqlite3_column_text(st, 3);
	const char *pu = (const char *) sqlite3_column_text(st, 4);

	r->time_ms           = sqlite3_column_int64(st, 0);
	r->request_hash      = blob(st, 1);
	r->jti_hash          = blob(st, 2);
	r->requester         = rq != NULL ? rq : "";
	r->purpose           = pu != NULL ? pu : "";
	r->contribution_hash = blob(st, 5);
	r->receipt           = blob(st, 6);
}

static fs_err
count_of(sqlite3 *db, const char *sql, uint64_t *n)
{
	sqlite3_stmt *st;
	int           rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? FS_OK : FS_ERR_IO);
}

// sizes reads, in the transaction the caller holds, the number of
// releases and of leaves of the tree.  Releases are never deleted, so
// their ids run from 1 without gaps and the largest is their number: both
// are read from the end of an index, whatever the log's length.
static fs_err
sizes(fs_node *n, uint64_t *nrel, uint64_t *size)
{
	fs_err rv;

	if ((rv = count_of(
	         n->rdb, "SELECT coalesce(max(id), 0) FROM release", nrel))
	    != FS_OK) {
		return (rv);
	}
	return (count_of(n->rdb,
	    "SELECT coalesce(max(idx) + 1, 0) FROM release_hash "
	    "WHERE level = 0",
	    size));
}

// rebuild adds to the tree the releases from size on, in order.
static fs_err
rebuild(fs_node *n, uint64_t size)
{
	sqlite3_stmt *st;
	char          sql[160];
	fs_err        rv = FS_OK;

	snprintf(sql, sizeof(sql),
	    "SELECT %s FROM release WHERE id > ? ORDER BY id", release_cols);
	if (sqlite3_prepare_v2(n->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) size);
	while (rv == FS_OK && sqlite3_step(st) == SQLITE_ROW) {
		node_release r;

		row(&r, st);
		rv = node_release_log_append(n, &r);
	}
	sqlite3_finalize(st);
	return (rv);
}

fs_err
node_release_log_open(fs_node *n, char *why, size_t whycap)
{
	uint64_t nrel = 0, size = 0;
	fs_err   rv = FS_OK;

	// Most opens only read the tree's edge.  Releases logged before the
	// tree existed (schema version 1) are added to it, in order, once,
	// under the write lock.
	for (int pass = 0; pass < 2 && rv == FS_OK; pass++) {
		rv = pass == 0 ? fs_db_exec(n->rdb, "BEGIN")
		               : fs_db_begin(n->rdb);
		if (rv != FS_OK) {
			break;
		}
		if ((rv = sizes(n, &nrel, &size)) == FS_OK
		    && (rv = fs_merkle_state_load(&n->rmst, size, hash_get, n))
		        == FS_OK
		    && size > nrel) {
			snprintf(why, whycap,
			    "release log: its tree has %llu entries, but there "
			    "are %llu releases",
			    (unsigned long long) size,
			    (unsigned long long) nrel);
			rv = FS_ERR_INVALID;
		}
		if (rv == FS_OK && size < nrel && pass == 1) {
			rv = rebuild(n, size);
		}
		if (rv != FS_OK) {
			fs_db_rollback(n->rdb);
			break;
		}
		if ((rv = fs_db_commit(n->rdb)) != FS_OK || size == nrel) {
			break;
		}
	}
	if (rv != FS_OK && why[0] == '\0') {
		snprintf(
		    why, whycap, "release log: %s", sqlite3_errmsg(n->rdb));
	}
	return (rv);
}

fs_err
fs_node_releases_export(fs_node *n, FILE *out, uint64_t *count,
    char **checkpoint, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	uint8_t       root[FS_MERKLE_HASH_BYTES];
	uint64_t      cnt  = 0;
	char         *body = NULL;
	size_t        blen, nlen;
	char          sql[128];
	int           rc;
	fs_err        rv = FS_OK;

	// One read transaction: the lines and the tree at their number are
	// of the same state, whatever the daemon releases meanwhile.
	snprintf(sql, sizeof(sql), "SELECT %s FROM release ORDER BY id",
	    release_cols);
	pthread_mutex_lock(&n->relmtx);
	if (fs_db_exec(n->rdb, "BEGIN") != FS_OK
	    || sqlite3_prepare_v2(n->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->rdb));
		(void) fs_db_exec(n->rdb, "ROLLBACK");
		pthread_mutex_unlock(&n->relmtx);
		return (FS_ERR_IO);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		node_release r;
		char        *line;
		size_t       len;

		row(&r, st);
		if ((rv = node_release_entry(&line, &len, &r)) != FS_OK) {
			break;
		}
		fwrite(line, 1, len, out);
		fputc('\n', out);
		free(line);
		cnt++;
	}
	sqlite3_finalize(st);
	if (rv == FS_OK && (rc != SQLITE_DONE || ferror(out))) {
		snprintf(why, whycap, "cannot export the release log");
		rv = FS_ERR_IO;
	}
	if (rv == FS_OK && checkpoint != NULL) {
		if ((rv = fs_merkle_root_at(root, cnt, hash_get, n)) != FS_OK) {
			snprintf(why, whycap,
			    "release log: the tree does not hold %llu entries",
			    (unsigned long long) cnt);
		} else if ((rv = fs_checkpoint_format(
		                &body, &blen, n->origin, cnt, root, NULL, 0))
		    == FS_OK) {
			rv = fs_note_sign(
			    checkpoint, &nlen, body, blen, n->origin, n->key);
		}
		free(body);
	}
	(void) fs_db_exec(n->rdb, "COMMIT");
	pthread_mutex_unlock(&n->relmtx);
	*count = cnt;
	return (rv);
}

// SPDX-License-Identifier: Apache-2.0
//
// store.c -- the node's SQLite schema, the ID-hash key and the pseudonym
// cache.
//
// The cache maps BLAKE2b-256(key = idkey, normalized ID number) to the
// subject pseudonym and the behavior base derived from the issuer's OPRF
// output.  idkey lives in its own 0600 file, not in the database, so a
// copy of the database alone cannot be searched by guessing ID numbers;
// the database keeps a check value of the key, so a lost or swapped key
// file is told apart from an empty cache.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/err.h"
#include "crypto/oprf.h"
#include "net/issuer_client.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"

// Records are clustered by record id and name their citizen by the
// node's keyed hash of the ID number, the key of the pseudonym cache; a
// lookup goes from subject to ID hash in the cache, then to the records
// by the index on idhash, which is rebuilt after large imports.  A large
// import of known citizens so writes each record without reading the
// cache (records.c), and a shared behavior's key is derived when a lookup
// needs it.  Dates are days since 1970-01-01; a NULL valid_until means
// "from the rule".
#define SCHEMA_VERSION 2

static const char schema[]
    = "CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
      "CREATE TABLE rules_version ("
      "  version TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,"
      "  imported_ms INTEGER NOT NULL, source TEXT NOT NULL,"
      "  nrules INTEGER NOT NULL);"
      "CREATE TABLE rule ("
      "  version TEXT NOT NULL REFERENCES rules_version(version),"
      "  code TEXT NOT NULL, name TEXT NOT NULL, dim INTEGER NOT NULL,"
      "  points INTEGER NOT NULL, valid_days INTEGER NOT NULL,"
      "  severe INTEGER NOT NULL, shared INTEGER NOT NULL,"
      "  repair_bonus INTEGER NOT NULL, PRIMARY KEY (version, code))"
      "  WITHOUT ROWID;"
      "CREATE TABLE pseudonym ("
      "  idhash BLOB PRIMARY KEY, subject BLOB NOT NULL,"
      "  behavior_base BLOB NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX pseudonym_subject ON pseudonym(subject);"
      "CREATE TABLE record ("
      "  record_id TEXT PRIMARY KEY, idhash BLOB NOT NULL,"
      "  code TEXT NOT NULL, event_ref TEXT NOT NULL,"
      "  occurred_on INTEGER NOT NULL, valid_until INTEGER,"
      "  import INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX record_idhash ON record(idhash);"
      "CREATE TABLE import ("
      "  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
      "  source TEXT NOT NULL, records INTEGER NOT NULL,"
      "  inserted INTEGER NOT NULL, updated INTEGER NOT NULL,"
      "  rules_version TEXT NOT NULL);"
      "CREATE TABLE repair ("
      "  record_id TEXT PRIMARY KEY, repaired_on INTEGER NOT NULL,"
      "  entered_ms INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE dispute ("
      "  id INTEGER PRIMARY KEY, record_id TEXT NOT NULL,"
      "  reason TEXT NOT NULL, received_on INTEGER NOT NULL,"
      "  opened_on INTEGER NOT NULL, flag_due INTEGER NOT NULL,"
      "  check_due INTEGER NOT NULL,"
      "  status TEXT NOT NULL CHECK (status IN "
      "    ('open', 'upheld', 'corrected')),"
      "  points INTEGER, resolved_on INTEGER);"
      "CREATE UNIQUE INDEX dispute_open ON dispute(record_id)"
      "  WHERE status = 'open';"
      "CREATE INDEX dispute_record ON dispute(record_id);";

// The daemon's own writes -- uses of each token, the release log and the
// last revocation list -- go to a database of their own, so that a long
// import, which holds the records database's write lock, never blocks a
// lookup.  A release's receipt is the hash of the complete reply envelope,
// which the coordinator lists in its disclosure entry (docs/log.md).
// The release log's Merkle tree: every complete subtree hash, level 0
// the leaf hashes of the entries (releases.c).  Version 1 had no tree;
// node_release_log_open adds the releases it holds.
#define RELEASE_HASH                                      \
	"CREATE TABLE release_hash ("                     \
	"  level INTEGER NOT NULL, idx INTEGER NOT NULL," \
	"  hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;"

static const char *const release_upgrades[] = { RELEASE_HASH };

static const char release_schema[]
    = "CREATE TABLE token_use ("
      "  jti_hash BLOB PRIMARY KEY, uses INTEGER NOT NULL,"
      "  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL)"
      "  WITHOUT ROWID;"
      "CREATE TABLE release ("
      "  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
      "  request_hash BLOB NOT NULL, jti_hash BLOB NOT NULL,"
      "  requester TEXT NOT NULL, purpose TEXT NOT NULL,"
      "  contribution_hash BLOB NOT NULL, receipt BLOB NOT NULL);"
      "CREATE TABLE revlist ("
      "  k INTEGER PRIMARY KEY CHECK (k = 1), seq INTEGER NOT NULL,"
      "  time_ms INTEGER NOT NULL, fetched_ms INTEGER NOT NULL,"
      "  jtis TEXT NOT NULL);"
      // The last checkpoint of the coordinator's log this node cosigned.
      "CREATE TABLE witnessed ("
      "  origin TEXT PRIMARY KEY, size INTEGER NOT NULL,"
      "  root BLOB NOT NULL, note TEXT NOT NULL);" RELEASE_HASH;

// Version 1 kept each record's subject and stored behavior keys, and
// keyed the cache by the full 32-byte hash, of which the ID hash is the
// first half.  Every subject it holds is in the cache, which gives the ID
// hash (a record whose subject is not fails the upgrade, on NOT NULL).
static const char upgrade_1[]
    = "CREATE TABLE pseudonym2 ("
      "  idhash BLOB PRIMARY KEY, subject BLOB NOT NULL,"
      "  behavior_base BLOB NOT NULL) WITHOUT ROWID;"
      "INSERT INTO pseudonym2 SELECT substr(idhash, 1, 16), subject, "
      "  behavior_base FROM pseudonym;"
      "DROP TABLE pseudonym;"
      "ALTER TABLE pseudonym2 RENAME TO pseudonym;"
      "CREATE INDEX pseudonym_subject ON pseudonym(subject);"
      "CREATE TABLE record2 ("
      "  record_id TEXT PRIMARY KEY, idhash BLOB NOT NULL,"
      "  code TEXT NOT NULL, event_ref TEXT NOT NULL,"
      "  occurred_on INTEGER NOT NULL, valid_until INTEGER,"
      "  import INTEGER NOT NULL) WITHOUT ROWID;"
      "INSERT INTO record2 SELECT r.record_id, p.idhash, r.code, "
      "  r.event_ref, r.occurred_on, r.valid_until, r.import "
      "  FROM record r LEFT JOIN pseudonym p ON p.subject = r.subject;"
      "DROP TABLE record;"
      "ALTER TABLE record2 RENAME TO record;"
      "CREATE INDEX record_idhash ON record(idhash);";

static const char *const upgrades[] = { upgrade_1 };

static const char check_label[] = "fedscore node id-key check";

fs_err
node_store_open(
    fs_node *n, const char *path, const char *rpath, char *why, size_t whycap)
{
	fs_err rv;

	// Larger pages make bulk imports and index builds markedly faster.
	const fs_db_schema rs = { .create = schema,
		.version                  = SCHEMA_VERSION,
		.page_size                = 16384,
		.upgrade                  = upgrades };

	if ((rv = fs_db_open_schema(&n->db, path, &rs, why, whycap)) == FS_OK) {
		const fs_db_schema rel = { .create = release_schema,
			.version                   = 2,
			.upgrade                   = release_upgrades };

		rv = fs_db_open_schema(&n->rdb, rpath, &rel, why, whycap);
	}
	// Lookups read through a connection of their own, which sees the
	// last committed state while the writing one is in a transaction.
	if (rv == FS_OK
	    && (rv = fs_db_open_schema(&n->qdb, path, &rs, why, whycap))
	        == FS_OK
	    && (rv = fs_db_exec(n->qdb, "PRAGMA query_only = 1")) != FS_OK) {
		snprintf(why, whycap, "%s: %s", path, sqlite3_errmsg(n->qdb));
	}
	return (rv);
}

fs_err
node_meta_get(fs_node *n, const char *k, int64_t *v)
{
	sqlite3_stmt *st;
	fs_err        rv;

	if ((rv = node_sql_row(n->db, "SELECT v FROM meta WHERE k = ?",
	         NODE_VALS(NODE_TEXT(k)), &st))
	    == FS_OK) {
		*v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return (rv);
}

fs_err
node_meta_set(fs_node *n, const char *k, int64_t v)
{
	return (node_sql_run(n->db,
	    "INSERT INTO meta (k, v) VALUES (?, ?) "
	    "ON CONFLICT(k) DO UPDATE SET v = excluded.v",
	    NODE_VALS(NODE_TEXT(k), NODE_INT(v)), NULL, 0));
}

fs_err
node_idkey_load(fs_node *n, const char *path, char *why, size_t whycap)
{
	uint8_t key[FS_OPRF_SEED_BYTES];
	uint8_t chk[8];
	int64_t want, have;
	fs_err  rv;

	rv = fs_seedfile_read(key, path);
	if (rv == FS_ERR_NOT_FOUND) {
		// A new key is only made for a database with no cache.
		if (node_meta_get(n, "idkey_check", &want) == FS_OK) {
			snprintf(why, whycap,
			    "%s: expected the ID-hash key this database was "
			    "made with, found no file",
			    path);
			return (FS_ERR_NOT_FOUND);
		}
		randombytes_buf(key, sizeof(key));
		rv = fs_seedfile_write(path, key);
	}
	if (rv != FS_OK) {
		sodium_memzero(key, sizeof(key));
		return (fs_seedfile_why(
		    rv, path, "the node's ID-hash key", why, whycap));
	}
	crypto_generichash(chk, sizeof(chk), (const uint8_t *) check_label,
	    sizeof(check_label) - 1, key, sizeof(key));
	have = 0;
	for (size_t i = 0; i < 7; i++) {
		have = (have << 8) | chk[i];
	}
	if (node_meta_get(n, "idkey_check", &want) == FS_OK) {
		if (want != have) {
			sodium_memzero(key, sizeof(key));
			snprintf(why, whycap,
			    "%s: expected the ID-hash key this database was "
			    "made with, found another key",
			    path);
			return (FS_ERR_WRONG_KEY);
		}
	} else if ((rv = node_meta_set(n, "idkey_check", have)) != 0) {
		sodium_memzero(key, sizeof(key));
		snprintf(why, whycap, "cannot write to the database");
		return (rv);
	}
	if ((n->idkey = sodium_malloc(sizeof(key))) == NULL) {
		sodium_memzero(key, sizeof(key));
		return (FS_ERR_NOMEM);
	}
	memcpy(n->idkey, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	sodium_mprotect_readonly(n->idkey);
	return (FS_OK);
}

void
node_idhash(
    const fs_node *n, uint8_t out[static NODE_IDHASH_BYTES], const char *idnum)
{
	uint8_t full[FS_HASH_BYTES];

	crypto_generichash(full, sizeof(full), (const uint8_t *) idnum,
	    strlen(idnum), n->idkey, FS_OPRF_SEED_BYTES);
	memcpy(out, full, NODE_IDHASH_BYTES);
	sodium_memzero(full, sizeof(full));
}

// node_issuer returns the client to the issuer, opened on first use;
// called with icmtx held.
fs_err
node_issuer(fs_node *n, fs_issuer_client **cp)
{
	fs_err rv;

	if (n->ic == NULL
	    && (rv = fs_issuer_client_open(&n->ic, n->key, &n->issuer)) != 0) {
		return (rv);
	}
	*cp = n->ic;
	return (FS_OK);
}

// node_cache_get reads the cache through the lookups' connection; called
// with qmtx held.
fs_err
node_cache_get(fs_node *n, const uint8_t idhash[static NODE_IDHASH_BYTES],
    uint8_t subject[static FS_PSEUDONYM_BYTES],
    uint8_t base[static FS_PSEUDONYM_BYTES])
{
	sqlite3_stmt *st;
	fs_err        rv;

	rv = node_sql_row(n->qdb,
	    "SELECT subject, behavior_base FROM pseudonym WHERE idhash = ?",
	    NODE_VALS(NODE_BLOB(idhash, NODE_IDHASH_BYTES)), &st);
	if (rv == FS_OK && sqlite3_column_bytes(st, 0) == FS_PSEUDONYM_BYTES
	    && sqlite3_column_bytes(st, 1) == FS_PSEUDONYM_BYTES) {
		memcpy(subject, sqlite3_column_blob(st, 0), FS_PSEUDONYM_BYTES);
		memcpy(base, sqlite3_column_blob(st, 1), FS_PSEUDONYM_BYTES);
	} else if (rv == FS_OK) {
		rv = FS_ERR_NOT_FOUND; // a row of another size is none
	}
	sqlite3_finalize(st);
	return (rv);
}

fs_err
node_cache_put_y(fs_node *n, const uint8_t idhash[static NODE_IDHASH_BYTES],
    const uint8_t y[static FS_OPRF_OUTPUT_BYTES])
{
	uint8_t subject[FS_PSEUDONYM_BYTES], base[FS_PSEUDONYM_BYTES];
	fs_err  rv;

	fs_pseudonym_subject(subject, y);
	fs_pseudonym_behavior_base(base, y);
	rv = node_sql_run(n->db,
	    "INSERT INTO pseudonym (idhash, subject, behavior_base) "
	    "VALUES (?, ?, ?) ON CONFLICT(idhash) DO UPDATE SET "
	    "subject = excluded.subject, "
	    "behavior_base = excluded.behavior_base",
	    NODE_VALS(NODE_BLOB(idhash, NODE_IDHASH_BYTES),
	        NODE_BLOB(subject, FS_PSEUDONYM_BYTES),
	        NODE_BLOB(base, FS_PSEUDONYM_BYTES)),
	    NULL, 0);
	sodium_memzero(base, sizeof(base));
	return (rv);
}

fs_err
fs_node_cache_put(
    fs_node *n, const char *const *ids, const uint8_t *y, size_t count)
{
	uint8_t h[NODE_IDHASH_BYTES];
	fs_err  rv;

	pthread_mutex_lock(&n->wmtx);
	if ((rv = fs_db_begin(n->db)) == FS_OK) {
		for (size_t i = 0; i < count && rv == FS_OK; i++) {
			node_idhash(n, h, ids[i]);
			rv = node_cache_put_y(
			    n, h, y + i * FS_OPRF_OUTPUT_BYTES);
		}
		if (rv == FS_OK) {
			rv = fs_db_commit(n->db);
		}
		if (rv != FS_OK) {
			fs_db_rollback(n->db);
		}
	}
	pthread_mutex_unlock(&n->wmtx);
	return (rv);
}

fs_err
fs_node_subject(fs_node *n, const char *idnum,
    uint8_t subject[static FS_PSEUDONYM_BYTES], bool *known, char *why,
    size_t whycap)
{
	uint8_t           h[NODE_IDHASH_BYTES], base[FS_PSEUDONYM_BYTES];
	uint8_t           y[FS_OPRF_OUTPUT_BYTES];
	const char       *ids[1] = { idnum };
	fs_issuer_client *ic;
	fs_err            rv;

	node_idhash(n, h, idnum);
	pthread_mutex_lock(&n->qmtx);
	rv = node_cache_get(n, h, subject, base);
	pthread_mutex_unlock(&n->qmtx);
	sodium_memzero(base, sizeof(base));
	if (rv == FS_OK) {
		*known = true;
		return (FS_OK);
	}
	if (rv != FS_ERR_NOT_FOUND) {
		return (rv);
	}
	// Not in the cache: the node holds nothing on this ID, but staff may
	// want the pseudonym to compare with a citizen's token.
	pthread_mutex_lock(&n->icmtx);
	if ((rv = node_issuer(n, &ic)) == FS_OK) {
		rv = fs_issuer_pseudonyms(ic, ids, 1, y, why, whycap);
	}
	pthread_mutex_unlock(&n->icmtx);
	if (rv != FS_OK) {
		return (rv);
	}
	fs_pseudonym_subject(subject, y);
	sodium_memzero(y, sizeof(y));
	*known = false;
	return (FS_OK);
}

// Imports: the cache looked up for a chunk of rows.

static int
cmp_key(const void *a, const void *b)
{
	return (memcmp(((const node_key *) a)->idhash,
	    ((const node_key *) b)->idhash, NODE_IDHASH_BYTES));
}

// cache_has looks one ID hash up in the cache.  A chunk's hashes come in
// ascending order, so neighbouring lookups share the cache's pages.
static bool
cache_has(node_import *im, const uint8_t h[static NODE_IDHASH_BYTES])
{
	bool hit;

	sqlite3_reset(im->get);
	sqlite3_bind_blob(im->get, 1, h, NODE_IDHASH_BYTES, SQLITE_STATIC);
	hit = sqlite3_step(im->get) == SQLITE_ROW;
	sqlite3_reset(im->get);
	return (hit);
}

// node_import_evaluate pseudonymizes n ID numbers through the issuer and
// puts them in the cache under their hashes.
fs_err
node_import_evaluate(node_import *im, const char *const *ids,
    const uint8_t (*idhash)[NODE_IDHASH_BYTES], size_t n, char *why,
    size_t whycap)
{
	fs_issuer_client *ic;
	uint8_t          *y;
	fs_err            rv;

	if ((y = sodium_malloc(n * FS_OPRF_OUTPUT_BYTES)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	pthread_mutex_lock(&im->n->icmtx);
	if ((rv = node_issuer(im->n, &ic)) == 0) {
		rv = fs_issuer_pseudonyms(ic, ids, n, y, why, whycap);
	}
	pthread_mutex_unlock(&im->n->icmtx);
	if (rv == FS_OK) {
		for (size_t j = 0; j < n && rv == FS_OK; j++) {
			if (node_cache_put_y(
			        im->n, idhash[j], y + j * FS_OPRF_OUTPUT_BYTES)
			    != FS_OK) {
				snprintf(why, whycap,
				    "cannot write the cache: %s",
				    sqlite3_errmsg(im->n->db));
				rv = FS_ERR_IO;
			}
		}
		im->st.evaluated += n;
	}
	sodium_free(y);
	return (rv);
}

// node_import_pseudonymize makes sure every citizen of the chunk is in
// the cache: looked up in key order, the misses pseudonymized through the
// issuer in batches.
fs_err
node_import_pseudonymize(node_import *im, char *why, size_t whycap)
{
	const char *ids[FS_ISSUER_BATCH_MAX];
	uint8_t     hs[FS_ISSUER_BATCH_MAX][NODE_IDHASH_BYTES];
	size_t      nmiss = 0;
	fs_err      rv    = FS_OK;

	for (size_t i = 0; i < im->c.nrows; i++) {
		memcpy(im->order[i].idhash, im->c.rows[i].idhash,
		    NODE_IDHASH_BYTES);
		im->order[i].i = i;
	}
	qsort(im->order, im->c.nrows, sizeof(node_key), cmp_key);
	for (size_t k = 0; k < im->c.nrows && rv == FS_OK; k++) {
		const node_row *w = &im->c.rows[im->order[k].i];

		if (k > 0
		    && memcmp(im->order[k - 1].idhash, w->idhash,
		           NODE_IDHASH_BYTES)
		        == 0) {
			continue;
		}
		if (cache_has(im, w->idhash)) {
			im->st.cached++;
			continue;
		}
		ids[nmiss] = w->id;
		memcpy(hs[nmiss++], w->idhash, NODE_IDHASH_BYTES);
		if (nmiss == FS_ISSUER_BATCH_MAX) {
			rv    = node_import_evaluate(im, ids,
			       (const uint8_t(*)[NODE_IDHASH_BYTES]) hs, nmiss,
			       why, whycap);
			nmiss = 0;
		}
	}
	if (rv == FS_OK && nmiss > 0) {
		rv = node_import_evaluate(im, ids,
		    (const uint8_t(*)[NODE_IDHASH_BYTES]) hs, nmiss, why,
		    whycap);
	}
	return (rv);
}

// SPDX-License-Identifier: Apache-2.0
//
// nodeimpl.h -- internals shared by the files of node/.  Must not be
// exposed to other modules: they use node.h.

#ifndef FS_NODEIMPL_H
#define FS_NODEIMPL_H

#include <sqlite3.h>

#include <pthread.h>
#include <time.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "crypto/oprf.h"
#include "net/issuer_client.h"
#include "net/replay.h"
#include "net/revfresh.h"
#include "node/node.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/token.h"

#define NODE_WHO "node"

// A node's configuration, read when it opens, is not changed after; the
// rest is shared by the daemon's workers, its revocation refresher and
// whoever calls the functions of node.h, under the locks below.  Each lock
// guards exactly what its comment names.  A thread holds two of them at
// once only in these orders, and never any other two:
//
//   wmtx, then icmtx       an import asks the issuer
//   rulesmtx, then qmtx    a lookup reloads the rules and reads records
//   rlmtx, then relmtx     a new revocation list is saved
//
// A lookup takes rlmtx, then rulesmtx (and qmtx inside it), then relmtx,
// each released before the next, and never wmtx: an import, which holds
// wmtx for its whole run, does not block lookups, which read the last
// committed state through a connection of their own (WAL).
struct fs_node {
	fs_conf       *conf;
	char           name[FS_NAME_MAX + 1];
	fs_key        *key;
	char          *listen;      // NULL when not configured
	bool           has_coord;   // coordinator configured
	fs_pubkey      coordinator; // the only party that may look up
	fs_keyring     ring;
	int32_t        default_days;
	fs_holidays    holidays;
	int64_t        skew_ms;
	int64_t        refresh_ms; // revocation list refresh period
	int64_t        max_age_ms; // fail closed past this age
	int            workers;
	fs_issuer_peer issuer;
	char          *issuer_url;
	uint8_t       *idkey; // sodium_malloc'd, read-only
	char           origin[FS_NOTE_NAME_MAX + 1]; // of the release log
	fs_replay     *replay;                       // locks itself
	// wmtx guards the writing connection to the records database, db,
	// and everything done through it: imports (for their whole run),
	// rules imports, disputes, repairs, the cache's writes and the meta
	// table.  Taken before icmtx.
	pthread_mutex_t wmtx;
	sqlite3        *db; // rules, records, disputes, repairs, cache
	// icmtx guards the client to the issuer, ic, opened on first use,
	// and each call through it.  Innermost.
	pthread_mutex_t   icmtx;
	fs_issuer_client *ic;
	// rulesmtx guards rules, the lookups' copy of the rules in force,
	// reloaded when the version in force changes.  Taken before qmtx.
	pthread_mutex_t rulesmtx;
	fs_ruleset      rules;
	// qmtx guards the lookups' connection to the records database, qdb,
	// which only reads, and its statements, prepared once as lookups are
	// hot.  Innermost.
	pthread_mutex_t qmtx;
	sqlite3        *qdb;
	sqlite3_stmt   *st_version;
	sqlite3_stmt   *st_records;
	// rlmtx guards the revocation list in force: rl, have_rl and
	// rl_fetched_ms.  Taken before relmtx.  The refresher's fetch reads
	// rl.seq for its log without it: while the daemon runs, the
	// refresher is the only thread that changes the list.
	pthread_mutex_t rlmtx;
	fs_revlist      rl;
	bool            have_rl;
	uint64_t        rl_fetched_ms;
	// relmtx guards the release database, rdb (one connection, one
	// transaction at a time: releases, the saved revocation list, what
	// the witness cosigned, exports), its statements prepared once, and
	// the release log's Merkle tree rmst, grown with each release.
	// Innermost.
	pthread_mutex_t relmtx;
	sqlite3        *rdb; // token uses, releases, revocation list
	sqlite3_stmt   *st_use_get;
	sqlite3_stmt   *st_use_put;
	sqlite3_stmt   *st_release;
	sqlite3_stmt   *st_hash_get;
	sqlite3_stmt   *st_hash_put;
	fs_merkle_state rmst;
	// The revocation refresher (net/revfresh.c), started and stopped
	// by fs_node_serve; it installs each list under rlmtx.
	fs_revfresh_conf rfconf;
	fs_revfresh     *rf;
};

// fields.c: helpers of both importers.  node_found quotes a field for a
// message, cut to 40 bytes.
#define NODE_FOUND_MAX 64
void   node_found(char out[static NODE_FOUND_MAX], const char *s, size_t len);
fs_err node_parse_int(
    const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
bool node_code_ok(const char *s, size_t len);
// node_header_read reads the first record of r and wants it the header
// cols, of which the last nopt are optional; *nf is its number of fields.
fs_err node_header_read(fs_csv *r, const char *const *cols, size_t ncols,
    size_t nopt, size_t *nf, char *why, size_t whycap);

// sql.c: statements that run once.  Their values, bound to ?1 onwards,
// are a list NODE_VALS makes; texts and blobs are not copied.
typedef struct node_val {
	enum {
		NODE_V_END,
		NODE_V_NULL,
		NODE_V_INT,
		NODE_V_TEXT,
		NODE_V_BLOB,
	} type;
	int64_t     i;
	const void *p;
	int         len; // of a text (-1: up to its NUL) or a blob
} node_val;

#define NODE_NULL    ((node_val) { .type = NODE_V_NULL })
#define NODE_INT(x)  ((node_val) { .type = NODE_V_INT, .i = (x) })
#define NODE_TEXT(s) ((node_val) { .type = NODE_V_TEXT, .p = (s), .len = -1 })
#define NODE_TEXTN(s, n) \
	((node_val) { .type = NODE_V_TEXT, .p = (s), .len = (int) (n) })
#define NODE_BLOB(b, n) \
	((node_val) { .type = NODE_V_BLOB, .p = (b), .len = (int) (n) })
#define NODE_VALS(...) \
	((const node_val[]) { __VA_ARGS__, { .type = NODE_V_END } })

// node_sql_prepare prepares sql on db into *stp with the values v (NULL:
// none); FS_ERR_IO when it cannot.  node_sql_row prepares it and steps to
// its first row: FS_OK on it, FS_ERR_NOT_FOUND when there is none,
// FS_ERR_IO on failure; *stp is the caller's to finalize in every case.
// node_sql_run runs sql, a statement without results, once: FS_OK when it
// ran, FS_ERR_EXISTS when it broke a constraint, else FS_ERR_IO; on
// failure why, when not NULL, has SQLite's message.
fs_err node_sql_prepare(
    sqlite3 *db, const char *sql, const node_val *v, sqlite3_stmt **stp);
fs_err node_sql_row(
    sqlite3 *db, const char *sql, const node_val *v, sqlite3_stmt **stp);
fs_err node_sql_run(
    sqlite3 *db, const char *sql, const node_val *v, char *why, size_t whycap);

// The ID hash names a citizen in the node: the first 16 bytes of
// BLAKE2b-256(key = id_key, normalized ID number).  128 bits keep
// collisions out of reach for any population, and make the records and
// their index a quarter smaller than the full hash would.
#define NODE_IDHASH_BYTES 16

// store.c.  node_meta_get, node_meta_set and node_cache_put_y go through
// the writing connection (wmtx held, or while the node opens);
// node_issuer is called with icmtx held.
fs_err node_store_open(
    fs_node *n, const char *path, const char *rpath, char *why, size_t whycap);
fs_err node_idkey_load(fs_node *n, const char *path, char *why, size_t whycap);
void   node_idhash(
      const fs_node *n, uint8_t out[static NODE_IDHASH_BYTES], const char *idnum);
fs_err node_issuer(fs_node *n, fs_issuer_client **cp);
fs_err node_meta_get(fs_node *n, const char *k, int64_t *v);
fs_err node_meta_set(fs_node *n, const char *k, int64_t v);
// node_cache_get reads through the lookups' connection (qmtx held).
fs_err node_cache_get(fs_node *n,
    const uint8_t              idhash[static NODE_IDHASH_BYTES],
    uint8_t                    subject[static FS_PSEUDONYM_BYTES],
    uint8_t                    base[static FS_PSEUDONYM_BYTES]);
fs_err node_cache_put_y(fs_node *n,
    const uint8_t                idhash[static NODE_IDHASH_BYTES],
    const uint8_t                y[static FS_OPRF_OUTPUT_BYTES]);

// rules.c: node_rules_load reads through db the rules in force into rs,
// the caller's own copy; node_rules_current brings n->rules, the lookups'
// copy, to the version in force, read through the lookups' connection
// (rulesmtx and qmtx held).  Both return FS_ERR_NOT_FOUND when no rules
// were imported.
fs_err node_rules_load(sqlite3 *db, fs_ruleset *rs);
fs_err node_rules_current(fs_node *n);

// lookup.c: node_lookup reads a subject's records through the lookups'
// connection and scores them on today with the rules in force, taking
// rulesmtx and qmtx.  On failure *step says which step failed, and no
// records are returned.
typedef enum node_step {
	NODE_STEP_RULES,
	NODE_STEP_RECORDS,
	NODE_STEP_SCORE,
} node_step;

fs_err node_lookup(fs_node *n, const uint8_t subject[static FS_PSEUDONYM_BYTES],
    fs_day today, fs_node_record **recsp, size_t *np, fs_contribution *c,
    node_step *step);

// An import of records (records.c, recheck.c, and the cache lookups of
// store.c): rows are read, checked and written in chunks.  Every function
// given a node_import runs inside an import, on its thread, which holds
// wmtx, or on its read-ahead thread, which touches no database.
#define NODE_CHUNK 65536 // rows written per step

typedef struct node_row {
	long           line;
	const fs_rule *rule;
	fs_day         occurred_on;
	fs_day         valid_until; // 0: from the rule
	uint8_t        idhash[NODE_IDHASH_BYTES];
	char           id[FS_IDNUM_LEN + 1];
	uint32_t       rid, ref; // offsets in the chunk's text
} node_row;

// The texts of one row as node_records_check reads them; a chunk packs
// them.
typedef struct node_text {
	char   rid[FS_NODE_RID_MAX + 1];
	char   ref[FS_NODE_REF_MAX + 1];
	char   norm[FS_NODE_REF_MAX + 1];
	size_t normlen;
} node_text;

// A chunk of rows, their strings packed in text.
typedef struct node_chunk {
	node_row *rows; // NODE_CHUNK of them
	size_t    nrows;
	char     *text;
	size_t    tlen, tcap;
	uint64_t  offset; // in the file, after the chunk's last line
} node_chunk;

// Rows are looked up in the order of their ID hash.
typedef struct node_key {
	uint8_t idhash[NODE_IDHASH_BYTES];
	size_t  i;
} node_key;

typedef struct node_import {
	fs_node        *n;
	size_t          ncols;
	const char     *name; // of the file, while open
	fs_day          today;
	time_t          now;
	int64_t         id;    // the import's number
	fs_ruleset      rules; // in force when it began, its own copy
	node_chunk      c;     // the chunk being written
	node_key       *order;
	uint64_t       *filter; // of the ID hashes to pseudonymize, bulk
	uint64_t        fmask;
	sqlite3_stmt   *get, *ins, *upd;
	sqlite3_stmt   *same;      // updates a record of the same citizen
	bool            upd_first; // the last row written was updated
	fs_import_stats st;
} node_import;

// recheck.c: node_records_open opens a records file and checks its
// header; node_records_check checks the record just read into w and t;
// node_records_check_all is the first pass over the whole file.
fs_err node_records_open(
    node_import *im, const char *path, fs_csv **rp, char *why, size_t whycap);
fs_err node_records_check(node_import *im, fs_csv *r, size_t nf, node_row *w,
    node_text *t, char *why, size_t whycap);
fs_err node_records_check_all(node_import *im, const char *path,
    fs_progress_fn progress, void *arg, char *why, size_t whycap);

// store.c: node_import_pseudonymize makes sure every citizen of the
// chunk is in the cache; node_import_evaluate pseudonymizes ID numbers
// through the issuer into the cache.
fs_err node_import_pseudonymize(node_import *im, char *why, size_t whycap);
fs_err node_import_evaluate(node_import *im, const char *const *ids,
    const uint8_t (*idhash)[NODE_IDHASH_BYTES], size_t n, char *why,
    size_t whycap);

// bulk.c: node_import_is_bulk tells a bulk import by the lines of the
// file (*lines), node_import_mostly_held a re-export of records the node
// holds.  Tests lower node_big_import to take the bulk path with a few
// records.
extern size_t node_big_import;
bool node_import_is_bulk(node_import *im, const char *path, uint64_t *lines);
bool node_import_mostly_held(
    node_import *im, const char *path, uint64_t records);

// readahead.c: node_read_rows reads the records of path in chunks, each
// line checked and its ID hashed, and gives each chunk to fn in im->c,
// reporting progress as phase; *nrecords counts the records read.  When
// im->filter is set, only the rows whose ID hash it may hold are kept.
// node_chunk_free zeroes and frees a chunk.
fs_err node_read_rows(node_import *im, const char *path, const char *phase,
    fs_err (*fn)(node_import *, char *, size_t), fs_progress_fn progress,
    void *arg, uint64_t *nrecords, char *why, size_t whycap);
void   node_chunk_free(node_chunk *c);

// filter.c: node_probe_has tells whether the probe filter may hold an ID
// hash; node_probe_add puts one in.
bool node_probe_has(
    const node_import *im, const uint8_t h[static NODE_IDHASH_BYTES]);
void node_probe_add(node_import *im, const uint8_t h[static NODE_IDHASH_BYTES]);
// probe.c: node_bulk_pseudonymize finds the citizens of a bulk import
// that the cache does not hold and pseudonymizes them.
fs_err node_bulk_pseudonymize(node_import *im, const char *path,
    fs_progress_fn progress, void *arg, char *why, size_t whycap);

// releases.c: a release as its log entry says it.  node_release_entry
// formats the entry (a JSON line without its newline; free() it);
// node_release_log_append adds it to the tree, inside the caller's
// transaction (relmtx held; the caller restores n->rmst if that fails);
// node_release_log_open loads the tree when the node opens.
typedef struct node_release {
	int64_t        time_ms;
	const uint8_t *request_hash, *jti_hash, *contribution_hash, *receipt;
	const char    *requester, *purpose;
} node_release;

fs_err node_release_entry(char **linep, size_t *lenp, const node_release *r);
fs_err node_release_log_append(fs_node *n, const node_release *r);
fs_err node_release_log_open(fs_node *n, char *why, size_t whycap);

// revocations.c: node_revlist_load installs the revocation list the
// release database keeps, when the daemon starts (taking rlmtx, then
// relmtx).
void node_revlist_load(fs_node *n);

// consent.c: node_consent checks the consent token of lookup l at now (ms)
// into *cl, under rlmtx, and computes the contribution *c
// (fs_node_contribution).
fs_err node_consent(fs_node *n, const fs_lookup *l, uint64_t now, fs_claims *cl,
    fs_contribution *c, char *why, size_t whycap);

// uses.c: node_release_count counts one use of the token of cl and logs
// the release of body in the reply rep, or refuses (FS_ERR_USED_UP); it
// takes relmtx.
fs_err node_release_count(fs_node *n, const fs_envelope *env,
    const fs_claims *cl, const uint8_t *body, size_t blen, const uint8_t *rep,
    size_t replen, char *why, size_t whycap);

// witness.c: node_witness checks a checkpoint of the coordinator's log
// against the last one this node cosigned (under relmtx) and returns the
// body of a COSIGNATURE reply.
fs_err node_witness(fs_node *n, const fs_envelope *env, uint8_t **bodyp,
    size_t *blenp, char *why, size_t whycap);
// node_answer_witness makes the reply to a WITNESS request: the
// cosignature, or a signed error.
void node_answer_witness(fs_node *n, const fs_envelope *env, const uint8_t *req,
    size_t len, uint8_t **repp, size_t *replenp);

#endif // FS_NODEIMPL_H

// SPDX-License-Identifier: Apache-2.0
//
// bench_log.c -- the disclosure log's two costs: durable appends at the
// coordinator, and an auditor's verification of a whole log.
//
// Appends: coord_store_disclose, n disclosures per transaction, into a
// fresh database in a temporary directory (SQLite WAL, synchronous as
// fedscore opens it: every commit is on disk before it returns), beside
// a floor of raw SQLite inserts of the same rows, in the same batches,
// into the same schema without the tree.  Entries are built as the
// coordinator builds them, about 400 bytes, with a 530-byte token.
//
// Verification: the core of `fedscore audit verify` on a log held in
// memory as tiles -- every entry bundle parsed, every entry's leaf hash
// computed and compared with the level-0 hash tile, the tree recomputed
// and its root compared -- beside a floor of SHA-256 over the same entry
// bytes.  Fetching the tiles over HTTP is not timed.
//
// The bench includes coordimpl.h, the coordinator's private header, to
// reach its store: a benchmark of internals, like nng's own perf tests.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "bench/bench.h"
#include "cli/process.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/token.h"
#include <openssl/evp.h>

#define ENTRY_MAX 512

// entry writes the i-th entry, shaped as the coordinator's.
static size_t
entry(char *out, size_t cap, uint64_t i)
{
	uint8_t h[3][32];
	char    b[3][64];

	for (int k = 0; k < 3; k++) {
		uint64_t v = i * 3 + (uint64_t) k;

		crypto_generichash(
		    h[k], 32, (const uint8_t *) &v, sizeof(v), NULL, 0);
		fs_b64_encode(b[k], h[k], 32);
	}
	return ((size_t) snprintf(out, cap,
	    "{\"consent\":\"%s\",\"nodes\":{\"answered\":1,\"expected\":1},"
	    "\"purpose\":\"credit_loan\",\"receipts\":[\"%s\"],"
	    "\"requester\":\"bank-%03u\",\"result\":\"%s\",\"rules\":"
	    "{\"traffic\":\"2024-1\"},\"scheme\":{\"hash\":"
	    "\"2a37d67a89298fdd\",\"id\":\"yuxi\",\"version\":\"2024-1\"},"
	    "\"scope\":\"score\",\"subject\":\"%s\",\"time\":"
	    "\"2026-11-23T16:20:33Z\"}",
	    b[0], b[1], (unsigned) (i % 100), b[2], b[0]));
}

typedef struct appends {
	fs_coord         *c;
	sqlite3          *raw;
	sqlite3_stmt     *ins;
	size_t            batch;
	uint64_t          next;
	coord_disclosure *d;
	char (*entries)[ENTRY_MAX];
	char     token[600];
	int64_t *idx;
} appends;

static void
fill(appends *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		entry(a->entries[i], ENTRY_MAX, a->next + i);
		a->d[i] = (coord_disclosure) { .time_ms = 1795450833000,
			.requester                      = "bank-001",
			.purpose                        = "credit_loan",
			.scope                          = "score",
			.consent                        = a->token,
			.entry                          = a->entries[i] };
		memcpy(a->d[i].subject, &a->next, sizeof(a->next));
	}
}

// in_batches appends iters rows with store, in batches of a->batch.
static void
in_batches(appends *a, size_t iters, void (*store)(appends *a, size_t n))
{
	for (size_t done = 0; done < iters; done += a->batch) {
		size_t n = iters - done < a->batch ? iters - done : a->batch;

		fill(a, n);
		store(a, n);
		a->next += n;
	}
}

static void
store_disclose(appends *a, size_t n)
{
	if (coord_store_disclose(a->c, a->d, n, a->idx) != FS_OK) {
		fprintf(stderr, "bench_log: disclose failed\n");
		exit(1);
	}
}

// The floor: the same rows, the same transactions, no tree.
static void
store_raw(appends *a, size_t n)
{
	fs_db_begin(a->raw);
	for (size_t i = 0; i < n; i++) {
		const coord_disclosure *d = &a->d[i];

		sqlite3_bind_int64(a->ins, 1, (int64_t) (a->next + i));
		sqlite3_bind_int64(a->ins, 2, d->time_ms);
		sqlite3_bind_text(a->ins, 3, d->requester, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->ins, 4, d->purpose, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->ins, 5, d->scope, -1, SQLITE_STATIC);
		sqlite3_bind_blob(
		    a->ins, 6, d->subject, FS_SUBJECT_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(a->ins, 7, d->salt, 16, SQLITE_STATIC);
		sqlite3_bind_text(a->ins, 8, d->consent, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->ins, 9, d->entry, -1, SQLITE_STATIC);
		if (sqlite3_step(a->ins) != SQLITE_DONE) {
			fprintf(stderr, "bench_log: insert failed\n");
			exit(1);
		}
		sqlite3_reset(a->ins);
	}
	if (fs_db_commit(a->raw) != FS_OK) {
		exit(1);
	}
}

static void
run_disclose(void *arg, size_t iters)
{
	in_batches(arg, iters, store_disclose);
}

static void
run_raw(void *arg, size_t iters)
{
	in_batches(arg, iters, store_raw);
}

static void
bench_appends(const char *dir)
{
	static const size_t batches[] = { 1, 100, 1000 };
	appends             a         = { .batch = 1000 };
	char                path[4096], why[FS_WHY_MAX];

	a.c       = calloc(1, sizeof(*a.c));
	a.d       = calloc(1000, sizeof(*a.d));
	a.idx     = calloc(1000, sizeof(*a.idx));
	a.entries = calloc(1000, sizeof(*a.entries));
	memset(a.token, 'T', 530);
	pthread_mutex_init(&a.c->dbmtx, NULL);
	fs_merkle_state_init(&a.c->mst);
	snprintf(path, sizeof(path), "%s/coord.db", dir);
	if (coord_store_open(a.c, path, why, sizeof(why)) != FS_OK) {
		fprintf(stderr, "bench_log: %s\n", why);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/raw.db", dir);
	if (fs_db_open(&a.raw, path,
	        "CREATE TABLE disclosure (idx INTEGER PRIMARY KEY, time_ms "
	        "INTEGER NOT NULL, requester TEXT NOT NULL, purpose TEXT NOT "
	        "NULL, scope TEXT NOT NULL, subject BLOB NOT NULL, salt BLOB "
	        "NOT NULL, consent TEXT NOT NULL, entry TEXT NOT NULL);"
	        "CREATE INDEX disclosure_subject ON disclosure (subject);",
	        1, why, sizeof(why))
	        != FS_OK
	    || sqlite3_prepare_v2(a.raw,
	           "INSERT INTO disclosure VALUES (?,?,?,?,?,?,?,?,?)", -1,
	           &a.ins, NULL)
	        != SQLITE_OK) {
		fprintf(stderr, "bench_log: raw database: %s\n", why);
		exit(1);
	}
	printf("durable log appends (WAL, synchronous=FULL), ~400-byte "
	       "entries; median of 5 rounds\n");
	for (size_t k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
		size_t iters = batches[k] == 1 ? 200 : 20000;
		double floor, rate;
		char   name[96];

		a.batch = batches[k];
		a.next  = a.c->mst.size + 1000000 * (k + 1);
		floor   = bench_rate(run_raw, &a, iters, 5);
		a.next  = a.c->mst.size;
		rate    = bench_rate(run_disclose, &a, iters, 5);
		snprintf(name, sizeof(name),
		    "raw SQLite inserts, %zu per transaction (floor)",
		    batches[k]);
		bench_print(name, floor, floor);
		snprintf(name, sizeof(name),
		    "coord_store_disclose, %zu per transaction", batches[k]);
		bench_print(name, rate, floor);
	}
	printf("  (log size at the end: %llu entries)\n",
	    (unsigned long long) a.c->mst.size);
	sqlite3_finalize(a.ins);
	fs_db_close(a.raw);
	fs_db_close(a.c->db);
	free(a.c);
	free(a.d);
	free(a.idx);
	free(a.entries);
}

// A log of n entries in memory: its bundles and level-0 hash tiles.
typedef struct memlog {
	uint64_t n;
	uint8_t *bundles; // all bundles, one after the other
	size_t  *off;     // offset of bundle k, and the end
	uint8_t *hashes;  // n leaf hashes
	uint8_t  root[FS_MERKLE_HASH_BYTES];
	uint64_t bytes; // entry bytes
} memlog;

static void
memlog_make(memlog *m, uint64_t n)
{
	uint64_t        ntiles = (n + FS_TILE_WIDTH - 1) / FS_TILE_WIDTH;
	size_t          pos    = 0;
	fs_merkle_state st;

	m->n       = n;
	m->bundles = malloc(n * (ENTRY_MAX + 2));
	m->off     = malloc((ntiles + 1) * sizeof(*m->off));
	m->hashes  = malloc(n * FS_MERKLE_HASH_BYTES);
	m->bytes   = 0;
	fs_merkle_state_init(&st);
	for (uint64_t i = 0; i < n; i++) {
		char   e[ENTRY_MAX];
		size_t len = entry(e, sizeof(e), i);

		if (i % FS_TILE_WIDTH == 0) {
			m->off[i / FS_TILE_WIDTH] = pos;
		}
		m->bundles[pos++] = (uint8_t) (len >> 8);
		m->bundles[pos++] = (uint8_t) len;
		memcpy(m->bundles + pos, e, len);
		pos += len;
		m->bytes += len;
		fs_merkle_leaf_hash(
		    m->hashes + i * FS_MERKLE_HASH_BYTES, (uint8_t *) e, len);
		fs_merkle_state_append(
		    &st, m->hashes + i * FS_MERKLE_HASH_BYTES, NULL, NULL);
	}
	m->off[ntiles] = pos;
	fs_merkle_state_root(&st, m->root);
}

// verify is the core of audit verify over m; returns 0 when it holds.
static int
verify(const memlog *m)
{
	static fs_bundle_entry e[FS_TILE_WIDTH];
	uint64_t      ntiles = (m->n + FS_TILE_WIDTH - 1) / FS_TILE_WIDTH;
	fs_audit_tree t;
	uint8_t       root[FS_MERKLE_HASH_BYTES];
	uint64_t      bad;
	size_t        cnt;

	fs_audit_tree_init(&t, 0);
	for (uint64_t k = 0; k < ntiles; k++) {
		size_t w = m->n - k * FS_TILE_WIDTH < FS_TILE_WIDTH
		    ? m->n - k * FS_TILE_WIDTH
		    : FS_TILE_WIDTH;

		if (fs_bundle_parse(e, w, &cnt, m->bundles + m->off[k],
		        m->off[k + 1] - m->off[k])
		        != FS_OK
		    || cnt != w
		    || fs_audit_tree_add(&t, e,
		           m->hashes + k * FS_TILE_WIDTH * FS_MERKLE_HASH_BYTES,
		           w, &bad)
		        != FS_OK) {
			return (-1);
		}
	}
	fs_audit_tree_root(&t, root);
	return (sodium_memcmp(root, m->root, sizeof(root)) == 0 ? 0 : -1);
}

// The floor: SHA-256 of every entry's bytes, nothing else.
static void
sha_floor(const memlog *m, uint8_t out[static 32])
{
	size_t  pos = 0;
	EVP_MD *md  = EVP_MD_fetch(NULL, "SHA256", NULL);

	for (uint64_t i = 0; i < m->n; i++) {
		size_t len
		    = ((size_t) m->bundles[pos] << 8) | m->bundles[pos + 1];

		// The floor hashes with the same SHA-256 as the log.
		EVP_Digest(m->bundles + pos + 2, len, out, NULL, md, NULL);
		pos += 2 + len;
	}
	EVP_MD_free(md);
}

static void
bench_verify(uint64_t n)
{
	memlog  m;
	double  t0, best_v = 1e9, best_f = 1e9;
	uint8_t h[32];

	printf("\naudit verify core over %llu entries in memory, best of 3\n",
	    (unsigned long long) n);
	t0 = bench_now();
	memlog_make(&m, n);
	printf("  (log built in %.2f s: %.0f MB of entries, %.0f bytes "
	       "each)\n",
	    bench_now() - t0, (double) m.bytes / 1e6,
	    (double) m.bytes / (double) n);
	for (int r = 0; r < 3; r++) {
		t0 = bench_now();
		sha_floor(&m, h);
		if (bench_now() - t0 < best_f) {
			best_f = bench_now() - t0;
		}
		t0 = bench_now();
		if (verify(&m) != 0) {
			fprintf(stderr, "bench_log: the log does not verify\n");
			exit(1);
		}
		if (bench_now() - t0 < best_v) {
			best_v = bench_now() - t0;
		}
	}
	printf("  %-44s %8.3f s   %5.2fx\n", "SHA-256 of every entry (floor)",
	    best_f, 1.0);
	printf("  %-44s %8.3f s   %5.2fx\n",
	    "parse + leaf hash + compare + root", best_v, best_v / best_f);
	printf("  %-44s %8.0f entries/s\n", "verification rate",
	    (double) n / best_v);
	free(m.bundles);
	free(m.off);
	free(m.hashes);
}

int
main(int argc, char **argv)
{
	char     dir[] = "/tmp/fs-bench-log.XXXXXX";
	uint64_t n     = 1000000;

	if (argc > 1) {
		n = strtoull(argv[1], NULL, 10);
	}
	if (fs_crypto_init() != FS_OK || !bench_tmpdir(dir, false)) {
		return (1);
	}
	bench_machine();
	bench_appends(dir);
	bench_verify(n);
	if (cli_rmtree(dir) != 0) {
		fprintf(stderr, "bench_log: could not remove %s\n", dir);
	}
	return (0);
}

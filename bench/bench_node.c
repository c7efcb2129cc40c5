// SPDX-License-Identifier: Apache-2.0
//
// bench_node.c -- a department node's import and lookup rates, each beside
// a floor measured in the same run.
//
//   bench_node [RECORDS] [import]   (default 1000000)
//
// With "import", only the import and its floor are measured.
//
// Import: RECORDS synthetic records of RECORDS/5 citizens, their
// pseudonyms already in the node's cache (the case of a daily re-export),
// through fedscore node records import; the floor is raw SQLite inserting
// the same rows, already parsed and pseudonymized, into the same table
// with a prepared statement in one transaction, and indexing them after.
// Lookups: one subject's contribution computed from the database, beside
// the floor of the indexed SQLite query that reads the same rows; the
// whole answer to a sealed LOOKUP (envelope, consent token, scoring, use
// counting and release log, durable, then the sealed reply) beside
// Ed25519 sign + verify.  Peak RSS is the process's, after the import.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cli/process.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/revocations.h"
#include "wire/token.h"

#define PER_CITIZEN 5
#define ANSWERS     2000

static const char *const codes[] = { "NEG1", "NEG2", "POS1", "SH1" };

static uint64_t rng = 88172645463325252ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

// citizen writes the i-th fictitious ID number, with its check character.
static void
citizen(char out[static FS_IDNUM_LEN + 1], size_t i)
{
	static const int w[17]
	    = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	char date[FS_DATE_LEN + 1];
	int  sum = 0;

	fs_date_format(date, (fs_day) (-7305 + (int) (i / 999))); // from 1950
	snprintf(out, FS_IDNUM_LEN + 1, "320402%.4s%.2s%.2s%03zu", date,
	    date + 5, date + 8, i % 999 + 1);
	for (int k = 0; k < 17; k++) {
		sum += (out[k] - '0') * w[k];
	}
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

typedef struct row {
	size_t   who;
	int      code;
	uint32_t ref;
	fs_day   on;
} row;

static row
gen_row(void)
{
	row r;

	r.who  = 0;
	r.code = (int) (next() % 4);
	r.ref  = (uint32_t) next();
	r.on   = 18262 + (fs_day) (next() % 2000); // from 2020-01-01
	return (r);
}

#define CACHE_BATCH 65536

static void
y_of(uint8_t y[static FS_OPRF_OUTPUT_BYTES], size_t i)
{
	crypto_generichash(
	    y, FS_OPRF_OUTPUT_BYTES, (const uint8_t *) &i, sizeof(i), NULL, 0);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static long
peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_maxrss / 1024);
}

// phase_seen notes how long each phase of the import took; a phase of ""
// closes the last one.
static char   phases[256];
static char   cur[32];
static double since;

static void
phase_seen(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	(void) arg;
	(void) done;
	(void) total;
	if (strcmp(phase, cur) == 0) {
		return;
	}
	if (cur[0] != '\0') {
		size_t len = strlen(phases);

		snprintf(phases + len, sizeof(phases) - len, "%s%s %.1f s",
		    len > 0 ? ", " : "", cur, bench_now() - since);
	}
	snprintf(cur, sizeof(cur), "%s", phase);
	since = bench_now();
}

// timed_import imports the records file and prints its time by phase;
// the time, or -1.
static double
timed_import(fs_node *n, const char *path, const char *what)
{
	fs_import_stats st;
	char            why[FS_WHY_MAX];
	double          t0;

	phases[0] = cur[0] = '\0';
	t0                 = bench_now();
	phase_seen(NULL, "writing", 0, 0);
	if (fs_node_records_import(
	        n, path, phase_seen, NULL, &st, why, sizeof(why))
	    != FS_OK) {
		fprintf(stderr, "%s\n", why);
		return (-1);
	}
	t0 = bench_now() - t0;
	phase_seen(NULL, "", 0, 0);
	printf("  %s took %.1f s (%s); peak RSS of the process so far "
	       "%ld MiB\n",
	    what, t0, phases, peak_rss_mib());
	return (t0);
}

// The floor of the import: the same rows into the same table (the first
// 16 bytes of each subject stand in for the citizen's ID hash).
static double
floor_import(const char *dir, size_t nrec, size_t ncit, uint8_t (*subj)[32])
{
	char          path[256], ref[16], rid[32], date[FS_DATE_LEN + 1];
	sqlite3      *db;
	sqlite3_stmt *st;
	double        t0;

	snprintf(path, sizeof(path), "%s/floor.db", dir);
	sqlite3_open(path, &db);
	sqlite3_exec(db,
	    "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
	    "PRAGMA cache_size=-16384;"
	    "CREATE TABLE record (record_id TEXT PRIMARY KEY, idhash BLOB "
	    "NOT NULL, code TEXT NOT NULL, event_ref TEXT NOT NULL, "
	    "occurred_on INTEGER NOT NULL, valid_until INTEGER, "
	    "import INTEGER NOT NULL) WITHOUT ROWID;",
	    NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
	    "INSERT INTO record VALUES (?, ?, ?, ?, ?, NULL, 1)", -1, &st,
	    NULL);
	rng = 42;
	t0  = bench_now();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < nrec; i++) {
		row r = gen_row();

		r.who = (size_t) (next() % ncit);
		snprintf(rid, sizeof(rid), "R%09zu", i);
		snprintf(ref, sizeof(ref), "E%08x", (unsigned) r.ref);
		fs_date_format(date, r.on);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 2, subj[r.who], 16, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, codes[r.code], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ref, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 5, r.on);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db,
	    "PRAGMA threads=2; PRAGMA cache_size=-6144;"
	    "CREATE INDEX record_idhash ON record(idhash);"
	    "COMMIT",
	    NULL, NULL, NULL);
	t0 = bench_now() - t0;
	sqlite3_close(db);
	return ((double) nrec / t0);
}

typedef struct lctx {
	fs_node      *n;
	sqlite3      *floor;
	sqlite3_stmt *q;
	uint8_t (*subj)[32];
	size_t    ncit;
	fs_day    today;
	fs_key   *sk, *coord;
	uint8_t **env;
	size_t   *envlen;
	size_t    next;
} lctx;

static void
contrib(void *arg, size_t iters)
{
	lctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		fs_contribution k;

		if (fs_node_contribution(
		        c->n, c->subj[next() % c->ncit], c->today, &k)
		    != FS_OK) {
			abort();
		}
		fs_contribution_fini(&k);
	}
}

static void
floor_lookup(void *arg, size_t iters)
{
	lctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		sqlite3_reset(c->q);
		sqlite3_bind_blob(
		    c->q, 1, c->subj[next() % c->ncit], 16, SQLITE_STATIC);
		while (sqlite3_step(c->q) == SQLITE_ROW) {
		}
	}
}

static void
sign_verify(void *arg, size_t iters)
{
	lctx   *c = arg;
	uint8_t sig[FS_SIG_BYTES], msg[256] = { 0 };

	for (size_t i = 0; i < iters; i++) {
		fs_key_sign(c->sk, sig, msg, sizeof(msg));
		if (!fs_key_verify(
		        fs_key_public(c->sk), sig, msg, sizeof(msg))) {
			abort();
		}
	}
}

static void
answer(void *arg, size_t iters)
{
	lctx *c = arg;

	for (size_t i = 0; i < iters; i++) {
		uint8_t    *rep;
		size_t      len;
		fs_envelope env;
		fs_keyring  ring = { fs_key_public(c->sk), 1 };
		size_t      k    = c->next++ % ANSWERS;

		fs_node_answer(c->n, c->env[k], c->envlen[k], &rep, &len);
		if (fs_envelope_open(&env, rep, len, c->coord,
		        fs_keyring_lookup, &ring, fs_now_ms(),
		        FS_SKEW_DEFAULT_MS)
		        != FS_OK
		    || env.type != FS_MSG_CONTRIBUTION) {
			abort();
		}
		fs_envelope_fini(&env);
		free(rep);
	}
}

// make_requests seals ANSWERS lookups, each with its own consent token.
static void
make_requests(lctx *c, fs_key *issuer)
{
	c->env    = calloc(ANSWERS, sizeof(*c->env));
	c->envlen = calloc(ANSWERS, sizeof(*c->envlen));
	for (size_t i = 0; i < ANSWERS; i++) {
		fs_claims       cl;
		fs_lookup       l = { 0 };
		char           *tok;
		uint8_t        *body;
		size_t          blen;
		size_t          who = (size_t) (next() % c->ncit);
		fs_envelope_out m   = { .type = FS_MSG_LOOKUP,
			  .recipient          = fs_key_public(c->sk),
			  .enc                = FS_ENC_SEALED };

		fs_claims_init(&cl);
		memcpy(cl.sub, c->subj[who], 32);
		strcpy(cl.iss, "bench");
		strcpy(cl.aud, "bank");
		strcpy(cl.purpose, "credit_loan");
		cl.scope = FS_SCOPE_SCORE;
		cl.iat = cl.nbf = (int64_t) time(NULL);
		cl.exp          = cl.iat + 3600;
		if (fs_token_issue(&tok, issuer, &cl, "r") != FS_OK) {
			abort();
		}
		memcpy(l.subject, c->subj[who], 32);
		snprintf(l.token, sizeof(l.token), "%s", tok);
		free(tok);
		l.deadline_ms = fs_now_ms() + 3600000;
		fs_lookup_encode(&l, &body, &blen);
		m.time_ms  = fs_now_ms() + 60000;
		m.body     = body;
		m.body_len = blen;
		if (fs_envelope_seal(c->coord, &m, &c->env[i], &c->envlen[i])
		    != FS_OK) {
			abort();
		}
		free(body);
	}
}

// open_node makes a node in dir: its key, the issuer's and the
// coordinator's (in c->sk, *issuer and c->coord), an OPRF key, the rules
// and the configuration; then opens it and imports the rules.
static int
open_node(const char *dir, lctx *c, fs_key **issuer)
{
	char         path[512], why[FS_WHY_MAX], ver[FS_VERSION_MAX + 1];
	char         b64[64];
	fs_oprf_key *ok;
	bool         changed;

	fs_key_generate(&c->sk);
	fs_key_generate(issuer);
	fs_key_generate(&c->coord);
	snprintf(path, sizeof(path), "%s/node.key", dir);
	fs_keyfile_write_secret(path, c->sk, "bench");
	snprintf(path, sizeof(path), "%s/issuer.pub", dir);
	fs_keyfile_write_public(path, fs_key_public(*issuer));
	snprintf(path, sizeof(path), "%s/coord.pub", dir);
	fs_keyfile_write_public(path, fs_key_public(c->coord));
	fs_oprf_key_generate(&ok, FS_OPRF_MODE_VOPRF);
	fs_b64_encode(b64, fs_oprf_key_public(ok), 32);
	fs_oprf_key_free(ok);
	strcat(b64, "\n");
	snprintf(path, sizeof(path), "%s/oprf.pub", dir);
	put(path, b64);
	snprintf(path, sizeof(path), "%s/rules.csv", dir);
	put(path,
	    "code,name,dimension,points,valid_days,severe,shared,"
	    "repair_bonus\nNEG1,a,negative,-10,,0,0,2\n"
	    "NEG2,b,negative,-50,,1,0,5\nPOS1,c,positive,10,,0,0,\n"
	    "SH1,d,negative,-100,1825,1,1,10\n");
	snprintf(path, sizeof(path), "%s/node.conf", dir);
	put(path,
	    "[node]\nname = bench\nkey = node.key\ndb = node.db\n"
	    "listen = ipc:///nonexistent\ncoordinator = coord.pub\n"
	    "[issuer]\nurl = ipc:///nonexistent\nkey = issuer.pub\n"
	    "oprf = oprf.pub\nregion = r\n");
	if (fs_node_open(&c->n, path, why, sizeof(why)) != FS_OK) {
		fprintf(stderr, "%s\n", why);
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/rules.csv", dir);
	fs_node_rules_import(c->n, path, ver, &changed, why, sizeof(why));
	return (0);
}

// cache_citizens puts ncit citizens in the node's cache, as after a
// first import, in batches; y of citizen i is a hash of i, so nothing big
// is held during the import and the peak RSS is the import's.
static int
cache_citizens(fs_node *n, size_t ncit)
{
	char(*ids)[FS_IDNUM_LEN + 1] = calloc(CACHE_BATCH, sizeof(*ids));
	const char **idp             = calloc(CACHE_BATCH, sizeof(*idp));
	uint8_t     *y  = malloc(CACHE_BATCH * FS_OPRF_OUTPUT_BYTES);
	int          rv = 0;

	for (size_t i = 0; i < ncit && rv == 0; i += CACHE_BATCH) {
		size_t k = ncit - i < CACHE_BATCH ? ncit - i : CACHE_BATCH;

		for (size_t j = 0; j < k; j++) {
			citizen(ids[j], i + j);
			idp[j] = ids[j];
			y_of(y + j * FS_OPRF_OUTPUT_BYTES, i + j);
		}
		if (fs_node_cache_put(n, idp, y, k) != FS_OK) {
			rv = -1;
		}
	}
	free(y);
	free(idp);
	free(ids);
	return (rv);
}

// write_export writes a department's export of nrec records of ncit
// citizens.
static void
write_export(const char *path, size_t nrec, size_t ncit)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "record_id,id_number,code,event_ref,occurred_on\n");
	rng = 42;
	for (size_t i = 0; i < nrec; i++) {
		row  r = gen_row();
		char date[FS_DATE_LEN + 1], id[FS_IDNUM_LEN + 1];

		r.who = (size_t) (next() % ncit);
		citizen(id, r.who);
		fs_date_format(date, r.on);
		fprintf(f, "R%09zu,%s,%s,E%08x,%s\n", i, id, codes[r.code],
		    (unsigned) r.ref, date);
	}
	fclose(f);
}

// bench_import imports the export twice, the second time as a daily
// re-export that updates every record, and measures the floor; it
// leaves the citizens' subjects in c for the lookups.
static int
bench_import(lctx *c, const char *dir, const char *path, size_t nrec)
{
	double t0, imp, flr;

	printf("node: %zu records of %zu citizens, pseudonyms cached\n", nrec,
	    c->ncit);
	if ((t0 = timed_import(c->n, path, "import")) < 0) {
		return (-1);
	}
	imp = (double) nrec / t0;
	if (timed_import(c->n, path, "re-import, every record updated") < 0) {
		return (-1);
	}
	c->subj = calloc(c->ncit, 32);
	for (size_t i = 0; i < c->ncit; i++) {
		uint8_t yi[FS_OPRF_OUTPUT_BYTES];

		y_of(yi, i);
		fs_pseudonym_subject(c->subj[i], yi);
	}
	flr = floor_import(dir, nrec, c->ncit, c->subj);
	bench_print("SQLite insert + index, same rows (floor)", flr, flr);
	bench_print("records import, cached pseudonyms", imp, flr);
	return (0);
}

// bench_lookups measures a contribution and a whole sealed answer, each
// beside its floor.
static void
bench_lookups(lctx *c, const char *dir, fs_key *issuer)
{
	char       path[512];
	double     flr;
	fs_revlist rl = { 0 };

	snprintf(path, sizeof(path), "%s/floor.db", dir);
	sqlite3_open(path, &c->floor);
	sqlite3_prepare_v2(c->floor,
	    "SELECT record_id, code, event_ref, occurred_on, valid_until, "
	    "import FROM record WHERE idhash = ?",
	    -1, &c->q, NULL);
	c->today = fs_today((int64_t) time(NULL));
	printf("lookups, median of 5 rounds:\n");
	flr = bench_rate(floor_lookup, c, 20000, 5);
	bench_print("SQLite indexed lookup of the rows (floor)", flr, flr);
	bench_print(
	    "contribution computed", bench_rate(contrib, c, 20000, 5), flr);
	fs_node_set_revocations(c->n, &rl, fs_now_ms() + 3600000);
	make_requests(c, issuer);
	flr = bench_rate(sign_verify, c, 1000, 5);
	bench_print("Ed25519 sign + verify (floor)", flr, flr);
	bench_print("LOOKUP answered, durable (fsync per answer)",
	    bench_rate(answer, c, 300, 5), flr);
	printf("peak RSS %ld MiB\n", peak_rss_mib());
	for (size_t i = 0; i < ANSWERS; i++) {
		free(c->env[i]);
	}
	free(c->env);
	free(c->envlen);
	sqlite3_finalize(c->q);
	sqlite3_close(c->floor);
}

int
main(int argc, char **argv)
{
	size_t  nrec  = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	bool    only  = argc > 2 && strcmp(argv[2], "import") == 0;
	char    dir[] = "/tmp/fs-bench-node-XXXXXX";
	char    path[512];
	fs_key *issuer;
	lctx    c = { 0 };

	c.ncit = nrec / PER_CITIZEN > 0 ? nrec / PER_CITIZEN : 1;
	fs_log_set_level(FS_LOG_WARN);
	if (fs_crypto_init() != FS_OK || !bench_tmpdir(dir, false)) {
		return (2);
	}
	bench_machine();
	if (open_node(dir, &c, &issuer) != 0
	    || cache_citizens(c.n, c.ncit) != 0) {
		return (2);
	}
	snprintf(path, sizeof(path), "%s/records.csv", dir);
	write_export(path, nrec, c.ncit);
	if (bench_import(&c, dir, path, nrec) != 0) {
		return (2);
	}
	if (!only) {
		bench_lookups(&c, dir, issuer);
	}
	free(c.subj);
	fs_node_close(c.n);
	fs_key_free(issuer);
	fs_key_free(c.sk);
	fs_key_free(c.coord);
	return (cli_rmtree(dir) == 0 ? 0 : 2);
}

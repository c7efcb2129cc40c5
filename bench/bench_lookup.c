// SPDX-License-Identifier: Apache-2.0
//
// bench_lookup.c -- consented lookups through the whole federation: real
// issuer, node and coordinator processes on loopback, and requesters in
// this process.
//
// Throughput: lookups per second with 8 nodes (by default) and several
// requesters at once, as a ratio to the crypto floor: the signatures,
// verifications and sealed boxes that one lookup needs, run back to back
// on one core in this process.  Latency: p50 and p99 of one requester's
// lookups, one at a time, with 16 nodes.
//
// usage: bench_lookup [-n NODES] [-l LATENCY_NODES] [-c CONCURRENCY]
//                     [-r LOOKUPS]
// It runs the fedscore binary beside it (build/cli/fedscore).

#include <sodium.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/bench.h"
#include "cli/process.h"
#include "common/err.h"
#include "crypto/key.h"
#include "net/transport.h"
#include "wire/request.h"

#define NODES_MAX 32

static char      dir[] = "/tmp/fedscore-bench.XXXXXX";
static pid_t     procs[NODES_MAX + 4];
static int       nprocs;
static fs_key   *requester;
static fs_pubkey coord_pub;
static char      token[8192];

static void
run(const char *out, const char *const args[])
{
	if (bench_run(out, args) != 0) {
		fprintf(stderr,
		    "bench_lookup: fedscore %s %s failed; see %s/bench.log\n",
		    args[0], args[1], dir);
		exit(2);
	}
}

static void
daemon_start(const char *const args[])
{
	procs[nprocs++] = bench_spawn("/dev/null", args);
}

static void
stop_all(void)
{
	for (int i = nprocs - 1; i >= 0; i--) {
		bench_stop(procs[i]);
	}
	nprocs = 0;
}

static void
write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		exit(2);
	}
}

// start_issuer makes the issuer's keys, the coordinator's and the
// bank's, registers the coordinator and starts the issuer.
static void
start_issuer(void)
{
	const char *const init[]
	    = { "issuer", "init", "-c", "issuer.conf", NULL };
	const char *const iss[]
	    = { "issuer", "serve", "-c", "issuer.conf", NULL };
	char buf[4096];

	snprintf(buf, sizeof(buf),
	    "[issuer]\nname = bench-issuer\nregion = yuxi\nkey = issuer.key\n"
	    "oprf_seed = oprf.seed\ndb = issuer.db\nlisten = "
	    "ipc://%s/issuer.sock\n",
	    dir);
	write_file("issuer.conf", buf);
	run("/dev/null", init);
	run("/dev/null",
	    (const char *const[]) { "keygen", "-o", "coord.key", NULL });
	run("/dev/null",
	    (const char *const[]) { "keygen", "-o", "bank.key", NULL });
	run("/dev/null",
	    (const char *const[]) { "issuer", "register", "-c", "issuer.conf",
	        "--name", "coord", "--role", "coordinator", "--key",
	        "coord.key.pub", NULL });
	daemon_start(iss);
}

// start_node makes node i's key, registers it, imports rules.csv and
// records.csv and starts it; its section of the coordinator's
// configuration goes to coord.
static void
start_node(int i, FILE *coord)
{
	char name[32], key[48], pub[48], conf[48], buf[4096];

	snprintf(name, sizeof(name), "n%d", i);
	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(pub, sizeof(pub), "%s.key.pub", name);
	snprintf(conf, sizeof(conf), "%s.conf", name);
	run("/dev/null", (const char *const[]) { "keygen", "-o", key, NULL });
	run("/dev/null",
	    (const char *const[]) { "issuer", "register", "-c", "issuer.conf",
	        "--name", name, "--role", "node", "--key", pub, NULL });
	snprintf(buf, sizeof(buf),
	    "[node]\nname = %s\nkey = %s\ndb = %s.db\n"
	    "listen = ipc://%s/%s.sock\ncoordinator = coord.key.pub\n"
	    "[issuer]\nurl = ipc://%s/issuer.sock\nkey = "
	    "issuer.key.pub\n"
	    "oprf = oprf.seed.pub\nregion = yuxi\n",
	    name, key, name, dir, name, dir);
	write_file(conf, buf);
	run("/dev/null",
	    (const char *const[]) {
	        "node", "rules", "import", "-c", conf, "rules.csv", NULL });
	run("/dev/null",
	    (const char *const[]) {
	        "node", "records", "import", "-c", conf, "records.csv", NULL });
	daemon_start(
	    (const char *const[]) { "node", "serve", "-c", conf, NULL });
	fprintf(coord, "[node %s]\nkey = %s\nurl = ipc://%s/%s.sock\n", name,
	    pub, dir, name);
}

// grant_token asks the issuer for the bank's consent token, into token.
static void
grant_token(void)
{
	FILE *f;

	run("token",
	    (const char *const[]) { "consent", "grant", "-c", "issuer.conf",
	        "--id", "11010519491231002X", "--to", "bank", "--purpose",
	        "credit_loan", "--scope", "score", "--ttl", "1h", "--uses",
	        "1000000", NULL });
	f = fopen("token", "r");
	if (f == NULL || fgets(token, sizeof(token), f) == NULL) {
		exit(2);
	}
	fclose(f);
	token[strcspn(token, "\n")] = '\0';
}

// federation starts an issuer, n nodes and a coordinator listening for
// internal callers on ipc, and gets the bank a consent token.
static void
federation(int n)
{
	const char *const co[]
	    = { "coordinator", "serve", "-c", "coord.conf", NULL };
	FILE *f;

	start_issuer();
	write_file("rules.csv",
	    "code,name,dimension,points,valid_days,severe,shared,repair_bonus\n"
	    "P1,good "
	    "deed,positive,10,,0,0,0\nS1,default,negative,-50,,1,1,10\n");
	write_file("records.csv",
	    "record_id,id_number,code,event_ref,occurred_on\n"
	    "r1,11010519491231002X,P1,,2026-01-02\n"
	    "r2,11010519491231002X,S1,case-1,2026-02-03\n");
	write_file("scheme.conf",
	    "[scheme]\nid = bench\nversion = 1\nregion = yuxi\nscale_min = 0\n"
	    "scale_max = 1000\nbase = 500\ndeadline = 2s\n"
	    "purposes = credit_loan\n[tier good]\nlabel = good\nmin = 600\n"
	    "[tier fair]\nlabel = fair\nmin = 0\n");
	f = fopen("coord.conf", "w");
	fprintf(f,
	    "[coordinator]\nname = bench\nkey = coord.key\ndb = coord.db\n"
	    "scheme = scheme.conf\nhttp = http://127.0.0.1:0\n"
	    "listen = ipc://%s/coord.sock\n"
	    "[issuer]\nurl = ipc://%s/issuer.sock\nkey = issuer.key.pub\n"
	    "region = yuxi\n"
	    "[requester bank]\nkey = bank.key.pub\npurposes = credit_loan\n",
	    dir, dir);
	for (int i = 0; i < n; i++) {
		start_node(i, f);
	}
	fclose(f);
	daemon_start(co);
	grant_token();
}

// one_lookup: a signed request over nng, the signed answer checked.
static fs_err
one_lookup(fs_client *c)
{
	char    *req = NULL, *body, *aj = NULL;
	uint8_t *rep = NULL;
	size_t   len;
	json_t  *o = NULL;
	fs_err   rv;

	if ((rv = fs_request_sign(
	         &req, requester, token, NULL, "yuxi", (int64_t) time(NULL)))
	    != FS_OK) {
		return (rv);
	}
	o    = json_pack("{s:s}", "request", req);
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	rv = fs_client_call(
	    c, (const uint8_t *) body, strlen(body), 5000, &rep, &len);
	free(body);
	free(req);
	if (rv != FS_OK) {
		return (rv);
	}
	o = json_loadb((const char *) rep, len, 0, NULL);
	free(rep);
	if (json_integer_value(json_object_get(o, "status")) != 200) {
		json_decref(o);
		return (FS_ERR_REFUSED);
	}
	// An answer without every node is not a lookup done.
	if (!json_is_true(json_object_get(
	        json_object_get(json_object_get(o, "body"), "answer"),
	        "complete"))) {
		json_decref(o);
		return (FS_ERR_TIMEOUT);
	}
	{
		const char *s = json_string_value(
		    json_object_get(json_object_get(o, "body"), "signed"));

		rv = s != NULL
		    ? fs_answer_verify(&aj, s, strlen(s), &coord_pub, "yuxi")
		    : FS_ERR_MALFORMED;
	}
	free(aj);
	json_decref(o);
	return (rv);
}

typedef struct worker_arg {
	fs_client *c;
	int        count;
	int        failed;
} worker_arg;

static void *
worker(void *p)
{
	worker_arg *w = p;

	for (int i = 0; i < w->count; i++) {
		if (one_lookup(w->c) != FS_OK) {
			w->failed++;
		}
	}
	return (NULL);
}

// The crypto one lookup needs, on one core: per node the coordinator seals
// a request (sign + box) and opens the contribution (verify + box), the
// node opens the request and seals its answer and verifies the consent;
// the coordinator verifies the request and the consent and signs the
// answer; the requester signs the request and verifies the answer.
typedef struct floor_ctx {
	fs_key *a, *b;
	uint8_t msg[256], sig[64], box[256 + crypto_box_SEALBYTES];
	int     nodes;
} floor_ctx;

static void
floor_fn(void *arg, size_t iters)
{
	floor_ctx *f = arg;
	uint8_t    out[256];

	for (size_t i = 0; i < iters; i++) {
		int signs = 2 + 2 * f->nodes, verifies = 3 + 3 * f->nodes;

		for (int k = 0; k < signs; k++) {
			fs_key_sign(f->a, f->sig, f->msg, sizeof(f->msg));
		}
		for (int k = 0; k < verifies; k++) {
			(void) fs_key_verify(fs_key_public(f->a), f->sig,
			    f->msg, sizeof(f->msg));
		}
		for (int k = 0; k < 2 * f->nodes; k++) {
			crypto_box_seal(f->box, f->msg, sizeof(f->msg),
			    fs_key_public(f->b)->xpk);
			(void) fs_key_open_sealed(
			    f->b, out, f->box, sizeof(f->box));
		}
	}
}

static void
measure(int nodes, int concurrency, int lookups, bool latency)
{
	char       url[PATH_MAX + 16];
	fs_client *c;
	double    *lat = calloc((size_t) lookups, sizeof(double));
	double     t0, dt;
	floor_ctx  fc = { .nodes = nodes };
	double     floor;

	federation(nodes);
	snprintf(url, sizeof(url), "ipc://%s/coord.sock", dir);
	if (fs_keyfile_read_secret(&requester, "bank.key") != FS_OK
	    || fs_keyfile_read_public(&coord_pub, "coord.key.pub") != FS_OK
	    || fs_client_open(&c, url) != FS_OK) {
		exit(2);
	}
	// Warm up, and wait (a bounded number of tries) until it answers.
	for (int i = 0;; i++) {
		if (one_lookup(c) == FS_OK) {
			break;
		}
		if (i == 50) {
			fprintf(stderr,
			    "bench_lookup: the federation does not answer; "
			    "see %s/bench.log\n",
			    dir);
			stop_all();
			exit(2);
		}
	}
	fs_key_generate(&fc.a);
	fs_key_generate(&fc.b);
	floor = bench_rate(floor_fn, &fc, 20, 5);
	if (latency) {
		for (int i = 0; i < lookups; i++) {
			t0 = bench_now();
			if (one_lookup(c) != FS_OK) {
				fprintf(
				    stderr, "bench_lookup: a lookup failed\n");
			}
			lat[i] = (bench_now() - t0) * 1000;
		}
		printf("latency, %d nodes, one requester, %d lookups: p50 %.2f "
		       "ms, "
		       "p99 %.2f ms (crypto floor of one lookup %.2f ms)\n",
		    nodes, lookups, bench_percentile(lat, (size_t) lookups, 50),
		    bench_percentile(lat, (size_t) lookups, 99),
		    1000.0 / floor);
	} else {
		pthread_t  th[64];
		worker_arg w[64];
		int        failed = 0;

		t0 = bench_now();
		for (int i = 0; i < concurrency; i++) {
			w[i] = (worker_arg) { .c = c,
				.count           = lookups / concurrency };
			pthread_create(&th[i], NULL, worker, &w[i]);
		}
		for (int i = 0; i < concurrency; i++) {
			pthread_join(th[i], NULL);
			failed += w[i].failed;
		}
		dt = bench_now() - t0;
		printf("throughput, %d nodes, %d requesters at once: %.0f "
		       "lookups/s "
		       "(%d failed or incomplete); crypto floor %.0f "
		       "lookups/s; ratio %.2f\n",
		    nodes, concurrency, (lookups - failed) / dt, failed, floor,
		    (lookups - failed) / dt / floor);
	}
	fs_client_close(c);
	fs_key_free(fc.a);
	fs_key_free(fc.b);
	fs_key_free(requester);
	free(lat);
	stop_all();
}

int
main(int argc, char **argv)
{
	unsigned long   nodes = 8, lnodes = 16, conc = 8, lookups = 2000;
	const bench_opt opts[] = {
		{ 'n', .number = &nodes },
		{ 'l', .number = &lnodes },
		{ 'c', .number = &conc },
		{ 'r', .number = &lookups },
	};

	if (!bench_options(argc, argv, opts, 4,
	        "usage: bench_lookup [-n NODES] [-l LATENCY_NODES] "
	        "[-c CONCURRENCY] [-r LOOKUPS]\n")) {
		return (2);
	}
	if (nodes < 1 || nodes > NODES_MAX || lnodes < 1 || lnodes > NODES_MAX
	    || conc < 1 || conc > 64 || lookups < 10 || lookups > INT_MAX) {
		return (2);
	}
	if (!bench_fedscore(argv[0]) || fs_crypto_init() != FS_OK
	    || !bench_tmpdir(dir, true)) {
		return (2);
	}
	bench_machine();
	printf("federation on loopback (ipc), every party its own process\n");
	measure((int) nodes, (int) conc, (int) lookups, false);
	// A new federation per measurement: the same directory, emptied.
	if (cli_rmtree(dir) != 0 || mkdir(dir, 0700) != 0 || chdir(dir) != 0) {
		return (2);
	}
	measure((int) lnodes, 1, (int) lookups / 2, true);
	cli_rmtree(dir);
	return (0);
}

// SPDX-License-Identifier: Apache-2.0
//
// bench_pseudonym.c -- pseudonyms per second end to end: a node blinds
// batches of ID numbers, a real issuer process evaluates them over nng
// with one proof per batch, the node checks the proof and finalizes.
// Beside it, in the same run, the floor: crypto_scalarmult_ristretto255
// per second on one core.
//
// usage: bench_pseudonym [-n IDS] [-b BATCH]
// It runs the fedscore binary beside it (build/cli/fedscore).

#include <sodium.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/process.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "net/issuer_client.h"

typedef struct floor_ctx {
	uint8_t scalar[32], point[32], out[32];
} floor_ctx;

static void
scalarmult(void *arg, size_t n)
{
	floor_ctx *f = arg;

	for (size_t i = 0; i < n; i++) {
		if (crypto_scalarmult_ristretto255(f->out, f->scalar, f->point)
		    != 0) {
			abort();
		}
	}
}

// ID numbers with valid check characters, all different.
static void
make_ids(char (*ids)[FS_IDNUM_LEN + 1], size_t n)
{
	static const int w[17]
	    = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";

	for (size_t i = 0; i < n; i++) {
		int sum = 0;

		snprintf(ids[i], FS_IDNUM_LEN + 1, "3204021980%02zu%02zu%03zu",
		    1 + (i / 28000) % 12, 1 + (i / 1000) % 28, i % 1000);
		for (int k = 0; k < 17; k++) {
			sum += (ids[i][k] - '0') * w[k];
		}
		ids[i][17] = check[sum % 11];
		ids[i][18] = '\0';
	}
}

// start_issuer writes the issuer's and the node's configurations in
// dir (the current directory), makes the issuer's keys and the node's,
// registers the node and starts the issuer: its pid, or -1.
static pid_t
start_issuer(const char *dir)
{
	FILE *fp;

	fp = fopen("issuer.conf", "w");
	fprintf(fp,
	    "[issuer]\nname = bench\nregion = bench\nkey = issuer.key\n"
	    "oprf_seed = oprf.seed\ndb = issuer.db\n"
	    "listen = ipc://%s/issuer.sock\n",
	    dir);
	fclose(fp);
	fp = fopen("node.conf", "w");
	fprintf(fp,
	    "[node]\nname = n\nkey = node.key\ndb = node.db\n"
	    "[issuer]\nurl = ipc://%s/issuer.sock\nkey = issuer.key.pub\n"
	    "oprf = oprf.seed.pub\nregion = bench\n",
	    dir);
	fclose(fp);
	if (bench_run("/dev/null",
	        (const char *const[]) {
	            "issuer", "init", "-c", "issuer.conf", NULL })
	        != 0
	    || bench_run("/dev/null",
	           (const char *const[]) { "keygen", "-o", "node.key", NULL })
	        != 0
	    || bench_run("/dev/null",
	           (const char *const[]) { "issuer", "register", "-c",
	               "issuer.conf", "--name", "n", "--role", "node", "--key",
	               "node.key.pub", NULL })
	        != 0) {
		return (-1);
	}
	return (bench_spawn("/dev/null",
	    (const char *const[]) {
	        "issuer", "serve", "-c", "issuer.conf", NULL }));
}

// The node's side: its configuration, key and client of the issuer.
typedef struct node_side {
	fs_conf          *c;
	fs_issuer_peer    peer;
	char             *url;
	fs_key           *key;
	fs_issuer_client *ic;
} node_side;

// open_node opens the node's client of the issuer and asks for one
// batch, to warm up and to wait for the issuer to listen.
static bool
open_node(node_side *ns, const char *dir, const char **ptrs, uint8_t *y)
{
	char conf[PATH_MAX + 256], why[FS_WHY_MAX] = "";

	snprintf(conf, sizeof(conf), "%s/node.conf", dir);
	if (fs_conf_load(&ns->c, conf, why, sizeof(why)) != FS_OK
	    || fs_issuer_peer_load(ns->c, &ns->peer, &ns->url, why, sizeof(why))
	        != FS_OK
	    || fs_keyfile_read_secret(&ns->key, "node.key") != FS_OK
	    || fs_issuer_client_open(&ns->ic, ns->key, &ns->peer) != FS_OK
	    || fs_issuer_pseudonyms(ns->ic, ptrs, 1, y, why, sizeof(why))
	        != FS_OK) {
		fprintf(stderr, "bench_pseudonym: %s\n", why);
		return (false);
	}
	return (true);
}

// measure: the floor, then n pseudonyms in batches.
static void
measure(
    fs_issuer_client *ic, const char **ptrs, uint8_t *y, size_t n, size_t batch)
{
	char      why[FS_WHY_MAX];
	floor_ctx f;
	double    t0, dt, floor;

	randombytes_buf(f.scalar, sizeof(f.scalar));
	crypto_core_ristretto255_random(f.point);
	bench_machine();
	floor = bench_rate(scalarmult, &f, 2000, 7);
	t0    = bench_now();
	for (size_t i = 0; i < n; i += batch) {
		size_t k = n - i < batch ? n - i : batch;

		if (fs_issuer_pseudonyms(ic, ptrs + i, k,
		        y + i * FS_OPRF_OUTPUT_BYTES, why, sizeof(why))
		    != FS_OK) {
			fprintf(stderr, "bench_pseudonym: %s\n", why);
			break;
		}
	}
	dt = bench_now() - t0;
	printf("floor: crypto_scalarmult_ristretto255 %.0f /s\n", floor);
	printf(
	    "pseudonyms end to end (node blinds, issuer evaluates and proves "
	    "over nng, node verifies and finalizes), %zu IDs in batches of "
	    "%zu: %.0f /s, %.2fx the floor\n",
	    n, batch, (double) n / dt, (double) n / dt / floor);
}

int
main(int argc, char **argv)
{
	char            dir[] = "/tmp/fedscore-bench.XXXXXX";
	unsigned long   n = 65536, batch = FS_ISSUER_BATCH_MAX;
	const bench_opt opts[]
	    = { { 'n', .number = &n }, { 'b', .number = &batch } };
	char(*ids)[FS_IDNUM_LEN + 1];
	const char **ptrs;
	uint8_t     *y;
	node_side    ns = { 0 };
	pid_t        issuer;

	if (!bench_options(argc, argv, opts, 2,
	        "usage: bench_pseudonym [-n IDS] [-b BATCH]\n")) {
		return (2);
	}
	if (n < 1 || n > 10000000 || batch < 1 || batch > FS_ISSUER_BATCH_MAX
	    || !bench_fedscore(argv[0]) || fs_crypto_init() != FS_OK
	    || !bench_tmpdir(dir, true)) {
		return (2);
	}
	if ((issuer = start_issuer(dir)) < 0) {
		fprintf(stderr, "bench_pseudonym: setup failed; see %s\n", dir);
		return (2);
	}
	ids  = calloc(n, sizeof(*ids));
	ptrs = calloc(n, sizeof(*ptrs));
	y    = malloc(n * FS_OPRF_OUTPUT_BYTES);
	make_ids(ids, n);
	for (size_t i = 0; i < n; i++) {
		ptrs[i] = ids[i];
	}
	if (!open_node(&ns, dir, ptrs, y)) {
		bench_stop(issuer);
		return (2);
	}
	measure(ns.ic, ptrs, y, n, batch);
	fs_issuer_client_close(ns.ic);
	bench_stop(issuer);
	fs_key_free(ns.key);
	fs_conf_free(ns.c);
	free(ns.url);
	free(ids);
	free(ptrs);
	free(y);
	cli_rmtree(dir);
	return (0);
}

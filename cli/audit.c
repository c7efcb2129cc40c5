// SPDX-License-Identifier: Apache-2.0
//
// audit.c -- fedscore audit: verify the coordinator's disclosure log,
// reconcile node releases with its disclosures, and flag unusual use.
// The checks are in audit/; this file reads options and files, prints
// the report and turns it into an exit code: 0 nothing found, 1
// findings, 2 usage or I/O.

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/token.h"

static const char usage[]
    = "usage: fedscore audit verify --log URL --key PUB [--witness NAME=PUB "
      "...] [--since CHECKPOINT] [--state FILE] [--full EXPORT --issuer "
      "PUB [--region R] [--revocations NOTE [--grace D]]]\n"
      "       fedscore audit reconcile --full EXPORT --releases "
      "NODE=FILE ... [--node-key NODE=PUB ...] [--state-dir DIR]\n"
      "       fedscore audit anomalies --full EXPORT [-c CONF]\n";

#define WITNESSES_MAX 32
#define RELEASES_MAX  64
#define STATE_DEFAULT "./fedscore-audit.state"

typedef struct opts {
	const char *log, *key, *since, *state, *full, *issuer, *region, *conf;
	const char *statedir, *revocations, *grace;
	const char *witness[WITNESSES_MAX];
	size_t      nwitness;
	const char *releases[RELEASES_MAX];
	size_t      nreleases;
	const char *nodekeys[RELEASES_MAX];
	size_t      nnodekeys;
} opts;

static int
print(const char *verb, const fs_audit_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		printf("%s %s\n", rep->lines[i].finding ? "FAIL" : "ok  ",
		    rep->lines[i].text);
	}
	if (rep->findings == 0) {
		printf("audit %s: passed, no findings\n", verb);
		return (0);
	}
	printf("audit %s: FAILED, %zu finding%s\n", verb, rep->findings,
	    rep->findings == 1 ? "" : "s");
	return (EXIT_REFUSED);
}

static int
pub(fs_pubkey *k, const char *path, const char *what)
{
	fs_err rv;

	if ((rv = fs_keyfile_read_public(k, path)) != FS_OK) {
		fprintf(stderr,
		    "fedscore audit: %s: %s (expected the %s's k4.public "
		    "key)\n",
		    path, fs_strerror(rv), what);
		return (-1);
	}
	return (0);
}

static int
load_records(const opts *o, fs_audit_record **rp, size_t *np)
{
	char   why[FS_WHY_MAX] = "";
	fs_err rv;

	if ((rv = fs_audit_records_load(rp, np, o->full, why, sizeof(why)))
	    != FS_OK) {
		fprintf(stderr, "fedscore audit: %s\n",
		    why[0] ? why : fs_strerror(rv));
		return (-1);
	}
	return (0);
}

// revocations reads the issuer's signed revocations (fedscore issuer
// revocations) for the region given, or else the one the note names.
static int
revocations(
    const opts *o, const fs_pubkey *issuer, fs_revocations *rs, int64_t *grace)
{
	char        region[FS_CLAIM_STR_MAX + 1] = "";
	char       *buf;
	size_t      len;
	int64_t     ms = 120000;
	const char *slash;
	fs_err      rv;

	if (o->grace != NULL
	    && (fs_parse_duration(o->grace, &ms) != FS_OK || ms < 0)) {
		fprintf(stderr,
		    "fedscore audit: expected --grace as a duration (30s, "
		    "2m), found '%s'\n",
		    o->grace);
		return (-1);
	}
	*grace = ms / 1000;
	if ((buf = fs_audit_slurp(o->revocations, FS_NOTE_MAX, &len)) == NULL) {
		fprintf(stderr, "fedscore audit: %s: %s\n", o->revocations,
		    strerror(errno));
		return (-1);
	}
	if (o->region != NULL) {
		snprintf(region, sizeof(region), "%s", o->region);
	} else if (strncmp(buf, "fedscore.", 9) == 0
	    && (slash = strchr(buf + 9, '/')) != NULL
	    && (size_t) (slash - buf - 9) < sizeof(region)) {
		snprintf(region, sizeof(region), "%.*s",
		    (int) (slash - buf - 9), buf + 9);
	}
	if ((rv = fs_revocations_open(rs, buf, len, issuer, region)) != FS_OK) {
		fprintf(stderr,
		    "fedscore audit: %s: %s (expected the issuer's signed "
		    "revocations of region %s, from fedscore issuer "
		    "revocations)\n",
		    o->revocations, fs_strerror(rv),
		    region[0] ? region : "(none named)");
		free(buf);
		return (-1);
	}
	free(buf);
	return (0);
}

static int
verify(const opts *o)
{
	fs_audit_witness     w[WITNESSES_MAX];
	fs_pubkey            coord, issuer;
	fs_audit_record     *recs  = NULL;
	size_t               nrecs = 0;
	fs_audit_report      rep;
	fs_revocations       revs            = { 0 };
	fs_audit_verify_opts vo              = { .log = o->log,
		             .coord                   = &coord,
		             .witnesses               = w,
		             .nwitnesses              = o->nwitness,
		             .state      = o->state != NULL ? o->state : STATE_DEFAULT,
		             .since      = o->since,
		             .region     = o->region,
		             .timeout_ms = 30000 };
	char                 why[FS_WHY_MAX] = "";
	int                  rc              = EXIT_USAGE;
	fs_err               rv;

	if (pub(&coord, o->key, "coordinator") != 0) {
		return (EXIT_USAGE);
	}
	for (size_t i = 0; i < o->nwitness; i++) {
		const char *eq = strchr(o->witness[i], '=');
		char        name[FS_NOTE_NAME_MAX + 1];
		fs_pubkey   k;

		if (eq == NULL || eq == o->witness[i]
		    || (size_t) (eq - o->witness[i]) > FS_NOTE_NAME_MAX) {
			fprintf(stderr,
			    "fedscore audit: expected --witness NAME=PUB, "
			    "found '%s'\n",
			    o->witness[i]);
			return (EXIT_USAGE);
		}
		snprintf(name, sizeof(name), "%.*s", (int) (eq - o->witness[i]),
		    o->witness[i]);
		if (pub(&k, eq + 1, "witness") != 0) {
			return (EXIT_USAGE);
		}
		if (fs_audit_witness_init(&w[i], name, &k) != FS_OK) {
			fprintf(stderr,
			    "fedscore audit: expected a witness name without "
			    "spaces or '+', found '%s'\n",
			    name);
			return (EXIT_USAGE);
		}
	}
	if (o->full != NULL) {
		if (pub(&issuer, o->issuer, "issuer") != 0
		    || (o->revocations != NULL
		        && revocations(o, &issuer, &revs, &vo.grace_s) != 0)
		    || load_records(o, &recs, &nrecs) != 0) {
			fs_revocations_fini(&revs);
			return (EXIT_USAGE);
		}
		vo.records  = recs;
		vo.nrecords = nrecs;
		vo.issuer   = &issuer;
		vo.revoked  = o->revocations != NULL ? &revs : NULL;
	}
	fs_audit_report_init(&rep);
	rv = fs_audit_verify(&vo, &rep, why, sizeof(why));
	if (rv == FS_OK || rv == FS_ERR_BAD_PROOF) {
		rc = print("verify", &rep);
	} else {
		print("verify", &rep);
		fprintf(stderr, "fedscore audit verify: %s\n",
		    why[0] ? why : fs_strerror(rv));
	}
	fs_audit_report_fini(&rep);
	fs_audit_records_free(recs, nrecs);
	fs_revocations_fini(&revs);
	return (rc);
}

// split parses NODE=VALUE, as --releases and --node-key take it.
static bool
split(
    const char *arg, char node[static FS_CLAIM_STR_MAX + 1], const char **value)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || (size_t) (eq - arg) > FS_CLAIM_STR_MAX
	    || eq[1] == '\0') {
		return (false);
	}
	snprintf(node, FS_CLAIM_STR_MAX + 1, "%.*s", (int) (eq - arg), arg);
	*value = eq + 1;
	return (true);
}

// signed_log checks node's exported release log at path against the
// node's signed checkpoint beside it (path.checkpoint), when the auditor
// named the node's key.
static int
signed_log(
    const opts *o, const char *node, const char *path, fs_audit_report *rep)
{
	char        cp[4096], state[4096], n2[FS_CLAIM_STR_MAX + 1];
	char        why[FS_WHY_MAX] = "";
	const char *keypath         = NULL, *v;
	fs_pubkey   key;
	fs_err      rv;

	for (size_t i = 0; i < o->nnodekeys; i++) {
		if (split(o->nodekeys[i], n2, &v) && strcmp(n2, node) == 0) {
			keypath = v;
		}
	}
	if (keypath == NULL) {
		fs_audit_info(rep,
		    "node %s: release log taken as given (no --node-key to "
		    "check its signed checkpoint)",
		    node);
		return (0);
	}
	if (pub(&key, keypath, "node") != 0) {
		return (-1);
	}
	snprintf(cp, sizeof(cp), "%s.checkpoint", path);
	if (o->statedir != NULL) {
		snprintf(state, sizeof(state), "%s/%s.checkpoint", o->statedir,
		    node);
	}
	if ((rv = fs_audit_release_log(node, path, cp, &key,
	         o->statedir != NULL ? state : NULL, rep, why, sizeof(why)))
	    != FS_OK) {
		fprintf(stderr, "fedscore audit: %s\n",
		    why[0] ? why : fs_strerror(rv));
		return (-1);
	}
	return (0);
}

static int
reconcile(const opts *o)
{
	fs_audit_record *recs  = NULL;
	fs_release      *rels  = NULL;
	size_t           nrecs = 0, nrels = 0;
	fs_audit_report  rep;
	char             why[FS_WHY_MAX] = "";
	int              rc              = EXIT_USAGE;
	fs_err           rv;

	for (size_t i = 0; i < o->nnodekeys; i++) {
		char node[FS_CLAIM_STR_MAX + 1], n2[FS_CLAIM_STR_MAX + 1];
		const char *v;
		bool        known = false;

		if (!split(o->nodekeys[i], node, &v)) {
			fprintf(stderr,
			    "fedscore audit: expected --node-key NODE=PUB, "
			    "found '%s'\n",
			    o->nodekeys[i]);
			return (EXIT_USAGE);
		}
		for (size_t j = 0; j < o->nreleases; j++) {
			known = known
			    || (split(o->releases[j], n2, &v)
			        && strcmp(n2, node) == 0);
		}
		if (!known) {
			fprintf(stderr,
			    "fedscore audit: --node-key names node '%s', "
			    "expected one of the --releases nodes\n",
			    node);
			return (EXIT_USAGE);
		}
	}
	if (load_records(o, &recs, &nrecs) != 0) {
		return (EXIT_USAGE);
	}
	fs_audit_report_init(&rep);
	for (size_t i = 0; i < o->nreleases; i++) {
		char        node[FS_CLAIM_STR_MAX + 1];
		const char *path;

		if (!split(o->releases[i], node, &path)) {
			fprintf(stderr,
			    "fedscore audit: expected --releases NODE=FILE, "
			    "found '%s'\n",
			    o->releases[i]);
			goto out;
		}
		if ((rv = fs_releases_load(
		         &rels, &nrels, node, path, why, sizeof(why)))
		    != FS_OK) {
			fprintf(stderr, "fedscore audit: %s\n",
			    why[0] ? why : fs_strerror(rv));
			goto out;
		}
		if (signed_log(o, node, path, &rep) != 0) {
			goto out;
		}
	}
	if ((rv = fs_audit_reconcile(recs, nrecs, rels, nrels, &rep))
	    == FS_OK) {
		rc = print("reconcile", &rep);
	} else {
		fprintf(
		    stderr, "fedscore audit reconcile: %s\n", fs_strerror(rv));
	}
out:
	fs_audit_report_fini(&rep);
	free(rels);
	fs_audit_records_free(recs, nrecs);
	return (rc);
}

static int
anomalies(const opts *o)
{
	fs_anomaly_conf  c;
	fs_audit_record *recs  = NULL;
	size_t           nrecs = 0;
	fs_audit_report  rep;
	char             why[FS_WHY_MAX] = "";
	int              rc              = EXIT_USAGE;
	fs_err           rv;

	fs_anomaly_conf_default(&c);
	if (o->conf != NULL
	    && (rv = fs_anomaly_conf_load(&c, o->conf, why, sizeof(why)))
	        != FS_OK) {
		fprintf(stderr, "fedscore audit: %s\n",
		    why[0] ? why : fs_strerror(rv));
		return (EXIT_USAGE);
	}
	if (load_records(o, &recs, &nrecs) != 0) {
		return (EXIT_USAGE);
	}
	fs_audit_report_init(&rep);
	if ((rv = fs_audit_anomalies(&c, recs, nrecs, &rep)) == FS_OK) {
		rc = print("anomalies", &rep);
	} else {
		fprintf(
		    stderr, "fedscore audit anomalies: %s\n", fs_strerror(rv));
	}
	fs_audit_report_fini(&rep);
	fs_audit_records_free(recs, nrecs);
	return (rc);
}

int
audit_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },
		{ "witness", required_argument, NULL, 'w' },
		{ "since", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "full", required_argument, NULL, 'f' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'r' },
		{ "releases", required_argument, NULL, 'R' },
		{ "node-key", required_argument, NULL, 'N' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "revocations", required_argument, NULL, 'V' },
		{ "grace", required_argument, NULL, 'G' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	opts        o = { 0 };
	const char *verb;
	int         c;

	if ((c = cli_verb(&argc, &argv, usage, &verb)) >= 0) {
		return (c);
	}
	{
		const char **const slots[CLI_SLOTS] = { ['l'] = &o.log,
			['k']                                 = &o.key,
			['s']                                 = &o.since,
			['S']                                 = &o.state,
			['f']                                 = &o.full,
			['i']                                 = &o.issuer,
			['r']                                 = &o.region,
			['D']                                 = &o.statedir,
			['V']                                 = &o.revocations,
			['G']                                 = &o.grace,
			['c']                                 = &o.conf };
		const cli_list     lists[]          = {
			             { 'w', o.witness, &o.nwitness, WITNESSES_MAX },
			             { 'R', o.releases, &o.nreleases, RELEASES_MAX },
			             { 'N', o.nodekeys, &o.nnodekeys, RELEASES_MAX },
		};

		if ((c = cli_options(
		         argc, argv, "c:h", lopts, slots, lists, 3, usage))
		    >= 0) {
			return (c);
		}
	}
	if (optind != argc) {
		return (cli_usage(usage, false));
	}
	if (strcmp(verb, "verify") == 0 && o.log && o.key && !o.conf
	    && o.nreleases == 0 && o.nnodekeys == 0 && !o.statedir
	    && (o.full == NULL) == (o.issuer == NULL)
	    && (o.revocations == NULL || o.full != NULL)
	    && (o.grace == NULL || o.revocations != NULL)
	    && (o.region == NULL || o.full != NULL)) {
		return (verify(&o));
	}
	if (strcmp(verb, "reconcile") == 0 && o.full && o.nreleases > 0
	    && !o.log && !o.key && !o.conf && o.nwitness == 0 && !o.revocations
	    && !o.grace) {
		return (reconcile(&o));
	}
	if (strcmp(verb, "anomalies") == 0 && o.full && !o.log && !o.key
	    && o.nreleases == 0 && o.nwitness == 0 && o.nnodekeys == 0
	    && !o.statedir && !o.revocations && !o.grace) {
		return (anomalies(&o));
	}
	return (cli_usage(usage, false));
}

// SPDX-License-Identifier: Apache-2.0
//
// demo_federation.c -- the federation fedscore demo runs: the keys of
// the issuer, four departments, the coordinator, a bank and a landlord;
// their registrations and configuration files; and the issuer, the
// department nodes (with the sample rules and records imported) and the
// coordinator started as daemons in the harness's directory.  It tells
// scenes 1 to 3 of the demo as it goes.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/demo.h"

const char *const demo_nodes[DEMO_NODES]
    = { "traffic", "court", "tax", "volunteer" };
static const char *const node_titles[DEMO_NODES] = { "公安交警 traffic police",
	"法院 court", "税务 tax bureau", "民政 civil affairs (volunteering)" };

bool
demo_load_citizens(demo *d)
{
	char  path[PATH_MAX + 64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/citizens.csv", d->data);
	if ((f = fopen(path, "r")) == NULL) {
		return (false);
	}
	while (fgets(line, sizeof(line), f) != NULL && d->ncitizens < 8) {
		char *comma = strrchr(line, ',');

		if (comma == NULL || strncmp(line, "name,", 5) == 0) {
			continue;
		}
		*comma = '\0';
		snprintf(
		    d->names[d->ncitizens], sizeof(d->names[0]), "%.63s", line);
		snprintf(d->ids[d->ncitizens], sizeof(d->ids[0]), "%.18s",
		    comma + 1);
		d->ncitizens++;
	}
	fclose(f);
	return (d->ncitizens >= 5);
}

static bool
setup(demo *d)
{
	const char *issuer_init[]
	    = { "issuer", "init", "-c", "issuer.conf", NULL };
	char keyname[64];

	if (demo_put(&d->h, "issuer.conf",
	        "[issuer]\nname = yuxi-real-name-platform\nregion = yuxi\n"
	        "key = issuer.key\noprf_seed = oprf.seed\ndb = issuer.db\n"
	        "listen = ipc://%s/issuer.sock\n"
	        "purposes = credit_loan rental hotel travel self\n",
	        d->h.dir)
	        != 0
	    || demo_run(&d->h, NULL, issuer_init) != 0) {
		return (false);
	}
	demo_say("  issuer: Ed25519 key for consent tokens, OPRF key for "
	         "pseudonyms\n");
	for (int i = 0; i < DEMO_NODES + 3; i++) {
		const char *name = i < DEMO_NODES ? demo_nodes[i]
		    : i == DEMO_NODES             ? "coord"
		    : i == DEMO_NODES + 1         ? "bank-a"
		                                  : "landlord-b";
		const char *args[]
		    = { "keygen", "-o", keyname, "--name", name, NULL };

		snprintf(keyname, sizeof(keyname), "%s.key", name);
		if (demo_run(&d->h, NULL, args) != 0) {
			return (false);
		}
	}
	demo_say(
	    "  keys for 4 nodes, the coordinator, a bank and a landlord\n");
	for (int i = 0; i < DEMO_NODES + 1; i++) {
		const char *name = i < DEMO_NODES ? demo_nodes[i] : "coord";
		char        pub[64];
		const char *args[] = { "issuer", "register", "-c",
			"issuer.conf", "--name", name, "--role",
			i < DEMO_NODES ? "node" : "coordinator", "--key", pub,
			NULL };

		snprintf(pub, sizeof(pub), "%s.key.pub", name);
		if (demo_run(&d->h, NULL, args) != 0) {
			return (false);
		}
	}
	return (true);
}

static bool
start_nodes(demo *d)
{
	for (int i = 0; i < DEMO_NODES; i++) {
		char conf[64], rules[PATH_MAX + 64], records[PATH_MAX + 64];
		const char *ri[]
		    = { "node", "rules", "import", "-c", conf, rules, NULL };
		const char *rr[] = { "node", "records", "import", "-c", conf,
			records, NULL };
		const char *sv[] = { "node", "serve", "-c", conf, NULL };
		char       *out;

		snprintf(conf, sizeof(conf), "%s.conf", demo_nodes[i]);
		snprintf(rules, sizeof(rules), "%s/%s.rules.csv", d->data,
		    demo_nodes[i]);
		snprintf(records, sizeof(records), "%s/%s.records.csv", d->data,
		    demo_nodes[i]);
		if (demo_put(&d->h, conf,
		        "[node]\nname = %s\nkey = %s.key\ndb = %s.db\n"
		        "listen = ipc://%s/%s.sock\ncoordinator = "
		        "coord.key.pub\n"
		        "revocation_refresh = 1s\n"
		        "[issuer]\nurl = ipc://%s/issuer.sock\n"
		        "key = issuer.key.pub\noprf = oprf.seed.pub\n"
		        "region = yuxi\n",
		        demo_nodes[i], demo_nodes[i], demo_nodes[i], d->h.dir,
		        demo_nodes[i], d->h.dir)
		        != 0
		    || demo_run(&d->h, NULL, ri) != 0
		    || demo_run(&d->h, "import.out", rr) != 0) {
			demo_say("  !! node %s: import failed, see "
			         "%s/commands.log\n",
			    demo_nodes[i], d->h.dir);
			return (false);
		}
		out                     = demo_slurp(&d->h, "import.out");
		out[strcspn(out, "\n")] = '\0';
		demo_say("  %-34s %s\n", node_titles[i], out);
		free(out);
		if ((d->node[i] = demo_daemon(&d->h, "nodes.log", sv)) < 0) {
			return (false);
		}
	}
	return (true);
}

// coordinator starts the coordinator with the scheme file scheme, on a
// free port, and waits until it listens (it fetches the revocation list
// before it does).
static bool
coordinator(demo *d, const char *scheme)
{
	const char *sv[] = { "coordinator", "serve", "-c", "coord.conf", NULL };
	FILE       *f;
	char        path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/coord.conf", d->h.dir);
	if ((d->port = demo_free_port()) < 0
	    || (f = fopen(path, "w")) == NULL) {
		return (false);
	}
	snprintf(d->url, sizeof(d->url), "%s://127.0.0.1:%d",
	    d->tls ? "https" : "http", d->port);
	fprintf(f,
	    "[coordinator]\nname = yuxi-credit-center\nkey = coord.key\n"
	    "db = coord.db\nscheme = %s\nhttp = %s\n%s"
	    "revocation_refresh = 1s\n"
	    "[issuer]\nurl = ipc://%s/issuer.sock\nkey = issuer.key.pub\n"
	    "region = yuxi\n"
	    "[requester bank-a]\nkey = bank-a.key.pub\npurposes = credit_loan\n"
	    "[requester landlord-b]\nkey = landlord-b.key.pub\n"
	    "purposes = rental\n",
	    scheme, d->url,
	    d->tls ? "tls_cert = tls.pem\ntls_key = tls.key\n" : "", d->h.dir);
	for (int i = 0; i < DEMO_NODES; i++) {
		fprintf(f,
		    "[node %s]\nkey = %s.key.pub\nurl = ipc://%s/%s.sock\n",
		    demo_nodes[i], demo_nodes[i], d->h.dir, demo_nodes[i]);
	}
	if (fclose(f) != 0
	    || (d->coord = demo_daemon(&d->h, "coord.log", sv)) < 0) {
		return (false);
	}
	if (!demo_wait_listening(d->port)) {
		demo_say(
		    "  !! the coordinator did not start; see %s/coord.log\n",
		    d->h.dir);
		return (false);
	}
	return (true);
}

static bool
start_coordinator(demo *d)
{
	char scheme[PATH_MAX + 64];

	snprintf(scheme, sizeof(scheme), "%s/yuxi.conf", d->schemes);
	// The throwaway CA and certificate are made once: a restart with
	// another scheme keeps them.
	if ((d->tls && !demo_make_tls(&d->h)) || !coordinator(d, scheme)) {
		return (false);
	}
	demo_say(
	    "  coordinator: Yuxi scheme (base 500; 信用优秀 ≥800, 良好 ≥600, "
	    "一般 ≥500, 不足 below), %s%s\n",
	    d->url,
	    d->tls ? "\n  (TLS: a certificate from a throwaway CA, ca.pem, "
	             "that every command is given with --cacert)"
	           : "");
	return (true);
}

bool
demo_partial_scheme(demo *d)
{
	char  path[PATH_MAX + 64], *text, *at;
	FILE *f;
	bool  ok;

	snprintf(path, sizeof(path), "%s/yuxi.conf", d->schemes);
	if ((f = fopen(path, "r")) == NULL) {
		return (false);
	}
	text = calloc(1, 65536);
	ok   = text != NULL && fread(text, 1, 65535, f) > 0;
	fclose(f);
	if (!ok || (at = strstr(text, "\nrequire_all = true\n")) == NULL) {
		free(text);
		return (false);
	}
	*at = '\0';
	ok = demo_put(&d->h, "yuxi-partial.conf", "%s\nrequire_all = false\n%s",
	         text, at + strlen("\nrequire_all = true\n"))
	    == 0;
	free(text);
	demo_stop(&d->h, d->coord);
	return (ok && coordinator(d, "yuxi-partial.conf"));
}

bool
demo_start_federation(demo *d)
{
	const char *sv[] = { "issuer", "serve", "-c", "issuer.conf", NULL };

	demo_say("\n1. Identities\n");
	if (!setup(d)) {
		return (false);
	}
	demo_say("\n2. The issuer (the city's real-name platform) starts\n");
	if (demo_daemon(&d->h, "issuer.log", sv) < 0) {
		return (false);
	}
	demo_say("\n3. Departments import their rules and records; ID numbers "
	         "are blinded,\n   pseudonymized by the issuer, and never "
	         "stored\n");
	return (start_nodes(d) && start_coordinator(d));
}

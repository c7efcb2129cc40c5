// SPDX-License-Identifier: Apache-2.0
//
// demo.c -- fedscore demo: the whole federation on this machine, end to
// end, in a temporary directory.
//
// An issuer, four department nodes with the sample records of
// deploy/sample, and a coordinator with the Yuxi scheme, each its own
// process on its own socket; a bank and a landlord as requesters.  The
// demo grants consent, looks scores up by scope, shows refusals and a
// node down, then stops everything and removes the directory.  Every
// step is a real fedscore command, as an operator would run it; the demo
// only orchestrates them.  At the end a privacy auditor verifies the
// coordinator's log and reconciles every department's signed release log
// with it.
//
// This file is the story, scene by scene, once the federation is up
// (demo_federation.c); the processes and files are the harness's
// (demo_harness.c), the printing of answers is demo_render.c's.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/demo.h"
#include "common/rfc3339.h"
#include "crypto/paseto.h"

static const char usage[]
    = "usage: fedscore demo [--keep] [--data DIR] [--tls]\n";

#define ATT_MAX (FS_PASETO_MAX_LEN + 1)

// grant asks the issuer for a consent token, into the file tok.
static bool
grant(demo *d, int who, const char *to, const char *purpose, const char *scope,
    const char *uses)
{
	const char *args[] = { "consent", "grant", "-c", "issuer.conf", "--id",
		d->ids[who], "--to", to, "--purpose", purpose, "--scope", scope,
		"--uses", uses, NULL };

	return (demo_run(&d->h, "token", args) == 0);
}

// lookup runs "fedscore lookup" as requester with the token in tok and
// shows the answer or the refusal; want_ok says which is expected.
static bool
lookup(demo *d, const char *requester, const char *scope, bool want_ok)
{
	char        key[320];
	char       *tok    = demo_slurp(&d->h, "token"), *out, *err;
	const char *args[] = { "lookup", "--coordinator", d->url,
		"--coordinator-key", "coord.key.pub", "--key", key, NULL, NULL,
		NULL, NULL, NULL, NULL };
	int         n      = 7, rc;
	bool        ok;

	tok[strcspn(tok, "\n")] = '\0';
	snprintf(key, sizeof(key), "%s.key", requester);
	if (d->tls) {
		args[n++] = "--cacert";
		args[n++] = "ca.pem";
	}
	if (scope != NULL) {
		args[n++] = "--scope";
		args[n++] = scope;
	}
	args[n] = tok;
	demo_unlink(&d->h, "lookup.err");
	rc  = demo_wait(demo_spawn(&d->h, "answer.json", "lookup.err", args));
	out = demo_slurp(&d->h, "answer.json");
	err = demo_slurp(&d->h, "lookup.err");
	if (rc == 0) {
		demo_say_answer(out);
	} else {
		demo_say_refusal(err);
	}
	ok = (rc == 0) == want_ok;
	if (!ok) {
		demo_say("    !! expected %s\n",
		    want_ok ? "an answer" : "a refusal");
	}
	free(tok);
	free(out);
	free(err);
	return (ok);
}

// value_after returns the value after prefix in text, up to the end of
// the line or a quote, in out; "" when there is none.
static void
value_after(const char *text, const char *prefix, char *out, size_t cap)
{
	const char *p = strstr(text, prefix);
	size_t      n;

	out[0] = '\0';
	if (p != NULL) {
		p += strlen(prefix);
		n = strcspn(p, "\"\n");
		snprintf(out, cap, "%.*s", (int) n, p);
	}
}

// attestation: the citizen grants an attest consent and keeps the salt
// the issuer hands over; bank-a looks the tier up and gets an
// attestation.  Both end in salt and att, "" when missing.
static bool
attestation(demo *d, char salt[static 64], char att[static ATT_MAX])
{
	const char *gr[] = { "consent", "grant", "-c", "issuer.conf", "--id",
		d->ids[4], "--to", "bank-a", "--purpose", "credit_loan",
		"--scope", "attest", NULL };
	char       *out;

	demo_say("  %s grants an attest consent; the issuer hands the salt of "
	         "the\n  subject binding to the citizen only\n",
	    d->names[4]);
	demo_unlink(&d->h, "grant.err");
	if (demo_wait(demo_spawn(&d->h, "token", "grant.err", gr)) != 0) {
		return (false);
	}
	out = demo_slurp(&d->h, "grant.err");
	value_after(out, "subject binding salt: ", salt, 64);
	free(out);
	demo_say("  bank-a asks for the tier only (the credit code):\n");
	if (!lookup(d, "bank-a", "tier", true)) {
		return (false);
	}
	out = demo_slurp(&d->h, "answer.json");
	value_after(out, "\"attestation\": \"", att, ATT_MAX);
	free(out);
	return (true);
}

// trust_list: Changzhou's credit office signs a trust list for Yuxi's
// coordinator key, valid for a year, each tier onto its own.
static bool
trust_list(demo *d)
{
	const char *kg[] = { "keygen", "-o", "cz-office.key", "--name",
		"changzhou credit office", NULL };
	const char *sg[] = { "attest", "trust", "sign", "-k", "cz-office.key",
		"-o", "cz-trust.list", "cz-trust.ini", NULL };
	char        nb[FS_TIME_LEN + 1], na[FS_TIME_LEN + 1];
	char       *key;
	time_t      now = time(NULL);
	bool        ok;

	key                     = demo_slurp(&d->h, "coord.key.pub");
	key[strcspn(key, "\n")] = '\0';
	fs_time_format(nb, (int64_t) now - 86400);
	fs_time_format(na, (int64_t) now + 365 * 86400);
	ok = demo_run(&d->h, NULL, kg) == 0
	    && demo_put(&d->h, "cz-trust.ini",
	           "[trust]\nlocal = changzhou\nscheme = %s/changzhou.conf\n"
	           "[region yuxi]\nkey = %s\nnot_before = %s\n"
	           "not_after = %s\nmap.excellent = excellent\n"
	           "map.good = good\nmap.fair = fair\nmap.poor = poor\n",
	           d->schemes, key, nb, na)
	        == 0
	    && demo_run(&d->h, NULL, sg) == 0;
	free(key);
	return (ok);
}

// verify_offline: a Changzhou verifier, shown the code, the ID number and
// the salt, checks it all offline; then the credit code itself.
static bool
verify_offline(demo *d, const char *salt, const char *att)
{
	const char *vf[] = { "attest", "verify", "--trust", "cz-trust.list",
		"--office", "cz-office.key.pub", "--id", d->ids[4], "--salt",
		salt, att, NULL };
	const char *cd[] = { "attest", "code", att, NULL };
	char       *out;
	bool        ok;

	demo_say("  a Changzhou verifier is shown the code, the ID number "
	         "and the salt:\n");
	ok  = demo_run(&d->h, "verify.out", vf) == 0;
	out = demo_slurp(&d->h, "verify.out");
	demo_say_result(out);
	free(out);
	if (!ok || demo_run(&d->h, "code.txt", cd) != 0) {
		demo_say("    !! expected the attestation to be recognized\n");
		return (false);
	}
	out = demo_slurp(&d->h, "code.txt");
	demo_say("  the credit code, as the citizen's phone would show it "
	         "(fedscore attest code):\n%s",
	    out);
	free(out);
	return (true);
}

// recognition: a Yuxi citizen's tier, recognized in Changzhou.
static bool
recognition(demo *d)
{
	char salt[64], att[ATT_MAX];

	if (!attestation(d, salt, att)) {
		return (false);
	}
	if (salt[0] == '\0' || strncmp(att, "v4.public.", 10) != 0
	    || !trust_list(d)) {
		demo_say("  !! cannot set up the recognition; see "
		         "%s/commands.log\n",
		    d->h.dir);
		return (false);
	}
	demo_say("  Changzhou's credit office signs a trust list: Yuxi's "
	         "coordinator key,\n  valid for a year, each Yuxi tier onto "
	         "Changzhou's of the same rank\n");
	return (verify_offline(d, salt, att));
}

// audit_show runs the auditor's command args, its output to VERB.out,
// and shows the lines of it that start with one of show: false, saying
// where to look, when it fails.
static bool
audit_show(
    demo *d, const char *verb, const char *args[], const char *const show[])
{
	char  out[32];
	char *text;

	snprintf(out, sizeof(out), "%s.out", verb);
	if (demo_run(&d->h, out, args) != 0) {
		demo_say(
		    "    !! audit %s failed; see %s/%s\n", verb, d->h.dir, out);
		return (false);
	}
	text = demo_slurp(&d->h, out);
	demo_say_lines(text, show);
	free(text);
	return (true);
}

// audit_log: the coordinator's disclosure log verified as anyone can
// fetch it, each entry against its full record and the issuer's
// revocations.
static bool
audit_log(demo *d)
{
	static const char *const show[] = { "ok   checkpoint",
		"ok   full records", "ok   revocations", "audit", NULL };
	const char              *ex[]
	    = { "coordinator", "export", "-c", "coord.conf", NULL };
	const char *rv[]
	    = { "issuer", "revocations", "-c", "issuer.conf", NULL };
	const char *vf[] = { "audit", "verify", "--log", d->url, "--key",
		"coord.key.pub", "--state", "audit.state", "--full",
		"export.jsonl", "--issuer", "issuer.key.pub", "--revocations",
		"revocations.note", d->tls ? "--cacert" : NULL, "ca.pem",
		NULL };

	demo_say("  the coordinator's log, as anyone can fetch it (C2SP "
	         "tlog-tiles),\n  each entry against its full record and the "
	         "issuer's revocations:\n");
	if (demo_run(&d->h, "export.jsonl", ex) != 0
	    || demo_run(&d->h, "revocations.note", rv) != 0) {
		demo_say("    !! the auditor's inputs are missing; see "
		         "%s/commands.log\n",
		    d->h.dir);
		return (false);
	}
	return (audit_show(d, "verify", vf, show));
}

// audit_releases: every department's release log, signed by the
// department, reconciled with the coordinator's full disclosures.
static bool
audit_releases(demo *d)
{
	static const char *const show[] = { "ok   node", "audit", NULL };
	const char              *rc[DEMO_ARGS_MAX + 1]
	    = { "audit", "reconcile", "--full", "export.jsonl" };
	char rel[DEMO_NODES][160], key[DEMO_NODES][160], file[64], cp[80];
	int  n = 4;

	demo_say("  every department's release log, against its signed "
	         "checkpoint and\n  the coordinator's full disclosures:\n");
	for (int i = 0; i < DEMO_NODES; i++) {
		char        conf[64];
		const char *rl[] = { "node", "releases", "-c", conf,
			"--checkpoint", cp, NULL };

		snprintf(conf, sizeof(conf), "%s.conf", demo_nodes[i]);
		snprintf(
		    file, sizeof(file), "%s.releases.jsonl", demo_nodes[i]);
		snprintf(cp, sizeof(cp), "%s.checkpoint", file);
		snprintf(rel[i], sizeof(rel[i]), "%s=%s", demo_nodes[i], file);
		snprintf(key[i], sizeof(key[i]), "%s=%s.key.pub", demo_nodes[i],
		    demo_nodes[i]);
		if (demo_run(&d->h, file, rl) != 0) {
			return (false);
		}
		rc[n++] = "--releases";
		rc[n++] = rel[i];
		rc[n++] = "--node-key";
		rc[n++] = key[i];
	}
	rc[n] = NULL;
	return (audit_show(d, "reconcile", rc, show));
}

static bool
scenarios(demo *d)
{
	const char *dispute[] = { "node", "dispute", "open", "-c",
		"traffic.conf", "--record", "JJ-2026-0003", "--reason",
		"the car was sold before that day", NULL };
	const char *repair[] = { "node", "repair", "-c", "tax.conf", "--record",
		"SW-2026-0019", "--date", "2026-06-30", NULL };
	bool        ok       = true;

	demo_say("\n4. Records change at the departments\n");
	ok = ok && demo_run(&d->h, NULL, repair) == 0;
	demo_say(
	    "  税务: %s repaid the arrears (credit repair, Yuxi art. 23)\n",
	    d->names[2]);
	ok = ok && demo_run(&d->h, NULL, dispute) == 0;
	demo_say(
	    "  交警: %s disputes a drunk-driving record (Changzhou art. 26)\n",
	    d->names[3]);

	demo_say("\n5. Consented lookups\n");
	demo_say("  bank-a, with %s's consent for a loan (scope score):\n",
	    d->names[0]);
	ok = ok && grant(d, 0, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "bank-a", NULL, true);
	demo_say(
	    "  landlord-b, with %s's consent for a rental (scope tier): the "
	    "tier only\n",
	    d->names[1]);
	ok = ok && grant(d, 1, "landlord-b", "rental", "tier", "1")
	    && lookup(d, "landlord-b", NULL, true);
	demo_say("  bank-a, %s: the court and the tax bureau report the same "
	         "default;\n  only the larger deduction counts (Changzhou art. "
	         "11.3) (scope breakdown):\n",
	    d->names[1]);
	ok = ok && grant(d, 1, "bank-a", "credit_loan", "breakdown", "2")
	    && lookup(d, "bank-a", NULL, true);
	demo_say("  the same consent again, asking for less (scope tier):\n");
	ok = ok && lookup(d, "bank-a", "tier", true);
	demo_say("  bank-a, %s (expired 2019 red light, repaired arrears):\n",
	    d->names[2]);
	ok = ok && grant(d, 2, "bank-a", "credit_loan", "breakdown", "1")
	    && lookup(d, "bank-a", NULL, true);
	demo_say("  bank-a, %s (a disputed record):\n", d->names[3]);
	ok = ok && grant(d, 3, "bank-a", "credit_loan", "breakdown", "1")
	    && lookup(d, "bank-a", NULL, true);

	demo_say("\n6. Refusals\n");
	demo_say(
	    "  landlord-b uses a consent that %s gave bank-a:\n", d->names[4]);
	ok = ok && grant(d, 4, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "landlord-b", NULL, false);
	demo_say("  bank-a uses it twice (granted for one use):\n");
	ok = ok && lookup(d, "bank-a", NULL, true)
	    && lookup(d, "bank-a", NULL, false);
	demo_say(
	    "  bank-a with a consent for a hotel stay, a purpose it is not "
	    "registered for:\n");
	ok = ok && grant(d, 4, "bank-a", "hotel", "score", "1")
	    && lookup(d, "bank-a", NULL, false);

	demo_say("\n7. Recognized in another region (mutual recognition, "
	         "Changzhou art. 23)\n");
	ok = ok && recognition(d);

	demo_say("\n8. A department is down (the court's node stops)\n");
	demo_stop(&d->h, d->node[1]);
	demo_say("  the Yuxi preset requires every department: no score is "
	         "made of the others,\n  and the refusal is logged (they "
	         "released, and the consent's use is spent):\n");
	ok = ok && grant(d, 4, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "bank-a", NULL, false);
	demo_say("  a scheme that accepts a partial score says so "
	         "(require_all = false);\n  with it, the answer is flagged "
	         "incomplete and names the court:\n");
	ok = ok && demo_partial_scheme(d)
	    && grant(d, 4, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "bank-a", NULL, true);

	demo_say("\n9. The privacy auditor\n");
	ok = ok && audit_log(d) && audit_releases(d);
	return (ok);
}

int
demo_main(int argc, char **argv)
{
	demo        d    = { 0 };
	const char *data = NULL;
	bool        keep = false, ok;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			return (cli_usage(usage, true));
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else if (strcmp(argv[i], "--tls") == 0) {
			d.tls = true;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else {
			return (cli_usage(usage, false));
		}
	}
	if (!demo_find_data(d.data, data) || !demo_load_citizens(&d)) {
		fprintf(stderr,
		    "fedscore demo: expected the sample departments "
		    "(citizens.csv, "
		    "*.rules.csv, *.records.csv) in deploy/sample beside the "
		    "build, or --data DIR\n");
		return (EXIT_USAGE);
	}
	snprintf(d.schemes, sizeof(d.schemes), "%s/../schemes", d.data);
	if (!demo_open(&d.h, "/tmp/fedscore-demo.XXXXXX")) {
		return (EXIT_USAGE);
	}
	demo_say(
	    "fedscore demo: a federation of 4 departments, in %s\n", d.h.dir);
	demo_say("data: %s\n", d.data);
	ok = demo_start_federation(&d) && scenarios(&d);
	demo_stop_all(&d.h);
	demo_say("\n10. Every process stopped%s\n",
	    keep ? "; the directory is kept" : "; the directory is removed");
	demo_close(&d.h, keep);
	demo_say("\n%s\n",
	    ok ? "demo: ok" : "demo: FAILED (run with --keep to look)");
	return (ok ? 0 : EXIT_USAGE);
}

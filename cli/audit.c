// SPDX-License-Identifier: Apache-2.0
//
// audit.c -- fedscore audit: verify the coordinator's disclosure log,
// reconcile node releases with its disclosures, flag unusual use, and
// open a disclosure's commitments with the salt its answer carries.
// The checks are in audit/.  This file reads the options and runs the
// subcommand they name, each in its own file (audit_verify.c,
// audit_reconcile.c, audit_anomalies.c, audit_open.c); what they share is in
// audit_shared.c.

#include <string.h>

#include "cli/audit_cmd.h"
#include "cli/cli.h"

static const char usage[]
    = "usage: fedscore audit verify --log URL --key PUB [--witness NAME=PUB "
      "...] [--since CHECKPOINT] [--state FILE] [--cacert FILE] [--full "
      "EXPORT --issuer PUB [--region R] [--revocations NOTE [--grace "
      "D]]]\n"
      "       fedscore audit reconcile --full EXPORT --releases "
      "NODE=FILE ... [--node-key NODE=PUB ...] [--state-dir DIR]\n"
      "       fedscore audit anomalies --full EXPORT [-c CONF]\n"
      "       fedscore audit open --log URL --answer ANSWER [--salt SALT]\n";

int
audit_main(int argc, char **argv)
{
	audit_opts    o      = { 0 };
	const cli_opt opts[] = {
		{ "log", .value = &o.log },
		{ "key", .value = &o.key },
		{ "witness", .list = o.witness, .n = &o.nwitness,
		    .max = WITNESSES_MAX },
		{ "since", .value = &o.since },
		{ "state", .value = &o.state },
		{ "full", .value = &o.full },
		{ "issuer", .value = &o.issuer },
		{ "region", .value = &o.region },
		{ "releases", .list = o.releases, .n = &o.nreleases,
		    .max = RELEASES_MAX },
		{ "node-key", .list = o.nodekeys, .n = &o.nnodekeys,
		    .max = RELEASES_MAX },
		{ "state-dir", .value = &o.statedir },
		{ "revocations", .value = &o.revocations },
		{ "grace", .value = &o.grace },
		{ "answer", .value = &o.answer },
		{ "salt", .value = &o.salt },
		{ "cacert", .value = &o.cacert },
		{ "config", 'c', .value = &o.conf },
		{ 0 },
	};
	const char *verb;
	int         c;

	if ((c = cli_options(&argc, &argv, &verb, opts, 0, usage)) >= 0) {
		return (c);
	}
	if (strcmp(verb, "verify") == 0 && o.log && o.key && !o.conf
	    && o.nreleases == 0 && o.nnodekeys == 0 && !o.statedir
	    && (o.full == NULL) == (o.issuer == NULL)
	    && (o.revocations == NULL || o.full != NULL)
	    && (o.grace == NULL || o.revocations != NULL)
	    && (o.region == NULL || o.full != NULL)) {
		return (audit_verify(&o));
	}
	if (o.cacert != NULL) { // for fetching the log only
		return (cli_usage(usage, false));
	}
	if (strcmp(verb, "reconcile") == 0 && o.full && o.nreleases > 0
	    && !o.log && !o.key && !o.conf && o.nwitness == 0 && !o.revocations
	    && !o.grace) {
		return (audit_reconcile(&o));
	}
	if (strcmp(verb, "anomalies") == 0 && o.full && !o.log && !o.key
	    && o.nreleases == 0 && o.nwitness == 0 && o.nnodekeys == 0
	    && !o.statedir && !o.revocations && !o.grace) {
		return (audit_anomalies(&o));
	}
	if (strcmp(verb, "open") == 0 && o.log && o.answer && !o.key && !o.full
	    && o.nreleases == 0 && o.nwitness == 0) {
		return (audit_open(&o));
	}
	return (cli_usage(usage, false));
}

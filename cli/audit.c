// SPDX-License-Identifier: Apache-2.0
//
// audit.c -- fedscore audit: verify the coordinator's disclosure log,
// reconcile node releases with its disclosures, and flag unusual use.
// The checks are in audit/.  This file reads the options and runs the
// subcommand they name, each in its own file (audit_verify.c,
// audit_reconcile.c, audit_anomalies.c); what the three share is in
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
      "       fedscore audit anomalies --full EXPORT [-c CONF]\n";

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
		{ "cacert", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	audit_opts  o = { 0 };
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
			['c']                                 = &o.conf,
			['A']                                 = &o.cacert };
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
	return (cli_usage(usage, false));
}

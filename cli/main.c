// SPDX-License-Identifier: Apache-2.0
//
// main.c -- the fedscore command: a table of subcommands.

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "crypto/key.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "keygen", keygen_main, "Generate an Ed25519 identity (PASERK k4)" },
	{ "key", key_main, "Show facts about a key file" },
	{ "ping", ping_main, "Check keys and transport between two parties" },
	{ "issuer", issuer_main, "Run the identity and consent authority" },
	{ "pseudonym", pseudonym_main, "Show a citizen's subject pseudonym" },
	{ "consent", consent_main, "Grant, revoke and verify consent tokens" },
	{ "coordinator", coordinator_main, "Run the coordinator" },
	{ "lookup", lookup_main, "Look a score up with a citizen's consent" },
	{ "attest", attest_main,
	    "Recognize other regions' attestations; credit codes" },
	{ "node", node_main, "Run a department node: records, rules, lookups" },
	{ "access", access_main, "List who looked your score up, verified" },
	{ "audit", audit_main,
	    "Verify the disclosure log; reconcile; anomalies" },
	{ "demo", demo_main, "Run the federation locally, end to end" },
};

const char *cli_self = "fedscore";

static void
show_help(FILE *f)
{
	fprintf(f, "usage: fedscore <command> [<args>]\n\n");
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	}
	fprintf(
	    f, "\nRun 'fedscore <command> --help' for a command's usage.\n");
}

int
main(int argc, char **argv)
{
	if (argc > 0) {
		cli_self = argv[0];
	}
	if (fs_crypto_init() != FS_OK) {
		fprintf(stderr, "fedscore: cannot initialize libsodium\n");
		return (EXIT_USAGE);
	}
	if (argc < 2) {
		show_help(stderr);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "help") == 0 || cli_is_help(argv[1])) {
		show_help(stdout);
		return (0);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return (commands[i].fn(argc - 1, argv + 1));
		}
	}
	fprintf(stderr,
	    "fedscore: '%s' is not a command; expected one of the list "
	    "below\n\n",
	    argv[1]);
	show_help(stderr);
	return (EXIT_USAGE);
}

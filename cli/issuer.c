// SPDX-License-Identifier: Apache-2.0
//
// issuer.c -- fedscore issuer: run the identity and consent authority.

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "issuer/issuer.h"

static const char usage[]
    = "usage: fedscore issuer init -c CONF\n"
      "       fedscore issuer serve -c CONF\n"
      "       fedscore issuer register -c CONF --name NAME "
      "--role node|coordinator --key PUB\n"
      "       fedscore issuer revocations -c CONF\n";

typedef struct opts {
	const char *verb, *conf, *name, *role, *key;
	fs_role     r; // register's --role
} opts;

// read_options reads the verb and the options and checks they fit: -1
// to go on, or the exit code of usage.
static int
read_options(int argc, char **argv, opts *o)
{
	const cli_opt opts[] = {
		{ "config", 'c', .value = &o->conf, .need = true },
		{ "name", .value = &o->name },
		{ "role", .value = &o->role },
		{ "key", .value = &o->key },
		{ 0 },
	};
	int c;

	if ((c = cli_options(&argc, &argv, &o->verb, opts, 0, usage)) >= 0) {
		return (c);
	}
	if (strcmp(o->verb, "init") == 0 || strcmp(o->verb, "serve") == 0
	    || strcmp(o->verb, "revocations") == 0) {
		return (-1);
	}
	if (strcmp(o->verb, "register") != 0 || o->name == NULL
	    || o->role == NULL || o->key == NULL) {
		return (cli_usage(usage, false));
	}
	if (strcmp(o->role, "node") == 0) {
		o->r = FS_ROLE_NODE;
	} else if (strcmp(o->role, "coordinator") == 0) {
		o->r = FS_ROLE_COORDINATOR;
	} else {
		fprintf(stderr,
		    "fedscore issuer register: expected --role node or "
		    "coordinator, found '%s'\n",
		    o->role);
		return (EXIT_USAGE);
	}
	return (-1);
}

static fs_err
register_key(
    fs_issuer *iss, const opts *o, const fs_pubkey *pub, char *why, size_t cap)
{
	char   pid[FS_PASERK_PID_LEN + 1];
	fs_err rv;

	if ((rv = fs_issuer_register(iss, o->name, o->r, pub, why, cap))
	    == FS_OK) {
		fs_paserk_pid_from_kid(pid, pub->kid);
		printf("registered %s %s as %s\n", o->role, o->name, pid);
	}
	return (rv);
}

static fs_err
print_revocations(fs_issuer *iss, char *why, size_t cap)
{
	char  *note = NULL;
	fs_err rv;

	if ((rv = fs_issuer_revocation_note(iss, &note, why, cap)) == FS_OK) {
		fputs(note, stdout);
		free(note);
	}
	return (rv);
}

// run_verb: init makes the issuer's keys and database; the others open
// them (register reads the key to register first).
static fs_err
run_verb(const opts *o, char *why, size_t cap)
{
	fs_issuer *iss = NULL;
	fs_pubkey  pub;
	fs_err     rv;

	if (strcmp(o->verb, "init") == 0) {
		return (fs_issuer_init(o->conf, why, cap));
	}
	if (o->r != 0 && (rv = fs_keyfile_read_public(&pub, o->key)) != 0) {
		snprintf(why, cap, "%s: %s", o->key, fs_strerror(rv));
		return (rv);
	}
	if ((rv = fs_issuer_open(&iss, o->conf, why, cap)) != 0) {
		return (rv);
	}
	if (o->r != 0) {
		rv = register_key(iss, o, &pub, why, cap);
	} else if (strcmp(o->verb, "revocations") == 0) {
		rv = print_revocations(iss, why, cap);
	} else {
		rv = fs_issuer_serve(iss, why, cap);
	}
	fs_issuer_close(iss);
	return (rv);
}

int
issuer_main(int argc, char **argv)
{
	opts   o               = { 0 };
	char   why[FS_WHY_MAX] = "";
	fs_err rv;
	int    c;

	if ((c = read_options(argc, argv, &o)) >= 0) {
		return (c);
	}
	if ((rv = run_verb(&o, why, sizeof(why))) == FS_OK) {
		return (0);
	}
	return (cli_fail(rv, why, "issuer %s", o.verb));
}

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

int
issuer_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *name = NULL, *role = NULL, *key = NULL;
	const char *verb;
	char        why[FS_WHY_MAX] = "";
	fs_issuer  *iss             = NULL;
	fs_pubkey   pub;
	fs_role     r = 0;
	fs_err      rv;
	int         c;

	if ((c = cli_verb(&argc, &argv, usage, &verb)) >= 0) {
		return (c);
	}
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'h':
			return (cli_usage(usage, true));
		default:
			return (cli_usage(usage, false));
		}
	}
	if (conf == NULL || optind != argc) {
		return (cli_usage(usage, false));
	}
	if (strcmp(verb, "init") == 0) {
		if ((rv = fs_issuer_init(conf, why, sizeof(why))) != 0) {
			goto fail;
		}
		return (0);
	}
	if (strcmp(verb, "register") == 0) {
		if (name == NULL || role == NULL || key == NULL) {
			return (cli_usage(usage, false));
		}
		if (strcmp(role, "node") == 0) {
			r = FS_ROLE_NODE;
		} else if (strcmp(role, "coordinator") == 0) {
			r = FS_ROLE_COORDINATOR;
		} else {
			fprintf(stderr,
			    "fedscore issuer register: expected --role node or "
			    "coordinator, found '%s'\n",
			    role);
			return (EXIT_USAGE);
		}
		if ((rv = fs_keyfile_read_public(&pub, key)) != 0) {
			snprintf(
			    why, sizeof(why), "%s: %s", key, fs_strerror(rv));
			goto fail;
		}
	} else if (strcmp(verb, "serve") != 0
	    && strcmp(verb, "revocations") != 0) {
		return (cli_usage(usage, false));
	}
	if ((rv = fs_issuer_open(&iss, conf, why, sizeof(why))) != 0) {
		goto fail;
	}
	if (r != 0) {
		rv = fs_issuer_register(iss, name, r, &pub, why, sizeof(why));
		if (rv == FS_OK) {
			char pid[FS_PASERK_PID_LEN + 1];

			fs_paserk_pid_from_kid(pid, pub.kid);
			printf("registered %s %s as %s\n", role, name, pid);
		}
	} else if (strcmp(verb, "revocations") == 0) {
		char *note = NULL;

		if ((rv = fs_issuer_revocation_note(
		         iss, &note, why, sizeof(why)))
		    == FS_OK) {
			fputs(note, stdout);
			free(note);
		}
	} else {
		rv = fs_issuer_serve(iss, why, sizeof(why));
	}
	fs_issuer_close(iss);
	if (rv == FS_OK) {
		return (0);
	}
fail:
	fprintf(stderr, "fedscore issuer %s: %s\n", verb,
	    why[0] ? why : fs_strerror(rv));
	return (cli_exit(rv));
}

// SPDX-License-Identifier: Apache-2.0
//
// key.c -- fedscore key: facts about key files.

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "crypto/key.h"

static const char usage[] = "usage: fedscore key id PATH\n";

// key_id prints the PASERK id of a public key file, or of a secret key
// file's public half.
static int
key_id(const char *path)
{
	char      pid[FS_PASERK_PID_LEN + 1];
	fs_pubkey pub;
	fs_key   *k;
	fs_err    rv;

	rv = fs_keyfile_read_public(&pub, path);
	if (rv == FS_ERR_TYPE) {
		// Not a public key: perhaps a secret one.
		if ((rv = fs_keyfile_read_secret(&k, path)) == FS_OK) {
			pub = *fs_key_public(k);
			fs_key_free(k);
		}
	}
	if (rv != FS_OK) {
		fprintf(stderr,
		    "fedscore key id: %s: %s (expected a k4.public or "
		    "k4.secret "
		    "PASERK)\n",
		    path, fs_strerror(rv));
		return (EXIT_USAGE);
	}
	fs_paserk_pid_from_kid(pid, pub.kid);
	printf("%s\n", pid);
	return (0);
}

int
key_main(int argc, char **argv)
{
	if (argc == 2 && cli_is_help(argv[1])) {
		return (cli_usage(usage, true));
	}
	if (argc == 3 && strcmp(argv[1], "id") == 0) {
		return (key_id(argv[2]));
	}
	return (cli_usage(usage, false));
}

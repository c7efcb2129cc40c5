// SPDX-License-Identifier: Apache-2.0
//
// keygen.c -- fedscore keygen: a new Ed25519 identity in two files.

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/err.h"
#include "crypto/key.h"

static const char usage[] = "usage: fedscore keygen -o PATH [--name NAME]\n";

int
keygen_main(int argc, char **argv)
{
	const char   *path   = NULL;
	const char   *name   = NULL;
	const cli_opt opts[] = {
		{ "output", 'o', .value = &path, .need = true },
		{ "name", 'n', .value = &name },
		{ 0 },
	};
	char   *pubpath;
	char    pid[FS_PASERK_PID_LEN + 1];
	fs_key *k = NULL;
	fs_err  rv;
	int     c;

	if ((c = cli_options(&argc, &argv, NULL, opts, 0, usage)) >= 0) {
		return (c);
	}
	if ((pubpath = malloc(strlen(path) + 5)) == NULL) {
		fprintf(stderr, "fedscore keygen: out of memory\n");
		return (EXIT_USAGE);
	}
	strcpy(pubpath, path);
	strcat(pubpath, ".pub");
	// Check the public file first so that a refusal leaves nothing new.
	if (access(pubpath, F_OK) == 0) {
		fprintf(stderr,
		    "fedscore keygen: %s already exists; refusing to overwrite "
		    "a key\n",
		    pubpath);
		free(pubpath);
		return (EXIT_USAGE);
	}
	if ((rv = fs_key_generate(&k)) != 0) {
		fprintf(stderr, "fedscore keygen: %s\n", fs_strerror(rv));
		goto out;
	}
	if ((rv = fs_keyfile_write_secret(path, k, name)) != 0) {
		fprintf(stderr, "fedscore keygen: %s: %s%s\n", path,
		    fs_strerror(rv),
		    rv == FS_ERR_INVALID
		        ? " (a name is 1 to 64 characters on one line)"
		        : "");
		goto out;
	}
	if ((rv = fs_keyfile_write_public(pubpath, fs_key_public(k))) != 0) {
		fprintf(stderr, "fedscore keygen: %s: %s\n", pubpath,
		    fs_strerror(rv));
		unlink(path);
		goto out;
	}
	fs_paserk_pid_from_kid(pid, fs_key_public(k)->kid);
	printf("%s\n", pid);
out:
	fs_key_free(k);
	free(pubpath);
	return (rv == FS_OK ? 0 : EXIT_USAGE);
}

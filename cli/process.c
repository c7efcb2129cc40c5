// SPDX-License-Identifier: Apache-2.0
//
// process.c -- fedscore commands run as processes; see process.h.

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/process.h"

extern char **environ;

int
cli_spawn(pid_t *pidp, const char *path, const char *const args[],
    const char *out, const char *err)
{
	posix_spawn_file_actions_t fa;
	char                      *argv[CLI_SPAWN_ARGS_MAX + 2];
	int                        rv, i;

	argv[0] = (char *) "fedscore";
	for (i = 0; args[i] != NULL && i < CLI_SPAWN_ARGS_MAX; i++) {
		argv[i + 1] = (char *) args[i];
	}
	argv[i + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(
	    &fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(
	    &fa, 2, err, O_WRONLY | O_CREAT | O_APPEND, 0600);
	rv = posix_spawn(pidp, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return (rv);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return (remove(path));
}

int
cli_rmtree(const char *dir)
{
	if (chdir("/") != 0) {
		return (-1);
	}
	return (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS));
}

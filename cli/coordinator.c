// SPDX-License-Identifier: Apache-2.0
//
// coordinator.c -- fedscore coordinator: run the credit center's
// coordinator.

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "coordinator.h"

static const char usage[] = "usage: fedscore coordinator serve -c CONF\n";

int
coordinator_main(int argc, char **argv)
{
	char      why[FS_WHY_MAX] = "";
	fs_coord *c               = NULL;
	fs_err    rv;

	if (argc == 2 && cli_is_help(argv[1])) {
		return (cli_usage(usage, true));
	}
	if (argc != 4 || strcmp(argv[1], "serve") != 0
	    || (strcmp(argv[2], "-c") != 0
	        && strcmp(argv[2], "--config") != 0)) {
		return (cli_usage(usage, false));
	}
	if ((rv = fs_coord_open(&c, argv[3], why, sizeof(why))) == FS_OK) {
		rv = fs_coord_serve(c, why, sizeof(why));
	}
	fs_coord_close(c);
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore coordinator serve: %s\n",
		    why[0] ? why : fs_strerror(rv));
	}
	return (cli_exit(rv));
}

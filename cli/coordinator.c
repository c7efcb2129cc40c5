// SPDX-License-Identifier: Apache-2.0
//
// coordinator.c -- fedscore coordinator: run the credit center's
// coordinator, and export its full disclosure records for auditors.

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"
#include "coordinator/coordinator.h"

static const char usage[]
    = "usage: fedscore coordinator serve -c CONF\n"
      "       fedscore coordinator export -c CONF [--from N]\n";

static int
serve(const char *conf)
{
	char      why[FS_WHY_MAX] = "";
	fs_coord *c               = NULL;
	fs_err    rv;

	if ((rv = fs_coord_open(&c, conf, why, sizeof(why))) == FS_OK) {
		rv = fs_coord_serve(c, why, sizeof(why));
	}
	fs_coord_close(c);
	return (rv == FS_OK ? 0 : cli_fail(rv, why, "coordinator serve"));
}

static int export(const char *conf, const char *from)
{
	char     why[FS_WHY_MAX] = "";
	char    *end;
	int64_t  first = 0;
	uint64_t n     = 0;
	fs_err   rv;

	if (from != NULL) {
		errno = 0;
		first = strtoll(from, &end, 10);
		if (errno != 0 || end == from || *end != '\0' || first < 0) {
			fprintf(stderr,
			    "fedscore coordinator export: expected --from "
			    "as a log index (0 or more), found '%s'\n",
			    from);
			return (EXIT_USAGE);
		}
	}
	rv = fs_coord_export(conf, first, stdout, &n, why, sizeof(why));
	if (rv == FS_OK && fflush(stdout) != 0) {
		snprintf(why, sizeof(why), "cannot write the export: %s",
		    strerror(errno));
		rv = FS_ERR_IO;
	}
	if (rv != FS_OK) {
		cli_fail(rv, why, "coordinator export");
		return (EXIT_USAGE);
	}
	fprintf(stderr, "exported %llu disclosure%s\n", (unsigned long long) n,
	    n == 1 ? "" : "s");
	return (0);
}

int
coordinator_main(int argc, char **argv)
{
	const char   *conf = NULL, *from = NULL, *verb;
	const cli_opt opts[] = {
		{ "config", 'c', .value = &conf, .need = true },
		{ "from", .value = &from },
		{ 0 },
	};
	int c;

	if ((c = cli_options(&argc, &argv, &verb, opts, 0, usage)) >= 0) {
		return (c);
	}
	if (strcmp(verb, "serve") == 0 && from == NULL) {
		return (serve(conf));
	}
	if (strcmp(verb, "export") == 0) {
		return (export(conf, from));
	}
	return (cli_usage(usage, false));
}

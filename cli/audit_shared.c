// SPDX-License-Identifier: Apache-2.0
//
// audit_shared.c -- what the audit subcommands share: reading the full
// records, and printing the report and turning it into an exit code:
// 0 nothing found, 1 findings, 2 usage or I/O.

#include "audit/audit.h"
#include "cli/audit_cmd.h"
#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"

int
audit_print(const char *verb, const fs_audit_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		printf("%s %s\n", rep->lines[i].finding ? "FAIL" : "ok  ",
		    rep->lines[i].text);
	}
	if (rep->findings == 0) {
		printf("audit %s: passed, no findings\n", verb);
		return (0);
	}
	printf("audit %s: FAILED, %zu finding%s\n", verb, rep->findings,
	    rep->findings == 1 ? "" : "s");
	return (EXIT_REFUSED);
}

int
audit_load_records(const audit_opts *o, fs_audit_record **rp, size_t *np)
{
	char   why[FS_WHY_MAX] = "";
	fs_err rv;

	if ((rv = fs_audit_records_load(rp, np, o->full, why, sizeof(why)))
	    != FS_OK) {
		cli_fail(rv, why, "audit");
		return (-1);
	}
	return (0);
}

// SPDX-License-Identifier: Apache-2.0
//
// audit_cmd.h -- shared by the files of fedscore audit; private to cli/.
// audit.c reads the options and runs one subcommand, each in its own
// file: audit_verify.c, audit_reconcile.c, audit_anomalies.c.

#ifndef FS_AUDIT_CMD_H
#define FS_AUDIT_CMD_H

#include "audit/audit.h"

#define WITNESSES_MAX 32
#define RELEASES_MAX  64
#define STATE_DEFAULT "./fedscore-audit.state"

typedef struct audit_opts {
	const char *log, *key, *since, *state, *full, *issuer, *region, *conf;
	const char *statedir, *revocations, *grace, *answer, *salt, *cacert;
	const char *witness[WITNESSES_MAX];
	size_t      nwitness;
	const char *releases[RELEASES_MAX];
	size_t      nreleases;
	const char *nodekeys[RELEASES_MAX];
	size_t      nnodekeys;
} audit_opts;

// The subcommands, given options that audit_main found complete: the
// exit code.
int audit_verify(const audit_opts *o);
int audit_reconcile(const audit_opts *o);
int audit_anomalies(const audit_opts *o);
int audit_open(const audit_opts *o);

// audit_print prints the report's lines and its verdict: 0 when there
// are no findings, else EXIT_REFUSED.
int audit_print(const char *verb, const fs_audit_report *rep);
// audit_load_records reads the full records of --full.
int audit_load_records(const audit_opts *o, fs_audit_record **rp, size_t *np);

#endif // FS_AUDIT_CMD_H

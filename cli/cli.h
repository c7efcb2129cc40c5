// SPDX-License-Identifier: Apache-2.0
//
// cli.h -- shared by the subcommands of the fedscore command; private to
// cli/.  Each subcommand is one file with one entry point, and only these
// entry points turn errors into messages and exit codes: 0 ok, 1 refused
// (bad signature, no consent, ...), 2 usage or I/O.

#ifndef FS_CLI_H
#define FS_CLI_H

#include "crypto.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

int keygen_main(int argc, char **argv);
int key_main(int argc, char **argv);
int ping_main(int argc, char **argv);
int demo_main(int argc, char **argv);
int issuer_main(int argc, char **argv);
int pseudonym_main(int argc, char **argv);
int consent_main(int argc, char **argv);
int coordinator_main(int argc, char **argv);
int lookup_main(int argc, char **argv);
int node_main(int argc, char **argv);
int access_main(int argc, char **argv);
int audit_main(int argc, char **argv);

// cli_exit maps an error to the exit code: refusals give 1, everything
// else 2.
int cli_exit(fs_err err);

// cli_usage prints usage to stdout and returns 0 when asked for with
// --help, else to stderr and returns EXIT_USAGE.
int cli_usage(const char *usage, bool asked);

// cli_is_help is true for "-h" and "--help".
bool cli_is_help(const char *arg);

// cli_self is the path of the running fedscore binary, for spawning
// daemons from the demo.
extern const char *cli_self;

#endif // FS_CLI_H

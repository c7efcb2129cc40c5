// SPDX-License-Identifier: Apache-2.0
//
// cli.h -- shared by the subcommands of the fedscore command; private to
// cli/.  Each subcommand is one file with one entry point, and only these
// entry points turn errors into messages and exit codes: 0 ok, 1 refused
// (bad signature, no consent, ...), 2 usage or I/O.

#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdio.h>

#include <getopt.h>
#include <stddef.h>

#include "common/err.h"

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
int attest_main(int argc, char **argv);

// cli_exit maps an error to the exit code: refusals give 1, everything
// else 2.
int cli_exit(fs_err err);

// cli_usage prints usage to stdout and returns 0 when asked for with
// --help, else to stderr and returns EXIT_USAGE.
int cli_usage(const char *usage, bool asked);

// cli_options reads options into slots: slots[c] receives the value of the
// option whose getopt_long code is c (NULL slots are not options of this
// command); an option listed in lists may repeat, up to its max.  Returns
// -1 to go on, or the exit code of usage asked or wrong.
#define CLI_SLOTS 128
typedef struct cli_list {
	int          code;
	const char **items;
	size_t      *n;
	size_t       max;
} cli_list;
int cli_options(int argc, char **argv, const char *shortopts,
    const struct option *lopts, const char **const slots[CLI_SLOTS],
    const cli_list *lists, size_t nlists, const char *usage);

// cli_is_help is true for "-h" and "--help".
bool cli_is_help(const char *arg);
// cli_verb takes the verb of "fedscore CMD VERB ..." off argv: -1, or
// cli_usage's exit code when there is none or it asks for help.
int cli_verb(int *argc, char ***argv, const char *usage, const char **verb);

// cli_post sends a JSON body to the coordinator at base: an http(s) URL,
// to which path is added when it names none, or an nng URL (its internal
// interface, which answers lookups).  It returns the HTTP status and the
// reply, malloc'd.
fs_err cli_post(const char *base, const char *path, const char *body,
    int *status, char **replyp);
// cli_post_why says why the last cli_post failed: a certificate not
// trusted, a connection refused...  HTTPS servers are checked against
// the authorities fs_http_set_cacert names (--cacert).
const char *cli_post_why(void);

// The credit code (qrcode.c): text as a QR code on the terminal (the
// symbol's width in modules in *widthp, which may be NULL), or as a PNG
// of scale pixels a module.
fs_err cli_qr_terminal(FILE *f, const char *text, int *widthp);
fs_err cli_qr_png(const char *path, const char *text, int scale);

// cli_self is the path of the running fedscore binary, for spawning
// daemons from the demo.
extern const char *cli_self;

#endif // FS_CLI_H

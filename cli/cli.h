// SPDX-License-Identifier: Apache-2.0
//
// cli.h -- shared by the subcommands of the fedscore command; private to
// cli/.  Each subcommand is one file with one entry point, and only these
// entry points turn errors into messages and exit codes: 0 ok, 1 refused
// (bad signature, no consent, ...), 2 usage or I/O.

#ifndef FS_CLI_H
#define FS_CLI_H

#include <jansson.h>

#include <stdio.h>

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "crypto/key.h"

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

// One option of a subcommand: --name, and -letter too when letter is
// not 0.  Where it goes: value receives its argument; flag, for an
// option without one, is set; list collects its arguments, list[(*n)++],
// up to max (one more is a usage error).  need marks an option that the
// command needs whatever its verb: given, or for a list given once or
// more.
typedef struct cli_opt {
	const char  *name;
	char         letter;
	const char **value;
	bool        *flag;
	const char **list;
	size_t      *n;
	size_t       max;
	bool         need;
} cli_opt;
#define CLI_OPTS_MAX 24
#define CLI_ANY      (-1) // operands: any number

// cli_options reads "fedscore CMD [VERB] [OPTION]... [OPERAND]...", argv
// starting at CMD: the verb into *verb when verb is not NULL (see
// cli_verb), then the options of the table opts, which ends with an
// option without a name, into their places; --help and -h ask for
// usage.  Then *argc and *argv are the operands.  Returns -1 to go on,
// or the exit code of usage asked or wrong: an option not in the table,
// a needed one missing, or not `operands` operands.
int cli_options(int *argc, char ***argv, const char **verb, const cli_opt *opts,
    int operands, const char *usage);

// cli_is_help is true for "-h" and "--help".
bool cli_is_help(const char *arg);
// cli_verb takes the verb of "fedscore CMD VERB ..." off argv: -1, or
// cli_usage's exit code when there is none or it asks for help.
int cli_verb(int *argc, char ***argv, const char *usage, const char **verb);

// cli_fail prints "fedscore WHAT: WHY" to stderr, WHAT as fmt says and
// WHY why or, when it is empty, rv's description; it returns rv's exit
// code.
int cli_fail(fs_err rv, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// cli_secret_key and cli_public_key read a key file; when they cannot,
// they say so as "fedscore WHAT: PATH: reason", and for a public key
// "(expected the WHOSE's k4.public key)" after it when whose is not NULL.
fs_err cli_secret_key(fs_key **kp, const char *path, const char *what);
fs_err cli_public_key(
    fs_pubkey *k, const char *path, const char *what, const char *whose);

// cli_read_file reads at most max bytes of path (standard input for
// "-"), NUL-ended, into *bufp (malloc'd; room for one byte more).
// cli_write_file writes len bytes to path, replacing it.
fs_err cli_read_file(char **bufp, size_t *lenp, const char *path, size_t max);
fs_err cli_write_file(const char *path, const char *buf, size_t len);

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

struct json_t; // jansson's

// cli_post_json posts body as cli_post does: the reply in *textp, and
// parsed in *replyp when it is JSON (else NULL); both are the caller's.
fs_err cli_post_json(const char *base, const char *path,
    const struct json_t *body, int *status, struct json_t **replyp,
    char **textp);
// cli_print_json prints j to stdout, indented, keys sorted, and a newline
// ("{}" when it cannot).
void cli_print_json(const struct json_t *j);

// The credit code (qrcode.c): text as a QR code on the terminal (the
// symbol's width in modules in *widthp, which may be NULL), or as a PNG
// of scale pixels a module.
fs_err cli_qr_terminal(FILE *f, const char *text, int *widthp);
fs_err cli_qr_png(const char *path, const char *text, int scale);

// cli_self is the path of the running fedscore binary, for spawning
// daemons from the demo.
extern const char *cli_self;

#endif // FS_CLI_H

// SPDX-License-Identifier: Apache-2.0
//
// util.c -- what the subcommands of fedscore share: exit codes, usage,
// reading options from a table, and reading key files and other files
// with the same messages everywhere.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "crypto/key.h"

int
cli_exit(fs_err err)
{
	switch (err) {
	case FS_OK:
		return (0);
	case FS_ERR_BAD_SIGNATURE:
	case FS_ERR_WRONG_KEY:
	case FS_ERR_DECRYPT:
	case FS_ERR_CLOCK_SKEW:
	case FS_ERR_EXPIRED:
	case FS_ERR_NOT_YET_VALID:
	case FS_ERR_REVOKED:
	case FS_ERR_REPLAYED:
	case FS_ERR_UNREGISTERED:
	case FS_ERR_REFUSED:
	case FS_ERR_WRONG_REGION:
	case FS_ERR_WRONG_AUDIENCE:
	case FS_ERR_PURPOSE:
	case FS_ERR_SCOPE:
	case FS_ERR_USED_UP:
	case FS_ERR_UNBOUND:
		return (EXIT_REFUSED);
	default:
		return (EXIT_USAGE);
	}
}

int
cli_usage(const char *usage, bool asked)
{
	fputs(usage, asked ? stdout : stderr);
	return (asked ? 0 : EXIT_USAGE);
}

bool
cli_is_help(const char *arg)
{
	return (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0);
}

int
cli_verb(int *argc, char ***argv, const char *usage, const char **verb)
{
	if (*argc < 2 || cli_is_help((*argv)[1])) {
		return (cli_usage(usage, *argc >= 2));
	}
	*verb = (*argv)[1];
	(*argc)--;
	(*argv)++;
	return (-1);
}

// An option without a letter is known to getopt_long by its place in
// the table, from LONG_ONLY on.
#define LONG_ONLY 256

// getopt_table fills getopt_long's tables from opts, and adds --help and
// -h: the number of options in opts.
static size_t
getopt_table(const cli_opt *opts, struct option lopts[CLI_OPTS_MAX + 2],
    char shortopts[2 * CLI_OPTS_MAX + 2])
{
	size_t n, ns = 0;

	for (n = 0; n < CLI_OPTS_MAX && opts[n].name != NULL; n++) {
		const cli_opt *o = &opts[n];

		lopts[n] = (struct option) { .name = o->name,
			.has_arg
			= o->flag != NULL ? no_argument : required_argument,
			.val
			= o->letter != 0 ? o->letter : LONG_ONLY + (int) n };
		if (o->letter != 0) {
			shortopts[ns++] = o->letter;
			if (o->flag == NULL) {
				shortopts[ns++] = ':';
			}
		}
	}
	lopts[n]        = (struct option) { "help", no_argument, NULL, 'h' };
	lopts[n + 1]    = (struct option) { NULL, 0, NULL, 0 };
	shortopts[ns++] = 'h';
	shortopts[ns]   = '\0';
	return (n);
}

// take puts the argument of the option getopt_long returned as c where
// the table says: false when c is none of the table's, or a list is full.
static bool
take(const cli_opt *opts, size_t n, int c, const char *arg)
{
	for (size_t i = 0; i < n; i++) {
		const cli_opt *o = &opts[i];

		if (c != (o->letter != 0 ? o->letter : LONG_ONLY + (int) i)) {
			continue;
		}
		if (o->flag != NULL) {
			*o->flag = true;
		} else if (o->list != NULL) {
			if (*o->n >= o->max) {
				return (false);
			}
			o->list[(*o->n)++] = arg;
		} else {
			*o->value = arg;
		}
		return (true);
	}
	return (false);
}

// given says whether every option the table needs was given.
static bool
given(const cli_opt *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const cli_opt *o = &opts[i];

		bool got = o->list != NULL ? *o->n > 0
		    : o->flag != NULL      ? *o->flag
		                           : *o->value != NULL;

		if (o->need && !got) {
			return (false);
		}
	}
	return (true);
}

int
cli_options(int *argc, char ***argv, const char **verb, const cli_opt *opts,
    int operands, const char *usage)
{
	struct option lopts[CLI_OPTS_MAX + 2];
	char          shortopts[2 * CLI_OPTS_MAX + 2];
	size_t        n = getopt_table(opts, lopts, shortopts);
	int           c;

	if (verb != NULL && (c = cli_verb(argc, argv, usage, verb)) >= 0) {
		return (c);
	}
	while ((c = getopt_long(*argc, *argv, shortopts, lopts, NULL)) != -1) {
		if (c == 'h') {
			return (cli_usage(usage, true));
		}
		if (!take(opts, n, c, optarg)) {
			return (cli_usage(usage, false));
		}
	}
	*argc -= optind;
	*argv += optind;
	if ((operands != CLI_ANY && *argc != operands) || !given(opts, n)) {
		return (cli_usage(usage, false));
	}
	return (-1);
}

int
cli_fail(fs_err rv, const char *why, const char *fmt, ...)
{
	va_list ap;

	fputs("fedscore ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n",
	    why != NULL && why[0] != '\0' ? why : fs_strerror(rv));
	return (cli_exit(rv));
}

// key_error says why the key file at path cannot be read.
static void
key_error(fs_err rv, const char *path, const char *what, const char *whose)
{
	fprintf(stderr, "fedscore %s: %s: %s", what, path, fs_strerror(rv));
	if (whose != NULL) {
		fprintf(stderr, " (expected the %s's k4.public key)", whose);
	}
	fputc('\n', stderr);
}

fs_err
cli_secret_key(fs_key **kp, const char *path, const char *what)
{
	fs_err rv;

	if ((rv = fs_keyfile_read_secret(kp, path)) != FS_OK) {
		key_error(rv, path, what, NULL);
	}
	return (rv);
}

fs_err
cli_public_key(
    fs_pubkey *k, const char *path, const char *what, const char *whose)
{
	fs_err rv;

	if ((rv = fs_keyfile_read_public(k, path)) != FS_OK) {
		key_error(rv, path, what, whose);
	}
	return (rv);
}

fs_err
cli_read_file(char **bufp, size_t *lenp, const char *path, size_t max)
{
	FILE  *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char  *buf;
	size_t n = 0;
	fs_err rv;

	if (f == NULL) {
		return (FS_ERR_NOT_FOUND);
	}
	if ((buf = malloc(max + 2)) == NULL) {
		rv = FS_ERR_NOMEM;
	} else {
		n  = fread(buf, 1, max + 1, f);
		rv = n > max ? FS_ERR_TOO_LARGE : ferror(f) ? FS_ERR_IO : FS_OK;
	}
	if (f != stdin) {
		fclose(f);
	}
	if (rv != FS_OK) {
		free(buf);
		return (rv);
	}
	buf[n] = '\0';
	*bufp  = buf;
	*lenp  = n;
	return (FS_OK);
}

fs_err
cli_write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		return (FS_ERR_IO);
	}
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return (FS_ERR_IO);
	}
	return (fclose(f) == 0 ? FS_OK : FS_ERR_IO);
}

// SPDX-License-Identifier: Apache-2.0
//
// demo.c -- fedscore demo: run the parties locally, end to end, in a
// temporary directory, and clean up.
//
// For now the federation is two parties: each gets an identity, one runs
// "fedscore ping serve" as a separate process, the other sends it a
// sealed, signed ping over nng and checks the sealed, signed, bound reply.
// Daemons are started with posix_spawn before this process touches nng,
// as nng must not be used across fork().

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static const char usage[] = "usage: fedscore demo [--keep]\n";

static int
make_key(const char *dir, const char *name, char *path, size_t cap)
{
	char    pub[4096];
	fs_key *k;
	fs_err  rv;

	snprintf(path, cap, "%s/%s.key", dir, name);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	if ((rv = fs_key_generate(&k)) != 0
	    || (rv = fs_keyfile_write_secret(path, k, name)) != 0
	    || (rv = fs_keyfile_write_public(pub, fs_key_public(k))) != 0) {
		fprintf(
		    stderr, "fedscore demo: %s: %s\n", path, fs_strerror(rv));
		fs_key_free(k);
		return (-1);
	}
	printf("  %-8s %s\n", name, path);
	fs_key_free(k);
	return (0);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return (remove(path));
}

static pid_t
spawn(char *const argv[])
{
	pid_t pid;
	int   rv;

	if ((rv = posix_spawn(&pid, cli_self, NULL, NULL, argv, environ))
	    != 0) {
		fprintf(stderr, "fedscore demo: cannot start %s: %s\n",
		    cli_self, strerror(rv));
		return (-1);
	}
	return (pid);
}

static int
run(char *const argv[])
{
	pid_t pid = spawn(argv);
	int   status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		return (-1);
	}
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int
demo_main(int argc, char **argv)
{
	char  tmpl[] = "/tmp/fedscore-demo.XXXXXX";
	char  a[4096], b[4096], apub[4200], bpub[4200], url[4200];
	char *dir;
	bool  keep = false;
	pid_t server;
	int   status, rc = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			return (cli_usage(usage, true));
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else {
			return (cli_usage(usage, false));
		}
	}
	if ((dir = mkdtemp(tmpl)) == NULL) {
		fprintf(stderr, "fedscore demo: cannot create %s: %s\n", tmpl,
		    strerror(errno));
		return (EXIT_USAGE);
	}
	printf(
	    "fedscore demo in %s\n\n1. identities (Ed25519, PASERK k4)\n", dir);
	if (make_key(dir, "alice", a, sizeof(a)) != 0
	    || make_key(dir, "bob", b, sizeof(b)) != 0) {
		goto out;
	}
	snprintf(apub, sizeof(apub), "%s.pub", a);
	snprintf(bpub, sizeof(bpub), "%s.pub", b);
	snprintf(url, sizeof(url), "ipc://%s/bob.sock", dir);

	printf("\n2. bob serves on %s (a separate process)\n", url);
	server = spawn((char *[]) { "fedscore", "ping", "serve", "-k", b,
	    "--peer", apub, "-l", url, NULL });
	if (server < 0) {
		goto out;
	}
	printf("\n3. alice pings bob: sealed to bob, signed by alice\n  ");
	fflush(stdout);
	rc = run((char *[]) { "fedscore", "ping", "-k", a, "--peer", bpub, "-d",
	    url, "-m", "hello from alice", NULL });
	kill(server, SIGTERM);
	if (waitpid(server, &status, 0) < 0 || !WIFEXITED(status)
	    || WEXITSTATUS(status) != 0) {
		fprintf(
		    stderr, "fedscore demo: the server did not end cleanly\n");
		rc = rc != 0 ? rc : EXIT_USAGE;
	}
	printf("\n%s\n", rc == 0 ? "demo: ok" : "demo: FAILED");
out:
	if (!keep) {
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	return (rc);
}

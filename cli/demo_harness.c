// SPDX-License-Identifier: Apache-2.0
//
// demo_harness.c -- the process harness of fedscore demo: a directory
// of its own, fedscore commands run in it to their end, daemons started
// and stopped, waiting for one to listen, and the files commands read
// and write there.  Processes are started with posix_spawn, before this
// process touches nng.  Nothing here knows the story the demo tells.

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/demo.h"
#include "cli/process.h"
#include "common/err.h"

bool
demo_find_data(char data[static PATH_MAX], const char *given)
{
	char        self[PATH_MAX], base[PATH_MAX];
	const char *tries[] = { "%s/../../deploy/sample", "%s/../deploy/sample",
		"%s/../share/fedscore/sample" };
	struct stat st;

	if (given != NULL) {
		return (realpath(given, data) != NULL);
	}
	if (realpath(cli_self, self) == NULL) {
		return (false);
	}
	snprintf(base, sizeof(base), "%s", dirname(self));
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		char p[PATH_MAX + 64];

		snprintf(p, sizeof(p), tries[i], base);
		if (realpath(p, data) != NULL && stat(data, &st) == 0) {
			return (true);
		}
	}
	data[0] = '\0';
	return (false);
}

bool
demo_open(demo_harness *h, const char *tmpl)
{
	snprintf(h->dir, sizeof(h->dir), "%s", tmpl);
	h->ndaemons = 0;
	if (mkdtemp(h->dir) == NULL) {
		fprintf(stderr, "fedscore demo: cannot create %s: %s\n", h->dir,
		    strerror(errno));
		return (false);
	}
	if (realpath(cli_self, h->self) == NULL || chdir(h->dir) != 0) {
		fprintf(stderr, "fedscore demo: cannot run from %s: %s\n",
		    h->dir, strerror(errno));
		return (false);
	}
	cli_self = h->self;
	return (true);
}

void
demo_close(demo_harness *h, bool keep)
{
	demo_stop_all(h);
	if (!keep) {
		cli_rmtree(h->dir);
	}
}

pid_t
demo_spawn(
    const demo_harness *h, const char *out, const char *log, const char *args[])
{
	char  outp[PATH_MAX + 64], logp[PATH_MAX + 64];
	pid_t pid;
	int   rv;

	if (out != NULL) {
		snprintf(outp, sizeof(outp), "%s/%s", h->dir, out);
	} else {
		snprintf(outp, sizeof(outp), "/dev/null");
	}
	snprintf(logp, sizeof(logp), "%s/%s", h->dir, log);
	if ((rv = cli_spawn(&pid, cli_self, args, outp, logp)) != 0) {
		fprintf(stderr, "fedscore demo: cannot start %s: %s\n",
		    cli_self, strerror(rv));
		return (-1);
	}
	return (pid);
}

int
demo_wait(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		return (-1);
	}
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int
demo_run(const demo_harness *h, const char *out, const char *args[])
{
	return (demo_wait(demo_spawn(h, out, "commands.log", args)));
}

pid_t
demo_daemon(demo_harness *h, const char *log, const char *args[])
{
	pid_t pid;

	if (h->ndaemons == DEMO_DAEMONS_MAX) {
		fprintf(stderr,
		    "fedscore demo: cannot start %s: %d daemons "
		    "run already\n",
		    args[0], DEMO_DAEMONS_MAX);
		return (-1);
	}
	if ((pid = demo_spawn(h, NULL, log, args)) > 0) {
		h->daemons[h->ndaemons++] = pid;
	}
	return (pid);
}

void
demo_stop(demo_harness *h, pid_t pid)
{
	for (size_t i = 0; i < h->ndaemons; i++) {
		if (h->daemons[i] == pid) {
			kill(pid, SIGTERM);
			demo_wait(pid);
			h->daemons[i] = h->daemons[--h->ndaemons];
			return;
		}
	}
}

void
demo_stop_all(demo_harness *h)
{
	while (h->ndaemons > 0) {
		demo_stop(h, h->daemons[h->ndaemons - 1]);
	}
}

int
demo_free_port(void)
{
	struct sockaddr_in a    = { .sin_family = AF_INET };
	socklen_t          len  = sizeof(a);
	int                s    = socket(AF_INET, SOCK_STREAM, 0);
	int                port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *) &a, sizeof(a)) == 0
	    && getsockname(s, (struct sockaddr *) &a, &len) == 0) {
		port = ntohs(a.sin_port);
	}
	if (s >= 0) {
		close(s);
	}
	return (port);
}

bool
demo_wait_listening(int port)
{
	struct sockaddr_in a  = { .sin_family = AF_INET };
	struct timespec    ts = { 0, 50 * 1000 * 1000 };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port        = htons((uint16_t) port);
	for (int i = 0; i < 200; i++) {
		int  s  = socket(AF_INET, SOCK_STREAM, 0);
		bool ok = s >= 0
		    && connect(s, (struct sockaddr *) &a, sizeof(a)) == 0;

		if (s >= 0) {
			close(s);
		}
		if (ok) {
			return (true);
		}
		nanosleep(&ts, NULL);
	}
	return (false);
}

char *
demo_slurp(const demo_harness *h, const char *name)
{
	char   path[PATH_MAX + 64];
	char  *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	if (cli_read_file(&buf, &n, path, DEMO_FILE_MAX) != FS_OK) {
		return (strdup(""));
	}
	return (buf);
}

int
demo_put(const demo_harness *h, const char *name, const char *fmt, ...)
{
	char    path[PATH_MAX + 64];
	FILE   *f;
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		return (-1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	return (fclose(f));
}

void
demo_unlink(const demo_harness *h, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	unlink(path);
}

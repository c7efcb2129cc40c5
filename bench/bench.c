// SPDX-License-Identifier: Apache-2.0
//
// bench.c -- timing helpers for the benchmarks, and the options,
// directories and processes of those that run a federation.

#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cli/process.h"

static char fedscore[PATH_MAX];

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec / 1e9);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return ((x > y) - (x < y));
}

double
bench_percentile(double *v, size_t n, int pct)
{
	qsort(v, n, sizeof(v[0]), cmp);
	return (v[n * (size_t) pct / 100]);
}

double
bench_rate(bench_fn fn, void *arg, size_t iters, int rounds)
{
	double r[64];

	if (rounds > 64) {
		rounds = 64;
	}
	fn(arg, iters / 10 + 1); // warm up
	for (int i = 0; i < rounds; i++) {
		double t0 = bench_now();

		fn(arg, iters);
		r[i] = (double) iters / (bench_now() - t0);
	}
	return (bench_percentile(r, (size_t) rounds, 50));
}

void
bench_machine(void)
{
	struct utsname u;
	char           line[256], model[256] = "unknown";
	FILE          *f = fopen("/proc/cpuinfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');

			if (p != NULL) {
				snprintf(model, sizeof(model), "%s", p + 2);
				model[strcspn(model, "\n")] = '\0';
			}
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	uname(&u);
	printf("machine: %s, %ld cores, %s %s %s\n", model,
	    sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, u.machine);
}

void
bench_print(const char *name, double rate, double base)
{
	printf("  %-44s %12.0f /s   %5.2fx\n", name, rate, rate / base);
}

// take puts the argument of option c where opts says: false when c is
// none of them or a number is not one.
static bool
take(const bench_opt *opts, size_t n, int c, const char *arg)
{
	char *end;

	for (size_t i = 0; i < n; i++) {
		if (opts[i].letter != c) {
			continue;
		}
		if (opts[i].text != NULL) {
			*opts[i].text = arg;
			return (true);
		}
		*opts[i].number = strtoul(arg, &end, 10);
		return (end != arg && *end == '\0');
	}
	return (false);
}

bool
bench_options(
    int argc, char **argv, const bench_opt *opts, size_t n, const char *usage)
{
	char   shortopts[64];
	int    c;
	size_t ns = 0;

	for (size_t i = 0; i < n && ns + 3 <= sizeof(shortopts); i++) {
		shortopts[ns++] = opts[i].letter;
		shortopts[ns++] = ':';
	}
	shortopts[ns] = '\0';
	while ((c = getopt(argc, argv, shortopts)) != -1) {
		if (!take(opts, n, c, optarg)) {
			fputs(usage, stderr);
			return (false);
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return (false);
	}
	return (true);
}

bool
bench_tmpdir(char *tmpl, bool enter)
{
	return (mkdtemp(tmpl) != NULL && (!enter || chdir(tmpl) == 0));
}

bool
bench_fedscore(const char *argv0)
{
	char self[PATH_MAX];

	if (realpath(argv0, self) == NULL) {
		return (false);
	}
	snprintf(
	    fedscore, sizeof(fedscore), "%s/../cli/fedscore", dirname(self));
	return (true);
}

pid_t
bench_spawn(const char *out, const char *const args[])
{
	pid_t pid;

	return (
	    cli_spawn(&pid, fedscore, args, out, "bench.log") == 0 ? pid : -1);
}

int
bench_run(const char *out, const char *const args[])
{
	int   status;
	pid_t pid = bench_spawn(out, args);

	return (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
	            && WEXITSTATUS(status) == 0
	        ? 0
	        : -1);
}

void
bench_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

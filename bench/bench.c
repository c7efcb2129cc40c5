// SPDX-License-Identifier: Apache-2.0
//
// bench.c -- timing helpers for the benchmarks.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

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
	qsort(r, (size_t) rounds, sizeof(r[0]), cmp);
	return (r[rounds / 2]);
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

// SPDX-License-Identifier: Apache-2.0
//
// bench.h -- shared by the benchmarks: rates as medians over repeated
// rounds, and a line describing the machine.  The machine is a noisy
// shared VM, so every figure is printed beside a floor measured in the
// same run, and comparisons are ratios.  Also what the benchmarks that
// run a whole federation share: their options, a directory of their own
// and the fedscore processes they start in it.

#ifndef FS_BENCH_H
#define FS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef void (*bench_fn)(void *arg, size_t iters);

// bench_rate runs fn in rounds of iters and returns the median rate in
// operations per second over `rounds` rounds.
double bench_rate(bench_fn fn, void *arg, size_t iters, int rounds);

// bench_percentile sorts the n values of v and returns the pct-th
// percentile of them, v[n * pct / 100] (the median for 50).
double bench_percentile(double *v, size_t n, int pct);

// bench_machine prints the CPU model, cores and kernel.
void bench_machine(void);

// bench_print prints "name  rate/s  ratio" with ratio = rate / base.
void bench_print(const char *name, double rate, double base);

double bench_now(void);

// An option of a benchmark: -letter N, a whole number, into *number, or
// -letter TEXT into *text.
typedef struct bench_opt {
	char           letter;
	unsigned long *number;
	const char   **text;
} bench_opt;

// bench_options reads the n options of opts and expects no operands:
// false, after printing usage to stderr, on anything else.
bool bench_options(
    int argc, char **argv, const bench_opt *opts, size_t n, const char *usage);

// bench_tmpdir makes a new directory from tmpl ("/tmp/NAME.XXXXXX",
// completed in place) and, when enter, moves into it; cli_rmtree
// (cli/process.h) removes it.
bool bench_tmpdir(char *tmpl, bool enter);

// The fedscore binary beside the benchmark's (build/cli/fedscore):
// bench_fedscore finds it from the benchmark's argv[0]; bench_spawn
// starts "fedscore ARGS..." (args ends with NULL) with its stdout to the
// file out and its stderr appended to bench.log, both in the current
// directory: its pid, or -1.  bench_run runs one to its end: 0 when it
// exits 0, else -1.  bench_stop stops one started (SIGTERM, then waits).
bool  bench_fedscore(const char *argv0);
pid_t bench_spawn(const char *out, const char *const args[]);
int   bench_run(const char *out, const char *const args[]);
void  bench_stop(pid_t pid);

#endif // FS_BENCH_H

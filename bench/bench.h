// SPDX-License-Identifier: Apache-2.0
//
// bench.h -- shared by the benchmarks: rates as medians over repeated
// rounds, and a line describing the machine.  The machine is a noisy
// shared VM, so every figure is printed beside a floor measured in the
// same run, and comparisons are ratios.

#ifndef FS_BENCH_H
#define FS_BENCH_H

#include <stddef.h>
#include <stdint.h>

typedef void (*bench_fn)(void *arg, size_t iters);

// bench_rate runs fn in rounds of iters and returns the median rate in
// operations per second over `rounds` rounds.
double bench_rate(bench_fn fn, void *arg, size_t iters, int rounds);

// bench_machine prints the CPU model, cores and kernel.
void bench_machine(void);

// bench_print prints "name  rate/s  ratio" with ratio = rate / base.
void bench_print(const char *name, double rate, double base);

double bench_now(void);

#endif // FS_BENCH_H

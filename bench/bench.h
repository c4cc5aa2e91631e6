/* SPDX-License-Identifier: MIT */
#ifndef DH_BENCH_BENCH_H
#define DH_BENCH_BENCH_H

#include <stddef.h>

/*
 * What the benchmark programs share: clocks in milliseconds and sorting the
 * samples for their medians and percentiles.
 */

/* CLOCK_MONOTONIC in milliseconds (fractional), for wall times. */
double bench_now_ms(void);
/* The calling thread's CPU time in milliseconds (CLOCK_THREAD_CPUTIME_ID):
 * what a piece of work costs that thread, apart from waiting for a loaded
 * machine's scheduler. */
double bench_cpu_ms(void);
/* Sort v[0, n) ascending (v[n / 2] is then the median sample). */
void bench_sort(double *v, size_t n);

#endif

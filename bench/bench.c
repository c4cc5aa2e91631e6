/* SPDX-License-Identifier: MIT */
/* Clocks and sample sorting for the benchmark programs: see bench.h. Not a
 * statistics library: each benchmark reports what it needs. */
#include "bench.h"

#include <stdlib.h>
#include <time.h>

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double
bench_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

double
bench_cpu_ms(void)
{
	return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

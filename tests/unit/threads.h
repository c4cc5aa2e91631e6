/* SPDX-License-Identifier: MIT */
#ifndef DH_TESTS_UNIT_THREADS_H
#define DH_TESTS_UNIT_THREADS_H
#include <criterion/criterion.h>
#include <dirent.h>

/* Threads of this process now (/proc/self/task entries). */
static inline int
test_thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

#endif

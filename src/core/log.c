/* SPDX-License-Identifier: MIT */
/* File logger. Owns the log fd; off unless log_open() was called. */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;

int
log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		return err_set("log %s: %s", path, strerror(errno));
	log_close();
	log_fd = fd;
	return 0;
}

void
log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void
log_write(const char *level, const char *func, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	va_list ap;

	if (log_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	int n = snprintf(line, sizeof line, "%lld.%03ld %s %s: ", (long long)ts.tv_sec,
			 ts.tv_nsec / 1000000, level, func);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	ssize_t w = write(log_fd, line, (size_t)n);
	(void)w;
}

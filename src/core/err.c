/* SPDX-License-Identifier: MIT */
/* Last-error messages (one per thread) and die(). Not a logger: see log.c. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last[1024];
static err_die_fn *die_cb;

int
err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
	return DH_EFAIL;
}

int
err_setc(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
	return code;
}

const char *
err_msg(void)
{
	return last;
}

void
err_set_die_callback(err_die_fn *fn)
{
	die_cb = fn;
}

void
die(const char *fmt, ...)
{
	va_list ap;

	if (die_cb)
		die_cb();
	fputs("deskhand: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

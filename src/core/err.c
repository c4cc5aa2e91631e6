/* SPDX-License-Identifier: MIT */
/* Last-error messages (one per thread) and die(). Not a logger: see log.c. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

/* Each thread's last message: a heap string of any length, freed when the
 * thread ends (the key's destructor) or replaced by the next one. */
static tss_t last_key;
static once_flag last_once = ONCE_FLAG_INIT;
static err_die_fn *die_cb;

static void
last_key_init(void)
{
	if (tss_create(&last_key, free) != thrd_success)
		abort();
}

/* Format into a new string before the old one is freed, so the arguments may
 * be err_msg() itself. Out of memory leaves a fixed message (no die(): the
 * caller is reporting an error already). */
static void set_last(const char *fmt, va_list ap) DH_PRINTF(1, 0);

static void
set_last(const char *fmt, va_list ap)
{
	va_list again;

	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (m)
		vsnprintf(m, (size_t)n + 1, fmt, again);
	va_end(again);
	call_once(&last_once, last_key_init);
	free(tss_get(last_key));
	tss_set(last_key, m);
}

int
err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_last(fmt, ap);
	va_end(ap);
	return DH_EFAIL;
}

int
err_setc(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_last(fmt, ap);
	va_end(ap);
	return code;
}

const char *
err_msg(void)
{
	call_once(&last_once, last_key_init);
	const char *m = tss_get(last_key);
	return m ? m : "";
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

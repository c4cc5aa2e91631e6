/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_XALLOC_H
#define DH_CORE_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

#include "core/err.h"

/*
 * The one allocator family (STYLE.md §3.9). Out of memory is fatal (die()), so
 * none of these return NULL. Free everything with free().
 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrdup(s), or NULL for a NULL s. */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string; caller frees. */
char *xasprintf(const char *fmt, ...) DH_PRINTF(1, 2);

#endif

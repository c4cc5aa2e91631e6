/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_STRV_H
#define DH_CORE_STRV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/array.h"

/*
 * A growable vector of heap strings (path sets for checkpoints, reviews and
 * the watcher). The one string-array implementation: STYLE.md §3.9.
 */
ARRAY_HEAD(strv, char *); /* v[0..n) are owned strings */

/* Append a copy of `s`. Never fails (OOM dies). */
void strv_add(struct strv *a, const char *s);
/* Free every string and the array; *a is empty afterwards. */
void strv_free(struct strv *a);
/* Sort bytewise (strcmp) and drop duplicates. */
void strv_uniq(struct strv *a);
/* Binary search in a vector sorted by strv_uniq(). */
bool strv_has(const struct strv *a, const char *s);
/* qsort/bsearch comparator for arrays of `char *` (strcmp order). */
int strv_cmp(const void *a, const void *b);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_ARRAY_H
#define DH_CORE_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/*
 * The one typed dynamic array (STYLE.md §3.9), after neomutt's ARRAY_HEAD and
 * git's ALLOC_GROW. An array is three fields: `v` points at `n` elements in
 * use out of `cap` allocated (v is NULL while cap is 0), so a zeroed struct
 * (ARRAY_INIT, xcalloc) is an empty array:
 *
 *	ARRAY(struct rule) rules;          a member or a local of an unnamed type
 *	ARRAY_HEAD(strv, char *);          declares `struct strv`
 *
 *	ARRAY_PUSH(&rules, r);
 *	struct item *it = ARRAY_ADD(&items);
 *	for (size_t i = 0; i < rules.n; i++) use(&rules.v[i]);
 *	ARRAY_FREE(&rules);
 *
 * Growth is geometric (the capacity doubles; the first allocation holds at
 * least ARRAY_MIN_BYTES), and the element count and the byte size are checked
 * for overflow. Like the xalloc family, running out of memory or of size_t is
 * fatal (die(), exit 70), so nothing here returns an error. Adding may move
 * `v`: pointers into the array do not survive it. The array owns only its
 * storage; freeing what elements point to is the caller's.
 *
 * The macros evaluate their array argument more than once: pass a plain
 * pointer expression without side effects.
 */

#define ARRAY_HEAD(name, type) \
	struct name {          \
		type *v;       \
		size_t n;      \
		size_t cap;    \
	}
#define ARRAY(type) ARRAY_HEAD(, type)
#define ARRAY_INIT { NULL, 0, 0 }

/* The smallest first allocation, in bytes (fewer reallocs for tiny arrays). */
#define ARRAY_MIN_BYTES 64

/*
 * Make room for `extra` more elements after the first `n` of `v` (`size`
 * bytes each, `*cap` allocated): afterwards *cap >= n + extra. Returns the
 * possibly moved storage and updates *cap; the first n elements are kept, the
 * rest are uninitialised. n + extra elements that do not fit in size_t bytes
 * die() ("array too large"); so does running out of memory (xrealloc). The
 * implementation behind every macro below and behind buf_grow().
 */
static inline void *
array_grow(void *v, size_t *cap, size_t n, size_t extra, size_t size)
{
	size_t max = SIZE_MAX / size; /* most elements whose bytes fit size_t */

	if (n > max || extra > max - n)
		die("array too large (%zu + %zu elements of %zu bytes)", n, extra, size);
	size_t need = n + extra;
	if (need <= *cap)
		return v;
	size_t c = *cap > max / 2 ? max : *cap * 2;
	if (c < ARRAY_MIN_BYTES / size)
		c = ARRAY_MIN_BYTES / size;
	if (c < need)
		c = need;
	v = xrealloc(v, c * size);
	*cap = c;
	return v;
}

/* The field-level form, for a struct that keeps the pointer, count and
 * capacity (a size_t lvalue) under its own names: make room for `extra` more
 * elements after v[0..n). git's ALLOC_GROW(v, n + extra, cap). */
#define ARRAY_GROW(v, n, cap, extra) ((v) = array_grow((v), &(cap), (n), (extra), sizeof *(v)))

/* Make room for `extra` more elements: a->cap >= a->n + extra. */
#define ARRAY_RESERVE(a, extra) ARRAY_GROW((a)->v, (a)->n, (a)->cap, (extra))

/* Append one element: an expression of the element type (a compound literal
 * with commas is fine). */
#define ARRAY_PUSH(a, ...) (ARRAY_RESERVE((a), 1), (void)((a)->v[(a)->n++] = (__VA_ARGS__)))

/* Append one zeroed element; evaluates to a pointer to it. */
#define ARRAY_ADD(a) \
	(ARRAY_RESERVE((a), 1), memset(&(a)->v[(a)->n], 0, sizeof *(a)->v), &(a)->v[(a)->n++])

/* Forget every element (what they own is the caller's); keeps the storage. */
#define ARRAY_CLEAR(a) ((void)((a)->n = 0))

/* Free the storage (not what elements own); the array is empty and reusable. */
#define ARRAY_FREE(a) (free((a)->v), (a)->v = NULL, (void)((a)->n = (a)->cap = 0))

#endif

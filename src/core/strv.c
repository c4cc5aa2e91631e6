/* SPDX-License-Identifier: MIT */
/* String vectors: append, sort-unique, search. */
#include "core/strv.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void
strv_add(struct strv *a, const char *s)
{
	ARRAY_PUSH(a, xstrdup(s));
}

void
strv_free(struct strv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	ARRAY_FREE(a);
}

int
strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_uniq(struct strv *a)
{
	size_t j = 0;

	if (!a->n)
		return;
	qsort(a->v, a->n, sizeof *a->v, strv_cmp);
	for (size_t i = 0; i < a->n; i++) {
		if (j && !strcmp(a->v[j - 1], a->v[i]))
			free(a->v[i]);
		else
			a->v[j++] = a->v[i];
	}
	a->n = j;
}

bool
strv_has(const struct strv *a, const char *s)
{
	return a->n && bsearch(&s, a->v, a->n, sizeof *a->v, strv_cmp) != NULL;
}

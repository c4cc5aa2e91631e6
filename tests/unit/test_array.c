/* SPDX-License-Identifier: MIT */
/* Unit tests for core/array.h: growth, the overflow checks, empty and reused arrays. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "core/array.h"
#include "core/buf.h"

struct pair {
	int a;
	long b;
};

Test(array, push_keeps_order_and_grows_geometrically)
{
	ARRAY(int) a = ARRAY_INIT;
	size_t grows = 0, cap = 0;

	for (int i = 0; i < 100000; i++) {
		ARRAY_PUSH(&a, i * 3);
		cr_assert_geq(a.cap, a.n);
		if (a.cap != cap) {
			grows++;
			cap = a.cap;
		}
	}
	cr_assert_eq(a.n, 100000);
	for (size_t i = 0; i < a.n; i++)
		cr_assert_eq(a.v[i], (int)i * 3);
	/* Doubling from 16: 14 reallocations for 100000, not one per element. */
	cr_assert_leq(grows, 14, "%zu reallocations", grows);
	ARRAY_FREE(&a);
}

Test(array, reserve_makes_room_without_moving_later)
{
	ARRAY(struct pair) a = ARRAY_INIT;

	ARRAY_PUSH(&a, (struct pair){ 1, 2 }); /* a compound literal with a comma */
	ARRAY_RESERVE(&a, 1000);
	cr_assert_eq(a.n, 1);
	cr_assert_geq(a.cap, 1001);
	struct pair *v = a.v;
	for (int i = 0; i < 1000; i++)
		ARRAY_PUSH(&a, (struct pair){ .a = i, .b = -i });
	cr_assert_eq(a.v, v, "storage moved although room was reserved");
	cr_assert_eq(a.v[0].a, 1);
	cr_assert_eq(a.v[0].b, 2);
	cr_assert_eq(a.v[1000].a, 999);
	cr_assert_eq(a.v[1000].b, -999);
	ARRAY_RESERVE(&a, 0);
	cr_assert_eq(a.v, v);
	ARRAY_FREE(&a);
}

Test(array, add_returns_a_zeroed_element)
{
	ARRAY(struct pair) a = ARRAY_INIT;

	for (int i = 0; i < 50; i++) {
		struct pair *p = ARRAY_ADD(&a);

		cr_assert_eq(p, &a.v[a.n - 1]);
		cr_assert_eq(p->a, 0);
		cr_assert_eq(p->b, 0);
		p->a = p->b = 7; /* dirties the storage that a CLEAR keeps */
	}
	ARRAY_CLEAR(&a);
	cr_assert_eq(a.n, 0);
	cr_assert_geq(a.cap, 50);
	cr_assert_eq(ARRAY_ADD(&a)->b, 0);
	ARRAY_FREE(&a);
}

Test(array, free_of_empty_and_reuse_after_free)
{
	ARRAY(const char *) a = ARRAY_INIT;

	ARRAY_FREE(&a); /* never grown: nothing to free */
	cr_assert_null(a.v);
	ARRAY_PUSH(&a, "x");
	ARRAY_FREE(&a);
	cr_assert_null(a.v);
	cr_assert_eq(a.n, 0);
	cr_assert_eq(a.cap, 0);
	ARRAY_PUSH(&a, "y");
	cr_assert_str_eq(a.v[0], "y");
	ARRAY_FREE(&a);
}

ARRAY_HEAD(names, const char *);

static void
add_name(struct names *n, const char *s)
{
	ARRAY_PUSH(n, s);
}

Test(array, named_head_and_field_level_grow)
{
	struct names n = ARRAY_INIT;

	add_name(&n, "a");
	add_name(&n, "b");
	cr_assert_eq(n.n, 2);
	cr_assert_str_eq(n.v[1], "b");
	ARRAY_FREE(&n);

	/* A struct with its own field names (git's ALLOC_GROW). */
	struct {
		long *items;
		size_t nitems, capitems;
	} s = { 0 };
	for (long i = 0; i < 300; i++) {
		ARRAY_GROW(s.items, s.nitems, s.capitems, 1);
		s.items[s.nitems++] = i;
	}
	cr_assert_geq(s.capitems, 300);
	cr_assert_eq(s.items[299], 299);
	free(s.items);
}

/* n + extra wraps around size_t: without the check this would "fit" in the
 * current capacity and a push would write past the storage. */
Test(array, count_overflow_dies, .exit_code = 70)
{
	ARRAY(uint64_t) a = ARRAY_INIT;

	ARRAY_PUSH(&a, 1);
	ARRAY_PUSH(&a, 2);
	ARRAY_PUSH(&a, 3);
	ARRAY_RESERVE(&a, SIZE_MAX - 1);
	cr_assert_fail("reserved %zu elements", a.cap);
}

/* The element count fits size_t but its byte size does not: without the check
 * the multiplication wraps to a tiny allocation. */
Test(array, byte_size_overflow_dies, .exit_code = 70)
{
	ARRAY(uint64_t) a = ARRAY_INIT;

	ARRAY_RESERVE(&a, SIZE_MAX / sizeof(uint64_t) + 2);
	cr_assert_fail("reserved %zu elements", a.cap);
}

/* buf_grow() takes its capacity from array_grow(): a length that wraps size_t
 * (len + extra + 1) must die, not "fit" and let buf_add() write past the end. */
Test(array, buf_grow_past_size_max_dies, .exit_code = 70)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "abc");
	buf_grow(&b, SIZE_MAX - 3);
	cr_assert_fail("grew to %zu bytes", b.cap);
}

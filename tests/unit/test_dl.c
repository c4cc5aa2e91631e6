/* SPDX-License-Identifier: MIT */
/* Unit tests for core/dl: the lazy loader, with real libraries (libm) and
 * names that are not there. */
#include <criterion/criterion.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "core/dl.h"

/* Declared, never defined: only its type is taken, and no library has it. */
int deskhand_test_no_such_symbol(int x);

#define M_SYMS(X) X(cos) X(ldexp)
DL_LIBRARY(mlib, "libm.so.6", "libc6", M_SYMS);

#define ABSENT_SYMS(X) X(cos)
DL_LIBRARY(absent, "libdeskhand-test-absent.so.9", "deskhand-test-absent9", ABSENT_SYMS);

#define PARTIAL_SYMS(X) X(cos) X(deskhand_test_no_such_symbol) X(ldexp)
DL_LIBRARY(partial, "libm.so.6", "libc6", PARTIAL_SYMS);

static atomic_int setups;
static void count_setup(void);
#define RACE_SYMS(X) X(sin)
DL_LIBRARY_INIT(race, "libm.so.6", "libc6", RACE_SYMS, count_setup);

static void
count_setup(void)
{
	atomic_fetch_add(&setups, 1);
	cr_assert_not_null(race.sin, "the table is filled before the set-up runs");
}

Test(dl, loads_once_and_calls_through_typed_pointers)
{
	cr_assert_null(mlib.cos);
	cr_assert_eq(dl_load(&mlib_lib), 0, "%s", err_msg());
	cr_assert_eq(mlib.cos(0.0), 1.0);
	cr_assert_eq(mlib.ldexp(3.0, 4), 48.0);
	double (*first)(double) = mlib.cos;

	cr_assert_eq(dl_load(&mlib_lib), 0);
	cr_assert_eq(mlib.cos, first, "a second load changes nothing");
}

Test(dl, missing_library_names_it_and_its_package_every_time)
{
	for (int i = 0; i < 2; i++) {
		err_set("stale");
		cr_assert_lt(dl_load(&absent_lib), 0);
		const char *m = err_msg();

		cr_assert(strstr(m, "libdeskhand-test-absent.so.9 (Debian package "
		                    "deskhand-test-absent9) could not be loaded: ") == m,
		          "%s", m);
		/* dlerror's own reason follows */
		cr_assert(strstr(m, "cannot open shared object file"), "%s", m);
		cr_assert_null(absent.cos);
	}
}

Test(dl, missing_symbol_names_it_and_leaves_the_table_empty)
{
	cr_assert_lt(dl_load(&partial_lib), 0);
	cr_assert(strstr(err_msg(), "libm.so.6 (Debian package libc6) has no symbol "
	                            "deskhand_test_no_such_symbol: "),
	          "%s", err_msg());
	cr_assert_null(partial.cos, "found before the missing one, but not kept");
	cr_assert_null(partial.deskhand_test_no_such_symbol);
	cr_assert_null(partial.ldexp);
}

static void *
load_race(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)dl_load(&race_lib);
}

Test(dl, concurrent_first_loads_set_up_once)
{
	pthread_t t[8];

	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, load_race, NULL), 0);
	for (int i = 0; i < 8; i++) {
		void *rc;

		pthread_join(t[i], &rc);
		cr_assert_eq((intptr_t)rc, 0);
	}
	cr_assert_eq(atomic_load(&setups), 1);
	cr_assert_eq(race.sin(0.0), 0.0);
}

/* A table several files share: declared as a module's private header does,
 * defined once as one of its files does, then used as a file's own is. */
#define SHARED_SYMS(X) X(floor) X(ceil)
DL_SHARED_DECL(dl_test_shared, SHARED_SYMS);
DL_SHARED_INIT(dl_test_shared, "libm.so.6", "libc6", SHARED_SYMS, NULL);

Test(dl, shared_table_loads_as_a_file_one_does)
{
	cr_assert_null(dl_test_shared.floor);
	cr_assert_eq(dl_load(&dl_test_shared_lib), 0, "%s", err_msg());
	cr_assert_eq(dl_test_shared.floor(2.5), 2.0);
	cr_assert_eq(dl_test_shared.ceil(2.5), 3.0);
	cr_assert_eq(dl_test_shared_lib.n, 2);
}

/* A first load on another thread waits for a running preload to end
 * (core/dl.h dl_load), and the preload's own loads do not wait for it. */
static atomic_int preload_done;
static int preload_own_rc = -2;

static void *
slow_preload(void *arg)
{
	(void)arg;
	preload_own_rc = dl_load(&mlib_lib); /* its own load: no wait */
	poll(NULL, 0, 150);
	atomic_store(&preload_done, 1);
	return NULL;
}

Test(dl, a_first_load_waits_for_a_running_preload)
{
	static struct dl_preload p;

	dl_preload_start(&p, slow_preload);
	cr_assert(p.running);
	cr_assert_eq(dl_load(&partial_lib), DH_EFAIL, "partial is missing a symbol");
	cr_assert_eq(atomic_load(&preload_done), 1, "dl_load() returned before the preload ended");
	dl_preload_join(&p);
	cr_assert_eq(preload_own_rc, 0, "%s", err_msg());
	/* with no preload running, nothing waits */
	cr_assert_eq(dl_load(&mlib_lib), 0);
}

/* SPDX-License-Identifier: MIT */
/* Spend caps (policy/spend.h): a request goes only when spent + estimate stays
 * within every cap; the first cap it could cross is named, in its unit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xalloc.h"

#include "policy/spend.h"

Test(spend, no_caps_never_stop)
{
	struct spend_verdict v = { 0 };
	struct spend_caps none = { 0 };
	struct spend_state lots = { 1e6, 1e6, 1e6, 1000000000L };

	cr_assert_not(spend_would_cross(&v, &none, &lots, 1e6, 1000000000L));
	cr_assert_null(v.limit, "untouched when the request may go");
}

Test(spend, estimate_that_could_cross_stops)
{
	struct spend_verdict v = { 0 };
	struct spend_caps caps = { .run_usd = 1.0 };
	struct spend_state st = { .run_usd = 0.9 };

	/* 0.9 + 0.1 is exactly the cap: allowed (it cannot pass it) */
	cr_assert_not(spend_would_cross(&v, &caps, &st, 0.1, 0));
	cr_assert(spend_would_cross(&v, &caps, &st, 0.14, 0));
	cr_assert_str_eq(v.limit, "max_cost");
	cr_assert_not(v.tokens);
	cr_assert_float_eq(v.spent, 0.9, 1e-12);
	cr_assert_float_eq(v.cap, 1.0, 1e-12);
	cr_assert_float_eq(v.estimate, 0.14, 1e-12);
}

Test(spend, reached_cap_stops_even_an_unpriced_request)
{
	struct spend_verdict v = { 0 };
	struct spend_caps caps = { .session_usd = 2 };
	struct spend_state st = { .run_usd = 0.1, .session_usd = 2.5 };

	cr_assert(spend_would_cross(&v, &caps, &st, 0, 0));
	cr_assert_str_eq(v.limit, "max_cost_per_session");
	cr_assert_float_eq(v.estimate, 0, 1e-12);
}

Test(spend, order_and_units)
{
	struct spend_verdict v = { 0 };
	struct spend_caps caps = { .run_usd = 5, .session_usd = 5, .day_usd = 3,
		                   .session_tokens = 1000 };
	struct spend_state st = { .run_usd = 1, .session_usd = 1, .day_usd = 2.9,
		                  .session_tokens = 990 };

	/* day before tokens; run and session are within */
	cr_assert(spend_would_cross(&v, &caps, &st, 0.2, 20));
	cr_assert_str_eq(v.limit, "max_cost_per_day");
	/* within the day: the tokens */
	cr_assert(spend_would_cross(&v, &caps, &st, 0.05, 20));
	cr_assert_str_eq(v.limit, "max_tokens_per_session");
	cr_assert(v.tokens);
	cr_assert_float_eq(v.spent, 990, 1e-9);
	cr_assert_float_eq(v.cap, 1000, 1e-9);
	cr_assert_float_eq(v.estimate, 20, 1e-9);
	cr_assert_not(spend_would_cross(&v, &caps, &st, 0.05, 10));
}

/* The day's ledger: lines appended are summed for their local day only; a
 * torn last line is skipped; no ledger is 0. */
Test(spend, ledger_sums_the_day)
{
	char tmpl[] = "/tmp/dh-spend-XXXXXX";
	char *dir = mkdtemp(tmpl);
	double sum = -1;

	cr_assert_not_null(dir);
	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_eq(spend_ledger_day(dir, 86400 * 20000, &sum), 0, "%s", err_msg());
	cr_assert_float_eq(sum, 0, 1e-12, "no ledger yet");
	long long day = 86400LL * 20000 * 1000; /* 2024-10-04 00:00 UTC, in ms */

	cr_assert_eq(spend_ledger_add(dir, "s1", 0.25, day + 1000), 0, "%s", err_msg());
	cr_assert_eq(spend_ledger_add(dir, "s2", 0.5, day + 86399000), 0, "%s", err_msg());
	cr_assert_eq(spend_ledger_add(dir, "s1", 4, day + 86400000), 0, "the next day");
	char *path = xasprintf("%s/spend/2024-10-04", dir);
	FILE *f = fopen(path, "a");

	cr_assert_not_null(f, "%s", path);
	fputs("{\"session\":\"s3\",\"cost_u", f); /* torn by a crash */
	fclose(f);
	cr_assert_eq(spend_ledger_day(dir, 86400 * 20000 + 5, &sum), 0, "%s", err_msg());
	cr_assert_float_eq(sum, 0.75, 1e-12);
	cr_assert_eq(spend_ledger_day(dir, 86400 * 20001, &sum), 0);
	cr_assert_float_eq(sum, 4, 1e-12);
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	free(path);
	path = xasprintf("%s/spend/2024-10-05", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/spend/2024-10-04", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/spend", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
}

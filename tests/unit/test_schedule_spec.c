/* SPDX-License-Identifier: MIT */
/* Unit tests for cli/schedule_spec.h: cron lines and calendar expressions
 * read, written back either way, refused with their reason, and next runs. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/schedule_spec.h"
#include "core/buf.h"
#include "core/err.h"

static char *
cron_of(const char *text, bool cron)
{
	struct spec s;
	struct buf b = BUF_INIT;
	int rc = cron ? spec_parse_cron(&s, text) : spec_parse_calendar(&s, text);

	cr_assert_eq(rc, 0, "%s: %s", text, err_msg());
	spec_to_cron(&b, &s);
	return buf_detach(&b);
}

static char *
calendar_of(const char *cron)
{
	struct spec s;
	struct buf b = BUF_INIT;

	cr_assert_eq(spec_parse_cron(&s, cron), 0, "%s: %s", cron, err_msg());
	cr_assert_eq(spec_to_calendar(&b, &s), 0, "%s: %s", cron, err_msg());
	return buf_detach(&b);
}

/* Each case's SPEC (a cron line or a calendar expression) as a cron line. */
static void
expect_cron(const char *const (*cases)[2], size_t n, bool cron)
{
	for (size_t i = 0; i < n; i++) {
		char *c = cron_of(cases[i][0], cron);
		cr_expect_str_eq(c, cases[i][1], "%s", cases[i][0]);
		free(c);
	}
}

Test(schedule_spec, cron_lines_read_and_written_back)
{
	static const char *const cases[][2] = {
		{ "0 8 * * 1", "0 8 * * 1" },
		{ "*/15 9-17 * * mon-fri", "0,15,30,45 9-17 * * 1-5" },
		{ "30 6 1,15 jan,jul *", "30 6 1,15 1,7 *" },
		{ "0 0 * * 7", "0 0 * * 0" },
		{ "0 0 * * 5-7", "0 0 * * 0,5-6" },
		{ "@daily", "0 0 * * *" },
		{ "@weekly", "0 0 * * 1" },
	};
	expect_cron(cases, sizeof cases / sizeof *cases, true);
}

Test(schedule_spec, calendar_expressions_to_cron)
{
	static const char *const cases[][2] = {
		{ "Mon *-*-* 08:00", "0 8 * * 1" },
		{ "Mon *-*-* 08:00:00", "0 8 * * 1" },
		{ "daily", "0 0 * * *" },
		{ "hourly", "0 * * * *" },
		{ "Mon..Fri 9:30", "30 9 * * 1-5" },
		{ "*-*-01 06:00", "0 6 1 * *" },
		{ "Mon,Wed *-*-* 00,12:00/15:00", "0,15,30,45 0,12 * * 1,3" },
		{ "*-01,07-01 00:00:00", "0 0 1 1,7 *" },
	};
	expect_cron(cases, sizeof cases / sizeof *cases, false);
}

Test(schedule_spec, cron_to_calendar)
{
	static const char *const cases[][2] = {
		{ "0 8 * * 1", "Mon *-*-* 08:00:00" },
		{ "*/15 9-17 * * mon-fri", "Mon..Fri *-*-* 09..17:00,15,30,45:00" },
		{ "0 6 1 * *", "*-*-1 06:00:00" },
		{ "* * * * *", "*-*-* *:*:00" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = calendar_of(cases[i][0]);
		cr_expect_str_eq(c, cases[i][1], "%s", cases[i][0]);
		free(c);
	}
}

Test(schedule_spec, refusals_say_why)
{
	struct spec s;
	struct buf b = BUF_INIT;

	cr_assert_lt(spec_parse_cron(&s, "61 * * * *"), 0);
	cr_expect(strstr(err_msg(), "minute"), "%s", err_msg());
	cr_assert_lt(spec_parse_cron(&s, "0 8 * *"), 0);
	cr_assert_lt(spec_parse_cron(&s, "0 8 * 13 *"), 0);
	cr_expect(strstr(err_msg(), "month"), "%s", err_msg());
	cr_assert_lt(spec_parse_calendar(&s, "Mon *-*-* 08:00:30"), 0);
	cr_expect(strstr(err_msg(), "seconds"), "%s", err_msg());
	cr_assert_lt(spec_parse_calendar(&s, "2030-*-* 08:00"), 0);
	cr_expect(strstr(err_msg(), "year"), "%s", err_msg());
	cr_assert_lt(spec_parse_calendar(&s, "*-*-* 08:00 Europe/Paris"), 0);
	/* cron's "day OR weekday" has no calendar form */
	cr_assert_eq(spec_parse_cron(&s, "0 8 1 * mon"), 0);
	cr_assert_lt(spec_to_calendar(&b, &s), 0);
	cr_expect(strstr(err_msg(), "OR"), "%s", err_msg());
	buf_fini(&b);
	cr_expect(spec_is_cron("0 8 * * 1"));
	cr_expect(spec_is_cron("@daily"));
	cr_expect(!spec_is_cron("Mon *-*-* 08:00"));
}

Test(schedule_spec, next_run)
{
	struct spec s;

	setenv("TZ", "UTC", 1);
	tzset();
	/* Thu 2026-12-03 23:50 UTC */
	time_t now = 1796341800;
	cr_assert_eq(spec_parse_cron(&s, "0 8 * * 1"), 0);
	cr_expect_eq(spec_next(&s, now), 1796630400); /* Mon 2026-12-07 08:00 */
	cr_assert_eq(spec_parse_calendar(&s, "daily"), 0);
	cr_expect_eq(spec_next(&s, now), 1796342400); /* Fri 00:00 */
	cr_expect_eq(spec_next(&s, 1796342400), 1796342400 + 86400, "strictly after");
	/* day OR weekday: the 1st, or a Monday, whichever comes first */
	cr_assert_eq(spec_parse_cron(&s, "0 8 1 * mon"), 0);
	cr_expect_eq(spec_next(&s, now), 1796630400);
	/* 29 February: years away, found */
	cr_assert_eq(spec_parse_cron(&s, "0 0 29 2 *"), 0);
	cr_expect_eq(spec_next(&s, now), 1835395200); /* 2028-02-29 00:00 */
}

Test(schedule_spec, next_run_when_the_clock_goes_back)
{
	struct spec s;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	/* 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-02:59 comes twice.
	 * Base 00:10 UTC is 02:10 CEST. */
	time_t base = 1792887000;
	cr_assert_eq(spec_parse_cron(&s, "*/30 * * * *"), 0);
	cr_expect_eq(spec_next(&s, base), 1792888200, "02:30 CEST (00:30 UTC), the first 02:30");
	/* after it, the repeated hour is not run again: 03:00 CET (02:00 UTC) */
	cr_expect_eq(spec_next(&s, 1792888200), 1792893600);
	cr_assert_eq(spec_parse_cron(&s, "30 2 * * *"), 0);
	cr_expect_eq(spec_next(&s, base), 1792888200);
	cr_expect_eq(spec_next(&s, 1792888200), 1792888200 + 86400 + 3600, "once a day");
	/* spring: 02:30 does not exist on 2026-03-29; still a run that day */
	cr_expect_gt(spec_next(&s, 1774742400), 1774742400); /* 2026-03-29 00:00 UTC */
	cr_expect_lt(spec_next(&s, 1774742400), 1774742400 + 86400);
	setenv("TZ", "UTC", 1);
	tzset();
}

Test(schedule_spec, same_times)
{
	cr_expect(spec_same("0 8 * * 1", "Mon *-*-* 08:00"));
	cr_expect(spec_same("0 8 * * 1", "Mon *-*-* 08:00:00"));
	cr_expect(spec_same("@daily", "daily"));
	cr_expect(spec_same("*/15 9-17 * * mon-fri", "Mon..Fri *-*-* 09..17:00,15,30,45:00"));
	cr_expect(!spec_same("0 8 * * 1", "0 9 * * 1"));
	cr_expect(!spec_same("30 9 * * *", "Mon *-*-* 08:00"));
	/* no cron form: compared as text */
	cr_expect(spec_same("Mon *-*-* 08:00 Europe/Berlin", "Mon *-*-* 08:00 Europe/Berlin"));
	cr_expect(!spec_same("Mon *-*-* 08:00 Europe/Berlin", "Mon *-*-* 08:00"));
}

/* SPDX-License-Identifier: MIT */
/*
 * Schedule times (schedule_spec.h): a 5-field cron line or a systemd
 * calendar expression as sets of minutes, hours, days, months and weekdays,
 * written back either way, and the next matching minute. Not a full
 * OnCalendar= parser: what it cannot read is left to systemd-analyze.
 */
#include "cli/schedule_spec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"

/* The five fields in cron's order, with their ranges. */
static const struct {
	const char *name;
	int lo, hi;
} fields[SPEC_NFIELDS] = {
	[SPEC_MIN] = { "minute", 0, 59 }, [SPEC_HOUR] = { "hour", 0, 23 },
	[SPEC_DOM] = { "day", 1, 31 },    [SPEC_MON] = { "month", 1, 12 },
	[SPEC_DOW] = { "weekday", 0, 6 },
};

static const char *const mon_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                 "jul", "aug", "sep", "oct", "nov", "dec" };
/* cron counts from Sunday (0, also 7); systemd writes Mon..Sun. */
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* cron's shorthands as 5-field lines; systemd's as calendar expressions. */
static const struct {
	const char *name, *cron;
} shorthands[] = {
	{ "minutely", "* * * * *" },
	{ "hourly", "0 * * * *" },
	{ "daily", "0 0 * * *" },
	{ "midnight", "0 0 * * *" },
	{ "weekly", "0 0 * * 1" },
	{ "monthly", "0 0 1 * *" },
	{ "yearly", "0 0 1 1 *" },
	{ "annually", "0 0 1 1 *" },
	{ "quarterly", "0 0 1 1,4,7,10 *" },
	{ "semiannually", "0 0 1 1,7 *" },
};

static uint64_t
full(int f)
{
	uint64_t m = 0;

	for (int v = fields[f].lo; v <= fields[f].hi; v++)
		m |= 1ULL << v;
	return m;
}

/* A number or a name (months, weekdays) at *p; -1 when neither. */
static int
value(const char **p, int f)
{
	if (isdigit((unsigned char)**p)) {
		char *end;
		long v = strtol(*p, &end, 10);

		*p = end;
		return v > 99 ? 99 : (int)v;
	}
	const char *const *names = f == SPEC_MON ? mon_names : f == SPEC_DOW ? dow_names : NULL;
	size_t n = f == SPEC_MON ? 12 : 7;

	for (size_t i = 0; names && i < n; i++) {
		if (strncasecmp(*p, names[i], 3) != 0)
			continue;
		*p += 3;
		while (isalpha((unsigned char)**p)) /* Monday, January */
			(*p)++;
		return f == SPEC_MON ? (int)i + 1 : (int)i;
	}
	return -1;
}

/* One field, cron (range "-") or systemd (range "..", a step after a single
 * start runs to the end) syntax: a comma list of "*", N, N-M, each with an
 * optional "/STEP". */
static int
parse_field(uint64_t *out, const char *s, size_t len, int f, bool systemd)
{
	char *t = xstrndup(s, len);
	const char *p = t;
	int rc = 0;

	*out = 0;
	while (rc == 0) {
		int lo, hi, step = 1;

		if (*p == '*') {
			p++;
			lo = fields[f].lo;
			hi = fields[f].hi;
		} else {
			lo = hi = value(&p, f);
			if (!systemd && *p == '-') {
				p++;
				hi = value(&p, f);
			} else if (systemd && p[0] == '.' && p[1] == '.') {
				p += 2;
				hi = value(&p, f);
			}
		}
		if (*p == '/') {
			p++;
			step = value(&p, SPEC_MIN);
			if (lo == hi) /* "N/S": from N on */
				hi = fields[f].hi;
		}
		if (lo < 0 || hi < 0 || step <= 0 || lo < fields[f].lo ||
		    hi > fields[f].hi + (f == SPEC_DOW) /* 7: Sunday */ || lo > hi) {
			rc = err_setc(DH_EPARSE, "bad %s field '%s'", fields[f].name, t);
			break;
		}
		for (int v = lo; v <= hi; v += step)
			*out |= 1ULL << (f == SPEC_DOW ? v % 7 : v);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p)
			rc = err_setc(DH_EPARSE, "bad %s field '%s'", fields[f].name, t);
		break;
	}
	free(t);
	return rc;
}

static void
set_restricted(struct spec *s)
{
	s->dom_any = s->f[SPEC_DOM] == full(SPEC_DOM);
	s->dow_any = s->f[SPEC_DOW] == full(SPEC_DOW);
}

/* Split on blanks into at most `max` words; the count, or max + 1 when more. */
static size_t
words(const char *s, const char *w[], size_t wl[], size_t max)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		wl[n] = (size_t)(s - w[n]);
		n++;
	}
}

bool
spec_is_cron(const char *text)
{
	const char *w[6];
	size_t wl[6];

	return text[0] == '@' || words(text, w, wl, 5) == 5;
}

int
spec_parse_cron(struct spec *s, const char *text)
{
	const char *w[6];
	size_t wl[6];

	memset(s, 0, sizeof *s);
	if (text[0] == '@') {
		for (size_t i = 0; i < sizeof shorthands / sizeof *shorthands; i++)
			if (strcmp(text + 1, shorthands[i].name) == 0)
				return spec_parse_cron(s, shorthands[i].cron);
		return err_setc(DH_EPARSE, "unknown cron shorthand '%s'", text);
	}
	if (words(text, w, wl, 5) != 5)
		return err_setc(DH_EPARSE,
		                "a cron line has 5 fields (minute hour day month weekday)");
	for (int f = 0; f < SPEC_NFIELDS; f++)
		if (parse_field(&s->f[f], w[f], wl[f], f, false) < 0)
			return DH_EPARSE;
	set_restricted(s);
	return 0;
}

/* "Y-M-D" into the month and day fields (the year must be "*"). */
static int
parse_date(struct spec *s, const char *w, size_t n)
{
	const char *d1 = memchr(w, '-', n);
	const char *d2 = d1 ? memchr(d1 + 1, '-', n - (size_t)(d1 + 1 - w)) : NULL;

	if (!d1)
		return err_setc(DH_EPARSE, "bad date '%.*s'", (int)n, w);
	if (!d2) { /* "M-D" */
		d2 = d1;
		d1 = w - 1;
	} else if (d1 - w != 1 || w[0] != '*') {
		return err_setc(DH_EPARSE, "it names a year ('%.*s'); cron has none", (int)n, w);
	}
	if (parse_field(&s->f[SPEC_MON], d1 + 1, (size_t)(d2 - d1 - 1), SPEC_MON, true) < 0 ||
	    parse_field(&s->f[SPEC_DOM], d2 + 1, (size_t)(w + n - d2 - 1), SPEC_DOM, true) < 0)
		return DH_EPARSE;
	return 0;
}

/* "H:M[:S]" into the hour and minute fields (seconds must be 0). */
static int
parse_time(struct spec *s, const char *w, size_t n)
{
	const char *c1 = memchr(w, ':', n);
	const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - w)) : NULL;
	const char *end = c2 ? c2 : w + n;

	if (!c1)
		return err_setc(DH_EPARSE, "bad time '%.*s'", (int)n, w);
	if (c2 && !(w + n - c2 - 1 == 2 && c2[1] == '0' && c2[2] == '0') &&
	    !(w + n - c2 - 1 == 1 && c2[1] == '0'))
		return err_setc(DH_EPARSE, "it has seconds ('%.*s'); cron has minutes", (int)n, w);
	if (parse_field(&s->f[SPEC_HOUR], w, (size_t)(c1 - w), SPEC_HOUR, true) < 0 ||
	    parse_field(&s->f[SPEC_MIN], c1 + 1, (size_t)(end - c1 - 1), SPEC_MIN, true) < 0)
		return DH_EPARSE;
	return 0;
}

int
spec_parse_calendar(struct spec *s, const char *text)
{
	const char *w[4];
	size_t wl[4], n;

	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < sizeof shorthands / sizeof *shorthands; i++)
		if (strcmp(text, shorthands[i].name) == 0)
			return spec_parse_cron(s, shorthands[i].cron);
	n = words(text, w, wl, 3);
	if (n == 0 || n > 3)
		return err_setc(DH_EPARSE, "expected [WEEKDAY] [DATE] TIME");
	s->f[SPEC_DOW] = full(SPEC_DOW);
	s->f[SPEC_MON] = full(SPEC_MON);
	s->f[SPEC_DOM] = full(SPEC_DOM);
	s->f[SPEC_HOUR] = 1; /* 00:00 unless a time says otherwise */
	s->f[SPEC_MIN] = 1;
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (isalpha((unsigned char)w[i][0]) && i == 0)
			rc = parse_field(&s->f[SPEC_DOW], w[i], wl[i], SPEC_DOW, true);
		else if (memchr(w[i], ':', wl[i]))
			rc = parse_time(s, w[i], wl[i]);
		else if (memchr(w[i], '-', wl[i]))
			rc = parse_date(s, w[i], wl[i]);
		else
			rc = err_setc(DH_EPARSE,
			              "cannot read '%.*s' (time zones, '~' and years "
			              "have no crontab form)",
			              (int)wl[i], w[i]);
		if (rc < 0)
			return rc;
	}
	set_restricted(s);
	return 0;
}

/* One field as a comma list ("*" when full); systemd joins runs with "..". */
static void
print_field(struct buf *b, const struct spec *s, int f, bool systemd)
{
	bool first = true;

	if (s->f[f] == full(f)) {
		buf_putc(b, '*');
		return;
	}
	for (int v = fields[f].lo; v <= fields[f].hi; v++) {
		if (!(s->f[f] & (1ULL << v)))
			continue;
		int hi = v;

		while (hi < fields[f].hi && (s->f[f] & (1ULL << (hi + 1))))
			hi++;
		if (!first)
			buf_putc(b, ',');
		first = false;
		if (f == SPEC_DOW && systemd) {
			static const char *const sd[] = { "Sun", "Mon", "Tue", "Wed",
				                          "Thu", "Fri", "Sat" };
			buf_puts(b, sd[v]);
			if (hi > v)
				buf_printf(b, "..%s", sd[hi]);
		} else if (systemd) {
			buf_printf(b, f <= SPEC_HOUR ? "%02d" : "%d", v);
			if (hi > v)
				buf_printf(b, f <= SPEC_HOUR ? "..%02d" : "..%d", hi);
		} else {
			buf_printf(b, "%d", v);
			if (hi > v)
				buf_printf(b, "-%d", hi);
		}
		v = hi;
	}
}

void
spec_to_cron(struct buf *out, const struct spec *s)
{
	for (int f = 0; f < SPEC_NFIELDS; f++) {
		if (f)
			buf_putc(out, ' ');
		print_field(out, s, f, false);
	}
}

int
spec_to_calendar(struct buf *out, const struct spec *s)
{
	/* cron runs a line when the day OR the weekday matches (both given). */
	if (!s->dom_any && !s->dow_any)
		return err_setc(DH_EPARSE,
		                "cron runs it on a day of the month OR a weekday; a "
		                "calendar expression cannot say 'or' (make one of them *)");
	if (!s->dow_any) {
		print_field(out, s, SPEC_DOW, true);
		buf_putc(out, ' ');
	}
	buf_puts(out, "*-");
	print_field(out, s, SPEC_MON, true);
	buf_putc(out, '-');
	print_field(out, s, SPEC_DOM, true);
	buf_putc(out, ' ');
	print_field(out, s, SPEC_HOUR, true);
	buf_putc(out, ':');
	print_field(out, s, SPEC_MIN, true);
	buf_puts(out, ":00");
	return 0;
}

/* `text` as sets: a cron line or a calendar expression. */
static int
spec_parse_any(struct spec *s, const char *text)
{
	return spec_is_cron(text) ? spec_parse_cron(s, text) : spec_parse_calendar(s, text);
}

bool
spec_same(const char *a, const char *b)
{
	struct spec x, y;

	if (spec_parse_any(&x, a) < 0 || spec_parse_any(&y, b) < 0)
		return !strcmp(a, b);
	for (int f = 0; f < SPEC_NFIELDS; f++)
		if (x.f[f] != y.f[f])
			return false;
	return x.dom_any == y.dom_any && x.dow_any == y.dow_any;
}

static bool
has(const struct spec *s, int f, int v)
{
	return s->f[f] & (1ULL << v);
}

static bool
day_matches(const struct spec *s, const struct tm *tm)
{
	bool dom = has(s, SPEC_DOM, tm->tm_mday), dow = has(s, SPEC_DOW, tm->tm_wday);

	if (!has(s, SPEC_MON, tm->tm_mon + 1))
		return false;
	if (!s->dom_any && !s->dow_any)
		return dom || dow;
	return dom && dow;
}

/* The first instant the wall clock reads `wall` (its date, hour and minute):
 * where the clock is turned back and the minute comes twice, the earlier one,
 * as cron runs it; where it is skipped, whatever mktime makes of it. */
static time_t
first_at(const struct tm *wall)
{
	time_t best = (time_t)-1;

	for (int dst = 0; dst <= 1; dst++) {
		struct tm c = *wall, back;

		c.tm_sec = 0;
		c.tm_isdst = dst;
		time_t r = mktime(&c);
		if (r == (time_t)-1 || !localtime_r(&r, &back) || back.tm_min != wall->tm_min ||
		    back.tm_hour != wall->tm_hour || back.tm_mday != wall->tm_mday)
			continue; /* no such offset on that minute */
		if (best == (time_t)-1 || r < best)
			best = r;
	}
	if (best == (time_t)-1) {
		struct tm c = *wall;

		c.tm_sec = 0;
		c.tm_isdst = -1;
		best = mktime(&c);
	}
	return best;
}

time_t
spec_next(const struct spec *s, time_t after)
{
	struct tm tm;
	time_t t = after - after % 60 + 60; /* the next whole minute */

	localtime_r(&t, &tm);
	/* Day by day, then minute by minute inside a matching day: at most a few
	 * years of days (29 Feb on a Monday: 28 years). */
	for (int days = 0; days < 366 * 30; days++) {
		if (day_matches(s, &tm)) {
			for (; tm.tm_hour < 24; tm.tm_hour++, tm.tm_min = 0) {
				if (!has(s, SPEC_HOUR, tm.tm_hour))
					continue;
				for (; tm.tm_min < 60; tm.tm_min++) {
					if (!has(s, SPEC_MIN, tm.tm_min))
						continue;
					time_t r = first_at(&tm);
					if (r > after)
						return r;
				}
			}
		}
		tm.tm_mday++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		time_t next = mktime(&tm); /* normalizes the date */
		localtime_r(&next, &tm);
	}
	return (time_t)-1;
}

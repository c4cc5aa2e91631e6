/* SPDX-License-Identifier: MIT */
#ifndef DH_CLI_SCHEDULE_SPEC_H
#define DH_CLI_SCHEDULE_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct buf;

/*
 * When a schedule runs, as cron sees it: a set per field. Read from a 5-field
 * cron line (or @daily...) or from a systemd calendar expression of the forms
 * a crontab can hold ("Mon..Fri *-*-* 08:00", "daily", "*-01,07-01 00:00");
 * written back as either. Times are local (as cron and OnCalendar= read them).
 */
enum {
	SPEC_MIN,
	SPEC_HOUR,
	SPEC_DOM,
	SPEC_MON,
	SPEC_DOW,
	SPEC_NFIELDS
};

struct spec {
	uint64_t f[SPEC_NFIELDS]; /* bit v set: value v matches (weekday 0 = Sunday) */
	bool dom_any, dow_any;    /* the day / weekday field is "*" (cron's OR rule) */
};

/* True when `text` reads as a cron line: 5 blank-separated fields or "@word". */
bool spec_is_cron(const char *text);
/* Parse a 5-field cron line (names jan..dec, sun..sat; "*", N, N-M, /STEP,
 * lists; weekday 7 = Sunday) or a shorthand (@hourly, @daily, @weekly...).
 * 0 or DH_EPARSE with a message naming the field at fault. */
int spec_parse_cron(struct spec *s, const char *text);
/* Parse a systemd calendar expression: a shorthand (hourly, daily, weekly,
 * monthly, yearly...) or "[WEEKDAYS] [*-MONTH-DAY] HOUR:MINUTE[:00]" with
 * lists, ".." ranges and /STEP. DH_EPARSE when it has no cron form (a year,
 * seconds, a time zone, "~"); the message says which. */
int spec_parse_calendar(struct spec *s, const char *text);
/* Append the cron line ("M H DOM MON DOW") of `s` to out. */
void spec_to_cron(struct buf *out, const struct spec *s);
/* Append `s` as an OnCalendar= expression. DH_EPARSE when cron's "day OR
 * weekday" rule applies (both restricted): calendar expressions cannot say it. */
int spec_to_calendar(struct buf *out, const struct spec *s);
/* Do SPECs `a` and `b` (cron lines or calendar expressions, either) name
 * the same times? Compared as sets when both have a cron form, else as
 * text: "0 8 * * 1" and "Mon *-*-* 08:00" are the same. */
bool spec_same(const char *a, const char *b);
/* The first matching minute strictly after `after` (local time), or
 * (time_t)-1 when none within 30 years. */
time_t spec_next(const struct spec *s, time_t after);

#endif

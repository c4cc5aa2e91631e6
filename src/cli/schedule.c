/* SPDX-License-Identifier: MIT */
/*
 * `deskhand schedule`: tasks run by the system's own scheduler. A schedule is
 * a definition file the person owns ($XDG_CONFIG_HOME/deskhand/schedules/NAME,
 * key = value), a systemd user timer or a crontab line that only runs
 * `deskhand schedule fire NAME`, and a run log in the state directory. A fire
 * starts a detached session (client_spawn) with the schedule's policy; it is
 * not the scheduler and never waits for the run. Times: schedule_spec.h.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/schedule_spec.h"
#include "config/config.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/proc.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_SKIPPED = 3, /* `schedule run`: the previous run is still live */
};

/* A run is late (caught up after the machine was off or asleep) when it
 * starts this long after the slot it stands for. */
#define SCHED_LATE_S 120

/* The marker that ends our crontab lines: `remove` finds exactly its own. */
#define CRON_MARK "# deskhand-schedule "

#define UNIT_PREFIX "deskhand-schedule-"

/*
 * The definition file
 */

/* The keys of a definition file, in the order they are written. */
enum sched_key {
	KEY_AT,
	KEY_TASK,
	KEY_GRANT,
	KEY_MODE,
	KEY_MAX_COST,
	KEY_MODEL,
	KEY_PAUSED,
	KEY_FORCE
};

struct sched {
	char *name;
	char *path; /* the definition file */
	char *at;   /* SPEC as given */
	char *task;
	struct strv grants;
	char *mode;     /* auto | ask */
	char *max_cost; /* USD, as written; NULL: the config's default */
	char *model;    /* NULL: the config's */
	bool paused;
	bool force; /* grant folders refused otherwise (run --force) */
	int key_line[KEY_FORCE + 1]; /* the file's line that set each key; 0: none */
};

static const struct {
	const char *name;
	size_t off; /* of the char * in struct sched, or of the bool (flag); not grant */
	const char *doc;
	bool flag; /* yes or no */
} sched_keys[] = {
	[KEY_AT] = { "at", offsetof(struct sched, at),
	             "when: a systemd calendar expression or a cron line" },
	[KEY_TASK] = { "task", offsetof(struct sched, task),
	               "what the agent is asked (\\n: a new line)" },
	[KEY_GRANT] = { "grant", 0, "a folder the agent may work in (one per line)" },
	[KEY_MODE] = { "mode", offsetof(struct sched, mode),
	               "auto, or ask (a change waits for you)" },
	[KEY_MAX_COST] = { "max_cost", offsetof(struct sched, max_cost), "spend cap per run, USD" },
	[KEY_MODEL] = { "model", offsetof(struct sched, model), "the model" },
	[KEY_PAUSED] = { "paused", offsetof(struct sched, paused),
	                 "yes: the timer does not start runs", true },
	[KEY_FORCE] = { "force", offsetof(struct sched, force),
	                "yes: grant your home or a system directory (run --force)", true },
};

static void
sched_fini(struct sched *s)
{
	free(s->name);
	free(s->path);
	free(s->at);
	free(s->task);
	free(s->mode);
	free(s->max_cost);
	free(s->model);
	strv_free(&s->grants);
	memset(s, 0, sizeof *s);
}

static bool
name_ok(const char *n)
{
	if (!n || !(islower((unsigned char)n[0]) || isdigit((unsigned char)n[0])))
		return false;
	for (const char *p = n; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' &&
		    *p != '-')
			return false;
	return strlen(n) <= 64;
}

/* $XDG_CONFIG_HOME, else ~/.config; heap, or NULL with the message set. */
static char *
config_home(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (x && x[0] == '/')
		return xstrdup(x);
	if (h && *h)
		return xasprintf("%s/.config", h);
	err_set("neither XDG_CONFIG_HOME nor HOME is set");
	return NULL;
}

/* config_home()/REL (heap), or NULL. */
static char *
config_path(const char *rel)
{
	char *h = config_home(), *d = h ? xasprintf("%s/%s", h, rel) : NULL;

	free(h);
	return d;
}

/* The schedules' definitions directory or their state directory. */
static char *
sched_dir(bool state)
{
	char *base = NULL, *d;

	if (!state)
		return config_path("deskhand/schedules");
	if (fsutil_state_dir(&base) < 0)
		return NULL;
	d = xasprintf("%s/schedules", base);
	free(base);
	return d;
}

/* "a\nb" ↔ "a\\nb": a task of several lines on one line of the file. */
static void
escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\\')
			buf_puts(b, "\\\\");
		else
			buf_putc(b, *s);
	}
}

static char *
unescape(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == '\\')) {
			buf_putc(&b, s[1] == 'n' ? '\n' : '\\');
			s++;
		} else {
			buf_putc(&b, *s);
		}
	}
	return buf_detach(&b);
}

/* A yes/no value as a person may write it (any case): 1 yes, 0 no, -1
 * neither. */
static int
yes_no(const char *v)
{
	static const struct {
		const char *word;
		bool on;
	} words[] = { { "yes", true },  { "true", true },   { "on", true },  { "1", true },
		      { "no", false },  { "false", false }, { "off", false }, { "0", false } };

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcasecmp(v, words[i].word))
			return words[i].on;
	return -1;
}

/* The next line at *p that is neither blank nor a comment, its leading blanks
 * skipped and its end cut in place; *line counts lines. NULL at the end. */
static char *
next_line(char **p, int *line)
{
	while (*p && **p) {
		char *l = *p, *nl = strchr(l, '\n');

		(*line)++;
		if (nl)
			*nl++ = '\0';
		*p = nl;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l && *l != '#')
			return l;
	}
	return NULL;
}

/* What a value error names: the command-line option when the value came
 * from `schedule add` (cli), else "FILE:LINE: key" (the line that set it). */
static void
key_label(char *out, size_t n, const struct sched *s, enum sched_key k, bool cli)
{
	static const char *const opts[] = {
		[KEY_MODE] = "--mode", [KEY_MAX_COST] = "--max-cost", [KEY_MODEL] = "--model"
	};

	if (cli && k < sizeof opts / sizeof *opts && opts[k])
		snprintf(out, n, "%s", opts[k]);
	else if (s->key_line[k] > 0)
		snprintf(out, n, "%s:%d: %s", s->path, s->key_line[k], sched_keys[k].name);
	else
		snprintf(out, n, "%s: %s", s->path, sched_keys[k].name);
}

/* Check what fire relies on. The values came from `schedule add`'s options
 * (cli) or from the definition file: errors name the option, or file:line. */
static int
sched_check(const struct sched *s, bool cli)
{
	char where[PATH_MAX + 64];

	if (!s->at || !*s->at)
		return err_setc(DH_EPARSE, "%s: no 'at = SPEC' (when the task runs)", s->path);
	if (!s->task || !*s->task)
		return err_setc(DH_EPARSE, "%s: no 'task = ...'", s->path);
	if (!s->grants.n)
		return err_setc(DH_EPARSE,
		                "%s: no 'grant = DIR' (the agent works only in granted "
		                "folders)",
		                s->path);
	if (s->model && !*s->model) {
		key_label(where, sizeof where, s, KEY_MODEL, cli);
		return err_setc(DH_EPARSE, "%s: 'model' has no value", where);
	}
	const char *modes;

	if (s->mode && !config_enum_ok("mode", s->mode, &modes)) {
		key_label(where, sizeof where, s, KEY_MODE, cli);
		return err_setc(DH_EPARSE, "%s '%s': expected one of %s", where, s->mode, modes);
	}
	if (s->max_cost) {
		char *end;
		double v = strtod(s->max_cost, &end);

		key_label(where, sizeof where, s, KEY_MAX_COST, cli);
		if (end == s->max_cost || *end || !(v > 0))
			return err_setc(DH_EPARSE, "%s '%s': expected a positive number of USD",
			                where, s->max_cost);
	}
	return 0;
}

/* DH_ENOTFOUND with the message every subcommand gives for a NAME that has
 * no definition at `path`. */
static int
sched_absent(const char *name, const char *path)
{
	return err_setc(DH_ENOTFOUND, "no schedule '%s' (%s): see 'deskhand schedule list'",
	                name, path);
}

/* Read NAME's definition. DH_ENOTFOUND when there is no such schedule;
 * DH_EPARSE naming file:line. */
static int
sched_load(struct sched *s, const char *name)
{
	struct buf b = BUF_INIT;
	char *dir = sched_dir(false);
	int rc = 0, line = 0;

	memset(s, 0, sizeof *s);
	if (!dir)
		return DH_EFAIL;
	s->name = xstrdup(name);
	s->path = xasprintf("%s/%s", dir, name);
	free(dir);
	if (!name_ok(name)) {
		struct buf shown = BUF_INIT;

		rc = err_setc(DH_EPARSE, "bad schedule name '%s': expected [a-z0-9][a-z0-9_-]*",
		              utf8_sanitized(&shown, name));
		buf_fini(&shown);
		return rc;
	}
	if (access(s->path, F_OK) < 0)
		return sched_absent(name, s->path);
	if (fsutil_read_file(s->path, 1 << 20, &b) < 0)
		return DH_EFAIL;
	char *cur = (char *)buf_cstr(&b), *p;
	while (rc == 0 && (p = next_line(&cur, &line))) {
		char *eq = strchr(p, '=');
		if (!eq) {
			rc = err_setc(DH_EPARSE, "%s:%d: expected 'key = value'", s->path, line);
			break;
		}
		char *k = p, *v = eq + 1, *ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (size_t n = strlen(v);
		     n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r');)
			v[--n] = '\0';
		size_t i = 0;
		while (i < sizeof sched_keys / sizeof *sched_keys && strcmp(sched_keys[i].name, k))
			i++;
		if (i == sizeof sched_keys / sizeof *sched_keys) {
			rc = err_setc(DH_EPARSE,
			              "%s:%d: unknown key '%s' (keys: at, task, grant, "
			              "mode, max_cost, model, paused, force)",
			              s->path, line, k);
		} else if (i != KEY_GRANT && s->key_line[i] > 0) { /* grant: one per line */
			rc = err_setc(DH_EPARSE, "%s:%d: '%s' is given twice (first on line %d)",
			              s->path, line, k, s->key_line[i]);
		} else if (i == KEY_GRANT) {
			s->key_line[i] = line;
			strv_add(&s->grants, v);
			if (v[0] != '/')
				rc = err_setc(DH_EPARSE, "%s:%d: grant '%s' is not an absolute path",
				              s->path, line, v);
		} else if (sched_keys[i].flag) {
			int on = yes_no(v);

			s->key_line[i] = line;
			*(bool *)((char *)s + sched_keys[i].off) = on == 1;
			if (on < 0)
				rc = err_setc(DH_EPARSE, "%s:%d: %s '%s': expected yes or no",
				              s->path, line, k, v);
		} else {
			s->key_line[i] = line;
			char **slot = (char **)((char *)s + sched_keys[i].off);
			free(*slot);
			*slot = i == KEY_TASK ? unescape(v) : xstrdup(v);
		}
		if (rc == 0 && i < sizeof sched_keys / sizeof *sched_keys && i != KEY_GRANT &&
		    !sched_keys[i].flag && i != KEY_TASK && !*v)
			rc = err_setc(DH_EPARSE, "%s:%d: '%s' has no value", s->path, line, k);
	}
	buf_fini(&b);
	return rc < 0 ? rc : sched_check(s, false);
}

static int
sched_save(const struct sched *s)
{
	struct buf b = BUF_INIT;
	char *dir = sched_dir(false);
	int rc;

	buf_printf(&b,
	           "# deskhand schedule '%s': edit freely (one key = value a line).\n"
	           "# 'deskhand schedule list' shows it; 'deskhand schedule remove %s' ends it.\n",
	           s->name, s->name);
	for (size_t i = 0; i < sizeof sched_keys / sizeof *sched_keys; i++) {
		const char *k = sched_keys[i].name;

		buf_printf(&b, "# %s: %s\n", k, sched_keys[i].doc);
		if (i == KEY_GRANT) {
			for (size_t g = 0; g < s->grants.n; g++)
				buf_printf(&b, "%s = %s\n", k, s->grants.v[g]);
		} else if (sched_keys[i].flag) {
			bool on = *(const bool *)((const char *)s + sched_keys[i].off);

			buf_printf(&b, "%s = %s\n", k, on ? "yes" : "no");
		} else {
			const char *v = *(char **)((char *)s + sched_keys[i].off);

			if (!v)
				continue;
			buf_printf(&b, "%s = ", k);
			escape(&b, v);
			buf_putc(&b, '\n');
		}
	}
	rc = dir ? fsutil_mkdir_p(dir, 0700) : DH_EFAIL;
	if (rc == 0)
		rc = fsutil_write_atomic(s->path, b.ptr, b.len);
	buf_fini(&b);
	free(dir);
	return rc;
}

/*
 * The run log: one line per event, "EPOCH\tEVENT\tSESSION\tDETAIL", where
 * EVENT is added, run, skip or fail and SESSION "-" when none.
 */

struct logent {
	long long t;
	char *event, *session, *detail;
};

ARRAY_HEAD(logents, struct logent);

static char *
log_path(const char *name)
{
	char *d = sched_dir(true), *p;

	if (!d)
		return NULL;
	p = xasprintf("%s/%s.log", d, name);
	free(d);
	return p;
}

static void
log_add(const char *name, const char *event, const char *session, const char *detail)
{
	char *d = sched_dir(true), *p = log_path(name);
	FILE *f;

	if (d && p && fsutil_mkdir_p(d, 0700) == 0 && (f = fopen(p, "a"))) {
		fprintf(f, "%lld\t%s\t%s\t", (long long)time(NULL), event, session ? session : "-");
		for (const char *c = detail ? detail : ""; *c; c++) /* one line */
			fputc(*c == '\n' || *c == '\t' ? ' ' : *c, f);
		fputc('\n', f);
		fclose(f);
	}
	free(d);
	free(p);
}

static void
logents_free(struct logents *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].event);
		free(a->v[i].session);
		free(a->v[i].detail);
	}
	ARRAY_FREE(a);
}

/* The log, oldest first; a missing log is empty. */
static void
log_read(const char *name, struct logents *out)
{
	struct buf b = BUF_INIT;
	char *p = log_path(name);

	memset(out, 0, sizeof *out);
	if (p && fsutil_read_file(p, 16 << 20, &b) == 0) {
		for (char *l = (char *)buf_cstr(&b), *nl; l && *l; l = nl) {
			nl = strchr(l, '\n');
			if (nl)
				*nl++ = '\0';
			char *f[4] = { l, NULL, NULL, NULL };
			for (int i = 1; i < 4 && f[i - 1]; i++)
				if ((f[i] = strchr(f[i - 1], '\t')))
					*f[i]++ = '\0';
			if (!f[2])
				continue; /* a torn line */
			ARRAY_PUSH(out, (struct logent){
						.t = atoll(f[0]),
						.event = xstrdup(f[1]),
						.session = xstrdup(f[2]),
						.detail = xstrdup(f[3] ? f[3] : ""),
					});
		}
	}
	buf_fini(&b);
	free(p);
}

/* The newest entry whose event is one of `events` (words separated by
 * blanks), or NULL. */
static const struct logent *
log_last(const struct logents *a, const char *events)
{
	for (size_t i = a->n; i-- > 0;) {
		size_t n = strlen(a->v[i].event);

		for (const char *p = strstr(events, a->v[i].event); p;
		     p = strstr(p + 1, a->v[i].event))
			if ((p == events || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
				return &a->v[i];
	}
	return NULL;
}

/*
 * Child processes: systemctl, systemd-analyze, crontab and ourselves
 */

/* Helpers answer at once; one that hangs (a wedged systemctl) is killed. */
#define SCHED_CHILD_TIMEOUT_MS 30000

/* Run argv to its end with `input` (or nothing) on stdin; its merged stdout
 * and stderr go to *out (heap, may be NULL). The exit status, 127 when it
 * could not run, -1 when it could not be started. */
static int
run_sync(const char *const *argv, const char *input, char **out)
{
	struct ev_loop *loop = NULL;
	struct buf o = BUF_INIT;
	int in = -1, rc = -1, ws = 0;

	if (input) {
		in = memfd_create("input", MFD_CLOEXEC);
		if (in < 0 || write(in, input, strlen(input)) != (ssize_t)strlen(input) ||
		    lseek(in, 0, SEEK_SET) < 0)
			goto done;
	}
	struct proc_spec spec = { .argv = argv, .stdin_fd = in };
	if (ev_new(&loop) == 0 && proc_run(loop, &spec, SCHED_CHILD_TIMEOUT_MS, &ws, &o) == 0)
		rc = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
done:
	ev_free(loop);
	if (in >= 0)
		close(in);
	if (out)
		*out = buf_detach(&o);
	else
		buf_fini(&o);
	return rc;
}

/* Is `prog` on PATH (or DH_SCHED_* overrides)? */
static bool
have(const char *prog)
{
	const char *path = getenv("PATH");

	if (!path)
		return false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char *f = xasprintf("%.*s/%s", (int)n, p, prog);
		bool ok = access(f, X_OK) == 0;

		free(f);
		if (ok)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* Our own binary, absolute: what the unit and the crontab line run. */
static char *
self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return xstrdup("deskhand");
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * Times
 */

/* What sched_next() and calendar_next() say of a SPEC no time matches. */
static const char never_msg[] = "it never fires";

/* The next elapse of a calendar expression after `base` by systemd-analyze
 * (-1 when it is absent or refuses, or there is none; *msg then says why,
 * heap: never_msg for none). */
static time_t
calendar_next(const char *at, time_t base, char **msg)
{
	char bt[40], *out = NULL;
	time_t r = -1;

	*msg = NULL;
	if (!have("systemd-analyze"))
		return -1;
	snprintf(bt, sizeof bt, "--base-time=@%lld", (long long)base);
	const char *argv[] = { "systemd-analyze", "calendar", bt, at, NULL };
	int rc = run_sync(argv, NULL, &out);
	const char *utc = out ? strstr(out, "(in UTC): ") : NULL;
	const char *loc = out ? strstr(out, "Next elapse: ") : NULL;
	struct tm tm = { 0 };

	/* "Next elapse: Mon 2026-12-07 08:00:00 CET", and the same in UTC when
	 * the local zone is another. */
	if (rc == 0 && loc && !strncmp(loc + 13, "never", 5)) {
		*msg = xstrdup(never_msg);
	} else if (rc == 0 && utc && strptime(utc + 10, "%a %Y-%m-%d %H:%M:%S", &tm)) {
		r = timegm(&tm);
	} else if (rc == 0 && loc && strptime(loc + 13, "%a %Y-%m-%d %H:%M:%S", &tm)) {
		tm.tm_isdst = -1;
		r = mktime(&tm);
	} else if (out) {
		size_t n = strcspn(out, "\n");
		*msg = xstrndup(out, n);
	}
	free(out);
	return r;
}

/* The next run of `at` after `base`: cron lines computed here, calendar
 * expressions by systemd-analyze (else here, for the forms cron can hold).
 * (time_t)-1 when there is none; *why (heap, when why is not NULL) then says
 * why: what cannot be read in `at`, or that it never fires. */
static time_t
sched_next(const char *at, time_t base, char **why)
{
	struct spec sp;
	char *msg = NULL;
	time_t r = -1;

	if (why)
		*why = NULL;
	if (spec_is_cron(at)) {
		if (spec_parse_cron(&sp, at) == 0)
			r = spec_next(&sp, base);
		else if (why)
			*why = xstrdup(err_msg());
	} else {
		r = calendar_next(at, base, &msg);
		if (r == -1 && spec_parse_calendar(&sp, at) == 0)
			r = spec_next(&sp, base);
		else if (r == -1 && why && msg && strcmp(msg, never_msg))
			*why = xasprintf("systemd-analyze calendar: %s", msg);
		else if (r == -1 && why && !msg)
			*why = xstrdup(err_msg());
		free(msg);
	}
	if (r == (time_t)-1 && why && !*why)
		*why = xstrdup(never_msg);
	return r;
}

static void
fmt_time(char out[32], long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !localtime_r(&tt, &tm))
		snprintf(out, 32, "-");
	else
		strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

/* Validate SPEC; *oncalendar gets the OnCalendar= form and *cron the
 * crontab fields, each NULL when SPEC has none (heap). DH_EPARSE names SPEC. */
static int
spec_forms(const char *at, char **oncalendar, char **cron)
{
	struct spec sp;
	struct buf c = BUF_INIT, o = BUF_INIT;
	/* SPEC and what the parser says of it, as names are shown: it is an
	 * argument, and the parser's message quotes a piece of it */
	struct buf shown = BUF_INIT, why = BUF_INIT;
	char *msg = NULL;
	int rc;

	*oncalendar = *cron = NULL;
	if (spec_is_cron(at)) {
		if (spec_parse_cron(&sp, at) < 0)
			goto bad;
		spec_to_cron(&c, &sp);
		if (spec_to_calendar(&o, &sp) == 0)
			*oncalendar = buf_detach(&o);
		*cron = buf_detach(&c);
		buf_fini(&o);
	} else {
		if (have("systemd-analyze") && calendar_next(at, time(NULL), &msg) == -1 && msg &&
		    strcmp(msg, never_msg)) {
			rc = err_setc(DH_EPARSE, "--at '%s': systemd-analyze calendar: %s",
			              utf8_sanitized(&shown, at), utf8_sanitized(&why, msg));
			free(msg);
			goto out;
		}
		free(msg);
		*oncalendar = xstrdup(at);
		if (spec_parse_calendar(&sp, at) == 0) {
			spec_to_cron(&c, &sp);
			*cron = buf_detach(&c);
		} else if (!have("systemd-analyze")) { /* nothing can check it */
			free(*oncalendar);
			*oncalendar = NULL;
			goto bad;
		}
	}
	/* 31 February: a timer that never starts a run is a mistake. */
	if (sched_next(at, time(NULL), NULL) == (time_t)-1) {
		free(*oncalendar);
		free(*cron);
		*oncalendar = *cron = NULL;
		rc = err_setc(DH_EPARSE, "--at '%s' never fires: no date matches it",
		              utf8_sanitized(&shown, at));
		goto out;
	}
	return 0;
bad:
	rc = err_setc(DH_EPARSE, "--at '%s': %s", utf8_sanitized(&shown, at),
	              utf8_sanitized(&why, err_msg()));
out:
	buf_fini(&shown);
	buf_fini(&why);
	return rc;
}

/*
 * Installers
 */

enum installer {
	INST_NONE,
	INST_SYSTEMD,
	INST_CRON
};
static const char *const installer_names[] = {
	[INST_NONE] = "none", [INST_SYSTEMD] = "systemd", [INST_CRON] = "cron"
};

/* Is a user systemd manager running for us (its private socket exists)? */
static bool
user_manager_running(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char *p = rt && *rt ? xasprintf("%s/systemd/private", rt)
	                    : xasprintf("/run/user/%u/systemd/private", (unsigned)getuid());
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISSOCK(st.st_mode);

	free(p);
	return ok;
}

/* Which installer applies: DH_SCHEDULER=systemd|cron, else systemd when a
 * user manager runs, else cron when crontab exists. *why says why (static). */
static enum installer
installer_pick(const char **why)
{
	const char *force = getenv("DH_SCHEDULER");

	if (force && !strcmp(force, "systemd")) {
		*why = "DH_SCHEDULER=systemd";
		return INST_SYSTEMD;
	}
	if (force && !strcmp(force, "cron")) {
		*why = "DH_SCHEDULER=cron";
		return INST_CRON;
	}
	if (user_manager_running()) {
		*why = "a systemd user manager runs";
		return INST_SYSTEMD;
	}
	if (have("crontab")) {
		*why = "no systemd user manager runs; crontab is installed";
		return INST_CRON;
	}
	*why = "no systemd user manager runs and crontab is not installed (apt-get install "
	       "cron)";
	return INST_NONE;
}

static char *
unit_dir(void)
{
	return config_path("systemd/user");
}

/* Single-quote for sh (crontab) . */
static void
sh_quote(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else if (*s == '%') /* cron turns % into a new line */
			buf_puts(b, "\\%");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* Inside a double-quoted systemd unit value: \\ and \" escaped, % doubled
 * (systemd's specifier character). */
static void
sd_quote(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		if (*s == '%')
			buf_putc(b, '%');
		buf_putc(b, *s);
	}
}

/* The environment a fire needs to find this schedule where `add` put it:
 * the XDG directories when they are set (tests, custom layouts). */
static const char *const fire_env[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME" };

static int
systemctl(const char *verb, const char *unit)
{
	const char *argv[] = { "systemctl", "--user", verb, unit ? "--now" : NULL, unit, NULL };
	char *out = NULL;
	int rc = run_sync(argv, NULL, &out);

	if (rc != 0)
		err_set("systemctl --user %s%s%s: %s", verb, unit ? " --now " : "",
		        unit ? unit : "", out && *out ? out : "failed");
	free(out);
	return rc == 0 ? 0 : DH_EFAIL;
}

static int
systemd_install(const struct sched *s, const char *oncalendar, const char *self, bool enable)
{
	char *dir = unit_dir();
	struct buf svc = BUF_INIT, tmr = BUF_INIT;
	int rc = dir ? fsutil_mkdir_p(dir, 0755) : DH_EFAIL;

	if (rc < 0)
		goto out;
	if (!oncalendar) { /* a cron line that says "day OR weekday": why */
		struct spec sp;
		struct buf tmp = BUF_INIT;

		if (spec_parse_cron(&sp, s->at) == 0 && spec_to_calendar(&tmp, &sp) < 0)
			rc = err_setc(DH_EPARSE, "--at '%s' has no systemd calendar form: %s",
			              s->at, err_msg());
		else
			rc = err_setc(DH_EPARSE, "--at '%s' has no systemd calendar form", s->at);
		buf_fini(&tmp);
		goto out;
	}
	buf_printf(&svc,
	           "# Written by 'deskhand schedule add %s'; the definition is %s\n"
	           "[Unit]\n"
	           "Description=deskhand schedule %s\n"
	           "\n"
	           "[Service]\n"
	           "Type=oneshot\n"
	           "# fire returns once the run's engine is up; the engine (a child\n"
	           "# in this unit's cgroup) must outlive it.\n"
	           "KillMode=process\n",
	           s->name, s->path, s->name);
	for (size_t i = 0; i < sizeof fire_env / sizeof *fire_env; i++)
		if (getenv(fire_env[i]) && *getenv(fire_env[i])) {
			buf_printf(&svc, "Environment=\"%s=", fire_env[i]);
			sd_quote(&svc, getenv(fire_env[i]));
			buf_puts(&svc, "\"\n");
		}
	buf_puts(&svc, "ExecStart=\"");
	sd_quote(&svc, self);
	buf_printf(&svc, "\" schedule fire %s\n", s->name);
	buf_printf(&tmr,
	           "# Written by 'deskhand schedule add %s'\n"
	           "[Unit]\n"
	           "Description=deskhand schedule %s (%s)\n"
	           "\n"
	           "[Timer]\n"
	           "OnCalendar=%s\n"
	           "# A run missed while the machine was off happens once at the next boot.\n"
	           "Persistent=true\n"
	           "Unit=" UNIT_PREFIX "%s.service\n"
	           "\n"
	           "[Install]\n"
	           "WantedBy=timers.target\n",
	           s->name, s->name, s->at, oncalendar, s->name);
	char *sp = xasprintf("%s/" UNIT_PREFIX "%s.service", dir, s->name);
	char *tp = xasprintf("%s/" UNIT_PREFIX "%s.timer", dir, s->name);
	char *timer = xasprintf(UNIT_PREFIX "%s.timer", s->name);
	rc = fsutil_write_atomic(sp, svc.ptr, svc.len);
	if (rc == 0)
		rc = fsutil_write_atomic(tp, tmr.ptr, tmr.len);
	if (rc == 0 && user_manager_running()) {
		rc = systemctl("daemon-reload", NULL);
		if (rc == 0 && enable)
			rc = systemctl("enable", timer);
	} else if (rc == 0 && enable) {
		/* No manager to ask: what `systemctl enable` would do, so the
		 * timer starts with the next user manager. */
		char *wd = xasprintf("%s/timers.target.wants", dir);
		char *ln = xasprintf("%s/%s", wd, timer);
		char *target = xasprintf("../%s", timer);

		unlink(ln);
		if (fsutil_mkdir_p(wd, 0755) < 0 || symlink(target, ln) < 0)
			rc = err_set("%s: %s", ln, strerror(errno));
		free(wd);
		free(ln);
		free(target);
	}
	free(sp);
	free(tp);
	free(timer);
out:
	buf_fini(&svc);
	buf_fini(&tmr);
	free(dir);
	return rc;
}

/* Stop and delete the units (unit_files) or only disable the timer. */
static int
systemd_uninstall(const char *name, bool unit_files)
{
	char *dir = unit_dir();
	char *timer = xasprintf(UNIT_PREFIX "%s.timer", name);
	int rc = 0;

	if (!dir) {
		free(timer);
		return DH_EFAIL;
	}
	char *tp = xasprintf("%s/%s", dir, timer);
	char *sp = xasprintf("%s/" UNIT_PREFIX "%s.service", dir, name);
	char *ln = xasprintf("%s/timers.target.wants/%s", dir, timer);
	if (user_manager_running() && access(tp, F_OK) == 0)
		rc = systemctl("disable", timer);
	unlink(ln);
	if (unit_files) {
		unlink(tp);
		unlink(sp);
		if (user_manager_running())
			(void)systemctl("daemon-reload", NULL);
	}
	free(tp);
	free(sp);
	free(ln);
	free(dir);
	free(timer);
	return rc;
}

/* The crontab, without its lines for `name`, into `keep`; `mine` (may be
 * NULL) gets the last of those lines. DH_EFAIL when crontab -l fails for
 * another reason than "no crontab". */
static int
cron_read(const char *name, struct buf *keep, bool *had, struct buf *mine)
{
	const char *argv[] = { "crontab", "-l", NULL };
	char *out = NULL, *mark = xasprintf(CRON_MARK "%s", name);
	int rc = run_sync(argv, NULL, &out);

	*had = false;
	if (rc == 0) {
		for (char *l = out, *nl; l && *l; l = nl) {
			nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			nl = nl ? nl + 1 : NULL;
			/* The marker ends the line: "...fire NAME # deskhand-schedule NAME". */
			size_t ml = strlen(mark);
			if (n >= ml && !memcmp(l + n - ml, mark, ml) &&
			    (n == ml || l[n - ml - 1] == ' ')) {
				*had = true;
				if (mine) {
					buf_clear(mine);
					buf_add(mine, l, n);
				}
				continue;
			}
			buf_add(keep, l, n);
			buf_putc(keep, '\n');
		}
	} else if (rc < 0 || rc == 127 || (out && !strstr(out, "no crontab"))) {
		rc = err_set("crontab -l: %s", out && *out ? out : "failed");
		free(out);
		free(mark);
		return rc;
	}
	free(out);
	free(mark);
	return 0;
}

static int
cron_write(const char *table)
{
	const char *argv[] = { "crontab", "-", NULL };
	char *out = NULL;
	int rc = run_sync(argv, table, &out);

	if (rc != 0)
		rc = err_set("crontab -: %s", out && *out ? out : "failed");
	free(out);
	return rc;
}

static int
cron_install(const struct sched *s, const char *cron, const char *self)
{
	struct buf t = BUF_INIT;
	bool had;
	int rc;

	if (!cron) {
		struct spec sp;

		if (spec_parse_calendar(&sp, s->at) == 0) /* not reached: it had a form */
			return err_setc(DH_EPARSE, "--at '%s' has no crontab form", s->at);
		return err_setc(DH_EPARSE, "--at '%s' cannot be written as a crontab line: %s",
		                s->at, err_msg());
	}
	rc = cron_read(s->name, &t, &had, NULL);
	if (rc == 0) {
		buf_printf(&t, "%s ", cron);
		for (size_t i = 0; i < sizeof fire_env / sizeof *fire_env; i++) {
			if (!getenv(fire_env[i]) || !*getenv(fire_env[i]))
				continue;
			buf_printf(&t, "%s=", fire_env[i]);
			sh_quote(&t, getenv(fire_env[i]));
			buf_putc(&t, ' ');
		}
		sh_quote(&t, self);
		buf_printf(&t, " schedule fire %s " CRON_MARK "%s\n", s->name, s->name);
		rc = cron_write(buf_cstr(&t));
	}
	buf_fini(&t);
	return rc;
}

/* Remove NAME's crontab line. With no crontab on PATH there is none to
 * remove, unless `installed` (NAME was put in cron): then DH_EFAIL saying
 * that nothing changed, and nothing did. */
static int
cron_uninstall(const char *name, bool installed)
{
	struct buf t = BUF_INIT;
	bool had = false;

	if (!have("crontab"))
		return installed ? err_set("schedule '%s' is a crontab line and crontab is not on "
		                           "PATH to remove it: nothing changed (run this again "
		                           "with crontab on PATH)",
		                           name)
		                 : 0;
	int rc = cron_read(name, &t, &had, NULL);

	if (rc == 0 && had)
		rc = cron_write(buf_cstr(&t));
	buf_fini(&t);
	return rc;
}

/* The SPEC NAME's `inst` holds now, as it was written there: the timer's
 * OnCalendar= or the crontab line's five fields (heap). NULL when nothing
 * is installed (paused, removed, no crontab on PATH) or it cannot be read. */
static char *
installed_at(const char *name, enum installer inst)
{
	struct buf b = BUF_INIT, keep = BUF_INIT;
	char *r = NULL, *dir = inst == INST_SYSTEMD ? unit_dir() : NULL;
	bool had = false;

	if (dir) {
		char *tp = xasprintf("%s/" UNIT_PREFIX "%s.timer", dir, name);
		char *cur, *l;
		int line = 0;

		if (access(tp, F_OK) == 0 && fsutil_read_file(tp, 1 << 16, &b) == 0)
			for (cur = (char *)buf_cstr(&b); !r && (l = next_line(&cur, &line));)
				if (!strncmp(l, "OnCalendar=", 11))
					r = xstrdup(l + 11);
		free(tp);
	} else if (inst == INST_CRON && have("crontab") &&
	           cron_read(name, &keep, &had, &b) == 0 && had) {
		const char *w = buf_cstr(&b);
		struct buf f = BUF_INIT;

		for (int i = 0; i < 5 && *w; i++) { /* the fields, one blank apart */
			size_t n = strcspn(w, " \t");

			buf_printf(&f, "%s%.*s", i ? " " : "", (int)n, w);
			w += n;
			w += strspn(w, " \t");
		}
		r = buf_detach(&f);
	}
	buf_fini(&b);
	buf_fini(&keep);
	free(dir);
	return r;
}

/* The installer recorded at `add` (the log's last "added"), else the one
 * that applies now. */
static enum installer
sched_installer(const char *name)
{
	struct logents a;
	const char *why;
	enum installer r = installer_pick(&why);

	log_read(name, &a);
	const struct logent *e = log_last(&a, "added");
	if (e && !strcmp(e->detail, "systemd"))
		r = INST_SYSTEMD;
	else if (e && !strcmp(e->detail, "cron"))
		r = INST_CRON;
	logents_free(&a);
	return r;
}

/* Where a timer or crontab line for NAME is in place (a timer's unit file
 * first), with the SPEC it runs in *at (heap); INST_NONE and NULL when
 * neither holds one. */
static enum installer
installed_where(const char *name, char **at)
{
	static const enum installer order[] = { INST_SYSTEMD, INST_CRON };

	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		if ((*at = installed_at(name, order[i])))
			return order[i];
	return INST_NONE;
}

/* What is said of NAME's timer or line left in place (by `inst`) after its
 * definition `path` was deleted: each fire fails until it is removed (heap). */
static char *
orphan_msg(const char *name, const char *path, enum installer inst)
{
	return xasprintf("definition missing: %s is gone but the %s still runs 'schedule fire "
	                 "%s', which fails: remove it with 'deskhand schedule remove %s'",
	                 path, inst == INST_SYSTEMD ? "timer" : "crontab line", name, name);
}

/* Add to `names` those with a timer unit or a crontab line of ours, found
 * or not among the definitions (a definition deleted by hand): duplicates
 * are left to strv_uniq(). */
static void
installed_names(struct strv *names)
{
	char *dir = unit_dir(), *out = NULL;
	const char *argv[] = { "crontab", "-l", NULL };
	DIR *dh = dir ? opendir(dir) : NULL;
	struct dirent *de;
	size_t pl = strlen(UNIT_PREFIX);

	while (dh && (de = readdir(dh))) {
		size_t n = strlen(de->d_name);

		if (n > pl + 6 && !strncmp(de->d_name, UNIT_PREFIX, pl) &&
		    !strcmp(de->d_name + n - 6, ".timer")) {
			char *nm = xstrndup(de->d_name + pl, n - pl - 6);

			if (name_ok(nm))
				strv_add(names, nm);
			free(nm);
		}
	}
	if (dh)
		closedir(dh);
	/* The marker ends the line: "...fire NAME # deskhand-schedule NAME". */
	if (have("crontab") && run_sync(argv, NULL, &out) == 0 && out) {
		char *save = NULL;

		for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *m = strstr(l, " " CRON_MARK);

			if (m && name_ok(m + 1 + strlen(CRON_MARK)))
				strv_add(names, m + 1 + strlen(CRON_MARK));
		}
	}
	free(out);
	free(dir);
}

/* Install (enable) or disable NAME's timer or line. */
static int
sched_arm(const struct sched *s, enum installer inst, bool on)
{
	char *oncal = NULL, *cron = NULL, *self = self_path();
	int rc = 0;

	if (on)
		rc = spec_forms(s->at, &oncal, &cron);
	if (rc == 0 && inst == INST_SYSTEMD)
		rc = on ? systemd_install(s, oncal, self, true) : systemd_uninstall(s->name, false);
	else if (rc == 0 && inst == INST_CRON)
		rc = on ? cron_install(s, cron, self) : cron_uninstall(s->name, true);
	else if (rc == 0)
		rc = err_set("no scheduler to install into: %s", installer_names[inst]);
	free(oncal);
	free(cron);
	free(self);
	return rc;
}

/*
 * Subcommands
 */

/* The engine's arguments for a run of `s`: one place, so a new policy key is
 * one line here. */
static void
fire_args(const struct sched *s, struct strv *av)
{
	for (size_t i = 0; i < s->grants.n; i++) {
		strv_add(av, "--grant");
		strv_add(av, s->grants.v[i]);
	}
	strv_add(av, "--mode");
	strv_add(av, s->mode ? s->mode : "ask");
	strv_add(av, "--approve-plan"); /* nobody is there to approve it */
	if (s->force)
		strv_add(av, "--force");
	if (s->model) {
		strv_add(av, "--model");
		strv_add(av, s->model);
	}
	if (s->max_cost) { /* else the config's max_cost */
		strv_add(av, "--max-cost");
		strv_add(av, s->max_cost);
	}
	/* The inbox and the notifications name the schedule. */
	char *origin = xasprintf("schedule:%s", s->name);
	strv_add(av, "--origin");
	strv_add(av, origin);
	free(origin);
	strv_add(av, "--");
	strv_add(av, s->task);
}

/* Refuse now what a fire of `s` would refuse (its definition, the engine's
 * options and the rules for its grants), so that `add` installs nothing that
 * cannot start. `force` (add --force) lifts the refusal of a grant, and
 * s->force records that it had to. 0, or DH_EPARSE (a bad option),
 * DH_EDENIED (a refused grant), DH_EFAIL (the config file)… with the
 * message set. */
static int
sched_vet(struct sched *s, bool force)
{
	struct strv av = { 0 };
	int rc = sched_check(s, true);

	s->force = false;
	if (rc == 0) {
		fire_args(s, &av);
		rc = client_args_check_grants(av.v, av.n);
	}
	if (rc == DH_EDENIED && force) {
		s->force = true;
		strv_free(&av);
		fire_args(s, &av);
		rc = client_args_check_grants(av.v, av.n);
	}
	strv_free(&av);
	return rc;
}

static const char add_usage[] =
	"usage: deskhand schedule add NAME --at SPEC --grant DIR [--grant DIR...]\n"
	"                             [--mode auto|ask] [--max-cost USD] [--model M] TASK\n"
	"\n"
	"Run TASK on the granted folders at the times SPEC says, with no terminal\n"
	"open: a systemd calendar expression ('Mon *-*-* 08:00', 'daily',\n"
	"'hourly') or a 5-field cron line ('0 8 * * 1'). NAME: [a-z0-9][a-z0-9_-]*.\n"
	"The definition goes to $XDG_CONFIG_HOME/deskhand/schedules/NAME (edit it\n"
	"freely); a systemd user timer (Persistent=true: a run missed while the\n"
	"machine was off happens once at the next boot) when a user manager runs,\n"
	"else a crontab line, runs 'deskhand schedule fire NAME'. DH_SCHEDULER=\n"
	"systemd|cron chooses. --mode ask (the default): a change waits for you\n"
	"('deskhand attach ID'); auto: the agent writes in the granted folders and\n"
	"you review afterwards. What a run would refuse is refused now, with\n"
	"nothing installed. --force replaces a schedule of that name, and grants\n"
	"your home or a system directory as 'deskhand run --force' does (the\n"
	"definition then says 'force = yes').\n"
	"Exit status: 0, 1 the installer failed or a grant is refused, 2 usage,\n"
	"a bad SPEC (or one no date matches: it never fires) or a bad option.\n";

static int
sched_add(int argc, char **argv)
{
	struct sched s = { 0 };
	bool force = false;
	char *task = NULL, *name = NULL;
	int status = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char **slot = !strcmp(a, "--at")                         ? &s.at
		              : !strcmp(a, "--mode") || !strcmp(a, "-m") ? &s.mode
		              : !strcmp(a, "--max-cost")                 ? &s.max_cost
		              : !strcmp(a, "--model")                    ? &s.model
		                                                         : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(add_usage, stdout);
			status = EXIT_OK;
			goto out;
		} else if (!strcmp(a, "--force")) {
			force = true;
		} else if (slot || !strcmp(a, "--grant") || !strcmp(a, "-g")) {
			if (!v) {
				fprintf(stderr, "deskhand schedule add: %s needs a value\n", a);
				goto usage;
			}
			i++;
			if (slot) {
				free(*slot);
				*slot = xstrdup(v);
				continue;
			}
			char *real = realpath(v, NULL);
			struct stat st;
			if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
				struct buf shown = BUF_INIT;

				fprintf(stderr, "deskhand schedule add: --grant '%s': %s\n",
				        utf8_sanitized(&shown, v),
				        real ? "not a directory" : strerror(errno));
				buf_fini(&shown);
				free(real);
				goto out;
			}
			strv_add(&s.grants, real);
			free(real);
		} else if (a[0] == '-' && a[1]) {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand schedule add: unknown option '%s'\n",
			        utf8_sanitized(&shown, a));
			buf_fini(&shown);
			goto usage;
		} else if (!name) {
			name = argv[i];
		} else if (!task) {
			task = argv[i];
		} else {
			struct buf shown = BUF_INIT;

			fprintf(stderr,
			        "deskhand schedule add: unexpected argument '%s' (quote the "
			        "task)\n",
			        utf8_sanitized(&shown, a));
			buf_fini(&shown);
			goto usage;
		}
	}
	if (!name || !task || !s.at || !s.grants.n) {
		fprintf(stderr, "deskhand schedule add: expected NAME, --at SPEC, --grant DIR and "
		                "TASK\n");
		goto usage;
	}
	if (!name_ok(name)) {
		struct buf shown = BUF_INIT;

		fprintf(stderr,
		        "deskhand schedule add: bad name '%s': expected [a-z0-9][a-z0-9_-]*\n",
		        utf8_sanitized(&shown, name));
		buf_fini(&shown);
		goto out;
	}
	/* The definition keeps a value without its surrounding blanks (the
	 * task's do not matter to the agent): a blank TASK would be none, and
	 * every fire would fail on it. */
	if (!task[strspn(task, " \t\r")]) {
		fprintf(stderr, "deskhand schedule add: TASK is blank: say what the agent should "
		                "do\n");
		goto out;
	}
	char *dir = sched_dir(false);
	s.name = xstrdup(name);
	s.path = xasprintf("%s/%s", dir ? dir : ".", name);
	free(dir);
	s.task = xstrdup(task);
	if (!s.mode)
		s.mode = xstrdup("ask");
	int vrc = sched_vet(&s, force);
	if (vrc < 0) {
		fprintf(stderr, "deskhand schedule add: %s\n", err_msg());
		status = vrc == DH_EPARSE ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	char *oncal = NULL, *cron = NULL;
	if (spec_forms(s.at, &oncal, &cron) < 0) {
		fprintf(stderr, "deskhand schedule add: %s\n", err_msg());
		goto out;
	}
	if (!force && access(s.path, F_OK) == 0) {
		fprintf(stderr,
		        "deskhand schedule add: schedule '%s' exists (%s): remove it first, "
		        "or --force\n",
		        name, s.path);
		free(oncal);
		free(cron);
		goto out;
	}
	const char *why;
	enum installer inst = installer_pick(&why);
	char *self = self_path();
	/* The definition --force replaces, put back when the new one cannot
	 * be installed: a failed add changes nothing. */
	struct buf prev = BUF_INIT;
	bool had_prev = force && fsutil_read_file(s.path, 1 << 20, &prev) == 0;
	int rc = sched_save(&s);

	if (rc == 0 && inst == INST_SYSTEMD)
		rc = systemd_install(&s, oncal, self, true);
	else if (rc == 0 && inst == INST_CRON)
		rc = cron_install(&s, cron, self);
	else if (rc == 0)
		rc = err_set("%s", why);
	status = rc == DH_EPARSE ? EXIT_USAGE : rc < 0 ? EXIT_FAIL : EXIT_OK;
	/* A schedule replaced (--force) from the other scheduler: its old
	 * timer or crontab line would go on starting runs at the old time. */
	int orc = rc < 0                ? 0
	          : inst == INST_SYSTEMD ? cron_uninstall(name, false)
	                                 : systemd_uninstall(name, true);
	if (rc < 0 && had_prev) {
		fprintf(stderr, "deskhand schedule add: %s\n", err_msg());
		if (fsutil_write_atomic(s.path, prev.ptr, prev.len) < 0)
			fprintf(stderr, "deskhand schedule add: %s\n", err_msg());
		else
			fprintf(stderr, "deskhand schedule add: schedule '%s' is left as it was\n",
			        name);
	} else if (rc < 0) {
		fprintf(stderr, "deskhand schedule add: %s\n", err_msg());
		unlink(s.path); /* nothing half-installed */
	} else {
		if (orc < 0) {
			fprintf(stderr,
			        "deskhand schedule add: %s: the schedule's old %s may still "
			        "start runs\n",
			        err_msg(), inst == INST_SYSTEMD ? "crontab line" : "timer");
			status = EXIT_FAIL;
		}
		log_add(name, "added", NULL, installer_names[inst]);
		char next[32];
		fmt_time(next, (long long)sched_next(s.at, time(NULL), NULL));
		if (inst == INST_SYSTEMD)
			printf("schedule %s: systemd timer " UNIT_PREFIX
			       "%s.timer (OnCalendar=%s), "
			       "next run %s\n",
			       name, name, oncal, next);
		else
			printf("schedule %s: crontab line '%s', next run %s\n", name, cron, next);
		printf("  definition: %s\n", s.path);
		if (inst == INST_SYSTEMD && !user_manager_running())
			printf("  no systemd user manager runs now: the timer starts with the next "
			       "one (log in, or 'loginctl enable-linger')\n");
	}
	free(oncal);
	free(cron);
	free(self);
	buf_fini(&prev);
	goto out;
usage:
	fputs(add_usage, stderr);
out:
	sched_fini(&s);
	return status;
}

/* The live sessions (client_list_live()), or an empty array. Each engine
 * that does not answer costs its deadline: asked once per command. */
static cJSON *
live_list(void)
{
	cJSON *live = NULL;

	return client_list_live(&live) == 0 ? live : json_new_arr();
}

/* The snapshot of session `id` in `live` (live_list()), or NULL (borrowed). */
static const cJSON *
live_snapshot(const cJSON *live, const char *id)
{
	const cJSON *s;

	if (!id || !strcmp(id, "-"))
		return NULL;
	cJSON_ArrayForEach(s, live)
	{
		if (json_str(s, "session") && !strcmp(json_str(s, "session"), id))
			return s;
	}
	return NULL;
}

/* A run is live while its engine works on the task or waits for an answer. */
static bool
run_is_live(const char *id)
{
	cJSON *all = live_list();
	const cJSON *snap = live_snapshot(all, id);
	const char *act = json_str(snap, "activity");
	bool live = snap && (json_bool(snap, "busy", false) ||
	                     (act && (!strcmp(act, "working") || !strcmp(act, "waiting"))));

	cJSON_Delete(all);
	return live;
}

/* The status of run `id`: its activity in `live` (live_list()), else the
 * session's record. */
static char *
run_status(const cJSON *live, const char *id)
{
	const cJSON *snap = live_snapshot(live, id);
	cJSON *meta = NULL;
	char *r = NULL;

	if (snap && json_str(snap, "activity"))
		r = xstrdup(json_str(snap, "activity"));
	else if (id && strcmp(id, "-") && client_session_meta(id, &meta) == 0 &&
	         json_str(meta, "status"))
		r = xstrdup(json_str(meta, "status"));
	cJSON_Delete(meta);
	return r ? r : xstrdup("-");
}

/* Files pending review in session `id` (`deskhand review --json`), -1 unknown. */
static int
run_pending(const char *id)
{
	char *self = self_path(), *out = NULL;
	const char *argv[] = { self, "review", "--session", id, "--json", NULL };
	cJSON *doc = NULL, *g;
	int n = -1;

	if (id && strcmp(id, "-") && run_sync(argv, NULL, &out) == 0 && out) {
		/* stderr names the session first: the document is the last line. */
		const char *j = strchr(out, '{');
		if (j && json_parse(&doc, j, strlen(j), "review") == 0) {
			n = 0;
			cJSON_ArrayForEach(g, json_arr(doc, "grants")) n +=
				cJSON_GetArraySize(json_arr(g, "files"));
		}
	}
	cJSON_Delete(doc);
	free(out);
	free(self);
	return n;
}

/* A timer's run has the scheduler's environment, not the person's shell's:
 * $XDG_CONFIG_HOME/deskhand/schedule.env (NAME=VALUE lines, # comments; not
 * readable by group or others, since it holds the API key) sets what is not
 * already set. A missing file is fine. 0 or DH_EPARSE/DH_EDENIED naming
 * file[:line]. */
static int
fire_env_file(void)
{
	char *path = config_path("deskhand/schedule.env");
	struct buf b = BUF_INIT;
	struct stat st;
	int rc = 0, line = 0;

	if (!path || stat(path, &st) < 0) {
		free(path);
		return 0;
	}
	if (st.st_mode & 077)
		rc = err_setc(DH_EDENIED,
		              "%s is readable by others (it holds secrets): chmod 600 it", path);
	else if (fsutil_read_file(path, 1 << 16, &b) < 0)
		rc = DH_EFAIL;
	char *cur = rc == 0 ? (char *)buf_cstr(&b) : NULL, *p;
	while ((p = next_line(&cur, &line))) {
		if (!strncmp(p, "export ", 7))
			p += 7;
		char *eq = strchr(p, '=');
		if (!eq || eq == p) {
			rc = err_setc(DH_EPARSE, "%s:%d: expected NAME=VALUE", path, line);
			break;
		}
		*eq = '\0';
		if (!getenv(p))
			setenv(p, eq + 1, 0);
	}
	buf_fini(&b);
	free(path);
	return rc;
}

enum fire_how {
	FIRE_TIMER,
	FIRE_MANUAL
};

/* What a fire says it did on stdout: `text`, or with --json one object
 * {schedule, session (null when nothing started), kind (of a started run),
 * skipped (why nothing started), previous (the live run it waited for)},
 * the keys that do not apply left out. */
static void
fire_report(bool json, const char *name, const char *session, const char *kind,
            const char *skipped, const char *previous, const char *text)
{
	if (!json) {
		printf("%s\n", text);
		return;
	}
	cJSON *o = json_new_obj();

	json_add_str(o, "schedule", name);
	json_add(o, "session", session ? cJSON_CreateString(session) : cJSON_CreateNull());
	if (kind)
		json_add_str(o, "kind", kind);
	if (skipped)
		json_add_str(o, "skipped", skipped);
	if (previous)
		json_add_str(o, "previous", previous);
	char *j = json_print(o);
	printf("%s\n", j);
	free(j);
	cJSON_Delete(o);
}

/* A fire that starts nothing: `text` (or the --json object) says so, the
 * log records a skip for `why`, naming `session` (the live one in the way;
 * NULL: none). The exit status: 0 for the timer, whose scheduler must not
 * count it as a failure; EXIT_SKIPPED for `schedule run`. */
static int
fire_skip(bool json, enum fire_how how, const char *name, const char *session, const char *why,
          const char *text)
{
	fire_report(json, name, NULL, NULL, why, session, text);
	log_add(name, "skip", session, why);
	return how == FIRE_TIMER ? EXIT_OK : EXIT_SKIPPED;
}

/* The live engine that holds one of `s`'s granted folders (one engine per
 * folder: engine_open refuses a second), found among the live sessions by
 * the folders' real paths: that grant as the definition writes it in
 * *folder (heap) and the engine in *h (h->session NULL while it has none);
 * false when none does. An engine in a terminal's own process ('deskhand
 * run' without --detach) lists no socket and is not found here: the spawn
 * it refuses is (lock_holder). */
static bool
grant_holder(const struct sched *s, char **folder, struct client_holder *h)
{
	cJSON *live = NULL, *sn, *g;

	*folder = NULL;
	memset(h, 0, sizeof *h);
	if (client_list_live(&live) < 0)
		return false;
	for (size_t i = 0; i < s->grants.n && !*folder; i++) {
		char *mine = realpath(s->grants.v[i], NULL);

		cJSON_ArrayForEach(sn, live)
		{
			cJSON_ArrayForEach(g, json_arr(sn, "grants"))
			{
				char *theirs = cJSON_IsString(g) ? realpath(g->valuestring, NULL)
				                                 : NULL;
				bool same = mine && theirs && !strcmp(mine, theirs);

				free(theirs);
				if (same && !*folder) {
					*folder = xstrdup(s->grants.v[i]);
					h->kind = CLIENT_HOLDER_ENGINE;
					h->session = json_str(sn, "session")
					                     ? xstrdup(json_str(sn, "session"))
					                     : NULL;
				}
			}
		}
		free(mine);
	}
	cJSON_Delete(live);
	return *folder != NULL;
}

/* After the engine of a fire was refused (DH_EDENIED): the holder of one of
 * `s`'s granted folders, as its snapshot lock names it (any writer: a live
 * engine, a foreground 'deskhand run', a review command), in *folder (the
 * grant as the definition writes it, heap) and *h; false when none is
 * named (the refusal was another, or the holder has ended since). */
static bool
lock_holder(const struct sched *s, char **folder, struct client_holder *h)
{
	*folder = NULL;
	for (size_t i = 0; i < s->grants.n; i++) {
		if (client_folder_holder(s->grants.v[i], h) == 1) {
			*folder = xstrdup(s->grants.v[i]);
			return true;
		}
	}
	memset(h, 0, sizeof *h);
	return false;
}

/* A fire that found a granted folder `folder` held by another writer `h`
 * (grant_holder, lock_holder): nothing started, and that is no failure.
 * Frees folder and h->session. */
static int
fire_skip_held(bool json, enum fire_how how, const char *name, char *folder,
               struct client_holder *h)
{
	/* Who: the holder's session between `before` and `after`, or
	 * `unnamed` while it has none; its pid too where no attach reaches it
	 * (a foreground run: the pid finds its terminal). */
	static const struct {
		const char *before, *after, *unnamed;
		bool pid;
	} who_of[] = {
		[CLIENT_HOLDER_ENGINE] = { "live session ", "",
		                           "a live deskhand engine with no session yet", false },
		[CLIENT_HOLDER_RUN] = { "session ", " of a foreground deskhand run",
		                        "a foreground deskhand run with no session yet", true },
		[CLIENT_HOLDER_VERB] = { "a review command on session ", "", "a review command",
		                         true },
	};
	struct buf who = BUF_INIT;

	if (h->session)
		buf_printf(&who, "%s%s%s", who_of[h->kind].before, h->session,
		           who_of[h->kind].after);
	else
		buf_puts(&who, who_of[h->kind].unnamed);
	if (who_of[h->kind].pid && h->pid > 0)
		buf_printf(&who, " (pid %ld)", h->pid);
	char *why = xasprintf("folder %s in use by %s", folder, buf_cstr(&who));
	char *text = xasprintf("schedule %s: folder %s is in use by %s: nothing started", name,
	                       folder, buf_cstr(&who));
	int status = fire_skip(json, how, name, h->session, why, text);

	free(text);
	free(why);
	buf_fini(&who);
	free(folder);
	free(h->session);
	h->session = NULL;
	return status;
}

/* A fire whose run could not start, for `why`: said on stderr (where cron
 * mails it, the journal keeps it) and recorded in the log. */
static void
fire_failed(const char *name, const char *why)
{
	char *msg = xstrdup(why); /* err_msg() may be `why`: the log may set it */

	fprintf(stderr, "deskhand schedule: %s: %s\n", name, msg);
	log_add(name, "fail", NULL, msg);
	free(msg);
}

/* The SPEC the timer or crontab line of `s` runs now: the installed one,
 * which an `at` edited since `add` is not until it is reinstalled, else the
 * definition's (nothing installed: paused, or a manual run). Heap. What
 * `schedule list` shows as NEXT and what a fire's catch-up is measured by. */
static char *
sched_running_at(const struct sched *s, enum installer inst)
{
	char *held = installed_at(s->name, inst);

	return held ? held : xstrdup(s->at);
}

/* Start a run of NAME unless its previous run, or another engine on one of
 * its folders, is still live; records what happened in its log. The exit
 * status. */
static int
fire(const char *name, enum fire_how how, bool json)
{
	struct sched s;
	struct logents lg = { 0 };
	struct ev_loop *loop = NULL;
	struct client *c = NULL;
	struct strv av = { 0 };
	int status = EXIT_FAIL, lock = -1;
	char *lockp = NULL, *d = NULL;
	int rc = sched_load(&s, name);

	/* The definition deleted by hand, its timer or line left: say how to
	 * remove that, where cron mails it or the journal keeps it, and in the log. */
	char *held = NULL;
	enum installer orphan = rc == DH_ENOTFOUND && how == FIRE_TIMER
	                                ? installed_where(name, &held)
	                                : INST_NONE;
	free(held);
	if (orphan != INST_NONE) {
		char *msg = orphan_msg(name, s.path, orphan);

		fprintf(stderr, "deskhand schedule: %s: %s\n", name, msg);
		log_add(name, "fail", NULL, msg);
		free(msg);
		status = EXIT_USAGE;
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "deskhand schedule: %s\n", err_msg());
		if (rc != DH_ENOTFOUND)
			log_add(name, "fail", NULL, err_msg());
		status = rc == DH_ENOTFOUND ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if (how == FIRE_TIMER && s.paused) {
		char *text = xasprintf("schedule %s is paused: nothing started", name);

		status = fire_skip(json, how, name, NULL, "paused", text);
		free(text);
		goto out;
	}
	/* One fire at a time per schedule: the check and the start under a lock
	 * (the engine does not inherit it: client_spawn closes our fds). */
	d = sched_dir(true);
	if (!d || fsutil_mkdir_p(d, 0700) < 0) {
		fprintf(stderr, "deskhand schedule: %s\n", err_msg());
		goto out;
	}
	lockp = xasprintf("%s/%s.lock", d, name);
	lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		char *text = xasprintf("schedule %s: another fire of it is starting: nothing "
		                       "started",
		                       name);
		status = fire_skip(json, how, name, NULL, "another fire was starting", text);
		free(text);
		goto out;
	}
	log_read(name, &lg);
	const struct logent *last = log_last(&lg, "run");
	if (last && run_is_live(last->session)) {
		char *text = xasprintf("schedule %s: the previous run %s is still live: nothing "
		                       "started",
		                       name, last->session);
		char *why = xasprintf("previous run %s still live", last->session);
		status = fire_skip(json, how, name, last->session, why, text);
		free(why);
		free(text);
		goto out;
	}
	/* Another schedule's run, a detached run or a workbench on one of the
	 * folders: its engine would refuse ours (one writer per folder). */
	char *folder;
	struct client_holder holder;
	if (grant_holder(&s, &folder, &holder)) {
		status = fire_skip_held(json, how, name, folder, &holder);
		goto out;
	}
	/* Caught up: the slot this run stands for (the first one after the last
	 * run, skipped or failed fire, `add` or `resume`) passed long ago, and
	 * no slot falls in the last SCHED_LATE_S (a fire at its own slot after
	 * missed ones is on time); systemd's Persistent=true runs the missed
	 * slots once at boot, cron never does: its fires are all on time. */
	const struct logent *since = log_last(&lg, "run skip fail added resumed");
	const char *kind = how == FIRE_MANUAL ? "manual" : "timer";
	char *detail = NULL;
	enum installer inst = sched_installer(name);
	if (how == FIRE_TIMER && since && inst != INST_CRON) {
		/* The slots are the installed SPEC's: an `at` edited since
		 * `add` is not what fired. */
		char *at = sched_running_at(&s, inst);
		time_t now = time(NULL), slot = sched_next(at, (time_t)since->t, NULL);
		time_t recent = sched_next(at, now - SCHED_LATE_S - 1, NULL);
		free(at);
		if (slot != (time_t)-1 && slot + SCHED_LATE_S < now &&
		    (recent == (time_t)-1 || recent > now)) {
			char when[32];
			fmt_time(when, (long long)slot);
			kind = "catch-up";
			detail = xasprintf("catch-up of %s", when);
		}
	}
	fire_args(&s, &av);
	int src = fire_env_file() < 0 || ev_new(&loop) < 0 ? DH_EFAIL : 0;
	/* Refused by a writer the look above cannot see (a foreground
	 * 'deskhand run' lists no socket) or that took a folder since: a skip,
	 * naming the holder its lock names. A lock that names nobody alive was
	 * released in between: try once more. */
	for (int tries = 0; src == 0; tries++) {
		if ((src = client_spawn(&c, loop, av.v, av.n)) != DH_EDENIED)
			break;
		char *msg = xstrdup(err_msg());
		bool named = lock_holder(&s, &folder, &holder);

		if (!named && tries == 0) {
			free(msg);
			src = 0;
			continue;
		}
		free(detail);
		if (named)
			status = fire_skip_held(json, how, name, folder, &holder);
		else
			fire_failed(name, msg);
		free(msg);
		goto out;
	}
	if (src < 0) {
		free(detail);
		fire_failed(name, err_msg());
		goto out;
	}
	const char *id = client_state(c)->session;
	if (!id) {
		fire_failed(name, "the engine started no session");
		free(detail);
		goto out;
	}
	log_add(name, "run", id, detail ? detail : kind);
	fire_report(json, name, id, kind, NULL, NULL, id);
	free(detail);
	status = EXIT_OK;
out:
	client_close(c);
	ev_free(loop);
	if (lock >= 0)
		close(lock); /* and the lock with it */
	free(lockp);
	free(d);
	strv_free(&av);
	logents_free(&lg);
	sched_fini(&s);
	return status;
}

static const char fire_usage[] =
	"usage: deskhand schedule fire NAME\n"
	"\n"
	"What the timer or crontab line runs: start a run of schedule NAME as a\n"
	"detached session with the schedule's policy and no terminal, print its\n"
	"session id and return. Nothing starts while NAME's previous run is still\n"
	"live, while another live session (another schedule's run, a detached run,\n"
	"a workbench, a deskhand run in a terminal) has one of its folders, or while\n"
	"NAME is paused; the skip is recorded with the reason ('schedule list',\n"
	"'schedule log').\n"
	"A timer's run that starts long after its slot (the machine was off) is\n"
	"recorded as a catch-up. $XDG_CONFIG_HOME/deskhand/schedule.env (NAME=VALUE lines,\n"
	"mode 600) sets what the scheduler's environment lacks: ANTHROPIC_API_KEY.\n"
	"Exit status: 0 started or skipped, 1 failed, 2 usage or no such schedule\n"
	"(a timer or line left after its definition was deleted says so, and how\n"
	"to remove it, also in the schedule's log).\n";

static const char run_usage[] =
	"usage: deskhand schedule run NAME [--json]\n"
	"\n"
	"Start a run of schedule NAME now, paused or not, as the timer would; print\n"
	"its session id. --json: one object {schedule, session, kind} instead, or\n"
	"{schedule, session: null, skipped (why), previous (the live run)} when\n"
	"nothing started. Exit status: 0 started, 1 failed, 2 usage, 3 nothing\n"
	"started: the previous run is still live, or another live session (named\n"
	"in previous) has one of its folders.\n";

/* NAME and --json for the one-name subcommands; -1 to go on. */
static int
one_name(int argc, char **argv, const char *usage, const char **name, bool *json)
{
	*name = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (json && !strcmp(argv[i], "--json")) {
			*json = true;
		} else if (argv[i][0] == '-' || *name) {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand schedule %s: unexpected argument '%s'\n%s",
			        argv[0], utf8_sanitized(&shown, argv[i]), usage);
			buf_fini(&shown);
			return EXIT_USAGE;
		} else {
			*name = argv[i];
		}
	}
	if (*name)
		return -1;
	fprintf(stderr, "deskhand schedule %s: expected NAME\n%s", argv[0], usage);
	return EXIT_USAGE;
}

static int
sched_fire(int argc, char **argv)
{
	const char *name;
	int rc = one_name(argc, argv, fire_usage, &name, NULL);

	return rc >= 0 ? rc : fire(name, FIRE_TIMER, false);
}

static int
sched_run(int argc, char **argv)
{
	const char *name;
	bool json = false;
	int rc = one_name(argc, argv, run_usage, &name, &json);

	return rc >= 0 ? rc : fire(name, FIRE_MANUAL, json);
}

static const char pause_usage[] =
	"usage: deskhand schedule pause|resume NAME\n"
	"\n"
	"pause: the timer (or crontab line) stops starting runs of NAME; its\n"
	"definition stays ('paused = yes'). resume: it starts them again.\n"
	"Exit status: 0, 1 the installer failed, 2 usage or no such schedule.\n";

static int
set_paused(int argc, char **argv, bool paused)
{
	const char *name;
	struct sched s;
	int rc = one_name(argc, argv, pause_usage, &name, NULL);

	if (rc >= 0)
		return rc;
	rc = sched_load(&s, name);
	if (rc == 0) {
		s.paused = paused;
		rc = sched_arm(&s, sched_installer(name), !paused);
	}
	if (rc == 0)
		rc = sched_save(&s);
	if (rc == 0)
		log_add(name, paused ? "paused" : "resumed", NULL, "");
	if (rc == 0)
		printf("schedule %s %s\n", name, paused ? "paused" : "resumed");
	else
		fprintf(stderr, "deskhand schedule %s: %s\n", argv[0], err_msg());
	sched_fini(&s);
	return rc == 0 ? EXIT_OK : rc == DH_ENOTFOUND || rc == DH_EPARSE ? EXIT_USAGE : EXIT_FAIL;
}

static int
sched_pause(int argc, char **argv)
{
	return set_paused(argc, argv, true);
}

static int
sched_resume(int argc, char **argv)
{
	return set_paused(argc, argv, false);
}

static const char remove_usage[] =
	"usage: deskhand schedule remove NAME\n"
	"\n"
	"Remove schedule NAME: its timer and service units or its crontab line,\n"
	"and its definition. Its sessions and their log stay ('deskhand sessions').\n"
	"A crontab line needs crontab on PATH to be removed: without it nothing is.\n"
	"A timer or line whose definition was deleted is removed the same way.\n"
	"Exit status: 0, 1 the installer failed, 2 usage or no such schedule.\n";

static int
sched_remove(int argc, char **argv)
{
	const char *name;
	int rc = one_name(argc, argv, remove_usage, &name, NULL);

	if (rc >= 0)
		return rc;
	if (!name_ok(name)) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand schedule remove: bad name '%s'\n",
		        utf8_sanitized(&shown, name));
		buf_fini(&shown);
		return EXIT_USAGE;
	}
	char *dir = sched_dir(false), *path = dir ? xasprintf("%s/%s", dir, name) : NULL;
	char *units = unit_dir(),
	     *timer = units ? xasprintf("%s/" UNIT_PREFIX "%s.timer", units, name) : NULL;
	char *line = installed_at(name, INST_CRON);
	bool def = path && access(path, F_OK) == 0, unit = timer && access(timer, F_OK) == 0;

	/* Both installers: whichever holds it (a line left by an edit too);
	 * cron first, so that a line that cannot be removed leaves all. */
	rc = cron_uninstall(name, sched_installer(name) == INST_CRON);
	if (rc == 0)
		rc = systemd_uninstall(name, true);
	if (rc == 0 && def && unlink(path) < 0)
		rc = err_set("%s: %s", path, strerror(errno));
	if (rc == 0 && !def && !unit && !line) /* a line alone: its definition deleted */
		rc = path ? sched_absent(name, path) : DH_ENOTFOUND;
	else if (rc == 0)
		log_add(name, "removed", NULL, "");
	if (rc == 0) {
		printf("schedule %s removed\n", name);
	} else {
		fprintf(stderr, "deskhand schedule remove: %s\n", err_msg());
	}
	free(dir);
	free(path);
	free(units);
	free(timer);
	free(line);
	return rc == 0 ? EXIT_OK : rc == DH_ENOTFOUND ? EXIT_USAGE : EXIT_FAIL;
}

static const char list_usage[] =
	"usage: deskhand schedule list [--json]\n"
	"\n"
	"The schedules: name, SPEC, next run, last run (and whether it was a\n"
	"catch-up after the machine was off: systemd timers only, cron has none),\n"
	"its status, files pending review, the last skipped fire (its previous run\n"
	"or another session on its folder was still live) and paused. --json: an array of {name, at, next, paused,\n"
	"installer, last_run, last_kind, last_session, last_status, pending,\n"
	"last_skip, last_skip_reason, last_fail, last_fail_reason (a fire that\n"
	"started nothing since the last run), error (the definition cannot be\n"
	"read, or its 'at' cannot be or never fires, or is not the one installed:\n"
	"FILE:LINE and why; also in NOTES)} (times: seconds since the epoch;\n"
	"next: when the installed timer or crontab line runs). A timer or line\n"
	"whose definition was deleted is listed too: 'definition missing'.\n";

static cJSON *
list_row(const char *name, const cJSON *live)
{
	struct sched s;
	struct logents lg;
	cJSON *o = json_new_obj();
	int rc = sched_load(&s, name);

	char *why = NULL, *error = rc < 0 ? xstrdup(err_msg()) : NULL;
	time_t next = rc == 0 ? sched_next(s.at, time(NULL), &why) : (time_t)-1;
	char *orphan_at = NULL;
	enum installer orphan = rc == DH_ENOTFOUND ? installed_where(name, &orphan_at)
	                                           : INST_NONE;

	/* Only its timer or line is left: what it runs, and how to remove it. */
	if (orphan != INST_NONE) {
		free(error);
		error = orphan_msg(name, s.path, orphan);
		next = sched_next(orphan_at, time(NULL), NULL);
		s.at = orphan_at;
	}

	/* An `at` edited into something that cannot be read (or never fires)
	 * has no next run, paused or not: say where and what. */
	if (s.paused)
		next = (time_t)-1;
	if (why)
		error = xasprintf("%s:%d: at '%s': %s", s.path, s.key_line[KEY_AT], s.at, why);
	/* An `at` edited since `add`: the timer or line still runs the old
	 * SPEC until it is reinstalled; NEXT is when it does. */
	enum installer inst = sched_installer(name);
	char *held = rc == 0 && !why && !s.paused ? sched_running_at(&s, inst) : NULL;
	if (held && !spec_same(s.at, held)) {
		next = sched_next(held, time(NULL), NULL);
		error = xasprintf("%s:%d: at '%s' is not installed: the %s runs at '%s' until "
		                  "'deskhand schedule add %s --force ...' reinstalls it",
		                  s.path, s.key_line[KEY_AT], s.at,
		                  inst == INST_SYSTEMD ? "timer" : "crontab line", held, name);
	}
	free(held);
	json_add_str(o, "name", name);
	json_add(o, "at", s.at ? cJSON_CreateString(s.at) : cJSON_CreateNull());
	json_add_bool(o, "paused", s.paused);
	json_add(o, "error", error ? cJSON_CreateString(error) : cJSON_CreateNull());
	json_add(o, "next",
	         next != (time_t)-1 ? cJSON_CreateNumber((double)next) : cJSON_CreateNull());
	json_add_str(o, "installer", installer_names[inst]);
	log_read(name, &lg);
	const struct logent *run = log_last(&lg, "run"), *skip = log_last(&lg, "skip");
	json_add(o, "last_run", run ? cJSON_CreateNumber((double)run->t) : cJSON_CreateNull());
	json_add(o, "last_kind", run ? cJSON_CreateString(run->detail) : cJSON_CreateNull());
	json_add(o, "last_session", run ? cJSON_CreateString(run->session) : cJSON_CreateNull());
	char *st = run ? run_status(live, run->session) : NULL;
	json_add(o, "last_status", st ? cJSON_CreateString(st) : cJSON_CreateNull());
	int pending = run ? run_pending(run->session) : -1;
	json_add(o, "pending", pending >= 0 ? cJSON_CreateNumber(pending) : cJSON_CreateNull());
	json_add(o, "last_skip", skip ? cJSON_CreateNumber((double)skip->t) : cJSON_CreateNull());
	json_add(o, "last_skip_reason",
	         skip ? cJSON_CreateString(skip->detail) : cJSON_CreateNull());
	/* A fire that could not start a run, since the last run. */
	const struct logent *fail = log_last(&lg, "fail run");
	fail = fail && !strcmp(fail->event, "fail") ? fail : NULL;
	json_add(o, "last_fail", fail ? cJSON_CreateNumber((double)fail->t) : cJSON_CreateNull());
	json_add(o, "last_fail_reason",
	         fail ? cJSON_CreateString(fail->detail) : cJSON_CreateNull());
	free(st);
	free(why);
	free(error);
	logents_free(&lg);
	sched_fini(&s);
	return o;
}

enum { LIST_NCOLS = 8 }; /* the columns of `schedule list`; the last is NOTES */

/* One row of the table: its cells (heap). */
static void
list_cells(const cJSON *r, char *cell[LIST_NCOLS])
{
	char next[32], last[32], when[32], pend[16] = "-";
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "next");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(r, "last_run");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(r, "last_skip");
	const char *kind = json_str(r, "last_kind");
	struct strv notes = { 0 };
	struct buf b = BUF_INIT;

	fmt_time(next, json_num_int(n, 0));
	fmt_time(last, json_num_int(l, 0));
	if (json_int(r, "pending", -1) >= 0)
		snprintf(pend, sizeof pend, "%lld", json_int(r, "pending", 0));
	if (json_bool(r, "paused", false))
		strv_add(&notes, "paused");
	if (cJSON_IsNumber(k)) {
		fmt_time(when, json_num_int(k, 0));
		buf_printf(&b, "skipped %s (%s)", when, json_str(r, "last_skip_reason"));
		strv_add(&notes, buf_cstr(&b));
		buf_clear(&b);
	}
	if (json_str(r, "last_fail_reason")) {
		fmt_time(when, json_int(r, "last_fail", 0));
		buf_printf(&b, "failed to start %s: %s", when, json_str(r, "last_fail_reason"));
		strv_add(&notes, buf_cstr(&b));
		buf_clear(&b);
	}
	if (!strcmp(json_str(r, "installer"), "cron"))
		strv_add(&notes, "cron: no catch-up");
	if (json_str(r, "error"))
		strv_add(&notes, json_str(r, "error"));
	for (size_t i = 0; i < notes.n; i++)
		buf_printf(&b, "%s%s", i ? "; " : "", notes.v[i]);
	cell[0] = xstrdup(json_str(r, "name"));
	cell[1] = xstrdup(json_str(r, "at") ? json_str(r, "at") : "?");
	cell[2] = xstrdup(next);
	cell[3] = xstrdup(last);
	cell[4] = xstrdup(kind ? (strncmp(kind, "catch-up", 8) ? kind : "catch-up") : "-");
	cell[5] = xstrdup(json_str(r, "last_status") ? json_str(r, "last_status") : "-");
	cell[6] = xstrdup(pend);
	cell[7] = buf_detach(&b);
	strv_free(&notes);
}

/* The table of `schedule list` (buf_table: each column as wide as its widest
 * cell), NOTES last and unpadded. */
static void
print_list(const cJSON *rows)
{
	static const char *const head[LIST_NCOLS] = { "NAME",   "AT",     "NEXT",    "LAST",
		                                       "KIND",   "STATUS", "PENDING", "NOTES" };
	size_t nrows = (size_t)cJSON_GetArraySize(rows) + 1, i = 1;
	char *(*cells)[LIST_NCOLS] = xcalloc(nrows, sizeof *cells);
	const cJSON *r;
	struct buf out = BUF_INIT;

	for (int c = 0; c < LIST_NCOLS; c++)
		cells[0][c] = xstrdup(head[c]);
	cJSON_ArrayForEach(r, rows) list_cells(r, cells[i++]);
	buf_table(&out, (const char *const *)cells, nrows, LIST_NCOLS, 0);
	fputs(buf_cstr(&out), stdout);
	buf_fini(&out);
	for (i = 0; i < nrows; i++)
		for (int c = 0; c < LIST_NCOLS; c++)
			free(cells[i][c]);
	free(cells);
}

static int
sched_list(int argc, char **argv)
{
	bool json = false;
	struct strv names = { 0 };
	char *dir = sched_dir(false);
	DIR *dh;
	struct dirent *de;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(list_usage, stdout);
			free(dir);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand schedule list: unexpected argument '%s'\n%s",
			        utf8_sanitized(&shown, argv[i]), list_usage);
			buf_fini(&shown);
			free(dir);
			return EXIT_USAGE;
		}
	}
	if (dir && (dh = opendir(dir))) {
		while ((de = readdir(dh)))
			if (name_ok(de->d_name))
				strv_add(&names, de->d_name);
		closedir(dh);
	}
	cJSON *rows = json_new_arr(), *live = NULL;
	installed_names(&names); /* a definition deleted by hand: its timer or line */
	strv_uniq(&names);
	if (names.n)
		live = live_list();
	for (size_t i = 0; i < names.n; i++)
		json_add(rows, NULL, list_row(names.v[i], live));
	cJSON_Delete(live);
	if (json) {
		char *s = json_print(rows);
		puts(s);
		free(s);
	} else if (!names.n) {
		printf("no schedule (add one: deskhand schedule add --help)\n");
	} else {
		print_list(rows);
	}
	cJSON_Delete(rows);
	strv_free(&names);
	free(dir);
	return EXIT_OK;
}

static const char log_usage[] =
	"usage: deskhand schedule log NAME [--json]\n"
	"\n"
	"What happened to schedule NAME, newest first: its runs (session id, how\n"
	"it was started: timer, catch-up or manual, and the session's status),\n"
	"skipped fires, failures, pauses. Open a run with 'deskhand review\n"
	"--session ID' or 'deskhand attach ID'. The log of a removed schedule\n"
	"stays and is shown.\n"
	"Exit status: 0, 2 usage or no such schedule (neither a definition nor a\n"
	"log).\n";

static int
sched_log(int argc, char **argv)
{
	const char *name;
	bool json = false;
	struct logents lg;
	int rc = one_name(argc, argv, log_usage, &name, &json);

	if (rc >= 0)
		return rc;
	if (!name_ok(name)) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand schedule log: bad name '%s'\n",
		        utf8_sanitized(&shown, name));
		buf_fini(&shown);
		return EXIT_USAGE;
	}
	/* A removed schedule's log stays: only a name with neither is unknown. */
	char *dir = sched_dir(false), *def = dir ? xasprintf("%s/%s", dir, name) : NULL;
	char *lp = log_path(name);
	bool known = (def && access(def, F_OK) == 0) || (lp && access(lp, F_OK) == 0);
	if (!known && def)
		sched_absent(name, def);
	free(dir);
	free(def);
	free(lp);
	if (!known) {
		fprintf(stderr, "deskhand schedule log: %s\n", err_msg());
		return EXIT_USAGE;
	}
	log_read(name, &lg);
	cJSON *rows = json_new_arr(), *live = lg.n ? live_list() : NULL;
	for (size_t i = lg.n; i-- > 0;) {
		const struct logent *e = &lg.v[i];
		cJSON *o = json_new_obj();
		char *st = !strcmp(e->event, "run") ? run_status(live, e->session) : NULL;

		json_add_num(o, "time", (double)e->t);
		json_add_str(o, "event", e->event);
		json_add(o, "session",
		         strcmp(e->session, "-") ? cJSON_CreateString(e->session)
		                                 : cJSON_CreateNull());
		json_add(o, "status", st ? cJSON_CreateString(st) : cJSON_CreateNull());
		json_add_str(o, "detail", e->detail);
		json_add(rows, NULL, o);
		free(st);
	}
	cJSON_Delete(live);
	if (json) {
		char *s = json_print(rows);
		puts(s);
		free(s);
	} else {
		const cJSON *o;
		if (!lg.n)
			printf("nothing recorded for schedule %s\n", name);
		cJSON_ArrayForEach(o, rows)
		{
			char when[32];
			fmt_time(when, json_int(o, "time", 0));
			printf("%-16s %-8s %-26s %-11s %s\n", when, json_str(o, "event"),
			       json_str(o, "session") ? json_str(o, "session") : "-",
			       json_str(o, "status") ? json_str(o, "status") : "",
			       json_str(o, "detail"));
		}
	}
	cJSON_Delete(rows);
	logents_free(&lg);
	return EXIT_OK;
}

/*
 * The table of subcommands
 */

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *doc;
} subcommands[] = {
	{ "add", sched_add, "add a schedule and install its timer or crontab line" },
	{ "list", sched_list, "the schedules: next and last run, status, pending review" },
	{ "run", sched_run, "start a run now" },
	{ "pause", sched_pause, "stop starting runs (the definition stays)" },
	{ "resume", sched_resume, "start runs again" },
	{ "remove", sched_remove, "remove the timer or line and the definition" },
	{ "log", sched_log, "a schedule's runs, skips and failures, newest first" },
	{ "fire", sched_fire, "what the timer runs: start a run unless one is live" },
};

static void
schedule_usage(FILE *f)
{
	fputs("usage: deskhand schedule COMMAND [ARGS]\n"
	      "\n"
	      "Tasks run by the system's scheduler (a systemd user timer, else cron), with\n"
	      "no terminal open; each run is a detached session whose changes wait for\n"
	      "review ('deskhand inbox', 'deskhand review --session ID').\n"
	      "Definitions: $XDG_CONFIG_HOME/deskhand/schedules/NAME. See docs/schedule.md.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].doc);
	fputs("\nEach command takes --help.\n", f);
}

int
cli_schedule(int argc, char **argv)
{
	if (argc < 2) {
		schedule_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		schedule_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	struct buf shown = BUF_INIT;

	fprintf(stderr, "deskhand schedule: unknown command '%s'\n",
	        utf8_sanitized(&shown, argv[1]));
	buf_fini(&shown);
	schedule_usage(stderr);
	return EXIT_USAGE;
}

void
cli_schedule_doctor(struct buf *human, cJSON *json)
{
	const char *why;
	enum installer inst = installer_pick(&why);
	const char *user = getenv("USER");
	char *out = NULL, *uid = xasprintf("%u", (unsigned)getuid());
	const char *argv[] = { "loginctl", "show-user", user && *user ? user : uid,
		               "--property=Linger", NULL };
	const char *linger = "unknown";
	int rc = have("loginctl") ? run_sync(argv, NULL, &out) : 127;

	if (rc == 0 && out && strstr(out, "Linger=yes"))
		linger = "yes";
	else if (rc == 0 && out && strstr(out, "Linger=no"))
		linger = "no";
	if (human) {
		buf_printf(human, "%-4s scheduler: %s (%s)\n", inst == INST_NONE ? "warn" : "ok",
		           installer_names[inst], why);
		buf_printf(human, "%-4s lingering: %s\n", !strcmp(linger, "yes") ? "ok" : "warn",
		           !strcmp(linger, "yes") ? "enabled: timers run while you are logged out"
		           : !strcmp(linger, "no")
		                   ? "disabled: systemd timers run only while you are logged in"
		                   : "unknown (loginctl cannot tell: no systemd-logind here)");
		if (strcmp(linger, "yes") && inst == INST_SYSTEMD)
			buf_printf(human, "     fix: loginctl enable-linger %s\n",
			           user && *user ? user : uid);
	}
	if (json) {
		cJSON *o = json_new_obj();
		json_add_str(o, "installer", installer_names[inst]);
		json_add_str(o, "why", why);
		json_add_str(o, "linger", linger);
		json_add(json, "scheduler", o);
	}
	free(out);
	free(uid);
}

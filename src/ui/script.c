/* SPDX-License-Identifier: MIT */
/*
 * DH_SCRIPT: scripted keys and commands for in-process screen tests, fed
 * one step per loop iteration when the loop is idle or a wait is met.
 */
#include "ui/script.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "agent/event.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "ui/keymap.h"
#include "ui/screen_dump.h"

#define WAKE_MS	     5	   /* re-check the idle gate this often */
#define TIMEOUT_MS   15000 /* default limit of one wait */
#define MAX_SCRIPT   (1 << 20)

enum step_kind { ST_KEY, ST_TYPE, ST_WAIT, ST_RESIZE, ST_SAVE, ST_QUIT };
enum wait_kind { W_IDLE, W_TURN, W_TEXT, W_MS, W_APPROVAL };

struct step {
	enum step_kind kind;
	enum wait_kind wait;
	int line;
	int key;	/* ST_KEY */
	char *arg;	/* ST_TYPE text, ST_SAVE path, W_TEXT regex source */
	bool elements;	/* ST_SAVE */
	long a, b;	/* ST_RESIZE cols rows, W_MS ms */
	regex_t re;	/* W_TEXT */
};

struct script {
	struct ev_loop *loop;
	const struct script_hooks *h;
	void *ctx;
	struct step *steps;
	size_t n, cap, pos;
	uint64_t wait_start; /* 0: the current wait has not begun */
	uint64_t timeout;
	unsigned long turns, turns_seen;
	struct ev_timer wake;
	bool done, failed;
};

static void
wake_up(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	(void)ctx; /* the loop iterates: on_prepare pumps */
}

static int
parse_wait(struct step *st, char *arg, const char *path)
{
	char *rest = arg + strcspn(arg, " ");

	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " ");
	st->kind = ST_WAIT;
	if (!strcmp(arg, "idle")) {
		st->wait = W_IDLE;
	} else if (!strcmp(arg, "turn-done")) {
		st->wait = W_TURN;
	} else if (!strcmp(arg, "approval")) {
		st->wait = W_APPROVAL;
	} else if (!strcmp(arg, "ms")) {
		char *end;
		st->wait = W_MS;
		st->a = strtol(rest, &end, 10);
		if (end == rest || *end || st->a < 0)
			return err_setc(DH_EPARSE, "%s:%d: :wait ms needs a number", path,
					st->line);
	} else if (!strcmp(arg, "text")) {
		st->wait = W_TEXT;
		if (!*rest || regcomp(&st->re, rest, REG_EXTENDED | REG_NOSUB) != 0)
			return err_setc(DH_EPARSE, "%s:%d: bad regex '%s'", path, st->line, rest);
		st->arg = xstrdup(rest);
	} else {
		return err_setc(DH_EPARSE, "%s:%d: unknown wait '%s'", path, st->line, arg);
	}
	return 0;
}

static int
parse_line(struct step *st, char *line, const char *path)
{
	if (line[0] != ':' || !line[1]) {
		st->kind = ST_KEY;
		if (keymap_parse_key(&st->key, line) < 0)
			return err_setc(DH_EPARSE, "%s:%d: bad key '%s'", path, st->line, line);
		return 0;
	}
	char *cmd = line + 1;
	char *arg = cmd + strcspn(cmd, " ");
	if (*arg)
		*arg++ = '\0';
	if (!strcmp(cmd, "type")) {
		st->kind = ST_TYPE;
		st->arg = xstrdup(arg);
		return 0;
	}
	arg += strspn(arg, " ");
	if (!strcmp(cmd, "wait"))
		return parse_wait(st, arg, path);
	if (!strcmp(cmd, "quit")) {
		st->kind = ST_QUIT;
		return 0;
	}
	if (!strcmp(cmd, "resize")) {
		st->kind = ST_RESIZE;
		if (sscanf(arg, "%ld %ld", &st->a, &st->b) != 2 || st->a < 1 || st->b < 1)
			return err_setc(DH_EPARSE, "%s:%d: usage: :resize COLS ROWS", path,
					st->line);
		return 0;
	}
	if (!strcmp(cmd, "save-screen")) {
		char *sp = arg + strcspn(arg, " ");
		st->kind = ST_SAVE;
		if (*sp) {
			*sp++ = '\0';
			sp += strspn(sp, " ");
			if (strcmp(sp, "elements"))
				return err_setc(DH_EPARSE, "%s:%d: :save-screen FILE [elements]",
						path, st->line);
			st->elements = true;
		}
		if (!*arg)
			return err_setc(DH_EPARSE, "%s:%d: :save-screen needs a FILE", path,
					st->line);
		st->arg = xstrdup(arg);
		return 0;
	}
	return err_setc(DH_EPARSE, "%s:%d: unknown command ':%s'", path, st->line, cmd);
}

int
script_open(struct script **out, const char *path, struct ev_loop *l,
	    const struct script_hooks *h, void *ctx)
{
	struct buf text = BUF_INIT;
	struct script *s;
	const char *to = getenv("DH_SCRIPT_TIMEOUT_MS");
	int lineno = 0;

	*out = NULL;
	if (fsutil_read_file(path, MAX_SCRIPT, &text) < 0)
		return err_set("script %s: %s", path, err_msg());
	s = xcalloc(1, sizeof *s);
	s->loop = l;
	s->h = h;
	s->ctx = ctx;
	s->timeout = to && *to ? strtoull(to, NULL, 10) : TIMEOUT_MS;
	ev_timer_init(&s->wake, wake_up, s);
	for (char *p = text.ptr ? text.ptr : (char *)""; *p;) {
		char *line = p;
		char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		lineno++;
		size_t len = strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
			       line[len - 1] == '\t'))
			line[--len] = '\0';
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		ARRAY_GROW(s->steps, s->n, s->cap, 1);
		struct step *st = &s->steps[s->n];
		memset(st, 0, sizeof *st);
		st->line = lineno;
		s->n++;
		if (parse_line(st, line, path) < 0) {
			buf_fini(&text);
			script_free(s);
			return DH_EPARSE;
		}
	}
	buf_fini(&text);
	*out = s;
	return 0;
}

void
script_event(struct script *s, const struct event *ev)
{
	if (s && (ev->type == EVENT_ASSISTANT_MESSAGE || ev->type == EVENT_SESSION_FINISHED))
		s->turns++;
}

static bool
screen_matches(const regex_t *re)
{
	struct buf row = BUF_INIT;
	bool hit = false;

	for (int y = 0; y < screen_dump_rows() && !hit; y++) {
		screen_dump_row(&row, y);
		hit = regexec(re, buf_cstr(&row), 0, NULL, 0) == 0;
	}
	buf_fini(&row);
	return hit;
}

static bool
wait_met(struct script *s, struct step *st, uint64_t now)
{
	switch (st->wait) {
	case W_IDLE: /* a reply slower than WAKE_MS leaves the loop idle too */
		return ev_is_idle(s->loop) && !(s->h->busy && s->h->busy(s->ctx));
	case W_TURN:
		if (s->turns == s->turns_seen)
			return false;
		s->turns_seen = s->turns;
		return true;
	case W_TEXT:
		return screen_matches(&st->re);
	case W_MS:
		return now - s->wait_start >= (uint64_t)st->a;
	case W_APPROVAL:
		return s->h->approval(s->ctx);
	}
	return false;
}

static void
type_text(struct script *s, const char *t)
{
	mbstate_t st = { 0 };
	size_t left = strlen(t);

	while (left) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, t, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = (unsigned char)*t; /* a stray byte: pass it as is */
			n = 1;
			memset(&st, 0, sizeof st);
		}
		s->h->key(s->ctx, (int)wc);
		t += n;
		left -= n;
	}
}

static void
fail_wait(struct script *s, const struct step *st)
{
	struct buf b = BUF_INIT;
	static const char *const names[] = { "idle", "turn-done", "text", "ms", "approval" };

	screen_dump(&b, false);
	fprintf(stderr, "script:%d: timed out waiting for %s%s%s\n%s", st->line, names[st->wait],
		st->arg ? " " : "", st->arg ? st->arg : "", buf_cstr(&b));
	buf_fini(&b);
	s->failed = s->done = true;
	s->h->quit(s->ctx);
}

static void
run_step(struct script *s, const struct step *st)
{
	switch (st->kind) {
	case ST_KEY:
		s->h->key(s->ctx, st->key);
		break;
	case ST_TYPE:
		type_text(s, st->arg);
		break;
	case ST_RESIZE:
		s->h->resize(s->ctx, (int)st->a, (int)st->b);
		break;
	case ST_SAVE:
		if (screen_dump_write(st->arg, st->elements) < 0)
			fprintf(stderr, "script:%d: save-screen %s: %s\n", st->line, st->arg,
				err_msg());
		break;
	case ST_QUIT:
		s->done = true;
		s->h->quit(s->ctx);
		break;
	case ST_WAIT:
		break;
	}
}

void
script_pump(struct script *s)
{
	uint64_t now = ev_now_ms();

	if (!s || s->done)
		return;
	if (s->pos >= s->n) {
		s->done = true;
		s->h->quit(s->ctx);
		return;
	}
	struct step *st = &s->steps[s->pos];
	if (st->kind == ST_WAIT) {
		if (!s->wait_start)
			s->wait_start = now;
		if (!wait_met(s, st, now)) {
			if (now - s->wait_start >= s->timeout) {
				fail_wait(s, st);
				return;
			}
			/* Events wake the loop; the timer bounds ms waits, idle
			 * checks and the timeout. */
			if (!ev_timer_is_armed(&s->wake))
				ev_timer_arm(s->loop, &s->wake,
					     st->wait == W_MS ? (uint64_t)st->a - (now - s->wait_start)
						: st->wait == W_IDLE ? WAKE_MS : 50);
			return;
		}
		s->wait_start = 0;
		s->pos++;
		ev_timer_arm(s->loop, &s->wake, 0);
		return;
	}
	if (!ev_is_idle(s->loop)) {
		if (!ev_timer_is_armed(&s->wake))
			ev_timer_arm(s->loop, &s->wake, WAKE_MS);
		return;
	}
	s->pos++;
	run_step(s, st);
	if (!s->done)
		ev_timer_arm(s->loop, &s->wake, 1);
}

size_t
script_pos(const struct script *s)
{
	return s ? s->pos : 0;
}

void
script_seek(struct script *s, size_t pos)
{
	if (s)
		s->pos = pos < s->n ? pos : s->n;
}

bool
script_failed(const struct script *s)
{
	return s && s->failed;
}

void
script_free(struct script *s)
{
	if (!s)
		return;
	ev_timer_disarm(s->loop, &s->wake);
	for (size_t i = 0; i < s->n; i++) {
		if (s->steps[i].kind == ST_WAIT && s->steps[i].wait == W_TEXT && s->steps[i].arg)
			regfree(&s->steps[i].re);
		free(s->steps[i].arg);
	}
	free(s->steps);
	free(s);
}

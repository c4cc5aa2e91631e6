/* SPDX-License-Identifier: MIT */
/*
 * The transcript pane: the conversation as the engine's events describe it
 * (user messages, streamed assistant text rendered as Markdown, tool calls
 * folded to one line, approvals, notes). The assistant's Markdown is laid
 * out by ui/markdown.c and kept per message for the width it was laid out
 * for; a streamed message re-renders alone (pane_invalidate_tail), once per
 * frame at most: deltas only mark it, the frame lays it out.
 */
#include "ui/pane.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/event.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "ui/ui.h"
#include "ui/markdown.h"

#define OUTPUT_CAP   (256 * 1024) /* bytes of tool output kept per call */
#define EXPAND_LINES 200	  /* lines of input/output shown when expanded */
#define LIVE_CAP     (16 * 1024)  /* bytes of a running call's live output kept */
#define LIVE_LINES   6		  /* its last lines shown under the call */
#define FOLD_HEAD    2		  /* a finished call with live output, folded: */
#define FOLD_TAIL    3		  /* its first and last lines */

enum item_kind { IT_USER, IT_ASSISTANT, IT_TOOL, IT_NOTE, IT_ERROR, IT_PROMPT, IT_THINKING };

struct item {
	enum item_kind kind;
	struct buf text;   /* message, note, or the prompt's detail */
	char *id, *name;   /* tool calls */
	char *summary;	   /* one line for the folded call */
	char *input;	   /* pretty JSON */
	struct buf output; /* capped */
	struct buf live;   /* tool_output while it runs: the latest LIVE_CAP bytes */
	char *output_file; /* the whole output, stored by the engine, or NULL */
	bool streamed;	   /* it had live output: folded to head and tail when done */
	bool done, is_error, expanded, open;
	bool interrupted; /* its engine stopped before it ended: no time */
	long ms;
	struct md_stream md; /* assistant text laid out */
	size_t line0;	     /* its first line in the pane */
	bool md_lines_are_rows; /* its pane lines are md.lines one for one */
};

struct transcript {
	struct item *items;
	size_t n, cap;
	int pin;     /* a prompt just arrived: show it from its top (item, or -1) */
	long pinned; /* the line the view was pinned at for the open prompt, or -1 */
	size_t shown;	  /* items[0..shown) have lines in the pane */
	size_t tail_item; /* the first item whose lines pane_invalidate_tail dropped */
};

/* Indented JSON (heap, ours). */
static char *
pretty(const cJSON *v)
{
	char *c = v ? cJSON_Print(v) : NULL;
	char *s = xstrdup(c ? c : "");

	cJSON_free(c);
	return s;
}

static struct item *
add_item(struct pane *p, enum item_kind k)
{
	struct transcript *t = p->priv;

	ARRAY_GROW(t->items, t->n, t->cap, 1);
	struct item *it = &t->items[t->n++];
	memset(it, 0, sizeof *it);
	it->kind = k;
	return it;
}

static void note(struct pane *p, enum item_kind k, const char *fmt, ...) DH_PRINTF(3, 4);

static void
note(struct pane *p, enum item_kind k, const char *fmt, ...)
{
	struct item *it = add_item(p, k);
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(&it->text, tmp);
}

static int
tr_init(struct pane *p)
{
	struct transcript *t = xcalloc(1, sizeof *t);

	t->pin = -1;
	t->pinned = -1;
	t->tail_item = SIZE_MAX;
	p->priv = t;
	return 0;
}

/* What an item owns (the slot itself is the array's). */
static void
item_fini(struct item *it)
{
	buf_fini(&it->text);
	buf_fini(&it->output);
	buf_fini(&it->live);
	free(it->output_file);
	free(it->id);
	free(it->name);
	free(it->summary);
	free(it->input);
	md_stream_fini(&it->md);
}

static void
tr_fini(struct pane *p)
{
	struct transcript *t = p->priv;

	for (size_t i = 0; t && i < t->n; i++)
		item_fini(&t->items[i]);
	if (t)
		free(t->items);
	free(t);
	p->priv = NULL;
}

/* One line for a tool call: the name and the input field that says most. */
static char *
summarize(const char *name, const cJSON *in)
{
	static const char *const keys[] = { "command", "path", "pattern", "source", "url" };
	const char *v = NULL;

	for (size_t i = 0; i < sizeof keys / sizeof *keys && !v; i++)
		v = json_str(in, keys[i]);
	if (strcmp(name, "move_file") == 0 && json_str(in, "destination"))
		return xasprintf("%s %s -> %s", name, v ? v : "?", json_str(in, "destination"));
	if (v) {
		size_t n = strcspn(v, "\n");
		return xasprintf("%s %.*s%s", name, (int)(n > 200 ? 200 : n), v,
				 v[n] || n > 200 ? " ..." : "");
	}
	return xstrdup(name);
}

static struct item *
find_tool(struct pane *p, const char *id)
{
	struct transcript *t = p->priv;

	for (size_t i = t->n; id && i-- > 0;)
		if (t->items[i].kind == IT_TOOL && t->items[i].id && !strcmp(t->items[i].id, id))
			return &t->items[i];
	return NULL;
}

/* The exact content or change a write/edit would make, as diff-ish lines. */
static void
prompt_detail(struct buf *b, const char *name, const cJSON *in)
{
	const char *path = json_str(in, "path");

	if (!strcmp(name, "write_file") && json_str(in, "content")) {
		buf_printf(b, "+++ %s (new content)\n", path ? path : "?");
		for (const char *s = json_str(in, "content"); *s;) {
			size_t n = strcspn(s, "\n");
			buf_printf(b, "+%.*s\n", (int)n, s);
			s += n + (s[n] == '\n');
		}
		return;
	}
	if (!strcmp(name, "edit_file") && json_str(in, "old_string")) {
		buf_printf(b, "--- %s\n+++ %s\n", path ? path : "?", path ? path : "?");
		const char *sides[2] = { json_str(in, "old_string"), json_str(in, "new_string") };
		for (int k = 0; k < 2; k++) {
			for (const char *s = sides[k] ? sides[k] : ""; *s;) {
				size_t n = strcspn(s, "\n");
				buf_printf(b, "%c%.*s\n", k ? '+' : '-', (int)n, s);
				s += n + (s[n] == '\n');
			}
		}
		return;
	}
	char *j = pretty(in);
	buf_puts(b, j);
	buf_putc(b, '\n');
	free(j);
}

/* Item `ix` changed and every item after it: drop their lines only; of a
 * streamed message, only those from its last block on. */
static void
tail_changed(struct pane *p, size_t ix)
{
	struct transcript *t = p->priv;
	struct item *it;

	if (ix >= t->shown)
		ix = t->shown;
	if (ix < t->tail_item)
		t->tail_item = ix;
	if (t->tail_item >= t->shown) {
		pane_invalidate_tail(p, p->nlines);
		return;
	}
	it = &t->items[t->tail_item];
	pane_invalidate_tail(p, it->line0 + (it->kind == IT_ASSISTANT && it->md_lines_are_rows
						     ? it->md.last_line
						     : 0));
}

static void
tr_event(struct pane *p, const struct event *ev)
{
	struct transcript *t = p->priv;
	struct item *last = t->n ? &t->items[t->n - 1] : NULL;
	struct item *it;

	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		note(p, IT_NOTE, "session %s", ev->session ? ev->session : "");
		/* A first run's likeliest surprise: the agent sees no files. */
		if (!ev->ngrants)
			note(p, IT_ERROR, "no folder is granted: the agent can neither read nor "
					  "change files. :grant DIR grants one (between tasks), "
					  "or start with deskhand --grant DIR");
		break;
	case EVENT_USER_MESSAGE:
		it = add_item(p, IT_USER);
		buf_puts(&it->text, ev->text ? ev->text : "");
		break;
	case EVENT_TEXT_DELTA:
		if (!last || last->kind != IT_ASSISTANT || !last->open) {
			last = add_item(p, IT_ASSISTANT);
			last->open = true;
		}
		buf_puts(&last->text, ev->text ? ev->text : "");
		/* Only this message's lines change; the frame lays it out. */
		tail_changed(p, t->n - 1);
		return;
	case EVENT_ASSISTANT_MESSAGE:
		if (last && last->kind == IT_ASSISTANT && last->open) {
			last->open = false;
		} else if (ev->text && *ev->text) {
			it = add_item(p, IT_ASSISTANT);
			buf_puts(&it->text, ev->text);
		}
		break;
	case EVENT_TOOL_CALL:
		if (last && last->kind == IT_ASSISTANT)
			last->open = false;
		it = add_item(p, IT_TOOL);
		it->id = xstrdup(ev->id ? ev->id : "");
		it->name = xstrdup(ev->name ? ev->name : "?");
		it->summary = summarize(it->name, ev->input);
		it->input = ev->input ? pretty(ev->input) : xstrdup("");
		break;
	case EVENT_TOOL_RESULT:
		if ((it = find_tool(p, ev->id))) {
			it->done = true;
			it->is_error = ev->is_error;
			it->interrupted = ev->interrupted;
			it->ms = ev->duration_ms;
			buf_add_capped(&it->output, ev->output ? ev->output : "",
				       ev->output ? strlen(ev->output) : 0, OUTPUT_CAP,
				       "\n[output truncated]");
			free(it->output_file);
			it->output_file = ev->output_file ? xstrdup(ev->output_file) : NULL;
			buf_fini(&it->live);
		}
		break;
	case EVENT_TOOL_OUTPUT:
		if (!(it = find_tool(p, ev->id)) || it->done || !ev->text)
			return;
		it->streamed = true;
		buf_puts(&it->live, ev->text);
		if (it->live.len > 2 * LIVE_CAP) { /* keep the latest, from a line start */
			const char *from = it->live.ptr + it->live.len - LIVE_CAP;
			const char *nl = strchr(from, '\n');

			buf_consume(&it->live, (size_t)((nl ? nl + 1 : from) - it->live.ptr));
		}
		/* Like a delta: only this call's lines (and those after) change. */
		tail_changed(p, (size_t)(it - t->items));
		return;
	case EVENT_APPROVAL_NEEDED:
		it = add_item(p, IT_PROMPT);
		if (ev->name && !strcmp(ev->name, "propose_plan")) {
			buf_puts(&it->text, "The agent proposes a plan (see the plan pane): "
					    "a approve, r reject with a comment");
		} else if (ev->name && !strcmp(ev->name, "network")) {
			buf_printf(&it->text, "Network access: %s\n", ev->text ? ev->text : "");
		} else {
			char *s = summarize(ev->name ? ev->name : "?", ev->input);
			buf_printf(&it->text, "Allow %s?  (y once, A always, n deny, d deny with "
					      "a message)\n", s);
			free(s);
			/* A permission rule that asks says so (agent/approval.h). */
			if (ev->text && !strncmp(ev->text, "asked by rule ", 14))
				buf_printf(&it->text, "%s\n", ev->text);
			/* The engine's diff against the file on disk, when it sent one. */
			if (ev->diff)
				buf_puts(&it->text, ev->diff);
			else
				prompt_detail(&it->text, ev->name ? ev->name : "", ev->input);
		}
		t->pin = (int)(t->n - 1);
		break;
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED:
		/* The view was held at the prompt: follow again, unless moved. */
		if (t->pinned >= 0 && p->cursor == t->pinned)
			p->follow = true;
		t->pinned = -1;
		t->pin = -1;
		note(p, ev->approved ? IT_NOTE : IT_ERROR, "%s %s",
		     ev->type == EVENT_PLAN_DECIDED ? "plan" : "call",
		     ev->approved ? "approved" : "denied");
		if (ev->text && *ev->text) {
			buf_puts(&t->items[t->n - 1].text, ": ");
			buf_puts(&t->items[t->n - 1].text, ev->text);
		}
		break;
	case EVENT_THINKING: /* folded to one line; Enter unfolds it */
		if (last && last->kind == IT_ASSISTANT)
			last->open = false;
		it = add_item(p, IT_THINKING);
		it->done = ev->redacted; /* nothing to unfold */
		buf_puts(&it->text, ev->text ? ev->text : "");
		break;
	case EVENT_COMPACTED:
		note(p, IT_NOTE,
		     "compacted: %ld earlier messages summarised (about %ld tokens, now %ld); the "
		     "transcript keeps them", ev->compacted_messages, ev->tokens_before,
		     ev->tokens_after);
		break;
	case EVENT_AUTHORIZATION_NEEDED:
		note(p, IT_ERROR, "%s", ev->text ? ev->text : "a connector needs authorization");
		break;
	case EVENT_RESOURCE_UPDATED:
		note(p, IT_NOTE, "connector %s: resource %s changed (the agent is told)",
		     ev->name ? ev->name : "?", ev->url ? ev->url : "?");
		break;
	case EVENT_ELICITATION_NEEDED: /* the form itself is ui_form.c's */
		it = add_item(p, IT_PROMPT);
		buf_printf(&it->text, "Connector %s asks for input%s: %s", ev->name ? ev->name : "?",
			   ev->url ? " (a page to open)" : "", ev->text ? ev->text : "");
		break;
	case EVENT_ELICITATION_DECIDED: {
		bool given = ev->status && !strcmp(ev->status, "accept");

		note(p, given ? IT_NOTE : IT_ERROR, "input %s",
		     given ? "given"
			   : ev->status && !strcmp(ev->status, "decline") ? "declined" : "cancelled");
		break;
	}
	case EVENT_CHECKPOINT:
		if (ev->files_changed > 0 && ev->tool_call) {
			note(p, IT_NOTE, "checkpoint %s: %ld file(s) changed",
			     ev->short_id ? ev->short_id : "?", ev->files_changed);
		}
		break;
	case EVENT_RETRY:
		/* The message starts again: the text streamed so far goes. */
		if (last && last->kind == IT_ASSISTANT && last->open) {
			item_fini(last);
			t->n--;
		}
		/* As the headless output says it. */
		note(p, IT_ERROR, "retrying in %.1f s (attempt %d): %s",
		     (double)ev->duration_ms / 1000.0, ev->attempt, ev->text ? ev->text : "");
		break;
	case EVENT_STATUS: /* the engine's carry no text; the workbench's notes do */
		if (!ev->text)
			return;
		note(p, IT_NOTE, "%s", ev->text);
		break;
	case EVENT_ERROR:
		note(p, IT_ERROR, "error: %s", ev->text ? ev->text : "");
		break;
	case EVENT_AUDIT:
		note(p, IT_ERROR, "refused: %s", ev->text ? ev->text : "");
		break;
	case EVENT_SESSION_FINISHED:
		if (last && last->kind == IT_ASSISTANT)
			last->open = false;
		note(p, ev->status && !strcmp(ev->status, "done") ? IT_NOTE : IT_ERROR, "task %s",
		     ev->status ? ev->status : "?");
		break;
	default:
		return;
	}
	pane_invalidate(p);
}

/* The assistant's Markdown (laid out again as far as its text or the width
 * changed). With `again`, the pane still holds its lines up to the end:
 * those that did not change stay. */
static void
render_markdown(struct pane *p, int ix, struct item *it, bool again)
{
	int cols = (p->cols > 0 ? p->cols : 80) - 2;
	size_t kept = again && it->md_lines_are_rows ? p->nlines - it->line0 : 0;
	size_t from = md_stream_update(&it->md, buf_cstr(&it->text), it->text.len, cols);

	if (from < kept)
		kept = from;
	pane_truncate_lines(p, it->line0 + kept);
	for (size_t i = kept; i < it->md.lines.n; i++)
		pane_add_line(p, it->md.lines.v[i].elem, ix, 2, "  ", it->md.lines.v[i].text);
	it->md_lines_are_rows = p->nlines - it->line0 == it->md.lines.n;
}

static void
add_capped_text(struct pane *p, enum ui_elem e, int item, const char *text)
{
	int lines = 0;

	for (const char *s = text; *s && lines < EXPAND_LINES; lines++) {
		size_t n = strcspn(s, "\n");
		char *l = xstrndup(s, n);

		pane_add_text(p, e, item, 6, "      ", l);
		free(l);
		s += n + (s[n] == '\n');
		if (lines + 1 == EXPAND_LINES && *s)
			pane_add_line(p, UI_DIM, item, 6, "      ", "[more lines not shown]");
	}
}

/* The first `head` and the last `tail` lines of text, under a tool call,
 * with a line counting those in between (and `hint`) when some are left
 * out. */
static void
add_lines(struct pane *p, int item, const char *text, int head, int tail, const char *hint)
{
	const char *bar = draw_mark("    │ ", "    | ");
	size_t len = strlen(text);
	int n = 0;

	while (len && text[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	n += len > 0;
	const char *s = text, *end = text + len;
	for (int k = 0; k < n && s < end; k++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t m = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (k == head && n > head + tail + 1) {
			char more[96];

			/* Drawn as it is (pane_add_line): the marks in the
			 * locale's terms. */
			snprintf(more, sizeof more, "%s %d more line%s%s%s", draw_mark("…", "..."),
				 n - head - tail, n - head - tail == 1 ? "" : "s",
				 hint ? draw_mark(" · ", " - ") : "", hint ? hint : "");
			pane_add_line(p, UI_DIM, item, 6, bar, more);
			k = n - tail - 1; /* skip to the tail */
			for (int skip = n - tail - head; skip > 0 && s < end; skip--) {
				const char *q = memchr(s, '\n', (size_t)(end - s));
				s = q ? q + 1 : end;
			}
			continue;
		}
		char *l = xstrndup(s, m);

		pane_add_text(p, UI_TOOL_OUTPUT, item, 6, bar, l);
		free(l);
		s += m + (nl != NULL);
	}
}


/* Add the lines of items[from..]. With `again`, the pane holds items[from]'s
 * lines up to some point (pane_invalidate_tail): it goes on from there. */
static void
add_items(struct pane *p, size_t from, bool again)
{
	struct transcript *t = p->priv;

	again = again && from < t->shown;
	for (size_t i = from; i < t->n; i++) {
		struct item *it = &t->items[i];
		int ix = (int)i;
		bool cont = again && i == from;

		if (cont && it->kind != IT_ASSISTANT)
			pane_truncate_lines(p, it->line0);
		else if (!cont)
			it->line0 = p->nlines;
		switch (it->kind) {
		case IT_USER:
			pane_add_text(p, UI_USER, ix, 4, draw_mark("❯ ", "> "), buf_cstr(&it->text));
			break;
		case IT_ASSISTANT:
			render_markdown(p, ix, it, cont);
			break;
		case IT_TOOL: {
			struct buf l = BUF_INIT;
			const char *mark = !it->done	  ? draw_mark("…", "...")
					   : it->is_error ? draw_mark("✗", "x")
							  : draw_mark("✓", "ok");
			buf_printf(&l, "%s %s  [%s", it->expanded ? draw_mark("▾", "-") : draw_mark("▸", "+"),
				   it->summary, mark);
			if (it->done && it->interrupted)
				buf_puts(&l, " interrupted");
			else if (it->done)
				buf_printf(&l, " %ld ms", it->ms);
			buf_puts(&l, "]");
			pane_add_text(p, it->is_error ? UI_ERROR : UI_TOOL_CALL, ix, 4, "  ",
				      buf_cstr(&l));
			buf_fini(&l);
			if (!it->done && it->live.len)
				add_lines(p, ix, buf_cstr(&it->live), 0, LIVE_LINES, NULL);
			else if (it->done && it->streamed && !it->expanded)
				add_lines(p, ix, buf_cstr(&it->output), FOLD_HEAD, FOLD_TAIL,
					  it->output_file ? "Enter: the whole output" : "Enter: unfold");
			if (it->expanded) {
				pane_add_line(p, UI_DIM, ix, 4, "    ", "input:");
				add_capped_text(p, UI_TOOL_OUTPUT, ix, it->input);
				pane_add_line(p, UI_DIM, ix, 4, "    ", "output:");
				add_capped_text(p, UI_TOOL_OUTPUT, ix, buf_cstr(&it->output));
			}
			break;
		}
		case IT_PROMPT: {
			const char *s = buf_cstr(&it->text);
			size_t n = strcspn(s, "\n");
			char *first = xstrndup(s, n);

			/* A new prompt is shown from its top (the question and as much
			 * of the diff as fits), not scrolled to its last line. */
			bool pin = t->pin == ix && p->follow;

			if (pin) {
				p->follow = false;
				p->cursor = t->pinned = (long)p->nlines;
			}
			if (t->pin == ix)
				t->pin = -1;
			pane_add_text(p, UI_PROMPT, ix, 4, "? ", first);
			free(first);
			for (s += n + (s[n] == '\n'); *s;) {
				n = strcspn(s, "\n");
				char *l = xstrndup(s, n);
				enum ui_elem e = l[0] == '+' && strncmp(l, "+++", 3) ? UI_DIFF_ADD
						 : l[0] == '-' && strncmp(l, "---", 3) ? UI_DIFF_DEL
						 : !strncmp(l, "+++", 3) || !strncmp(l, "---", 3) ||
								 !strncmp(l, "rename ", 7)
							 ? UI_DIFF_FILE
						 : !strncmp(l, "@@", 2) ? UI_DIFF_HUNK
						 : l[0] == ' '		 ? UI_NORMAL
									 : UI_TOOL_OUTPUT;
				pane_add_text(p, e, ix, 4, "    ", l);
				free(l);
				s += n + (s[n] == '\n');
			}
			if (pin) { /* its top at the top, unless it all fits below */
				long end = (long)p->nlines - pane_body_rows(p);

				p->top = end < p->cursor ? (end > 0 ? end : 0) : p->cursor;
			}
			break;
		}
		case IT_NOTE:
			pane_add_text(p, UI_DIM, ix, 4, "  ", buf_cstr(&it->text));
			break;
		case IT_ERROR:
			pane_add_text(p, UI_ERROR, ix, 4, "  ", buf_cstr(&it->text));
			break;
		case IT_THINKING: {
			struct buf l = BUF_INIT;

			if (it->done)
				buf_puts(&l, "thinking (redacted)");
			else
				buf_printf(&l, "%s thinking (%zu chars)",
					   it->expanded ? draw_mark("▾", "-") : draw_mark("▸", "+"),
					   it->text.len);
			pane_add_text(p, UI_DIM, ix, 4, "  ", buf_cstr(&l));
			buf_fini(&l);
			if (it->expanded)
				add_capped_text(p, UI_DIM, ix, buf_cstr(&it->text));
			break;
		}
		}
	}
	t->shown = t->n;
	t->tail_item = SIZE_MAX;
}

static void
tr_rebuild(struct pane *p)
{
	add_items(p, 0, false);
}

static void
tr_rebuild_tail(struct pane *p)
{
	add_items(p, ((struct transcript *)p->priv)->tail_item, true);
}

static enum pane_result
tr_action(struct pane *p, enum action a)
{
	struct transcript *t = p->priv;

	if (a != ACTION_EXPAND)
		return pane_move(p, a);
	long c = p->cursor < 0 || p->follow ? (long)p->nlines - 1 : p->cursor;
	int item = c >= 0 && c < (long)p->nlines ? p->lines[c].item : -1;
	/* In follow mode, the newest tool call. */
	if (p->follow) {
		item = -1;
		for (size_t i = t->n; i-- > 0 && item < 0;)
			if (t->items[i].kind == IT_TOOL)
				item = (int)i;
	}
	if (item >= 0 && t->items[item].kind == IT_THINKING && !t->items[item].done) {
		t->items[item].expanded = !t->items[item].expanded;
		pane_invalidate(p);
		return PANE_HANDLED | PANE_REDRAW;
	}
	if (item < 0 || t->items[item].kind != IT_TOOL)
		return PANE_HANDLED;
	if (t->items[item].done && t->items[item].output_file) {
		char *title = xasprintf("output of %s", t->items[item].summary);

		ui_page_file(p->ui, t->items[item].output_file, title);
		free(title);
		return PANE_HANDLED | PANE_REDRAW;
	}
	t->items[item].expanded = !t->items[item].expanded;
	pane_invalidate(p);
	return PANE_HANDLED | PANE_REDRAW;
}

/* The transcript as Markdown (for :save). */
static void
tr_save(struct pane *p, struct buf *out)
{
	struct transcript *t = p->priv;

	buf_puts(out, "# deskhand transcript\n\n");
	for (size_t i = 0; i < t->n; i++) {
		struct item *it = &t->items[i];

		switch (it->kind) {
		case IT_USER:
			buf_printf(out, "**You:** %s\n\n", buf_cstr(&it->text));
			break;
		case IT_ASSISTANT:
			buf_printf(out, "%s\n\n", buf_cstr(&it->text));
			break;
		case IT_TOOL:
			buf_printf(out, "- tool `%s`%s\n\n  ```\n  %s\n  ```\n\n", it->summary,
				   it->is_error ? " (error)" : "", buf_cstr(&it->output));
			break;
		case IT_PROMPT:
		case IT_NOTE:
		case IT_ERROR:
			buf_printf(out, "> %s\n\n", buf_cstr(&it->text));
			break;
		case IT_THINKING:
			buf_printf(out, "<details><summary>thinking</summary>\n\n%s\n\n</details>\n\n",
				   it->done ? "(redacted)" : buf_cstr(&it->text));
			break;
		}
	}
}

const struct pane_ops pane_transcript_ops = {
	.name = "transcript",
	.flags = PANE_F_FOCUSABLE | PANE_F_FOLLOW,
	.ctx = KEYMAP_TRANSCRIPT,
	.init = tr_init,
	.fini = tr_fini,
	.rebuild = tr_rebuild,
	.rebuild_tail = tr_rebuild_tail,
	.action = tr_action,
	.on_event = tr_event,
	.save = tr_save,
};

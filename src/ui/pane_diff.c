/* SPDX-License-Identifier: MIT */
/*
 * The diff pane: the review (core/review_model.h) of every grant — files
 * changed since the accepted mark, then the diff of the selected file — and
 * the review commands. The engine computes it: the pane asks with a
 * review_get command (the checkpoint list: log) and shows the reply.
 *
 * One selection: the highlighted row decides everything. On a file row
 * (the file list has focus) that file is the one shown below and the one
 * s/x act on, whole; in the diff body (the diff has focus) s/x act on the
 * hunk under the cursor of the file shown. The title says which has focus.
 * u/C-r walk back and forth through the person's own review actions in
 * this workbench, then the agent's steps (the engine's undo/redo).
 */
#include "ui/pane.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/event.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/review_model.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "ui/ui.h"
#include "ui/ui_int.h"

#define FILE_ITEM    1000000 /* line item of file-list line i: FILE_ITEM + i */
#define INFO_ITEM    0	     /* a body line that is no hunk's (the file's header) */
#define SPLIT_COLS   60	     /* narrowest pane that shows side by side */
#define HL_MAX_BYTES 500     /* longer lines get no intra-line highlight */
#define FILE_ROW_MIN 12	     /* fewest columns a file row elides a path into (else wraps) */

/* Reads only: what the review commands change goes through the engine
 * (accept, reject, undo, restore) and comes back as a "review" event, after
 * which the pane reloads. Request tags (ui_send) start with the pane's name:
 * ui.c hands their replies to this pane only. */
#define TAG_GET	   "diff-get" /* review_get */
#define TAG_LOG	   "diff-log" /* log: the checkpoint list (U) */
#define TAG_REVIEW "diff-rv"  /* accept, reject, restore asked with a key */
#define TAG_WALK   "diff-un"  /* u / C-r: their restores, the engine's undo/redo */

/* One line of the checkpoint list. */
struct ckpt {
	char *grant; /* the grant's path */
	char short_id[13];
	char *label;
	long long time;	 /* seconds since the epoch */
	size_t nchanges;
	size_t order;	 /* its place in the log reply: breaks ties of time */
};

/*
 * A review action done here that u takes back: each grant's folder went from
 * checkpoint before[g] to after[g] (restore goes either way); for an accept
 * (`mark`), its accepted mark did (restore "accepted:ID" moves it). `engine`: an
 * agent step the engine's undo took back; C-r asks the engine's redo.
 */
struct act {
	bool engine;
	bool mark;	/* an accept: before/after are accepted marks, not heads */
	char *what;	/* "rejected notes/a.md", for the messages */
	char *path;	/* the one file it was about, or NULL: u/C-r show it again */
	char **before;	/* per grant: full checkpoint ids ("" unknown) */
	char **after;
	size_t ngrants;
};

/* A review command, kept to ask about it first or to force it after a
 * conflict. */
struct req {
	enum command_type type;
	size_t grant;
	char *path; /* grant-relative file; restore: the checkpoint spec; NULL: all */
	int hunk;
	bool force;
	char *what; /* what it does, past tense: "rejected notes/a.md" */
	char seen[17]; /* review_model_digest() of the file or hunk shown, or "" */
	char *heads;   /* reject-all asked: heads_key() then; NULL otherwise */
};

struct diff {
	struct review **rv; /* per grant (NULL: nothing) */
	char **paths;	    /* per grant: its path, as the review_get reply named it */
	size_t ngrants;
	size_t sel;	    /* the file shown, flat index over grants */
	char *sel_path;	    /* its path, to find it again after a reload */
	bool loading, reload;
	bool loaded;	    /* a review_get reply came */
	bool ignore_ws;	    /* w: whitespace-only changes shown as context */
	bool split;	    /* v: side by side (when the pane is wide enough) */
	bool ckpt_mode;	    /* U: the pane lists checkpoints instead */
	struct ckpt *ckpts; /* newest first */
	size_t nckpts;

	struct req ask;	    /* the action a y/n question is about */
	struct req last;    /* the action sent (TAG_REVIEW), for f after a conflict */
	struct act *fresh;  /* its heads before; after at the next reload */
	unsigned long fresh_need; /* the review_get whose reply has them (0: not yet) */
	unsigned long nsent, ngot; /* review_get requests sent, replies read */
	char *conflict_dir; /* the last conflict's versions, NULL: none */
	char *conflict;	    /* its message, shown wrapped above the diff */

	struct act **undo;  /* done here, newest last */
	size_t nundo, capundo;
	struct act **redo;  /* taken back by u, newest last */
	size_t nredo, capredo;
	struct act *walking; /* the act u or C-r is applying, */
	bool walk_redo;	     /* which way, */
	size_t walk_left;    /* replies still to come, */
	bool walk_ok;	     /* all fine so far */
	bool walk_force;     /* overwrite the person's edits (f after a conflict) */
	bool retry_walk;     /* f retries u (or C-r: retry_redo), not `last` */
	bool retry_redo;
	bool dropped;	     /* a key was refused while one was on its way */
};

static void
free_ckpts(struct ckpt *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].label);
		free(v[i].grant);
	}
	free(v);
}

static void
act_free(struct act *a)
{
	for (size_t g = 0; a && g < a->ngrants; g++) {
		if (a->before)
			free(a->before[g]);
		if (a->after)
			free(a->after[g]);
	}
	if (a) {
		free(a->before);
		free(a->after);
		free(a->what);
		free(a->path);
	}
	free(a);
}

static void
acts_clear(struct act **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		act_free(v[i]);
	*n = 0;
}

static void
req_fini(struct req *r)
{
	free(r->path);
	free(r->what);
	free(r->heads);
	memset(r, 0, sizeof *r);
}

static void
req_copy(struct req *dst, const struct req *src)
{
	req_fini(dst);
	*dst = *src;
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->what = src->what ? xstrdup(src->what) : NULL;
	dst->heads = src->heads ? xstrdup(src->heads) : NULL;
}

/* The flat file index → (grant, file). */
static struct review_file *
file_at(struct diff *d, size_t idx, size_t *grant)
{
	for (size_t g = 0; g < d->ngrants; g++) {
		size_t n = d->rv[g] ? d->rv[g]->nfiles : 0;

		if (idx < n) {
			if (grant)
				*grant = g;
			return &d->rv[g]->files[idx];
		}
		idx -= n;
	}
	return NULL;
}

static size_t
nfiles(struct diff *d)
{
	size_t n = 0;

	for (size_t g = 0; g < d->ngrants; g++)
		n += d->rv[g] ? d->rv[g]->nfiles : 0;
	return n;
}

static void
free_reviews(struct review **rv, char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (rv)
			review_model_free(rv[i]);
		if (paths)
			free(paths[i]);
	}
	free(rv);
	free(paths);
}

static const char *
grant_path(const struct diff *d, size_t g)
{
	return g < d->ngrants ? d->paths[g] : NULL;
}

/* Each grant's head checkpoint (`mark`: accepted mark) as the last
 * review_get named it. */
static char **
heads(const struct diff *d, bool mark)
{
	char **v = xcalloc(d->ngrants + 1, sizeof *v);

	for (size_t g = 0; g < d->ngrants; g++)
		v[g] = xstrdup(!d->rv[g] ? "" : mark ? d->rv[g]->accepted_id : d->rv[g]->head_id);
	return v;
}

/* Every grant's head, as one string: a new agent step changes it. Heap. */
static char *
heads_key(const struct diff *d)
{
	char **v = heads(d, false);
	struct buf b = BUF_INIT;

	for (size_t g = 0; g < d->ngrants; g++) {
		buf_printf(&b, "%s\n", v[g]);
		free(v[g]);
	}
	free(v);
	return buf_detach(&b);
}

static void
post_load(struct pane *p)
{
	struct diff *d = p->priv;
	struct command c = { .type = COMMAND_REVIEW_GET };

	if (!ui_state(p->ui)->session)
		return; /* no task yet: nothing to review */
	if (d->loading) {
		d->reload = true;
		return;
	}
	if (ui_send(p->ui, &c, TAG_GET) < 0)
		return;
	d->nsent++;
	d->loading = true;
	ui_busy(p->ui, 1);
}

static void
post_log(struct pane *p)
{
	struct command c = { .type = COMMAND_LOG };

	if (!ui_state(p->ui)->session) {
		ui_message(p->ui, true, "no checkpoints yet: the session starts with a task");
		return;
	}
	if (ui_send(p->ui, &c, TAG_LOG) == 0)
		ui_busy(p->ui, 1);
}

/* The review_get reply: {"head":…, "grants":[{"path":P,"files":[…]}]}. */
static int
decode_review(const cJSON *data, struct review ***rv_out, char ***paths_out, size_t *n_out)
{
	const cJSON *grants = json_arr(data, "grants"), *g;
	size_t n = cJSON_IsArray(grants) ? (size_t)cJSON_GetArraySize(grants) : 0, i = 0;
	struct review **rv = xcalloc(n + 1, sizeof *rv);
	char **paths = xcalloc(n + 1, sizeof *paths);

	cJSON_ArrayForEach(g, grants)
	{
		const char *path = json_str(g, "path");

		paths[i] = xstrdup(path ? path : "?");
		/* A grant with nothing to review may come without "files". */
		if (json_arr(g, "files") && review_model_from_json(g, &rv[i]) < 0) {
			free_reviews(rv, paths, n);
			return DH_EPARSE;
		}
		i++;
	}
	*rv_out = rv;
	*paths_out = paths;
	*n_out = n;
	return 0;
}

/*
 * The selection
 */

/* The item of the cursor's line, -1 when none. */
static int
cursor_item(const struct pane *p)
{
	long c = p->cursor;

	return c >= 0 && c < (long)p->nlines ? p->lines[c].item : -1;
}

/* The file list has focus: the cursor is on a file row (or nowhere). */
static bool
in_list(const struct pane *p)
{
	return p->cursor < 0 || cursor_item(p) >= FILE_ITEM;
}

/* The first line showing `item`, -1 when none. */
static long
line_of(const struct pane *p, int item)
{
	for (size_t i = 0; i < p->nlines; i++)
		if (p->lines[i].item == item)
			return (long)i;
	return -1;
}

/* The first line of the diff body (the shown file's header), -1: none. */
static long
body_start(const struct pane *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		if (p->lines[i].item >= 0 && p->lines[i].item < FILE_ITEM)
			return (long)i;
	return -1;
}

static void
set_sel(struct diff *d, size_t idx)
{
	struct review_file *f = file_at(d, idx, NULL);

	d->sel = idx;
	free(d->sel_path);
	d->sel_path = f ? xstrdup(f->path) : NULL;
}

/* Cursor to line i, a hunk's header, the hunk in view as far as it fits:
 * the header at the top when the hunk's end would be below the view (the
 * cursor alone kept in view would leave the lines s/x act on unseen). */
static void
cursor_to_hunk(struct pane *p, long i)
{
	long end = i + 1, body = pane_body_rows(p);

	while (end < (long)p->nlines && !p->lines[end].anchor)
		end++;
	pane_set_cursor(p, i);
	if (body > 0 && end - 1 >= p->top + body)
		p->top = i;
}

/* Show file `idx` (its diff below the list) and put the cursor on its row
 * (`body` false) or on its first hunk (else its header). */
static void
show_file(struct pane *p, size_t idx, bool body)
{
	struct diff *d = p->priv;
	long at = -1;

	set_sel(d, idx);
	pane_invalidate(p);
	if (d->ckpt_mode)
		return; /* the checkpoint list keeps its own cursor */
	pane_refresh_lines(p);
	if (body) {
		long b = body_start(p);

		for (long i = b; i >= 0 && i < (long)p->nlines; i++) {
			if (p->lines[i].anchor) {
				p->follow = false;
				cursor_to_hunk(p, i);
				return;
			}
		}
		at = b;
	}
	if (at < 0)
		at = line_of(p, FILE_ITEM + (int)idx);
	p->follow = false;
	pane_set_cursor(p, at >= 0 ? at : 0);
}

/* Tell the status line how many files wait (ui_review_pending). */
static void
report_pending(struct pane *p)
{
	struct diff *d = p->priv;

	ui_review_pending(p->ui, d->loaded ? (long)nfiles(d) : -1);
}

/* An action done here changed the folder: its heads after, from the
 * review just loaded; kept for u when anything moved. */
static void
fresh_done(struct diff *d)
{
	struct act *a = d->fresh;
	bool moved = false;

	d->fresh = NULL;
	d->fresh_need = 0;
	if (!a)
		return;
	if (a->ngrants != d->ngrants) {
		act_free(a); /* the grants changed meanwhile: no way back */
		return;
	}
	a->after = heads(d, a->mark);
	for (size_t g = 0; g < a->ngrants && g < d->ngrants; g++)
		moved |= strcmp(a->before[g], a->after[g]) != 0;
	if (!moved) {
		act_free(a);
		return;
	}
	acts_clear(d->redo, &d->nredo);
	ARRAY_GROW(d->undo, d->nundo, d->capundo, 1);
	d->undo[d->nundo++] = a;
}

static void
on_review_reply(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;
	struct review **rv = NULL;
	char **paths = NULL;
	size_t n = 0;
	bool list = in_list(p);
	long off = p->cursor - body_start(p); /* where in the diff it was */
	long top = p->top - body_start(p);    /* and what of it was in view */

	d->loading = false;
	d->ngot++;
	ui_busy(p->ui, -1);
	if ((ev->type == EVENT_ERROR || !ev->approved) && d->fresh_need &&
	    d->ngot >= d->fresh_need) {
		/* The review after our action did not come: its undo record
		 * cannot be made; the next action must not wait for it. */
		act_free(d->fresh);
		d->fresh = NULL;
		d->fresh_need = 0;
	}
	if (ev->type == EVENT_ERROR || !ev->approved)
		ui_message(p->ui, true, "review: %s", ev->text ? ev->text : "failed");
	else if (decode_review(ev->data, &rv, &paths, &n) < 0)
		ui_message(p->ui, true, "review: %s", err_msg());
	else {
		size_t old = d->sel, nf;

		free_reviews(d->rv, d->paths, d->ngrants);
		d->rv = rv;
		d->paths = paths;
		d->ngrants = n;
		d->loaded = true;
		nf = nfiles(d);
		/* The same file when it is still pending, else the one now in
		 * its place. */
		bool same = false;

		d->sel = old < nf ? old : nf ? nf - 1 : 0;
		for (size_t i = 0; d->sel_path && i < nf && !same; i++)
			if (!strcmp(file_at(d, i, NULL)->path, d->sel_path)) {
				d->sel = i;
				same = true;
			}
		if (d->ckpt_mode) {
			set_sel(d, d->sel);
			pane_invalidate(p);
		} else {
			/* In the diff of the same file the cursor stays where
			 * it was (hunks renumber after one is taken). */
			show_file(p, d->sel, !list && same);
			long b = body_start(p);
			if (!list && same && b >= 0 && off > 0 && b + off < (long)p->nlines) {
				/* The view stays too: the cursor alone kept in
				 * view would scroll its hunk to the pane's
				 * bottom on every reload the engine asks for. */
				if (top >= 0)
					p->top = b + top;
				pane_set_cursor(p, b + off);
			}
		}
		/* Only a review asked after the action's answer shows its
		 * outcome (replies come in order). */
		if (d->fresh_need && d->ngot >= d->fresh_need)
			fresh_done(d);
		report_pending(p);
	}
	if (d->reload) {
		d->reload = false;
		post_load(p);
	}
}

/* Newest first, whichever grant it is of; in one second, the reply's order
 * (each grant's newest first). */
static int
ckpt_cmp(const void *a, const void *b)
{
	const struct ckpt *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The log reply: {"grants":[{"path":P,"checkpoints":[{short_id, label,
 * time, files_changed…}, …oldest first]}]}; listed newest first across the
 * grants (the reply groups them by grant). */
static void
on_log_reply(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;
	struct ckpt *v = NULL;
	size_t n = 0, cap = 0;
	const cJSON *g;

	ui_busy(p->ui, -1);
	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(p->ui, true, "checkpoints: %s", ev->text ? ev->text : "failed");
		return;
	}
	cJSON_ArrayForEach(g, json_arr(ev->data, "grants"))
	{
		const cJSON *cks = json_arr(g, "checkpoints");
		const char *path = json_str(g, "path");

		for (int i = cJSON_GetArraySize(cks); i-- > 0;) {
			const cJSON *ck = cJSON_GetArrayItem(cks, i);
			const char *sid = json_str(ck, "short_id"), *label = json_str(ck, "label");

			ARRAY_GROW(v, n, cap, 1);
			struct ckpt *c = &v[n++];
			memset(c, 0, sizeof *c);
			c->grant = xstrdup(path ? path : "");
			snprintf(c->short_id, sizeof c->short_id, "%s", sid ? sid : "?");
			c->label = xstrdup(label ? label : "");
			c->time = json_int(ck, "time", 0);
			c->nchanges = (size_t)json_int(ck, "files_changed", json_int(ck, "nchanges", 0));
			c->order = n - 1;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof *v, ckpt_cmp);
	/* The list again (a new checkpoint came): the cursor stays on the
	 * checkpoint it was on. */
	long keep = -1, item = d->ckpt_mode ? cursor_item(p) : -1;

	for (size_t i = 0; item >= 0 && (size_t)item < d->nckpts && i < n; i++)
		if (!strcmp(v[i].short_id, d->ckpts[item].short_id) &&
		    !strcmp(v[i].grant, d->ckpts[item].grant))
			keep = (long)i;
	free_ckpts(d->ckpts, d->nckpts);
	d->ckpts = v;
	d->nckpts = n;
	d->ckpt_mode = true;
	pane_invalidate(p);
	p->cursor = -1;
	p->follow = false;
	pane_refresh_lines(p);
	long at = keep >= 0 ? line_of(p, (int)keep) : -1;
	pane_set_cursor(p, at >= 0 ? at : p->nlines > 1 ? 1 : 0);
}

/*
 * Review commands
 */

/* Send `r` (agent/event.h) tagged `tag`; its "review" event comes back
 * through diff_event. */
static int
send_req(struct pane *p, const struct req *r, const char *tag)
{
	struct diff *d = p->priv;
	struct buf abs = BUF_INIT;
	struct command c = { .type = r->type, .hunk = r->hunk, .force = r->force,
			     .seen = r->seen[0] ? (char *)r->seen : NULL };
	int rc;

	if (r->path && r->type != COMMAND_RESTORE) {
		const char *root = grant_path(d, r->grant);

		buf_printf(&abs, "%s/%s", root ? root : ".", r->path);
		c.path = abs.ptr;
	} else {
		c.path = r->path;
	}
	rc = ui_send(p->ui, &c, tag);
	if (rc == 0)
		ui_busy(p->ui, 1);
	buf_fini(&abs);
	return rc;
}

/* An action or an undo/redo is on its way: the next waits for its answer
 * (a hunk number of the old review would name another hunk, and its undo
 * record would be lost). True with a message. */
static bool
in_flight(struct pane *p)
{
	struct diff *d = p->priv;

	if (!d->fresh && !d->walking)
		return false;
	d->dropped = true;
	ui_message(p->ui, true, "still %s: wait for it",
		   d->walking ? (d->walk_redo ? "redoing" : "undoing") : "working");
	return true;
}

/* A review action asked with a key: sent, remembered for f after a
 * conflict, its heads (an accept: marks) noted for u. */
static void
act_now(struct pane *p, const struct req *r)
{
	struct diff *d = p->priv;

	if (in_flight(p) || send_req(p, r, TAG_REVIEW) < 0)
		return;
	if (r != &d->last)
		req_copy(&d->last, r);
	act_free(d->fresh);
	d->fresh = xcalloc(1, sizeof *d->fresh);
	d->fresh_need = 0;
	d->fresh->mark = r->type == COMMAND_ACCEPT;
	d->fresh->ngrants = d->ngrants;
	d->fresh->before = heads(d, d->fresh->mark);
	d->fresh->what = xstrdup(r->what ? r->what : "");
	d->fresh->path = r->path && r->type != COMMAND_RESTORE ? xstrdup(r->path) : NULL;
}

/* The answer to an action came and says so on the message line: a key
 * refused meanwhile ("still working") must not go unsaid under it. */
static void
say_dropped(struct pane *p)
{
	struct diff *d = p->priv;

	if (d->dropped)
		ui_message(p->ui, true, "a key pressed meanwhile did nothing · %s",
			   buf_cstr(&p->ui->msg));
	d->dropped = false;
}

static void act_on_all(struct pane *p, bool accept);

static void
on_confirm(struct ui *u, int key, void *ctx)
{
	struct pane *p = ctx;
	struct diff *d = p->priv;
	char *now = d->ask.heads ? heads_key(d) : NULL;
	bool moved = now && strcmp(now, d->ask.heads) != 0;

	(void)u;
	free(now);
	if (key == 'y' && moved && d->ask.type == COMMAND_RESTORE) {
		/* Going back to a checkpoint would take the newer steps back
		 * too, unseen: the list shows them now (diff_event). */
		req_fini(&d->ask);
		ui_message(p->ui, true, "new checkpoints came since you were asked: nothing restored");
		return;
	}
	if (key == 'y' && moved) {
		/* "Reject all 1 pending file?" would take a newer step too,
		 * unseen: ask again with what is pending now. */
		req_fini(&d->ask);
		ui_message(p->ui, true, "new changes came since you were asked");
		act_on_all(p, false);
		return;
	}
	if (key == 'y')
		act_now(p, &d->ask);
	else
		ui_message(p->ui, false, "nothing done");
	req_fini(&d->ask);
}

/* Ask `question` y/n first, then do `r` (taken over). */
static void
confirm(struct pane *p, struct req *r, const char *question)
{
	struct diff *d = p->priv;

	req_fini(&d->ask);
	d->ask = *r;
	memset(r, 0, sizeof *r);
	ui_ask(p->ui, question, "yn", 0, on_confirm, p);
}

static void walk(struct pane *p, bool redo);
static void clear_conflict(struct pane *p);

static void
on_conflict_key(struct ui *u, int key, void *ctx)
{
	struct pane *p = ctx;
	struct diff *d = p->priv;

	if (key == 'f' && d->retry_walk) {
		d->walk_force = true;
		walk(p, d->retry_redo);
		d->walk_force = false;
	} else if (key == 'f') {
		d->last.force = true;
		act_now(p, &d->last);
	} else if (key == 'o' && d->conflict_dir) {
		/* The directory holds base/, agent/ and current/, each with the
		 * file at its path: the editor's file browser shows all three. */
		ui_edit_file(u, d->conflict_dir, NULL, NULL);
	}
}

/* A review command met a person's edit: keep what the engine said, to
 * show it in full above the diff (the status line would cut it). */
static void
set_conflict(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;

	free(d->conflict_dir);
	free(d->conflict);
	d->conflict_dir = ev->output ? xstrdup(ev->output) : NULL;
	d->conflict = xstrdup(ev->text ? ev->text : "conflict");
}

/* Show the conflict and offer to force the action or to look at the
 * versions. */
static void
ask_conflict(struct pane *p)
{
	struct diff *d = p->priv;

	act_free(d->fresh);
	d->fresh = NULL;
	show_file(p, d->sel, !in_list(p)); /* the block above moves the rows */
	/* The question names the files too, after the keys (the message up to
	 * its parenthesis: "conflict: k.txt changed since the agent's step"):
	 * in a pane a few rows high (80x24) the block's first line, which
	 * names them, is above the hunk the cursor keeps. */
	struct buf q = BUF_INIT;
	const char *cut = strstr(d->conflict, " (");

	buf_puts(&q, "f force, o open the versions, Esc leave it · ");
	buf_add(&q, d->conflict, cut ? (size_t)(cut - d->conflict) : strlen(d->conflict));
	buf_puts(&q, " (see the diff pane)");
	ui_ask(p->ui, buf_cstr(&q), "fo", 0, on_conflict_key, p);
	buf_fini(&q);
}

/*
 * u and C-r
 */

/* Take back (or redo) act `a`: one restore per grant it moved. */
static void
walk_start(struct pane *p, struct act *a, bool redo)
{
	struct diff *d = p->priv;

	d->walking = a;
	d->walk_redo = redo;
	d->walk_left = 0;
	d->walk_ok = true;
	if (a->engine) {
		struct req r = { .type = redo ? COMMAND_REDO : COMMAND_UNDO,
				 .force = d->walk_force };
		if (send_req(p, &r, TAG_WALK) == 0)
			d->walk_left = 1;
	}
	for (size_t g = 0; !a->engine && g < a->ngrants; g++) {
		const char *to = redo ? a->after[g] : a->before[g];
		char *spec = a->mark ? xasprintf("accepted:%s", to) : xstrdup(to);
		struct req r = { .type = COMMAND_RESTORE, .path = spec, .force = d->walk_force };

		if (strcmp(a->before[g], a->after[g]) != 0 && *to && send_req(p, &r, TAG_WALK) == 0)
			d->walk_left++;
		free(spec);
	}
	if (d->walk_left == 0) {
		/* Nothing could be sent: put it back where it was. */
		d->walking = NULL;
		if (a->engine) {
			act_free(a);
			return;
		}
		ARRAY_GROW(d->undo, d->nundo, d->capundo, 1);
		ARRAY_GROW(d->redo, d->nredo, d->capredo, 1);
		if (redo)
			d->redo[d->nredo++] = a;
		else
			d->undo[d->nundo++] = a;
	}
}

static void
walk(struct pane *p, bool redo)
{
	struct diff *d = p->priv;
	struct act *a;

	if (in_flight(p))
		return;
	if (!redo && d->nundo) {
		a = d->undo[--d->nundo];
	} else if (redo && d->nredo) {
		a = d->redo[--d->nredo];
	} else {
		/* None of the person's own actions left: the agent's steps. */
		a = xcalloc(1, sizeof *a);
		a->engine = true;
	}
	walk_start(p, a, redo);
}

/* A reply to u or C-r. Once all came: the act moves to the other stack. */
static void
on_walk_reply(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;
	struct act *a = d->walking;

	ui_busy(p->ui, -1);
	if (!a)
		return;
	if (!ev->approved || ev->type == EVENT_ERROR) {
		d->walk_ok = false;
		ui_message(p->ui, true, "%s", ev->text ? ev->text : "refused");
		if (ev->type == EVENT_REVIEW && ev->output) {
			set_conflict(p, ev);
			d->retry_walk = true;
			d->retry_redo = d->walk_redo;
		}
	}
	if (--d->walk_left > 0)
		return;
	d->walking = NULL;
	if (!d->walk_ok && d->retry_walk && d->conflict)
		ask_conflict(p); /* f walks again, forced; the act goes back first */
	if (!d->walk_ok) {
		/* Not done: it stays where it was (an engine marker has
		 * nothing to keep). */
		if (a->engine) {
			act_free(a);
		} else if (d->walk_redo) {
			ARRAY_GROW(d->redo, d->nredo, d->capredo, 1);
			d->redo[d->nredo++] = a;
		} else {
			ARRAY_GROW(d->undo, d->nundo, d->capundo, 1);
			d->undo[d->nundo++] = a;
		}
		return;
	}
	if (a->engine) {
		d->retry_walk = false;
		clear_conflict(p);
		ui_message(p->ui, false, "%s — %s", ev->text ? ev->text : "done",
			   d->walk_redo ? "u undoes it again" : "C-r redoes it");
		if (d->walk_redo) {
			act_free(a);
		} else {
			ARRAY_GROW(d->redo, d->nredo, d->capredo, 1);
			d->redo[d->nredo++] = a;
		}
		return;
	}
	d->retry_walk = false;
	clear_conflict(p);
	if (a->path) {
		/* The reload shows the file that came back (or its neighbour). */
		free(d->sel_path);
		d->sel_path = xstrdup(a->path);
	}
	if (d->walk_redo) {
		ui_message(p->ui, false, "redid: %s — u undoes it", a->what);
		ARRAY_GROW(d->undo, d->nundo, d->capundo, 1);
		d->undo[d->nundo++] = a;
	} else {
		ui_message(p->ui, false, "undid: %s — C-r redoes it", a->what);
		ARRAY_GROW(d->redo, d->nredo, d->capredo, 1);
		d->redo[d->nredo++] = a;
	}
}

static int
diff_init(struct pane *p)
{
	p->priv = xcalloc(1, sizeof(struct diff));
	return 0;
}

static void
diff_fini(struct pane *p)
{
	struct diff *d = p->priv;

	if (d) {
		free_reviews(d->rv, d->paths, d->ngrants);
		free_ckpts(d->ckpts, d->nckpts);
		free(d->sel_path);
		req_fini(&d->ask);
		req_fini(&d->last);
		act_free(d->fresh);
		act_free(d->walking);
		acts_clear(d->undo, &d->nundo);
		acts_clear(d->redo, &d->nredo);
		free(d->undo);
		free(d->redo);
		free(d->conflict_dir);
		free(d->conflict);
	}
	free(d);
	p->priv = NULL;
}

static void
clear_conflict(struct pane *p)
{
	struct diff *d = p->priv;

	if (!d->conflict)
		return;
	free(d->conflict);
	free(d->conflict_dir);
	d->conflict = d->conflict_dir = NULL;
	show_file(p, d->sel, !in_list(p));
}

static void
diff_event(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;

	if (ui_is_reply(ev, TAG_GET)) {
		on_review_reply(p, ev);
		return;
	}
	if (ui_is_reply(ev, TAG_LOG)) {
		on_log_reply(p, ev);
		return;
	}
	if (ui_is_reply(ev, TAG_WALK) && (ev->type == EVENT_REVIEW || ev->type == EVENT_ERROR)) {
		on_walk_reply(p, ev);
		if (!d->walking)
			say_dropped(p);
		if (ev->type == EVENT_REVIEW)
			post_load(p);
		return;
	}
	if (ev->type == EVENT_ERROR && ui_is_reply(ev, TAG_REVIEW)) {
		ui_busy(p->ui, -1);
		act_free(d->fresh);
		d->fresh = NULL;
		ui_message(p->ui, true, "%s", ev->text ? ev->text : "refused");
		say_dropped(p);
		return;
	}
	if (ev->type == EVENT_REVIEW) {
		if (ui_is_reply(ev, TAG_REVIEW)) {
			ui_busy(p->ui, -1);
			clear_conflict(p);
			if (ev->approved) {
				/* The engine's own words for what it did. */
				const char *what = ev->text ? ev->text : d->last.what;

				/* The heads after it come with the next review
				 * asked (post_load below). */
				d->fresh_need = d->nsent + 1;
				ui_message(p->ui, false, "%s — u undoes it", what ? what : ev->name);
				say_dropped(p);
			} else if (ev->output) {
				d->retry_walk = false;
				d->dropped = false; /* the question says nothing was done */
				set_conflict(p, ev);
				ask_conflict(p);
			} else {
				act_free(d->fresh);
				d->fresh = NULL;
				ui_message(p->ui, true, "%s", ev->text ? ev->text : ev->name);
				say_dropped(p);
			}
		} else {
			/* Another client's: taking ours back would undo theirs too. */
			acts_clear(d->undo, &d->nundo);
			acts_clear(d->redo, &d->nredo);
		}
		if (ev->approved && ev->name && !strcmp(ev->name, "restore") && d->ckpt_mode) {
			d->ckpt_mode = false;
			pane_invalidate(p);
		}
		if (d->ckpt_mode)
			post_log(p);
		post_load(p);
		return;
	}
	if (ev->type == EVENT_CHECKPOINT) {
		/* The agent moved on: u takes back its steps, not our older
		 * actions (restoring those heads would undo its new work). */
		acts_clear(d->undo, &d->nundo);
		acts_clear(d->redo, &d->nredo);
		if (d->ckpt_mode) /* Enter must not restore past a step not listed */
			post_log(p);
	}
	if (ev->type == EVENT_CHECKPOINT || ev->type == EVENT_SESSION_FINISHED)
		post_load(p);
}
/* Whitespace as git diff -w counts it (xdiff's XDL_ISSPACE): a trailing
 * "\r" is whitespace too. */
static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Equal but for whitespace (git diff -w). */
static bool
same_but_ws(const char *a, const char *b)
{
	for (;;) {
		while (is_ws(*a))
			a++;
		while (is_ws(*b))
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++, b++;
	}
}

/*
 * With whitespace ignored, the origin each line is shown with: in a run of
 * removed lines followed by added ones, the k-th removed line and the k-th
 * added one that are equal but for whitespace show as the added line as
 * context (the removed one hidden: 0). A "\ No newline at end of file" note
 * is about whitespace too: hidden when its run is. Returns whether anything
 * in the hunk still changes.
 */
static bool
ws_origins(const struct review_hunk *hk, char *orig)
{
	size_t *del = xcalloc(hk->nlines + 1, sizeof *del), *add = xcalloc(hk->nlines + 1, sizeof *add);
	bool changed = false;

	for (size_t l = 0; l < hk->nlines; l++)
		orig[l] = hk->lines[l].origin;
	for (size_t l = 0; l < hk->nlines;) {
		size_t nd = 0, na = 0, end = l;
		bool all = true;

		while (end < hk->nlines && (orig[end] == '-' || (orig[end] == '\\' && nd)))
			if (orig[end++] == '-')
				del[nd++] = end - 1;
		while (end < hk->nlines && (orig[end] == '+' || (orig[end] == '\\' && na)))
			if (orig[end++] == '+')
				add[na++] = end - 1;
		if (end == l) {
			l++;
			continue;
		}
		for (size_t k = 0; k < nd || k < na; k++) {
			bool same = k < nd && k < na &&
				    same_but_ws(hk->lines[del[k]].text, hk->lines[add[k]].text);

			if (same) {
				orig[del[k]] = 0;
				orig[add[k]] = ' ';
			}
			all &= same;
		}
		for (size_t k = l; all && k < end; k++)
			if (orig[k] == '\\')
				orig[k] = 0;
		changed |= !all;
		l = end;
	}
	free(del);
	free(add);
	return changed;
}

/* The changed middle of a line: bytes [a, b) of its text (a == b: none). */
struct span {
	size_t a, b;
};

static bool
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/*
 * Intra-line highlight of removed line `o` replaced by added line `n`, as
 * git's diff-highlight: what lies between their common prefix and common
 * suffix, cut at character boundaries. False (spans untouched) when the
 * lines have nothing in common at either end, are equal, or are long.
 */
static bool
hl_pair(const char *o, const char *n, struct span *so, struct span *sn)
{
	size_t lo = strlen(o), ln = strlen(n), pre = 0, suf = 0;

	if (lo > HL_MAX_BYTES || ln > HL_MAX_BYTES)
		return false;
	while (pre < lo && pre < ln && o[pre] == n[pre])
		pre++;
	while (pre > 0 && (is_cont(o[pre]) || is_cont(n[pre])))
		pre--;
	while (suf < lo - pre && suf < ln - pre && o[lo - 1 - suf] == n[ln - 1 - suf])
		suf++;
	while (suf > 0 && (is_cont(o[lo - suf]) || is_cont(n[ln - suf])))
		suf--;
	if ((pre == 0 && suf == 0) || (pre == lo && pre == ln))
		return false;
	*so = (struct span){ pre, lo - suf };
	*sn = (struct span){ pre, ln - suf };
	return true;
}

/* The run of changed lines shown (`orig`) from line i: the removed lines
 * into del, then the added ones into add, each side with its "\ No newline
 * at end of file" note (which only ever ends a side). Returns the line after
 * it; i itself when line i starts no run. */
static size_t
run_at(const char *orig, size_t nlines, size_t i, size_t *del, size_t *nd, size_t *add,
       size_t *na)
{
	*nd = *na = 0;
	while (i < nlines && (orig[i] == '-' || (orig[i] == '\\' && *nd > 0)))
		del[(*nd)++] = i++;
	while (i < nlines && (orig[i] == '+' || (orig[i] == '\\' && *na > 0)))
		add[(*na)++] = i++;
	return i;
}

/* The highlights of a hunk's lines as shown (`orig`): in each run, the k-th
 * removed line pairs with the k-th added one. */
static void
hunk_spans(const struct review_hunk *hk, const char *orig, struct span *sp)
{
	size_t *del = xcalloc(hk->nlines + 1, sizeof *del), *add = xcalloc(hk->nlines + 1, sizeof *add);

	for (size_t l = 0; l < hk->nlines;) {
		size_t nd, na, end = run_at(orig, hk->nlines, l, del, &nd, add, &na);

		for (size_t k = 0; k < nd && k < na; k++)
			if (orig[del[k]] != '\\' && orig[add[k]] != '\\')
				hl_pair(hk->lines[del[k]].text, hk->lines[add[k]].text, &sp[del[k]],
					&sp[add[k]]);
		l = end > l ? end : l + 1;
	}
	free(del);
	free(add);
}

/* Sanitize a line for display, the span between DRAW_HL markers (sanitized
 * apart so the markers survive). */
static void
put_text(struct buf *b, const char *s, const struct span *sp)
{
	size_t n = strlen(s);

	if (sp->a == sp->b) {
		draw_sanitize(b, s, n, false);
		return;
	}
	draw_sanitize(b, s, sp->a, false);
	buf_putc(b, DRAW_HL);
	draw_sanitize(b, s + sp->a, sp->b - sp->a, false);
	buf_putc(b, DRAW_HL);
	draw_sanitize(b, s + sp->b, n - sp->b, false);
}

/* A changed cell's row, "Sheet1!B4: 12.50 → 13.00" (snap's cell diff), into
 * b: the new content's changed middle highlighted against the old, as a
 * changed line's is. */
static void
put_changed_cell(struct buf *b, const char *t)
{
	static const char arrow[] = " → ";
	const char *v = strstr(t, ": "), *to = v ? strstr(v + 2, arrow) : NULL;
	struct span so = { 0, 0 }, sn = { 0, 0 };

	if (!to) {
		draw_sanitize(b, t, strlen(t), false);
		return;
	}
	char *old = xstrndup(v + 2, (size_t)(to - v - 2));
	const char *new = to + strlen(arrow);

	hl_pair(old, new, &so, &sn);
	draw_sanitize(b, t, (size_t)(new - t), false);
	put_text(b, new, &sn);
	free(old);
}

/* A spreadsheet's changed cells (textconv "cells"): one row per cell,
 * "~ Sheet1!B4: 12.50 → 13.00", no line numbers; a changed cell is drawn as
 * an added line with its new value's changed part highlighted. */
static void
add_cells_hunk(struct pane *p, const struct review_hunk *hk)
{
	struct buf b = BUF_INIT;

	for (size_t l = 0; l < hk->nlines; l++) {
		char o = hk->lines[l].origin, pre[3] = { o, ' ', 0 };

		buf_clear(&b);
		if (o == '~')
			put_changed_cell(&b, hk->lines[l].text);
		else
			draw_sanitize(&b, hk->lines[l].text, strlen(hk->lines[l].text), false);
		pane_add_wrapped(p, o == '-' ? UI_DIFF_DEL : o == '+' || o == '~' ? UI_DIFF_ADD : UI_NORMAL,
				 hk->n, pre, "  ", buf_cstr(&b));
	}
	buf_fini(&b);
}

/* Cut sanitized `text` (markers allowed) into rows of at most `cols`
 * columns; each row closes the DRAW_HL it opened and the next reopens it.
 * Rows are appended to `rows` (heap strings); returns how many (at least
 * one). */
static size_t
cut_rows(const char *text, int cols, char ***rows, size_t *n, size_t *cap)
{
	const char *s = text;
	size_t added = 0;
	bool hl = false;

	if (cols < 1)
		cols = 1;
	do {
		struct buf b = BUF_INIT;
		size_t k = draw_fit(s, cols, NULL);

		if (k == 0 && *s)
			k = 1; /* a character wider than the row: one per row */
		if (hl)
			buf_putc(&b, DRAW_HL);
		buf_add(&b, s, k);
		for (size_t i = 0; i < k; i++)
			hl ^= s[i] == DRAW_HL;
		if (hl)
			buf_putc(&b, DRAW_HL);
		s += k;
		ARRAY_GROW(*rows, *n, *cap, 1);
		(*rows)[(*n)++] = buf_detach(&b);
		added++;
	} while (*s);
	return added;
}

/* One half of a side-by-side line: "NUM ±TEXT" (text NULL: blank), wrapped
 * to `cols` columns, the continuation rows with the number left blank but
 * the mark kept; each row padded to exactly `cols`. Rows go to `rows`. */
static void
put_half(char ***rows, size_t *n, size_t *cap, int cols, int numw, int num, char origin,
	 const char *text, const struct span *sp)
{
	struct buf t = BUF_INIT, r = BUF_INIT;
	char **cut = NULL;
	size_t ncut = 0, capcut = 0;
	int gw = numw + 2; /* "NUM ±" */

	if (text)
		put_text(&t, text, sp);
	cut_rows(buf_cstr(&t), cols - gw, &cut, &ncut, &capcut);
	for (size_t i = 0; i < ncut; i++) {
		int used;

		buf_clear(&r);
		if (text && i == 0 && num > 0)
			buf_printf(&r, "%*d %c", numw, num, origin);
		else if (text)
			buf_printf(&r, "%*s %c", numw, "", origin);
		buf_puts(&r, cut[i]);
		used = draw_width(buf_cstr(&r));
		for (; used < cols; used++)
			buf_putc(&r, ' ');
		ARRAY_GROW(*rows, *n, *cap, 1);
		(*rows)[(*n)++] = xstrdup(buf_cstr(&r));
		free(cut[i]);
	}
	free(cut);
	buf_fini(&t);
	buf_fini(&r);
}

/* A row of blanks `cols` wide (the shorter half of a wrapped pair). */
static char *
blank_row(int cols)
{
	char *s = xmalloc((size_t)(cols > 0 ? cols : 0) + 1);

	memset(s, ' ', (size_t)(cols > 0 ? cols : 0));
	s[cols > 0 ? cols : 0] = '\0';
	return s;
}

/* The two halves of one side-by-side line, wrapped: as many pane lines as
 * the longer half needs. */
static void
add_pair(struct pane *p, int item, enum ui_elem le, int lw, int numw, int lnum, char lo,
	 const char *ltext, const struct span *lsp, enum ui_elem re, int rw, int rnum, char ro,
	 const char *rtext, const struct span *rsp)
{
	char **l = NULL, **r = NULL;
	size_t nl = 0, cl = 0, nr = 0, cr = 0;

	put_half(&l, &nl, &cl, lw, numw, lnum, lo, ltext, lsp);
	put_half(&r, &nr, &cr, rw, numw, rnum, ro, rtext, rsp);
	for (size_t i = 0; i < nl || i < nr; i++) {
		char *a = i < nl ? l[i] : blank_row(lw), *b = i < nr ? r[i] : blank_row(rw);

		pane_add_split(p, item, le, a, re, b);
		free(a);
		free(b);
	}
	free(l);
	free(r);
}

/*
 * A hunk side by side: context on both halves, the removed lines of a run
 * on the left facing its added lines on the right, row by row, old and new
 * line numbers in front; long lines wrap, keeping their mark. `orig` as
 * ws_origins() gives it: a whitespace-only change shows as context,
 * numbered from its hidden removed line.
 */
static void
add_split_hunk(struct pane *p, const struct review_hunk *hk, const char *orig,
	       const struct span *sp, const int *on, const int *nn, int numw)
{
	int lw = (p->cols - 1) / 2, rw = p->cols - 1 - lw;
	size_t *del = xcalloc(hk->nlines + 1, sizeof *del), *add = xcalloc(hk->nlines + 1, sizeof *add);

	for (size_t i = 0; i < hk->nlines;) {
		size_t nd, na, end = run_at(orig, hk->nlines, i, del, &nd, add, &na);

		for (size_t k = 0; k < nd || k < na; k++) {
			const struct review_line *a = k < nd ? &hk->lines[del[k]] : NULL;
			const struct review_line *b = k < na ? &hk->lines[add[k]] : NULL;

			add_pair(p, hk->n, !a ? UI_NORMAL : a->origin == '-' ? UI_DIFF_DEL : UI_DIM,
				 lw, numw, a ? on[del[k]] : 0, a ? a->origin : ' ',
				 a ? a->text : NULL, a ? &sp[del[k]] : NULL,
				 !b ? UI_NORMAL : b->origin == '+' ? UI_DIFF_ADD : UI_DIM, rw,
				 b ? nn[add[k]] : 0, b ? b->origin : ' ', b ? b->text : NULL,
				 b ? &sp[add[k]] : NULL);
		}
		if (end > i) {
			i = end;
			continue;
		}
		if (orig[i]) {
			/* Context (a note after context too) on both halves. */
			const struct review_line *c = &hk->lines[i];
			char mark = orig[i] == '\\' ? '\\' : ' ';
			enum ui_elem e = orig[i] == '\\' ? UI_DIM : UI_NORMAL;

			add_pair(p, hk->n, e, lw, numw, on[i], mark, c->text, &sp[i], e, rw, nn[i],
				 mark, c->text, &sp[i]);
		}
		i++;
	}
	free(del);
	free(add);
}

/* The old and new line number of each line of a hunk (0: none). A line
 * shown as context by ws_origins (an added one whose removed partner is
 * hidden) takes its partner's old number. */
static void
hunk_numbers(const struct review_hunk *hk, const char *orig, int *on, int *nn)
{
	for (size_t i = 0, o = (size_t)hk->old_start, n = (size_t)hk->new_start; i < hk->nlines;
	     i++) {
		char c = hk->lines[i].origin;
		on[i] = c == ' ' || c == '-' ? (int)o++ : 0;
		nn[i] = c == ' ' || c == '+' ? (int)n++ : 0;
	}
	for (size_t i = 0; i < hk->nlines; i++) {
		if (hk->lines[i].origin != '+' || orig[i] != ' ')
			continue;
		/* Its hidden partner: the k-th removed line of the run before. */
		size_t s = i, d;
		while (s > 0 && hk->lines[s - 1].origin == '+')
			s--;
		for (d = s; d > 0 && hk->lines[d - 1].origin == '-'; d--)
			;
		on[i] = d + (i - s) < s ? on[d + (i - s)] : 0;
	}
}

/* A hunk unified: "OLD NEW ±text", wrapped, each continuation row with the
 * numbers blank and the mark kept. */
static void
add_unified_hunk(struct pane *p, const struct review_hunk *hk, const char *orig,
		 const struct span *sp, const int *on, const int *nn, int numw)
{
	struct buf b = BUF_INIT, pre = BUF_INIT, cont = BUF_INIT;

	for (size_t l = 0; l < hk->nlines; l++) {
		char o = orig[l];

		if (!o)
			continue;
		buf_clear(&b);
		buf_clear(&pre);
		buf_clear(&cont);
		put_text(&b, hk->lines[l].text, &sp[l]);
		if (on[l] && o != '+' && o != '\\')
			buf_printf(&pre, "%*d ", numw, on[l]);
		else
			buf_printf(&pre, "%*s ", numw, "");
		if (nn[l] && o != '-' && o != '\\')
			buf_printf(&pre, "%*d %c", numw, nn[l], o);
		else
			buf_printf(&pre, "%*s %c", numw, "", o);
		buf_printf(&cont, "%*s %*s %c", numw, "", numw, "", o);
		pane_add_wrapped(p,
				 o == '+'   ? UI_DIFF_ADD
				 : o == '-' ? UI_DIFF_DEL
				 : o == '\\' ? UI_DIM
					     : UI_NORMAL,
				 hk->n, buf_cstr(&pre), buf_cstr(&cont), buf_cstr(&b));
	}
	buf_fini(&b);
	buf_fini(&pre);
	buf_fini(&cont);
}



/* Columns for the line numbers of a file's rows. */
static int
num_width(const struct review_file *f)
{
	int max = 0, w = 1;

	for (size_t h = 0; h < f->nhunks; h++) {
		const struct review_hunk *hk = &f->hunks[h];
		if (hk->old_start + hk->old_lines > max)
			max = hk->old_start + hk->old_lines;
		if (hk->new_start + hk->new_lines > max)
			max = hk->new_start + hk->new_lines;
	}
	for (; max >= 10; max /= 10)
		w++;
	return w;
}

static bool
is_split(const struct pane *p)
{
	const struct diff *d = p->priv;

	return d->split && p->cols >= SPLIT_COLS;
}

/* The checkpoint list (U), newest first; item i is checkpoint i. */
static void
rebuild_checkpoints(struct pane *p)
{
	struct diff *d = p->priv;
	struct buf b = BUF_INIT;

	pane_add_line(p, UI_DIM, -1, 2, " ",
		      "checkpoints, newest first: Enter restores, U or q goes back");
	for (size_t i = 0; i < d->nckpts; i++) {
		struct ckpt *c = &d->ckpts[i];
		const char *grant = c->grant;
		const char *base = grant ? strrchr(grant, '/') : NULL;
		time_t t = (time_t)c->time;
		struct tm tm;
		char when[32] = "";

		if (localtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		buf_clear(&b);
		buf_printf(&b, "%s  %s  ", c->short_id, when);
		if (d->ngrants > 1 && base)
			buf_printf(&b, "%s: ", base + 1);
		draw_sanitize(&b, c->label, strlen(c->label), false);
		buf_printf(&b, "  (%zu change%s)", c->nchanges, c->nchanges == 1 ? "" : "s");
		pane_add_line(p, UI_NORMAL, (int)i, 4, NULL, buf_cstr(&b));
	}
	buf_fini(&b);
}

/* "100755" */
static void
mode_str(char out[8], unsigned m)
{
	snprintf(out, 8, "%06o", m);
}

/* Sizes of a binary file, as `deskhand review` says them: the absent side
 * is not a size. */
static void
put_sizes(struct buf *b, const struct review_file *f)
{
	if (f->old_size < 0 && f->new_size >= 0)
		buf_printf(b, "binary, new, %lld bytes", f->new_size);
	else if (f->new_size < 0 && f->old_size >= 0)
		buf_printf(b, "binary, deleted, %lld bytes", f->old_size);
	else
		buf_printf(b, "binary, %lld -> %lld bytes", f->old_size, f->new_size);
}

static bool
mode_changed(const struct review_file *f)
{
	return f->old_mode && f->new_mode && f->old_mode != f->new_mode;
}

/* A file row: "▶ M path <- old  +3 -1" (binary: sizes; a mode change), one
 * row: a path too long for the pane loses its middle to an ellipsis, so its
 * file name, the status and the counts stay in view (the header above the
 * diff says it whole). A pane too narrow even for that wraps the row. */
static void
file_row(struct pane *p, size_t i, const struct review_file *f, size_t g)
{
	struct diff *d = p->priv;
	const char *grant = grant_path(d, g);
	const char *base = grant ? strrchr(grant, '/') : NULL;
	struct buf b = BUF_INIT, name = BUF_INIT, old = BUF_INIT, tail = BUF_INIT;
	char om[8], nm[8];

	buf_printf(&b, "%s %c ", i == d->sel ? draw_mark("▶", ">") : " ", f->status);
	if (d->ngrants > 1 && base) {
		draw_sanitize_name(&name, base + 1);
		buf_putc(&name, '/');
	}
	draw_sanitize_name(&name, f->path);
	if (f->old_path)
		draw_sanitize_name(&old, f->old_path);
	buf_puts(&tail, "  ");
	if (f->binary)
		put_sizes(&tail, f);
	else
		buf_printf(&tail, "+%zu -%zu", f->added, f->removed);
	mode_str(om, f->old_mode);
	mode_str(nm, f->new_mode);
	if (mode_changed(f))
		buf_printf(&tail, "  mode %s -> %s", om, nm);

	const char *arrow = " <- ";
	int nw = draw_width(buf_cstr(&name)), ow = f->old_path ? draw_width(buf_cstr(&old)) : 0;
	int room = p->cols - draw_width(buf_cstr(&b)) - draw_width(buf_cstr(&tail)) -
		   (f->old_path ? draw_width(arrow) : 0);
	if (nw + ow > room && room >= FILE_ROW_MIN) {
		/* The old path (a rename's) gets at most half of the room. */
		int oroom = ow < room / 2 ? ow : room / 2;
		int used = draw_elide(&b, buf_cstr(&name), room - oroom);
		if (f->old_path) {
			buf_puts(&b, arrow);
			draw_elide(&b, buf_cstr(&old), room - used);
		}
	} else {
		buf_puts(&b, buf_cstr(&name));
		if (f->old_path) {
			buf_puts(&b, arrow);
			buf_puts(&b, buf_cstr(&old));
		}
	}
	buf_puts(&b, buf_cstr(&tail));
	pane_add_line(p, UI_DIFF_FILE, FILE_ITEM + (int)i, 4, NULL, buf_cstr(&b));
	buf_fini(&b);
	buf_fini(&name);
	buf_fini(&old);
	buf_fini(&tail);
}

/* The shown file's header in the body: what it is, and what its diff
 * cannot show (a rename's old path, binary sizes, a mode, no text). */
static void
file_header(struct pane *p, const struct review_file *f, bool any_hunk)
{
	struct diff *d = p->priv;
	struct buf b = BUF_INIT;
	char om[8], nm[8];
	static const char *const kind[128] = {
		['A'] = "created", ['M'] = "modified", ['D'] = "deleted",
		['R'] = "renamed", ['T'] = "mode changed",
	};
	const char *k = kind[(unsigned char)f->status & 0x7f];

	buf_printf(&b, "%s ", draw_mark("──", "--"));
	draw_sanitize_name(&b, f->path);
	buf_printf(&b, " (%s)", k ? k : "changed");
	pane_add_line(p, UI_DIFF_HUNK, INFO_ITEM, 2, NULL, buf_cstr(&b));
	if (f->old_path) {
		buf_clear(&b);
		buf_puts(&b, "renamed from ");
		draw_sanitize_name(&b, f->old_path);
		if (!f->nhunks && !f->binary)
			buf_puts(&b, " (content unchanged)");
		pane_add_line(p, UI_NORMAL, INFO_ITEM, 2, NULL, buf_cstr(&b));
	}
	mode_str(om, f->old_mode);
	mode_str(nm, f->new_mode);
	if (mode_changed(f)) {
		buf_clear(&b);
		buf_printf(&b, "mode %s -> %s", om, nm);
		pane_add_line(p, UI_NORMAL, INFO_ITEM, 2, NULL, buf_cstr(&b));
	}
	buf_clear(&b);
	if (review_model_link_text(f, &b)) {
		struct buf shown = BUF_INIT;

		draw_sanitize_name(&shown, buf_cstr(&b));
		pane_add_line(p, UI_NORMAL, INFO_ITEM, 2, NULL, buf_cstr(&shown));
		buf_fini(&shown);
	}
	if (f->binary) {
		buf_clear(&b);
		put_sizes(&b, f);
		if (!f->textconv)
			buf_puts(&b, " (no text diff)");
		else if (!strcmp(f->textconv, "cells"))
			buf_puts(&b, f->nhunks ? " (its cells compared; accept or reject the whole file)"
					       : " (no cell changed)");
		else
			buf_puts(&b, f->nhunks ? " (its text compared; accept or reject the whole file)"
					       : " (its text is the same)");
		pane_add_line(p, UI_NORMAL, INFO_ITEM, 2, NULL, buf_cstr(&b));
	} else if (f->nhunks && !any_hunk && d->ignore_ws) {
		pane_add_line(p, UI_DIM, INFO_ITEM, 2, NULL,
			      "only whitespace changes (hidden: w shows them)");
	} else if (!f->nhunks && !f->old_path && !mode_changed(f) && !f->old_target &&
		   !f->new_target) {
		pane_add_line(p, UI_DIM, INFO_ITEM, 2, NULL,
			      f->status == 'A' ? "empty (or not a regular file)"
					       : "no text to show");
	}
	buf_fini(&b);
}

/* The conflict of the last action, in full (wrapped), above the list. */
static void
conflict_block(struct pane *p)
{
	struct diff *d = p->priv;
	struct buf b = BUF_INIT;

	draw_sanitize(&b, d->conflict, strlen(d->conflict), false);
	pane_add_line(p, UI_ERROR, -1, 2, NULL, buf_cstr(&b));
	buf_clear(&b);
	if (d->conflict_dir) {
		buf_puts(&b, "versions: ");
		draw_sanitize_name(&b, d->conflict_dir);
		buf_puts(&b, "/{base,agent,current}/PATH");
		pane_add_line(p, UI_ERROR, -1, 2, NULL, buf_cstr(&b));
	}
	pane_add_line(p, UI_ERROR, -1, 2, NULL,
		      "f forces it (your edits are overwritten), o opens the versions");
	buf_fini(&b);
}

static void
diff_rebuild(struct pane *p)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d), g = 0;
	struct buf b = BUF_INIT;
	bool any = false;

	if (d->ckpt_mode) {
		rebuild_checkpoints(p);
		return;
	}
	if (d->conflict)
		conflict_block(p);
	if (n == 0) {
		pane_add_line(p, UI_DIM, -1, 2, " ", d->loading ? "(loading)" : "(nothing pending)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct review_file *f = file_at(d, i, &g);
		file_row(p, i, f, g);
	}
	struct review_file *f = file_at(d, d->sel, &g);
	if (!f)
		return;
	int numw = num_width(f);
	size_t at = p->nlines;
	file_header(p, f, true);
	for (size_t h = 0; h < f->nhunks; h++) {
		struct review_hunk *hk = &f->hunks[h];
		char *orig = xcalloc(hk->nlines + 1, 1);
		int *on = xcalloc(hk->nlines + 1, sizeof *on), *nn = xcalloc(hk->nlines + 1, sizeof *nn);
		struct span *sp;

		if (f->textconv && !strcmp(f->textconv, "cells")) {
			any = true;
			pane_add_line(p, UI_DIFF_HUNK, hk->n, 0, NULL, "cells changed");
			p->lines[p->nlines - 1].anchor = true;
			add_cells_hunk(p, hk);
			free(orig);
			free(on);
			free(nn);
			continue;
		}
		if (!d->ignore_ws)
			for (size_t l = 0; l < hk->nlines; l++)
				orig[l] = hk->lines[l].origin;
		else if (!ws_origins(hk, orig)) {
			free(orig);
			free(on);
			free(nn);
			continue;
		}
		any = true;
		buf_clear(&b);
		draw_sanitize(&b, hk->header, strlen(hk->header), false);
		pane_add_line(p, UI_DIFF_HUNK, hk->n, 0, NULL, buf_cstr(&b));
		p->lines[p->nlines - 1].anchor = true;
		sp = xcalloc(hk->nlines + 1, sizeof *sp);
		hunk_spans(hk, orig, sp);
		hunk_numbers(hk, orig, on, nn);
		if (is_split(p))
			add_split_hunk(p, hk, orig, sp, on, nn, numw);
		else
			add_unified_hunk(p, hk, orig, sp, on, nn, numw);
		free(sp);
		free(orig);
		free(on);
		free(nn);
	}
	if (!any && f->nhunks) {
		/* Every hunk was whitespace only: say so under the header. */
		pane_truncate_lines(p, at);
		file_header(p, f, false);
	}
	buf_fini(&b);
}

static void
diff_title(struct pane *p, struct buf *out)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d);

	buf_printf(out, " (%zu file%s pending)", n, n == 1 ? "" : "s");
	if (d->ignore_ws)
		buf_puts(out, " [whitespace ignored]");
	if (is_split(p) && !d->ckpt_mode)
		buf_puts(out, " [side-by-side]");
	if (d->ckpt_mode)
		buf_printf(out, " [%zu checkpoint%s]", d->nckpts, d->nckpts == 1 ? "" : "s");
	else if (n)
		buf_puts(out, in_list(p) ? " [files]" : " [diff]");
}

/* Cursor to the next (dir 1) / previous anchor line. */
static void
goto_anchor(struct pane *p, int dir)
{
	long c = p->cursor < 0 || p->follow ? -1 : p->cursor;

	for (long i = c + dir; i >= 0 && i < (long)p->nlines; i += dir) {
		if (p->lines[i].anchor) {
			cursor_to_hunk(p, i);
			return;
		}
	}
}

/* o: the shown file in the editor (ui_edit_file). */
static enum pane_result
open_file(struct pane *p, const struct review_file *f, size_t grant)
{
	const char *root = grant_path(p->priv, grant);
	struct buf path = BUF_INIT;

	if (!f || !root)
		return PANE_HANDLED;
	if (f->status == 'D') {
		ui_message(p->ui, true, "%s was deleted", f->path);
		return PANE_HANDLED;
	}
	buf_printf(&path, "%s/%s", root, f->path);
	ui_edit_file(p->ui, buf_cstr(&path), NULL, NULL);
	buf_fini(&path);
	return PANE_HANDLED | PANE_REDRAW;
}

/* The hunk s/x act on: the cursor's, in the diff of a file whose hunks can
 * be taken one by one; 0: the whole file. */
static int
hunk_at_cursor(const struct pane *p, const struct review_file *f)
{
	int item = cursor_item(p);

	return item > 0 && item < FILE_ITEM && (f->status == 'M' || f->status == 'R') ? item : 0;
}

/* Whether a path of f (its own, or a rename's old one) is also a path on a
 * row of another grant's files, new or old: the name alone would not say
 * which grant's file the question is about. */
static bool
listed_elsewhere(const struct diff *d, size_t g, const struct review_file *f)
{
	const char *mine[] = { f->path, f->old_path };

	for (size_t o = 0; o < d->ngrants; o++) {
		for (size_t i = 0; o != g && d->rv[o] && i < d->rv[o]->nfiles; i++) {
			const struct review_file *e = &d->rv[o]->files[i];

			for (size_t k = 0; k < 2; k++) {
				if (mine[k] && (!strcmp(mine[k], e->path) ||
						(e->old_path && !strcmp(mine[k], e->old_path))))
					return true;
			}
		}
	}
	return false;
}

/* s / x: the hunk under the cursor at once; x on a whole file asks. */
static void
act_on_file(struct pane *p, bool accept)
{
	struct diff *d = p->priv;
	size_t g = 0;
	struct review_file *f = file_at(d, d->sel, &g);
	struct req r = { .type = accept ? COMMAND_ACCEPT : COMMAND_REJECT, .grant = g };
	struct buf q = BUF_INIT;

	if (!f)
		return;
	struct buf name = BUF_INIT;

	draw_sanitize_name(&name, f->path); /* caf\xe9.txt, as listed */
	r.path = xstrdup(f->path);
	r.hunk = hunk_at_cursor(p, f);
	review_model_digest(f, r.hunk, r.seen);
	if (r.hunk)
		r.what = xasprintf("%s hunk %d of %s", accept ? "accepted" : "rejected", r.hunk,
				   buf_cstr(&name));
	else
		r.what = xasprintf("%s %s", accept ? "accepted" : "rejected", buf_cstr(&name));
	buf_fini(&name);
	if (accept || r.hunk) {
		act_now(p, &r);
		req_fini(&r);
		return;
	}
	buf_puts(&q, "Discard every change to ");
	draw_sanitize_name(&q, f->path);
	const char *grant = grant_path(d, g);
	if (grant && listed_elsewhere(d, g, f)) {
		buf_puts(&q, " in ");
		draw_sanitize_name(&q, grant);
	}
	buf_puts(&q, "? y/n");
	confirm(p, &r, buf_cstr(&q));
	buf_fini(&q);
}

static void
act_on_all(struct pane *p, bool accept)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d);
	struct req r = { .type = accept ? COMMAND_ACCEPT : COMMAND_REJECT };
	char *q;

	if (n == 0) {
		ui_message(p->ui, true, "nothing pending");
		return;
	}
	r.what = xasprintf("%s all %zu pending file%s", accept ? "accepted" : "rejected", n,
			   n == 1 ? "" : "s");
	review_model_digest_all(d->rv, d->ngrants, r.seen); /* only what is listed */
	if (accept) {
		act_now(p, &r);
		req_fini(&r);
		return;
	}
	q = xasprintf("Reject all %zu pending file%s? y/n", n, n == 1 ? "" : "s");
	r.heads = heads_key(d);
	confirm(p, &r, q);
	free(q);
}

/* Enter in the checkpoint list: restore the one under the cursor, asked. */
static void
ask_restore(struct pane *p, size_t i)
{
	struct diff *d = p->priv;
	const struct ckpt *c = &d->ckpts[i];
	struct req r = { .type = COMMAND_RESTORE, .path = xstrdup(c->short_id) };
	struct buf q = BUF_INIT;

	r.what = xasprintf("restored checkpoint %s", c->short_id);
	r.heads = heads_key(d);
	buf_printf(&q, "Restore checkpoint %s (", c->short_id);
	draw_sanitize(&q, c->label, strlen(c->label), false);
	buf_puts(&q, ")? y/n");
	confirm(p, &r, buf_cstr(&q));
	buf_fini(&q);
}

/* }/{: the next/previous file, every kind, in list order; the cursor stays
 * on the same side (file list or diff). */
static void
step_file(struct pane *p, int dir)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d);
	bool list = in_list(p);

	if (n == 0)
		return;
	if ((dir > 0 && d->sel + 1 >= n) || (dir < 0 && d->sel == 0)) {
		ui_message(p->ui, false, "%s file", dir > 0 ? "last" : "first");
		show_file(p, d->sel, !list);
		return;
	}
	show_file(p, dir > 0 ? d->sel + 1 : d->sel - 1, !list);
}

/* j/k, pages, g/G: the cursor moves; landing on another file's row shows
 * that file. Coming up from the diff lands on the shown file's row. */
static enum pane_result
move_cursor(struct pane *p, enum action a)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d);
	bool list = in_list(p);
	enum pane_result r;

	if (n && list && (a == ACTION_TOP || a == ACTION_BOTTOM)) {
		show_file(p, a == ACTION_TOP ? 0 : n - 1, false);
		return PANE_HANDLED | PANE_REDRAW;
	}
	if (n && !list && (a == ACTION_TOP || a == ACTION_BOTTOM)) {
		pane_set_cursor(p, a == ACTION_TOP ? body_start(p) : (long)p->nlines - 1);
		return PANE_HANDLED | PANE_REDRAW;
	}
	r = pane_move(p, a);
	int item = cursor_item(p);
	if (n && item >= FILE_ITEM && (size_t)(item - FILE_ITEM) < n) {
		size_t i = (size_t)(item - FILE_ITEM);

		if (!list && (a == ACTION_UP || a == ACTION_HALF_UP || a == ACTION_PAGE_UP))
			i = d->sel;
		if (i != d->sel || !list)
			show_file(p, i, false);
	}
	return r;
}

static enum pane_result
ckpt_action(struct pane *p, enum action a)
{
	struct diff *d = p->priv;
	int item = cursor_item(p);

	switch (a) {
	case ACTION_CHECKPOINTS:
	case ACTION_CLOSE:
		d->ckpt_mode = false;
		pane_invalidate(p);
		show_file(p, d->sel, false);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_EXPAND:
		if (item >= 0 && (size_t)item < d->nckpts)
			ask_restore(p, (size_t)item);
		return PANE_HANDLED;
	case ACTION_UNDO:
	case ACTION_REDO:
		walk(p, a == ACTION_REDO);
		return PANE_HANDLED;
	case ACTION_REFRESH:
		post_log(p);
		return PANE_HANDLED;
	default:
		return pane_move(p, a);
	}
}

/* v, w: the same file drawn another way, the cursor on the same hunk (or
 * file row) when it is still drawn, else on the file's first hunk. */
static void
redraw_in_place(struct pane *p)
{
	struct diff *d = p->priv;
	int item = cursor_item(p);
	bool list = in_list(p);

	pane_invalidate(p);
	pane_refresh_lines(p); /* keeps the cursor on its item (pane.c) */
	if (item <= INFO_ITEM || cursor_item(p) != item)
		show_file(p, d->sel, !list);
	else if (list)
		pane_set_cursor(p, p->cursor);
	else
		cursor_to_hunk(p, p->cursor);
}

static enum pane_result
diff_action(struct pane *p, enum action a)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d), g = 0;
	struct review_file *f = file_at(d, d->sel, &g);

	pane_refresh_lines(p);
	if (d->ckpt_mode)
		return ckpt_action(p, a);
	switch (a) {
	case ACTION_CHECKPOINTS:
		post_log(p);
		return PANE_HANDLED;
	case ACTION_CLOSE:
		ui_request_quit(p->ui);
		return PANE_HANDLED;
	case ACTION_NEXT_FILE:
	case ACTION_PREV_FILE:
		step_file(p, a == ACTION_NEXT_FILE ? 1 : -1);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_NEXT_HUNK:
	case ACTION_PREV_HUNK:
		goto_anchor(p, a == ACTION_NEXT_HUNK ? 1 : -1);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_ACCEPT:
	case ACTION_REJECT:
		act_on_file(p, a == ACTION_ACCEPT);
		return PANE_HANDLED;
	case ACTION_ACCEPT_ALL:
	case ACTION_REJECT_ALL:
		act_on_all(p, a == ACTION_ACCEPT_ALL);
		return PANE_HANDLED;
	case ACTION_SPLIT:
		if (p->cols < SPLIT_COLS) {
			/* The toggle stays as it is: the view follows it again
			 * once the pane is wide enough. */
			ui_message(p->ui, true, "side-by-side needs %d columns (the pane has %d)",
				   SPLIT_COLS, p->cols);
			return PANE_HANDLED;
		}
		d->split = !d->split;
		redraw_in_place(p);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_OPEN:
		return open_file(p, f, g);
	case ACTION_WHITESPACE:
		d->ignore_ws = !d->ignore_ws;
		redraw_in_place(p);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_UNDO:
	case ACTION_REDO:
		walk(p, a == ACTION_REDO);
		return PANE_HANDLED;
	case ACTION_REFRESH:
		post_load(p);
		return PANE_HANDLED;
	case ACTION_EXPAND:
		/* Enter: from a file row into its diff, from the diff back. */
		if (n)
			show_file(p, d->sel, in_list(p));
		return PANE_HANDLED | PANE_REDRAW;
	default:
		return move_cursor(p, a);
	}
}

/* A search landed on another file's row: that file is the one shown, the
 * one s/x act on (as j/k landing there, move_cursor). */
static void
diff_cursor_moved(struct pane *p)
{
	struct diff *d = p->priv;
	int item = cursor_item(p);

	if (!d->ckpt_mode && item >= FILE_ITEM && (size_t)(item - FILE_ITEM) != d->sel &&
	    (size_t)(item - FILE_ITEM) < nfiles(d))
		show_file(p, (size_t)(item - FILE_ITEM), false);
}

const struct pane_ops pane_diff_ops = {
	.name = "diff",
	.flags = PANE_F_FOCUSABLE,
	.ctx = KEYMAP_DIFF,
	.init = diff_init,
	.fini = diff_fini,
	.rebuild = diff_rebuild,
	.title = diff_title,
	.action = diff_action,
	.on_event = diff_event,
	.cursor_moved = diff_cursor_moved,
};

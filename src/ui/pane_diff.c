/* SPDX-License-Identifier: MIT */
/*
 * The diff pane: the review (core/review_model.h) of every grant — files
 * changed since the accepted mark, then the hunks of the selected file — and
 * the review commands. The engine computes it: the pane asks with a
 * review_get command (the checkpoint list: log) and shows the reply.
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

#define FILE_ITEM	 1000000 /* line item of file-list line i: FILE_ITEM + i */
#define SPLIT_COLS	 60	 /* narrowest pane that shows side by side */
#define HL_MAX_BYTES	 500	 /* longer lines get no intra-line highlight */

/* Reads only: what the review commands change goes through the engine
 * (accept, reject, undo, restore) and comes back as a "review" event, after
 * which the pane reloads. Request tags (ui_send) start with the pane's name:
 * ui.c hands their replies to this pane only. */
#define TAG_GET	   "diff-get" /* review_get */
#define TAG_LOG	   "diff-log" /* log: the checkpoint list (U) */
#define TAG_REVIEW "diff-rv"  /* accept, reject, undo, restore */

/* One line of the checkpoint list. */
struct ckpt {
	char *grant; /* the grant's path */
	char short_id[13];
	char *label;
	long long time;
	size_t nchanges;
};

struct diff {
	struct review **rv; /* per grant (NULL: nothing) */
	char **paths;	    /* per grant: its path, as the review_get reply named it */
	size_t ngrants;
	size_t sel;	    /* selected file, flat index over grants */
	bool loading, reload;
	bool ignore_ws;	    /* w: whitespace-only changes shown as context */
	bool split;	    /* v: side by side (when the pane is wide enough) */
	bool ckpt_mode;	    /* U: the pane lists checkpoints instead */
	struct ckpt *ckpts; /* newest first */
	size_t nckpts;
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

static void
on_review_reply(struct pane *p, const struct event *ev)
{
	struct diff *d = p->priv;
	struct review **rv = NULL;
	char **paths = NULL;
	size_t n = 0;

	d->loading = false;
	ui_busy(p->ui, -1);
	if (ev->type == EVENT_ERROR || !ev->approved)
		ui_message(p->ui, true, "review: %s", ev->text ? ev->text : "failed");
	else if (decode_review(ev->data, &rv, &paths, &n) < 0)
		ui_message(p->ui, true, "review: %s", err_msg());
	else {
		free_reviews(d->rv, d->paths, d->ngrants);
		d->rv = rv;
		d->paths = paths;
		d->ngrants = n;
		size_t nf = nfiles(d);
		if (d->sel >= nf)
			d->sel = nf ? nf - 1 : 0;
		ui_review_pending(p->ui, (long)nf); /* the status line's "N pending" */
		pane_invalidate(p);
	}
	if (d->reload) {
		d->reload = false;
		post_load(p);
	}
}

/* The log reply: {"grants":[{"path":P,"checkpoints":[{short_id, label,
 * time, files_changed…}, …oldest first]}]}; listed newest first. */
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
		}
	}
	free_ckpts(d->ckpts, d->nckpts);
	d->ckpts = v;
	d->nckpts = n;
	d->ckpt_mode = true;
	pane_invalidate(p);
	p->cursor = -1;
	p->follow = false;
	pane_refresh_lines(p);
	pane_set_cursor(p, p->nlines > 1 ? 1 : 0);
}

/* A review command (agent/event.h) for the engine; its "review" event comes
 * back through diff_event. `grant` and `path` name a file (NULL: all). */
static void
send_review(struct pane *p, enum command_type type, size_t grant, const char *path, int hunk)
{
	struct diff *d = p->priv;
	struct buf abs = BUF_INIT;
	struct command c = { .type = type, .hunk = hunk };

	if (path) {
		buf_printf(&abs, "%s/%s", grant_path(d, grant) ? grant_path(d, grant) : ".", path);
		c.path = abs.ptr;
	}
	if (ui_send(p->ui, &c, TAG_REVIEW) == 0)
		ui_busy(p->ui, 1);
	buf_fini(&abs);
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
	}
	free(d);
	p->priv = NULL;
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
	if (ev->type == EVENT_ERROR && ui_is_reply(ev, TAG_REVIEW)) {
		ui_busy(p->ui, -1);
		ui_message(p->ui, true, "%s", ev->text ? ev->text : "refused");
		return;
	}
	if (ev->type == EVENT_REVIEW) {
		/* Ours, or another client's (its message is not ours to show). */
		if (ui_is_reply(ev, TAG_REVIEW)) {
			ui_busy(p->ui, -1);
			ui_message(p->ui, !ev->approved, "%s", ev->text ? ev->text : ev->name);
		}
		if (ev->approved && ev->name && !strcmp(ev->name, "restore") && d->ckpt_mode) {
			d->ckpt_mode = false;
			pane_invalidate(p);
		}
		post_load(p);
		return;
	}
	if (ev->type == EVENT_CHECKPOINT || ev->type == EVENT_SESSION_FINISHED)
		post_load(p);
}

/* Equal but for spaces and tabs (git diff -w). */
static bool
same_but_ws(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '\t')
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++, b++;
	}
}

/*
 * With whitespace ignored, the origin each line is shown with: a run of
 * removed lines followed by as many added ones, pairwise equal but for
 * whitespace, shows as the added lines as context and hides the removed.
 * 0 hides the line. Returns whether anything in the hunk still changes.
 */
static bool
ws_origins(const struct review_hunk *hk, char *orig)
{
	bool changed = false;

	for (size_t l = 0; l < hk->nlines;) {
		size_t del = l, add, end;

		orig[l] = hk->lines[l].origin;
		if (hk->lines[l].origin != '-') {
			changed |= orig[l] == '+';
			l++;
			continue;
		}
		for (add = del; add < hk->nlines && hk->lines[add].origin == '-'; add++)
			;
		for (end = add; end < hk->nlines && hk->lines[end].origin == '+'; end++)
			;
		bool same = end - add == add - del;
		for (size_t k = 0; same && k < add - del; k++)
			same = same_but_ws(hk->lines[del + k].text, hk->lines[add + k].text);
		for (size_t k = del; k < end; k++)
			orig[k] = same ? (k < add ? 0 : ' ') : hk->lines[k].origin;
		changed |= !same;
		l = end;
	}
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

/* One half of a side-by-side row: "NUM ±TEXT" (text NULL: blank) cut and
 * padded to exactly `cols` columns, its highlight closed. */
static void
put_half(struct buf *out, int cols, int numw, int num, char origin, const char *text,
	 const struct span *sp)
{
	struct buf t = BUF_INIT;
	int used, hl = 0;

	if (text) {
		if (num > 0)
			buf_printf(&t, "%*d %c", numw, num, origin);
		else
			buf_printf(&t, "%*s %c", numw, "", origin);
		put_text(&t, text, sp);
	}
	size_t n = draw_fit(buf_cstr(&t), cols, &used);
	buf_add(out, buf_cstr(&t), n);
	for (size_t i = 0; i < n; i++)
		hl ^= t.ptr[i] == DRAW_HL;
	if (hl)
		buf_putc(out, DRAW_HL);
	for (; used < cols; used++)
		buf_putc(out, ' ');
	buf_fini(&t);
}

/*
 * A hunk side by side: context on both halves, the removed lines of a run
 * on the left facing its added lines on the right, row by row, old and new
 * line numbers in front. `orig` as ws_origins() gives it: a whitespace-only
 * change shows as context, numbered from its hidden removed line.
 */
static void
add_split_hunk(struct pane *p, const struct review_hunk *hk, const char *orig,
	       const struct span *sp, int numw)
{
	int lw = (p->cols - 1) / 2, rw = p->cols - 1 - lw;
	int *on = xcalloc(hk->nlines + 1, sizeof *on), *nn = xcalloc(hk->nlines + 1, sizeof *nn);
	size_t *del = xcalloc(hk->nlines + 1, sizeof *del), *add = xcalloc(hk->nlines + 1, sizeof *add);
	struct buf l = BUF_INIT, r = BUF_INIT;

	for (size_t i = 0, o = (size_t)hk->old_start, n = (size_t)hk->new_start; i < hk->nlines;
	     i++) {
		char c = hk->lines[i].origin;
		on[i] = c == ' ' || c == '-' ? (int)o++ : 0;
		nn[i] = c == ' ' || c == '+' ? (int)n++ : 0;
	}
	for (size_t i = 0; i < hk->nlines;) {
		size_t nd, na, end = run_at(orig, hk->nlines, i, del, &nd, add, &na);

		for (size_t k = 0; k < nd || k < na; k++) {
			const struct review_line *a = k < nd ? &hk->lines[del[k]] : NULL;
			const struct review_line *b = k < na ? &hk->lines[add[k]] : NULL;

			buf_clear(&l);
			buf_clear(&r);
			put_half(&l, lw, numw, a ? on[del[k]] : 0, a ? a->origin : ' ',
				 a ? a->text : NULL, a ? &sp[del[k]] : NULL);
			put_half(&r, rw, numw, b ? nn[add[k]] : 0, b ? b->origin : ' ',
				 b ? b->text : NULL, b ? &sp[add[k]] : NULL);
			pane_add_split(p, hk->n,
				       !a ? UI_NORMAL : a->origin == '-' ? UI_DIFF_DEL : UI_DIM,
				       buf_cstr(&l),
				       !b ? UI_NORMAL : b->origin == '+' ? UI_DIFF_ADD : UI_DIM,
				       buf_cstr(&r));
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
			int old = on[i];

			if (c->origin == '+') {
				/* Whitespace-only: its removed partner is hidden
				 * just before the run of added lines. */
				size_t s = i, d;
				while (s > 0 && hk->lines[s - 1].origin == '+')
					s--;
				for (d = s; d > 0 && hk->lines[d - 1].origin == '-'; d--)
					;
				old = d + (i - s) < s ? on[d + (i - s)] : 0;
			}
			buf_clear(&l);
			buf_clear(&r);
			put_half(&l, lw, numw, old, mark, c->text, &sp[i]);
			put_half(&r, rw, numw, nn[i], mark, c->text, &sp[i]);
			pane_add_split(p, hk->n, e, buf_cstr(&l), e, buf_cstr(&r));
		}
		i++;
	}
	buf_fini(&l);
	buf_fini(&r);
	free(on);
	free(nn);
	free(del);
	free(add);
}

/* Columns for the line numbers of a file's side-by-side rows. */
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

	pane_add_line(p, UI_DIM, -1, 2, " ", "checkpoints, newest first: Enter restores, U goes back");
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

static void
diff_rebuild(struct pane *p)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d), g = 0;
	struct buf b = BUF_INIT;

	if (d->ckpt_mode) {
		rebuild_checkpoints(p);
		return;
	}
	if (n == 0) {
		pane_add_line(p, UI_DIM, -1, 2, " ", d->loading ? "(loading)" : "(nothing pending)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct review_file *f = file_at(d, i, &g);
		const char *grant = grant_path(d, g);
		const char *base = grant ? strrchr(grant, '/') : NULL;

		buf_clear(&b);
		buf_printf(&b, "%s %c ", i == d->sel ? draw_mark("▶", ">") : " ", f->status);
		if (d->ngrants > 1 && base)
			buf_printf(&b, "%s/", base + 1);
		draw_sanitize(&b, f->path, strlen(f->path), false);
		if (f->binary)
			buf_puts(&b, "  (binary)");
		else
			buf_printf(&b, "  +%zu -%zu", f->added, f->removed);
		pane_add_line(p, UI_DIFF_FILE, FILE_ITEM + (int)i, 4, NULL, buf_cstr(&b));
	}
	struct review_file *f = file_at(d, d->sel, &g);
	pane_add_line(p, UI_DIM, -1, 0, NULL, "");
	int numw = f ? num_width(f) : 1;
	for (size_t h = 0; f && h < f->nhunks; h++) {
		struct review_hunk *hk = &f->hunks[h];
		char *orig = xcalloc(hk->nlines + 1, 1);
		struct span *sp;

		if (!d->ignore_ws)
			for (size_t l = 0; l < hk->nlines; l++)
				orig[l] = hk->lines[l].origin;
		else if (!ws_origins(hk, orig)) {
			free(orig);
			continue;
		}
		buf_clear(&b);
		draw_sanitize(&b, hk->header, strlen(hk->header), false);
		pane_add_line(p, UI_DIFF_HUNK, hk->n, 0, NULL, buf_cstr(&b));
		p->lines[p->nlines - 1].anchor = true;
		sp = xcalloc(hk->nlines + 1, sizeof *sp);
		hunk_spans(hk, orig, sp);
		if (is_split(p))
			add_split_hunk(p, hk, orig, sp, numw);
		for (size_t l = 0; !is_split(p) && l < hk->nlines; l++) {
			struct review_line *rl = &hk->lines[l];
			char pre[2] = { orig[l], 0 };

			if (!orig[l])
				continue;
			buf_clear(&b);
			put_text(&b, rl->text, &sp[l]);
			pane_add_line(p,
				      orig[l] == '+'	? UI_DIFF_ADD
				      : orig[l] == '-' ? UI_DIFF_DEL
						       : UI_NORMAL,
				      hk->n, 1, pre, buf_cstr(&b));
		}
		free(sp);
		free(orig);
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
}

/* Cursor to the next (dir 1) / previous anchor line. */
static void
goto_anchor(struct pane *p, int dir)
{
	long c = p->cursor < 0 || p->follow ? -1 : p->cursor;

	for (long i = c + dir; i >= 0 && i < (long)p->nlines; i += dir) {
		if (p->lines[i].anchor) {
			pane_set_cursor(p, i);
			return;
		}
	}
}

/* o: the selected file in the editor (ui_edit_file). */
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

/* The cursor is on a hunk of a file whose hunks can be taken one by one. */
static bool
on_hunk(const struct review_file *f, int item)
{
	return item > 0 && item < FILE_ITEM && (f->status == 'M' || f->status == 'R');
}

static void
restore_checkpoint(struct pane *p, const char *spec)
{
	struct command c = { .type = COMMAND_RESTORE, .path = (char *)spec };

	if (ui_send(p->ui, &c, TAG_REVIEW) == 0)
		ui_busy(p->ui, 1);
}

static enum pane_result
diff_action(struct pane *p, enum action a)
{
	struct diff *d = p->priv;
	size_t n = nfiles(d), g = 0;
	struct review_file *f = file_at(d, d->sel, &g);
	long c = p->cursor;
	int item = c >= 0 && c < (long)p->nlines ? p->lines[c].item : -1;

	pane_refresh_lines(p);
	if (a == ACTION_CHECKPOINTS) {
		if (d->ckpt_mode) {
			d->ckpt_mode = false;
			pane_invalidate(p);
			return PANE_HANDLED | PANE_REDRAW;
		}
		post_log(p);
		return PANE_HANDLED;
	}
	if (d->ckpt_mode) {
		if (a == ACTION_EXPAND && item >= 0 && (size_t)item < d->nckpts)
			restore_checkpoint(p, d->ckpts[item].short_id);
		else if (a == ACTION_EXPAND || a == ACTION_REFRESH)
			return PANE_HANDLED;
		else
			return pane_move(p, a);
		return PANE_HANDLED;
	}
	switch (a) {
	case ACTION_NEXT_FILE:
	case ACTION_PREV_FILE:
		if (n == 0)
			return PANE_HANDLED;
		d->sel = a == ACTION_NEXT_FILE ? (d->sel + 1) % n : (d->sel + n - 1) % n;
		pane_clear_lines(p);
		diff_rebuild(p);
		p->cursor = -1;
		goto_anchor(p, 1);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_NEXT_HUNK:
	case ACTION_PREV_HUNK:
		goto_anchor(p, a == ACTION_NEXT_HUNK ? 1 : -1);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_ACCEPT:
		if (!f)
			return PANE_HANDLED;
		send_review(p, COMMAND_ACCEPT, g, f->path, on_hunk(f, item) ? item : 0);
		return PANE_HANDLED;
	case ACTION_ACCEPT_ALL:
		send_review(p, COMMAND_ACCEPT, 0, NULL, 0);
		return PANE_HANDLED;
	case ACTION_REJECT_ALL:
		send_review(p, COMMAND_REJECT, 0, NULL, 0);
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
		pane_invalidate(p);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_OPEN:
		return open_file(p, f, g);
	case ACTION_WHITESPACE:
		d->ignore_ws = !d->ignore_ws;
		pane_invalidate(p);
		return PANE_HANDLED | PANE_REDRAW;
	case ACTION_REJECT:
		if (!f)
			return PANE_HANDLED;
		send_review(p, COMMAND_REJECT, g, f->path, on_hunk(f, item) ? item : 0);
		return PANE_HANDLED;
	case ACTION_UNDO:
		send_review(p, COMMAND_UNDO, 0, NULL, 0);
		return PANE_HANDLED;
	case ACTION_REFRESH:
		post_load(p);
		return PANE_HANDLED;
	case ACTION_EXPAND:
		if (item >= FILE_ITEM && (size_t)(item - FILE_ITEM) < n) {
			d->sel = (size_t)(item - FILE_ITEM);
			pane_invalidate(p);
		}
		return PANE_HANDLED | PANE_REDRAW;
	default:
		return pane_move(p, a);
	}
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
};

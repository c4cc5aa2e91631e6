/* SPDX-License-Identifier: MIT */
/*
 * A connector's request for input (elicitation_needed): a form over the
 * overlay, one field per schema property (core/form.h), edited in the input
 * line as the IN_FORM mode of ui_prompt.c's stack; or, in url mode, the page
 * to open (copied with OSC 52) and a y/n question. Nothing is sent but what
 * the person chose: Enter sends a form that passes its schema, Esc declines.
 * Requests that come while one is shown wait in a queue.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/event.h"
#include "core/buf.h"
#include "core/form.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/pane.h"
#include "ui/ui_int.h"

struct ui_form {
	char *id, *server, *message;
	bool url_mode;
	char *url;
	struct form fm;
	size_t cur;	  /* the field being edited */
	struct editline line; /* its text as typed (ui_cur_input) */
	struct buf prompt;
	char *error;	  /* why Enter did not send, shown in the form */
	cJSON *queue;	  /* elicitation_needed events waiting to be shown */
};

static struct ui_form *
state(struct ui *u)
{
	if (!u->form) {
		u->form = xcalloc(1, sizeof *u->form);
		u->form->queue = json_new_arr();
	}
	return u->form;
}

/* Forget the request shown (the queue stays). */
static void
form_forget(struct ui_form *f)
{
	free(f->id);
	free(f->server);
	free(f->message);
	free(f->url);
	free(f->error);
	f->error = NULL;
	form_fini(&f->fm);
	editline_clear(&f->line);
	buf_clear(&f->prompt);
	f->id = f->server = f->message = f->url = NULL;
	f->url_mode = false;
	f->cur = 0;
}

void
ui_form_fini(struct ui *u)
{
	if (!u->form)
		return;
	form_forget(u->form);
	editline_fini(&u->form->line);
	buf_fini(&u->form->prompt);
	cJSON_Delete(u->form->queue);
	free(u->form);
	u->form = NULL;
}

static void
sanitized(struct buf *out, const char *s, bool keep_nl)
{
	draw_sanitize(out, s ? s : "", s ? strlen(s) : 0, keep_nl);
}

static const char *
label(const struct form_field *fd)
{
	return fd->title && *fd->title ? fd->title : fd->name;
}

/* The input line's prompt for the current field: "Age* (integer 0–150): ". */
static void
make_prompt(struct ui_form *f)
{
	const struct form_field *fd = &f->fm.f[f->cur];
	char *hint = form_field_hint(fd);

	buf_clear(&f->prompt);
	sanitized(&f->prompt, label(fd), false);
	buf_printf(&f->prompt, "%s (%s): ", fd->required ? "*" : "", hint);
	free(hint);
}

/* The overlay: the server's message, then every field with its value. */
static void
show_overlay(struct ui *u)
{
	struct ui_form *f = u->form;
	struct buf t = BUF_INIT, title = BUF_INIT;

	buf_printf(&t, "The connector '");
	sanitized(&t, f->server, false);
	buf_puts(&t, "' asks for input (nothing is sent unless you press Enter):\n\n");
	sanitized(&t, f->message, true);
	buf_puts(&t, "\n\n");
	for (size_t i = 0; i < f->fm.n; i++) {
		const struct form_field *fd = &f->fm.f[i];
		char *hint = form_field_hint(fd);

		buf_puts(&t, i == f->cur ? draw_mark("› ", "> ") : "  ");
		sanitized(&t, label(fd), false);
		buf_printf(&t, "%s: ", fd->required ? "*" : "");
		sanitized(&t, i == f->cur ? editline_text(&f->line) : fd->text, false);
		buf_puts(&t, "\n      ");
		sanitized(&t, hint, false);
		if (fd->description && *fd->description) {
			buf_puts(&t, " · ");
			sanitized(&t, fd->description, false);
		}
		buf_putc(&t, '\n');
		free(hint);
	}
	if (f->error) {
		buf_puts(&t, "\n! ");
		sanitized(&t, f->error, false);
		buf_putc(&t, '\n');
	}
	buf_puts(&t, "\n* required   Tab/Shift-Tab: field   Up/Down: choose   Enter: send   "
		     "Esc: decline\n");
	buf_puts(&title, "input for ");
	sanitized(&title, f->server, false);
	pane_help_set(&u->help, buf_cstr(&title), buf_cstr(&t));
	pane_help_set_keys(&u->help, "Enter sends, Esc declines");
	u->frame_all = true;
	buf_fini(&t);
	buf_fini(&title);
}

/* Field i becomes the one edited. */
static void
go_to(struct ui *u, size_t i)
{
	struct ui_form *f = u->form;

	f->cur = i;
	editline_set(&f->line, f->fm.f[i].text, strlen(f->fm.f[i].text));
	make_prompt(f);
	u->input_dirty = true;
}

/* The typed line into its field. */
static void
commit(struct ui_form *f)
{
	form_set_text(&f->fm, f->cur, editline_text(&f->line));
}

static void
send_answer(struct ui *u, const char *action, cJSON *content)
{
	/* Ours no more: the elicitation_decided it brings is not news to us. */
	struct command c = { .type = COMMAND_ELICIT, .id = u->form->id, .action = (char *)action,
			     .content = content };

	u->form->id = NULL;
	if (ui_send(u, &c, "ui-cmd") < 0) /* a refusal comes back as a message */
		log_info("workbench: elicit %s not sent: %s", c.id, err_msg());
	free(c.id);
}

static void show_next(struct ui *u);

/* The request shown is done with: its modes leave, the next one shows. */
static void
finish(struct ui *u)
{
	bool form = !u->form->url_mode; /* a url question had no overlay of ours */

	form_forget(u->form);
	if (form) {
		ui_mode_drop(u, IN_FORM);
		ui_mode_drop(u, IN_OVERLAY);
	}
	show_next(u);
}

static void
url_answered(struct ui *u, int key, void *ctx)
{
	(void)ctx;
	if (!u->form || !u->form->id)
		return;
	send_answer(u, key == 'y' ? "accept" : key == 'n' ? "decline" : "cancel", NULL);
	finish(u);
}

/* The queued request with id `id`, or -1. */
static int
queued(const struct ui_form *f, const char *id)
{
	for (int i = 0; i < cJSON_GetArraySize(f->queue); i++) {
		const char *q = json_str(cJSON_GetArrayItem(f->queue, i), "id");

		if (q && !strcmp(q, id))
			return i;
	}
	return -1;
}

/* Show request `ev` (an elicitation_needed event). */
static void
show(struct ui *u, const struct event *ev)
{
	struct ui_form *f = state(u);
	struct buf q = BUF_INIT;

	f->id = xstrdup(ev->id);
	f->server = xstrdup(ev->name ? ev->name : "?");
	f->message = xstrdup(ev->text ? ev->text : "");
	if (ev->mode && !strcmp(ev->mode, "url")) {
		f->url_mode = true;
		f->url = xstrdup(ev->url ? ev->url : "");
		bool copied = ui_copy_text(u, f->url, strlen(f->url)) == 0;
		/* The keys first: a long URL or message is cut at the edge. */
		buf_puts(&q, "Connector ");
		sanitized(&q, f->server, false);
		buf_puts(&q, " asks you to open ");
		sanitized(&q, f->url, false);
		buf_printf(&q, "%s: y I opened it, n decline, Esc cancel · ", copied ? " (copied)" : "");
		sanitized(&q, f->message, false);
		ui_ask(u, buf_cstr(&q), "yn", 0, url_answered, NULL);
		buf_fini(&q);
		return;
	}
	buf_fini(&q);
	if (form_from_schema(&f->fm, ev->data) < 0) { /* the engine checked it: rare */
		ui_message(u, true, "connector %s: %s: declined", f->server, err_msg());
		send_answer(u, "decline", NULL);
		form_forget(f);
		return;
	}
	if (f->fm.n)
		go_to(u, 0);
	else /* no fields: a confirmation */
		buf_puts(&f->prompt, "Enter: accept  Esc: decline ");
	show_overlay(u);
	if (u->mode != IN_OVERLAY)
		ui_mode_push(u, IN_OVERLAY, false);
	ui_mode_push(u, IN_FORM, false);
}

static void
show_next(struct ui *u)
{
	struct ui_form *f = u->form;
	cJSON *j;
	struct event ev;

	while (f && !f->id && (j = cJSON_DetachItemFromArray(f->queue, 0))) {
		if (event_from_json(&ev, j) == 0)
			show(u, &ev);
		cJSON_Delete(j);
	}
}

void
ui_form_needed(struct ui *u, const struct event *ev)
{
	struct ui_form *f = state(u);

	if (!ev->id)
		return;
	if (f->id && !strcmp(f->id, ev->id))
		return; /* shown already (the snapshot and the live event) */
	if (queued(f, ev->id) >= 0)
		return;
	json_add(f->queue, NULL, event_to_json(ev));
	show_next(u);
}

void
ui_form_decided(struct ui *u, const struct event *ev)
{
	struct ui_form *f = u->form;

	if (!f || !ev->id)
		return;
	int q = queued(f, ev->id);

	if (q >= 0)
		cJSON_DeleteItemFromArray(f->queue, q);
	if (!f->id || strcmp(f->id, ev->id))
		return;
	/* Answered elsewhere (another client) or gone with its call. */
	ui_message(u, false, "the input asked by %s was %s", f->server,
		   ev->status && !strcmp(ev->status, "accept") ? "given" : "withdrawn");
	bool url = f->url_mode;
	free(f->id);
	f->id = NULL; /* url_answered, run by the dismissal, sends nothing */
	if (url)
		ui_ask_dismiss(u, url_answered);
	finish(u);
}

void
ui_form_show_pending(struct ui *u, const cJSON *pending)
{
	const cJSON *j;
	struct event ev;

	cJSON_ArrayForEach(j, pending)
	{
		if (event_from_json(&ev, j) == 0 && ev.type == EVENT_ELICITATION_NEEDED)
			ui_form_needed(u, &ev);
	}
}

struct editline *
ui_form_line(struct ui *u)
{
	return &state(u)->line;
}

const char *
ui_form_prompt(const struct ui *u)
{
	return u->form ? buf_cstr(&u->form->prompt) : "";
}

void
ui_form_edited(struct ui *u)
{
	if (u->form && u->form->id && u->form->fm.n) {
		free(u->form->error); /* answered by the edit, or said again at Enter */
		u->form->error = NULL;
		show_overlay(u);
	}
}

void
ui_form_op(struct ui *u, enum ui_form_op op)
{
	struct ui_form *f = u->form;
	cJSON *content = NULL;
	size_t bad = 0;

	if (!f || !f->id)
		return;
	if (f->fm.n)
		commit(f);
	switch (op) {
	case UI_FORM_NEXT:
	case UI_FORM_PREV:
		if (f->fm.n)
			go_to(u, (f->cur + (op == UI_FORM_NEXT ? 1 : f->fm.n - 1)) % f->fm.n);
		break;
	case UI_FORM_UP:
	case UI_FORM_DOWN:
		if (f->fm.n && form_cycle(&f->fm, f->cur, op == UI_FORM_DOWN ? 1 : -1))
			go_to(u, f->cur);
		else if (f->fm.n)
			go_to(u, (f->cur + (op == UI_FORM_DOWN ? 1 : f->fm.n - 1)) % f->fm.n);
		break;
	case UI_FORM_SUBMIT:
		free(f->error);
		f->error = NULL;
		if (form_content(&f->fm, &content, &bad) < 0) {
			f->error = xstrdup(err_msg());
			go_to(u, bad);
			break;
		}
		send_answer(u, "accept", content);
		cJSON_Delete(content);
		finish(u);
		return;
	case UI_FORM_DECLINE:
		send_answer(u, "decline", NULL);
		finish(u);
		return;
	}
	show_overlay(u);
}

/* SPDX-License-Identifier: MIT */
/*
 * Connectors' prompts in the workbench: `:prompts` lists them, `:prompt
 * SERVER/NAME [ARG=VALUE …]` runs one as a task (the engine gets the prompt
 * from its server and starts the task with its messages), and Tab completes
 * SERVER/NAME from the engine's list (asked once, on the first Tab).
 */
#include <stdlib.h>
#include <string.h>

#include "agent/event.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/ui_int.h"

/* The prompts reply's rows as SERVER/NAME. */
static void
cache_names(struct ui *u, const cJSON *rows)
{
	const cJSON *row;

	if (!cJSON_IsArray(rows))
		return;
	strv_free(&u->prompt_names);
	strv_free(&u->prompt_args);
	cJSON_ArrayForEach(row, rows)
	{
		const char *s = json_str(row, "server"), *n = json_str(row, "name");
		const cJSON *a;
		struct buf args = BUF_INIT;

		if (!s || !n)
			continue;
		char *t = xasprintf("%s/%s", s, n);
		strv_add(&u->prompt_names, t);
		free(t);
		cJSON_ArrayForEach(a, json_arr(row, "arguments"))
		{
			const char *an = json_str(a, "name");

			/* a name with a space or '=' cannot be given on the line */
			if (an && *an && !strpbrk(an, " =\""))
				buf_printf(&args, "%s ", an);
		}
		strv_add(&u->prompt_args, buf_cstr(&args));
		buf_fini(&args);
	}
}

void
ui_prompts_list(struct ui *u)
{
	struct command c = { .type = COMMAND_PROMPTS };

	if (ui_send(u, &c, "ui-plist") == 0)
		ui_message(u, false, "listing the connectors' prompts…");
}

void
ui_prompts_on_list(struct ui *u, const struct event *ev)
{
	struct buf b = BUF_INIT, clean = BUF_INIT;
	const cJSON *row, *a;

	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(u, true, "prompts: %s", ev->text ? ev->text : "no list came back");
		return;
	}
	buf_clear(&u->msg);
	cache_names(u, ev->data);
	cJSON_ArrayForEach(row, ev->data)
	{
		const char *d = json_str(row, "description");

		buf_printf(&b, "%s/%s", json_str(row, "server") ? json_str(row, "server") : "?",
			   json_str(row, "name") ? json_str(row, "name") : "?");
		cJSON_ArrayForEach(a, json_arr(row, "arguments"))
		{
			const char *n = json_str(a, "name");
			bool req = json_bool(a, "required", false);

			buf_printf(&b, " %s%s=…%s", req ? "" : "[", n ? n : "?", req ? "" : "]");
		}
		if (d && *d)
			buf_printf(&b, "\n    %.*s", (int)strcspn(d, "\n"), d);
		buf_putc(&b, '\n');
	}
	if (!b.len)
		buf_puts(&b, "(no connector offers prompts)\n");
	else
		buf_puts(&b, "\nRun one with :prompt SERVER/NAME [ARG=VALUE …] (Tab completes)\n");
	draw_sanitize(&clean, b.ptr, b.len, true); /* the servers' text */
	ui_show_overlay(u, "prompts", buf_cstr(&clean));
	buf_fini(&clean);
	buf_fini(&b);
}

void
ui_prompts_complete(struct ui *u, const char *word)
{
	if (!u->prompt_names.n) { /* asked once; the reply completes */
		struct command c = { .type = COMMAND_PROMPTS };

		if (!u->compl_waiting && ui_send(u, &c, "ui-pcompl") == 0)
			u->compl_waiting = true;
		return;
	}
	const char *sp = strchr(word, ' ');

	if (!sp) {
		for (size_t i = 0; i < u->prompt_names.n; i++)
			if (!strncmp(u->prompt_names.v[i], word, strlen(word)))
				strv_add(&u->compl, u->prompt_names.v[i]);
		return;
	}
	/* ARG=VALUE …: the word at the cursor, unless inside quotes */
	const char *at = strrchr(word, ' ') + 1;
	size_t quotes = 0;

	for (const char *c = word; *c; c++)
		quotes += *c == '"';
	if (quotes % 2 || strchr(at, '='))
		return;
	u->compl_at += (size_t)(at - word);
	for (size_t i = 0; i < u->prompt_names.n && i < u->prompt_args.n; i++) {
		if (strlen(u->prompt_names.v[i]) != (size_t)(sp - word) ||
		    strncmp(u->prompt_names.v[i], word, (size_t)(sp - word)))
			continue;
		for (const char *a = u->prompt_args.v[i], *e; (e = strchr(a, ' ')); a = e + 1) {
			char *cand = xasprintf("%.*s=", (int)(e - a), a);
			char *given = xasprintf(" %s", cand);

			if (!strncmp(cand, at, strlen(at)) && !strstr(word, given))
				strv_add(&u->compl, cand);
			free(given);
			free(cand);
		}
	}
}

void
ui_prompts_on_compl(struct ui *u, const struct event *ev)
{
	u->compl_waiting = false;
	if (ev->type == EVENT_REPLY && ev->approved)
		cache_names(u, ev->data);
	if (u->mode == IN_COMMAND && u->prompt_names.n)
		ui_cmd_complete(u);
	u->input_dirty = true;
}

/* The next word of *p: up to a space, with "…" quoting (no escapes); *p
 * moves past it. Heap, or NULL at the end. */
static char *
next_word(const char **p)
{
	struct buf w = BUF_INIT;
	const char *s = *p + strspn(*p, " ");
	bool quoted = false;

	if (!*s) {
		*p = s;
		return NULL;
	}
	for (; *s && (quoted || *s != ' '); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			buf_putc(&w, *s);
	}
	*p = s;
	char *r = xstrdup(buf_cstr(&w));
	buf_fini(&w);
	return r;
}

void
ui_prompt_run(struct ui *u, char *arg)
{
	const char *p = arg;
	char *name = next_word(&p), *w;
	cJSON *args = json_new_obj();

	if (!name || !strchr(name, '/')) {
		ui_message(u, true, "usage: :prompt SERVER/NAME [ARG=VALUE …] (:prompts lists them)");
		goto out;
	}
	while ((w = next_word(&p))) {
		char *eq = strchr(w, '=');

		if (!eq || eq == w) {
			ui_message(u, true, ":prompt: '%s' is not ARG=VALUE", w);
			free(w);
			goto out;
		}
		*eq = '\0';
		json_add_str(args, w, eq + 1);
		free(w);
	}
	struct command c = { .type = COMMAND_PROMPT, .text = name, .content = args };
	if (ui_send(u, &c, "ui-prompt") == 0) {
		ui_message(u, false, "getting the prompt %s…", name);
		ui_busy(u, 1);
		u->prompting = true;
	}
out:
	cJSON_Delete(args);
	free(name);
}

void
ui_prompt_on_reply(struct ui *u, const struct event *ev)
{
	const char *text = json_str(ev->data, "text");

	ui_busy(u, -1);
	u->prompting = false;
	if (ev->type == EVENT_ERROR || !ev->approved || !text) {
		ui_message(u, true, "%s", ev->text ? ev->text : "the prompt did not start");
		return;
	}
	buf_clear(&u->msg);
	if (ev->text && *ev->text) /* a steer: the agent reads it at its next turn */
		ui_message(u, false, "%s", ev->text);
	else
		ui_task_shown(u, text);
}

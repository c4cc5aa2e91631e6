/* SPDX-License-Identifier: MIT */
/*
 * Elicitations waiting for the person (elicit.h): MCP's elicitation/create
 * (2025-11-25) and input_required (2026-07-28) as the mcp/ client hands them
 * to the host, never accepted by the engine itself (spec: "Clients MUST …
 * provide clear options to decline or cancel"; the person decides).
 */
#include "engine/elicit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/form.h"
#include "core/json.h"
#include "core/xalloc.h"

struct pending {
	char *id;
	char *server;
	cJSON *event;	/* its elicitation_needed event, as JSON (snapshot) */
	cJSON *schema;	/* form: the schema answers are checked against */
	elicit_answer_fn *fn;
	void *ctx;
};

struct elicit_set {
	event_sink_fn *emit;
	void *emit_ctx;
	ARRAY(struct pending) v;
	unsigned long seq;
};

/* The answers an "elicit" command may give. */
static const char *const actions[] = { "accept", "decline", "cancel" };

struct elicit_set *
elicit_set_new(event_sink_fn *emit, void *emit_ctx)
{
	struct elicit_set *s = xcalloc(1, sizeof *s);

	s->emit = emit;
	s->emit_ctx = emit_ctx;
	return s;
}

static void
pending_fini(struct pending *p)
{
	free(p->id);
	free(p->server);
	cJSON_Delete(p->event);
	cJSON_Delete(p->schema);
}

void
elicit_set_free(struct elicit_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->v.n; i++)
		pending_fini(&s->v.v[i]);
	ARRAY_FREE(&s->v);
	free(s);
}

static size_t
find(const struct elicit_set *s, const char *id)
{
	size_t i;

	for (i = 0; id && i < s->v.n; i++)
		if (!strcmp(s->v.v[i].id, id))
			break;
	return id ? i : s->v.n;
}

/* Take entry i out (its storage goes to *out) and tell the clients. */
static void
take(struct elicit_set *s, size_t i, const char *action, struct pending *out)
{
	*out = s->v.v[i];
	memmove(&s->v.v[i], &s->v.v[i + 1], (s->v.n - i - 1) * sizeof *s->v.v);
	s->v.n--;
	s->emit(&(struct event){ .type = EVENT_ELICITATION_DECIDED, .id = out->id,
				 .name = out->server, .status = action },
		s->emit_ctx);
}

const char *
elicit_post(struct elicit_set *s, const char *server, const cJSON *params, elicit_answer_fn *fn,
	    void *ctx)
{
	const char *mode = json_str(params, "mode");
	const char *url = json_str(params, "url");
	const cJSON *schema = json_obj(params, "requestedSchema");
	struct form fm;
	char id[32];

	if (!mode)
		mode = "form"; /* 2025-06-18 requests carry no mode */
	if (!strcmp(mode, "form") && form_from_schema(&fm, schema) == 0) {
		form_fini(&fm);
	} else if (strcmp(mode, "url") || !url || !*url) {
		char *m = !strcmp(mode, "form")
				  ? xasprintf("connector %s asked for input with a form that cannot "
					      "be shown (%s): declined",
					      server, err_msg())
				  : xasprintf("connector %s asked for input in an unknown mode "
					      "'%.20s' (or a url mode without a url): declined",
					      server, mode);
		s->emit(&(struct event){ .type = EVENT_ERROR, .text = m }, s->emit_ctx);
		free(m);
		fn("decline", NULL, ctx);
		return NULL;
	}
	snprintf(id, sizeof id, "el-%lu", ++s->seq);
	struct event ev = { .type = EVENT_ELICITATION_NEEDED,
			    .id = id,
			    .name = server,
			    .mode = mode,
			    .text = json_str(params, "message") ? json_str(params, "message") : "",
			    .data = !strcmp(mode, "form") ? schema : NULL,
			    .url = !strcmp(mode, "url") ? url : NULL };
	struct pending p = { .id = xstrdup(id), .server = xstrdup(server),
			     .event = event_to_json(&ev), .schema = json_dup(ev.data),
			     .fn = fn, .ctx = ctx };

	ARRAY_PUSH(&s->v, p);
	s->emit(&ev, s->emit_ctx);
	/* A client may answer within the emit (a local one declines at once). */
	size_t i = find(s, id);
	return i < s->v.n ? s->v.v[i].id : NULL;
}

int
elicit_answer(struct elicit_set *s, const char *id, const char *action, const cJSON *content)
{
	size_t i = find(s, id), a;
	struct pending p;
	int rc;

	if (i == s->v.n)
		return err_setc(DH_ENOTFOUND, "elicit: no elicitation '%s' waits", id ? id : "");
	for (a = 0; a < sizeof actions / sizeof *actions; a++)
		if (action && !strcmp(actions[a], action))
			break;
	if (a == sizeof actions / sizeof *actions)
		return err_setc(DH_EPARSE, "elicit: action must be accept, decline or cancel, "
					   "not '%.20s'",
				action ? action : "");
	if (a == 0 && s->v.v[i].schema &&
	    (rc = form_validate(s->v.v[i].schema, content ? content : NULL)) < 0)
		return err_setc(rc, "elicit: %s", err_msg());
	if (a != 0 || !s->v.v[i].schema)
		content = NULL; /* only an accepted form carries content */
	take(s, i, actions[a], &p);
	if (a == 0 && p.schema && !content) {
		cJSON *empty = json_new_obj();

		p.fn(actions[a], empty, p.ctx);
		cJSON_Delete(empty);
	} else {
		p.fn(actions[a], content, p.ctx);
	}
	pending_fini(&p);
	return 0;
}

void
elicit_end(struct elicit_set *s, const char *id)
{
	size_t i = find(s, id);
	struct pending p;

	if (i == s->v.n)
		return;
	take(s, i, "cancel", &p);
	pending_fini(&p);
}

void
elicit_cancel_all(struct elicit_set *s)
{
	while (s->v.n) {
		struct pending p;

		take(s, 0, "cancel", &p);
		p.fn("cancel", NULL, p.ctx);
		pending_fini(&p);
	}
}

cJSON *
elicit_pending_json(const struct elicit_set *s)
{
	cJSON *a = json_new_arr();

	for (size_t i = 0; i < s->v.n; i++)
		json_add(a, NULL, json_dup(s->v.v[i].event));
	return a;
}

size_t
elicit_count(const struct elicit_set *s)
{
	return s->v.n;
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_ELICIT_H
#define DH_ENGINE_ELICIT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "agent/event.h"
#include "core/err.h"

/*
 * The elicitations waiting for the person (engine-internal: the connector
 * host, mcp_host.c, posts them; the engine's "elicit" command answers). A server's request for input becomes an elicitation_needed
 * event to every client; the first valid "elicit" command answers it (an
 * elicitation_decided event follows) and goes back to the server through the
 * host's answer function. Nothing here answers on the person's behalf except
 * a form whose schema cannot be shown, which is declined. Loop thread only.
 */

struct elicit_set;

/* How an answer reaches the server: action "accept" (content the checked
 * answer, borrowed), "decline" or "cancel" (content NULL). */
typedef void elicit_answer_fn(const char *action, const cJSON *content, void *ctx);

/* A set whose events go to `emit` (the engine's fan-out). Caller owns it. */
struct elicit_set *elicit_set_new(event_sink_fn *emit, void *emit_ctx);
/* Forget every waiting elicitation without answering (the host's servers
 * are gone by then). NULL-safe. */
void elicit_set_free(struct elicit_set *s);

/* Server `server` asks (params as mcp.h's on_elicit: {mode, message,
 * requestedSchema | url}). Emits elicitation_needed and returns its id
 * (borrowed, valid until answered or ended), or NULL when it is answered
 * already: declined at once (a form schema that cannot be shown, an unknown
 * mode: an "error" event says why), or answered by a client during the
 * emit. `fn` has run then. */
const char *elicit_post(struct elicit_set *s, const char *server, const cJSON *params,
			elicit_answer_fn *fn, void *ctx);
/* Answer elicitation `id`: the content of an accepted form is checked
 * against its schema first. 0, or DH_ENOTFOUND (no such elicitation waits),
 * DH_EPARSE (a bad action, content that does not fit: err_msg() names the
 * field); nothing is answered then. */
int elicit_answer(struct elicit_set *s, const char *id, const char *action,
		  const cJSON *content) DH_MUST_CHECK;
/* The request is gone (its call ended or was cancelled, its server
 * closed): clients are told ("cancel"); the answer function does not run.
 * Unknown ids are ignored. */
void elicit_end(struct elicit_set *s, const char *id);
/* The task ended: every waiting request is answered "cancel" (the person
 * dismissed it; its call is over) and the clients are told. */
void elicit_cancel_all(struct elicit_set *s);
/* The waiting elicitation_needed events, oldest first: a new array. */
cJSON *elicit_pending_json(const struct elicit_set *s);
/* Elicitations waiting. */
size_t elicit_count(const struct elicit_set *s);

#endif

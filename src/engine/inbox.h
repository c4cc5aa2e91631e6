/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_INBOX_H
#define DH_ENGINE_INBOX_H

#include <cJSON.h>

#include "core/err.h"

/*
 * The inbox (docs/inbox.md): the sessions nobody watched (meta.json
 * "origin" other than "workbench": a detached, headless or scheduled run)
 * that need the person: a live one waiting for an approval, or a finished
 * one with files pending review or an end other than "done". An entry
 * leaves when everything is accepted (or rejected) and the run was done, or
 * when dismissed (sessions/ID/inbox-dismissed holds the meta's "updated"
 * then; a later run of the session brings it back). Engine-internal; clients
 * use client_inbox() and client_inbox_dismiss() (engine/client.h) or the
 * "inbox" command. Any thread (blocking file and socket I/O: a worker job in
 * the engine).
 */

/* Files pending review over the grants of session `id` ("grants" of its
 * meta); -1 when a grant is gone or its store cannot be read. */
long inbox_pending(const char *state, const char *id, const cJSON *grants);

/* The state a session list shows for session `id`: the "status" of its
 * meta.json as session_meta_read() gives it (a "running" whose owner died
 * reads "interrupted"), except for "running" (or none), which is what its
 * live engine is doing ("working", "waiting" for an approval, ...: its
 * activity in `live`, an array from client_list_live()), or "running"
 * when it has no engine socket (a foreground run). The string is borrowed
 * from meta or live, or static. */
const char *inbox_session_state(const cJSON *meta, const cJSON *live, const char *id);

/* The inbox under STATE, newest first: a new array of {id, status, state
 * ("waiting" or the status), waiting, live, summary, task, pending (null =
 * unknown), origin, schedule (null when none), updated (s)} the caller owns.
 * The live sessions' states come from their engines (client_list_live).
 * A session whose meta.json is missing or cannot be read is an entry too,
 * never skipped: status and state "unreadable", "error" the reason
 * (session_meta_read()'s message, naming the file), "updated" the second
 * its id begins with. Every session is looked at, however old; one that
 * ended done with nothing pending gets the dismissal mark (its "updated"),
 * so later listings skip it without opening its stores. DH_EFAIL when the
 * sessions cannot be listed. */
int inbox_list(const char *state, cJSON **out) DH_MUST_CHECK;

/* Take session `id` off the inbox until it runs again: 0. One whose
 * meta.json is missing or cannot be read is taken off until it reads again
 * (the mark holds "unreadable"): 1, with err_msg() saying what is wrong
 * (session_meta_read()'s message). DH_ENOTFOUND (no such directory, or a
 * readable session the inbox does not list: nothing is written, the
 * message says so),
 * DH_EDENIED (a live run waiting for an approval: it stays listed while it
 * waits; nothing is written, the message says how to answer it), DH_EFAIL
 * (the mark could not be written; the message names the file). */
int inbox_dismiss(const char *state, const char *id) DH_MUST_CHECK;

#endif

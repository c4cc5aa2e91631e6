/* SPDX-License-Identifier: MIT */
#ifndef DH_SESSION_SESSION_H
#define DH_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * Sessions on disk (DESIGN.md "Data on disk"): STATE/sessions/ID/ holds
 * transcript.jsonl (append-only, one JSON object a line, fsynced per record)
 * and meta.json (replaced atomically). Transcript records are the engine's
 * events plus {"type":"history","message":{role, content}} records, which
 * hold the model conversation exactly as sent, so a session can be resumed
 * ({"type":"history_replace_last"} drops the previous history record: the
 * file stays append-only when a resume merges into the last user message).
 * IDs are "YYYYMMDD-HHMMSS-xxxx" (UTC), so they sort by creation time.
 */

struct session;

/* Create a new session directory under `state_dir` (created if needed). */
int session_create(struct session **out, const char *state_dir) DH_MUST_CHECK;
/* Open an existing session for appending. `spec` is an id, a unique prefix of
 * one, or NULL/"latest" for the newest. DH_ENOTFOUND names what was missing. */
int session_open(struct session **out, const char *state_dir, const char *spec) DH_MUST_CHECK;
void session_close(struct session *s); /* NULL-safe */

const char *session_id(const struct session *s);
const char *session_dir(const struct session *s);

/* Append `record` as one line and fsync. A "ts" (Unix ms) field is added if
 * absent. DH_EFAIL on I/O errors (disk full): the caller reports it; the
 * previous records stay intact because each is a single write. */
int session_append(struct session *s, const cJSON *record) DH_MUST_CHECK;

/* Replace meta.json atomically with `meta`. */
int session_meta_write(struct session *s, const cJSON *meta) DH_MUST_CHECK;
/* Read STATE/sessions/ID/meta.json; caller owns *out. */
int session_meta_read(const char *state_dir, const char *id, cJSON **out) DH_MUST_CHECK;

/* Rebuild the conversation from the transcript's history records: a new
 * cJSON array of {role, content} owned by the caller. A torn last line (crash
 * mid-write) is ignored; other malformed lines are DH_EPARSE naming the line. */
int session_history_load(struct session *s, cJSON **out) DH_MUST_CHECK;

/* Session ids under state_dir, oldest first. Caller frees each and the array. */
int session_list(const char *state_dir, char ***out, size_t *n) DH_MUST_CHECK;

/* Resolve `spec` (id, unique prefix, NULL/"latest") to a full id; heap string. */
int session_resolve(const char *state_dir, const char *spec, char **out) DH_MUST_CHECK;

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_SESSION_SESSION_H
#define DH_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * Sessions on disk (DESIGN.md "Data on disk"): STATE/sessions/ID/ holds
 * transcript.jsonl (append-only, one JSON object a line; made durable in
 * groups by session_sync(), and when closed)
 * and meta.json (replaced atomically). Transcript records are the engine's
 * events plus {"type":"history","message":{role, content}} records, which
 * hold the model conversation exactly as sent, so a session can be resumed
 * ({"type":"history","replace_last":true,...} takes the place of the previous
 * history record: the file stays append-only when a resume merges into the
 * last user message; {"type":"history_replace_last"}, which drops the
 * previous one, is what versions before it wrote first, and is still read;
 * {"type":"history_compact","message":NOTE,"keep":N} replaces every message
 * before the last N by NOTE, the summary a compaction wrote: the records
 * before it stay, so the transcript keeps everything).
 * IDs are "YYYYMMDD-HHMMSS-xxxx" (UTC); they name a session, they do not order
 * sessions: meta.json's "started_ns" does (two ids of one second differ only
 * in their random suffix).
 *
 * A session directory always has its meta.json: it is built as
 * sessions/.new-ID and renamed into place. One without it (an older
 * version's start that did not finish, or a removed file) is damaged; it is
 * listed by session_list_all() and named by its id, never taken for latest. The process that has a session open
 * holds flock(LOCK_EX) on its transcript; a session whose meta.json says
 * "running" while nobody holds the lock reads as "interrupted" (its owner died).
 */

struct session;

/* Create a new session under `state_dir`/sessions (created if needed), whole:
 * meta.json (a copy of `meta`, NULL for {}, plus "id", "started_ns" and, when
 * absent, "status": "running" and "created" in Unix seconds) and an empty
 * locked transcript are written in a temporary directory that is then renamed
 * into place; none of it waits for the disk (a crash of the process loses
 * nothing), the first session_sync() makes it all durable. "started_ns" is CLOCK_REALTIME in ns as a decimal
 * string, raised above every existing session's so that `latest` is this one
 * even when the clock went back. That start is kept in
 * `state_dir`/sessions.latest with the sessions directory's inode, link
 * count and mtime, and read from there while the directory is unchanged
 * since, so a launch does not look through every session; otherwise (a
 * session added, removed or renamed by other means, an index missing or
 * damaged) the directory is looked through, and temporary directories
 * whose creator died are removed on the way. A creation holds the index's
 * lock while it makes the session; one that finds it held is not held up
 * and looks through the directory. DH_EFAIL (naming the path) on I/O
 * errors; nothing is left. */
int session_create(struct session **out, const char *state_dir, const cJSON *meta) DH_MUST_CHECK;
/* Open an existing session for appending. `spec` is an id, a unique prefix of
 * one, or NULL/"latest" for the most recently started. DH_ENOTFOUND names what
 * was missing; DH_EFAIL when another process has it open, or when it is
 * damaged (session_meta_read(): checked before the transcript is opened, so
 * a damaged session's transcript is left untouched). A partial last line
 * (a crash or a full disk mid-record) is cut off and noted (session_take_notes()). */
int session_open(struct session **out, const char *state_dir, const char *spec) DH_MUST_CHECK;
/* NULL-safe; syncs what session_sync() has not (teardown: it may wait for
 * the disk), then releases the lock. */
void session_close(struct session *s);

const char *session_id(const struct session *s);
const char *session_dir(const struct session *s);
/* What opening and loading repaired or skipped since the last call, one
 * "FILE[:LINE]: what" line each (no final newline), for the person; NULL when
 * nothing. Caller frees. */
char *session_take_notes(struct session *s);

/* Append `record` as one line with one write(2), without waiting for the
 * disk: a crash of the process loses nothing once this returned (the kernel
 * has the line); session_sync() makes it survive a crash of the machine. A
 * "ts" (Unix ms) field is added if absent. All or nothing: on a failed or
 * short write (disk full) the file is cut back to where the record began,
 * and DH_EFAIL names the file and the reason; the caller reports it. */
int session_append(struct session *s, const cJSON *record) DH_MUST_CHECK;
/* fdatasync the transcript: every record appended before the call is on the
 * disk when it returns 0 (the first call after session_create() also fsyncs
 * meta.json and the directories). Blocks on the disk, so the engine runs it on its
 * worker (group commit: one per turn and before a call that changes files,
 * whatever the number of records); it may run there while the loop thread
 * appends. DH_EFAIL names the file and the reason. */
int session_sync(struct session *s) DH_MUST_CHECK;

/* Bytes of meta.json that session_meta_read() takes; session_meta_write()
 * refuses to write more (the old file stays), so a session never becomes
 * unreadable by its own meta. */
#define SESSION_META_MAX ((size_t)1 << 20)
/* Bytes of "task" kept in meta.json; a longer one is cut there, with "…",
 * and marked "task_cut": true (session_meta_write() keeps a "task_cut" it is
 * given, so a writer carries it over). */
#define SESSION_TASK_MAX ((size_t)4 << 10)
/* Characters of a session id session_create() makes: "YYYYmmdd-HHMMSS-xxxx". */
#define SESSION_ID_LEN 20

/* Replace meta.json atomically with `meta` plus the session's own "id" and
 * "started_ns" (kept whatever `meta` holds). DH_EFAIL naming the file when
 * the write fails or the text would exceed SESSION_META_MAX. */
int session_meta_write(struct session *s, const cJSON *meta) DH_MUST_CHECK;
/* Read STATE/sessions/ID/meta.json; caller owns *out. A "running" status whose
 * owner is gone (see above) reads as "interrupted". DH_ENOTFOUND when there is
 * no such session directory; DH_EFAIL when the directory has no meta.json
 * (the message names the file, says the session is damaged and what the
 * person can do), or it cannot be read or parsed (the message names it). */
int session_meta_read(const char *state_dir, const char *id, cJSON **out) DH_MUST_CHECK;
/* Whether session `id`'s meta.json says "running" while no process owns the
 * session (session_meta_read() reads that as "interrupted"): its engine was
 * killed or crashed before the task ended, and nothing has resumed it. False
 * when the record cannot be read. */
bool session_lost(const char *state_dir, const char *id);

/* A session's totals: its model turns, the tokens and the USD its requests
 * used (cost_usd: priced requests only). Read from files anyone may have
 * edited, each count is brought into [0, SESSION_TURNS_MAX] or [0,
 * SESSION_TOKENS_MAX], so that the run that goes on from them can add to
 * them without overflow, and the sums stay exact in a JSON number. */
#define SESSION_TURNS_MAX  (1LL << 30)
#define SESSION_TOKENS_MAX (1LL << 50)
struct session_totals {
	long long turns;
	long long input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens;
	double cost_usd;   /* the priced requests' (what the cost caps count) */
	bool cost_unknown; /* a billed request had no price: the session's cost is not known */
};

/* The totals of session `id` under `state_dir` whose meta.json is `meta`
 * (session_meta_read()): meta.json's, or its transcript's where that is
 * further along. meta.json is saved when a turn's tool calls end, so an
 * engine killed during one leaves it a turn behind; the transcript has the
 * turn's turn_started record and the usage record of its request, whose
 * totals ("total_cost_usd", "total_input_tokens", ...) are the session's.
 * Reads the transcript from its end, only back to the records needed (its
 * last turn_started, and a usage record when meta.json lacks that turn);
 * a partial last line is ignored. *out is filled in any case (meta.json's
 * figures when the transcript cannot be read); returns 0, or DH_EFAIL
 * naming the transcript when it could not be read (none: 0). */
int session_totals(const char *state_dir, const char *id, const cJSON *meta,
		   struct session_totals *out);

/* Append a "task" record with the text of a task that is accepted before
 * its message reaches the history (a follow-up, while its agent is made;
 * a steer, which the agent records the same way while its task runs):
 * one write(2), as session_append(), so an engine killed meanwhile loses
 * nothing of what the person asked for. DH_EFAIL as session_append(). */
int session_append_task(struct session *s, const char *task) DH_MUST_CHECK;

/* Answer the last `tasks` "task" records, those of a task that failed
 * before its agent was made and of the steers sent while it started (the
 * person was told why, and that the steers were not sent):
 * {"type":"task_failed","text":WHY,"tasks":TASKS}, after which
 * session_history_load() no longer brings their texts back (the tasks
 * pending before them, whose engines died, are pending again). One
 * write(2), DH_EFAIL as session_append(). */
int session_append_task_failed(struct session *s, const char *why, size_t tasks) DH_MUST_CHECK;

/* Rebuild the conversation from the transcript's history records: a new
 * cJSON array of {role, content} owned by the caller. A last line without its
 * newline (being written, or torn) is ignored; any other malformed line is
 * skipped, with a note naming FILE:LINE and the reason (session_take_notes(), and
 * the debug log), and the records after it still count. The "task" records
 * (session_append_task) with no user-role "history" record after them (the
 * person's message that carries them; the model's answer does not), tasks
 * and steers whose message never reached the history, but those a
 * "task_failed" answered
 * (each answers the last ones still unanswered, its "tasks", 1 when it has
 * none), end the array as one user
 * message {role, content: [{type "text", text}, ...], "task_pending": true},
 * a text block each, in the order they were written: the agent that starts
 * next takes the mark off (agent_start()). */
int session_history_load(struct session *s, cJSON **out) DH_MUST_CHECK;

/* Session ids under state_dir, in the order they started (oldest first; ties,
 * which need equal ns, by id): the whole sessions only, those with a
 * meta.json. Caller frees each and the array. DH_EFAIL naming the directory
 * when it cannot be read (none yet: 0 sessions). */
int session_list(const char *state_dir, char ***out, size_t *n) DH_MUST_CHECK;
/* As session_list(), plus the directories under STATE/sessions that have no
 * meta.json (a start that did not finish, by an older version or a crash, or
 * a file someone removed): those are damaged sessions, placed by the second
 * their id begins with, and session_meta_read() says what is wrong with
 * them. For whatever lists sessions to a person, who must see them. */
int session_list_all(const char *state_dir, char ***out, size_t *n) DH_MUST_CHECK;
/* The second an id begins with ("YYYYmmdd-HHMMSS", UTC, as session_create
 * names a session), in seconds since the epoch; 0 when it begins with none. */
long long session_id_time(const char *id);

/* Resolve `spec` to a full id (heap string): NULL or "latest" is the latest
 * whole session (session_list(); the one sessions.latest names while it
 * holds and that session has its meta.json, see session_create()); an id or a unique prefix of one may name a
 * damaged one too (session_list_all()), whose session_meta_read() then says
 * what is missing. DH_ENOTFOUND when nothing or more than one matches;
 * DH_EPARSE for an empty spec (session_spec_empty()). */
int session_resolve(const char *state_dir, const char *spec, char **out) DH_MUST_CHECK;
/* The error of an empty session id (""), which session_resolve() and the
 * live engines' lookup refuse rather than take as a prefix of every id:
 * DH_EPARSE, the message naming it. For callers that check an id first. */
int session_spec_empty(void);

#endif

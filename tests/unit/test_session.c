/* SPDX-License-Identifier: MIT */
/* Session store: ids, append + history rebuild, torn and corrupt lines,
 * start order, atomic creation, the owner's lock. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/xalloc.h"
#include "session/session.h"

static char *
tmpstate(void)
{
	char tmpl[] = "/tmp/dhsessXXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
append_history(struct session *s, const char *role, const char *text)
{
	cJSON *r = json_new_obj(), *m = json_new_obj();

	json_add_str(r, "type", "history");
	json_add_str(m, "role", role);
	json_add_str(m, "content", text);
	json_add(r, "message", m);
	cr_assert_eq(session_append(s, r), 0);
	cJSON_Delete(r);
}

Test(session, history_roundtrip_and_torn_tail)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "task");
	cJSON *ev = json_new_obj();
	json_add_str(ev, "type", "turn_started");
	cr_assert_eq(session_append(s, ev), 0);
	cJSON_Delete(ev);
	append_history(s, "assistant", "answer");
	append_history(s, "user", "more");
	cJSON *rep = json_new_obj();
	json_add_str(rep, "type", "history_replace_last");
	cr_assert_eq(session_append(s, rep), 0);
	cJSON_Delete(rep);
	append_history(s, "user", "more, merged");
	/* a crash mid-write leaves a torn last line */
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	int fd = open(p, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "{\"type\":\"hist", 13), 13);
	close(fd);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, 2), "content"), "more, merged");
	cJSON_Delete(h);

	char *id = xstrdup(session_id(s));
	session_close(s);
	char *got;
	cr_assert_eq(session_resolve(state, NULL, &got), 0);
	cr_assert_str_eq(got, id);
	free(got);
	cr_assert_eq(session_resolve(state, "19990101", &got), DH_ENOTFOUND);
	cr_assert_eq(session_open(&s, state, id), 0);
	session_close(s);
	free(id);
	free(p);
	free(state);
}

Test(session, latest_is_the_last_started_within_one_second)
{
	char *state = tmpstate();

	for (int i = 0; i < 20; i++) {
		struct session *s;
		char *got;

		cr_assert_eq(session_create(&s, state, NULL), 0);
		cr_assert_eq(session_resolve(state, "latest", &got), 0);
		cr_assert_str_eq(got, session_id(s), "creation %d", i);
		free(got);
		session_close(s);
	}
	char **ids;
	size_t n;
	cr_assert_eq(session_list(state, &ids, &n), 0);
	cr_assert_eq(n, 20);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(state);
}

/* A new session starts after the latest one there even when the clock is
 * behind it (set back, or a session copied from a machine ahead), found
 * without reading every meta.json: by the greatest start second among the
 * ids, past one that is only an empty directory. */
Test(session, starts_after_a_session_from_the_future)
{
	char *state = tmpstate();
	char *sessions = xasprintf("%s/sessions", state);
	/* 2200-01-01T00:00:00.5Z; then an empty directory of the second after */
	char *ahead = xasprintf("%s/22000101-000000-0001", sessions);
	char *empty = xasprintf("%s/22000101-000001-ffff", sessions);
	char *mp = xasprintf("%s/meta.json", ahead);
	struct session *older, *s;
	cJSON *meta;

	cr_assert_eq(session_create(&older, state, NULL), 0);
	session_close(older);
	cr_assert_eq(mkdir(ahead, 0700), 0);
	cr_assert_eq(mkdir(empty, 0700), 0);
	FILE *f = fopen(mp, "w");
	cr_assert_not_null(f);
	fputs("{\"status\": \"done\", \"started_ns\": \"7258118400500000000\"}\n", f);
	fclose(f);
	cr_assert_eq(session_create(&s, state, NULL), 0);
	cr_assert_eq(session_meta_read(state, session_id(s), &meta), 0);
	cr_assert_str_eq(json_str(meta, "started_ns"), "7258118400500000001");
	cJSON_Delete(meta);
	cr_assert_eq(strncmp(session_id(s), "22000101-000000-", 16), 0, "%s", session_id(s));
	char *got;
	cr_assert_eq(session_resolve(state, "latest", &got), 0);
	cr_assert_str_eq(got, session_id(s));
	free(got);
	char **ids;
	size_t n;
	cr_assert_eq(session_list(state, &ids, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(ids[1], "22000101-000000-0001");
	cr_assert_str_eq(ids[2], session_id(s));
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	session_close(s);
	free(mp);
	free(empty);
	free(ahead);
	free(sessions);
	free(state);
}

static off_t
file_size(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return st.st_size;
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = xcalloc(1, 1 << 16);

	cr_assert_not_null(f);
	size_t n = fread(text, 1, (1 << 16) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

Test(session, append_is_all_or_nothing)
{
	char *state = tmpstate();
	struct session *s;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "kept");
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	off_t before = file_size(p);
	/* A file size limit is a full disk that takes part of the record. */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = { .rlim_cur = (rlim_t)before + 10, .rlim_max = RLIM_INFINITY };
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cJSON *r = json_new_obj(), *m = json_new_obj();
	json_add_str(r, "type", "history");
	json_add_str(m, "role", "assistant");
	json_add_str(m, "content", "a record longer than ten bytes, which cannot fit");
	json_add(r, "message", m);
	cr_assert_eq(session_append(s, r), DH_EFAIL);
	cr_assert(strstr(err_msg(), "transcript.jsonl: "), "%s", err_msg());
	cr_assert_eq(file_size(p), before, "the partial record was left");
	rl.rlim_cur = RLIM_INFINITY;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(session_append(s, r), 0);
	cJSON_Delete(r);
	char *text = read_all(p);
	cr_assert_eq(text[strlen(text) - 1], '\n');
	cr_assert_null(strstr(text, "}{"));
	cJSON *h;
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 2);
	cJSON_Delete(h);
	free(text);
	session_close(s);
	free(p);
	free(state);
}

Test(session, open_cuts_a_torn_tail_and_load_skips_a_corrupt_line)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "one");
	append_history(s, "assistant", "two");
	char *id = xstrdup(session_id(s));
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	session_close(s);
	off_t whole = file_size(p);
	int fd = open(p, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "{\"type\":\"hist", 13), 13);
	close(fd);
	cr_assert_eq(session_open(&s, state, id), 0);
	cr_assert_eq(file_size(p), whole, "the torn tail is still there");
	char *notes = session_take_notes(s);
	cr_assert(notes && strstr(notes, "transcript.jsonl: cut a partial last line (13 bytes)"),
		  "%s", notes ? notes : "(none)");
	free(notes);
	cr_assert_null(session_take_notes(s));
	/* a corrupt line in the middle: line 2 of 3 */
	fd = open(p, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "{\"type\":\"hist\n", 14), 14);
	close(fd);
	append_history(s, "user", "three");
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, 2), "content"), "three");
	cJSON_Delete(h);
	notes = session_take_notes(s);
	char *want = xasprintf("%s:3: ", p);
	cr_assert(notes && strstr(notes, want) && strstr(notes, "line skipped"), "%s",
		  notes ? notes : "(none)");
	free(want);
	free(notes);
	session_close(s);
	free(id);
	free(p);
	free(state);
}

/* A line overwritten with NUL bytes (a damaged block) costs that line: the
 * records after it still load, and the note names the line. */
Test(session, a_nul_line_costs_that_line_only)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "one");
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	off_t at = file_size(p);
	append_history(s, "assistant", "two");
	off_t two = file_size(p) - at;
	append_history(s, "user", "three");
	int fd = open(p, O_WRONLY);
	char *zeros = xcalloc(1, (size_t)two - 1);

	cr_assert_eq(pwrite(fd, zeros, (size_t)two - 1, at), two - 1); /* keeps its newline */
	close(fd);
	free(zeros);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, 0), "content"), "one");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, 1), "content"), "three");
	cJSON_Delete(h);
	/* its line number: one more than the newlines before it */
	FILE *f = fopen(p, "r");
	int line = 1;

	cr_assert(f);
	for (off_t i = 0; i < at; i++)
		line += fgetc(f) == '\n';
	fclose(f);
	char *notes = session_take_notes(s), *want = xasprintf("%s:%d: ", p, line);

	cr_assert(notes && strstr(notes, want) && strstr(notes, "line skipped"), "%s",
		  notes ? notes : "(none)");
	free(want);
	free(notes);
	session_close(s);
	free(p);
	free(state);
}

Test(session, created_whole_and_interrupted_once_its_owner_is_gone)
{
	char *state = tmpstate();
	struct session *s, *again;
	cJSON *meta, *in = json_new_obj();

	json_add_str(in, "task", "the task");
	cr_assert_eq(session_create(&s, state, in), 0);
	cJSON_Delete(in);
	cr_assert_eq(session_meta_read(state, session_id(s), &meta), 0);
	cr_assert_str_eq(json_str(meta, "task"), "the task");
	cr_assert_str_eq(json_str(meta, "id"), session_id(s));
	cr_assert_str_eq(json_str(meta, "status"), "running");
	cr_assert_not_null(json_str(meta, "started_ns"));
	char *started = xstrdup(json_str(meta, "started_ns"));
	cJSON_Delete(meta);
	/* only the session itself is in sessions/ */
	char *dir = xasprintf("%s/sessions", state);
	DIR *d = opendir(dir);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	cr_assert_eq(entries, 1);
	/* one owner at a time */
	cr_assert_eq(session_open(&again, state, session_id(s)), DH_EFAIL);
	cr_assert(strstr(err_msg(), "open in another deskhand process"), "%s", err_msg());
	/* a writer that rebuilds meta.json keeps the session's own fields */
	cJSON *m = json_new_obj();
	json_add_str(m, "status", "running");
	cr_assert_eq(session_meta_write(s, m), 0);
	cJSON_Delete(m);
	char *id = xstrdup(session_id(s));
	session_close(s); /* as if its process died: the lock goes */
	cr_assert_eq(session_meta_read(state, id, &meta), 0);
	cr_assert_str_eq(json_str(meta, "status"), "interrupted");
	cr_assert_str_eq(json_str(meta, "started_ns"), started);
	cJSON_Delete(meta);
	/* an empty directory (an older version killed at start) is no session */
	char *empty = xasprintf("%s/29990101-000000-0000", dir);
	cr_assert_eq(mkdir(empty, 0700), 0);
	char *got;
	cr_assert_eq(session_resolve(state, "latest", &got), 0);
	cr_assert_str_eq(got, id);
	free(got);
	free(empty);
	free(started);
	free(id);
	free(dir);
	free(state);
}

/* A task longer than SESSION_TASK_MAX is cut in meta.json and marked
 * "task_cut", also where the cut, before a 4-byte character, leaves it
 * SESSION_TASK_MAX bytes long with its "…"; a rewrite keeps the mark. */
Test(session, meta_marks_a_cut_task)
{
	char *state = tmpstate();
	char *task = xcalloc(1, SESSION_TASK_MAX + 64);
	struct session *s;
	cJSON *meta, *in = json_new_obj();

	memset(task, 'a', SESSION_TASK_MAX - 3);
	for (int i = 0; i < 8; i++)
		strcat(task, "\U0001F600");
	json_add_str(in, "task", task);
	cr_assert_eq(session_create(&s, state, in), 0);
	cr_assert_eq(session_meta_read(state, session_id(s), &meta), 0);
	cr_assert_eq(strlen(json_str(meta, "task")), SESSION_TASK_MAX);
	cr_assert(json_bool(meta, "task_cut", false));
	/* a writer that carries the task and its mark over */
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "id");
	cr_assert_eq(session_meta_write(s, meta), 0);
	cJSON_Delete(meta);
	cr_assert_eq(session_meta_read(state, session_id(s), &meta), 0);
	cr_assert_eq(strlen(json_str(meta, "task")), SESSION_TASK_MAX);
	cr_assert(json_bool(meta, "task_cut", false));
	cJSON_Delete(meta);
	session_close(s);
	/* a task that fits is not marked */
	task[SESSION_TASK_MAX] = '\0';
	memset(task, 'b', SESSION_TASK_MAX);
	cJSON_ReplaceItemInObjectCaseSensitive(in, "task", cJSON_CreateString(task));
	cr_assert_eq(session_create(&s, state, in), 0);
	cr_assert_eq(session_meta_read(state, session_id(s), &meta), 0);
	cr_assert_str_eq(json_str(meta, "task"), task);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(meta, "task_cut"));
	cJSON_Delete(meta);
	session_close(s);
	cJSON_Delete(in);
	free(task);
	free(state);
}

Test(session, create_sweeps_only_dead_old_in_progress_dirs)
{
	char *state = tmpstate();
	char *sessions = xasprintf("%s/sessions", state);
	char *dead = xasprintf("%s/.new-19990101-000000-dead", sessions);
	char *young = xasprintf("%s/.new-19990101-000000-0001", sessions);
	char *f = xasprintf("%s/transcript.jsonl", dead);
	struct session *s;

	cr_assert_eq(mkdir(sessions, 0700), 0);
	cr_assert_eq(mkdir(dead, 0700), 0);
	cr_assert_eq(mkdir(young, 0700), 0);
	int fd = open(f, O_WRONLY | O_CREAT, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	/* a creator killed two minutes ago, and one still at work */
	struct timespec old[2] = { { .tv_sec = time(NULL) - 120 }, { .tv_sec = time(NULL) - 120 } };
	cr_assert_eq(utimensat(AT_FDCWD, dead, old, 0), 0);
	cr_assert_eq(session_create(&s, state, NULL), 0);
	struct stat st;
	cr_assert_eq(stat(dead, &st), -1, "the dead creator's directory is still there");
	cr_assert_eq(stat(young, &st), 0, "a creator at work lost its directory");
	session_close(s);
	free(f);
	free(young);
	free(dead);
	free(sessions);
	free(state);
}

/* A session directory without meta.json is damaged, not absent: listed by
 * session_list_all() (not session_list()), resolved by its id or a prefix,
 * never as latest, and session_meta_read() names the missing file. */
Test(session, a_directory_without_meta_is_listed_and_named)
{
	char *state = tmpstate();
	char *damaged = xasprintf("%s/sessions/21000101-000000-dead", state);
	char *stray = xasprintf("%s/sessions/21000101-000001-file", state);
	struct session *s;
	char **ids, *got;
	size_t n;
	cJSON *meta;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	cr_assert_eq(mkdir(damaged, 0700), 0);
	FILE *f = fopen(stray, "w"); /* a stray file is no session */
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(session_list(state, &ids, &n), 0);
	cr_assert_eq(n, 1);
	free(ids[0]);
	free(ids);
	cr_assert_eq(session_list_all(state, &ids, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(ids[0], session_id(s));
	cr_assert_str_eq(ids[1], "21000101-000000-dead");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	cr_assert_eq(session_resolve(state, "latest", &got), 0);
	cr_assert_str_eq(got, session_id(s));
	free(got);
	cr_assert_eq(session_resolve(state, "21000101", &got), 0);
	cr_assert_str_eq(got, "21000101-000000-dead");
	free(got);
	cr_assert_eq(session_meta_read(state, "21000101-000000-dead", &meta), DH_EFAIL);
	cr_assert_null(meta);
	char *want = xasprintf("%s/meta.json is missing", damaged);
	cr_assert_not_null(strstr(err_msg(), want), "%s", err_msg());
	cr_assert_eq(session_meta_read(state, "21000101-000002-none", &meta), DH_ENOTFOUND);
	struct session *o;
	cr_assert_eq(session_open(&o, state, "21000101-000000-dead"), DH_EFAIL);
	free(want);
	session_close(s);
	free(stray);
	free(damaged);
	free(state);
}

/* A compaction's record: what was sent before it becomes the note and the
 * last `keep` messages; the records before it stay in the file. */
Test(session, history_compact_replaces_what_is_sent)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "task");
	append_history(s, "assistant", "a1");
	append_history(s, "user", "r1");
	append_history(s, "assistant", "a2");
	append_history(s, "user", "r2");
	cJSON *r = json_new_obj(), *m = json_new_obj();
	json_add_str(r, "type", "history_compact");
	json_add_str(m, "role", "user");
	json_add_str(m, "content", "the note");
	json_add(r, "message", m);
	json_add_num(r, "keep", 2);
	cr_assert_eq(session_append(s, r), 0);
	cJSON_Delete(r);
	append_history(s, "assistant", "a3");
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 4);
	const char *want[] = { "the note", "a2", "r2", "a3" };
	for (int i = 0; i < 4; i++)
		cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, i), "content"), want[i]);
	cJSON_Delete(h);
	/* the file keeps every message */
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	FILE *f = fopen(p, "r");
	char line[4096];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, "\"type\":\"history\"") != NULL;
	fclose(f);
	cr_assert_eq(n, 6);
	free(p);
	session_close(s);
	free(state);
}

Test(session, lost_only_while_running_with_no_owner)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *m = json_new_obj();

	cr_assert_eq(session_create(&s, state, NULL), 0);
	char *id = xstrdup(session_id(s));
	/* its owner holds it: running, not lost */
	cr_assert_not(session_lost(state, id));
	json_add_str(m, "status", "running");
	cr_assert_eq(session_meta_write(s, m), 0);
	session_close(s); /* killed: meta.json still says running */
	cr_assert(session_lost(state, id));
	/* ended as a stop ends it: interrupted on disk, not lost */
	cr_assert_eq(session_open(&s, state, id), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(m, "status", cJSON_CreateString("interrupted"));
	cr_assert_eq(session_meta_write(s, m), 0);
	session_close(s);
	cr_assert_not(session_lost(state, id));
	cr_assert_not(session_lost(state, "20000101-000000-dead"));
	cJSON_Delete(m);
	free(id);
	free(state);
}

/* A task accepted before its message reached the history (session_append_task)
 * ends the history read back as a marked user message, until a history record
 * comes after it; every such task is in it, a text block each, in order (an
 * engine killed twice before its task's message loses neither). */
Test(session, task_record_without_its_message_is_read_back_pending)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "one");
	append_history(s, "assistant", "two");
	cr_assert_eq(session_append_task(s, "an answered task"), 0);
	append_history(s, "user", "an answered task");
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	cr_assert_not(json_bool(cJSON_GetArrayItem(h, 2), "task_pending", false));
	cJSON_Delete(h);
	cr_assert_eq(session_append_task(s, "the first follow-up"), 0);
	cr_assert_eq(session_append_task(s, "the follow-up"), 0);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 4);
	const cJSON *m = cJSON_GetArrayItem(h, 3);
	cr_assert(json_bool(m, "task_pending", false));
	cr_assert_str_eq(json_str(m, "role"), "user");
	const cJSON *content = json_arr(m, "content");
	cr_assert_eq(cJSON_GetArraySize(content), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"), "the first follow-up");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 1), "text"), "the follow-up");
	cJSON_Delete(h);
	session_close(s);
	free(state);
}

/* A steer taken while a task runs is a "task" record too: the model's
 * answer written after it (it streamed meanwhile) does not answer it, the
 * user message that carries it (the turn's results) does; a compaction
 * does not either. Killed before that message, it is read back pending. */
Test(session, steer_record_is_answered_by_the_message_that_carries_it)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "the task");
	cr_assert_eq(session_append_task(s, "a steer while it streams"), 0);
	append_history(s, "assistant", "an answer");
	cJSON *rec = json_new_obj(), *note = json_new_obj();

	json_add_str(note, "role", "user");
	json_add_str(note, "content", "a summary");
	json_add_str(rec, "type", "history_compact");
	json_add(rec, "message", note);
	json_add_num(rec, "keep", 2);
	cr_assert_eq(session_append(s, rec), 0);
	cJSON_Delete(rec);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 4);
	const cJSON *m = cJSON_GetArrayItem(h, 3);
	cr_assert(json_bool(m, "task_pending", false));
	const cJSON *content = json_arr(m, "content");
	cr_assert_eq(cJSON_GetArraySize(content), 1);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"),
			 "a steer while it streams");
	cJSON_Delete(h);
	append_history(s, "user", "results, and a steer while it streams");
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 4);
	cr_assert_not(json_bool(cJSON_GetArrayItem(h, 3), "task_pending", false));
	cJSON_Delete(h);
	session_close(s);
	free(state);
}

/* A task whose start failed (session_append_task_failed) is answered, with
 * the steers recorded after it: they are not read back pending; the tasks
 * pending before it (their engines died) are, all of them. A record with
 * no "tasks" (an older one) answers one. */
Test(session, task_failed_record_answers_its_task)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state, NULL), 0);
	append_history(s, "user", "one");
	append_history(s, "assistant", "two");
	cr_assert_eq(session_append_task(s, "refused"), 0);
	cr_assert_eq(session_append_task_failed(s, "a bad rule", 1), 0);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 2);
	cJSON_Delete(h);
	cr_assert_eq(session_append_task(s, "its engine died"), 0);
	cr_assert_eq(session_append_task(s, "its engine died too"), 0);
	cr_assert_eq(session_append_task(s, "refused too"), 0);
	cr_assert_eq(session_append_task(s, "its steer"), 0);
	cr_assert_eq(session_append_task_failed(s, "a bad rule", 2), 0);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	const cJSON *m = cJSON_GetArrayItem(h, 2);
	cr_assert(json_bool(m, "task_pending", false));
	const cJSON *content = json_arr(m, "content");
	cr_assert_eq(cJSON_GetArraySize(content), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"), "its engine died");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 1), "text"),
			 "its engine died too");
	cJSON_Delete(h);
	/* a history record answers every one */
	append_history(s, "user", "its engine died\nits engine died too\nthe next");
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	cr_assert_not(json_bool(cJSON_GetArrayItem(h, 2), "task_pending", false));
	cJSON_Delete(h);
	/* an older "task_failed", with no "tasks" */
	cr_assert_eq(session_append_task(s, "its engine died at last"), 0);
	cr_assert_eq(session_append_task(s, "refused at last"), 0);
	cJSON *rec = json_new_obj();
	json_add_str(rec, "type", "task_failed");
	json_add_str(rec, "text", "a bad rule");
	cr_assert_eq(session_append(s, rec), 0);
	cJSON_Delete(rec);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 4);
	content = json_arr(cJSON_GetArrayItem(h, 3), "content");
	cr_assert_eq(cJSON_GetArraySize(content), 1);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"),
			 "its engine died at last");
	cJSON_Delete(h);
	session_close(s);
	free(state);
}

/* SPDX-License-Identifier: MIT */
/*
 * The inbox (inbox.h): which sessions need the person, read from their
 * records, their stores' review state and the live engines. It changes
 * nothing but the dismissal marks.
 */
#include "engine/inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/review_model.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "session/session.h"
#include "snap/review.h"
#include "snap/snap.h"

/* The dismissal mark of a session dismissed while it could not be read. */
#define DISMISSED_UNREADABLE "unreadable"

long
inbox_pending(const char *state, const char *id, const cJSON *grants)
{
	const cJSON *g;
	long pending = 0;

	cJSON_ArrayForEach(g, grants)
	{
		struct snap_store *ss = NULL;
		struct review *r = NULL;
		int rc;

		if (!cJSON_IsString(g) || snap_open(&ss, g->valuestring, state) < 0)
			return -1;
		rc = snap_review_get(ss, id, &r);
		if (rc == 0)
			pending += (long)r->nfiles;
		review_model_free(r);
		snap_close(ss);
		if (rc < 0 && rc != DH_ENOTFOUND)
			return -1;
	}
	return pending;
}

static char *
dismissed_path(const char *state, const char *id)
{
	return xasprintf("%s/sessions/%s/inbox-dismissed", state, id);
}

/* When the session last changed: meta.json's "updated", else its "created"
 * (seconds), read into [0, 2^53], so that an age computed from it cannot
 * overflow whatever the file says. */
static long long
meta_updated(const cJSON *meta)
{
	return json_int_clamp(meta, "updated", 0, 1LL << 53, json_int(meta, "created", 0));
}

/* The meta's "updated" when the session was dismissed, or -1; 0 with
 * *unreadable set when it was dismissed while its meta.json could not be
 * read (the mark says "unreadable"). */
static long long
dismissed_at(const char *state, const char *id, bool *unreadable)
{
	char *p = dismissed_path(state, id);
	struct buf b = BUF_INIT;
	long long at = -1;

	*unreadable = false;
	if (fsutil_read_file(p, 64, &b) == 0 && b.len) {
		*unreadable = !strncmp(buf_cstr(&b), DISMISSED_UNREADABLE,
		                       strlen(DISMISSED_UNREADABLE));
		at = *unreadable ? 0 : strtoll(buf_cstr(&b), NULL, 10);
	}
	buf_fini(&b);
	free(p);
	return at;
}

/* Write session `id`'s dismissal mark: `value` and a new line. 0, or
 * DH_EFAIL naming the file. */
static int
dismissed_mark(const char *state, const char *id, const char *value)
{
	char *p = dismissed_path(state, id);
	char *v = xasprintf("%s\n", value);
	int rc = fsutil_write_atomic(p, v, strlen(v));

	free(v);
	free(p);
	return rc;
}

/* The snapshot of live session `id` in `live`, or NULL. */
static const cJSON *
live_snapshot(const cJSON *live, const char *id)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, live)
	{
		const char *sid = json_str(s, "session");

		if (sid && !strcmp(sid, id))
			return s;
	}
	return NULL;
}

/* The activity ("starting", "working", "waiting", "done", …) of live session `id`, or NULL. */
static const char *
live_activity(const cJSON *live, const char *id)
{
	const cJSON *s = live_snapshot(live, id);

	return !s ? NULL : json_str(s, "activity") ? json_str(s, "activity") : "working";
}

/* What a waiting run waits on, from its snapshot's pending approval_needed
 * event: "waits for an approval: write_file notes/a.md" (its path or the
 * first line of its command; a network request's host), heap; NULL when
 * the snapshot has none. */
static char *
waiting_summary(const cJSON *snap)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(snap, "pending");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(p, "input");
	const char *name = json_str(p, "name"), *arg = json_str(in, "path");

	if (!name)
		return NULL;
	if (!arg)
		arg = json_str(in, "command");
	if (!strcmp(name, "network"))
		arg = json_str(p, "text");
	if (!arg || !*arg)
		return xasprintf("waits for an approval: %s", name);
	return xasprintf("waits for an approval: %s %.*s", name, (int)strcspn(arg, "\n"), arg);
}

static cJSON *entry(const char *state, const char *id, const cJSON *meta, const cJSON *live);

int
inbox_dismiss(const char *state, const char *id)
{
	cJSON *meta = NULL;
	int rc = session_meta_read(state, id, &meta);

	if (rc == DH_ENOTFOUND)
		return rc;
	/* The engines are asked once (each one that does not answer costs
	 * client_list_live()'s deadline). */
	cJSON *live = NULL;
	if (client_list_live(&live) < 0)
		live = json_new_arr();
	/* A waiting run stays listed whatever the mark says (entry()): it
	 * needs the person, and saying "dismissed" would not be true. */
	const char *act = live_activity(live, id);
	if (act && !strcmp(act, "waiting")) {
		cJSON_Delete(live);
		cJSON_Delete(meta);
		return err_setc(DH_EDENIED,
		                "%s is waiting for an approval: answer it (deskhand attach %s), "
		                "or stop the run (deskhand stop %s); it stays in the inbox while "
		                "it waits",
		                id, id, id);
	}
	/* Only what is listed is dismissed: "dismissed" of a session the
	 * inbox does not show (a workbench's, one reviewed or dismissed
	 * already) would tell of a change that did not happen. */
	if (rc == 0) {
		const char *origin = json_str(meta, "origin");
		cJSON *e = entry(state, id, meta, live);
		if (!e)
			rc = err_setc(DH_ENOTFOUND, "%s is not in the inbox (%s): nothing to dismiss",
			              id,
			              !origin || !strcmp(origin, "workbench")
			                      ? "a workbench session: the inbox lists unattended runs"
			                      : "reviewed, dismissed already, or still at work");
		cJSON_Delete(e);
		if (rc < 0) {
			cJSON_Delete(live);
			cJSON_Delete(meta);
			return rc;
		}
	}
	cJSON_Delete(live);
	/* A session that cannot be read is taken off all the same, as the
	 * person asked: until its meta.json reads again, when it is listed
	 * as any session is (the mark then counts as 0). */
	char *why = rc < 0 ? xstrdup(err_msg()) : NULL;
	char *v = why ? xstrdup(DISMISSED_UNREADABLE)
	              : xasprintf("%lld", meta_updated(meta));

	rc = dismissed_mark(state, id, v);
	if (rc == 0 && why) {
		err_set("%s", why);
		rc = 1;
	}
	free(why);
	free(v);
	cJSON_Delete(meta);
	return rc;
}

const char *
inbox_session_state(const cJSON *meta, const cJSON *live, const char *id)
{
	const char *status = json_str(meta, "status");
	const char *act = live_activity(live, id);

	/* session_meta_read() made the "running" of a dead owner "interrupted";
	 * a running one without an engine socket is a foreground run. */
	if (status && strcmp(status, "running"))
		return status;
	return act ? act : "running";
}

/* The entry of session `id`, or NULL when it does not belong in the inbox. */
static cJSON *
entry(const char *state, const char *id, const cJSON *meta, const cJSON *live)
{
	const char *origin = json_str(meta, "origin"), *status = json_str(meta, "status");
	const char *act = live_activity(live, id);
	long long updated = meta_updated(meta);

	if (!origin || !strcmp(origin, "workbench"))
		return NULL;
	bool waiting = act && !strcmp(act, "waiting");
	if (act && !waiting &&
	    (!strcmp(act, "working") || !strcmp(act, "starting") || !strcmp(act, "idle")))
		return NULL; /* still at work: not for the inbox yet */
	if (!status || !strcmp(status, "running")) {
		/* A dead owner's "running" reads "interrupted" (session_meta_read);
		 * one still running with no engine socket is a foreground run,
		 * at work. */
		if (!act)
			return NULL;
		status = waiting ? "running" : act;
	}
	bool unreadable_mark;
	if (!waiting && dismissed_at(state, id, &unreadable_mark) >= updated)
		return NULL;
	long pending = inbox_pending(state, id, json_arr(meta, "grants"));
	if (!waiting && pending == 0 && !strcmp(status, "done")) {
		/* Done, and everything reviewed: off the inbox until it runs
		 * again, as a dismissal takes it, and marked so: the next
		 * listing need not open its stores again (every session is
		 * looked at, each review costs reading its checkpoints). A
		 * mark that cannot be written costs only that. */
		char v[32];

		snprintf(v, sizeof v, "%lld", updated);
		(void)dismissed_mark(state, id, v);
		return NULL;
	}

	cJSON *o = json_new_obj();
	const char *summary = json_str(meta, "summary"), *task = json_str(meta, "task");
	const char *sched = !strncmp(origin, "schedule:", 9) ? origin + 9 : NULL;

	json_add_str(o, "id", id);
	json_add_str(o, "status", status);
	json_add_str(o, "state", waiting ? "waiting" : status);
	json_add_bool(o, "waiting", waiting);
	json_add_bool(o, "live", act != NULL);
	char *wait_on = waiting ? waiting_summary(live_snapshot(live, id)) : NULL;
	json_add_str(o, "summary", wait_on            ? wait_on
	                           : summary && *summary ? summary
	                           : task                ? task
	                                                 : "");
	free(wait_on);
	json_add_str(o, "task", task ? task : "");
	json_add(o, "pending", pending >= 0 ? cJSON_CreateNumber((double)pending)
					    : cJSON_CreateNull());
	json_add_str(o, "origin", origin);
	json_add(o, "schedule", sched ? cJSON_CreateString(sched) : cJSON_CreateNull());
	json_add_num(o, "updated", (double)updated);
	json_add(o, "grants", json_arr(meta, "grants") ? json_dup(json_arr(meta, "grants"))
						       : json_new_arr());
	return o;
}

/* The entry of a session whose meta.json is missing or cannot be read, as
 * `deskhand sessions` lists one: state "unreadable", "error" the reason
 * (session_meta_read()'s message, which names the file), and when it began
 * as its id says. Nothing else about it is known. */
static cJSON *
unreadable_entry(const char *id, const char *why)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "id", id);
	json_add_str(o, "status", "unreadable");
	json_add_str(o, "state", "unreadable");
	json_add_bool(o, "waiting", false);
	json_add_bool(o, "live", false);
	json_add_str(o, "summary", "");
	json_add_str(o, "task", "");
	json_add(o, "pending", cJSON_CreateNull());
	json_add(o, "origin", cJSON_CreateNull());
	json_add(o, "schedule", cJSON_CreateNull());
	json_add_num(o, "updated", (double)session_id_time(id));
	json_add(o, "grants", json_new_arr());
	json_add_str(o, "error", why);
	return o;
}

static int
updated_cmp(const void *a, const void *b)
{
	const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
	long long ux = json_int(x, "updated", 0), uy = json_int(y, "updated", 0);

	if (ux != uy)
		return ux < uy ? 1 : -1;
	return -strcmp(json_str(x, "id"), json_str(y, "id"));
}

int
inbox_list(const char *state, cJSON **out)
{
	char **ids = NULL;
	size_t n = 0, nrows = 0;
	cJSON *live = NULL;

	*out = NULL;
	/* Every session directory, damaged ones too (session_list_all()): one
	 * whose meta.json is missing or unreadable may be an unattended run
	 * that needs the person, and is listed, never skipped. */
	if (session_list_all(state, &ids, &n) < 0)
		return DH_EFAIL;
	if (client_list_live(&live) < 0)
		live = json_new_arr(); /* no engines' directory: none is live */
	cJSON **rows = xcalloc(n + 1, sizeof *rows);
	/* session_list_all() is oldest first: look at the newest. */
	for (size_t i = n; i-- > 0;) {
		cJSON *meta = NULL;
		int rc = session_meta_read(state, ids[i], &meta);

		if (rc < 0 && rc != DH_ENOTFOUND) { /* (not found: removed since listed) */
			char *why = xstrdup(err_msg()); /* (dismissed_at() sets its own) */
			bool unreadable_mark;

			/* (unless the person dismissed it while it could not be read) */
			(void)dismissed_at(state, ids[i], &unreadable_mark);
			if (!unreadable_mark)
				rows[nrows++] = unreadable_entry(ids[i], why);
			free(why);
		} else if (rc == 0 && (rows[nrows] = entry(state, ids[i], meta, live))) {
			nrows++; /* every session, however old: one may wait for review */
		}
		cJSON_Delete(meta);
		free(ids[i]);
	}
	free(ids);
	qsort(rows, nrows, sizeof *rows, updated_cmp);
	*out = json_new_arr();
	for (size_t i = 0; i < nrows; i++)
		json_add(*out, NULL, rows[i]);
	free(rows);
	cJSON_Delete(live);
	return 0;
}

int
client_inbox(cJSON **out)
{
	char *state = NULL;
	int rc;

	*out = NULL;
	if ((rc = fsutil_state_dir(&state)) == 0)
		rc = inbox_list(state, out);
	free(state);
	return rc;
}

int
client_inbox_dismiss(const char *spec, char **id)
{
	char *state = NULL;
	int rc;

	*id = NULL;
	if ((rc = fsutil_state_dir(&state)) == 0 && (rc = session_resolve(state, spec, id)) == 0)
		rc = inbox_dismiss(state, *id);
	free(state);
	return rc;
}

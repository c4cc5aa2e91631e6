/* SPDX-License-Identifier: MIT */
/*
 * The session-wide review over a session's grants (review_set.h).
 */
#include "snap/review_set.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "snap/snap_int.h"

/* Prefix the error message with the grant's path. */
static int
grant_err(const struct review_set *rs, size_t g, int rc)
{
	char *why = xstrdup(err_msg()); /* err_setc must not read its own buffer */

	rc = err_setc(rc, "%s: %s", rs->paths ? rs->paths[g] : "?", why);
	free(why);
	return rc;
}

char *
review_set_self_path(const char *arg, char *rel)
{
	size_t n = strlen(arg);

	if (*rel || !n || arg[n - 1] != '/')
		return rel;
	while (n && arg[n - 1] == '/')
		n--;
	/* ".", or GRANT/. : the last component is "." */
	if (n && arg[n - 1] == '.' && (n == 1 || arg[n - 2] == '/')) {
		free(rel);
		return xstrdup(SNAP_ROOT "/");
	}
	return rel;
}

char *
review_set_unescaped(const char *arg)
{
	char *u = NULL;

	if (!strstr(arg, "\\x") || utf8_name_unescape(arg, &u) < 0)
		return NULL;
	if (!strcmp(u, arg)) {
		free(u);
		return NULL;
	}
	return u;
}

/* Whether `rel` selects something pending in grant g: 1, 0 (also when the
 * session has no checkpoint there yet), or <0. */
static int
pending_at(const struct review_set *rs, size_t g, const char *rel)
{
	struct review *r = NULL;
	int rc = snap_review_get(rs->stores[g], rs->session, &r);

	if (rc == DH_ENOTFOUND)
		return 0;
	if (rc < 0)
		return grant_err(rs, g, rc);
	rc = snap_review_selects(r, rel);
	snap_review_free(r);
	return rc;
}

int
review_set_pick_name(const struct review_set *rs, size_t g, const char *rel, size_t ag,
                     const char *alt)
{
	int rc;

	if (!alt)
		return 0;
	if ((rc = pending_at(rs, g, rel)) != 0)
		return rc < 0 ? rc : 0;
	return pending_at(rs, ag, alt);
}

void
review_set_unanswered(const cJSON *history, struct strv *out)
{
	const cJSON *last = cJSON_GetArrayItem(history, cJSON_GetArraySize(history) - 1), *blk;
	const char *role = last ? json_str(last, "role") : NULL;

	if (role && !strcmp(role, "user")) {
		cJSON_ArrayForEach(blk, json_arr(last, "content"))
		{
			const char *type = json_str(blk, "type"), *id = json_str(blk, "tool_use_id");
			const char *text = json_str(blk, "content");

			if (type && !strcmp(type, "tool_result") && id && *id && text &&
			    !strncmp(text, REVIEW_INTERRUPTED_RESULT, strlen(REVIEW_INTERRUPTED_RESULT)))
				strv_add(out, id);
		}
		return;
	}
	if (!role || strcmp(role, "assistant"))
		return;
	cJSON_ArrayForEach(blk, json_arr(last, "content"))
	{
		const char *type = json_str(blk, "type"), *id = json_str(blk, "id");

		if (type && !strcmp(type, "tool_use") && id && *id)
			strv_add(out, id);
	}
}

/* The report on a review action cleaned up after (snap_review_recover):
 * its notes, each under the grant's path, and what was recorded. */
static void
interrupted_report(struct buf *report, const char *grant, const char *action,
                   const struct buf *notes, const struct snap_checkpoint *ck)
{
	const char *p = notes->ptr ? notes->ptr : "";

	buf_printf(report, "%s: \"%s\" was interrupted part way\n", grant, action);
	/* each note is a line ending in '\n' */
	for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
		buf_printf(report, "%s: %.*s\n", grant, (int)(nl - p), p);
	if (ck->created)
		buf_printf(report, "%s: recorded what it had changed (checkpoint %s); run it again "
		           "to finish it\n", grant, ck->short_id);
	else
		buf_printf(report, "%s: it had changed nothing\n", grant);
}

int
review_set_recover(const struct review_set *rs, const cJSON *history, struct buf *report)
{
	struct strv calls = {0};
	int rc = 0;

	if (history)
		review_set_unanswered(history, &calls);
	for (size_t g = 0; g < rs->n && rc == 0; g++) {
		struct snap_checkpoint ck;
		struct buf notes = BUF_INIT;
		char *action = NULL;
		int call;

		if (history) /* the owner is gone: what it locked stays locked */
			snap_clear_stale_locks(rs->stores[g], rs->session);
		rc = snap_review_recover(rs->stores[g], rs->session, (const char *const *)calls.v,
		                         calls.n, &ck, &call, &action, &notes);
		if (rc == DH_ENOTFOUND) {
			rc = 0;
		} else if (rc < 0) {
			rc = grant_err(rs, g, rc);
		} else if (report && action) {
			interrupted_report(report, rs->paths[g], action, &notes, &ck);
			if (ck.created && ck.damaged[0]) { /* recorded over the head */
				snap_checkpoint_say_damaged(report, rs->paths[g], rs->session, &ck);
				buf_putc(report, '\n');
			}
		} else if (report && ck.created && ck.damaged[0]) {
			snap_checkpoint_say_damaged(report, rs->paths[g], rs->session, &ck);
			buf_putc(report, '\n');
		} else if (report && ck.created) {
			buf_printf(report,
			           "%s: recorded what changed since the last checkpoint as %s%s "
			           "(checkpoint %s)\n",
			           rs->paths[g], call >= 0 ? "interrupted call " : "external changes",
			           call >= 0 ? calls.v[call] : "", ck.short_id);
		}
		/* the temporary files of an interrupted call's unfinished write */
		const char *p = !action && report && notes.ptr ? notes.ptr : "";
		for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
			buf_printf(report, "%s: %.*s\n", rs->paths[g], (int)(nl - p), p);
		free(action);
		buf_fini(&notes);
	}
	strv_free(&calls);
	return rc;
}

int
review_set_read_untold(const struct review_set *rs, struct buf *untold, struct strv *told)
{
	int rc = 0;

	for (size_t g = 0; g < rs->n; g++) {
		struct buf u = BUF_INIT;

		if (rc == 0 && (rc = snap_review_read_untold(rs->stores[g], rs->session, &u)) < 0) {
			rc = grant_err(rs, g, rc);
			buf_clear(&u);
		}
		const char *p = u.ptr ? u.ptr : "";
		for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
			buf_printf(untold, "\n[deskhand: %s: %.*s]", rs->paths[g], (int)(nl - p), p);
		strv_add(told, buf_cstr(&u));
		buf_fini(&u);
	}
	return rc;
}

int
review_set_forget_untold(const struct review_set *rs, const struct strv *told)
{
	for (size_t g = 0; g < rs->n && g < told->n; g++) {
		int rc = snap_review_forget_untold(rs->stores[g], rs->session, told->v[g],
		                                   strlen(told->v[g]));
		if (rc < 0)
			return grant_err(rs, g, rc);
	}
	return 0;
}

int
review_set_get(const struct review_set *rs, struct review **out)
{
	for (size_t g = 0; g < rs->n; g++) {
		int rc = snap_review_get(rs->stores[g], rs->session, &out[g]);

		out[g] = rc < 0 ? NULL : out[g];
		if (rc < 0 && rc != DH_ENOTFOUND) /* not found: no baseline yet */
			return grant_err(rs, g, rc);
	}
	return 0;
}

int
review_set_newest_calls(const struct review_set *rs, size_t want, struct strv *calls,
                        struct strv *labels)
{
	struct review_step **steps = xcalloc(rs->n + 1, sizeof *steps);
	size_t *nsteps = xcalloc(rs->n + 1, sizeof *nsteps), *at = xcalloc(rs->n + 1, sizeof *at);
	struct strv *ids = xcalloc(rs->n + 1, sizeof *ids); /* per grant: the steps chosen */
	size_t found = 0;
	int rc = 0;

	for (size_t g = 0; g < rs->n && rc == 0; g++) {
		rc = snap_review_steps(rs->stores[g], rs->session, &steps[g], &nsteps[g]);
		if (rc == DH_ENOTFOUND)
			rc = 0;
		else if (rc < 0)
			rc = grant_err(rs, g, rc);
	}
	/* Merge the grants' lists (each newest first) by time. */
	while (rc == 0 && found < want) {
		size_t best = rs->n;

		for (size_t g = 0; g < rs->n; g++)
			if (at[g] < nsteps[g] &&
			    (best == rs->n || steps[g][at[g]].time > steps[best][at[best]].time))
				best = g;
		if (best == rs->n)
			break;
		const struct review_step *st = &steps[best][at[best]++];
		bool dup = false;
		for (size_t i = calls->n - found; i < calls->n; i++)
			dup |= !strcmp(calls->v[i], st->tool_call);
		/* A step taken back since (a restore, a reject, the person) is
		 * passed over: undoing it would change nothing, and it would stay
		 * the newest step, under every further undo. One that the steps
		 * chosen before it took back is not: undone with them, it counts. */
		int kept = dup ? 1
		               : snap_review_step_in_head(rs->stores[best], rs->session, st->id,
		                                          (const char *const *)ids[best].v,
		                                          ids[best].n);
		if (kept < 0) {
			rc = grant_err(rs, best, kept);
			break;
		}
		if (kept)
			strv_add(&ids[best], st->id);
		if (!dup && kept) {
			strv_add(calls, st->tool_call);
			if (labels)
				strv_add(labels, st->label ? st->label : "");
			found++;
		}
	}
	for (size_t g = 0; g < rs->n; g++) {
		snap_review_steps_free(steps[g], nsteps[g]);
		strv_free(&ids[g]);
	}
	free(steps);
	free(nsteps);
	free(at);
	free(ids);
	return rc < 0 ? rc : (int)found;
}

int
review_set_step_ids(const struct review_set *rs, size_t g, const struct strv *calls,
                    struct strv *ids)
{
	struct review_step *v = NULL;
	size_t n = 0;
	int rc = snap_review_steps(rs->stores[g], rs->session, &v, &n);

	if (rc == DH_ENOTFOUND)
		return 0;
	if (rc < 0)
		return grant_err(rs, g, rc);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < calls->n; k++)
			if (!strcmp(v[i].tool_call, calls->v[k]))
				strv_add(ids, v[i].id);
	snap_review_steps_free(v, n);
	return 0;
}

void
review_set_new_op(char op[32])
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(op, 32, "%013lld", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

bool
review_set_spec_is_mark(const char *spec)
{
	return !strcmp(spec, "baseline") || !strcmp(spec, "head") || !strcmp(spec, "accepted");
}

size_t
review_set_restore_targets(const struct review_set *rs, const char *spec, bool *on)
{
	bool every = review_set_spec_is_mark(spec);
	size_t hits = 0;

	for (size_t g = 0; g < rs->n; g++) {
		char id[41];

		/* A grant with no baseline was never checkpointed (the session was
		 * stopped before its first checkpoint): nothing of it to restore. */
		on[g] = snap_resolve(rs->stores[g], rs->session, every ? "baseline" : spec, id) == 0;
		hits += on[g];
	}
	return hits;
}

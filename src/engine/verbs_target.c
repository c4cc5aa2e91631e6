/* SPDX-License-Identifier: MIT */
/* A session's grants and their snapshot stores, shared by the review verbs. */
#include "engine/verbs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "session/session.h"
#include "snap/snap.h"

void
verbs_target_fini(struct verbs_target *t)
{
	for (size_t i = 0; i < t->n; i++) {
		snap_close(t->stores[i]);
		free(t->paths[i]);
		free(t->shown[i]);
	}
	free(t->stores);
	free(t->paths);
	free(t->shown);
	free(t->history);
	strv_free(&t->gone);
	cJSON_Delete(t->meta);
	free(t->id);
	free(t->state);
	memset(t, 0, sizeof *t);
}

/* verbs_target_open(), or with `history` verbs_target_open_history(). */
static int
target_open(struct verbs_target *t, const char *spec, bool history)
{
	cJSON *g;
	int rc;

	memset(t, 0, sizeof *t);
	if ((rc = fsutil_state_dir(&t->state)) < 0 ||
	    (rc = session_resolve(t->state, spec, &t->id)) < 0 ||
	    (rc = session_meta_read(t->state, t->id, &t->meta)) < 0)
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(json_arr(t->meta, "grants"));
	t->paths = xcalloc(n + 1, sizeof *t->paths);
	t->shown = xcalloc(n + 1, sizeof *t->shown);
	t->stores = xcalloc(n + 1, sizeof *t->stores);
	t->history = xcalloc(n + 1, sizeof *t->history);
	cJSON_ArrayForEach(g, json_arr(t->meta, "grants"))
	{
		if (!cJSON_IsString(g))
			continue;
		struct stat st;

		t->paths[t->n] = xstrdup(g->valuestring);
		if ((rc = snap_open(&t->stores[t->n], g->valuestring, t->state)) < 0) {
			free(t->paths[t->n]);
			t->paths[t->n] = NULL;
			/* Moved or deleted since: the other folders are still read. */
			if (lstat(g->valuestring, &st) < 0 && errno == ENOENT) {
				strv_add(&t->gone, g->valuestring);
				/* its history is in the shadow repository */
				if (history && snap_open_gone(&t->stores[t->n], g->valuestring,
				                              t->state) == 0) {
					t->paths[t->n] = xstrdup(g->valuestring);
					t->history[t->n++] = true;
				}
				continue;
			}
			return rc;
		}
		t->n++;
	}
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < t->n; i++)
		t->shown[i] = xstrdup(utf8_sanitized(&b, t->paths[i]));
	buf_fini(&b);
	if (!t->n && t->gone.n)
		return err_setc(DH_ENOTFOUND, "session %s: its granted folder %s is gone (moved or "
		                "deleted); put it back to review its checkpoints", t->id,
		                t->gone.v[0]);
	if (!t->n)
		return err_set("session %s has no granted folder", t->id);
	return 0;
}

int
verbs_target_open(struct verbs_target *t, const char *spec)
{
	return target_open(t, spec, false);
}

int
verbs_target_open_history(struct verbs_target *t, const char *spec)
{
	return target_open(t, spec, true);
}

void
verbs_target_warn_gone(const struct verbs_target *t)
{
	for (size_t i = 0; i < t->gone.n; i++) {
		bool read = false;

		for (size_t g = 0; g < t->n && !read; g++)
			read = t->history[g] && !strcmp(t->paths[g], t->gone.v[i]);
		fprintf(stderr, "deskhand: warning: granted folder %s is gone (moved or deleted): "
		        "%s\n", t->gone.v[i],
		        read ? "its checkpoints are read from the shadow repository" : "left out");
	}
}

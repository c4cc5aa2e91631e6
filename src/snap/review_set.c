/* SPDX-License-Identifier: MIT */
/*
 * The session-wide review over a session's grants (review_set.h).
 */
#include "snap/review_set.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"

void
review_set_unanswered(const cJSON *history, struct strv *out)
{
	const cJSON *last = cJSON_GetArrayItem(history, cJSON_GetArraySize(history) - 1), *blk;
	const char *role = last ? json_str(last, "role") : NULL;

	if (!role || strcmp(role, "assistant"))
		return;
	cJSON_ArrayForEach(blk, json_arr(last, "content"))
	{
		const char *type = json_str(blk, "type"), *id = json_str(blk, "id");

		if (type && !strcmp(type, "tool_use") && id && *id)
			strv_add(out, id);
	}
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
		int call;

		rc = snap_review_recover(rs->stores[g], rs->session, (const char *const *)calls.v,
		                         calls.n, &ck, &call);
		if (rc == DH_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc < 0) {
			char *why = xstrdup(err_msg()); /* err_setc must not read its own buffer */

			rc = err_setc(rc, "%s: %s", rs->paths[g], why);
			free(why);
			break;
		}
		if (!ck.created || !report)
			continue;
		buf_printf(report, "%s: recorded what changed since the last checkpoint as ",
		           rs->paths[g]);
		if (call >= 0)
			buf_printf(report, "interrupted call %s", calls.v[call]);
		else
			buf_puts(report, "external changes");
		buf_printf(report, " (checkpoint %s)\n", ck.short_id);
	}
	strv_free(&calls);
	return rc;
}

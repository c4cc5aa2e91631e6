/* SPDX-License-Identifier: MIT */
/*
 * Spend caps (spend.h): whether the next model request could cross one, and
 * the day's ledger of what every session spent. Not the estimate
 * (llm/tokens.c), not the prices (llm/registry.c).
 */
#include "policy/spend.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

/* A ledger bigger than this is not a ledger of one day. */
#define LEDGER_MAX ((size_t)64 << 20)

static bool
crosses(double spent, double cap, double est)
{
	return cap > 0 && (spent >= cap || spent + est > cap);
}

bool
spend_would_cross(struct spend_verdict *out, const struct spend_caps *caps,
                  const struct spend_state *st, double est_usd, long est_tokens)
{
	const struct {
		const char *limit;
		bool tokens;
		double spent, cap, est;
	} checks[] = {
		{ "max_cost", false, st->run_usd, caps->run_usd, est_usd },
		{ "max_cost_per_session", false, st->session_usd, caps->session_usd, est_usd },
		{ "max_cost_per_day", false, st->day_usd, caps->day_usd, est_usd },
		{ "max_tokens_per_session", true, (double)st->session_tokens,
		  (double)caps->session_tokens, (double)est_tokens },
	};

	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		if (!crosses(checks[i].spent, checks[i].cap, checks[i].est))
			continue;
		*out = (struct spend_verdict){ .limit = checks[i].limit,
			                       .tokens = checks[i].tokens,
			                       .spent = checks[i].spent,
			                       .cap = checks[i].cap,
			                       .estimate = checks[i].est };
		return true;
	}
	return false;
}

/* STATE/spend/YYYY-MM-DD for the local day of `when`; heap. */
static char *
ledger_path(const char *state_dir, time_t when)
{
	struct tm tm;
	char day[16] = "unknown";

	if (localtime_r(&when, &tm))
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	return xasprintf("%s/spend/%s", state_dir, day);
}

int
spend_ledger_add(const char *state_dir, const char *session, double usd, long long ts_ms)
{
	char *dir = xasprintf("%s/spend", state_dir);
	char *path = ledger_path(state_dir, (time_t)(ts_ms / 1000));
	cJSON *o = json_new_obj();
	int rc = 0, fd = -1;

	json_add_str(o, "session", session);
	json_add_num(o, "cost_usd", usd);
	json_add_num(o, "ts", (double)ts_ms);
	char *line = json_print(o);
	size_t len = strlen(line);

	line = xrealloc(line, len + 2);
	memcpy(line + len, "\n", 2);
	len++;
	/* The directory is made the first time only: a mkdir per component on
	 * every request was most of this job's system calls. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		if (fsutil_mkdir_p(dir, 0700) < 0) {
			rc = err_set("spend ledger %s: %s", dir, err_msg());
			goto out;
		}
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		rc = err_set("spend ledger %s: %s", path, strerror(errno));
		goto out;
	}
	ssize_t w = write(fd, line, len);

	if (w != (ssize_t)len || fsync(fd) < 0)
		rc = err_set("spend ledger %s: %s", path, w < 0 || w == (ssize_t)len
		                                                   ? strerror(errno)
		                                                   : "short write");
out:
	if (fd >= 0)
		close(fd);
	free(line);
	cJSON_Delete(o);
	free(path);
	free(dir);
	return rc;
}

int
spend_ledger_day(const char *state_dir, time_t when, double *out)
{
	char *path = ledger_path(state_dir, when);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, LEDGER_MAX, &b);
	double sum = 0;

	*out = 0;
	if (rc == DH_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		rc = err_set("spend ledger: %s", err_msg());
		goto out;
	}
	for (char *p = b.ptr; p && p < b.ptr + b.len;) {
		char *nl = memchr(p, '\n', (size_t)(b.ptr + b.len - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(b.ptr + b.len - p);
		cJSON *rec = cJSON_ParseWithLength(p, len);
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(rec, "cost_usd");

		if (cJSON_IsNumber(c) && c->valuedouble > 0)
			sum += c->valuedouble;
		cJSON_Delete(rec);
		p = nl ? nl + 1 : NULL;
	}
	*out = sum;
out:
	buf_fini(&b);
	free(path);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * client_verb_local(): the review and history verbs run in this process on
 * a session whose engine is not live, the session lookups a front end
 * needs before it knows whether an engine is live, and the check of the
 * permission rules a session would refuse.
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/approval.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "session/session.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, unsigned);
	bool writes; /* changes the folders or the store */
} verb_table[] = {
	{ .name = "log", .fn = verbs_log },
	{ .name = "diff", .fn = verbs_diff },
	{ .name = "sessions", .fn = verbs_sessions },
	{ .name = "usage", .fn = verbs_usage },
	{ .name = "review", .fn = verbs_review },
	{ .name = "accept", .fn = verbs_accept, .writes = true },
	{ .name = "accept-hunk", .fn = verbs_accept_hunk, .writes = true },
	{ .name = "reject", .fn = verbs_reject, .writes = true },
	{ .name = "reject-hunk", .fn = verbs_reject_hunk, .writes = true },
	{ .name = "undo", .fn = verbs_undo, .writes = true },
	{ .name = "redo", .fn = verbs_redo, .writes = true },
	{ .name = "restore", .fn = verbs_restore, .writes = true },
	{ .name = "skills", .fn = verbs_skills },
	{ .name = "audit", .fn = verbs_audit },
	{ .name = "models", .fn = verbs_models },
};

const struct option client_verb_options[] = {
	{ "session", required_argument, NULL, 's' },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "stat", no_argument, NULL, 'S' },
	{ "steps", required_argument, NULL, 'n' },
	{ "to", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
client_verb_bad_option(const char *verb, int opt, char *const argv[])
{
	const char *given = argv[optind - 1], *cluster = argv[optind];
	/* A short option inside "-ab" leaves optind at that element; a long
	 * one (unknown: optopt 0) and the last of a cluster step past it. */
	bool in_cluster = optopt && cluster && cluster[0] == '-' && cluster[1] != '-' &&
			  strchr(cluster + 1, optopt);
	bool is_short = optopt && (in_cluster || strncmp(given, "--", 2) != 0);
	char letter[2] = { (char)optopt, 0 };
	struct buf shown = BUF_INIT;

	/* The option as names are shown (utf8_sanitized()): "-^[", not ESC. */
	fprintf(stderr, "deskhand %s: %s '%s%s'\n", verb,
	        opt == ':' ? "option needs a value:" : "unknown option", is_short ? "-" : "",
	        utf8_sanitized(&shown, is_short ? letter : given));
	buf_fini(&shown);
}

bool
client_verb_empty_session(const char *verb, const char *spec)
{
	if (!spec || *spec)
		return false;
	(void)session_spec_empty();
	fprintf(stderr, "deskhand%s%s: %s\n", verb ? " " : "", verb ? verb : "", err_msg());
	return true;
}

int
client_verb_local(const char *verb, int argc, char **argv, unsigned flags)
{
	for (size_t i = 0; i < sizeof verb_table / sizeof *verb_table; i++) {
		if (strcmp(verb_table[i].name, verb) != 0)
			continue;
		if (verb_table[i].writes && (flags & CLIENT_VERB_READONLY)) {
			fprintf(stderr, "deskhand: %s: the session is live; its engine writes "
					"its store\n", verb);
			return 1;
		}
		return verb_table[i].fn(argc, argv, flags);
	}
	fprintf(stderr, "deskhand: no such verb '%s'\n", verb);
	return 2;
}

int
client_session_resolve(const char *spec, char **id)
{
	char *state = NULL;
	int rc;

	*id = NULL;
	if ((rc = fsutil_state_dir(&state)) == 0)
		rc = session_resolve(state, spec, id);
	free(state);
	return rc;
}

/* True when the real path `dir` is `grant` or lies below it. */
static bool
path_under(const char *dir, const char *grant)
{
	size_t n = strlen(grant);

	while (n > 1 && grant[n - 1] == '/')
		n--;
	return strncmp(dir, grant, n) == 0 && (dir[n] == '\0' || dir[n] == '/' || n == 1);
}

int
client_session_here(const char *cwd, char **id, char **grant, cJSON **skipped)
{
	char *state = NULL, **ids = NULL;
	size_t n = 0;
	long long chosen = 0; /* the second the chosen session's id begins with */
	int rc;

	*id = NULL;
	*grant = NULL;
	*skipped = NULL;
	/* Every session directory: a damaged one (session_list_all()) cannot be
	 * chosen, its grants being unknown, but one that might have been is
	 * said. */
	if ((rc = fsutil_state_dir(&state)) < 0 || (rc = session_list_all(state, &ids, &n)) < 0)
		goto out;
	for (size_t i = n; cwd && i-- > 0;) {
		cJSON *meta = NULL, *g;

		/* Past the chosen one, only those of its second may be newer (a
		 * damaged one is placed by its id's second). */
		if (*id && session_id_time(ids[i]) < chosen)
			break;
		int mrc = session_meta_read(state, ids[i], &meta);
		if (mrc < 0) {
			if (mrc != DH_ENOTFOUND) { /* (not found: removed since listed) */
				cJSON *o = json_new_obj();

				json_add_str(o, "id", ids[i]);
				json_add_str(o, "error", err_msg());
				if (!*skipped)
					*skipped = json_new_arr();
				json_add(*skipped, NULL, o);
			}
			continue;
		}
		cJSON_ArrayForEach(g, json_arr(meta, "grants"))
		{
			if (!*id && cJSON_IsString(g) && path_under(cwd, g->valuestring)) {
				*id = xstrdup(ids[i]);
				*grant = xstrdup(g->valuestring);
				chosen = session_id_time(ids[i]);
				break;
			}
		}
		cJSON_Delete(meta);
	}
	if (!*id)
		rc = session_resolve(state, NULL, id);
out:
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(state);
	return rc;
}

int
client_session_meta(const char *id, cJSON **meta)
{
	char *state = NULL;
	int rc;

	*meta = NULL;
	if ((rc = fsutil_state_dir(&state)) == 0)
		rc = session_meta_read(state, id, meta);
	free(state);
	return rc;
}

bool
client_session_lost(const char *id)
{
	char *state = NULL;
	bool lost = fsutil_state_dir(&state) == 0 && session_lost(state, id);

	free(state);
	return lost;
}

int
client_rules_check(const struct config_rules *const sets[], size_t nsets)
{
	struct approval_rules r = { 0 };
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < nsets; k++)
		for (size_t i = 0; rc == 0 && sets[k] && i < sets[k]->n; i++)
			rc = approval_rules_add_config(&r, &sets[k]->v[i], NULL);
	approval_rules_fini(&r);
	return rc;
}

char *
client_rules_group(const char *tool)
{
	return approval_group_members(tool);
}

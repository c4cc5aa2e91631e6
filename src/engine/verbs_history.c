/* SPDX-License-Identifier: MIT */
/*
 * The history verbs over a session's checkpoints: `deskhand log`, `diff`
 * and `sessions` (`undo` is a review verb, engine/verbs_review.c). They run
 * synchronously (no event loop: nothing else is live), over the shadow
 * repositories of the session's grants.
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "engine/inbox.h"
#include "session/session.h"
#include "snap/review_set.h"
#include "snap/snap.h"

/* Find the grant whose store knows checkpoint `spec` on this session. */
static int
target_resolve(struct verbs_target *t, const char *spec, size_t *out_grant, char out_id[41])
{
	for (size_t i = 0; i < t->n; i++) {
		if (snap_resolve(t->stores[i], t->id, spec, out_id) == 0) {
			*out_grant = i;
			return 0;
		}
	}
	struct buf shown = BUF_INIT;
	int rc = err_setc(DH_ENOTFOUND, "no checkpoint '%s' in session %s (see 'deskhand log')",
	                  utf8_sanitized(&shown, spec), t->id);

	buf_fini(&shown);
	return rc;
}

/* Open the session's stores, those of granted folders that are gone too
 * (their history), or report why not (the caller exits 1). */
static int
open_target(struct verbs_target *t, const char *session)
{
	int rc = verbs_target_open_history(t, session);

	if (rc < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		verbs_target_fini(t);
	}
	else
		verbs_target_warn_gone(t);
	return rc;
}

/* Colour on a terminal, unless NO_COLOR says not or TERM=dumb (which shows
 * escape sequences as text, as git takes it). */
static bool
want_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

static int
simple_opts(int argc, char **argv, const char *usage, const char **session, bool *force,
	    const char **to, bool *json)
{
	int opt, li = -1;

	optind = 0; /* 0: glibc starts afresh; options anywhere before "--" */
	opterr = 0; /* getopt would name the program after the verb ("log: …") */
	while ((opt = getopt_long(argc, argv, CLIENT_VERB_SHORTOPTS, client_verb_options,
				  &li)) != -1) {
		switch (opt) {
		case 's': *session = optarg; break;
		case 'f':
			if (!force)
				goto bad;
			*force = true;
			break;
		case 't':
			if (!to)
				goto bad;
			*to = optarg;
			break;
		case 'j':
			if (!json)
				goto bad;
			*json = true;
			break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			client_verb_bad_option(argv[0], opt, argv);
			fputs(usage, stderr);
			return 2;
		bad: /* an option of other verbs: named as given */
			if (li >= 0)
				fprintf(stderr, "deskhand %s: option '--%s' does not apply\n",
				        argv[0], client_verb_options[li].name);
			else
				fprintf(stderr, "deskhand %s: option '-%c' does not apply\n",
				        argv[0], opt);
			fputs(usage, stderr);
			return 2;
		}
		li = -1;
	}
	return -1;
}

/*
 * deskhand log
 */

static const char log_usage[] =
	"usage: deskhand log [--session ID] [--json]\n"
	"       deskhand log [--json] SESSION      (the older form)\n"
	"\n"
	"List a session's checkpoints, oldest first, with the files each one\n"
	"changed. Short ids name checkpoints for 'deskhand diff' and\n"
	"'deskhand undo --to'. Without --session: the latest session with a grant\n"
	"holding the current directory, else the latest (named on stderr).\n"
	"A checkpoint that cannot be read (a damaged object in the shadow\n"
	"repository) is listed as such, with the reason on stderr; below it only\n"
	"the baseline can be reached. A granted folder that is gone (moved or\n"
	"deleted) is listed from its shadow repository, with a warning on stderr.\n"
	"--json prints an array of {grant, id, short_id, label, tool_call, turn,\n"
	"time, external, files, changes: [{status, path, old_path}]}; external is\n"
	"true for changes made outside the agent (\"external changes\": a person's\n"
	"edit, another program), which 'deskhand undo' leaves alone; one that\n"
	"cannot be read is {grant, id, short_id, damaged}.\n"
	"Exit status: 0, or 1 when something could not be read.\n";

int
verbs_log(int argc, char **argv, unsigned flags)
{
	(void)flags;
	const char *session = NULL;
	bool json = false;
	struct verbs_target t;
	int rc = simple_opts(argc, argv, log_usage, &session, NULL, NULL, &json);

	if (rc >= 0)
		return rc;
	if (optind < argc)
		session = argv[optind++];
	if (optind < argc || client_verb_empty_session("log", session)) {
		fputs(log_usage, stderr);
		return 2;
	}
	if (open_target(&t, session) < 0)
		return 1;
	bool color = want_color();
	const char *task = json_str(t.meta, "task");
	cJSON *out = json ? json_new_arr() : NULL;
	struct buf shown = BUF_INIT;
	if (!json)
		printf("%ssession %s%s (%s) %s\n", color ? "\033[1m" : "", t.id,
		       color ? "\033[0m" : "", json_str(t.meta, "status") ? json_str(t.meta, "status") : "?",
		       utf8_sanitized(&shown, task));
	int status = 0;
	for (size_t g = 0; g < t.n; g++) {
		struct snap_log_entry *e;
		size_t n;

		int lrc = snap_log(t.stores[g], t.id, &e, &n);
		/* No checkpoint list: the session ended before its first checkpoint
		 * in this grant. Nothing to list is not an error. */
		if (lrc < 0 && lrc != DH_ENOTFOUND) {
			fprintf(stderr, "deskhand: %s: %s\n", t.shown[g], err_msg());
			status = 1;
			continue;
		}
		if (!json)
			printf("%s\n", t.shown[g]);
		for (size_t i = 0; i < n; i++) {
			/* What cannot be read is listed where it is, said on
			 * stderr, and fails the exit status. */
			if (e[i].damage) {
				fprintf(stderr, "deskhand: %s: %s\n", t.shown[g], e[i].damage);
				status = 1;
			}
			if (json && e[i].damage) {
				cJSON *o = json_new_obj();

				json_add_str(o, "grant", t.paths[g]);
				json_add_str(o, "id", e[i].id);
				json_add_str(o, "short_id", e[i].short_id);
				json_add_str(o, "damaged", e[i].damage);
				json_add(out, NULL, o);
				continue;
			}
			if (e[i].damage && !e[i].time) {
				printf("  %s%s%s  %-19s  (cannot be read: see above)\n",
				       color ? "\033[31m" : "", e[i].short_id, color ? "\033[0m" : "",
				       "?");
				continue;
			}
			if (json) {
				cJSON *o = json_new_obj(), *ch = json_new_arr();

				json_add_str(o, "grant", t.paths[g]);
				json_add_str(o, "id", e[i].id);
				json_add_str(o, "short_id", e[i].short_id);
				json_add_str(o, "label", e[i].label);
				json_add(o, "tool_call", e[i].tool_call ? cJSON_CreateString(e[i].tool_call)
									 : cJSON_CreateNull());
				json_add_num(o, "turn", e[i].turn);
				json_add_num(o, "time", (double)e[i].time);
				json_add_bool(o, "external", e[i].external);
				json_add_num(o, "files", (double)e[i].nfiles);
				for (size_t k = 0; k < e[i].nchanges; k++) {
					cJSON *c = json_new_obj();
					char st[2] = { e[i].changes[k].status, 0 };

					json_add_str(c, "status", st);
					json_add_name(c, "path", e[i].changes[k].path);
					if (e[i].changes[k].old_path)
						json_add_name(c, "old_path", e[i].changes[k].old_path);
					json_add(ch, NULL, c);
				}
				json_add(o, "changes", ch);
				json_add(out, NULL, o);
				continue;
			}
			char when[32];
			time_t tt = (time_t)e[i].time;
			struct tm tm;
			localtime_r(&tt, &tm);
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
			printf("  %s%s%s  %s  %s", color ? "\033[33m" : "", e[i].short_id,
			       color ? "\033[0m" : "", when, utf8_sanitized(&shown, e[i].label));
			if (i == 0)
				printf("  (%zu files)", e[i].nfiles);
			putchar('\n');
			if (e[i].damage)
				puts("      (not all of it can be read: see above)");
			for (size_t k = 0; k < e[i].nchanges && k < 50; k++) {
				const struct snap_change *c = &e[i].changes[k];
				const char *col = !color		? ""
						  : c->status == 'A' ? "\033[32m"
						  : c->status == 'D' ? "\033[31m"
								     : "\033[36m";
				if (c->old_path)
					printf("      %s%c%s %s", col, c->status,
					       color ? "\033[0m" : "", utf8_sanitized(&shown, c->old_path));
				else
					printf("      %s%c%s", col, c->status, color ? "\033[0m" : "");
				printf("%s %s\n", c->old_path ? " ->" : "", utf8_sanitized(&shown, c->path));
			}
			if (e[i].nchanges > 50)
				printf("      … and %zu more\n", e[i].nchanges - 50);
		}
		snap_log_free(e, n);
	}
	buf_fini(&shown);
	if (json) {
		char *s = json_print(out);
		puts(s);
		free(s);
		cJSON_Delete(out);
	}
	verbs_target_fini(&t);
	return status;
}

/*
 * deskhand diff
 */

static const char diff_usage[] =
	"usage: deskhand diff [--session ID] [FROM [TO]]\n"
	"\n"
	"Show a unified diff between two checkpoints of a session (by default the\n"
	"latest with a grant holding the current directory, else the latest).\n"
	"FROM defaults to the session's baseline and TO to the folders' current\n"
	"contents. Checkpoints are named as 'deskhand log' prints them, or\n"
	"'baseline' / 'head' / 'accepted' (the accepted mark: 'deskhand diff accepted'\n"
	"is what is pending review, as on disk now). On a terminal the files' control\n"
	"characters are shown escaped (^[ for ESC) and the lines colored (NO_COLOR\n"
	"off); into a pipe or a file the diff is a patch, byte for byte.\n"
	"A granted folder that is gone (moved or deleted) is read from its shadow\n"
	"repository; without TO its last checkpoint stands for its contents (said\n"
	"on stderr).\n";

int
verbs_diff(int argc, char **argv, unsigned flags)
{
	(void)flags;
	const char *session = NULL, *from = "baseline", *to = NULL;
	struct verbs_target t;
	int rc = simple_opts(argc, argv, diff_usage, &session, NULL, NULL, NULL);

	if (rc >= 0)
		return rc;
	if (optind < argc)
		from = argv[optind++];
	if (optind < argc)
		to = argv[optind++];
	if (optind < argc || client_verb_empty_session("diff", session)) {
		fputs(diff_usage, stderr);
		return 2;
	}
	if (open_target(&t, session) < 0)
		return 1;
	bool color = want_color();
	struct buf out = BUF_INIT;
	int status = 0;
	for (size_t g = 0; g < t.n; g++) {
		char fid[41], tid[41];
		size_t fg, tg;

		/* "baseline"/"head"/"accepted" exist in every grant; a hex id picks
		 * its grant. */
		bool named = review_set_spec_is_mark(from);
		if (named) {
			if (snap_resolve(t.stores[g], t.id, from, fid) < 0)
				continue;
			fg = g;
		} else if (target_resolve(&t, from, &fg, fid) < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			status = 1;
			break;
		}
		if (fg != g)
			continue;
		/* A folder that is gone has no current contents: its last
		 * checkpoint stands for them. */
		const char *tg_spec = to;
		if (!to && t.history[g]) {
			tg_spec = "head";
			fprintf(stderr, "deskhand: %s is gone: diff to its last checkpoint (head)\n",
			        t.shown[g]);
		}
		if (tg_spec) {
			if (snap_resolve(t.stores[g], t.id, tg_spec, tid) < 0) {
				if (target_resolve(&t, tg_spec, &tg, tid) == 0 && tg != g)
					fprintf(stderr, "deskhand: %s and %s belong to different folders\n",
						from, tg_spec);
				else
					fprintf(stderr, "deskhand: %s\n", err_msg());
				status = 1;
				break;
			}
		}
		if (snap_diff(t.stores[g], fid, tg_spec ? tid : NULL,
		              (color ? SNAP_DIFF_COLOR : 0) |
		                      (isatty(STDOUT_FILENO) ? SNAP_DIFF_SHOWN : 0),
		              &out) < 0) {
			fprintf(stderr, "deskhand: %s: %s\n", t.shown[g], err_msg());
			status = 1;
			break;
		}
		if (t.n > 1 && out.len)
			printf("%s# %s%s\n", color ? "\033[1m" : "", t.shown[g], color ? "\033[0m" : "");
		fwrite(buf_cstr(&out), 1, out.len, stdout);
		buf_clear(&out);
	}
	buf_fini(&out);
	verbs_target_fini(&t);
	return status;
}

/*
 * deskhand sessions
 */

/* meta.json's totals made the session's (session_totals()): those of an
 * engine killed during a tool call are in its transcript only. */
static void
totals_to_meta(const char *state, const char *id, cJSON *meta)
{
	struct session_totals t;

	if (session_totals(state, id, meta, &t) < 0)
		fprintf(stderr, "deskhand: warning: %s\n", err_msg());
	const struct {
		const char *key;
		double v;
	} set[] = {
		{ "turns", (double)t.turns },
		{ "input_tokens", (double)t.input_tokens },
		{ "output_tokens", (double)t.output_tokens },
		{ "cache_read_tokens", (double)t.cache_read_tokens },
		{ "cache_creation_tokens", (double)t.cache_creation_tokens },
		{ "cost_usd", t.cost_usd },
	};
	for (size_t i = 0; i < sizeof set / sizeof *set; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, set[i].key);
		json_add_num(meta, set[i].key, set[i].v);
	}
	/* the session's cost, not known once a request had no price */
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "cost_unknown");
	if (t.cost_unknown)
		cJSON_ReplaceItemInObjectCaseSensitive(meta, "cost_usd", cJSON_CreateNull());
}

static const char sessions_usage[] =
	"usage: deskhand sessions [--json]\n"
	"\n"
	"List sessions, oldest first: id, state, turns, cost, grants and task.\n"
	"The state of a running session is its engine's, as 'deskhand ls' shows it\n"
	"(working, waiting for an approval; running for a foreground deskhand run),\n"
	"or 'interrupted' when its process is gone; --json has both, \"status\" as\n"
	"recorded and \"state\". The engines are asked as 'deskhand ls' asks them,\n"
	"waiting DH_LIST_WAIT_MS for their answers (default 3000).\n"
	"Turns, tokens and cost count every request its transcript records, also\n"
	"those of a turn whose engine was killed before meta.json was saved; a\n"
	"cost not known (a request had no price in the model registry) is $?\n"
	"(--json: null).\n"
	"A session whose meta.json is missing or cannot be read is listed as\n"
	"'unreadable', with a warning on stderr naming the file and what is wrong.\n"
	"Exit status: 0, or 1 when a session could not be read (the rest are\n"
	"listed all the same). With none, a line says so (--json: []).\n";

int
verbs_sessions(int argc, char **argv, unsigned flags)
{
	(void)flags;
	bool json = false;
	const char *unused = NULL;
	char *state = NULL, **ids = NULL;
	size_t n = 0;
	int status = 0;
	int rc = simple_opts(argc, argv, sessions_usage, &unused, NULL, NULL, &json);

	if (rc >= 0)
		return rc;
	if (optind < argc || unused) {
		struct buf shown = BUF_INIT;

		if (optind < argc)
			fprintf(stderr, "deskhand sessions: unexpected argument '%s'\n",
			        utf8_sanitized(&shown, argv[optind]));
		else
			fprintf(stderr, "deskhand sessions: option '--session' does not apply\n");
		buf_fini(&shown);
		fputs(sessions_usage, stderr);
		return 2;
	}
	if (fsutil_state_dir(&state) < 0 || session_list_all(state, &ids, &n) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		free(state);
		return 1;
	}
	cJSON *arr = json ? json_new_arr() : NULL, *live = NULL;
	if (client_list_live(&live) < 0)
		live = json_new_arr(); /* no engines' directory: none is live */
	for (size_t i = 0; i < n; i++) {
		cJSON *meta = NULL;

		/* Listed, and said on stderr: a session that cannot be read is
		 * never left out of the list, nor shown as if it were whole. */
		if (session_meta_read(state, ids[i], &meta) < 0) {
			fprintf(stderr, "deskhand: warning: %s\n", err_msg());
			meta = json_new_obj();
			json_add_str(meta, "id", ids[i]);
			json_add_str(meta, "status", "unreadable");
			json_add_str(meta, "error", err_msg());
			status = 1;
		} else {
			totals_to_meta(state, ids[i], meta);
		}
		/* what it is doing now, as deskhand ls says (beside "status",
		 * the record's) */
		json_add_str(meta, "state", inbox_session_state(meta, live, ids[i]));
		if (json) {
			json_add(arr, NULL, meta);
			free(ids[i]);
			continue;
		}
		cJSON *g = cJSON_GetArrayItem(json_arr(meta, "grants"), 0);
		struct buf grant = BUF_INIT, task = BUF_INIT;
		const cJSON *cost = cJSON_GetObjectItemCaseSensitive(meta, "cost_usd");
		char usd[32] = "?"; /* null: a request had no price */
		if (!cJSON_IsNull(cost))
			snprintf(usd, sizeof usd, "%.4f", cJSON_IsNumber(cost) ? cost->valuedouble : 0.0);
		printf("%s  %-11s %3lld turns  $%-6s  %s  %s\n", ids[i], json_str(meta, "state"),
		       json_int(meta, "turns", 0), usd,
		       cJSON_IsString(g) ? utf8_sanitized(&grant, g->valuestring) : "-",
		       utf8_sanitized(&task, json_str(meta, "task")));
		buf_fini(&grant);
		buf_fini(&task);
		cJSON_Delete(meta);
		free(ids[i]);
	}
	if (json) {
		char *s = json_print(arr);
		puts(s);
		free(s);
		cJSON_Delete(arr);
	} else if (n == 0) { /* as `deskhand inbox` says "inbox empty" */
		printf("no sessions (start one: deskhand --grant DIR, or deskhand run --grant DIR "
		       "\"TASK\")\n");
	}
	cJSON_Delete(live);
	free(ids);
	free(state);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * The review verbs (snap/review.h): `deskhand review`, `accept`,
 * `accept-hunk`, `reject`, `reject-hunk`, `undo [--steps N]`, `redo` and
 * `restore`. They run
 * synchronously over the shadow repositories of a session's grants (the
 * one --session names; cli/review.c fills it in from the current directory)
 * and route each path to the grant that
 * owns it: absolute paths inside a grant, or paths relative to the first one.
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "policy/grant.h"
#include "session/session.h"
#include "snap/review.h"
#include "snap/review_set.h"
#include "snap/snap.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_CONFLICT = 3,
};

/* Route `arg` to a grant: *g and a heap folder-relative path. The one router
 * is grant_resolve() (policy/grant.h), as for the agent's tools and the
 * engine's review commands: relative paths are relative to the first grant
 * (cli/review.c has made the person's relative to the current directory
 * absolute first, when no --session is given),
 * absolute ones must lie lexically inside one (no symlinked prefix is
 * followed). */
static int
route(const struct verbs_target *t, const char *arg, size_t *g, char **rel)
{
	struct grant_set *gs = NULL;
	int rc = grant_set_new(&gs);

	for (size_t i = 0; i < t->n && rc == 0; i++)
		rc = grant_add(gs, t->paths[i]);
	if (rc == 0)
		rc = grant_resolve(gs, arg, g, rel);
	grant_set_free(gs);
	return rc;
}

/* route() for a PATH argument in the spelling the command acts on
 * (review_set_pick_name(), README "Names"): the exact bytes given, else,
 * when those name nothing pending, the escaped form `deskhand review --json`
 * prints ("caf\xe9.txt") read back. Returns 0, or <0 with err_msg() set
 * (the error of the argument as given). */
static int
route_name(const struct verbs_target *t, const char *arg, size_t *g, char **rel)
{
	char *u = review_set_unescaped(arg), *alt = NULL;
	size_t ag = 0;
	int rc;

	if (u && route(t, u, &ag, &alt) < 0)
		alt = NULL;
	rc = route(t, arg, g, rel); /* after: its error is the one said */
	if (rc == 0 && alt) {
		const struct review_set rs = {t->id, t->stores, (const char *const *)t->paths, t->n};

		rc = review_set_pick_name(&rs, *g, *rel, ag, alt);
		if (rc < 0) {
			free(*rel);
			*rel = NULL;
		}
	} else if (rc < 0 && alt) { /* only the unescaped spelling is in a grant */
		rc = 1;
	}
	if (rc == 1) {
		free(*rel);
		*rel = alt;
		*g = ag;
		alt = NULL;
	}
	free(alt);
	free(u);
	return rc < 0 ? rc : 0;
}

/* Say the error err_msg() on stderr: one line, a name in it shown as the
 * listing shows names (utf8_sanitized()), so a newline in a name cannot
 * start a line of its own. */
static void
say_error(void)
{
	struct buf b = BUF_INIT;

	fprintf(stderr, "deskhand: %s\n", utf8_sanitized(&b, err_msg()));
	buf_fini(&b);
}

/*
 * Options
 */

struct opts {
	const char *session;
	const char *to; /* undo --to CHECKPOINT */
	bool json, force, stat;
	long steps; /* -1: not given */
};

enum {
	OPT_FORCE = 1u << 0,
	OPT_STAT = 1u << 1,
	OPT_STEPS = 1u << 2,
	OPT_TO = 1u << 3,
};

/* Parse options; returns -1 to go on, else the exit status (help, usage). */
static int
parse_opts(int argc, char **argv, const char *usage, unsigned allowed, struct opts *o)
{
	char *end;
	int opt;

	memset(o, 0, sizeof *o);
	o->steps = -1;
	optind = 0; /* 0: glibc starts afresh; options anywhere before "--" */
	opterr = 0; /* getopt would name the program after the verb ("review: …") */
	while ((opt = getopt_long(argc, argv, CLIENT_VERB_SHORTOPTS, client_verb_options,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			o->session = optarg;
			break;
		case 't':
			if (!(allowed & OPT_TO))
				goto bad;
			o->to = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'f':
			if (!(allowed & OPT_FORCE))
				goto bad;
			o->force = true;
			break;
		case 'S':
			if (!(allowed & OPT_STAT))
				goto bad;
			o->stat = true;
			break;
		case 'n':
			if (!(allowed & OPT_STEPS))
				goto bad;
			o->steps = strtol(optarg, &end, 10);
			if (*end || o->steps < 1 || o->steps > 100000) {
				fprintf(stderr, "deskhand: --steps wants a positive number\n");
				goto bad;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		default:
			client_verb_bad_option(argv[0], opt, argv);
			/* fall through */
		bad:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (client_verb_empty_session(argv[0], o->session)) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	/* An empty operand names no file, hunk or checkpoint (git: "empty
	 * string is not a valid pathspec"). */
	for (int i = optind; i < argc; i++) {
		if (!argv[i][0]) {
			fprintf(stderr, "deskhand: operand %d is empty: it names nothing\n",
			        i - optind + 1);
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Open the session's stores, or report why not. A granted folder that is
 * gone (moved or deleted) is named on stderr: left out with a warning, or,
 * for a command that acts on every granted folder (`all`: undo, redo,
 * restore, accept without paths), a refusal. */
static int
open_or_fail(struct verbs_target *t, const struct opts *o, bool all)
{
	if (verbs_target_open(t, o->session) < 0) {
		say_error();
		verbs_target_fini(t);
		return -1;
	}
	if (all && t->gone.n > 0) {
		fprintf(stderr, "deskhand: granted folder %s is gone (moved or deleted): "
		        "this acts on every granted folder; put it back first\n",
		        t->gone.v[0]);
		verbs_target_fini(t);
		return -1;
	}
	verbs_target_warn_gone(t);
	return 0;
}

/* The session-wide review over the target's grants (snap/review_set.h). */
static struct review_set
target_set(const struct verbs_target *t)
{
	return (struct review_set){t->id, t->stores, (const char *const *)t->paths, t->n};
}

/* Write the text s to f made printable (utf8_sanitized_text()): a report or
 * a message names files the agent named, and a conflict's diff shows what it
 * wrote, either of which may hold an escape sequence. */
static void
put_text(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;

	fputs(utf8_sanitized_text(&b, s), f);
	buf_fini(&b);
}

/* Print a command's report (review_outcome.report) to stdout, a line each,
 * its names as the listing shows them (utf8_sanitized()): a name that holds
 * a newline cannot make a line of the report, nor an escape reach the
 * terminal. */
static void
put_report(const struct strv *report)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < report->n; i++)
		printf("%s\n", utf8_sanitized(&b, report->v[i]));
	buf_fini(&b);
}

/* The target's folders as a grant set (the caller's to grant_set_free()), or
 * NULL with a warning when one cannot be opened again. */
static struct grant_set *
target_grants(const struct verbs_target *t)
{
	struct grant_set *gs = NULL;
	int rc = grant_set_new(&gs);

	for (size_t i = 0; i < t->n && rc == 0; i++)
		rc = grant_add(gs, t->paths[i]);
	if (rc < 0) {
		fprintf(stderr, "deskhand: warning: %s\n", err_msg());
		grant_set_free(gs);
		return NULL;
	}
	return gs;
}

/* Record what changed on disk since the session's last checkpoint (issue 9,
 * fault 1), attributed to the call the session was killed in, if any, so the
 * command acts on the folder as it is now; then put back the protected files
 * that an unsandboxed command the engine was killed in changed
 * (engine_recover_put_back), the model told at the next task. The report
 * goes to stdout (stderr with --json, whose stdout is one document).
 * Returns 0 or -1 after printing the error. */
static int
recover(const struct verbs_target *t, const struct opts *o)
{
	const struct review_set rs = target_set(t);
	struct session *sess = NULL;
	cJSON *history = NULL;
	struct buf report = BUF_INIT;
	char *dir = NULL;
	int rc;

	/* A transcript that cannot be read only loses the attribution. */
	if (session_open(&sess, t->state, t->id) < 0 || session_history_load(sess, &history) < 0)
		history = NULL;
	else if (session_dir(sess))
		dir = xstrdup(session_dir(sess));
	session_close(sess);
	rc = review_set_recover(&rs, history, &report);
	if (rc == 0 && history && dir) {
		struct grant_set *gs = target_grants(t);

		engine_recover_put_back(&rs, gs, dir, history, &report);
		grant_set_free(gs);
	}
	free(dir);
	cJSON_Delete(history);
	if (report.len)
		put_text(o->json ? stderr : stdout, buf_cstr(&report));
	buf_fini(&report);
	if (rc < 0) {
		fputs("deskhand: ", stderr);
		put_text(stderr, err_msg());
		putc('\n', stderr);
	}
	return rc < 0 ? -1 : 0;
}

/* open_or_fail() (`all` as there), the writer lock of every grant's store (a
 * live engine or another verb holds it: refused, naming the holder), then
 * recover(): for the commands that act on the folder or the accepted mark.
 * The locks go with verbs_target_fini() (snap_close). */
static int
open_now(struct verbs_target *t, const struct opts *o, bool all)
{
	if (open_or_fail(t, o, all) < 0)
		return -1;
	for (size_t g = 0; g < t->n; g++) {
		if (snap_lock(t->stores[g], SNAP_LOCK_VERB, t->id) < 0) {
			say_error();
			verbs_target_fini(t);
			return -1;
		}
	}
	if (recover(t, o) == 0)
		return 0;
	verbs_target_fini(t);
	return -1;
}

/* For `review`: open_now() when no engine holds the session's stores, else
 * only open_or_fail() (read beside it). */
static int
open_listing(struct verbs_target *t, const struct opts *o)
{
	if (open_or_fail(t, o, false) < 0)
		return -1;
	for (size_t g = 0; g < t->n; g++) {
		int rc = snap_lock(t->stores[g], SNAP_LOCK_VERB, t->id);

		if (rc == DH_EDENIED) {
			for (size_t k = 0; k < g; k++)
				snap_unlock(t->stores[k]);
			return 0;
		}
		if (rc < 0) {
			say_error();
			verbs_target_fini(t);
			return -1;
		}
	}
	if (recover(t, o) == 0)
		return 0;
	verbs_target_fini(t);
	return -1;
}

static void
print_json(cJSON *v)
{
	char *s = json_print(v);

	puts(s);
	free(s);
	cJSON_Delete(v);
}

static cJSON *
json_str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int
status_of(int rc)
{
	return rc == DH_ECONFLICT ? EXIT_CONFLICT : rc < 0 ? EXIT_FAIL : EXIT_OK;
}

/*
 * Reporting command outcomes
 */

static cJSON *
outcome_json(const struct verbs_target *t, size_t g, int rc, const struct review_outcome *o)
{
	cJSON *r = json_new_obj(), *rep = json_new_arr(), *cf = json_new_arr();

	json_add_str(r, "grant", t->paths[g]);
	json_add_str(r, "status", rc == DH_ECONFLICT ? "conflict" : rc < 0 ? "error" : "ok");
	json_add_name(r, "error", rc < 0 ? err_msg() : NULL);
	json_add_num(r, "paths", (double)o->npaths);
	json_add(r, "checkpoint", json_str_or_null(o->ck.created ? o->ck.id : NULL));
	for (size_t i = 0; i < o->report.n; i++)
		json_add_name(rep, NULL, o->report.v[i]);
	json_add(r, "report", rep);
	cJSON *notes = json_new_arr();
	for (size_t i = 0; i < o->notes.n; i++)
		json_add_name(notes, NULL, o->notes.v[i]);
	json_add(r, "notes", notes);
	json_add(r, "conflict_dir", json_str_or_null(o->conflict_dir));
	for (size_t i = 0; i < o->nconflicts; i++) {
		const struct review_conflict *c = &o->conflicts[i];
		cJSON *x = json_new_obj();

		json_add_name(x, "path", c->path);
		json_add(x, "base", json_str_or_null(c->base));
		json_add(x, "agent", json_str_or_null(c->agent));
		json_add(x, "current", json_str_or_null(c->current));
		json_add(x, "diff", json_str_or_null(c->diff));
		json_add(x, "error", json_str_or_null(c->error));
		json_add(cf, NULL, x);
	}
	json_add(r, "conflicts", cf);
	return r;
}

static void
outcome_text(const struct verbs_target *t, size_t g, int rc, const struct review_outcome *o,
             const char *done)
{
	struct buf b = BUF_INIT;

	put_report(&o->report);
	if (rc == DH_ECONFLICT) {
		printf("%s: conflict: changed after the agent; three versions of each are in %s\n",
		       t->shown[g], o->conflict_dir ? o->conflict_dir : "?");
		for (size_t i = 0; i < o->nconflicts; i++) {
			const struct review_conflict *c = &o->conflicts[i];

			printf("  %s\n", utf8_sanitized(&b, c->path));
			printf("    base:    %s\n",
			       c->base ? utf8_sanitized(&b, c->base)
			       : c->base_unreadable ? "(cannot be read)" : "(absent)");
			printf("    agent:   %s\n",
			       c->agent ? utf8_sanitized(&b, c->agent)
			       : c->agent_unreadable ? "(cannot be read)" : "(absent)");
			printf("    current: %s\n",
			       c->current ? utf8_sanitized(&b, c->current) : "(absent)");
			if (c->error)
				printf("    %s\n", utf8_sanitized_text(&b, c->error));
			if (c->diff && *c->diff)
				put_text(stdout, c->diff);
		}
		fprintf(stderr, "deskhand: %s: %s\n", t->shown[g], utf8_sanitized(&b, err_msg()));
		fprintf(stderr, "deskhand: nothing was changed; use --force to overwrite\n");
	} else if (rc < 0) {
		fprintf(stderr, "deskhand: %s: %s\n", t->shown[g], utf8_sanitized(&b, err_msg()));
	} else if (done) {
		if (o->ck.created)
			printf("%s: %s %zu path%s (checkpoint %s)\n", t->shown[g], done, o->npaths,
			       o->npaths == 1 ? "" : "s", o->ck.short_id);
		else
			printf("%s: %s %zu path%s (nothing changed)\n", t->shown[g], done,
			       o->npaths, o->npaths == 1 ? "" : "s");
	}
	put_report(&o->notes);
	buf_fini(&b);
}

/* Collects per-grant outcomes into one JSON document or text. */
struct results {
	const struct verbs_target *t;
	bool json;
	bool redo; /* each result says what it took back ("took_back") */
	cJSON *arr;
	int status;
};

static void
results_init(struct results *r, const struct verbs_target *t, bool json)
{
	r->t = t;
	r->json = json;
	r->redo = false;
	r->arr = json ? json_new_arr() : NULL;
	r->status = EXIT_OK;
}

static void
results_add(struct results *r, size_t g, int rc, const struct review_outcome *o, const char *done)
{
	int st = status_of(rc);

	if (st > r->status || (st == EXIT_FAIL && r->status == EXIT_OK))
		r->status = st;
	if (r->json) {
		cJSON *j = json_add(r->arr, NULL, outcome_json(r->t, g, rc, o));

		/* What the text says in `done`: "took back restore ID", or the
		 * last undo's steps reapplied (null). */
		if (r->redo)
			json_add(j, "took_back",
			         json_str_or_null(o->taken_back[0] ? o->taken_back : NULL));
	} else {
		outcome_text(r->t, g, rc, o, done);
	}
}

static void
results_error(struct results *r, const char *msg)
{
	if (r->status == EXIT_OK)
		r->status = EXIT_FAIL;
	if (!r->json) {
		struct buf b = BUF_INIT;

		fprintf(stderr, "deskhand: %s\n", utf8_sanitized(&b, msg));
		buf_fini(&b);
		return;
	}
	cJSON *x = json_new_obj();
	json_add_str(x, "status", "error");
	json_add_name(x, "error", msg);
	json_add(r->arr, NULL, x);
}

static int
results_finish(struct results *r)
{
	if (r->json) {
		cJSON *doc = json_new_obj();

		json_add_str(doc, "session", r->t->id);
		json_add_str(doc, "status",
		             r->status == EXIT_OK         ? "ok"
		             : r->status == EXIT_CONFLICT ? "conflict"
		                                          : "error");
		json_add(doc, "results", r->arr);
		print_json(doc);
	}
	return r->status;
}

/*
 * deskhand review
 */

/* How every review verb takes a PATH (cli/review.c makes a relative one
 * absolute against the current directory, when no --session is given). */
#define PATHS_HELP                                                                       \
	"A PATH is absolute inside a granted folder, or relative: to the current\n"        \
	"directory when no --session is given and the session's grant holds it, as\n"     \
	"git takes it, else to the first granted folder.\n"                            \
	"Names are printed as 'deskhand review' lists them: a control character in\n"    \
	"caret notation (^J a newline, ^[ ESC), a byte that is not UTF-8 as \\xHH;\n"  \
	"--json has them exact, those bytes as \\xHH too. A PATH is taken as its\n"   \
	"exact bytes and, when those name nothing pending, with its \\xHH read back\n" \
	"as bytes: a name as --json gives it (its JSON string decoded) or as\n"        \
	"review shows a byte that is not UTF-8 works, and so does a real name\n"      \
	"that holds \"\\x41\".\n"

static const char review_usage[] =
	"usage: deskhand review [--session ID] [--json] [--stat] [PATH...]\n"
	"\n"
	"Show what a session (by default the latest with a grant holding the current\n"
	"directory, else the latest) changed that is not accepted yet: every file\n"
	"that differs between the accepted mark and the session's head\n"
	"checkpoint, with its status (A added, M modified, D deleted, R\n"
	"renamed, T type or mode), added/removed line counts, the step that last\n"
	"changed it and its hunks, numbered from 1 for 'deskhand accept-hunk' and\n"
	"'deskhand reject-hunk' (accepting or rejecting one renumbers the rest).\n"
	"Binary files show their sizes; a spreadsheet also its changed cells\n"
	"(~Sheet1!B4: 12.50 → 13.00), another office document or a PDF the diff of\n"
	"its text (accepted or rejected whole); a symbolic link its targets\n"
	"(symlink: old -> new). --stat omits the hunks. PATHs\n"
	"limit the listing. What changed on disk since the last checkpoint is\n"
	"recorded first, so the listing and its hunk numbers are those of the\n"
	"folder as it is now. With --json each file's step is {id, short_id,\n"
	"label, tool_call, turn, time, external} or null; external is true for\n"
	"changes made outside the agent (\"external changes\": a person's edit,\n"
	"another program), which 'deskhand undo' leaves alone.\n"
	PATHS_HELP;

static void
mode_str(char out[8], unsigned mode)
{
	snprintf(out, 8, "%06o", mode);
}

static void
file_text(const struct review_file *f, bool hunks)
{
	struct buf b = BUF_INIT, link = BUF_INIT;
	char om[8], nm[8];

	printf("%c  %s", f->status, utf8_sanitized(&b, f->path));
	if (f->old_path)
		printf(" <- %s", utf8_sanitized(&b, f->old_path));
	if (f->binary && f->old_size < 0)
		printf("  binary, new, %lld bytes", f->new_size); /* no side is "-1 bytes" */
	else if (f->binary && f->new_size < 0)
		printf("  binary, deleted, %lld bytes", f->old_size);
	else if (f->binary)
		printf("  binary, %lld -> %lld bytes", f->old_size, f->new_size);
	else if (f->added || f->removed)
		printf("  +%zu -%zu", f->added, f->removed);
	if (f->textconv)
		printf(!strcmp(f->textconv, "cells") ? ", cells compared" : ", text compared");
	if (review_model_link_text(f, &link))
		printf("  %s", utf8_sanitized(&b, buf_cstr(&link)));
	buf_fini(&link);
	mode_str(om, f->old_mode);
	mode_str(nm, f->new_mode);
	if (f->old_mode && f->new_mode && f->old_mode != f->new_mode)
		printf("  mode %s -> %s", om, nm);
	if (f->step.id[0])
		printf("  [%.8s %s]", f->step.short_id, utf8_sanitized(&b, f->step.label));
	putchar('\n');
	/* The lines are the files' own text (the agent's, a document's): shown,
	 * never sent to the terminal as control sequences (STYLE.md §3.10). */
	for (size_t h = 0; hunks && h < f->nhunks; h++) {
		const struct review_hunk *rh = &f->hunks[h];

		buf_clear(&b);
		utf8_sanitize(&b, rh->header, strlen(rh->header), 0);
		printf("   hunk %d  %s\n", rh->n, buf_cstr(&b));
		for (size_t i = 0; i < rh->nlines; i++) {
			buf_clear(&b);
			utf8_sanitize(&b, rh->lines[i].text, strlen(rh->lines[i].text), 0);
			printf("   %c%s\n", rh->lines[i].origin, buf_cstr(&b));
		}
	}
	buf_fini(&b);
}

static bool
file_selected(const struct review_file *f, char **sel, size_t nsel)
{
	if (!nsel)
		return true;
	for (size_t i = 0; i < nsel; i++) {
		size_t n = strlen(sel[i]);
		const char *cand[2] = {f->path, f->old_path};

		if (!n)
			return true;
		for (int k = 0; k < 2; k++)
			if (cand[k] && !strncmp(cand[k], sel[i], n) &&
			    (!cand[k][n] || cand[k][n] == '/'))
				return true;
	}
	return false;
}

int
verbs_review(int argc, char **argv, unsigned flags)
{
	struct opts o;
	struct verbs_target t;
	int rc = parse_opts(argc, argv, review_usage, OPT_STAT, &o);

	if (rc >= 0)
		return rc;
	/* While an engine has the session (its writer lock is held: a live
	 * engine, or a foreground run) it records what changed on disk itself:
	 * the listing then writes nothing (no recovery checkpoint). */
	if ((flags & CLIENT_VERB_READONLY ? open_or_fail(&t, &o, false) : open_listing(&t, &o)) < 0)
		return EXIT_FAIL;
	/* Per grant: the selected relative paths. */
	struct strv *sel = xcalloc(t.n, sizeof *sel);
	bool any_sel = optind < argc;
	int status = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		size_t g;
		char *rel;

		if (route_name(&t, argv[i], &g, &rel) < 0) {
			say_error();
			status = EXIT_FAIL;
			continue;
		}
		size_t n = strlen(rel);
		while (n && rel[n - 1] == '/')
			rel[--n] = '\0';
		ARRAY_PUSH(&sel[g], rel);
	}
	cJSON *doc = o.json ? json_new_obj() : NULL, *grants = o.json ? json_new_arr() : NULL;
	size_t total = 0;
	const struct review_set rs = target_set(&t);
	struct review **rv = xcalloc(t.n + 1, sizeof *rv);
	if (status == EXIT_OK && review_set_get(&rs, rv) < 0) {
		say_error();
		status = EXIT_FAIL;
	}
	for (size_t g = 0; g < t.n && status == EXIT_OK; g++) {
		struct review *r = rv[g];

		if ((any_sel && !sel[g].n) || !r) /* !r: no checkpoint in that grant yet */
			continue;
		cJSON *files = o.json ? json_new_arr() : NULL;
		size_t shown = 0;
		for (size_t i = 0; i < r->nfiles; i++) {
			if (!file_selected(&r->files[i], sel[g].v, sel[g].n))
				continue;
			if (!shown && !o.json && t.n > 1)
				printf("# %s\n", t.shown[g]);
			shown++;
			if (o.json)
				json_add(files, NULL, review_model_file_to_json(&r->files[i], !o.stat));
			else
				file_text(&r->files[i], !o.stat);
		}
		total += shown;
		if (o.json) {
			cJSON *x = json_new_obj();

			json_add_str(x, "grant", t.paths[g]);
			json_add_str(x, "accepted", r->accepted_id);
			json_add_str(x, "head", r->head_id);
			json_add(x, "files", files);
			json_add(grants, NULL, x);
		} else if (shown) {
			printf("%zu file%s pending in %s (accepted %.12s, head %.12s)\n", shown,
			       shown == 1 ? "" : "s", t.shown[g], r->accepted_id, r->head_id);
		}
	}
	for (size_t g = 0; g < t.n; g++)
		snap_review_free(rv[g]);
	free(rv);
	if (o.json) {
		json_add_str(doc, "session", t.id);
		json_add(doc, "grants", grants);
		if (status == EXIT_OK)
			print_json(doc);
		else
			cJSON_Delete(doc);
	} else if (status == EXIT_OK && !total) {
		printf("nothing pending in session %s\n", t.id);
	}
	for (size_t g = 0; g < t.n; g++)
		strv_free(&sel[g]);
	free(sel);
	verbs_target_fini(&t);
	return status;
}

/*
 * deskhand accept / reject
 */

static const char accept_usage[] =
	"usage: deskhand accept [--session ID] [--json] [PATH...]\n"
	"\n"
	"Accept pending changes: move the session's accepted mark so the given\n"
	"files (a directory selects everything below it; all files when none is\n"
	"given) read as in the session's head. The folder is not touched. The mark\n"
	"is kept in the shadow repository, so it survives restarts.\n"
	"'./' (as 'deskhand review' prints it) is the granted folder's own mode\n"
	"change alone; '.' or the folder's path selects everything in it.\n"
	PATHS_HELP;

static const char reject_usage[] =
	"usage: deskhand reject [--session ID] [--json] [--force] PATH...\n"
	"\n"
	"Reject pending changes: restore the given files in the folder to their\n"
	"accepted state (a renamed file goes back to its old name; a file whose\n"
	"folder became a file or a link brings the folder back) and take a\n"
	"checkpoint, so the rejection can itself be undone. If a file was changed\n"
	"after the agent changed it, nothing is written: the three versions (base =\n"
	"accepted, agent, current) are saved to a temporary directory and a diff\n"
	"agent -> current is shown; --force overwrites.\n"
	"'./' (as 'deskhand review' prints it) is the granted folder's own mode\n"
	"change alone: the folder's mode goes back, nothing in it is touched; '.'\n"
	"or the folder's path selects everything in it.\n"
	PATHS_HELP
	"Exit status: 0 done, 1 error, 2 usage, 3 refused because of a conflict.\n";

/* Group path arguments per grant; returns -1 after printing on a bad path. */
static int
group_paths(const struct verbs_target *t, int argc, char **argv, struct strv *per)
{
	for (int i = optind; i < argc; i++) {
		size_t g;
		char *rel;

		if (route_name(t, argv[i], &g, &rel) < 0) {
			say_error();
			return -1;
		}
		rel = review_set_self_path(argv[i], rel); /* "./": the folder's own mode */
		if (!*rel) { /* the grant itself: everything */
			free(rel);
			rel = xstrdup(".");
		}
		ARRAY_PUSH(&per[g], rel);
	}
	return 0;
}

static void
free_groups(size_t n, struct strv *per)
{
	for (size_t g = 0; g < n; g++)
		strv_free(&per[g]);
	free(per);
}

int
verbs_accept(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct opts o;
	struct verbs_target t;
	struct results res;
	int rc = parse_opts(argc, argv, accept_usage, 0, &o);

	if (rc >= 0)
		return rc;
	if (open_now(&t, &o, optind >= argc) < 0)
		return EXIT_FAIL;
	struct strv *per = xcalloc(t.n, sizeof *per);
	bool all = optind >= argc;
	if (group_paths(&t, argc, argv, per) < 0) {
		free_groups(t.n, per);
		verbs_target_fini(&t);
		return EXIT_FAIL;
	}
	results_init(&res, &t, o.json);
	for (size_t g = 0; g < t.n; g++) {
		struct review_outcome out;

		if (!all && !per[g].n)
			continue;
		snap_review_outcome_init(&out);
		rc = snap_review_accept(t.stores[g], t.id, (const char *const *)per[g].v, per[g].n,
		                        &out);
		if (!o.json && rc == 0) {
			put_report(&out.report);
			printf("%s: accepted %zu file%s", t.shown[g], out.npaths,
			       out.npaths == 1 ? "" : "s");
			if (out.npaths)
				printf(" (mark %s)", out.ck.short_id);
			putchar('\n');
		} else {
			results_add(&res, g, rc, &out, NULL);
		}
		snap_review_outcome_fini(&out);
	}
	free_groups(t.n, per);
	rc = results_finish(&res);
	verbs_target_fini(&t);
	return rc;
}

int
verbs_reject(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct opts o;
	struct verbs_target t;
	struct results res;
	int rc = parse_opts(argc, argv, reject_usage, OPT_FORCE, &o);

	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		fputs("deskhand reject: expected a PATH ('deskhand review' lists them)\n", stderr);
		fputs(reject_usage, stderr);
		return EXIT_USAGE;
	}
	if (open_now(&t, &o, false) < 0)
		return EXIT_FAIL;
	struct strv *per = xcalloc(t.n, sizeof *per);
	if (group_paths(&t, argc, argv, per) < 0) {
		free_groups(t.n, per);
		verbs_target_fini(&t);
		return EXIT_FAIL;
	}
	results_init(&res, &t, o.json);
	/* Check every grant first so a conflict in one changes nothing anywhere. */
	unsigned rflags = o.force ? REVIEW_F_FORCE : 0;
	for (int pass = o.force ? 1 : 0; pass < 2 && res.status == EXIT_OK; pass++) {
		for (size_t g = 0; g < t.n; g++) {
			struct review_outcome out;

			if (!per[g].n)
				continue;
			snap_review_outcome_init(&out);
			rc = snap_review_reject(t.stores[g], t.id, (const char *const *)per[g].v,
			                        per[g].n, rflags | (pass ? 0 : REVIEW_F_DRY_RUN),
			                        NULL, &out);
			if (pass == 1 || rc < 0)
				results_add(&res, g, rc, &out, "rejected");
			snap_review_outcome_fini(&out);
		}
	}
	free_groups(t.n, per);
	rc = results_finish(&res);
	verbs_target_fini(&t);
	return rc;
}

/*
 * deskhand reject-hunk
 */

static const char reject_hunk_usage[] =
	"usage: deskhand reject-hunk [--session ID] [--json] [--force] PATH N\n"
	"\n"
	"Revert hunk N (as 'deskhand review' numbers them) of a changed text file\n"
	"in the folder, keeping its other hunks, and take a checkpoint. If the file\n"
	"was changed after the agent changed it, nothing is written and the three\n"
	"versions are shown as for 'deskhand reject'. --force over an edit of\n"
	"yours that touches the hunk takes only the agent's changes in it out of\n"
	"your version, your lines kept where they do not collide with the agent's;\n"
	"else it reverts the hunk in the current file where its lines are found,\n"
	"else in the agent's version. What of yours it overwrites is printed, with\n"
	"the checkpoint to restore to get it back.\n"
	"A directory's or the folder's own mode change ('./') has no hunks: use\n"
	"'deskhand reject' on it.\n"
	PATHS_HELP
	"Exit status: 0 done, 1 error, 2 usage, 3 refused because of a conflict.\n";

/* accept-hunk and reject-hunk: PATH N, routed to its grant. */
static int
hunk_command(int argc, char **argv, const char *usage, bool accept)
{
	struct opts o;
	struct verbs_target t;
	struct results res;
	struct review_outcome out;
	char *end, *rel = NULL;
	size_t g;
	int rc = parse_opts(argc, argv, usage, accept ? 0 : OPT_FORCE, &o);

	if (rc >= 0)
		return rc;
	if (argc - optind != 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *arg = argv[optind + 1];
	long n = strtol(arg, &end, 10); /* out of range: LONG_MIN or LONG_MAX */
	if (*end || end == arg || n < 1 || n > INT_MAX) {
		const char *why = *end || end == arg ? "is not a number"
		                  : n < 1            ? "is below 1, where they start"
		                                     : "is too large";
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: hunk number '%s' %s\n", utf8_sanitized(&shown, arg),
		        why);
		buf_fini(&shown);
		return EXIT_USAGE;
	}
	if (open_now(&t, &o, false) < 0)
		return EXIT_FAIL;
	results_init(&res, &t, o.json);
	if (route_name(&t, argv[optind], &g, &rel) < 0) {
		results_error(&res, err_msg());
	} else {
		rel = review_set_self_path(argv[optind], rel);
		snap_review_outcome_init(&out);
		if (!accept) {
			rc = snap_review_reject_hunk(t.stores[g], t.id, rel, (int)n,
						     o.force ? REVIEW_F_FORCE : 0, NULL, &out);
			results_add(&res, g, rc, &out, "reverted a hunk in");
		} else if ((rc = snap_review_accept_hunk(t.stores[g], t.id, rel, (int)n, &out)) ==
				   0 &&
			   !o.json) {
			put_report(&out.report);
			printf("%s: accepted 1 hunk (mark %s)\n", t.shown[g], out.ck.short_id);
		} else {
			results_add(&res, g, rc, &out, NULL);
		}
		snap_review_outcome_fini(&out);
	}
	free(rel);
	rc = results_finish(&res);
	verbs_target_fini(&t);
	return rc;
}

int
verbs_reject_hunk(int argc, char **argv, unsigned flags)
{
	(void)flags;
	return hunk_command(argc, argv, reject_hunk_usage, false);
}

/*
 * deskhand accept-hunk
 */

static const char accept_hunk_usage[] =
	"usage: deskhand accept-hunk [--session ID] [--json] PATH N\n"
	"\n"
	"Accept hunk N (as 'deskhand review' numbers them) of a changed text file\n"
	"and nothing else: the session's accepted mark moves so the file's accepted\n"
	"version has that hunk applied; its other hunks stay pending, numbered from\n"
	"1 again. The folder is not touched. Binary, new, deleted, linked or\n"
	"mode-only files are accepted whole with 'deskhand accept'.\n"
	PATHS_HELP
	"Exit status: 0 done, 1 error, 2 usage.\n";

int
verbs_accept_hunk(int argc, char **argv, unsigned flags)
{
	(void)flags;
	return hunk_command(argc, argv, accept_hunk_usage, true);
}

/*
 * deskhand undo [--steps N] (without --to), deskhand redo
 */

static const char undo_usage[] =
	"usage: deskhand undo [--steps N] [--session ID] [--json] [--force]\n"
	"       deskhand undo --to CHECKPOINT [--session ID] [--json] [--force]\n"
	"\n"
	"Undo the last N agent steps (default 1) of a session (by default the\n"
	"latest with a grant holding the current directory, else the latest):\n"
	"each path those steps changed returns to its state before them;\n"
	"changes made by the person or by other programs, and by later or earlier\n"
	"steps to other paths, stay. Steps already undone, undos, redos and\n"
	"external checkpoints are skipped when counting. The undo is a checkpoint\n"
	"and 'deskhand redo' reapplies it. If a path was changed after the agent\n"
	"changed it, nothing is written and the three versions are shown; --force\n"
	"overwrites.\n"
	"With --to, the folder returns to that checkpoint ('deskhand log' names\n"
	"them; 'baseline' returns every granted folder to where the session\n"
	"started), as 'deskhand restore' does; 'deskhand redo' takes it back,\n"
	"every step it went back over at once.\n"
	"Either way, what changed on disk since the last checkpoint is recorded\n"
	"first (a killed session's interrupted tool call, or external changes), so\n"
	"the undo acts on the folder as it is now and can itself be undone.\n"
	"Exit status: 0 undone, 1 error, 2 usage, 3 refused because of a conflict.\n";

static int restore_spec(const struct verbs_target *t, const struct opts *o, const char *spec,
                        const char *done);

int
verbs_undo(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct opts o;
	struct verbs_target t;
	struct results res;
	struct strv chosen = {0}; /* tool-call ids */
	int rc = parse_opts(argc, argv, undo_usage, OPT_FORCE | OPT_STEPS | OPT_TO, &o);

	if (rc >= 0)
		return rc;
	if (optind < argc || (o.to && o.steps >= 0)) {
		struct buf shown = BUF_INIT;

		if (optind < argc)
			fprintf(stderr,
			        "deskhand undo: unexpected argument '%s' (--steps N or "
			        "--to CHECKPOINT)\n",
			        utf8_sanitized(&shown, argv[optind]));
		else
			fputs("deskhand undo: --steps and --to go one at a time\n", stderr);
		buf_fini(&shown);
		fputs(undo_usage, stderr);
		return EXIT_USAGE;
	}
	if (o.steps < 0)
		o.steps = 1;
	if (open_now(&t, &o, true) < 0)
		return EXIT_FAIL;
	if (o.to) { /* the checkpoint form: a restore */
		rc = restore_spec(&t, &o, o.to, "undone to");
		verbs_target_fini(&t);
		return rc;
	}
	results_init(&res, &t, o.json);
	const struct review_set rs = target_set(&t);
	int nchosen = review_set_newest_calls(&rs, (size_t)o.steps, &chosen, NULL);
	if (nchosen < 0) {
		results_error(&res, err_msg());
		goto out;
	}
	if (nchosen < o.steps) {
		char *m = nchosen ? xasprintf("session %s has only %d agent step%s to undo", t.id,
		                              nchosen, nchosen == 1 ? "" : "s")
		                  : xasprintf("session %s has no agent step to undo", t.id);
		results_error(&res, m);
		free(m);
		goto out;
	}
	/* One tag for this undo in every grant, so redo finds them together. */
	char op[32];
	review_set_new_op(op);
	for (int pass = o.force ? 1 : 0; pass < 2 && res.status == EXIT_OK; pass++) {
		for (size_t g = 0; g < t.n; g++) {
			struct strv ids = {0};
			struct review_outcome out;

			if (review_set_step_ids(&rs, g, &chosen, &ids) < 0) {
				results_error(&res, err_msg());
			} else if (ids.n) {
				snap_review_outcome_init(&out);
				rc = snap_review_undo(t.stores[g], t.id, (const char *const *)ids.v,
				                      ids.n, op,
				                      (o.force ? REVIEW_F_FORCE : 0) |
				                              (pass ? 0 : REVIEW_F_DRY_RUN),
				                      NULL, &out);
				if (pass == 1 || rc < 0)
					results_add(&res, g, rc, &out, "undid steps on");
				snap_review_outcome_fini(&out);
			}
			strv_free(&ids);
		}
	}
out:
	strv_free(&chosen);
	rc = results_finish(&res);
	verbs_target_fini(&t);
	return rc;
}

static const char redo_usage[] =
	"usage: deskhand redo [--session ID] [--json] [--force]\n"
	"\n"
	"Reapply what the last 'deskhand undo' reverted, or take back the last\n"
	"'deskhand restore' (or undo to a checkpoint): the folder returns to where\n"
	"it was before it. Repeat to walk back through earlier undos and restores.\n"
	"A new agent step, a reject, or a change recorded in the folder after the\n"
	"undo makes redo unavailable. If a path was changed since the undo,\n"
	"nothing is written and the three versions are shown; --force overwrites.\n"
	"Exit status: 0 done, 1 error (nothing to redo), 2 usage, 3 conflict.\n";

int
verbs_redo(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct opts o;
	struct verbs_target t;
	struct results res;
	int rc = parse_opts(argc, argv, redo_usage, OPT_FORCE, &o);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand redo: unexpected argument '%s'\n",
		        utf8_sanitized(&shown, argv[optind]));
		buf_fini(&shown);
		fputs(redo_usage, stderr);
		return EXIT_USAGE;
	}
	if (open_now(&t, &o, true) < 0)
		return EXIT_FAIL;
	results_init(&res, &t, o.json);
	res.redo = true;
	/* The newest undo op among the grants whose redo is still valid. */
	char(*ops)[64] = xcalloc(t.n, sizeof *ops), best[64] = "";
	bool stale = false;
	for (size_t g = 0; g < t.n; g++) {
		rc = snap_review_can_redo(t.stores[g], t.id, ops[g]);
		if (rc < 0) {
			results_error(&res, err_msg());
			goto out;
		}
		stale |= rc == 2;
		if (rc != 1)
			ops[g][0] = '\0';
		else if (strcmp(ops[g], best) > 0)
			snprintf(best, sizeof best, "%s", ops[g]);
	}
	if (!best[0]) {
		char *m = xasprintf("nothing to redo in session %s%s", t.id,
		                    stale ? ": changes were recorded after the undo (a redo "
		                            "reapplies an undo only until the folder changes)"
		                          : "");
		results_error(&res, m);
		free(m);
		goto out;
	}
	for (int pass = o.force ? 1 : 0; pass < 2 && res.status == EXIT_OK; pass++) {
		for (size_t g = 0; g < t.n; g++) {
			struct review_outcome out;

			if (strcmp(ops[g], best))
				continue;
			snap_review_outcome_init(&out);
			rc = snap_review_redo(t.stores[g], t.id,
			                      (o.force ? REVIEW_F_FORCE : 0) |
			                              (pass ? 0 : REVIEW_F_DRY_RUN),
			                      NULL, &out);
			char *done = out.taken_back[0] ? xasprintf("took back %s on", out.taken_back)
			                               : xstrdup("redid steps on");
			if (pass == 1 || rc < 0)
				results_add(&res, g, rc, &out, done);
			free(done);
			snap_review_outcome_fini(&out);
		}
	}
out:
	free(ops);
	rc = results_finish(&res);
	verbs_target_fini(&t);
	return rc;
}

/*
 * deskhand restore
 */

static const char restore_usage[] =
	"usage: deskhand restore [--session ID] [--json] [--force] CHECKPOINT\n"
	"\n"
	"Return the granted folder to any checkpoint of the session, as 'deskhand\n"
	"log' names them, or 'baseline', 'head' or 'accepted' (these three act on\n"
	"every granted folder). What changed on disk since the last checkpoint is\n"
	"recorded first (a killed session's interrupted tool call, or external\n"
	"changes); then every path that differs from the checkpoint is written and\n"
	"a checkpoint is taken. A path whose latest change was someone else's is a\n"
	"conflict (three versions shown) unless --force. 'deskhand redo' takes the\n"
	"restore back: the folder returns to where it was before it.\n"
	"Exit status: 0 done, 1 error, 2 usage, 3 refused because of a conflict.\n";

/* Return every grant the checkpoint `spec` applies to (all of them for
 * baseline, head and accepted) to it; `done` names the outcome in the text
 * report. Returns the exit status. */
static int
restore_spec(const struct verbs_target *t, const struct opts *o, const char *spec, const char *done)
{
	struct results res;
	int rc;

	results_init(&res, t, o->json);
	const struct review_set rs = target_set(t);
	bool *on = xcalloc(t->n + 1, sizeof *on);
	size_t hits = review_set_restore_targets(&rs, spec, on);
	char op[32]; /* one tag in every grant, so redo takes them back together */
	review_set_new_op(op);
	if (!hits && review_set_spec_is_mark(spec)) {
		/* Stopped before its first checkpoint: no tool call ran, so the
		 * folders are as the session found them. */
		if (!o->json)
			printf("session %s has no checkpoint yet: nothing to restore\n", t->id);
	} else if (!hits) {
		char *m = xasprintf("no checkpoint '%s' in session %s (see 'deskhand log')", spec,
		                    t->id);
		results_error(&res, m);
		free(m);
	}
	for (int pass = o->force ? 1 : 0; hits && pass < 2 && res.status == EXIT_OK; pass++) {
		for (size_t g = 0; g < t->n; g++) {
			struct review_outcome out;

			if (!on[g])
				continue;
			snap_review_outcome_init(&out);
			rc = snap_review_restore(t->stores[g], t->id, spec, op,
			                         (o->force ? REVIEW_F_FORCE : 0) |
			                                 (pass ? 0 : REVIEW_F_DRY_RUN),
			                         NULL, &out);
			if (pass == 1 || rc < 0)
				results_add(&res, g, rc, &out, done);
			snap_review_outcome_fini(&out);
		}
	}
	free(on);
	return results_finish(&res);
}

int
verbs_restore(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct opts o;
	struct verbs_target t;
	int rc = parse_opts(argc, argv, restore_usage, OPT_FORCE, &o);

	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		struct buf shown = BUF_INIT;

		if (argc - optind > 1)
			fprintf(stderr,
			        "deskhand restore: unexpected argument '%s' (one "
			        "CHECKPOINT)\n",
			        utf8_sanitized(&shown, argv[optind + 1]));
		else
			fputs("deskhand restore: expected a CHECKPOINT ('deskhand log' lists them)\n",
			      stderr);
		buf_fini(&shown);
		fputs(restore_usage, stderr);
		return EXIT_USAGE;
	}
	if (open_now(&t, &o, true) < 0)
		return EXIT_FAIL;
	rc = restore_spec(&t, &o, argv[optind], "restored");
	verbs_target_fini(&t);
	return rc;
}

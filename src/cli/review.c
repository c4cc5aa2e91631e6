/* SPDX-License-Identifier: MIT */
/*
 * The history and review verbs as a front end: `deskhand log`, `diff`,
 * `sessions`, `review`, `accept`, `accept-hunk`, `reject`, `reject-hunk`,
 * `undo`, `redo` and `restore`. When the session's engine is live the writing
 * verbs become its commands (it is the store's one writer) and print the
 * "review" event that answers them; the reading verbs read without writing.
 * When it is not live, the verb runs in this process (client_verb_local()).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_CONFLICT = 3 };

/* The options every review verb takes (each verb's own usage, printed by its
 * in-process path, says which apply). */
struct vopts {
	const char *session;
	const char *to;
	bool json, force, help, bad;
	long steps; /* -1: not given */
	int first;  /* index of the first operand */
};

static void
vopts_parse(int argc, char **argv, struct vopts *o)
{
	int opt, saved = opterr;
	char *end;

	memset(o, 0, sizeof *o);
	o->steps = -1;
	optind = 0; /* 0: glibc starts afresh (a new argv to permute) */
	opterr = 0; /* the in-process path reports usage errors */
	/* Options anywhere before "--", as git takes them: `accept a.bin --json`. */
	while ((opt = getopt_long(argc, argv, CLIENT_VERB_SHORTOPTS, client_verb_options,
				  NULL)) != -1) {
		switch (opt) {
		case 's': o->session = optarg; break;
		case 't': o->to = optarg; break;
		case 'j': o->json = true; break;
		case 'f': o->force = true; break;
		case 'S': break;
		case 'n':
			o->steps = strtol(optarg, &end, 10);
			o->bad |= *end || o->steps < 1 || o->steps > 100000;
			break;
		case 'h': o->help = true; break;
		default: o->bad = true; break;
		}
	}
	opterr = saved;
	o->first = optind;
}

/*
 * A verb carried out by the live engine
 */

struct live {
	struct ev_loop *loop;
	struct client *c;
	const char *op;	 /* the review op awaited ("accept", …) */
	const char *req; /* its request id */
	bool json;
	bool answered;
	int status;
};

static void
live_print_event(const struct event *ev)
{
	cJSON *j = event_to_json(ev);
	char *s = json_print(j);

	puts(s);
	free(s);
	cJSON_Delete(j);
}

static void
live_on_event(const struct event *ev, void *ctx)
{
	struct live *l = ctx;
	bool ours = ev->re && l->req && strcmp(ev->re, l->req) == 0;
	struct buf b = BUF_INIT;

	if (l->answered)
		return;
	/* The answer is the "review" event carrying our request id (or, from an
	 * engine that does not echo it, the next one of our op); an "error" or
	 * "reply" naming our request is a refusal of the command itself. */
	if (ev->type == EVENT_REVIEW && (ours || (!ev->re && ev->name && strcmp(ev->name, l->op) == 0))) {
		l->answered = true;
		l->status = ev->approved ? EXIT_OK : ev->output ? EXIT_CONFLICT : EXIT_FAIL;
		if (l->json) {
			live_print_event(ev);
		} else if (ev->approved) {
			/* The engine's report names files the agent named. */
			if (ev->text && *ev->text)
				fputs(utf8_sanitized_text(&b, ev->text), stdout);
			if (ev->text && *ev->text && ev->text[strlen(ev->text) - 1] != '\n')
				putchar('\n');
		} else {
			/* One line: a name in it, shown as review lists it, cannot
			 * start a line of its own. */
			fprintf(stderr, "deskhand: %s: %s\n", l->op,
				ev->text ? utf8_sanitized(&b, ev->text) : "failed");
			if (ev->output && (!ev->text || !strstr(ev->text, ev->output)))
				fprintf(stderr, "deskhand: the three versions of each are in %s; "
						"nothing was changed; use --force to overwrite\n",
					utf8_sanitized_text(&b, ev->output));
		}
		ev_quit(l->loop);
	} else if (ours && (ev->type == EVENT_ERROR || (ev->type == EVENT_REPLY && !ev->approved))) {
		l->answered = true;
		l->status = EXIT_FAIL;
		if (l->json)
			live_print_event(ev);
		else
			fprintf(stderr, "deskhand: %s: %s\n", l->op,
				ev->text ? utf8_sanitized(&b, ev->text) : "refused");
		ev_quit(l->loop);
	}
	buf_fini(&b);
}

static void
live_prepare(struct ev_loop *loop, void *ctx)
{
	struct live *l = ctx;

	if (!l->answered && client_closed(l->c)) {
		fprintf(stderr, "deskhand: %s: the session's engine went away before answering: %s\n",
			l->op, client_error(l->c) ? client_error(l->c) : "connection closed");
		l->answered = true;
		l->status = EXIT_FAIL;
		ev_quit(loop);
	}
}

/* How a writing verb's operands become commands to a live engine. */
enum shape {
	SHAPE_PATHS,	  /* one command per PATH (none: one for everything) */
	SHAPE_HUNK,	  /* PATH N: one command for that hunk */
	SHAPE_STEPS,	  /* --steps N commands (default 1); --to: a restore */
	SHAPE_NONE,	  /* one command */
	SHAPE_CHECKPOINT, /* CHECKPOINT: one command naming it */
};

static const struct live_verb {
	const char *verb;
	const char *op; /* the "review" event's op that answers it */
	enum command_type type;
	enum shape shape;
	int min, max; /* operands; max -1: any */
} live_verbs[] = {
	{ "accept", "accept", COMMAND_ACCEPT, SHAPE_PATHS, 0, -1 },
	{ "reject", "reject", COMMAND_REJECT, SHAPE_PATHS, 1, -1 },
	{ "accept-hunk", "accept", COMMAND_ACCEPT, SHAPE_HUNK, 2, 2 },
	{ "reject-hunk", "reject", COMMAND_REJECT, SHAPE_HUNK, 2, 2 },
	{ "undo", "undo", COMMAND_UNDO, SHAPE_STEPS, 0, 0 },
	{ "redo", "redo", COMMAND_REDO, SHAPE_NONE, 0, 0 },
	{ "restore", "restore", COMMAND_RESTORE, SHAPE_CHECKPOINT, 1, 1 },
};

static const struct live_verb *
live_verb_find(const char *verb)
{
	for (size_t i = 0; i < sizeof live_verbs / sizeof *live_verbs; i++)
		if (strcmp(live_verbs[i].verb, verb) == 0)
			return &live_verbs[i];
	return NULL;
}

/* Send one command (its strings borrowed) and wait for its answer, the
 * "review" event of op `op`; returns the exit status. */
static int
live_one(struct live *l, const char *op, enum command_type type, const char *path, int hunk,
	 bool force)
{
	struct command cmd = { .type = type, .path = (char *)path, .hunk = hunk, .force = force };
	int status = EXIT_FAIL;

	l->op = op;
	l->answered = false;
	l->status = EXIT_FAIL;
	l->req = NULL;
	if (client_send(l->c, &cmd) < 0) {
		fprintf(stderr, "deskhand: %s: %s\n", op, err_msg());
		goto out;
	}
	l->req = cmd.req;
	while (!l->answered) {
		if (ev_run(l->loop) < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out;
		}
	}
	status = l->status;
out:
	l->req = NULL;
	free(cmd.req);
	return status;
}

/* The commands a writing verb stands for, sent one after the other; the
 * first that fails ends it. Returns the exit status. */
static int
live_verb(struct live *l, const struct live_verb *v, const struct vopts *o, int argc, char **argv)
{
	int nargs = argc - o->first, status = EXIT_OK;
	char **args = argv + o->first;

	switch (v->shape) {
	case SHAPE_PATHS:
		if (nargs == 0)
			return live_one(l, v->op, v->type, NULL, 0, o->force);
		for (int i = 0; i < nargs && status == EXIT_OK; i++)
			status = live_one(l, v->op, v->type, args[i], 0, o->force);
		return status;
	case SHAPE_HUNK:
		return live_one(l, v->op, v->type, args[0], (int)strtol(args[1], NULL, 10),
				o->force);
	case SHAPE_STEPS:
		if (o->to) /* undo --to CHECKPOINT is a restore */
			return live_one(l, "restore", COMMAND_RESTORE, o->to, 0, o->force);
		for (long i = 0; i < (o->steps < 0 ? 1 : o->steps) && status == EXIT_OK; i++)
			status = live_one(l, v->op, v->type, NULL, 0, o->force);
		return status;
	case SHAPE_NONE: return live_one(l, v->op, v->type, NULL, 0, o->force);
	case SHAPE_CHECKPOINT: return live_one(l, v->op, v->type, args[0], 0, o->force);
	}
	return EXIT_FAIL;
}

static bool
operands_ok(const struct live_verb *v, const struct vopts *o, int argc, char **argv)
{
	int n = argc - o->first;

	if (n < v->min || (v->max >= 0 && n > v->max))
		return false;
	for (int i = o->first; i < argc; i++)
		if (!argv[i][0]) /* the in-process path says it names nothing */
			return false;
	if (v->shape == SHAPE_HUNK) {
		char *end;
		long h = strtol(argv[o->first + 1], &end, 10);

		return !*end && h >= 1 && h <= INT_MAX;
	}
	return !(v->shape == SHAPE_STEPS && o->to && o->steps >= 0);
}

/* The live session named by --session (the latest session on disk when
 * absent), connected, or NULL when it is not live (or there is no such
 * session: the in-process path reports that). *failed on a live engine that
 * cannot be reached. */
static struct client *
connect_live(struct ev_loop *loop, const char *spec, bool *failed)
{
	struct client *c = NULL;
	char *id = NULL;
	int rc;

	*failed = false;
	if (client_session_resolve(spec, &id) < 0)
		return NULL;
	rc = client_connect(&c, loop, id);
	free(id);
	if (rc == DH_ENOTFOUND)
		return NULL;
	if (rc < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		*failed = true;
		client_close(c);
		return NULL;
	}
	return c;
}

/*
 * Which session: the one the current directory is in
 */

/* How many of a verb's operands, from the first, are paths: -1 all. */
static int
path_operands(const char *verb)
{
	static const struct {
		const char *verb;
		int n;
	} v[] = {
		{ "review", -1 }, { "accept", -1 }, { "reject", -1 },
		{ "accept-hunk", 1 }, { "reject-hunk", 1 },
	};

	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!strcmp(v[i].verb, verb))
			return v[i].n;
	return 0;
}

/* When no --session (nor, for log, a SESSION operand) names the session,
 * pick the one whose grant holds the current directory
 * (client_session_here()), say which on stderr, and return a copy of argv
 * with "--session ID" after the verb (heap, as is *id: free both). Its
 * relative path operands are then made absolute against the current
 * directory, as git takes them (`cd sub; deskhand reject b.txt` is
 * sub/b.txt, not the b.txt at the top of the grant); the strings made are
 * added to *owned (free it). NULL when argv names its session, is a usage
 * error or there is no session (the in-process path says so). */
static char **
session_default(const char *verb, int *argc, char **argv, char **id, struct strv *owned)
{
	struct vopts o;
	char *grant = NULL, *cwd = NULL;
	cJSON *skipped = NULL, *s;
	int rc;

	*id = NULL;
	vopts_parse(*argc, argv, &o);
	if (o.session || o.help || o.bad || (strcmp(verb, "log") == 0 && o.first < *argc))
		return NULL;
	cwd = realpath(".", NULL);
	rc = client_session_here(cwd, id, &grant, &skipped);
	/* A damaged session that might have been the one: said, not chosen. */
	cJSON_ArrayForEach(s, skipped)
		fprintf(stderr, "deskhand: warning: session %s was not considered for %s: %s\n",
			json_str(s, "id"), cwd ? cwd : "the current directory",
			json_str(s, "error"));
	cJSON_Delete(skipped);
	if (rc < 0) {
		free(cwd);
		return NULL;
	}
	struct buf shown = BUF_INIT, clean = BUF_INIT;

	/* A folder's name comes with it (an archive, a clone): printable. */
	if (grant) {
		fsutil_path_tilde(&shown, grant);
		fprintf(stderr, "deskhand: session %s (grant %s)\n", *id,
			utf8_sanitized(&clean, buf_cstr(&shown)));
	} else {
		fprintf(stderr, "deskhand: session %s (the latest: no session's grant holds %s)\n",
			*id, cwd ? utf8_sanitized(&clean, cwd) : "the current directory");
	}
	buf_fini(&shown);
	buf_fini(&clean);
	char **av = xcalloc((size_t)*argc + 3, sizeof *av);
	av[0] = argv[0];
	av[1] = (char *)"--session";
	av[2] = *id;
	memcpy(av + 3, argv + 1, (size_t)(*argc - 1) * sizeof *av);
	/* vopts_parse() moved the operands to the end, from o.first */
	int np = path_operands(verb);
	for (int i = o.first; grant && cwd && i < *argc && (np < 0 || i < o.first + np); i++) {
		if (argv[i][0] == '/' || !argv[i][0])
			continue;
		char *abs = fsutil_path_join(cwd, argv[i]);

		ARRAY_PUSH(owned, abs);
		av[i + 2] = abs;
	}
	*argc += 2;
	free(grant);
	free(cwd);
	return av;
}

/* A reading verb in this process, on the session session_default() picks. */
static int
read_verb(const char *verb, int argc, char **argv, unsigned flags)
{
	struct strv owned = { 0 };
	char *id, **av = session_default(verb, &argc, argv, &id, &owned);
	int status = client_verb_local(verb, argc, av ? av : argv, flags);

	free(av);
	free(id);
	strv_free(&owned);
	return status;
}

/* A writing verb: on the live engine of its session, or in this process. */
static int
verb_run(const char *verb, int argc, char **argv)
{
	struct vopts o;
	struct ev_loop *loop = NULL;
	struct client *c;
	bool failed;
	int status;
	struct strv owned = { 0 };
	char *id, **av = session_default(verb, &argc, argv, &id, &owned);

	if (av)
		argv = av;
	vopts_parse(argc, argv, &o);
	/* --help and usage errors: the in-process path prints the verb's usage
	 * and returns before it opens anything. */
	const struct live_verb *v = live_verb_find(verb);

	if (!v || o.help || o.bad || !operands_ok(v, &o, argc, argv)) {
		status = client_verb_local(verb, argc, argv, 0);
		goto out;
	}
	status = EXIT_FAIL;
	if (ev_new(&loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out;
	}
	c = connect_live(loop, o.session, &failed);
	if (failed)
		goto out;
	if (!c) {
		status = client_verb_local(verb, argc, argv, 0);
		goto out;
	}
	struct live l = { .loop = loop, .c = c, .json = o.json };
	client_set_handler(c, live_on_event, &l);
	ev_prepare_add(loop, live_prepare, &l);
	status = live_verb(&l, v, &o, argc, argv);
	client_close(c);
out:
	ev_free(loop);
	free(av);
	free(id);
	strv_free(&owned);
	return status;
}

int
cli_log(int argc, char **argv)
{
	return read_verb("log", argc, argv, CLIENT_VERB_READONLY);
}

int
cli_diff(int argc, char **argv)
{
	return read_verb("diff", argc, argv, CLIENT_VERB_READONLY);
}

int
cli_sessions(int argc, char **argv)
{
	return client_verb_local("sessions", argc, argv, CLIENT_VERB_READONLY);
}

int
cli_usage(int argc, char **argv)
{
	return client_verb_local("usage", argc, argv, CLIENT_VERB_READONLY);
}

int
cli_review(int argc, char **argv)
{
	/* Reads; records what changed on disk only when no engine has the
	 * session (its writer lock says so: no connection needed). */
	return read_verb("review", argc, argv, 0);
}

int
cli_accept(int argc, char **argv)
{
	return verb_run("accept", argc, argv);
}

int
cli_accept_hunk(int argc, char **argv)
{
	return verb_run("accept-hunk", argc, argv);
}

int
cli_reject(int argc, char **argv)
{
	return verb_run("reject", argc, argv);
}

int
cli_reject_hunk(int argc, char **argv)
{
	return verb_run("reject-hunk", argc, argv);
}

int
cli_undo(int argc, char **argv)
{
	return verb_run("undo", argc, argv);
}

int
cli_redo(int argc, char **argv)
{
	return verb_run("redo", argc, argv);
}

int
cli_restore(int argc, char **argv)
{
	return verb_run("restore", argc, argv);
}

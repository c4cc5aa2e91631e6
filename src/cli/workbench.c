/* SPDX-License-Identifier: MIT */
/*
 * `deskhand [options] ["task"]`: the full-screen workbench. Parses the
 * options, starts an engine process for the session (engine/client.h) and
 * hands the terminal to ui/, attached to it.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/ev.h"
#include "core/buf.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "ui/theme.h"
#include "ui/ui.h"

static const char wb_usage[] =
	"usage: deskhand [options] [\"TASK\"]\n"
	"\n"
	"Open the workbench: plan, transcript and diff panes over one session.\n"
	"\n"
	"  -g, --grant DIR       grant the agent this folder (repeatable)\n"
	"      --resume ID       continue session ID (or 'latest'); its grants are reused\n"
	"      --theme NAME      colour theme (default, light, solarized-dark, high-contrast,\n"
	"                        mono, or a .theme file; config: theme)\n"
	"  -m, --mode MODE       ask (default) or auto\n"
	"      --model NAME      model, or PROVIDER/MODEL (config: model; deskhand models)\n"
	"      --force           allow granting your home directory itself or a system dir\n"
	"      --replay FILE     serve model exchanges from FILE instead of the network\n"
	"      --no-mouse        leave the mouse to the terminal (default: click focuses,\n"
	"                        the wheel scrolls)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Inside: ? lists the keys, :grant PATH adds a folder (:ungrant removes it),\n"
	":sessions lists past sessions (Enter opens one), C-\\ detaches (the task goes\n"
	"on; deskhand attach ID comes back), q quits (while the agent works it asks:\n"
	"detach or stop). Keys are rebound with 'bind CONTEXT KEY ACTION' lines in\n"
	"~/.config/deskhand/config.\n"
	"\n"
	"It needs a terminal that can move the cursor: on TERM=dumb, or a TERM with\n"
	"no usable terminfo entry, it exits 1 at once, before anything starts\n"
	"('deskhand run' works there). An unset or empty TERM is taken as vt100.\n";

/* The theme the workbench uses: --theme NAME, else the config's `theme`.
 * One that cannot be loaded is a usage error before the screen is taken,
 * naming the themes there are. Returns 0, or -1 after saying why. */
static int
theme_pick(const char **theme, const char *flag, const struct config *cfg)
{
	struct theme *t = NULL;
	const char *name = flag ? flag : cfg->theme;

	if (theme_load(&t, name) == 0) {
		theme_free(t);
		*theme = name;
		return 0;
	}
	struct strv names = { 0 };
	struct buf shown = BUF_INIT;
	theme_names(&names);
	fprintf(stderr, "deskhand: %s %s: %s\ndeskhand: themes:", flag ? "--theme" : "set theme =",
		utf8_sanitized(&shown, name), err_msg());
	buf_fini(&shown);
	for (size_t i = 0; i < names.n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names.v[i]);
	fprintf(stderr, " (or a path to a .theme file)\n");
	strv_free(&names);
	return -1;
}

/*
 * Attach the workbench and run it until it quits or detaches. `first`
 * (heap, taken) is a session to attach to first: its live engine, else a new
 * engine started with `args` (which then name it with --resume). An :open
 * ends one attachment (client, UI and loop: the UI's hooks stay on its loop)
 * and attaches to that session the same way. Returns the exit status.
 */
static int
attach_loop(struct strv *args, char *first, struct ui_opts *uo)
{
	struct ev_loop *loop = NULL;
	struct client *c = NULL;
	struct ui *u = NULL;
	char *reopen = first;
	bool detached = false;
	int status = 1;

	/* A terminal the workbench cannot drive is refused before an engine
	 * starts: nothing runs that the user cannot see. */
	if (ui_term_check() < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out;
	}
	for (;;) {
		/* The loop first: it blocks the signals before any thread exists. */
		if (ev_new(&loop) < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out;
		}
		int rc = reopen ? client_connect(&c, loop, reopen) : DH_ENOTFOUND;

		if (rc == DH_ENOTFOUND)
			rc = client_spawn(&c, loop, args->v, args->n);
		if (rc < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out;
		}
		setlocale(LC_ALL, "");
		if (ui_new(&u, loop, c, uo) < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out;
		}
		status = ev_run(loop) < 0 ? 1 : 0;
		if (status == 0)
			status = ui_exit_status(u);
		detached = ui_detached(u);
		/* The terminal went away: nobody is there to run the next
		 * command, so the engine is not waited for. */
		if (ui_hung_up(u))
			client_no_exit_wait(c);
		char *next = ui_take_reopen(u);
		uo->script_pos = ui_script_pos(u);
		ui_free(u);
		u = NULL;
		if (!next)
			break;
		client_close(c);
		ev_free(loop);
		c = NULL;
		loop = NULL;
		free(reopen);
		reopen = next;
		/* Resume that session with its own grants and mode. */
		strv_free(args);
		strv_add(args, "--resume");
		strv_add(args, reopen);
		uo->task = NULL;
	}
	if (c && client_state(c)->session) { /* none when no task ran */
		if (detached && client_closed(c))
			printf("deskhand: lost the engine (%s). Resume with: deskhand attach %s\n",
			       client_error(c) ? client_error(c) : "connection closed",
			       client_state(c)->session);
		else if (detached)
			printf("deskhand: detached; the task goes on. Resume with: deskhand attach %s\n",
			       client_state(c)->session);
		else
			printf("deskhand: session %s\n", client_state(c)->session);
	} else if (c && detached && client_state(c)->busy) {
		/* Detached before the session had its id: ls names it. */
		printf("deskhand: detached; the task goes on. deskhand ls lists it\n");
	}
out:
	client_close(c);
	ev_free(loop);
	free(reopen);
	return status;
}

int
cli_workbench(int argc, char **argv)
{
	enum { OPT_RESUME = 256, OPT_THEME, OPT_MODEL, OPT_FORCE, OPT_REPLAY, OPT_NO_MOUSE };
	static const struct option longopts[] = {
		{ "grant", required_argument, NULL, 'g' },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "mode", required_argument, NULL, 'm' },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	struct strv args = { 0 }; /* the engine's options (client_spawn) */
	struct ui_opts uo = { 0 };
	const char *resume = NULL;
	int status = 2, opt;

	if (config_load(&cfg) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out_early;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "g:m:h", longopts, NULL)) != -1) {
		int rc = 0;

		switch (opt) {
		case 'g':
			strv_add(&args, "--grant");
			strv_add(&args, optarg);
			break;
		case OPT_RESUME: resume = optarg; break;
		case OPT_THEME: uo.theme = optarg; break;
		case 'm':
			rc = config_set(&cfg, "mode", optarg, "--mode");
			strv_add(&args, "--mode");
			strv_add(&args, optarg);
			break;
		case OPT_MODEL:
			rc = config_set(&cfg, "model", optarg, "--model");
			strv_add(&args, "--model");
			strv_add(&args, optarg);
			break;
		case OPT_FORCE: strv_add(&args, "--force"); break;
		case OPT_REPLAY:
			strv_add(&args, "--replay");
			strv_add(&args, optarg);
			break;
		case OPT_NO_MOUSE: uo.no_mouse = true; break;
		case 'h':
			fputs(wb_usage, stdout);
			status = 0;
			goto out_early;
		default:
			fputs(wb_usage, stderr);
			goto out_early;
		}
		if (rc < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out_early;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "deskhand: expected at most one TASK argument (quote it)\n%s",
			wb_usage);
		goto out_early;
	}
	if (client_verb_empty_session(NULL, resume)) {
		fputs(wb_usage, stderr);
		goto out_early;
	}
	if (theme_pick(&uo.theme, uo.theme, &cfg) < 0)
		goto out_early;
	uo.task = optind < argc ? argv[optind] : NULL;
	uo.binds = cfg.binds.v;
	uo.nbinds = cfg.binds.n;
	if (resume) {
		strv_add(&args, "--resume");
		strv_add(&args, resume);
	}
	/* A live session is attached to, another resumed by a new engine. */
	status = attach_loop(&args, resume ? xstrdup(resume) : NULL, &uo);
out_early:
	strv_free(&args);
	config_fini(&cfg);
	return status;
}

static const char attach_usage[] =
	"usage: deskhand attach [options] [ID|latest]\n"
	"\n"
	"Open the workbench on session ID (an id, a unique prefix, or latest: the\n"
	"default): on its live engine when it runs, several workbenches may be\n"
	"attached at once; else on a new engine that resumes it (its history and\n"
	"pending review). C-\\ detaches again: the task goes on. Quitting once the\n"
	"task has ended, with no other client attached, waits (at most 3 s) for the\n"
	"engine to exit, so 'deskhand run --resume ID' can follow at once; a\n"
	"workbench whose terminal hangs up (SIGHUP) leaves at once, the engine\n"
	"exiting on its own.\n"
	"\n"
	"      --theme NAME      colour theme (config: theme)\n"
	"      --no-mouse        leave the mouse to the terminal\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 (also after a detach), 1 no such session or its engine could\n"
	"not start, 2 usage, 130 the task ended interrupted while attached.\n";

int
cli_attach(int argc, char **argv)
{
	enum { OPT_THEME = 256, OPT_NO_MOUSE };
	static const struct option longopts[] = {
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	struct strv args = { 0 };
	struct ui_opts uo = { 0 };
	int status = 2, opt;

	if (config_load(&cfg) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out;
	}
	optind = 1;
	opterr = 0; /* getopt would name the program "attach" */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_THEME: uo.theme = optarg; break;
		case OPT_NO_MOUSE: uo.no_mouse = true; break;
		case 'h':
			fputs(attach_usage, stdout);
			status = 0;
			goto out;
		default:
			client_verb_bad_option("attach", opt, argv);
			fputs(attach_usage, stderr);
			goto out;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "deskhand: attach: expected at most one session ID\n%s",
			attach_usage);
		goto out;
	}
	if (client_verb_empty_session("attach", optind < argc ? argv[optind] : NULL)) {
		fputs(attach_usage, stderr);
		goto out;
	}
	if (theme_pick(&uo.theme, uo.theme, &cfg) < 0)
		goto out;
	const char *spec = optind < argc ? argv[optind] : "latest";
	uo.binds = cfg.binds.v;
	uo.nbinds = cfg.binds.n;
	strv_add(&args, "--resume");
	strv_add(&args, spec);
	status = attach_loop(&args, xstrdup(spec), &uo);
out:
	strv_free(&args);
	config_fini(&cfg);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * `deskhand run`: wires the engine together for one headless session and
 * renders its events, as readable progress or as JSON lines. Approvals come
 * from a y/n prompt on a terminal or from JSON commands on stdin (--commands).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "engine/engine.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "llm/llm.h"
#include "policy/grant.h"
#include "sandbox/egress.h"
#include "session/session.h"
#include "snap/snap.h"
#include "watch/watch.h"

static const char run_usage[] =
	"usage: deskhand run [options] TASK\n"
	"\n"
	"Run an agent on the granted folders until the task is done, headless.\n"
	"\n"
	"  -g, --grant DIR       grant the agent this folder (repeatable; the first is\n"
	"                        where relative paths point)\n"
	"  -y, --approve-plan    approve the agent's plan without asking\n"
	"  -m, --mode MODE       ask (default: approve each change) or auto\n"
	"      --json            print the event stream as JSON lines (see README)\n"
	"      --commands        with --json: read JSON commands (approve, deny, steer,\n"
	"                        interrupt, status) from standard input\n"
	"      --resume ID       continue session ID (or 'latest') with TASK as the next\n"
	"                        message; its grants are reused\n"
	"      --model NAME      model (config: model)\n"
	"      --max-turns N     stop after N model turns (config: max_turns)\n"
	"      --force           allow granting your home directory itself or a system\n"
	"                        directory (/etc, /usr, /var ...)\n"
	"      --record FILE     write every model exchange to FILE\n"
	"      --replay FILE     serve model exchanges from FILE instead of the network\n"
	"      --dangerously-run-commands-unsandboxed\n"
	"                        run the agent's commands with plain /bin/sh, WITHOUT any\n"
	"                        sandbox (for machines where 'deskhand doctor' fails);\n"
	"                        every such command is announced and marked\n"
	"  -h, --help            show this help\n"
	"\n"
	"The API key is read from ANTHROPIC_API_KEY, the endpoint from ANTHROPIC_BASE_URL\n"
	"or the config's base_url. Exit status: 0 done, 1 failed, 2 usage, 130 interrupted.\n";

struct run {
	struct ev_loop *loop;
	struct engine *engine;
	bool json;
	bool commands;	  /* JSON commands on stdin */
	bool tty_prompt;  /* y/n prompts on the terminal */
	bool color;
	bool utf8;
	bool at_line_start;
	struct buf in;	  /* partial stdin line */
	char *pending_id; /* call awaiting a y/n answer */
	bool pending_plan;
	int sigints;
	bool unsandboxed; /* --dangerously-run-commands-unsandboxed */
};

/*
 * Human output
 */

static const char *
c(const struct run *r, const char *code)
{
	return r->color ? code : "";
}

#define C_RESET "\033[0m"
#define C_DIM	"\033[2m"
#define C_BOLD	"\033[1m"
#define C_RED	"\033[31m"
#define C_GREEN "\033[32m"
#define C_CYAN	"\033[36m"
#define C_YEL	"\033[33m"

static void
newline_if_needed(struct run *r)
{
	if (!r->at_line_start) {
		putchar('\n');
		r->at_line_start = true;
	}
}

/* One line for a tool call: the name and the input field that says most. */
static void
summarize_input(struct buf *b, const char *name, const cJSON *in)
{
	static const char *const keys[] = { "command", "path", "pattern", "source" };
	const char *v = NULL;

	for (size_t i = 0; i < sizeof keys / sizeof *keys && !v; i++)
		v = json_str(in, keys[i]);
	if (strcmp(name, "move_file") == 0 && json_str(in, "destination")) {
		buf_printf(b, "%s → %s", json_str(in, "source") ? json_str(in, "source") : "?",
			   json_str(in, "destination"));
		return;
	}
	if (!v) {
		char *s = json_print(in);
		buf_puts(b, s);
		free(s);
		return;
	}
	buf_puts(b, v);
}

static void
print_line_capped(const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");

	if (n > max)
		printf("%.*s…", (int)max, s);
	else
		printf("%.*s", (int)n, s);
}

static void
print_steps(struct run *r, const cJSON *steps)
{
	const cJSON *s;
	int i = 0;

	cJSON_ArrayForEach(s, steps)
	{
		const char *st = json_str(s, "status");
		const char *mark = !st || strcmp(st, "pending") == 0 ? "[ ]"
				   : strcmp(st, "done") == 0	     ? "[x]"
				   : strcmp(st, "in_progress") == 0  ? "[>]"
								     : "[-]";
		printf("  %s %2d. %s\n", mark, ++i, json_str(s, "title") ? json_str(s, "title") : "");
	}
	(void)r;
}

static void
human_sink(const struct event *ev, void *ctx)
{
	struct run *r = ctx;
	const char *ok = r->utf8 ? "✓" : "ok", *bad = r->utf8 ? "✗" : "x";
	const char *to = r->utf8 ? "→" : "->";

	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		printf("%ssession %s%s · mode %s · model %s\n", c(r, C_BOLD), ev->session,
		       c(r, C_RESET), ev->mode, ev->model ? ev->model : "?");
		for (size_t i = 0; i < ev->ngrants; i++)
			printf("  grant %s\n", ev->grants[i]);
		break;
	case EVENT_TURN_STARTED:
		newline_if_needed(r);
		printf("%s── turn %d%s\n", c(r, C_DIM), ev->turn, c(r, C_RESET));
		break;
	case EVENT_TEXT_DELTA:
		fputs(ev->text, stdout);
		r->at_line_start = ev->text[0] && ev->text[strlen(ev->text) - 1] == '\n';
		break;
	case EVENT_ASSISTANT_MESSAGE:
		newline_if_needed(r);
		break;
	case EVENT_PLAN_PROPOSED:
		newline_if_needed(r);
		printf("%sPlan:%s\n", c(r, C_BOLD), c(r, C_RESET));
		print_steps(r, ev->steps);
		break;
	case EVENT_PLAN_UPDATED:
		newline_if_needed(r);
		printf("%sPlan updated:%s\n", c(r, C_DIM), c(r, C_RESET));
		print_steps(r, ev->steps);
		break;
	case EVENT_PLAN_DECIDED:
	case EVENT_APPROVAL_DECIDED:
		printf("  %s%s %s%s%s%s\n", c(r, ev->approved ? C_GREEN : C_RED),
		       ev->approved ? ok : bad,
		       ev->type == EVENT_PLAN_DECIDED ? "plan " : "",
		       ev->approved ? "approved" : "denied", ev->text ? ": " : "",
		       ev->text ? ev->text : "");
		fputs(c(r, C_RESET), stdout);
		break;
	case EVENT_TOOL_CALL: {
		struct buf b = BUF_INIT;

		newline_if_needed(r);
		if (strcmp(ev->name, "propose_plan") == 0 || strcmp(ev->name, "update_plan") == 0)
			break;
		summarize_input(&b, ev->name, ev->input);
		printf("  %s%s %s%s ", c(r, C_CYAN), to, ev->name, c(r, C_RESET));
		print_line_capped(buf_cstr(&b), 90);
		putchar('\n');
		buf_fini(&b);
		break;
	}
	case EVENT_TOOL_RESULT:
		if (ev->is_error) {
			printf("    %s%s ", c(r, C_RED), bad);
			print_line_capped(ev->output ? ev->output : "", 100);
			printf("%s\n", c(r, C_RESET));
		}
		break;
	case EVENT_AUDIT:
		printf("    %s! refused: %s%s\n", c(r, C_YEL), ev->text, c(r, C_RESET));
		break;
	case EVENT_EGRESS:
		newline_if_needed(r);
		printf("    %snetwork %s %s:%d (%s)%s\n", c(r, ev->allowed ? C_DIM : C_YEL),
		       ev->allowed ? "allowed" : "refused", ev->host ? ev->host : "?", ev->port,
		       ev->text ? ev->text : "", c(r, C_RESET));
		break;
	case EVENT_CHECKPOINT:
		newline_if_needed(r);
		if (ev->external) {
			printf("  %s%s checkpoint %s%s · changes by someone else · %ld file%s (%ld ms)\n",
			       c(r, C_YEL), ok, ev->short_id, c(r, C_RESET), ev->files_changed,
			       ev->files_changed == 1 ? "" : "s", ev->duration_ms);
			break;
		}
		if (!ev->tool_call) {
			printf("  %s%s checkpoint %s%s %s (%ld ms)\n", c(r, C_GREEN), ok,
			       ev->short_id, c(r, C_RESET), ev->grant, ev->duration_ms);
			break;
		}
		if (ev->files_changed == 0)
			break;
		printf("  %s%s checkpoint %s%s · %ld file%s changed (%ld ms)\n", c(r, C_GREEN), ok,
		       ev->short_id, c(r, C_RESET), ev->files_changed,
		       ev->files_changed == 1 ? "" : "s", ev->duration_ms);
		if (ev->text) {
			for (const char *p = ev->text; *p;) {
				size_t n = strcspn(p, "\n");
				printf("    %s%.*s%s\n", c(r, C_DIM), (int)n, p, c(r, C_RESET));
				p += n + (p[n] == '\n');
			}
		}
		break;
	case EVENT_RETRY:
		newline_if_needed(r);
		printf("  %sretrying in %.1f s (attempt %d): %s%s\n", c(r, C_YEL),
		       (double)ev->duration_ms / 1000.0, ev->attempt, ev->text, c(r, C_RESET));
		break;
	case EVENT_ERROR:
		newline_if_needed(r);
		fflush(stdout);
		fprintf(stderr, "deskhand: %s\n", ev->text);
		break;
	case EVENT_REVIEW:
		newline_if_needed(r);
		if (ev->approved) {
			printf("  %s %s\n", ok, ev->text);
		} else {
			fflush(stdout);
			fprintf(stderr, "deskhand: %s: %s\n", ev->name, ev->text);
		}
		break;
	case EVENT_USER_MESSAGE:
		newline_if_needed(r);
		printf("  %syou: %s%s\n", c(r, C_BOLD), ev->text, c(r, C_RESET));
		break;
	case EVENT_APPROVAL_NEEDED: {
		struct buf b = BUF_INIT;

		newline_if_needed(r);
		free(r->pending_id);
		r->pending_id = xstrdup(ev->id);
		r->pending_plan = strcmp(ev->name, "propose_plan") == 0;
		if (r->pending_plan) {
			printf("%sApprove this plan? [y/n] %s", c(r, C_BOLD), c(r, C_RESET));
		} else if (strcmp(ev->name, "network") == 0) {
			printf("%sNetwork: %s [y/n] %s", c(r, C_BOLD), ev->text, c(r, C_RESET));
		} else {
			summarize_input(&b, ev->name, ev->input);
			printf("%sAllow %s %s? [y/n] %s", c(r, C_BOLD), ev->name, buf_cstr(&b),
			       c(r, C_RESET));
		}
		buf_fini(&b);
		r->at_line_start = true;
		break;
	}
	case EVENT_STATUS:
		newline_if_needed(r);
		printf("  %sstatus: %s, turn %d, %ld snapshot job%s; watcher %s%s\n", c(r, C_DIM),
		       ev->phase, ev->turn, ev->pending_jobs, ev->pending_jobs == 1 ? "" : "s",
		       ev->watcher, c(r, C_RESET));
		break;
	case EVENT_USAGE:
	case EVENT_SESSION_FINISHED:
	case EVENT_HELLO:
	case EVENT_HISTORY_END:
	case EVENT_REPLY:
	case EVENT_DETACHED:
		break;
	case EVENT__COUNT:
		break;
	}
	fflush(stdout);
}

/* With --dangerously-run-commands-unsandboxed: a warning on stderr for every
 * command, whatever the output format. */
static void
unsandboxed_sink(const struct event *ev, void *ctx)
{
	(void)ctx;
	if (ev->type != EVENT_TOOL_CALL || strcmp(ev->name, "run_command") != 0)
		return;
	fflush(stdout);
	fprintf(stderr, "deskhand: WARNING: running a command WITHOUT a sandbox "
			"(--dangerously-run-commands-unsandboxed): %s\n",
		json_str(ev->input, "command") ? json_str(ev->input, "command") : "?");
}

static void
json_sink(const struct event *ev, void *ctx)
{
	cJSON *j = event_to_json(ev);
	char *s = json_print(j);

	(void)ctx;
	puts(s);
	fflush(stdout);
	free(s);
	cJSON_Delete(j);
}

/*
 * Input: y/n answers or JSON commands on stdin
 */

static void
handle_line(struct run *r, char *line)
{
	if (r->commands) {
		struct command cmd;

		if (!*line)
			return;
		if (command_parse(&cmd, line, strlen(line)) < 0) {
			fprintf(stderr, "deskhand: stdin: %s\n", err_msg());
			return;
		}
		engine_command(r->engine, &cmd);
		command_fini(&cmd);
		return;
	}
	if (!r->pending_id)
		return;
	bool yes = line[0] == 'y' || line[0] == 'Y';
	bool no = line[0] == 'n' || line[0] == 'N';
	if (!yes && !no) {
		printf("Please answer y or n: ");
		fflush(stdout);
		return;
	}
	struct command cmd = { .type = yes ? COMMAND_APPROVE : COMMAND_DENY, .id = r->pending_id };
	r->pending_id = NULL;
	engine_command(r->engine, &cmd);
	free(cmd.id);
}

static void
on_stdin(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct run *r = ctx;
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof chunk);

	(void)revents;
	if (n <= 0) {
		ev_io_del(l, fd); /* EOF: no more answers */
		if (r->pending_id && !r->commands) {
			char why[] = "no answer (end of input)";
			struct command cmd = { .type = COMMAND_DENY, .id = r->pending_id,
					       .text = why };
			r->pending_id = NULL;
			engine_command(r->engine, &cmd);
			free(cmd.id);
		}
		return;
	}
	buf_add(&r->in, chunk, (size_t)n);
	for (char *nl; (nl = memchr(r->in.ptr, '\n', r->in.len));) {
		size_t len = (size_t)(nl - r->in.ptr);
		char *line = xstrndup(r->in.ptr, len);

		buf_consume(&r->in, len + 1);
		handle_line(r, line);
		free(line);
	}
}

static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	struct run *r = ctx;
	struct command cmd = { .type = COMMAND_INTERRUPT };

	(void)l;
	if (signo == SIGINT && ++r->sigints > 1 && !engine_is_busy(r->engine))
		return;
	engine_command(r->engine, &cmd);
}

static void
on_prepare(struct ev_loop *l, void *ctx)
{
	struct run *r = ctx;

	if (engine_is_settled(r->engine))
		ev_quit(l);
}

/*
 * Setup
 */

int
cli_run(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_COMMANDS, OPT_RESUME, OPT_MODEL, OPT_MAXTURNS, OPT_RECORD,
	       OPT_REPLAY, OPT_UNSANDBOXED, OPT_FORCE };
	static const struct option longopts[] = {
		{ "grant", required_argument, NULL, 'g' },
		{ "approve-plan", no_argument, NULL, 'y' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "commands", no_argument, NULL, OPT_COMMANDS },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "max-turns", required_argument, NULL, OPT_MAXTURNS },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "dangerously-run-commands-unsandboxed", no_argument, NULL, OPT_UNSANDBOXED },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	const char **grant_args = xcalloc((size_t)argc + 1, sizeof *grant_args);
	size_t ngrant_args = 0;
	bool approve_plan = false, mode_given = false, force = false;
	const char *resume = NULL, *record = NULL, *replay = NULL;
	struct run r = { .at_line_start = true };
	int status = 2, opt;

	if (config_load(&cfg) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		free(grant_args);
		config_fini(&cfg);
		return 2;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+g:ym:h", longopts, NULL)) != -1) {
		int rc = 0;

		switch (opt) {
		case 'g': grant_args[ngrant_args++] = optarg; break;
		case 'y': approve_plan = true; break;
		case 'm':
			rc = config_set(&cfg, "mode", optarg, "--mode");
			mode_given = true;
			break;
		case OPT_JSON: r.json = true; break;
		case OPT_COMMANDS: r.commands = true; break;
		case OPT_RESUME: resume = optarg; break;
		case OPT_MODEL: rc = config_set(&cfg, "model", optarg, "--model"); break;
		case OPT_MAXTURNS: rc = config_set(&cfg, "max_turns", optarg, "--max-turns"); break;
		case OPT_RECORD: record = optarg; break;
		case OPT_REPLAY: replay = optarg; break;
		case OPT_UNSANDBOXED: r.unsandboxed = true; break;
		case OPT_FORCE: force = true; break;
		case 'h':
			fputs(run_usage, stdout);
			status = 0;
			goto out_early;
		default:
			fputs(run_usage, stderr);
			goto out_early;
		}
		if (rc < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			goto out_early;
		}
	}
	if (optind != argc - 1 || !*argv[optind]) {
		fprintf(stderr, "deskhand run: expected one TASK argument (quote it)\n%s", run_usage);
		goto out_early;
	}
	if (!resume && ngrant_args == 0) {
		fprintf(stderr, "deskhand run: grant at least one folder with --grant DIR\n");
		goto out_early;
	}
	if (r.commands && !r.json) {
		fprintf(stderr, "deskhand run: --commands goes with --json\n");
		goto out_early;
	}
	/* Text enters here: an argument that is not UTF-8 becomes U+FFFD. */
	struct buf task = BUF_INIT;

	utf8_scrub(&task, argv[optind], strlen(argv[optind]));

	/* The loop first: it blocks the signals before any thread exists. */
	struct engine *eng = NULL;
	char *state = NULL;

	status = 1;
	if (ev_new(&r.loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out;
	}
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	r.tty_prompt = !r.json && tty;
	struct engine_opts eo = {
		.grants = grant_args,
		.ngrants = ngrant_args,
		.resume = resume,
		.force = force,
		.approve_plan = approve_plan,
		.can_ask = r.tty_prompt || r.commands,
		.unsandboxed = r.unsandboxed,
		.mode_given = mode_given,
		.record_path = record,
		.replay_path = replay,
	};
	if (engine_open(&eng, r.loop, &cfg, &eo) < 0)
		goto fail;
	r.engine = eng;
	r.color = !r.json && isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	setlocale(LC_CTYPE, "");
	r.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	engine_add_sink(eng, r.json ? json_sink : human_sink, &r);
	if (r.unsandboxed) {
		fprintf(stderr, "deskhand: WARNING: --dangerously-run-commands-unsandboxed: the "
				"agent's commands run WITHOUT any sandbox, with your full rights\n");
		engine_add_sink(eng, unsandboxed_sink, &r);
	}
	if ((r.tty_prompt || r.commands) &&
	    ev_io_set(r.loop, STDIN_FILENO, POLLIN, on_stdin, &r) < 0)
		goto fail;
	if (ev_signal_on(r.loop, SIGINT, on_signal, &r) < 0 ||
	    ev_signal_on(r.loop, SIGTERM, on_signal, &r) < 0 ||
	    ev_signal_on(r.loop, SIGHUP, on_signal, &r) < 0)
		goto fail;
	ev_prepare_add(r.loop, on_prepare, &r);

	if (engine_start(eng, buf_cstr(&task)) < 0)
		goto fail;
	if (ev_run(r.loop) < 0)
		goto fail;

	const char *st = engine_status(eng);
	status = !st ? 1 : strcmp(st, "done") == 0 ? 0 : strcmp(st, "interrupted") == 0 ? 130 : 1;
	if (!r.json) {
		newline_if_needed(&r);
		printf("%s%s%s · session %s\n", c(&r, status == 0 ? C_GREEN : C_RED),
		       st ? st : "failed", c(&r, C_RESET), engine_session_id(eng));
		cJSON *meta = NULL;
		if (session_meta_read(engine_state_dir(eng), engine_session_id(eng), &meta) == 0) {
			printf("  tokens: %lld in, %lld out, %lld cache read, %lld cache write · cost $%.4f\n",
			       json_int(meta, "input_tokens", 0), json_int(meta, "output_tokens", 0),
			       json_int(meta, "cache_read_tokens", 0),
			       json_int(meta, "cache_creation_tokens", 0),
			       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "cost_usd")));
			if (status != 0)
				printf("  resume with: deskhand run --resume %s \"…\"\n",
				       engine_session_id(eng));
		}
		cJSON_Delete(meta);
	}
	goto out;
fail:
	fprintf(stderr, "deskhand: %s\n", err_msg());
	status = 1;
out:
	engine_close(eng);
	ev_free(r.loop);
	buf_fini(&r.in);
	buf_fini(&task);
	free(r.pending_id);
	free(state);
out_early:
	free(grant_args);
	config_fini(&cfg);
	return status;
}

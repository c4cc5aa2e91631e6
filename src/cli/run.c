/* SPDX-License-Identifier: MIT */
/*
 * `deskhand run`: a client of one engine (engine/client.h) that renders its
 * events, as readable progress or as JSON lines. In the foreground the engine
 * runs in this process (client_open_local), and serves its session's socket
 * once the terminal went away (SIGHUP: client_local_serve); with --detach it
 * is a process of its own (client_spawn) and run only prints the session id.
 * Approvals come from a prompt on a terminal (the diff, then y/n/a/d) or
 * from JSON commands on stdin (--commands).
 * The engine's options are handed to the engine as given: it parses them.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/array.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

static const char run_usage[] =
	"usage: deskhand run [options] TASK\n"
	"       deskhand run [options] --prompt SERVER/NAME [ARG=VALUE ...]\n"
	"\n"
	"Run an agent on the granted folders until the task is done, headless.\n"
	"Options may come before or after TASK, which is one argument (quote it);\n"
	"\"--\" ends the options (for a TASK that begins with '-').\n"
	"\n"
	"  -g, --grant DIR       grant the agent this folder (repeatable; the first is\n"
	"                        where relative paths point)\n"
	"  -y, --approve-plan    approve the agent's plan without asking\n"
	"  -m, --mode MODE       ask (default: approve each change) or auto\n"
	"      --json            print the event stream as JSON lines (see README)\n"
	"      --detach          start the task in an engine of its own, print the\n"
	"                        session id and return at once (see 'deskhand wait',\n"
	"                        'deskhand attach', 'deskhand stop')\n"
	"      --commands        with --json: read JSON commands (approve, deny, steer,\n"
	"                        interrupt, status, elicit) from standard input\n"
	"      --prompt SERVER/NAME\n"
	"                        run connector SERVER's prompt NAME as the task; the\n"
	"                        arguments after it are the prompt's, as ARG=VALUE\n"
	"      --resume ID       continue session ID (or 'latest') with TASK as the next\n"
	"                        message; its grants are reused\n"
	"      --model NAME      model, or PROVIDER/MODEL (config: model; deskhand models)\n"
	"      --max-turns N     stop after N model turns (config: max_turns)\n"
	"      --thinking T      extended thinking: off, adaptive or a budget of thinking\n"
	"                        tokens, 1024 or more (config: thinking)\n"
	"      --max-cost USD    spend cap of this run: a model request that could take\n"
	"                        it past USD is not sent (config: max_cost; status\n"
	"                        budget; also max_cost_per_session, max_cost_per_day)\n"
	"      --max-tokens N    token cap of the session, the same way (input, output\n"
	"                        and cache tokens; config: max_tokens_per_session)\n"
	"      --approval-deadline DURATION\n"
	"                        end the run as expired when an approval waits longer\n"
	"                        (90s, 30m, 24h, 2d; config: approval_deadline)\n"
	"      --origin WHO      who started it, kept in the session's record: run,\n"
	"                        detach (the defaults) or schedule:NAME (deskhand inbox)\n"
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
	"The model's API key is read from its provider's environment variable (the\n"
	"provider of --model PROVIDER/MODEL, else the config's `provider`):\n";

/* After the providers' lines (config_providers_keys_help). */
static const char run_usage_tail[] =
	"A `provider NAME key_env = VAR` line of the config names another ('deskhand\n"
	"models' lists them all; docs/providers.md). The anthropic endpoint is\n"
	"ANTHROPIC_BASE_URL or the config's base_url.\n"
	"\n"
	"In ask mode on a terminal each call that changes files shows its diff and asks\n"
	"[y/n/a/d]: y allow once, n deny, a always allow (then t this tool, p only calls\n"
	"matching the proposed command prefix or path pattern), d deny with a message\n"
	"for the agent. Ctrl-C at the prompt interrupts the task (so do SIGINT and\n"
	"SIGTERM). A closed terminal (SIGHUP) does not: the run detaches and the task\n"
	"goes on, live as with --detach ('deskhand ls', 'deskhand attach').\n"
	"\n"
	"A connector's request for input (elicitation_needed: a form or a page to\n"
	"open) is answered only with --json --commands ({\"type\": \"elicit\",\n"
	"\"elicitation\": ID, \"action\": \"accept\", \"content\": {...}}); otherwise it\n"
	"is declined, and a line says so.\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 usage, 5 blocked (approvals were needed and\n"
	"nobody could give them: no terminal and no --commands), 6 expired (an approval\n"
	"waited past --approval-deadline), 7 budget (a spend or token cap), 130 interrupted\n"
	"(with --detach: 0 once the engine runs the task, 1 when it could not start).\n";

/* run's help, with a line for each built-in provider and the variable of its
 * key, from their table (config_providers_builtin), as 'deskhand models'. */
static void
run_usage_print(FILE *f)
{
	struct config c = { 0 }; /* the built-in providers and nothing else */

	config_providers_builtin(&c);
	fputs(run_usage, f);
	for (size_t i = 0; i < c.providers.n; i++)
		fprintf(f, "  %-12s %s\n", c.providers.v[i].name,
			*c.providers.v[i].key_env ? c.providers.v[i].key_env : "none");
	fputs(run_usage_tail, f);
	config_fini(&c);
}

struct run {
	struct ev_loop *loop;
	struct client *client;
	bool json;
	bool commands;	  /* JSON commands on stdin */
	bool tty_prompt;  /* y/n prompts on the terminal */
	bool color;
	bool utf8;
	bool at_line_start;
	bool streamed;	  /* text of the model's message was printed this turn */
	bool live_bol;	  /* a command's live output is at a line start */
	bool live_shown;  /* the running call's output was printed as it came */
	struct buf in;	  /* partial stdin line */
	char *pending_id; /* call awaiting an answer */
	bool pending_plan;
	bool pending_yn;  /* the plan or the network: y/n only */
	char *pending_pattern; /* the proposed always-allow narrowing, or NULL */
	char *pending_name;    /* the pending call's tool */
	enum { ASK_ANSWER, ASK_ALWAYS, ASK_MESSAGE } ask; /* what the next line answers */
	ARRAY(char *) calls;   /* "id\tname summary" of this run's tool calls */
	struct strv refused;   /* "name summary: why" of each call refused */
	int sigints;
	bool served;	  /* the terminal went away (serve_on) */
	bool listening;	  /* and the engine listens on the session's socket */
	bool stopping;	  /* SIGINT or SIGTERM came */
	bool reading;	  /* stdin is watched */
	bool unsandboxed; /* --dangerously-run-commands-unsandboxed */
	bool in_history;  /* between "hello" and "history_end": already shown */
	long cache_read, cache_write; /* this run's usage events */
	bool cost_unknown;	      /* one of them had no price (cost_usd < 0) */
	bool stdin_eof;		      /* no more answers can come */
	char *task;	  /* sent as a "start" command once history_end came */
	char *prompt;	  /* --prompt SERVER/NAME: sent as "prompt" instead */
	cJSON *prompt_args;
	char *start_req;  /* the request id of our "start" */
	bool start_failed;
	ARRAY(cJSON *) asides; /* events held while the model's text is mid-line */
	struct buf clean[3];   /* clean()'s results, one per field of a line */
};

static void deny_at_eof(struct run *r, const char *id);

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

/* Colour on a terminal, unless NO_COLOR says not or TERM=dumb (which shows
 * escape sequences as text, as git takes it). */
static bool
want_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

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

/* Text the model, a file, a server or a tool made (n bytes), printable:
 * an escape or a CR in it cannot set the terminal's title, clear the screen
 * or forge a line (utf8_sanitize, ASCII without a UTF-8 locale). The result
 * is r->clean[slot]'s, valid until that slot is used again. */
static const char *
clean_n(struct run *r, int slot, const char *s, size_t n, unsigned flags)
{
	buf_clear(&r->clean[slot]);
	utf8_sanitize(&r->clean[slot], s ? s : "", s ? n : 0, flags | (r->utf8 ? 0 : UTF8_ASCII));
	return buf_cstr(&r->clean[slot]);
}

static const char *
clean(struct run *r, int slot, const char *s)
{
	return clean_n(r, slot, s, s ? strlen(s) : 0, 0);
}

/* clean() of a name (a folder, a model): a tab or newline in it as "^I"
 * and "^J" (UTF8_NAME), not a second line or spaces. */
static const char *
clean_name(struct run *r, int slot, const char *s)
{
	return clean_n(r, slot, s, s ? strlen(s) : 0, UTF8_NAME);
}

/* The first line of s, at most `max` bytes of it (cut at a character), printable. */
static void
print_line_capped(struct run *r, const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");
	bool cut = n > max;

	if (cut)
		for (n = max; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80;)
			n--;
	fputs(clean_n(r, 2, s, n, 0), stdout);
	if (cut)
		fputs("…", stdout);
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
		printf("  %s %2d. %s\n", mark, ++i, clean(r, 0, json_str(s, "title")));
	}
}

/* A running command's output as it comes (tool_output), each line indented
 * under its call and dimmed: what a person watching wants of a long build. */
static void
print_live(struct run *r, const char *t)
{
	const char *bar = r->utf8 ? "│" : "|";

	while (*t) {
		size_t n = strcspn(t, "\n");

		struct buf line = BUF_INIT;

		utf8_sanitize(&line, t, n, r->utf8 ? 0 : UTF8_ASCII); /* no escape reaches us */
		if (r->live_bol)
			printf("    %s%s ", c(r, C_DIM), bar);
		else
			fputs(c(r, C_DIM), stdout);
		fwrite(line.ptr ? line.ptr : "", 1, line.len, stdout);
		fputs(c(r, C_RESET), stdout);
		buf_fini(&line);
		t += n;
		r->live_bol = *t == '\n';
		if (*t == '\n') {
			putchar('\n');
			t++;
		}
	}
	r->at_line_start = r->live_bol;
	r->live_shown = true;
}

/* A review's report after `mark`: one line for each thing it says (a
 * recovery says one for each grant), the first beside the mark, the rest
 * under it; never a newline shown as "^J". */
static void
print_report(struct run *r, const char *mark, const char *t)
{
	t = t ? t : "";
	for (bool first = true; first || *t; first = false) {
		size_t n = strcspn(t, "\n");

		printf("  %s%s%s\n", first ? mark : "  ", first ? " " : "", clean_n(r, 0, t, n, 0));
		t += n + (t[n] == '\n');
	}
}

#define DIFF_LINES_MAX 400 /* lines of an approval's diff printed */

/* An approval's diff, indented, coloured as git colours it. */
static void
print_diff(struct run *r, const char *diff)
{
	size_t shown = 0, total = 0;

	for (const char *p = diff; *p; total++) {
		size_t n = strcspn(p, "\n");

		if (shown < DIFF_LINES_MAX) {
			bool file = !strncmp(p, "--- ", 4) || !strncmp(p, "+++ ", 4);
			const char *col = file		? C_BOLD
					  : *p == '+'	? C_GREEN
					  : *p == '-'	? C_RED
					  : *p == '@'	? C_CYAN
							: "";
			struct buf line = BUF_INIT;

			/* No escape of the file's or the model's reaches the
			 * terminal at the prompt (as print_live). */
			utf8_sanitize(&line, p, n, r->utf8 ? 0 : UTF8_ASCII);
			printf("    %s%s%s\n", c(r, col), buf_cstr(&line), *col ? c(r, C_RESET) : "");
			buf_fini(&line);
			shown++;
		}
		p += n + (p[n] == '\n');
	}
	if (total > shown)
		printf("    %s… %zu more lines%s\n", c(r, C_DIM), total - shown, c(r, C_RESET));
}

/* The question for the pending call. */
static void
print_prompt(struct run *r, const char *what)
{
	struct buf clean = BUF_INIT; /* a path or command may hold escapes */

	utf8_sanitize(&clean, what, strlen(what), r->utf8 ? 0 : UTF8_ASCII);
	printf("%s%s [%s] %s", c(r, C_BOLD), buf_cstr(&clean), r->pending_yn ? "y/n" : "y/n/a/d",
	       c(r, C_RESET));
	buf_fini(&clean);
}

/* "name summary" of this run's call `id`, or NULL (borrowed). */
static const char *
call_line(const struct run *r, const char *id)
{
	size_t n = id ? strlen(id) : 0;

	for (size_t i = r->calls.n; n && i-- > 0;)
		if (!strncmp(r->calls.v[i], id, n) && r->calls.v[i][n] == '\t')
			return r->calls.v[i] + n + 1;
	return NULL;
}

static void
human_event(struct run *r, const struct event *ev)
{
	const char *ok = r->utf8 ? "✓" : "ok", *bad = r->utf8 ? "✗" : "x";
	const char *to = r->utf8 ? "→" : "->";

	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		/* A folder's name comes with it (an archive, a clone). */
		printf("%ssession %s%s · mode %s · model %s\n", c(r, C_BOLD), ev->session,
		       c(r, C_RESET), ev->mode, clean_name(r, 0, ev->model ? ev->model : "?"));
		for (size_t i = 0; i < ev->ngrants; i++)
			printf("  grant %s\n", clean_name(r, 0, ev->grants[i]));
		break;
	case EVENT_TURN_STARTED:
		newline_if_needed(r);
		printf("%s── turn %d%s\n", c(r, C_DIM), ev->turn, c(r, C_RESET));
		break;
	case EVENT_TEXT_DELTA:
		fputs(clean_n(r, 0, ev->text, strlen(ev->text), UTF8_KEEP_NL), stdout);
		r->streamed = true;
		r->at_line_start = ev->text[0] && ev->text[strlen(ev->text) - 1] == '\n';
		break;
	case EVENT_ASSISTANT_MESSAGE:
		newline_if_needed(r);
		r->streamed = false;
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
		if (!ev->approved) {
			const char *what = ev->type == EVENT_PLAN_DECIDED ? "the plan"
									 : call_line(r, ev->id);
			char *l = xasprintf("%s: %s", what ? what : ev->id ? ev->id : "?",
					    ev->text ? ev->text : "denied");

			strv_add(&r->refused, l);
			free(l);
		}
		printf("  %s%s %s%s%s%s\n", c(r, ev->approved ? C_GREEN : C_RED),
		       ev->approved ? ok : bad,
		       ev->type == EVENT_PLAN_DECIDED ? "plan " : "",
		       ev->approved ? "approved" : "denied", ev->text ? ": " : "",
		       clean(r, 0, ev->text));
		fputs(c(r, C_RESET), stdout);
		break;
	case EVENT_TOOL_CALL: {
		struct buf b = BUF_INIT;

		newline_if_needed(r);
		if (strcmp(ev->name, "propose_plan") == 0 || strcmp(ev->name, "update_plan") == 0)
			break;
		summarize_input(&b, ev->name, ev->input);
		char *cl = xasprintf("%s\t%s %.*s", ev->id ? ev->id : "", ev->name,
				     (int)strcspn(buf_cstr(&b), "\n"), buf_cstr(&b));

		ARRAY_PUSH(&r->calls, cl);
		printf("  %s%s %s%s ", c(r, C_CYAN), to, ev->name, c(r, C_RESET));
		print_line_capped(r, buf_cstr(&b), 90);
		putchar('\n');
		buf_fini(&b);
		r->live_bol = true;
		r->live_shown = false;
		break;
	}
	case EVENT_TOOL_OUTPUT:
		print_live(r, ev->text ? ev->text : "");
		break;
	case EVENT_TOOL_RESULT:
		newline_if_needed(r);
		if (ev->output_file)
			printf("    %sthe output was cut for the model; all of it: %s%s\n", c(r, C_DIM),
			       ev->output_file, c(r, C_RESET));
		if (ev->is_error) {
			const char *o = ev->output ? ev->output : "";

			/* The output was printed as it came: its last line (the exit
			 * status) says what happened; else its first line. */
			if (r->live_shown) {
				const char *end = o + strlen(o);

				while (end > o && end[-1] == '\n')
					end--;
				while (end > o && end[-1] != '\n')
					end--;
				o = end;
			}
			printf("    %s%s ", c(r, C_RED), bad);
			print_line_capped(r, o, 100);
			printf("%s\n", c(r, C_RESET));
		}
		break;
	case EVENT_AUDIT:
		printf("    %s! refused: %s%s\n", c(r, C_YEL), clean(r, 0, ev->text), c(r, C_RESET));
		break;
	case EVENT_EGRESS:
		newline_if_needed(r);
		printf("    %snetwork %s %s:%d (%s)%s\n", c(r, ev->allowed ? C_DIM : C_YEL),
		       ev->allowed ? "allowed" : "refused", ev->host ? clean(r, 0, ev->host) : "?",
		       ev->port, clean(r, 1, ev->text), c(r, C_RESET));
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
			       ev->short_id, c(r, C_RESET), clean_name(r, 0, ev->grant),
			       ev->duration_ms);
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
				printf("    %s%s%s\n", c(r, C_DIM), clean_n(r, 0, p, n, 0),
				       c(r, C_RESET));
				p += n + (p[n] == '\n');
			}
		}
		break;
	case EVENT_RETRY:
		newline_if_needed(r);
		printf("  %sretrying in %.1f s (attempt %d): %s%s%s\n", c(r, C_YEL),
		       (double)ev->duration_ms / 1000.0, ev->attempt, clean(r, 0, ev->text),
		       r->streamed ? "; the text above was cut off and is sent again" : "",
		       c(r, C_RESET));
		r->streamed = false;
		break;
	case EVENT_RESOURCE_UPDATED:
		newline_if_needed(r);
		printf("  %sconnector %s: resource %s changed%s\n", c(r, C_DIM), clean(r, 0, ev->name),
		       clean(r, 1, ev->url), c(r, C_RESET));
		break;
	case EVENT_ERROR:
	case EVENT_AUTHORIZATION_NEEDED: /* its message names the URL and how to answer */
		newline_if_needed(r);
		fflush(stdout);
		fprintf(stderr, "deskhand: %s\n", clean(r, 0, ev->text));
		break;
	case EVENT_REVIEW:
		newline_if_needed(r);
		if (ev->approved) {
			print_report(r, ok, ev->text);
		} else {
			fflush(stdout);
			fprintf(stderr, "deskhand: %s: %s\n", ev->name, clean(r, 0, ev->text));
		}
		break;
	case EVENT_USER_MESSAGE:
		newline_if_needed(r);
		printf("  %syou: %s%s\n", c(r, C_BOLD), clean(r, 0, ev->text), c(r, C_RESET));
		break;
	case EVENT_APPROVAL_NEEDED: {
		struct buf b = BUF_INIT;

		newline_if_needed(r);
		free(r->pending_id);
		free(r->pending_pattern);
		free(r->pending_name);
		r->pending_id = xstrdup(ev->id);
		r->pending_name = xstrdup(ev->name);
		r->pending_plan = strcmp(ev->name, "propose_plan") == 0;
		r->pending_yn = r->pending_plan || strcmp(ev->name, "network") == 0;
		r->pending_pattern = r->pending_yn ? NULL
						   : command_always_pattern(ev->name, ev->input);
		r->ask = ASK_ANSWER;
		if (r->pending_plan) {
			print_prompt(r, "Approve this plan?");
		} else if (strcmp(ev->name, "network") == 0) {
			buf_printf(&b, "Network: %s", ev->text);
			print_prompt(r, buf_cstr(&b));
		} else {
			if (ev->diff)
				print_diff(r, ev->diff);
			buf_printf(&b, "Allow %s ", ev->name);
			summarize_input(&b, ev->name, ev->input);
			buf_putc(&b, '?');
			print_prompt(r, buf_cstr(&b));
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
	case EVENT_ELICITATION_NEEDED: {
		struct buf b = BUF_INIT;

		newline_if_needed(r);
		buf_printf(&b, "connector %s asks: %s", ev->name ? ev->name : "?",
			   ev->text ? ev->text : "");
		if (ev->url)
			buf_printf(&b, " (open %s)", ev->url);
		printf("  %s? ", c(r, C_YEL)); /* the server's text may hold escapes */
		print_line_capped(r, buf_cstr(&b), 200);
		printf("%s\n", c(r, C_RESET));
		buf_fini(&b);
		break;
	}
	case EVENT_ELICITATION_DECIDED:
		printf("    %sinput %s%s\n", c(r, C_DIM),
		       ev->status && !strcmp(ev->status, "accept") ? "given" : ev->status ? ev->status : "?",
		       c(r, C_RESET));
		break;
	case EVENT_BUDGET: {
		bool tok = ev->limit && !strcmp(ev->limit, "max_tokens_per_session");

		newline_if_needed(r);
		if (tok)
			printf("%stoken cap:%s %.0f used of %.0f", c(r, C_YEL), c(r, C_RESET),
			       ev->total_cost_usd, ev->cap_usd);
		else
			printf("%sspend cap:%s $%.4f spent of $%.4f", c(r, C_YEL), c(r, C_RESET),
			       ev->total_cost_usd, ev->cap_usd);
		if (ev->estimate > 0 && tok)
			printf(", the next request could use %.0f", ev->estimate);
		else if (ev->estimate > 0)
			printf(", the next request could cost $%.4f", ev->estimate);
		printf(" (%s)\n", ev->limit ? ev->limit : "max_cost");
		break;
	}
	case EVENT_THINKING: {
		/* Folded: its size and first line; --json has the whole text. */
		const char *t = ev->text ? ev->text : "";

		newline_if_needed(r);
		if (ev->redacted) {
			printf("%s▸ thinking (redacted)%s\n", c(r, C_DIM), c(r, C_RESET));
			break;
		}
		printf("%s▸ thinking (%zu chars): ", c(r, C_DIM), strlen(t));
		print_line_capped(r, t, 72);
		printf("%s\n", c(r, C_RESET));
		break;
	}
	case EVENT_COMPACTED:
		newline_if_needed(r);
		printf("%scompacted%s %ld earlier messages into a summary: about %ld tokens, then "
		       "%ld\n", c(r, C_DIM), c(r, C_RESET), ev->compacted_messages,
		       ev->tokens_before, ev->tokens_after);
		break;
	case EVENT_USAGE:
	case EVENT_SESSION_FINISHED:
	case EVENT_HELLO:
	case EVENT_HISTORY_END:
	case EVENT_REPLY:
	case EVENT_DETACHED:
	case EVENT_MCP_UNTRUSTED: /* its error line says it all headless */
	case EVENT_NOTICE:
		break;
	case EVENT__COUNT:
		break;
	}
	fflush(stdout);
}

/* Print the events held by human_sink, in order. */
static void
flush_asides(struct run *r)
{
	for (size_t i = 0; i < r->asides.n; i++) {
		struct event_msg m;

		if (event_msg_from_json(&m, r->asides.v[i]) == 0)
			human_event(r, &m.ev);
		event_msg_fini(&m);
		cJSON_Delete(r->asides.v[i]);
	}
	r->asides.n = 0;
}

/* Human output. A checkpoint or a connector's note that comes while the
 * model's text is mid-line (a session's baseline is committed beside its
 * first request, so its checkpoint can land in the middle of a word) waits
 * for the end of that line, or for the next event that is not text: the
 * text reads whole, and nothing is dropped. --json shows every event as it
 * comes. */
static void
human_sink(const struct event *ev, void *ctx)
{
	struct run *r = ctx;
	bool aside = ev->type == EVENT_CHECKPOINT || ev->type == EVENT_RESOURCE_UPDATED;

	if (aside && r->streamed && !r->at_line_start) {
		ARRAY_PUSH(&r->asides, event_to_json(ev));
		return;
	}
	if (ev->type != EVENT_TEXT_DELTA)
		flush_asides(r);
	human_event(r, ev);
	if (r->at_line_start)
		flush_asides(r);
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

static void send_or_warn(struct run *r, struct command *cmd);

/* Nobody can fill a form here: decline (never accept) and say so. */
static void
decline_elicitation(struct run *r, const struct event *ev)
{
	struct command cmd = { .type = COMMAND_ELICIT, .id = (char *)ev->id,
			       .action = (char *)"decline" };
	struct buf clean = BUF_INIT;
	const char *server = ev->name ? ev->name : "?";

	utf8_sanitize(&clean, server, strlen(server), r->utf8 ? 0 : UTF8_ASCII);
	fflush(stdout);
	fprintf(stderr, "deskhand: connector %s asked for input (%s): declined; to answer it, "
			"run with --json --commands and send an \"elicit\" command\n",
		buf_cstr(&clean), ev->mode ? ev->mode : "form");
	buf_fini(&clean);
	send_or_warn(r, &cmd);
	free(cmd.req);
}

/* The one handler: the history an engine replays on connect was shown
 * when it happened; the rest goes to the chosen printer. */
static void
on_event(const struct event *ev, void *ctx)
{
	struct run *r = ctx;

	if (ev->type == EVENT_HELLO) {
		r->in_history = true;
		return;
	}
	if (ev->type == EVENT_HISTORY_END) {
		r->in_history = false;
		/* The engine is ready and its past shown: start the task. */
		if ((r->task || r->prompt) && !r->start_req) {
			/* Our own request id: a local engine answers within the call. */
			struct command start = { .type = r->prompt ? COMMAND_PROMPT : COMMAND_START,
						 .text = r->prompt ? r->prompt : r->task,
						 .content = r->prompt_args,
						 .req = xstrdup("run-start") };

			r->start_req = start.req;
			if (client_send(r->client, &start) < 0) {
				fprintf(stderr, "deskhand: %s\n", err_msg());
				r->start_failed = true;
				ev_quit(r->loop);
			}
		}
		return;
	}
	if (r->in_history)
		return;
	if (ev->re && r->start_req && strcmp(ev->re, r->start_req) == 0 &&
	    (ev->type == EVENT_ERROR || ev->type == EVENT_REPLY)) {
		/* The answer to our own "start": the task is the output, not this. */
		if (ev->type == EVENT_REPLY && ev->approved)
			return;
		fprintf(stderr, "deskhand: %s\n",
			ev->text ? clean(r, 0, ev->text) : "the task did not start");
		r->start_failed = true;
		ev_quit(r->loop);
		return;
	}
	/* --commands: an approval that comes after the end of the input, or
	 * was waiting at it, can have no answer (served: a client may give it). */
	if (ev->type == EVENT_APPROVAL_NEEDED && r->commands && r->stdin_eof && !r->served)
		deny_at_eof(r, ev->id);
	if (ev->type == EVENT_USAGE) {
		r->cache_read += ev->usage.cache_read_tokens;
		r->cache_write += ev->usage.cache_creation_tokens;
		r->cost_unknown |= ev->cost_usd < 0;
	}
	if (r->unsandboxed)
		unsandboxed_sink(ev, r);
	if (r->json)
		json_sink(ev, r);
	else if (ev->type != EVENT_REPLY || !ev->approved)
		human_sink(ev, r); /* a refused command says why */
	if (ev->type == EVENT_ELICITATION_NEEDED && !r->commands)
		decline_elicitation(r, ev);
}

static void
send_or_warn(struct run *r, struct command *cmd)
{
	if (client_send(r->client, cmd) < 0)
		fprintf(stderr, "deskhand: %s\n", err_msg());
}

/*
 * Input: answers on the terminal or JSON commands on stdin
 */

/* Send the answer to the pending call and forget it. */
static void
answer(struct run *r, bool approve, const char *text, bool always, const char *pattern)
{
	struct command cmd = { .type = approve ? COMMAND_APPROVE : COMMAND_DENY,
			       .id = r->pending_id, .text = (char *)text, .always = always,
			       .pattern = (char *)pattern };

	r->pending_id = NULL;
	send_or_warn(r, &cmd);
	free(cmd.id);
	free(cmd.req);
}

/* One line typed at the prompt: y, n, a (then t or p), d (then the message). */
static void
answer_line(struct run *r, const char *line)
{
	char k = (char)(line[0] | 0x20);

	switch (r->ask) {
	case ASK_MESSAGE:
		answer(r, false, *line ? line : NULL, false, NULL);
		return;
	case ASK_ALWAYS:
		if (k == 't' || (k == 'p' && r->pending_pattern)) {
			answer(r, true, NULL, true, k == 'p' ? r->pending_pattern : NULL);
			return;
		}
		printf("Please answer t or p: ");
		fflush(stdout);
		return;
	case ASK_ANSWER:
		break;
	}
	if (k == 'y' || k == 'n') {
		answer(r, k == 'y', NULL, false, NULL);
		return;
	}
	if (k == 'a' && !r->pending_yn) {
		if (!r->pending_pattern) {
			answer(r, true, NULL, true, NULL);
			return;
		}
		r->ask = ASK_ALWAYS;
		printf("%sAlways allow: t every %s call, p only %s %s [t/p] %s", c(r, C_BOLD),
		       r->pending_name, r->pending_name, r->pending_pattern, c(r, C_RESET));
		fflush(stdout);
		return;
	}
	if (k == 'd' && !r->pending_yn) {
		r->ask = ASK_MESSAGE;
		printf("%sTell the agent why (Enter: no message): %s", c(r, C_BOLD), c(r, C_RESET));
		fflush(stdout);
		return;
	}
	printf("Please answer %s: ", r->pending_yn ? "y or n" : "y, n, a or d");
	fflush(stdout);
}

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
		send_or_warn(r, &cmd);
		command_fini(&cmd);
		return;
	}
	if (!r->pending_id)
		return;
	answer_line(r, line);
}

/* The input ended: the approval waiting (call or plan `id`, NULL: none) is
 * denied, as nobody can answer it now; the run ends "blocked" or goes on
 * without it. */
static void
deny_at_eof(struct run *r, const char *id)
{
	char why[] = "no answer (end of input)";
	struct command cmd = { .type = COMMAND_DENY, .text = why };

	if (!id)
		return;
	cmd.id = xstrdup(id);
	free(r->pending_id);
	r->pending_id = NULL;
	send_or_warn(r, &cmd);
	free(cmd.id);
	free(cmd.req);
}

/* The terminal went away (SIGHUP, or a prompt's terminal hung up): the
 * task goes on, its engine live on the session's socket as a detached one
 * (client_local_serve): nothing is read or asked here any more, and the
 * process ends with the task once no client is attached. */
static void
serve_on(struct run *r)
{
	if (r->served)
		return;
	r->served = true;
	if (r->reading)
		ev_io_del(r->loop, STDIN_FILENO);
	r->reading = false;
	r->tty_prompt = false;
	/* On failure the engine's log says why; the task goes on. */
	r->listening = client_local_serve(r->client) == 0;
	/* What was left for the terminal goes where stdout goes now. */
	fflush(stdout);
	clearerr(stdout);
}

static void
on_stdin(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct run *r = ctx;
	char chunk[4096];
	struct pollfd ready = { .fd = fd, .events = POLLIN };

	(void)revents;
	/* The shell may have taken what woke this meanwhile. */
	if (client_warm_tty_wait(fd) && poll(&ready, 1, 0) == 0)
		return;
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n <= 0 && r->tty_prompt && !isatty(fd) && errno == EIO) {
		serve_on(r); /* a hung-up terminal, not Ctrl-D: nobody to ask */
		return;
	}
	if (n <= 0) {
		ev_io_del(l, fd); /* EOF: no more answers */
		r->reading = false;
		r->stdin_eof = true;
		deny_at_eof(r, client_state(r->client)->pending
				       ? json_str(client_state(r->client)->pending, "id") : NULL);
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
	if (signo == SIGHUP) {
		serve_on(r); /* the terminal went away: the task does not */
		return;
	}
	r->stopping = true;
	if (signo == SIGINT && ++r->sigints > 1 && !client_state(r->client)->busy)
		return;
	send_or_warn(r, &cmd);
	free(cmd.req);
}

static void
on_prepare(struct ev_loop *l, void *ctx)
{
	struct run *r = ctx;

	/* Served, the process ends as a detached engine does, once the task
	 * it started has ended and no client is attached. */
	if (r->listening) {
		if (r->start_req && client_local_may_exit(r->client, r->stopping))
			ev_quit(l);
		return;
	}
	if (client_state(r->client)->settled || client_closed(r->client))
		ev_quit(l);
}

/*
 * Setup
 */

/* run's own options; every other argument is the engine's (engine/client.h:
 * client_open_local, client_spawn), passed on as given. */
struct run_args {
	bool json, commands, detach, help;
	char *prompt;	      /* --prompt SERVER/NAME (argv's) */
	cJSON *prompt_args;   /* the ARG=VALUE after it, or NULL */
	char *bad_arg;	      /* one of them that is not ARG=VALUE */
	bool has_folder;      /* --grant or --resume among the engine's */
	bool has_origin;      /* --origin among them */
	char *task;	      /* the operand among the engine's (argv's) */
	char *stray;	      /* a second operand (or one with --prompt) */
	ARRAY(char *) engine; /* the engine's arguments (argv's, borrowed) */
};

static const struct {
	const char *name;
	size_t off; /* of the bool in struct run_args */
} run_flags[] = {
	{ "--json", offsetof(struct run_args, json) },
	{ "--commands", offsetof(struct run_args, commands) },
	{ "--detach", offsetof(struct run_args, detach) },
	{ "--help", offsetof(struct run_args, help) },
	{ "-h", offsetof(struct run_args, help) },
};

static void
run_args_split(struct run_args *a, int argc, char **argv)
{
	bool opts = true; /* after "--", the rest is the task */

	for (int i = 1; i < argc; i++) {
		bool mine = false;

		if (opts && strcmp(argv[i], "--prompt") == 0 && i + 1 < argc) {
			/* Its name, then its arguments up to the next option. */
			a->prompt = argv[++i];
			a->prompt_args = json_new_obj();
			for (; i + 1 < argc && argv[i + 1][0] != '-'; i++) {
				char *eq = strchr(argv[i + 1], '=');

				if (!eq || eq == argv[i + 1]) {
					a->bad_arg = argv[i + 1];
					continue;
				}
				char *k = xstrndup(argv[i + 1], (size_t)(eq - argv[i + 1]));
				json_add_str(a->prompt_args, k, eq + 1);
				free(k);
			}
			continue;
		}
		if (opts && strcmp(argv[i], "--") == 0)
			opts = false;
		for (size_t k = 0; opts && k < sizeof run_flags / sizeof *run_flags; k++) {
			if (strcmp(argv[i], run_flags[k].name) == 0) {
				*(bool *)((char *)a + run_flags[k].off) = true;
				mine = true;
			}
		}
		if (!mine)
			ARRAY_PUSH(&a->engine, argv[i]);
	}
	/* The TASK is the one operand, wherever the options are (as the other
	 * verbs take theirs). */
	size_t *idx = xcalloc(a->engine.n + 1, sizeof *idx);
	size_t n = client_args_operands(a->engine.v, a->engine.n, idx);

	if (n > (a->prompt ? 0 : 1))
		a->stray = a->engine.v[idx[a->prompt ? 0 : 1]];
	if (n && !a->prompt) {
		a->task = a->engine.v[idx[0]];
		memmove(a->engine.v + idx[0], a->engine.v + idx[0] + 1,
			(a->engine.n - idx[0] - 1) * sizeof *a->engine.v);
		a->engine.n--;
	}
	free(idx);
	/* A folder to work on: granted, or the resumed session's. */
	for (size_t i = 0; i < a->engine.n; i++) {
		const char *s = a->engine.v[i];

		a->has_folder |= strncmp(s, "--grant", 7) == 0 || strncmp(s, "--resume", 8) == 0 ||
				 (s[0] == '-' && s[1] == 'g');
		a->has_origin |= strncmp(s, "--origin", 8) == 0;
	}
}

/* --detach: an engine process of its own runs the task (a->task, added to
 * a->engine here). */
static int
run_detached(struct run_args *a)
{
	struct ev_loop *loop = NULL;
	struct client *c = NULL;
	int status = 1;

	/* The engine's options checked here first: a usage error is exit 2,
	 * as in the foreground, not the spawned engine's failure to start. */
	int rc = client_args_check(a->engine.v, a->engine.n);

	if (rc < 0) {
		fprintf(stderr, "deskhand run: %s\n", err_msg());
		return rc == DH_EFAIL ? 1 : 2;
	}
	/* After the check: pushed after `--model` (its value missing), the
	 * TASK would be taken for the model. */
	ARRAY_PUSH(&a->engine, a->task); /* the engine starts it */
	rc = ev_new(&loop);
	if (rc == 0)
		rc = client_spawn(&c, loop, a->engine.v, a->engine.n);
	if (rc < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		status = rc == DH_EPARSE ? 2 : 1; /* the engine's options */
		goto out;
	}
	const char *id = client_state(c)->session;
	if (!id) {
		fprintf(stderr, "deskhand: the engine started no session (no TASK?)\n");
		run_usage_print(stderr);
		status = 2;
		goto out;
	}
	if (a->json)
		printf("{\"type\":\"detached\",\"session\":\"%s\"}\n", id);
	else
		printf("%s\n", id);
	status = 0;
out:
	client_close(c);
	ev_free(loop);
	return status;
}

int
cli_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct run r = { .at_line_start = true };
	int status = 2;

	/* First: the whole run is made by a process forked from a warm
	 * engine, if one listens (engine/warm.h). */
	if (client_warm_handoff(argc, argv, &status))
		return status;
	run_args_split(&a, argc, argv);
	if (a.help) {
		run_usage_print(stdout);
		status = 0;
		goto out_early;
	}
	if (a.commands && !a.json) {
		fprintf(stderr, "deskhand run: --commands goes with --json\n");
		goto out_early;
	}
	if (a.detach && a.commands) {
		fprintf(stderr, "deskhand run: --commands needs the foreground (not --detach)\n");
		goto out_early;
	}
	if (a.bad_arg) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand run: --prompt: '%s' is not ARG=VALUE\n",
		        utf8_sanitized(&shown, a.bad_arg));
		buf_fini(&shown);
		goto out_early;
	}
	if (a.stray) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand run: unexpected argument '%s' (%s)\n",
		        utf8_sanitized(&shown, a.stray),
		        a.prompt ? "--prompt takes no TASK; its arguments are ARG=VALUE"
		                 : "one TASK: quote a task of several words");
		buf_fini(&shown);
		run_usage_print(stderr);
		goto out_early;
	}
	if (a.prompt && (!strchr(a.prompt, '/') || a.detach)) {
		fprintf(stderr, "deskhand run: --prompt %s: %s\n", a.prompt,
			a.detach ? "not with --detach" : "expected SERVER/NAME");
		goto out_early;
	}
	if (!a.prompt && (!a.task || !*a.task)) {
		/* `run --bogus`: the option is what is wrong, not a missing TASK */
		int rc = client_args_check(a.engine.v, a.engine.n);

		if (rc < 0) {
			fprintf(stderr, "deskhand run: %s\n", err_msg());
		} else {
			fprintf(stderr, "deskhand run: expected one TASK argument (quote it)\n");
			run_usage_print(stderr);
		}
		status = rc == DH_EFAIL ? 1 : 2;
		goto out_early;
	}
	if (!a.has_folder) {
		fprintf(stderr, "deskhand run: no folder granted: the agent works only in the "
				"folders you grant.\n"
				"Grant one with --grant DIR (repeatable), e.g. deskhand run --grant "
				"~/notes \"TASK\" (in the workbench: :grant DIR).\n");
		goto out_early;
	}
	if (!a.has_origin) {
		/* The session's record says who started it (the inbox). Before
		 * the person's arguments: after them, `--model "fix it"` (the
		 * TASK forgotten) took "--origin" for the model. */
		ARRAY_RESERVE(&a.engine, 2);
		memmove(a.engine.v + 2, a.engine.v, a.engine.n * sizeof *a.engine.v);
		a.engine.v[0] = (char *)"--origin";
		a.engine.v[1] = (char *)(a.detach ? "detach" : "run");
		a.engine.n += 2;
	}
	if (a.detach) {
		status = run_detached(&a);
		goto out_early;
	}
	r.json = a.json;
	r.commands = a.commands;
	r.task = a.task;
	r.prompt = a.prompt;
	r.prompt_args = a.prompt_args;
	for (size_t i = 0; i < a.engine.n; i++)
		r.unsandboxed |= strcmp(a.engine.v[i], "--dangerously-run-commands-unsandboxed") == 0;

	/* The loop first: it blocks the signals before any thread exists. */
	status = 1;
	if (ev_new(&r.loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		goto out;
	}
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	r.tty_prompt = !r.json && tty;
	/* Nobody to answer approvals: the engine refuses them at once. */
	if (!r.tty_prompt && !r.commands) { /* first: the last may want a value */
		ARRAY_PUSH(&a.engine, NULL);
		memmove(a.engine.v + 1, a.engine.v, (a.engine.n - 1) * sizeof *a.engine.v);
		a.engine.v[0] = (char *)"--no-ask";
	}
	r.color = !r.json && want_color();
	setlocale(LC_CTYPE, "");
	r.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (r.unsandboxed)
		fprintf(stderr, "deskhand: WARNING: --dangerously-run-commands-unsandboxed: the "
				"agent's commands run WITHOUT any sandbox, with your full rights\n");
	int rc = client_open_local(&r.client, r.loop, a.engine.v, a.engine.n);
	if (rc < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		status = rc == DH_EPARSE ? 2 : 1;
		goto out;
	}
	client_set_handler(r.client, on_event, &r);
	r.reading = r.tty_prompt || r.commands;
	if (r.reading && ev_io_set(r.loop, STDIN_FILENO, POLLIN, on_stdin, &r) < 0)
		goto fail;
	if (ev_signal_on(r.loop, SIGINT, on_signal, &r) < 0 ||
	    ev_signal_on(r.loop, SIGTERM, on_signal, &r) < 0 ||
	    ev_signal_on(r.loop, SIGHUP, on_signal, &r) < 0)
		goto fail;
	ev_prepare_add(r.loop, on_prepare, &r);
	if (ev_run(r.loop) < 0)
		goto fail;
	if (r.start_failed)
		goto out;

	const struct client_state *cs = client_state(r.client);
	const char *st = cs->status;
	status = cli_exit_status(st);
	if (!r.json && r.refused.n) {
		newline_if_needed(&r);
		printf("%srefused:%s\n", c(&r, C_YEL), c(&r, C_RESET));
		for (size_t i = 0; i < r.refused.n; i++)
			printf("  %s\n", r.refused.v[i]);
		if (st && !strcmp(st, "blocked"))
			printf("  nobody was at a terminal to approve these: run it in a terminal, "
			       "with --mode auto, or with --json --commands\n");
	}
	if (!r.json && cs->session) {
		newline_if_needed(&r);
		printf("%s%s%s · session %s\n", c(&r, status == 0 ? C_GREEN : C_RED),
		       st ? st : "failed", c(&r, C_RESET), cs->session);
		printf("  tokens: %ld in, %ld out, %ld cache read, %ld cache write · ",
		       cs->input_tokens, cs->output_tokens, r.cache_read, r.cache_write);
		/* A model the registry has no price for: not $0. The session's
		 * cost is not known either when an earlier run's request had no
		 * price (cost_usd < 0), whatever this run's requests cost. */
		if (!r.cost_unknown && cs->cost_usd < 0)
			printf("cost not known (an earlier request had no price in "
			       "'deskhand models')\n");
		else if (r.cost_unknown && cs->cost_usd > 0)
			printf("cost $%.4f and more not known (%s has no price in 'deskhand models')\n",
			       cs->cost_usd, clean_name(&r, 0, cs->model ? cs->model : "the model"));
		else if (r.cost_unknown)
			printf("cost not known (%s has no price in 'deskhand models')\n",
			       clean_name(&r, 0, cs->model ? cs->model : "the model"));
		else
			printf("cost $%.4f\n", cs->cost_usd);
		if (status != 0)
			printf("  resume with: deskhand run --resume %s \"…\"\n", cs->session);
	}
	goto out;
fail:
	fprintf(stderr, "deskhand: %s\n", err_msg());
	status = 1;
out:
	client_close(r.client);
	ev_free(r.loop);
	buf_fini(&r.in);
	for (size_t i = 0; i < sizeof r.clean / sizeof *r.clean; i++)
		buf_fini(&r.clean[i]);
	free(r.pending_id);
	free(r.pending_pattern);
	free(r.pending_name);
	free(r.start_req);
	for (size_t i = 0; i < r.calls.n; i++)
		free(r.calls.v[i]);
	ARRAY_FREE(&r.calls);
	strv_free(&r.refused);
	flush_asides(&r); /* none unless the engine went away mid-line */
	ARRAY_FREE(&r.asides);
out_early:
	ARRAY_FREE(&a.engine);
	cJSON_Delete(a.prompt_args);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * deskhand: argv dispatch, library initialisation order and teardown. The
 * verbs live in cli/; this file owns process-wide state (library init).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "config/settings.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "docs/doc.h"
#include "engine/serve.h"
#include "engine/version.h"
#include "engine/warm.h"
#include "llm/llm.h"
#include "net/http.h"
#include "snap/snap.h"
#include "ui/ui.h"

static const char usage[] =
	"usage: deskhand [--grant DIR...] [--resume ID] [--theme NAME] [\"TASK\"]\n"
	"       deskhand [-V|--version] [-h|--help] [--dump-config] COMMAND [ARGS]\n"
	"\n"
	"Without a command, deskhand opens the full-screen workbench\n"
	"(its options: deskhand --grant DIR --help).\n"
	"\n"
	"An AI agent that works on the folders you grant it; every change is\n"
	"checkpointed, reviewable and undoable.\n"
	"\n"
	"Commands:\n"
	"  run        run a task headless on granted folders (deskhand run --help)\n"
	"  attach     open the workbench on a live session (or resume one)\n"
	"  ls         list the live sessions (engines running now)\n"
	"  wait       wait until a session's task ends; exit with its status\n"
	"  stop       interrupt a live session's task\n"
	"  log        list a session's checkpoints and the files each changed\n"
	"  diff       show what changed between checkpoints\n"
	"  review     show what is pending since the accepted mark, by file and hunk\n"
	"  accept     accept pending files (move the accepted mark)\n"
	"  accept-hunk  accept one hunk of a file\n"
	"  reject     restore files to their accepted state\n"
	"  reject-hunk  revert one hunk of a file\n"
	"  undo       undo the last agent steps, or return to any checkpoint\n"
	"  redo       reapply what the last undo reverted\n"
	"  restore    return the folders to any checkpoint\n"
	"  sessions   list sessions\n"
	"  usage      tokens and cost by day, model or session, from the transcripts\n"
	"  inbox      unattended runs that need you: waiting, or changes to review\n"
	"  schedule   run a task at set times with no terminal open (schedule --help)\n"
	"  doctor     check that this machine can sandbox the agent's commands\n"
	"  mcp        MCP connectors: list, add, remove, tools, trust, untrust,\n"
	"             login, logout, client\n"
	"  rules      list the permission rules (allow, ask, deny) and their files\n"
	"  config     every setting in effect and the file, flag or policy that set it\n"
	"  skills     list the installed skills and what is wrong with any (trust DIR)\n"
	"  audit      verify the sessions' tamper-evident audit logs, or export them\n"
	"  models     list the model providers and the models deskhand knows\n"
	"  warm       keep a warm engine, from which each run starts at once\n"
	"\n"
	"The review verbs (log, diff, review, accept, reject, undo, redo, restore...)\n"
	"act on --session ID, else on the latest session with a grant holding the\n"
	"current directory, else on the latest session; they name it on stderr\n"
	"(and warn of a damaged session they could not consider).\n"
	"Options may follow operands (until \"--\").\n"
	"\n"
	"--dump-config prints the configuration in effect (defaults, then the config\n"
	"files) in the config file's own format; exit status 1 when a file does not\n"
	"load (the message names its line).\n"
	"\n"
	"Each command takes --help. Data lives in $XDG_STATE_HOME/deskhand (sessions,\n"
	"snapshots) and $XDG_CONFIG_HOME/deskhand (config, AGENTS.md).\n";

/* deskhand warm: each run it forks is cli_run() in a child of it. */
static int
warm(int argc, char **argv)
{
	return warm_main(argc, argv, cli_run);
}

/* A client of a live engine (clients: true) needs neither libcurl nor
 * libgit2: it skips their global init (OpenSSL's among it), which is most of
 * its start-up time. */
static const struct {
	const char *name;
	int (*fn)(int, char **);
	bool client;
} verbs[] = {
	{ .name = "run", .fn = cli_run },
	{ .name = "log", .fn = cli_log },
	{ .name = "diff", .fn = cli_diff },
	{ .name = "undo", .fn = cli_undo },
	{ .name = "sessions", .fn = cli_sessions },
	{ .name = "usage", .fn = cli_usage, .client = true },
	{ .name = "doctor", .fn = cli_doctor },
	{ .name = "mcp", .fn = cli_mcp },
	{ .name = "rules", .fn = cli_rules, .client = true },
	{ .name = "config", .fn = cli_config, .client = true },
	{ .name = "skills", .fn = cli_skills },
	{ .name = "models", .fn = cli_models, .client = true },
	{ .name = "schedule", .fn = cli_schedule },
	{ .name = "review", .fn = cli_review },
	{ .name = "accept", .fn = cli_accept },
	{ .name = "reject", .fn = cli_reject },
	{ .name = "reject-hunk", .fn = cli_reject_hunk },
	{ .name = "redo", .fn = cli_redo },
	{ .name = "restore", .fn = cli_restore },
	{ .name = "accept-hunk", .fn = cli_accept_hunk },
	{ .name = "inbox", .fn = cli_inbox },
	{ .name = "audit", .fn = cli_audit, .client = true },
	{ .name = "ls", .fn = cli_ls, .client = true },
	{ .name = "wait", .fn = cli_wait, .client = true },
	{ .name = "stop", .fn = cli_stop, .client = true },
	{ .name = "attach", .fn = cli_attach, .client = true },
	{ .name = "warm", .fn = warm, .client = true }, /* shuts its libraries down itself */
	{ .name = "engine", .fn = engine_main }, /* started by deskhand itself (engine/serve.h) */
	/* a PDF's reader, started by deskhand itself (docs/doc.h) */
	{ .name = "doc-text", .fn = doc_child_main, .client = true },
};

/* Memory is a process-wide setting, so main's: one malloc arena for every
 * thread (the worker's libgit2 transients and the loop's JSON reuse each
 * other's free space instead of each arena keeping its own high-water mark),
 * and fixed thresholds, not glibc's moving ones (which rise to the biggest
 * block freed). Blocks of 2 MiB and more (a large file read, a pack) are
 * mapped and unmapped on their own; smaller ones come from the heap, which
 * keeps up to 4 MiB free at its top. Below that, a turn's transients (a
 * 1 MiB block libgit2 takes about once a checkpoint, buffers growing past
 * 128 KiB) were each a mapping, its page faults, and an unmap that
 * interrupts the other CPUs to flush their TLBs: a 100-turn session,
 * 10 alternating pairs idle, 13.75 against 14.07 ms per turn beyond the
 * server, peak RSS 13.79 against 13.67 MiB. */
static void
memory_settings(void)
{
	static const struct {
		int param, value;
	} settings[] = {
		{ M_ARENA_MAX, 1 },
		{ M_MMAP_THRESHOLD, 2 << 20 },
		{ M_TRIM_THRESHOLD, 4 << 20 },
	};

	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
		mallopt(settings[i].param, settings[i].value);
}

int
main(int argc, char **argv)
{
	memory_settings();
	/* PDFs are read by a child that can be stopped: deskhand itself,
	 * the file this process runs even if it was replaced since. */
	doc_child_set("/proc/self/exe");
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "help") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
			  strcmp(argv[1], "version") == 0)) {
		printf("deskhand %s\n", DESKHAND_VERSION);
		printf("%s\n%s\n", llm_library_version(), snap_library_version());
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--dump-config") == 0) {
		struct config c;
		int rc = config_load(&c);

		if (rc == 0)
			rc = settings_env_check(&c);
		/* A `bind` line is the workbench's to read: checked as it
		 * would be, so that a file the workbench refuses is not
		 * reported as loading. */
		if (rc == 0)
			rc = ui_binds_apply(c.binds.v, c.binds.n);
		if (rc == 0)
			config_dump(&c);
		else
			fprintf(stderr, "deskhand: %s\n", err_msg());
		config_fini(&c);
		return rc == 0 ? 0 : 1;
	}
	for (size_t i = 0; argc >= 2 && i < sizeof verbs / sizeof *verbs; i++) {
		if (strcmp(argv[1], verbs[i].name) != 0)
			continue;
		/* Library init happens inside the verbs' own order where it matters
		 * (run: the event loop blocks signals before any library thread). */
		if (verbs[i].client)
			return verbs[i].fn(argc - 1, argv + 1);
		/* libcurl is loaded on a thread by the engine, early in its
		 * start-up (engine_open: llm_global_init()), and waited for
		 * by the first request; a command without an engine that makes
		 * a request loads it then. libgit2 is loaded by the first job
		 * that opens a store's repository on the snapshot worker
		 * (snap_open_repo), beside the first request: loaded on a
		 * thread of its own as well, its dlopen() took turns with
		 * libcurl's on the loader's lock and its set-up took the second
		 * core, and the first request came 6-9 ms later. */
		int rc = verbs[i].fn(argc - 1, argv + 1);
		snap_global_shutdown();
		llm_global_shutdown();
		return rc;
	}
	/* No command: the workbench (a lone word that is not a command and has
	 * no options before it is more likely a typo than a task). */
	if (argc >= 2 && argv[1][0] != '-' && !strchr(argv[1], ' ') && argc == 2) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: unknown command '%s'\n\n%s",
		        utf8_sanitized(&shown, argv[1]), usage);
		buf_fini(&shown);
		return 2;
	}
	/* The workbench is a client: its engine is another process. */
	return cli_workbench(argc, argv);
}

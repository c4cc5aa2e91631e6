/* SPDX-License-Identifier: MIT */
/*
 * `deskhand mcp COMMAND`: the connector commands, one table. Each entry
 * names where it runs; the protocol work happens in the engine
 * (engine/verbs_mcp.c through client_mcp_verb()), never here.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "engine/client.h"

/* In this process, in the engine's code (it speaks MCP). */
static int
run_in_engine(int argc, char **argv)
{
	return client_mcp_verb(argv[0], argc, argv);
}

struct mcp_cmd {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv); /* argv[0] is the command */
};

static const struct mcp_cmd cmds[] = {
	{ "client",
	  "connect to one server as a session would and exercise it (the\n"
	  "              conformance suite's client): client URL | client -- COMMAND",
	  run_in_engine },
	{ "list", "list the connectors of your mcp.json and a folder's .mcp.json", run_in_engine },
	{ "add", "add a connector to your mcp.json (sandboxed unless --no-sandbox)",
	  run_in_engine },
	{ "remove", "remove a connector from your mcp.json", run_in_engine },
	{ "tools", "start one connector as a session would and list its tools", run_in_engine },
	{ "trust", "trust a folder's .mcp.json (records its SHA-256)", run_in_engine },
	{ "untrust", "stop trusting a folder's .mcp.json", run_in_engine },
	{ "login", "authorize deskhand at an http connector (OAuth; prints the URL to open)",
	  run_in_engine },
	{ "logout", "forget the OAuth tokens of an http connector", run_in_engine },
};

static void
usage(FILE *f)
{
	fputs("usage: deskhand mcp COMMAND [ARGS]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		fprintf(f, "  %-10s  %s\n", cmds[i].name, cmds[i].summary);
	fputs("\nEach command takes --help. docs/mcp.md says how connectors work.\n", f);
}

int
cli_mcp(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	struct buf shown = BUF_INIT;

	fprintf(stderr, "deskhand mcp: unknown command '%s'\n\n", utf8_sanitized(&shown, argv[1]));
	buf_fini(&shown);
	usage(stderr);
	return 2;
}

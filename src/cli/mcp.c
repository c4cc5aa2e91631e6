/* SPDX-License-Identifier: MIT */
/*
 * `deskhand mcp COMMAND`: the connectors (MCP servers). One table of the
 * commands; each is carried out by the engine's verbs in this process
 * (engine/client.h client_mcp_verb()), since none needs a live session.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "engine/client.h"

static const struct {
	const char *name;
	const char *doc;
} mcp_commands[] = {
	{ "list", "list the connectors of your mcp.json and this folder's .mcp.json" },
	{ "add", "add a connector to your mcp.json (deskhand mcp add --help)" },
	{ "remove", "remove a connector from your mcp.json" },
	{ "tools", "start one connector as a session would and list its tools" },
	{ "trust", "trust a folder's .mcp.json (records its SHA-256)" },
	{ "untrust", "stop trusting a folder's .mcp.json" },
	{ "login", "authorize deskhand at an http connector (OAuth; prints the URL to open)" },
	{ "logout", "forget the OAuth tokens of an http connector" },
	{ "client", "connect to one server as a session would and exercise it (the "
	            "conformance suite's client)" },
};

static void
mcp_usage(FILE *f)
{
	fputs("usage: deskhand mcp COMMAND [ARGS]\n\nConnectors (MCP servers) the agent can "
	      "use; see docs/mcp.md.\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof mcp_commands / sizeof *mcp_commands; i++)
		fprintf(f, "  %-9s %s\n", mcp_commands[i].name, mcp_commands[i].doc);
	fputs("\nEach command takes --help. Exit status: 0 done, 1 failed, 2 usage.\n", f);
}

int
cli_mcp(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		mcp_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof mcp_commands / sizeof *mcp_commands; i++)
		if (!strcmp(mcp_commands[i].name, argv[1]))
			return client_mcp_verb(argv[1], argc - 1, argv + 1);
	fprintf(stderr, "deskhand: mcp: unknown command '%s'\n", argv[1]);
	mcp_usage(stderr);
	return 2;
}

/* SPDX-License-Identifier: MIT */
/* Connector configuration (config/mcp_config.h): the mcpServers format,
 * ${VAR} expansion, errors naming file, key and value, and the trust record. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/mcp_config.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

static int
parse(struct mcp_entries *es, const char *text)
{
	return mcp_config_parse(es, text, strlen(text), "m.json", 0);
}

/* The error of parsing `text`, which must fail with DH_EPARSE. */
static void
refused(const char *text, const char *want)
{
	struct mcp_entries es = ARRAY_INIT;

	cr_assert_eq(parse(&es, text), DH_EPARSE, "accepted: %s", text);
	cr_assert_str_eq(err_msg(), want);
	mcp_entries_fini(&es);
}

Test(mcp_config, stdio_and_http_entries_with_expansion)
{
	struct mcp_entries es = ARRAY_INIT;

	setenv("DH_T_TOKEN", "s3cret", 1);
	unsetenv("DH_T_UNSET");
	cr_assert_eq(parse(&es, "{\"mcpServers\": {"
	                        "\"fs\": {\"command\": \"npx\", \"args\": [\"-y\", \"${DH_T_TOKEN}x\"],"
	                        " \"env\": {\"K\": \"${DH_T_UNSET:-dflt}\"}, \"timeout\": 2.5,"
	                        " \"sandbox\": {\"paths\": [\"/srv/a\"], \"egress\": [\"h:443\"]}},"
	                        "\"web\": {\"type\": \"http\", \"url\": \"https://x/mcp\","
	                        " \"headers\": {\"Authorization\": \"Bearer ${DH_T_TOKEN}\"}},"
	                        "\"raw\": {\"command\": \"srv\", \"sandbox\": false}}}"),
	             0, "%s", err_msg());
	cr_assert_eq(es.n, 3);
	const struct mcp_entry *fs = mcp_entries_find(&es, "fs");

	cr_assert(!fs->http && !fs->unsandboxed);
	cr_assert_str_eq(fs->command, "npx");
	cr_assert_str_eq(fs->args.v[1], "s3cretx");
	cr_assert_str_eq(fs->env.v[0], "K=dflt");
	cr_assert_eq(fs->timeout_ms, 2500);
	cr_assert_str_eq(fs->paths.v[0], "/srv/a");
	cr_assert_str_eq(fs->egress.v[0], "h:443");
	cr_assert_str_eq(fs->origin, "m.json");
	const struct mcp_entry *web = mcp_entries_find(&es, "web");

	cr_assert(web->http);
	cr_assert_str_eq(web->headers.v[0], "Authorization: Bearer s3cret");
	cr_assert(mcp_entries_find(&es, "raw")->unsandboxed);
	/* A later file's entry of the same name replaces the earlier one. */
	cr_assert_eq(parse(&es, "{\"mcpServers\": {\"fs\": {\"command\": \"other\"}}}"), 0);
	cr_assert_eq(es.n, 3);
	cr_assert_str_eq(mcp_entries_find(&es, "fs")->command, "other");
	mcp_entries_fini(&es);
}

/* MCP_CONFIG_RAW: a file shown, not started, keeps its ${VAR}s as written
 * (a secret never printed for a file nobody trusted; an unset one no
 * error), and their syntax is still checked. */
Test(mcp_config, raw_keeps_variables)
{
	struct mcp_entries es = ARRAY_INIT;
	const char *text = "{\"mcpServers\": {"
	                   "\"a\": {\"command\": \"/bin/echo\", \"args\": [\"${DH_T_TOKEN}\"],"
	                   " \"sandbox\": {\"paths\": [\"${DH_T_UNSET}/x\"]}},"
	                   "\"h\": {\"type\": \"http\", \"url\": \"${DH_T_URL}/mcp\","
	                   " \"headers\": {\"Authorization\": \"Bearer ${DH_T_UNSET}\"}}}}";

	setenv("DH_T_TOKEN", "s3cret", 1);
	unsetenv("DH_T_UNSET");
	cr_assert_eq(mcp_config_parse(&es, text, strlen(text), "m.json", MCP_CONFIG_RAW), 0, "%s",
	             err_msg());
	cr_assert_str_eq(mcp_entries_find(&es, "a")->args.v[0], "${DH_T_TOKEN}");
	cr_assert_str_eq(mcp_entries_find(&es, "a")->paths.v[0], "${DH_T_UNSET}/x");
	cr_assert_str_eq(mcp_entries_find(&es, "h")->url, "${DH_T_URL}/mcp");
	cr_assert_str_eq(mcp_entries_find(&es, "h")->headers.v[0], "Authorization: Bearer ${DH_T_UNSET}");
	mcp_entries_fini(&es);
	text = "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"${OPEN\"]}}}";
	cr_assert_eq(mcp_config_parse(&es, text, strlen(text), "m.json", MCP_CONFIG_RAW), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "m.json: mcpServers.a.args[0]: unterminated ${ in: ${OPEN");
	mcp_entries_fini(&es);
}

/* How an entry runs, for a person: words that are not plain are quoted as
 * a shell reads them back, and nothing in it can drive the terminal. */
Test(mcp_config, describe_quotes_and_escapes)
{
	struct mcp_entries es = ARRAY_INIT;
	struct buf b = BUF_INIT;

	cr_assert_eq(parse(&es, "{\"mcpServers\": {\"a\": {\"command\": \"/bin/sh\", \"args\": "
	                        "[\"-c\", \"a b\", \"it's\", \"x\\u001b[2K\\rnotes\", \"\"]}}}"),
	             0, "%s", err_msg());
	mcp_entry_describe(&b, &es.v[0]);
	cr_assert_str_eq(buf_cstr(&b), "/bin/sh -c 'a b' 'it'\\''s' 'x^[[2K^Mnotes' ''");
	buf_fini(&b);
	mcp_entries_fini(&es);
}

Test(mcp_config, errors_name_file_key_and_value)
{
	unsetenv("DH_T_UNSET");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"cwd\": \"/\"}}}",
	        "m.json: mcpServers.a: unknown key (known: command, args, env, type, url, headers, "
	        "sandbox, timeout, oauth): cwd");
	refused("{\"servers\": {}}", "m.json: unknown key \"servers\" (known: mcpServers)");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"${DH_T_UNSET}\"]}}}",
	        "m.json: mcpServers.a.args[0]: ${DH_T_UNSET} is not set (in \"${DH_T_UNSET}\")");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [1]}}}",
	        "m.json: mcpServers.a.args[0]: must be a string");
	refused("{\"mcpServers\": {\"a\": {\"type\": \"sse\", \"url\": \"http://x\"}}}",
	        "m.json: mcpServers.a.type: must be \"stdio\" or \"http\", not: sse");
	refused("{\"mcpServers\": {\"a\": {\"type\": \"http\", \"url\": \"ftp://x\"}}}",
	        "m.json: mcpServers.a.url: must be an http:// or https:// URL, not: ftp://x");
	refused("{\"mcpServers\": {\"a\": {\"args\": []}}}",
	        "m.json: mcpServers.a: needs \"command\" (or \"type\": \"http\" and \"url\")");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"sandbox\": {\"paths\": [\"rel\"]}}}}",
	        "m.json: mcpServers.a.sandbox.paths: must be an absolute path, not: rel");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"sandbox\": {\"net\": 1}}}}",
	        "m.json: mcpServers.a.sandbox: unknown key (known: paths, read, egress): net");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"sandbox\": true}}}",
	        "m.json: mcpServers.a.sandbox: must be false or an object {\"paths\": [...], "
	        "\"read\": [...], \"egress\": [...]}");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"sandbox\": {\"read\": [\"lib\"]}}}}",
	        "m.json: mcpServers.a.sandbox.read: must be an absolute path, not: lib");
	refused("{\"mcpServers\": {\"a b\": {\"command\": \"x\"}}}",
	        "m.json: mcpServers: server name \"a b\" must be 1-64 letters, digits, '_' or '-'");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\"},\n\"a\": {\"command\": \"y\"}}}",
	        "m.json:2: key \"a\" given twice in one object (first at line 1)");
	refused("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"timeout\": 0}}}",
	        "m.json: mcpServers.a.timeout: must be a number of seconds from 1 to 86400, not: 0");
}

Test(mcp_config, trust_is_of_the_exact_content)
{
	char root[] = "/tmp/dh-mcp-trust.XXXXXX", *file;

	cr_assert(mkdtemp(root));
	setenv("XDG_STATE_HOME", root, 1);
	file = xasprintf("%s/.mcp.json", root);
	const char *v1 = "{\"mcpServers\": {\"a\": {\"command\": \"x\"}}}";
	cr_assert_eq(fsutil_write_atomic(file, v1, strlen(v1)), 0);
	cr_assert_eq(mcp_trust_check(file, v1, strlen(v1)), MCP_TRUST_NONE);
	cr_assert_eq(mcp_trust_set(file, false), DH_ENOTFOUND);
	cr_assert_eq(mcp_trust_set(file, true), 0, "%s", err_msg());
	cr_assert_eq(mcp_trust_check(file, v1, strlen(v1)), MCP_TRUST_YES);
	/* one byte more: asked again */
	cr_assert_eq(mcp_trust_check(file, "{\"mcpServers\": {\"a\": {\"command\": \"x\"}}} ",
	                             strlen(v1) + 1), MCP_TRUST_CHANGED);
	cr_assert_eq(mcp_trust_set(file, false), 0);
	cr_assert_eq(mcp_trust_check(file, v1, strlen(v1)), MCP_TRUST_NONE);
	/* a file that does not load is not trusted */
	const char *bad = "{\"mcpServers\": {\"a\": {}}}";
	cr_assert_eq(fsutil_write_atomic(file, bad, strlen(bad)), 0);
	cr_assert_eq(mcp_trust_set(file, true), DH_EPARSE);
	char hex[65];
	mcp_sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char *cmd = xasprintf("rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(file);
}

/* SPDX-License-Identifier: MIT */
/* Permission rules: the config's `allow|ask|deny TOOL[(PATTERN)]` lines
 * (config/config.h: parsing, the person's file, a folder's file that may only
 * tighten, saving a line) and the one matcher that decides a call
 * (agent/approval.h: deny beats ask beats allow, first match within each,
 * command prefixes, path globs, globs on tool names such as mcp__*). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/approval.h"
#include "agent/event.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "tools/tool.h"

static char root[64];
static char gdir[128];
static struct grant_set *gs;
static struct tool_env env;

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-rules-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	cr_assert(mkdir(gdir, 0755) == 0);
	cr_assert(grant_set_new(&gs) == 0);
	cr_assert(grant_add(gs, gdir) == 0);
	tool_env_init(&env);
	env.grants = gs;
}

static void
teardown(void)
{
	grant_set_free(gs);
	gs = NULL;
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(rules, .init = setup, .fini = teardown, .timeout = 20);

/* Write `text` to root/rel (directories made); the path (heap). */
static char *
put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel);
	char *dir = xstrdup(p);

	*strrchr(dir, '/') = '\0';
	cr_assert_eq(fsutil_mkdir_p(dir, 0755), 0);
	free(dir);
	FILE *f = fopen(p, "w");

	cr_assert(f, "%s", p);
	fputs(text, f);
	fclose(f);
	return p;
}

/* Load `text` as the person's config into the rules `r` (checked as the
 * agent adds them). */
static void
load_rules(struct approval_rules *r, const char *text)
{
	char *p = put("config", text);
	struct config c;

	setenv("DH_CONFIG", p, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	for (size_t i = 0; i < c.rules.n; i++)
		cr_assert_eq(approval_rules_add_config(r, &c.rules.v[i], &env), 0, "%s", err_msg());
	config_fini(&c);
	unsetenv("DH_CONFIG");
	free(p);
}

static cJSON *
cmd(const char *command)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "command", command);
	return o;
}

static cJSON *
path2(const char *key, const char *path, const char *key2, const char *path2)
{
	cJSON *o = json_new_obj();

	json_add_str(o, key, path);
	if (key2)
		json_add_str(o, key2, path2);
	return o;
}

/* The reason of the rule deciding tool(input) (heap), or NULL for none;
 * `input` is freed. */
static char *
decide(const struct approval_rules *r, const char *tool, cJSON *input)
{
	const struct approval_rule *m = approval_rules_decide(r, tool, input, &env);

	cJSON_Delete(input);
	return m ? approval_rule_reason(m) : NULL;
}

#define ASSERT_DECIDES(r, tool, input, want)                                                       \
	do {                                                                                       \
		char *got_ = decide((r), (tool), (input));                                         \
		const char *want_ = (want);                                                        \
		if (!want_)                                                                        \
			cr_assert_null(got_, "%s: expected no rule, got %s", tool, got_);          \
		else                                                                               \
			cr_assert(got_ && strstr(got_, want_), "%s: expected %s, got %s", tool,    \
				  want_, got_ ? got_ : "(none)");                                  \
		free(got_);                                                                        \
	} while (0)

Test(rules, lines_parse_and_bad_ones_name_file_and_line)
{
	struct config_rule r;

	cr_assert_eq(config_rule_parse(&r, "deny write_file(*.env)  # secrets", "f:3"), 0);
	cr_assert_eq(r.verdict, CONFIG_DENY);
	cr_assert_str_eq(r.tool, "write_file");
	cr_assert_str_eq(r.pattern, "*.env");
	cr_assert_str_eq(r.where, "f:3");
	char *line = config_rule_format(&r);
	cr_assert_str_eq(line, "deny write_file(*.env)");
	free(line);
	free(r.tool);
	free(r.pattern);
	free(r.where);
	/* The pattern runs to the last ')': parentheses and '#' stay in it. */
	cr_assert_eq(config_rule_parse(&r, "ask run_command(echo (a) #1)", "f:4"), 0);
	cr_assert_str_eq(r.pattern, "echo (a) #1");
	free(r.tool);
	free(r.pattern);
	free(r.where);
	cr_assert_eq(config_rule_parse(&r, "deny  edit_file(  *.pem\t)", "f:4"), 0);
	cr_assert_str_eq(r.pattern, "*.pem");
	free(r.tool);
	free(r.pattern);
	free(r.where);
	cr_assert_eq(config_rule_parse(&r, "allow mcp__drive__*", "f:5"), 0);
	cr_assert_null(r.pattern);
	cr_assert_str_eq(r.tool, "mcp__drive__*");
	free(r.tool);
	free(r.where);

	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "permit read_file", "f:9: a rule starts with allow, ask or deny, not 'permit'" },
		{ "deny", "f:9: expected 'deny TOOL[(PATTERN)]'" },
		{ "deny write_file(*.env", "f:9: the pattern of 'write_file(' has no closing ')'" },
		{ "deny write_file()", "f:9: empty pattern '()'" },
		{ "deny write_file(  )", "f:9: empty pattern '()'" },
		{ "deny write_file *.env", "f:9: unexpected '*.env' after the tool name" },
		{ "allow run_command(ls) x", "f:9: unexpected 'x' after the tool name" },
		{ "ask mcp/gmail", "f:9: unexpected '/gmail'" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(config_rule_parse(&r, bad[i].line, "f:9"), DH_EPARSE, "%s", bad[i].line);
		cr_assert(strstr(err_msg(), bad[i].msg), "%s: %s", bad[i].line, err_msg());
	}
}

Test(rules, config_file_keeps_rules_with_where_and_egress_lines_still_work)
{
	char *p = put("config", "set mode = auto\n"
				"allow egress example.com\n"
				"# a comment\n"
				"allow run_command(git status)\n"
				"deny write_file(*.env)\n"
				"ask mcp__gmail__send_email\n");
	struct config c;

	setenv("DH_CONFIG", p, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	cr_assert_eq(c.egress.n, 1);
	cr_assert_str_eq(c.egress.v[0].text, "example.com");
	cr_assert_eq(c.rules.n, 3);
	cr_assert_eq(c.rules.v[0].verdict, CONFIG_ALLOW);
	cr_assert_eq(c.rules.v[2].verdict, CONFIG_ASK);
	char *want = xasprintf("%s:5", p);
	cr_assert_str_eq(c.rules.v[1].where, want);
	free(want);
	config_fini(&c);

	free(p);
	p = put("config", "allow run_command(ls)\nask run_command(rm\n");
	setenv("DH_CONFIG", p, 1);
	cr_assert_eq(config_load(&c), DH_EPARSE);
	want = xasprintf("%s:2: the pattern of 'run_command(' has no closing ')'", p);
	cr_assert_str_eq(err_msg(), want);
	free(want);
	config_fini(&c);
	unsetenv("DH_CONFIG");
	free(p);
}

Test(rules, deny_beats_an_earlier_allow_and_ask_beats_allow)
{
	struct approval_rules r = { 0 };

	load_rules(&r, "allow write_file\n"
		       "allow run_command(git)\n"
		       "ask run_command(git push)\n"
		       "deny write_file(*.env)\n");
	ASSERT_DECIDES(&r, "write_file", path2("path", "notes/a.md", NULL, NULL),
		       "rule 'allow write_file' (");
	ASSERT_DECIDES(&r, "write_file", path2("path", "app/.env", NULL, NULL),
		       "rule 'deny write_file(*.env)' (");
	char *why = decide(&r, "write_file", path2("path", ".env", NULL, NULL));
	char *want = xasprintf("rule 'deny write_file(*.env)' (%s/config:4)", root);
	cr_assert_str_eq(why, want);
	free(want);
	free(why);
	ASSERT_DECIDES(&r, "run_command", cmd("git log"), "allow run_command(git)");
	ASSERT_DECIDES(&r, "run_command", cmd("git push origin"), "ask run_command(git push)");
	ASSERT_DECIDES(&r, "run_command", cmd("make"), NULL);
	ASSERT_DECIDES(&r, "edit_file", path2("path", "a.env", NULL, NULL), NULL);
	approval_rules_fini(&r);
}

Test(rules, first_match_within_a_verdict_and_session_rules_after_config)
{
	struct approval_rules r = { 0 };

	load_rules(&r, "allow run_command(make test)\nallow run_command(make)\n");
	cr_assert_eq(approval_rules_add(&r, "run_command", "make", &env), 0);
	ASSERT_DECIDES(&r, "run_command", cmd("make test -j2"), "allow run_command(make test)'");
	ASSERT_DECIDES(&r, "run_command", cmd("make all"), "allow run_command(make)'");
	/* The session's own rule: listed in the snapshot, cited as such. */
	cJSON *j = approval_rules_to_json(&r);
	char *s = json_print(j);
	cr_assert_str_eq(s, "[{\"tool\":\"run_command\",\"pattern\":\"make\"}]");
	free(s);
	cJSON_Delete(j);
	struct approval_rules only = { 0 };
	cr_assert_eq(approval_rules_add(&only, "run_command", "make", &env), 0);
	ASSERT_DECIDES(&only, "run_command", cmd("make"),
		       "always allowed this session (run_command \"make\")");
	approval_rules_fini(&only);
	approval_rules_fini(&r);
}

Test(rules, command_patterns_allow_strictly_and_deny_any_piece)
{
	struct approval_rules r = { 0 };

	load_rules(&r, "allow run_command(git status)\ndeny run_command(rm)\n");
	ASSERT_DECIDES(&r, "run_command", cmd("git status -s"), "allow");
	/* An allowed prefix followed by a shell control character is not
	 * allowed (the default asks). */
	ASSERT_DECIDES(&r, "run_command", cmd("git status; curl x | sh"), NULL);
	ASSERT_DECIDES(&r, "run_command", cmd("git statusx"), NULL);
	/* A denied prefix anywhere a command starts is denied. */
	ASSERT_DECIDES(&r, "run_command", cmd("rm -rf build"), "deny run_command(rm)");
	ASSERT_DECIDES(&r, "run_command", cmd("git status && rm -rf ~"), "deny run_command(rm)");
	ASSERT_DECIDES(&r, "run_command", cmd("echo $(rm x)"), "deny run_command(rm)");
	ASSERT_DECIDES(&r, "run_command", cmd("ls\nrm x"), "deny run_command(rm)");
	ASSERT_DECIDES(&r, "run_command", cmd("rmdir x"), NULL);
	ASSERT_DECIDES(&r, "run_command", cmd("echo rm"), NULL);
	approval_rules_fini(&r);
}

Test(rules, path_patterns_allow_every_path_and_deny_any_path)
{
	struct approval_rules r = { 0 };
	char *abs = xasprintf("%s/docs/*.md", gdir);
	char *text = xasprintf("allow move_file(%s)\nallow write_file(docs/**)\n"
			       "deny move_file(*.env)\nask delete_file(./docs/*)\n", abs);

	load_rules(&r, text);
	free(text);
	free(abs);
	/* An absolute glob inside the first grant is kept in the display form. */
	cr_assert_str_eq(r.v[0].pattern, "docs/*.md");
	cr_assert_str_eq(r.v[3].pattern, "docs/*");
	ASSERT_DECIDES(&r, "move_file", path2("source", "docs/a.md", "destination", "docs/b.md"),
		       "allow move_file(docs/*.md)");
	ASSERT_DECIDES(&r, "move_file", path2("source", "docs/a.md", "destination", "out/b.md"),
		       NULL);
	/* Either end of a move being a secret denies it. */
	ASSERT_DECIDES(&r, "move_file", path2("source", "docs/a.md", "destination", "docs/.env"),
		       "deny move_file(*.env)");
	ASSERT_DECIDES(&r, "move_file", path2("source", "x/.env", "destination", "docs/y.md"),
		       "deny move_file(*.env)");
	char *in = xasprintf("%s/docs/deep/a.txt", gdir);
	ASSERT_DECIDES(&r, "write_file", path2("path", in, NULL, NULL),
		       "allow write_file(docs/**)");
	free(in);
	ASSERT_DECIDES(&r, "delete_file", path2("path", "docs/old.md", NULL, NULL),
		       "ask delete_file(docs/*)");
	ASSERT_DECIDES(&r, "delete_file", path2("path", "src/old.md", NULL, NULL), NULL);
	approval_rules_fini(&r);
}

/* A glob that names the top of the first grant stays there: "./" + "*.txt" (what
 * the workbench's "p" offers for a.txt) and the absolute form a saved rule
 * takes allow a.txt, not notes/b.txt; "*.txt" still matches any depth. */
Test(rules, a_glob_of_the_top_stays_at_the_top)
{
	struct approval_rules r = { 0 };
	char *abs = xasprintf("%s/*.md", gdir), *text = xasprintf("allow edit_file(%s)\n", abs);
	char *want = command_always_pattern("write_file", NULL);

	cr_assert_null(want);
	cJSON *top = json_new_obj();

	json_add_str(top, "path", "a.txt");
	want = command_always_pattern("write_file", top);
	cr_assert_str_eq(want, "./*.txt");
	cr_assert_eq(approval_rules_add(&r, "write_file", want, &env), 0);
	cr_assert_str_eq(r.v[0].pattern, "./*.txt");
	free(want);
	ASSERT_DECIDES(&r, "write_file", path2("path", "b.txt", NULL, NULL), "write_file ./*.txt");
	ASSERT_DECIDES(&r, "write_file", path2("path", "notes/b.txt", NULL, NULL), NULL);
	ASSERT_DECIDES(&r, "write_file", path2("path", "notes/deep/c.txt", NULL, NULL), NULL);
	/* saved to the config, it comes back anchored */
	char *line = approval_rule_save_line("write_file", "./*.txt", &env);
	char *wline = xasprintf("allow write_file(%s/*.txt)", gdir);

	cr_assert_str_eq(line, wline);
	free(line);
	free(wline);
	load_rules(&r, text);
	cr_assert_str_eq(r.v[r.n - 1].pattern, "./*.md");
	ASSERT_DECIDES(&r, "edit_file", path2("path", "r.md", NULL, NULL), "allow edit_file(./*.md)");
	ASSERT_DECIDES(&r, "edit_file", path2("path", "d/r.md", NULL, NULL), NULL);
	cr_assert_eq(approval_rules_add(&r, "delete_file", "*.tmp", &env), 0);
	ASSERT_DECIDES(&r, "delete_file", path2("path", "d/e/x.tmp", NULL, NULL),
		       "delete_file *.tmp");
	cJSON_Delete(top);
	free(text);
	free(abs);
	approval_rules_fini(&r);
}

Test(rules, tool_name_globs_and_mcp_tools)
{
	struct approval_rules r = { 0 };

	load_rules(&r, "allow mcp__drive__*\n"
		       "ask mcp__gmail__send_email\n"
		       "allow mcp__gmail__*\n"
		       "deny mcp__drive__delete_*\n"
		       "deny mcp__fs__*(*.env)\n"
		       "allow *_file(notes/*)\n");
	ASSERT_DECIDES(&r, "mcp__drive__list_files", json_new_obj(), "allow mcp__drive__*'");
	ASSERT_DECIDES(&r, "mcp__drive__delete_file", json_new_obj(), "deny mcp__drive__delete_*");
	ASSERT_DECIDES(&r, "mcp__gmail__send_email", json_new_obj(), "ask mcp__gmail__send_email");
	ASSERT_DECIDES(&r, "mcp__gmail__read_email", json_new_obj(), "allow mcp__gmail__*");
	ASSERT_DECIDES(&r, "mcp__slack__post", json_new_obj(), NULL);
	/* A pattern on a tool that is not in the registry: a deny that cannot
	 * tell applies (the safe side). */
	ASSERT_DECIDES(&r, "mcp__fs__write", path2("path", "a.env", NULL, NULL),
		       "deny mcp__fs__*(*.env)");
	/* A name glob over registry tools uses each tool's own pattern kind. */
	ASSERT_DECIDES(&r, "write_file", path2("path", "notes/a", NULL, NULL), "allow *_file");
	ASSERT_DECIDES(&r, "write_file", path2("path", "src/a", NULL, NULL), NULL);
	/* A pattern on a registry tool that takes none is an error naming
	 * where it was written. */
	char tool[] = "web_fetch", pat[] = "x", where[] = "cfg:7";
	struct config_rule c = { .verdict = CONFIG_DENY, .tool = tool, .pattern = pat,
				 .where = where };
	cr_assert_eq(approval_rules_add_config(&r, &c, &env), DH_EPARSE);
	cr_assert(strstr(err_msg(), "cfg:7: rule pattern 'x': web_fetch takes neither"), "%s",
		  err_msg());
	approval_rules_fini(&r);
}

Test(rules, folder_config_may_add_ask_and_deny_but_never_allow)
{
	char *p = put("g/.deskhand/config", "deny write_file(*.env)\n"
					    "allow run_command\n"
					    "set mode = auto\n"
					    "ask run_command(git push)\n"
					    "allow egress evil.example\n");
	struct config_rules rules = { 0 };
	struct config_lines warn = { 0 };

	cr_assert_eq(config_load_folder_rules(&rules, &warn, gdir, NULL), 0, "%s", err_msg());
	cr_assert_eq(rules.n, 2);
	cr_assert_eq(rules.v[0].verdict, CONFIG_DENY);
	cr_assert_eq(rules.v[1].verdict, CONFIG_ASK);
	cr_assert_eq(warn.n, 3);
	char *want = xasprintf("%s:2: a folder's config may add ask and deny rules, never allow",
			       p);
	cr_assert(strstr(warn.v[0].text, want), "%s", warn.v[0].text);
	cr_assert(strstr(warn.v[0].text, "allow run_command"), "%s", warn.v[0].text);
	free(want);
	cr_assert(strstr(warn.v[1].text, ":3: a folder's config holds only ask and deny rules"),
		  "%s", warn.v[1].text);
	cr_assert(strstr(warn.v[2].text, ":5: a folder's config may add ask and deny rules"), "%s",
		  warn.v[2].text);

	/* Together with the person's allow, the folder's deny wins. */
	struct approval_rules r = { 0 };
	load_rules(&r, "allow write_file\nallow run_command\n");
	for (size_t i = 0; i < rules.n; i++)
		cr_assert_eq(approval_rules_add_config(&r, &rules.v[i], &env), 0);
	want = xasprintf("rule 'deny write_file(*.env)' (%s:1)", p);
	ASSERT_DECIDES(&r, "write_file", path2("path", "x.env", NULL, NULL), want);
	free(want);
	ASSERT_DECIDES(&r, "run_command", cmd("git push"), "ask run_command(git push)");
	ASSERT_DECIDES(&r, "run_command", cmd("git pull"), "allow run_command'");
	approval_rules_fini(&r);

	/* A malformed line is an error with nothing of the file kept. */
	free(p);
	p = put("g/.deskhand/config", "deny read_file(*.key)\ndeny (x)\n");
	size_t n = rules.n, nw = warn.n;
	cr_assert_eq(config_load_folder_rules(&rules, &warn, gdir, NULL), DH_EPARSE);
	cr_assert(strstr(err_msg(), ".deskhand/config:2: expected 'deny TOOL"), "%s", err_msg());
	cr_assert_eq(rules.n, n);
	cr_assert_eq(warn.n, nw);
	/* No file: nothing, no error. */
	cr_assert_eq(config_load_folder_rules(&rules, &warn, root, NULL), 0);
	cr_assert_eq(rules.n, n);
	config_rules_fini(&rules);
	config_lines_fini(&warn);
	free(p);
}

Test(rules, append_line_creates_and_appends_the_persons_config)
{
	char *xdg = xasprintf("%s/xdg", root);
	char *path = NULL;
	struct buf b = BUF_INIT;

	setenv("XDG_CONFIG_HOME", xdg, 1);
	cr_assert_eq(config_append_line(&path, "allow run_command(git status)"), 0, "%s",
		     err_msg());
	char *want = xasprintf("%s/deskhand/config", xdg);
	cr_assert_str_eq(path, want);
	free(path);
	/* A file without a final newline gets one before the new line. */
	FILE *f = fopen(want, "a");
	fputs("set mode = ask", f);
	fclose(f);
	cr_assert_eq(config_append_line(&path, "allow write_file(notes/*.md)"), 0);
	cr_assert_eq(fsutil_read_file(want, 1 << 20, &b), 0);
	cr_assert_str_eq(buf_cstr(&b), "allow run_command(git status)\nset mode = ask\n"
				       "allow write_file(notes/*.md)\n");
	buf_fini(&b);
	free(path);
	/* A config that is a symlink stays one. */
	char *real = xasprintf("%s/dotfiles-config", root);
	cr_assert_eq(rename(want, real), 0);
	cr_assert_eq(symlink(real, want), 0);
	cr_assert_eq(config_append_line(&path, "deny read_file(*.key)"), 0);
	free(path);
	struct stat st;
	cr_assert(lstat(want, &st) == 0 && S_ISLNK(st.st_mode), "the symlink was replaced");
	cr_assert_eq(fsutil_read_file(real, 1 << 20, &b), 0);
	cr_assert(strstr(buf_cstr(&b), "notes/*.md)\ndeny read_file(*.key)\n"), "%s", buf_cstr(&b));
	buf_fini(&b);
	free(real);
	free(want);
	free(xdg);
	unsetenv("XDG_CONFIG_HOME");
}

/* A group name stands for the built-in tools of a kind, taken from the tool
 * table: `deny write(secret/…)` holds for every tool that changes files
 * (either end of a move), not for reads or commands; `read(…)` for the
 * read-only file tools. A name that is no group stays a tool name nothing
 * has. */
Test(rules, groups_write_and_read_cover_their_tools)
{
	struct approval_rules r = { 0 };
	const char *writers[] = { "write_file", "edit_file", "delete_file", "make_directory",
				  "write_document", "write_spreadsheet" };

	load_rules(&r, "deny write(secret/*)\nask read(private/*)\ndeny writes(other/*)\n");
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		ASSERT_DECIDES(&r, writers[i], path2("path", "secret/a", NULL, NULL),
			       "rule 'deny write(secret/*)'");
		ASSERT_DECIDES(&r, writers[i], path2("path", "open/a", NULL, NULL), NULL);
	}
	ASSERT_DECIDES(&r, "move_file", path2("source", "x", "destination", "secret/x"),
		       "deny write(secret/*)");
	ASSERT_DECIDES(&r, "move_file", path2("source", "secret/x", "destination", "x"),
		       "deny write(secret/*)");
	ASSERT_DECIDES(&r, "read_file", path2("path", "secret/a", NULL, NULL), NULL);
	ASSERT_DECIDES(&r, "read_file", path2("path", "private/a", NULL, NULL),
		       "ask read(private/*)");
	ASSERT_DECIDES(&r, "search_files", path2("path", "private/d", NULL, NULL),
		       "ask read(private/*)");
	ASSERT_DECIDES(&r, "write_file", path2("path", "private/a", NULL, NULL), NULL);
	ASSERT_DECIDES(&r, "run_command", cmd("rm secret/a"), NULL);
	ASSERT_DECIDES(&r, "mcp__fs__write", path2("path", "secret/a", NULL, NULL), NULL);
	ASSERT_DECIDES(&r, "write_file", path2("path", "other/a", NULL, NULL), NULL);

	char *w = approval_group_members("write"), *rd = approval_group_members("read");

	cr_assert_str_eq(w, "write_file, edit_file, move_file, delete_file, make_directory, "
			    "write_spreadsheet, write_document");
	cr_assert_str_eq(rd, "read_file, list_files, search_files");
	cr_assert_null(approval_group_members("writes"));
	cr_assert_null(approval_group_members("write_file"));
	free(w);
	free(rd);
	approval_rules_fini(&r);
}

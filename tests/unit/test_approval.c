/* SPDX-License-Identifier: MIT */
/* Approvals: the diff a file-changing call would make (the tool's preview
 * diffed by libgit2) on real files, and the always-allow rules' matching. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/approval.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "snap/snap.h"
#include "tools/tool.h"

static char root[64];
static char gdir[128];
static struct grant_set *gs;
static struct tool_env env;

static void
put_bytes(const char *rel, const void *data, size_t n)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "w");

	cr_assert(f, "fopen %s", p);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	free(p);
}

static void
put(const char *rel, const char *s)
{
	put_bytes(rel, s, strlen(s));
}

static char *
get(const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	free(p);
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-appr-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	cr_assert(mkdir(gdir, 0755) == 0);
	cr_assert_eq(snap_global_init(), 0);
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
	snap_global_shutdown();
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(approval, .init = setup, .fini = teardown, .timeout = 20);

/* The approval diff of tool `name` called with `input` (heap). */
static char *
diff_of(const char *name, cJSON *input)
{
	char *d = approval_diff(tool_find(name), input, &env);

	cJSON_Delete(input);
	cr_assert(d, "%s has no diff", name);
	return d;
}

/* 200 numbered lines "line N\n". */
static char *
two_hundred(void)
{
	struct buf b = BUF_INIT;

	for (int i = 1; i <= 200; i++)
		buf_printf(&b, "line %d\n", i);
	return buf_detach(&b);
}

Test(approval, edit_file_three_lines_of_two_hundred)
{
	char *text = two_hundred();

	put("big.txt", text);
	free(text);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "big.txt");
	json_add_str(in, "old_string", "line 50\nline 51\nline 52\n");
	json_add_str(in, "new_string", "fifty\nfifty-one\nfifty-two\n");
	char *d = diff_of("edit_file", in);

	cr_assert_str_eq(d, "--- a/big.txt\n+++ b/big.txt\n"
			    "@@ -47,9 +47,9 @@\n"
			    " line 47\n line 48\n line 49\n"
			    "-line 50\n-line 51\n-line 52\n"
			    "+fifty\n+fifty-one\n+fifty-two\n"
			    " line 53\n line 54\n line 55\n",
			 "got:\n%s", d);
	free(d);
	/* A preview changes nothing. */
	char *after = get("big.txt");
	cr_assert(strstr(after, "line 50\n"));
	free(after);
}

Test(approval, write_file_existing_shows_only_the_change)
{
	put("m.md", "# Meeting\n\nAlice\nBob\n");
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "m.md");
	json_add_str(in, "content", "# Meeting\n\nAlice\nCarol\n");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "--- a/m.md\n+++ b/m.md\n@@ -1,4 +1,4 @@\n"
			    " # Meeting\n \n Alice\n-Bob\n+Carol\n",
			 "got:\n%s", d);
	free(d);
}

Test(approval, write_file_new)
{
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "sub/new.txt");
	json_add_str(in, "content", "a\nb");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "--- /dev/null\n+++ b/sub/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n"
			    "\\ No newline at end of file\n",
			 "got:\n%s", d);
	free(d);
	struct stat st;
	char *p = xasprintf("%s/sub", gdir);
	cr_assert(stat(p, &st) < 0, "the preview created sub/");
	free(p);
}

Test(approval, binary_is_one_line)
{
	put_bytes("b.bin", "ab\0cd", 5);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "b.bin");
	json_add_str(in, "content", "text now\n");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "changed b.bin (binary file): 5 -> 9 bytes\n", "got:\n%s", d);
	free(d);
}

Test(approval, big_file_is_one_line)
{
	size_t n = (1u << 20) + 10;
	char *big = xmalloc(n);

	memset(big, 'x', n);
	big[n - 1] = '\n';
	put_bytes("big.log", big, n);
	free(big);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "big.log");
	json_add_str(in, "old_string", "xx");
	json_add_str(in, "new_string", "y");
	char *d = diff_of("edit_file", in);

	cr_assert_str_eq(d, "changed big.log (over 1 MiB): 1048586 bytes\n", "got:\n%s", d);
	free(d);
}

Test(approval, move_and_delete_and_failure)
{
	put("a.txt", "one\ntwo\n");
	cJSON *in = json_new_obj();

	json_add_str(in, "source", "a.txt");
	json_add_str(in, "destination", "docs/b.txt");
	char *d = diff_of("move_file", in);
	cr_assert_str_eq(d, "rename from a.txt\nrename to docs/b.txt\n", "got:\n%s", d);
	free(d);

	in = json_new_obj();
	json_add_str(in, "path", "a.txt");
	d = diff_of("delete_file", in);
	cr_assert_str_eq(d, "--- a/a.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n",
			 "got:\n%s", d);
	free(d);

	in = json_new_obj();
	json_add_str(in, "path", "a.txt");
	json_add_str(in, "old_string", "three");
	json_add_str(in, "new_string", "3");
	d = diff_of("edit_file", in);
	cr_assert_str_eq(d, "(this call would fail: old_string not found in a.txt)\n",
			 "got:\n%s", d);
	free(d);
	cr_assert_null(approval_diff(tool_find("read_file"), NULL, &env));

	in = json_new_obj();
	json_add_str(in, "path", "docs/new");
	d = diff_of("make_directory", in);
	cr_assert_str_eq(d, "new directory docs/new\n", "got:\n%s", d);
	free(d);
	char *dir = xasprintf("%s/docs", gdir);
	struct stat st;
	cr_assert(stat(dir, &st) < 0, "the preview made the directory");
	free(dir);
}

Test(approval, prefix_rules)
{
	cr_assert(approval_prefix_match("git status", "git status"));
	cr_assert(approval_prefix_match("git status", "git status -s"));
	cr_assert(approval_prefix_match("git status", "  git status\t--short"));
	cr_assert_not(approval_prefix_match("git status", "git statusx"));
	cr_assert_not(approval_prefix_match("git status", "git stat"));
	cr_assert_not(approval_prefix_match("git status", "git status; rm -rf ~"));
	cr_assert_not(approval_prefix_match("git status", "git status && rm x"));
	cr_assert_not(approval_prefix_match("git status", "git status $(rm x)"));
	cr_assert_not(approval_prefix_match("git status", "git status\nrm x"));
	cr_assert_not(approval_prefix_match("", "ls"));
}

Test(approval, rules_match)
{
	struct approval_rules r = { 0 };
	cJSON *cmd = json_new_obj(), *f1 = json_new_obj(), *f2 = json_new_obj(),
	      *mv = json_new_obj();

	json_add_str(cmd, "command", "make test");
	json_add_str(f1, "path", "notes/a.md");
	json_add_str(f2, "path", "notes/deep/b.txt");
	json_add_str(mv, "source", "notes/a.md");
	json_add_str(mv, "destination", "other/a.md");

	cr_assert_null(approval_rules_match(&r, "run_command", cmd, &env));
	cr_assert_eq(approval_rules_add(&r, "run_command", "make", &env), 0);
	cr_assert_eq(approval_rules_add(&r, "run_command", "make", &env), 0);
	cr_assert_eq(r.n, 1, "a rule is not added twice");
	const struct approval_rule *m = approval_rules_match(&r, "run_command", cmd, &env);
	cr_assert(m);
	char *what = approval_rule_describe(m);
	cr_assert_str_eq(what, "run_command \"make\"");
	free(what);

	cr_assert_eq(approval_rules_add(&r, "write_file", "notes/*.md", &env), 0);
	cr_assert(approval_rules_match(&r, "write_file", f1, &env));
	cr_assert_null(approval_rules_match(&r, "write_file", f2, &env));
	cr_assert_null(approval_rules_match(&r, "edit_file", f1, &env), "per tool");
	cr_assert_eq(approval_rules_add(&r, "write_file", "notes/**", &env), 0);
	cr_assert(approval_rules_match(&r, "write_file", f2, &env));
	/* A move matches only when both paths do. */
	cr_assert_eq(approval_rules_add(&r, "move_file", "notes/*", &env), 0);
	cr_assert_null(approval_rules_match(&r, "move_file", mv, &env));
	/* An absolute path inside the grant is matched in its relative form. */
	cJSON *abs = json_new_obj();
	char *p = xasprintf("%s/notes/z.md", gdir);
	json_add_str(abs, "path", p);
	free(p);
	cr_assert(approval_rules_match(&r, "write_file", abs, &env));
	/* So is an absolute or "./" glob inside the first grant. */
	char *g = xasprintf("%s/docs/*.txt", gdir);
	cr_assert_eq(approval_rules_add(&r, "delete_file", g, &env), 0);
	free(g);
	cr_assert_eq(approval_rules_add(&r, "delete_file", "./docs/*.txt", &env), 0);
	cr_assert_str_eq(r.v[r.n - 1].pattern, "docs/*.txt");
	cr_assert_eq(approval_rules_add(&r, "write_file", "./docs/*.txt", &env), 0);
	cJSON *rel = json_new_obj();
	json_add_str(rel, "path", "docs/a.txt");
	cr_assert(approval_rules_match(&r, "delete_file", rel, &env));
	cJSON_Delete(rel);
	/* The whole tool, and a pattern where none applies. */
	cr_assert_eq(approval_rules_add(&r, "edit_file", NULL, &env), 0);
	cr_assert(approval_rules_match(&r, "edit_file", f2, &env));
	cr_assert_eq(approval_rules_add(&r, "web_fetch", "x", &env), DH_EPARSE);
	cJSON *j = approval_rules_to_json(&r);
	char *s = json_print(j);
	cr_assert(strstr(s, "{\"tool\":\"edit_file\"}"), "%s", s);
	cr_assert(strstr(s, "{\"tool\":\"run_command\",\"pattern\":\"make\"}"), "%s", s);
	free(s);
	cJSON_Delete(j);
	approval_rules_fini(&r);
	cJSON_Delete(cmd);
	cJSON_Delete(f1);
	cJSON_Delete(f2);
	cJSON_Delete(mv);
	cJSON_Delete(abs);
}

Test(approval, long_diff_is_cut_on_a_line)
{
	struct buf content = BUF_INIT;

	for (int i = 0; i < 60000; i++)
		buf_printf(&content, "row %d\n", i); /* about 580 KB of text */
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "rows.txt");
	json_add_str(in, "content", buf_cstr(&content));
	buf_fini(&content);
	char *d = diff_of("write_file", in);
	size_t n = strlen(d);

	cr_assert(n < (256u << 10) + 100, "%zu bytes", n);
	cr_assert(strstr(d, "more lines of diff not shown (over 256 KiB)\n"));
	cr_assert(strstr(d, "\n+row 100\n"));
	cr_assert_null(strstr(d, "+row 59999\n"));
	free(d);
}

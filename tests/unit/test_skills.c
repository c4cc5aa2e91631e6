/* SPDX-License-Identifier: MIT */
/* Skills and instructions (src/skills/) on real files in a temporary HOME:
 * the name rule at its edges, the caps of the instructions (cut on a
 * character boundary, the total cap leaving a file out with a warning that
 * names it) and nested directories visited once. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "skills/instructions.h"
#include "skills/skills.h"

static char home[64];

static void
put(const char *path, const char *text)
{
	char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));

	cr_assert_eq(fsutil_mkdir_p(dir, 0755), 0);
	cr_assert_eq(fsutil_write_atomic(path, text, strlen(text)), 0);
	free(dir);
}

static void
setup(void)
{
	strcpy(home, "/tmp/dhskillsXXXXXX");
	cr_assert(mkdtemp(home));
	setenv("HOME", home, 1);
	char *cfg = xasprintf("%s/cfg", home), *st = xasprintf("%s/state", home);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_STATE_HOME", st, 1);
	free(cfg);
	free(st);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", home);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(skills, .init = setup, .fini = teardown);

/* A skill NAME whose front matter says `name`. */
static void
skill(const char *dir, const char *name)
{
	char *p = xasprintf("%s/cfg/deskhand/skills/%s/SKILL.md", home, dir);
	char *t = xasprintf("---\nname: %s\ndescription: d\n---\nbody\n", name);

	put(p, t);
	free(t);
	free(p);
}

Test(skills, name_rule_edges)
{
	char n64[65], n65[66];
	struct skill_set *s = NULL;

	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'b', 65);
	n65[65] = '\0';
	skill(n64, n64);
	skill(n65, n65);
	skill("a-1", "a-1");
	skill("x-", "x-");
	skill("9", "9");
	skill("caps", "Caps");
	cr_assert_eq(skills_load(&s, NULL, 0), 0);
	cr_assert_eq(skills_count(s), 3, "valid: 9, a-1, 64 a's");
	cr_assert_str_eq(skills_at(s, 0)->name, "9");
	cr_assert_str_eq(skills_at(s, 1)->name, "a-1");
	cr_assert_str_eq(skills_at(s, 2)->name, n64);
	cr_assert_eq(skills_problems(s)->n, 3);
	cr_assert_not_null(skills_find(s, "a-1"));
	cr_assert_null(skills_find(s, "x-"));
	/* the body leaves the front matter out */
	struct buf b = BUF_INIT;
	cr_assert_eq(skills_body(s, skills_find(s, "a-1"), &b), 0);
	cr_assert(strstr(buf_cstr(&b), "body\n"));
	cr_assert_null(strstr(buf_cstr(&b), "description: d"));
	buf_fini(&b);
	skills_free(s);
}

/* load_skill reads a personal skill's directory through the grant opened
 * when the skills were loaded: a directory swapped for a link to another
 * folder since then lists none of that folder's names or text. */
Test(skills, body_does_not_follow_a_directory_swapped_for_a_link)
{
	struct skill_set *s = NULL;
	char *dir = xasprintf("%s/cfg/deskhand/skills/demo", home);
	char *old = xasprintf("%s.old", dir), *out = xasprintf("%s/outside", home);
	char *p = xasprintf("%s/ref.md", dir), *q = xasprintf("%s/SKILL.md", out);
	char *r = xasprintf("%s/secret-outside-name.txt", out);

	skill("demo", "demo");
	put(p, "ref\n");
	put(q, "---\nname: demo\ndescription: d\n---\nOUTSIDE-BODY\n");
	put(r, "x\n");
	cr_assert_eq(skills_load(&s, NULL, 0), 0);
	cr_assert_not_null(skills_find(s, "demo"));
	cr_assert_eq(rename(dir, old), 0);
	cr_assert_eq(symlink(out, dir), 0);
	struct buf b = BUF_INIT;
	cr_assert_eq(skills_body(s, skills_find(s, "demo"), &b), 0, "%s", err_msg());
	cr_assert_null(strstr(buf_cstr(&b), "secret-outside-name"), "%s", buf_cstr(&b));
	cr_assert_null(strstr(buf_cstr(&b), "OUTSIDE-BODY"), "%s", buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "body\n"), "%s", buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "/demo/ref.md"), "%s", buf_cstr(&b));
	buf_fini(&b);
	skills_free(s);
	free(dir);
	free(old);
	free(out);
	free(p);
	free(q);
	free(r);
}

/* load_skill finds the end of the front matter in the SKILL.md it reads
 * now: lines added to or taken from the front matter since the skills were
 * loaded neither leak into the body nor cut its first lines off. */
Test(skills, body_follows_a_front_matter_edited_since_loading)
{
	struct skill_set *s = NULL;
	char *p = xasprintf("%s/cfg/deskhand/skills/demo/SKILL.md", home);
	struct buf b = BUF_INIT;

	put(p, "---\nname: demo\ndescription: d\nlicense: MIT\n---\nFIRST\nsecond\n");
	cr_assert_eq(skills_load(&s, NULL, 0), 0);
	cr_assert_not_null(skills_find(s, "demo"));
	/* longer: two more lines of front matter */
	put(p, "---\nname: demo\ndescription: d\nlicense: MIT\ncompatibility: any\n"
	       "metadata:\n  a: b\n---\nFIRST\nsecond\n");
	cr_assert_eq(skills_body(s, skills_find(s, "demo"), &b), 0, "%s", err_msg());
	cr_assert_null(strstr(buf_cstr(&b), "compatibility"), "%s", buf_cstr(&b));
	cr_assert_null(strstr(buf_cstr(&b), "---"), "%s", buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "\n\nFIRST\nsecond\n"), "%s", buf_cstr(&b));
	/* shorter: the license line gone */
	buf_clear(&b);
	put(p, "---\nname: demo\ndescription: d\n---\nFIRST\nsecond\n");
	cr_assert_eq(skills_body(s, skills_find(s, "demo"), &b), 0, "%s", err_msg());
	cr_assert(strstr(buf_cstr(&b), "\n\nFIRST\nsecond\n"), "%s", buf_cstr(&b));
	/* no longer closed: an error naming the file, no front matter given */
	buf_clear(&b);
	put(p, "---\nname: demo\ndescription: d\nFIRST\n");
	cr_assert_eq(skills_body(s, skills_find(s, "demo"), &b), DH_EFAIL);
	cr_assert(strstr(err_msg(), "demo/SKILL.md:1: the front matter is not closed"), "%s",
	          err_msg());
	cr_assert_eq(b.len, 0);
	buf_fini(&b);
	skills_free(s);
	free(p);
}

/* A description that is there but not a string is one problem, that one:
 * not also "missing". */
Test(skills, description_not_a_string_is_one_problem)
{
	struct skill_set *s = NULL;
	char *p = xasprintf("%s/cfg/deskhand/skills/lst/SKILL.md", home);

	put(p, "---\nname: lst\ndescription: [a, b]\n---\nbody\n");
	cr_assert_eq(skills_load(&s, NULL, 0), 0);
	cr_assert_eq(skills_count(s), 0);
	const struct strv *pr = skills_problems(s);
	cr_assert_eq(pr->n, 1, "%zu problems, the last: %s", pr->n, pr->n ? pr->v[pr->n - 1] : "");
	cr_assert(strstr(pr->v[0], "lst/SKILL.md:3: 'description' must be a string"), "%s",
	          pr->v[0]);
	skills_free(s);
	free(p);
}

/* n bytes of two-byte characters after a one-byte prefix: any cut at an even
 * byte count would split one. */
static char *
wide_text(size_t n)
{
	char *t = xmalloc(n + 2);
	size_t i = 0;

	t[i++] = 'x';
	while (i + 2 <= n) {
		t[i++] = '\xc3';
		t[i++] = '\xa9'; /* é */
	}
	t[i] = '\0';
	return t;
}

Test(skills, instructions_cut_on_a_character_boundary_with_a_warning)
{
	char *g = xasprintf("%s/grant", home), *p = xasprintf("%s/grant/AGENTS.md", home);
	char *t = wide_text(40000);
	struct grant_set *gs = NULL;
	struct instructions *in = NULL;

	put(p, t);
	cr_assert_eq(grant_set_new(&gs), 0);
	cr_assert_eq(grant_add(gs, g), 0);
	cr_assert_eq(instructions_load(&in, gs), 0);
	cr_assert_eq(instructions_count(in), 1);
	const struct instr_file *f = instructions_at(in, 0);
	cr_assert(f->cut);
	cr_assert_eq(f->size, (long long)strlen(t));
	cr_assert_leq(strlen(f->text), INSTR_FILE_MAX);
	cr_assert(utf8_valid(f->text, strlen(f->text)), "cut inside a character");
	cr_assert_eq(instructions_warnings(in)->n, 1);
	cr_assert(strstr(instructions_warnings(in)->v[0], p), "%s",
		  instructions_warnings(in)->v[0]);
	instructions_free(in);
	grant_set_free(gs);
	free(t);
	free(p);
	free(g);
}

Test(skills, total_cap_leaves_a_nested_file_out_and_says_so)
{
	char *g = xasprintf("%s/grant", home);
	char *gl = xasprintf("%s/cfg/deskhand/AGENTS.md", home);
	char *root = xasprintf("%s/grant/AGENTS.md", home);
	char *sub = xasprintf("%s/grant/a/b/AGENTS.md", home);
	char *big = xmalloc(INSTR_FILE_MAX + 1); /* exactly the cap per file */

	memset(big, 'a', INSTR_FILE_MAX);
	big[INSTR_FILE_MAX] = '\0';
	put(gl, big);
	put(root, big);
	put(sub, "SUB\n");
	struct grant_set *gs = NULL;
	struct instructions *in = NULL;
	struct buf out = BUF_INIT;
	struct strv warn = { 0 };
	cr_assert_eq(grant_set_new(&gs), 0);
	cr_assert_eq(grant_add(gs, g), 0);
	cr_assert_eq(instructions_load(&in, gs), 0);
	cr_assert_eq(instructions_count(in), 2);
	cr_assert_eq(instructions_visit(in, gs, 0, "a/b/x.txt", &out, &warn), 0);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(warn.n, 1);
	cr_assert(strstr(warn.v[0], sub) && strstr(warn.v[0], "left out"), "%s", warn.v[0]);
	/* visited once: no second warning */
	cr_assert_eq(instructions_visit(in, gs, 0, "a/b", &out, &warn), 0);
	cr_assert_eq(warn.n, 1);
	strv_free(&warn);
	buf_fini(&out);
	instructions_free(in);
	grant_set_free(gs);
	free(big);
	free(sub);
	free(root);
	free(gl);
	free(g);
}

/* skills_load_stoppable() with its stop set reads no folder's skills (a
 * dropped start gives up before hashing them), and unset reads them as
 * skills_load() does. */
Test(skills, load_stoppable_reads_no_folder_once_stopped)
{
	char *g = xasprintf("%s/work", home);
	char *p = xasprintf("%s/.agents/skills/fold/SKILL.md", g);
	struct grant_set *gs = NULL;
	struct skill_set *s = NULL;
	atomic_bool stop = false;

	put(p, "---\nname: fold\ndescription: d\n---\nbody\n");
	cr_assert_eq(skills_trust(g, true), 0, "%s", err_msg());
	cr_assert_eq(grant_set_new(&gs), 0);
	cr_assert_eq(grant_add(gs, g), 0);
	cr_assert_eq(skills_load_stoppable(&s, gs, 0, &stop), 0);
	cr_assert_not_null(skills_find(s, "fold"));
	skills_free(s);
	atomic_store(&stop, true);
	cr_assert_eq(skills_load_stoppable(&s, gs, 0, &stop), 0);
	cr_assert_null(skills_find(s, "fold"));
	cr_assert_eq(skills_count(s), 0);
	skills_free(s);
	grant_set_free(gs);
	free(p);
	free(g);
}

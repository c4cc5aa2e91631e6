/* SPDX-License-Identifier: MIT */
/* Where each setting came from (config/settings.h): the default, a file's
 * line, a flag, the environment's override and the managed policy, with its
 * locks; the environment never beats a lock. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/managed.h"
#include "config/settings.h"
#include "core/json.h"
#include "core/xalloc.h"

static char root[64];

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-settings-XXXXXX");
	cr_assert(mkdtemp(root));
	setenv("XDG_CONFIG_HOME", root, 1);
	unsetenv("DH_CONFIG");
	unsetenv("ANTHROPIC_BASE_URL");
	unsetenv("DH_POLICY_FILE");
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(settings, .init = setup, .fini = teardown, .timeout = 20);

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	cr_assert(fclose(f) == 0);
}

/* The origin phrase of option NAME in `c`; heap. */
static char *
origin(const struct config *c, const char *name)
{
	struct settings_origin o;

	settings_origin(&o, c, (size_t)config_option_index(name));
	return settings_origin_text(&o);
}

Test(settings, default_file_flag_env)
{
	struct config c;
	char *path = xasprintf("%s/extra", root);

	write_file(path, "# mine\nset theme = mono\n");
	setenv("DH_CONFIG", path, 1);
	cr_assert(config_load(&c) == 0, "%s", err_msg());
	cr_assert(config_set(&c, "mode", "auto", "--mode") == 0);

	char *t = origin(&c, "model");
	cr_assert_str_eq(t, "default");
	free(t);
	char *want = xasprintf("%s:2", path);
	t = origin(&c, "theme");
	cr_assert_str_eq(t, want);
	free(t);
	t = origin(&c, "mode");
	cr_assert_str_eq(t, "flag --mode");
	free(t);

	struct settings_origin o;
	const char *var;

	cr_assert_null(settings_env(&c, CONFIG_I_base_url, &var));
	cr_assert_str_eq(var, "ANTHROPIC_BASE_URL");
	cr_assert_null(settings_env(&c, CONFIG_I_mode, &var));
	cr_assert_null(var);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9", 1);
	settings_origin(&o, &c, CONFIG_I_base_url);
	cr_assert_eq(o.from, SETTINGS_ENV);
	cr_assert_str_eq(o.value, "http://127.0.0.1:9");
	t = settings_origin_text(&o);
	cr_assert_str_eq(t, "env ANTHROPIC_BASE_URL");
	free(t);
	setenv("ANTHROPIC_BASE_URL", "", 1); /* empty: no override */
	cr_assert_null(settings_env(&c, CONFIG_I_base_url, NULL));

	cJSON *j = settings_json(&c, CONFIG_I_theme);
	cr_assert_str_eq(json_str(j, "value"), "mono");
	cr_assert_str_eq(json_str(j, "default"), "default");
	cr_assert_str_eq(json_str(j, "from"), "file");
	cr_assert_str_eq(json_str(j, "where"), want);
	cr_assert_null(json_str(j, "locked"));
	cJSON_Delete(j);
	cr_assert_null(settings_policy_json(&c));
	free(want);
	free(path);
	config_fini(&c);
}

Test(settings, managed_policy_and_locks)
{
	if (geteuid() != 0)
		cr_skip_test("a managed policy must be root's");
	struct config c;
	char *pol = xasprintf("%s/policy", root);

	write_file(pol, "set mode = ask\nlock base_url\nlock audit_key\nallow egress pypi.org\n"
			"allow mcp drive\ndeny run_command(curl)\n");
	cr_assert(chmod(pol, 0644) == 0);
	setenv("DH_POLICY_FILE", pol, 1);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9", 1);
	cr_assert(config_load(&c) == 0, "%s", err_msg());

	char *want = xasprintf("managed policy %s:1, locked", pol);
	char *t = origin(&c, "mode");
	cr_assert_str_eq(t, want);
	free(t);
	free(want);
	/* A locked default, and the environment ignored under the lock. */
	want = xasprintf("default, locked by the managed policy (%s:2)", pol);
	t = origin(&c, "base_url");
	cr_assert_str_eq(t, want);
	free(t);
	free(want);
	cr_assert_null(settings_env(&c, CONFIG_I_base_url, NULL));
	cr_assert(managed_sets(&c, c.set_at[CONFIG_I_mode]));
	cr_assert_not(managed_sets(&c, "elsewhere:1"));
	cr_assert_not(managed_sets(&c, NULL));

	cJSON *p = settings_policy_json(&c);
	char *l3 = xasprintf("%s:3", pol), *l4 = xasprintf("%s:4", pol);

	cr_assert_str_eq(json_str(p, "file"), pol);
	cr_assert_str_eq(json_str(json_obj(p, "locks"), "audit_key"), l3);
	cr_assert_str_eq(json_str(json_obj(p, "locks"), "egress"), l4);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(p, "rules"), 0), "rule"),
			 "deny run_command(curl)");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(p, "egress"), 0), "host"), "pypi.org");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(p, "mcp"), 0), "allow"), "mcp drive");
	cJSON_Delete(p);
	free(l3);
	free(l4);
	cr_assert_eq(managed_check_file(pol), 1);
	cr_assert(chmod(pol, 0666) == 0);
	cr_assert_eq(managed_check_file(pol), DH_EPARSE);
	cr_assert(strstr(err_msg(), "refused: writable by others"), "%s", err_msg());
	char *none = xasprintf("%s/none", root);

	cr_assert_eq(managed_check_file(none), 0);
	free(none);
	free(pol);
	config_fini(&c);
}

Test(settings, provider_line_cannot_move_a_locked_endpoint)
{
	if (geteuid() != 0)
		cr_skip_test("a managed policy must be root's");
	struct config c;
	char *pol = xasprintf("%s/policy", root), *mine = xasprintf("%s/mine", root);

	write_file(pol, "lock base_url\n");
	cr_assert(chmod(pol, 0644) == 0);
	/* line 1 repeats the kind the provider has: a new kind is refused too */
	write_file(mine, "provider anthropic kind = anthropic\n"
		   "provider anthropic base_url = http://127.0.0.1:9\n");
	setenv("DH_POLICY_FILE", pol, 1);
	setenv("DH_CONFIG", mine, 1);
	cr_assert_eq(config_load(&c), DH_EPARSE);
	char *want = xasprintf("%s:2: provider anthropic: base_url is locked by the managed policy "
			       "(%s:1)", mine, pol);

	cr_assert_str_eq(err_msg(), want);
	free(want);
	free(pol);
	free(mine);
	config_fini(&c);
}

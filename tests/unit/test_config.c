/* SPDX-License-Identifier: MIT */
/* The config's `set` lines (config/config.h): config_set_line() writes a
 * line that reads back as the value it was given, whatever quotes, '#',
 * blanks and backslashes it holds; a value no line could hold is refused
 * when it is set. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/err.h"
#include "core/xalloc.h"

static char root[64];

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-config-XXXXXX");
	cr_assert(mkdtemp(root));
	setenv("XDG_CONFIG_HOME", root, 1);
	unsetenv("DH_CONFIG");
	unsetenv("DH_POLICY_FILE");
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(config_line, .init = setup, .fini = teardown, .timeout = 20);

/* notify_command's value in `c` after reading `line`. */
static const char *
read_line(struct config *c, const char *line)
{
	char *copy = xstrdup(line);
	int rc = config_load_line(c, copy, "t:1");

	free(copy);
	cr_assert_eq(rc, 0, "'%s' refused: %s", line, err_msg());
	return config_option_value(c, (size_t)config_option_index("notify_command"));
}

Test(config_line, set_line_reads_back)
{
	static const char *const values[] = {
		"",
		"plain",
		"notify-send \"build # done\"",
		"\"quoted\"",
		"\"\"",
		"\"",
		"a \"b",
		"\"a\" #b\"",
		"x #y",
		"x\t#y",
		"a#b",
		"# only",
		"  leading",
		"trailing  ",
		" \"both\" ",
		"back\\slash \\\" \\n",
		"\\",
		"'single # quotes'",
		"echo \"$DESKHAND_SUMMARY\" | mail -s \"done #1\" me",
	};
	struct config c;

	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		char *line = config_set_line("notify_command", values[i]);

		cr_assert_str_eq(read_line(&c, line), values[i], "written as: %s", line);
		free(line);
	}
	config_fini(&c);
}

/* Whatever a line read gives, written and read again, is the same. */
Test(config_line, read_value_writes_back)
{
	static const char *const lines[] = {
		"set notify_command = a \" #b",
		"set notify_command = \"x\" # c",
		"set notify_command = \"\"a\" #b\"\"",
		"set notify_command =   \" spaced \"   # note",
		"set notify_command = a\\ #b",
		"set notify_command = \"",
	};
	struct config c;

	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		char *v = xstrdup(read_line(&c, lines[i]));
		char *line = config_set_line("notify_command", v);

		cr_assert_str_eq(read_line(&c, line), v, "%s written as: %s", lines[i], line);
		free(line);
		free(v);
	}
	config_fini(&c);
}

Test(config_line, value_without_a_line_refused)
{
	static const char *const values[] = { "a\nb", "a #b \" #c", " \"x #" };
	struct config c;

	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		cr_assert_eq(config_set(&c, "notify_command", values[i], "--flag"), DH_EPARSE,
			     "took '%s'", values[i]);
		cr_assert(strstr(err_msg(), "--flag: 'notify_command' cannot hold"), "%s",
			  err_msg());
	}
	config_fini(&c);
}

/* SPDX-License-Identifier: MIT */
/* engine/args.h: the engine options as `deskhand run` takes them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/args.h"

#define W(lit) ((char[]){ lit })

static void
setup(void)
{
	/* no config file of the user's */
	setenv("XDG_CONFIG_HOME", "/nonexistent-dh-args", 1);
	unsetenv("DH_CONFIG");
}

TestSuite(args, .init = setup);

Test(args, every_option)
{
	struct engine_args a;
	char *argv[] = { W("-g"), W("/a"), W("--grant=/b"), W("--mode"), W("auto"),
			 W("--model"), W("m1"), W("--max-turns"), W("7"), W("-y"),
			 W("--record"), W("r.jsonl"), W("--replay"), W("p.jsonl"), W("--force"),
			 W("--dangerously-run-commands-unsandboxed"), W("--resume"), W("latest"),
			 W("do \xff it") };

	cr_assert_eq(engine_args_parse(&a, argv, sizeof argv / sizeof *argv), 0, "%s", err_msg());
	cr_assert_eq(a.opts.ngrants, 2);
	cr_assert_str_eq(a.opts.grants[0], "/a");
	cr_assert_str_eq(a.opts.grants[1], "/b");
	cr_assert_str_eq(a.cfg.mode, "auto");
	cr_assert(a.opts.mode_given);
	cr_assert_str_eq(a.cfg.model, "m1");
	cr_assert_str_eq(a.cfg.max_turns, "7");
	cr_assert(a.opts.approve_plan && a.opts.force && a.opts.unsandboxed && a.opts.can_ask);
	cr_assert_str_eq(a.opts.record_path, "r.jsonl");
	cr_assert_str_eq(a.opts.replay_path, "p.jsonl");
	cr_assert_str_eq(a.opts.resume, "latest");
	cr_assert_str_eq(a.task, "do \xef\xbf\xbd it"); /* scrubbed to U+FFFD */
	engine_args_fini(&a);
}

Test(args, no_task_options_after_task_and_no_ask)
{
	struct engine_args a;
	char *argv[] = { W("task first"), W("--no-ask"), W("-g"), W("/x") };

	cr_assert_eq(engine_args_parse(&a, argv, 0), 0);
	cr_assert_null(a.task);
	cr_assert(a.opts.can_ask);
	engine_args_fini(&a);
	cr_assert_eq(engine_args_parse(&a, argv, 4), 0, "%s", err_msg());
	cr_assert_str_eq(a.task, "task first");
	cr_assert(!a.opts.can_ask);
	cr_assert_eq(a.opts.ngrants, 1);
	engine_args_fini(&a);
}

Test(args, errors_name_the_problem)
{
	static const struct {
		const char *argv[3];
		size_t argc;
		const char *msg;
	} cases[] = {
		{ { "--json" }, 1, "unknown option '--json'" },
		{ { "--grant" }, 1, "option '--grant' needs a value" },
		{ { "one", "two" }, 2, "at most one TASK" },
		{ { "--mode", "sometimes" }, 2, "--mode" },
		{ { "--max-turns", "lots" }, 2, "--max-turns" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct engine_args a;
		char *argv[3] = { 0 };

		for (size_t k = 0; k < cases[i].argc; k++)
			argv[k] = strdup(cases[i].argv[k]);
		cr_assert_lt(engine_args_parse(&a, argv, cases[i].argc), 0, "case %zu", i);
		cr_assert(strstr(err_msg(), cases[i].msg), "case %zu: %s", i, err_msg());
		engine_args_fini(&a);
		for (size_t k = 0; k < cases[i].argc; k++)
			free(argv[k]);
	}
}

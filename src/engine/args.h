/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_ARGS_H
#define DH_ENGINE_ARGS_H

#include <stddef.h>

#include "config/config.h"
#include "core/err.h"
#include "engine/engine.h"

/*
 * The engine's options, as `deskhand run` takes them, parsed once for both
 * the engine process (engine/serve.c) and the in-process client
 * (client_open_local): --grant/-g DIR (repeatable), --resume ID, --mode/-m,
 * --model, --max-turns, --approve-plan/-y, --record FILE, --replay FILE,
 * --force, --dangerously-run-commands-unsandboxed, --max-cost USD,
 * --approval-deadline DURATION, --origin WHO, then an optional TASK.
 * One more, for front ends only: --no-ask (nobody answers approvals: the
 * agent refuses what it would ask, as `run` without a terminal; default:
 * approvals are asked).
 * "--" ends the options. Front-end options (--json, --theme…) are not
 * accepted here: the front end keeps them.
 */
struct engine_args {
	struct config cfg;	 /* loaded, then the options applied */
	struct engine_opts opts; /* its pointers borrow from argv and this struct */
	const char **grants;	 /* heap array of borrowed argv strings */
	char *task;		 /* heap, valid UTF-8 (scrubbed), or NULL */
};

/* Load the config and parse `argc` arguments (argv[0] is the first option,
 * not a program name). `a` is always initialised: call engine_args_fini()
 * even on failure. argv must outlive `a`. Returns 0, or DH_EPARSE with a
 * message ready for "deskhand: %s" (unknown option, missing value, more
 * than one TASK, a bad --mode…) or DH_EFAIL (the config file). */
int engine_args_parse(struct engine_args *a, char *const *argv, size_t argc) DH_MUST_CHECK;
void engine_args_fini(struct engine_args *a);
/* The operands among `argc` arguments (argv[0] is the first option), found
 * as engine_args_parse() finds them: options may come before or after them,
 * an option's value is not one, "--" ends the options. Their indexes in
 * argv, in order, go to idx (room for argc); returns how many. An unknown
 * option or one missing its value is passed over (engine_args_parse()
 * reports it). */
size_t engine_args_operands(char *const *argv, size_t argc, size_t *idx);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * load_skill: the body of an installed skill (skills/skills.h), asked for by
 * name when the model's task matches the skill's description. Reads only;
 * which skills exist and how they are checked is skills/'s. The agent's call
 * runs on the worker: a folder's skill is hashed again, every file of it,
 * which the loop must not wait for.
 */
#include <stddef.h>

#include "core/json.h"
#include "skills/skills.h"
#include "tools/tool_priv.h"

static int
load_skill_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const char *name = json_str(in, "name");
	const struct skill *sk = skills_find(env->skills, name);
	int rc;

	if (!sk) {
		struct buf have = BUF_INIT;

		for (size_t i = 0; i < skills_count(env->skills); i++)
			if (skills_at(env->skills, i)->trusted)
				buf_printf(&have, "%s%s", have.len ? ", " : "",
				           skills_at(env->skills, i)->name);
		tool_result_errorf(out, "load_skill: no skill named '%s' (installed: %s)", name,
		                   have.len ? buf_cstr(&have) : "none");
		buf_fini(&have);
		return 0;
	}
	if ((rc = skills_body(env->skills, sk, &out->text)) < 0)
		tool_result_from_err(out, rc);
	return 0;
}

/* The agent's way in: on the worker. The skill set it reads is the engine's,
 * which is replaced only between tasks, once the worker is idle. */
static int
load_skill_start(const cJSON *in, struct tool_env *env, struct tool_run **out,
                 tool_done_fn *done, void *ctx)
{
	return tool_start_deferred(load_skill_run, in, env, true, out, done, ctx);
}

const struct tool_entry tool_skill_entries[] = {
	{
		.name = "load_skill",
		.description =
			"Load an installed skill: its full instructions, and the files beside it "
			"(read them with read_file by the paths given). Call it when the task "
			"matches a skill's description in the system prompt, before doing that "
			"part of the work.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\","
			"\"description\":\"The skill's name, as the system prompt lists it.\"}},"
			"\"required\":[\"name\"]}",
		.flags = TOOL_F_READONLY,
		.run = load_skill_run,     /* tool_invoke(): in the caller's thread */
		.start = load_skill_start, /* the agent: on the worker */
	},
	{ .name = NULL },
};

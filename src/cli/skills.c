/* SPDX-License-Identifier: MIT */
/*
 * `deskhand skills` as a front end: it reads no session, so it always runs
 * in this process (client_verb_local(), engine/verbs_skills.c).
 */
#include "cli/cli.h"

#include "engine/client.h"

int
cli_skills(int argc, char **argv)
{
	return client_verb_local("skills", argc, argv, 0);
}

/* `deskhand models`: the providers and the model registry, in this process
 * (client_verb_local(), engine/verbs_models.c). */
int
cli_models(int argc, char **argv)
{
	return client_verb_local("models", argc, argv, 0);
}

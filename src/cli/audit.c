/* SPDX-License-Identifier: MIT */
/*
 * `deskhand audit` as a front end: it reads the logs on disk and talks to no
 * engine, so it always runs in this process (client_verb_local(),
 * engine/verbs_audit.c).
 */
#include "cli/cli.h"

#include "engine/client.h"

int
cli_audit(int argc, char **argv)
{
	return client_verb_local("audit", argc, argv, 0);
}

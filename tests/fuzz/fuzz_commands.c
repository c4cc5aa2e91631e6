/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the JSON command parser of `deskhand run --json --commands`
 * (agent/event.c command_parse, one line of stdin). Properties checked
 * (event.h): a rejected line is DH_EPARSE with a message, and an accepted
 * command has the fields its type needs.
 */
#include <string.h>

#include "agent/event.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command c;
	int rc = command_parse(&c, (const char *)data, size);

	if (rc < 0) {
		FUZZ_CHECK(rc == DH_EPARSE && *err_msg() != '\0',
		           "a bad command is DH_EPARSE with a message");
		return 0;
	}
	if (c.type == COMMAND_STEER)
		FUZZ_CHECK(c.text != NULL, "steer carries its text");
	if (c.type == COMMAND_RESTORE)
		FUZZ_CHECK(c.path != NULL, "restore names its checkpoint");
	FUZZ_CHECK(c.hunk >= 0, "hunk numbers are not negative");
	command_fini(&c);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the JSON command parser of the engine's wire and of
 * `deskhand run --json --commands` (agent/event.c command_parse, one line).
 * Properties checked (event.h): a rejected line is DH_EPARSE with a message
 * and leaves nothing to free (its "id" can still be read, command_line_req);
 * an accepted command has the fields its type needs, and command_to_json
 * writes it back as a line that parses to the same command (the same JSON
 * again).
 */
#include <string.h>

#include "agent/event.h"
#include "core/json.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command c, d;
	int rc = command_parse(&c, (const char *)data, size);

	if (rc < 0) {
		FUZZ_CHECK(rc == DH_EPARSE && *err_msg() != '\0',
		           "a bad command is DH_EPARSE with a message");
		FUZZ_CHECK(!c.id && !c.text && !c.path && !c.req && !c.steps,
		           "a bad command leaves nothing to free");
		free(command_line_req((const char *)data, size));
		return 0;
	}
	FUZZ_CHECK(command_type_name(c.type) != NULL, "an accepted command has a known type");
	if (c.type == COMMAND_STEER || c.type == COMMAND_START)
		FUZZ_CHECK(c.text && *c.text, "steer and start carry their text");
	if (c.type == COMMAND_RESTORE || c.type == COMMAND_GRANT || c.type == COMMAND_UNGRANT)
		FUZZ_CHECK(c.path && *c.path, "restore, grant and ungrant name their target");
	FUZZ_CHECK(c.hunk >= 0, "hunk numbers are not negative");
	FUZZ_CHECK(c.hunk == 0 || c.path, "a hunk comes with a path");

	cJSON *j = command_to_json(&c);
	char *a = json_print(j);

	cJSON_Delete(j);
	FUZZ_CHECK(command_parse(&d, a, strlen(a)) == 0, "command_to_json output parses back");
	FUZZ_CHECK(d.type == c.type, "the type survives a round trip");
	j = command_to_json(&d);
	char *b = json_print(j);

	cJSON_Delete(j);
	FUZZ_CHECK(strcmp(a, b) == 0, "a round trip gives the same JSON");
	free(a);
	free(b);
	command_fini(&d);
	command_fini(&c);
	return 0;
}

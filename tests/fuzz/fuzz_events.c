/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the event decoder a client runs on each line from an engine
 * (agent/event.c event_msg_parse), and the encoder behind it. Properties
 * checked (event.h): a rejected line is DH_EPARSE with a message; an accepted
 * one has a known type, and event_to_json of it parses back to an event that
 * encodes to the same JSON.
 */
#include <string.h>

#include "agent/event.h"
#include "core/json.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_msg m, n;
	int rc = event_msg_parse(&m, (const char *)data, size);

	if (rc < 0) {
		FUZZ_CHECK(rc == DH_EPARSE && *err_msg() != '\0',
		           "a bad event is DH_EPARSE with a message");
		event_msg_fini(&m);
		return 0;
	}
	FUZZ_CHECK(event_type_name(m.ev.type) != NULL, "an accepted event has a known type");
	FUZZ_CHECK(m.ev.ngrants == 0 || m.ev.grants, "a string array has its storage");

	cJSON *j = event_to_json(&m.ev);
	char *a = json_print(j);

	cJSON_Delete(j);
	FUZZ_CHECK(event_msg_parse(&n, a, strlen(a)) == 0, "event_to_json output parses back");
	FUZZ_CHECK(n.ev.type == m.ev.type, "the type survives a round trip");
	j = event_to_json(&n.ev);
	char *b = json_print(j);

	cJSON_Delete(j);
	FUZZ_CHECK(strcmp(a, b) == 0, "a round trip gives the same JSON");
	free(a);
	free(b);
	event_msg_fini(&n);
	event_msg_fini(&m);
	return 0;
}

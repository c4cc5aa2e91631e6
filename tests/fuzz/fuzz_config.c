/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the config file parser (config/config.c config_load_file,
 * DESIGN.md "Data on disk"). The input is the file's text, served from a
 * memfd so that the real file path is taken. `allow egress` lines go on to
 * the rule parser as the engine does (sandbox/egress.c egress_rule_parse);
 * permission rules (`allow|ask|deny TOOL[(PATTERN)]`) are formatted back
 * and parsed again.
 * Properties checked: a rejected file is DH_EPARSE with a message that
 * starts with "FILE:LINE: " (errors name the file and line), and every
 * option keeps a value.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "sandbox/egress.h"
#include "fuzz.h"

static int memfd = -1;
static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* config_load() must not read the real user's files. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-deskhand-fuzz", 1);
	unsetenv("DH_CONFIG");
	memfd = memfd_create("deskhand-fuzz-config", MFD_CLOEXEC);
	FUZZ_CHECK(memfd >= 0, "memfd_create works");
	snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;

	FUZZ_CHECK(ftruncate(memfd, 0) == 0 && pwrite(memfd, data, size, 0) == (ssize_t)size,
	           "the memfd takes the input");
	FUZZ_CHECK(config_load(&c) == 0, "the defaults load");
	int rc = config_load_file(&c, path);
	if (rc < 0) {
		const char *m = err_msg();
		size_t pl = strlen(path);

		FUZZ_CHECK(rc == DH_EPARSE, "a bad config file is DH_EPARSE");
		FUZZ_CHECK(strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] >= '1' &&
		                   m[pl + 1] <= '9',
		           "the error names FILE:LINE");
	}
	FUZZ_CHECK(c.model && c.provider && c.base_url && c.mode && c.max_turns &&
	                   c.max_tokens && c.max_retries && c.idle_timeout && c.command_timeout &&
	                   c.large_file_limit && c.watch,
	           "every option keeps a value");
	for (size_t i = 0; i < c.egress.n; i++) {
		struct egress_rule r;

		if (egress_rule_parse(&r, c.egress.v[i].text) == 0)
			egress_rule_fini(&r);
	}
	/* A rule line written back (a saved "always allow") reads the same. */
	for (size_t i = 0; i < c.rules.n; i++) {
		const struct config_rule *r = &c.rules.v[i];
		char *line = config_rule_format(r);
		struct config_rule again;

		FUZZ_CHECK(config_rule_parse(&again, line, "x:1") == 0, "a formatted rule parses");
		FUZZ_CHECK(again.verdict == r->verdict && !strcmp(again.tool, r->tool) &&
		                   !r->pattern == !again.pattern &&
		                   (!r->pattern || !strcmp(again.pattern, r->pattern)),
		           "a rule reads as it was written");
		free(again.tool);
		free(again.pattern);
		free(again.where);
		free(line);
	}
	config_fini(&c);
	return 0;
}

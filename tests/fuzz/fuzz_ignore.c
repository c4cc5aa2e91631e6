/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the .deskhandignore parser and matcher (core/ignore.c). The
 * input is the rules, optionally followed by a NUL byte and paths to match,
 * one per line (without it, a fixed set of paths is matched). Properties
 * checked (ignore.h): parsing never fails, and a path matched by
 * ignore_match() is also matched by ignore_match_path() (for paths of the
 * documented shape: relative, no leading '/').
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ignore.h"
#include "core/xalloc.h"
#include "fuzz.h"

static const char default_paths[] = "a\nb/c\n.git\nsrc/main.c\nbuild/x/y.o\n"
                                     "node_modules\na/b/c/d/e\n#x\n!y\n \ndir/\n";

static void
match_all(const struct ignore *ig, char *paths)
{
	for (char *save = NULL, *p = strtok_r(paths, "\n", &save); p;
	     p = strtok_r(NULL, "\n", &save)) {
		if (p[0] == '/')
			continue;
		for (int dir = 0; dir < 2; dir++) {
			bool m = ignore_match(ig, p, dir);
			bool mp = ignore_match_path(ig, p, dir);

			FUZZ_CHECK(!m || mp, "ignore_match implies ignore_match_path");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t rules_len = nul ? (size_t)(nul - text) : size;
	struct ignore *ig = NULL;
	char *paths;

	ignore_parse(&ig, text, rules_len);
	FUZZ_CHECK(ig != NULL, "ignore_parse always gives a rule set");
	(void)ignore_count(ig);
	if (nul) {
		size_t n = size - rules_len - 1;

		paths = xmalloc(n + 1);
		memcpy(paths, nul + 1, n);
		paths[n] = '\0';
	} else {
		paths = xstrdup(default_paths);
	}
	match_all(ig, paths);
	free(paths);
	ignore_free(ig);
	return 0;
}

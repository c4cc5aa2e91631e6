/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the theme file parser (ui/theme.c theme_parse, STYLE.md
 * §3.17) and the pure resolution that follows it. The input is a theme
 * file's text. Properties checked (theme.h): parsing never fails on text,
 * and theme_resolve() never returns a colour index >= the depth it used,
 * itself no more than the terminal's (nor any colour in mono).
 */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "ui/theme.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* `inherit NAME` looks in these: keep the user's own themes out. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-deskhand-fuzz", 1);
	setenv("DH_THEMES_DIR", "/nonexistent-deskhand-fuzz", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int depths[] = { 0, 2, 8, 16, 88, 256, 1 << 24 };
	char *text = xmalloc(size + 1);
	struct theme *t = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	FUZZ_CHECK(theme_parse(&t, "fuzz.theme", text) == 0 && t, "theme_parse accepts any text");
	(void)theme_warnings(t);
	(void)theme_name(t);
	for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
		for (int mono = 0; mono < 2; mono++) {
			struct theme_resolved r;

			theme_resolve(t, depths[i], mono, &r);
			FUZZ_CHECK(r.mono == (mono || theme_is_mono(t) || depths[i] < 8),
			           "mono exactly when asked, for a mono theme or below 8 colours");
			for (int e = 0; e < THEME__COUNT; e++) {
				const struct theme_style *s = &r.el[e];

				if (r.mono) {
					FUZZ_CHECK(s->fg == -1 && s->bg == -1, "mono uses no colours");
					continue;
				}
				FUZZ_CHECK(r.depth <= depths[i] && s->fg >= -1 && s->fg < r.depth &&
				                   s->bg >= -1 && s->bg < r.depth,
				           "no colour index >= the depth used, which fits the terminal");
			}
		}
	}
	theme_free(t);
	free(text);
	return 0;
}

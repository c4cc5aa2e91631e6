/* SPDX-License-Identifier: MIT */
/*
 * `deskhand skills`: the installed skills with their source and every
 * problem found (skills/skills.h), and `skills trust|untrust DIR` for a
 * folder's .agents/skills. Runs in this process; no session involved.
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "skills/skills.h"

static const char usage[] =
	"usage: deskhand skills [--json] [--grant DIR]...\n"
	"       deskhand skills trust DIR | untrust DIR\n"
	"\n"
	"Lists the skills the agent is offered: $XDG_CONFIG_HOME/deskhand/skills,\n"
	"~/.agents/skills, ~/.claude/skills and, for each --grant DIR, DIR/.agents/skills\n"
	"(used only once trusted: `deskhand skills trust DIR` records the hash of every\n"
	"file of its skills; any change needs trusting again). Every invalid skill is\n"
	"listed with FILE:LINE and what is wrong. Exit 0 when every skill is valid, 1\n"
	"when a problem was found (or a DIR does not exist, or trust/untrust failed), 2\n"
	"on a usage error (a missing DIR, an unknown option). See docs/skills.md.\n";

/* trust / untrust DIR */
static int
trust_verb(int argc, char **argv, bool trust)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		struct buf shown = BUF_INIT;

		if (argc == 1)
			fprintf(stderr, "deskhand: skills %s: expected one DIR argument\n",
			        argv[0]);
		else if (argc > 2)
			fprintf(stderr, "deskhand: skills %s: unexpected '%s'\n", argv[0],
			        utf8_sanitized(&shown, argv[2]));
		else
			fprintf(stderr, "deskhand: skills %s: unknown option '%s'\n", argv[0],
			        utf8_sanitized(&shown, argv[1]));
		buf_fini(&shown);
		fputs(usage, stderr);
		return 2;
	}
	if (skills_trust(argv[1], trust) < 0) {
		fprintf(stderr, "deskhand: skills %s: %s\n", argv[0], err_msg());
		return 1;
	}
	printf("%s the skills of %s\n", trust ? "trusted" : "no longer trusting", argv[1]);
	return 0;
}

/* A line of a skill's text as the terminal may show it (a folder's skill
 * comes from anywhere: no escape sequence reaches the terminal). */
static void
put_clean(const char *prefix, const char *s, size_t n, const char *suffix)
{
	struct buf b = BUF_INIT;

	utf8_sanitize(&b, s, n, 0);
	printf("%s%s%s\n", prefix, buf_cstr(&b), suffix);
	buf_fini(&b);
}

/* What `skills` says after an untrusted skill: why, and the command. */
static const char *const untrusted_why[] = {
	[SKILL_TRUST_YES] = "",
	[SKILL_TRUST_NEVER] = "untrusted",
	[SKILL_TRUST_CHANGED] = "untrusted: changed since trusted",
	[SKILL_TRUST_OLDER] = "untrusted: trust recorded by an older deskhand for SKILL.md "
	                      "alone, give it again",
};

static void
print_human(const struct skill_set *s, const struct grant_set *g)
{
	const struct strv *p = skills_problems(s);

	if (!skills_count(s))
		puts("(no skills installed)");
	for (size_t i = 0; i < skills_count(s); i++) {
		const struct skill *k = skills_at(s, i);
		char *head = xasprintf("%-24s %-7s ", k->name, skills_source_name(k->source));

		char *line = k->trusted ? xstrdup(k->dir)
		                        : xasprintf("%s  (%s: deskhand skills trust %s)", k->dir,
		                                    untrusted_why[k->trust],
		                                    grant_get(g, k->grant)->path);

		put_clean(head, line, strlen(line), "");
		free(line);
		put_clean("    ", k->description, strcspn(k->description, "\n"), "");
		free(head);
	}
	if (p && p->n) {
		puts("\nProblems (these skills are not offered):");
		for (size_t i = 0; i < p->n; i++)
			put_clean("  ", p->v[i], strlen(p->v[i]), "");
	}
}

int
verbs_skills(int argc, char **argv, unsigned flags)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "grant", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct grant_set *g = NULL;
	struct skill_set *s = NULL;
	bool json = false;
	int opt, rc = 0;

	(void)flags;
	if (argc >= 2 && (!strcmp(argv[1], "trust") || !strcmp(argv[1], "untrust")))
		return trust_verb(argc - 1, argv + 1, !strcmp(argv[1], "trust"));
	if (grant_set_new(&g) < 0)
		return 1;
	optind = 0;
	opterr = 0; /* getopt would name the program "skills" */
	while ((opt = getopt_long(argc, argv, ":jg:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'g':
			if (grant_add(g, optarg) < 0) {
				/* like `run --grant`: a folder that is not there is a
				 * failure naming it, not a usage error */
				struct buf shown = BUF_INIT;

				fprintf(stderr, "deskhand: skills: --grant %s: %s\n",
				        utf8_sanitized(&shown, optarg), err_msg());
				buf_fini(&shown);
				grant_set_free(g);
				return 1;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			grant_set_free(g);
			return 0;
		default:
			client_verb_bad_option("skills", opt, argv);
			fputs(usage, stderr);
			grant_set_free(g);
			return 2;
		}
	}
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: skills: unexpected '%s'\n%s",
		        utf8_sanitized(&shown, argv[optind]), usage);
		buf_fini(&shown);
		grant_set_free(g);
		return 2;
	}
	if (skills_load(&s, g, SKILLS_F_UNTRUSTED) < 0) {
		fprintf(stderr, "deskhand: skills: %s\n", err_msg());
		grant_set_free(g);
		return 1;
	}
	const struct strv *p = skills_problems(s);
	if (json) {
		cJSON *o = json_new_obj(), *pa;

		json_add(o, "skills", skills_json(s));
		pa = json_add(o, "problems", json_new_arr());
		for (size_t i = 0; p && i < p->n; i++)
			json_add(pa, NULL, cJSON_CreateString(p->v[i]));
		char *text = json_print(o);
		puts(text);
		free(text);
		cJSON_Delete(o);
	} else {
		print_human(s, g);
	}
	rc = p && p->n ? 1 : 0;
	skills_free(s);
	grant_set_free(g);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * `deskhand rules`: the permission rules a session would apply, in the
 * order the agent checks them, each with the file:line it comes from. The
 * parsing and the folder-may-only-tighten rule are config/'s; which rules a
 * session takes, and the matching, are the agent's (agent/approval.h,
 * asked through client_rules_check()), not done here.
 */
#include "cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

static const char rules_usage[] =
	"usage: deskhand rules [--grant DIR]... [--json]\n"
	"\n"
	"List the permission rules a session granted these folders would apply, in\n"
	"the order they are checked: every deny rule, then every ask rule, then\n"
	"every allow rule (within each, in file order; the first that matches\n"
	"decides), each with the FILE:LINE it comes from. Then come the session's\n"
	"\"always allow\" answers, then each tool's default (read-only tools run,\n"
	"the rest as the mode says).\n"
	"\n"
	"Rules come from your config ($XDG_CONFIG_HOME/deskhand/config, then\n"
	"$DH_CONFIG) and from each granted folder's .deskhand/config, which may\n"
	"add ask and deny rules but never allow: what it may not do is listed as\n"
	"a warning on stderr. Line format (docs/config.md):\n"
	"  allow|ask|deny TOOL[(PATTERN)]   e.g. deny write_file(*.env)\n"
	"TOOL may be a group: write (every tool that changes files: write_file,\n"
	"edit_file, move_file, …) or read (the file-reading tools); the tools of\n"
	"each such rule are listed under it.\n"
	"\n"
	"  -g, --grant DIR  include DIR's .deskhand/config (repeatable; default:\n"
	"                   the current directory)\n"
	"      --json       print [{verdict, tool, pattern?, where, tools?}] in that\n"
	"                   order (tools: the members of a group)\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0; 1 a config file is malformed or holds a rule every session\n"
	"would refuse (a pattern on a tool that takes none), named with its line; 2\n"
	"usage, or a DIR a session could not be granted (missing, not a directory,\n"
	"/), named.\n";

/* ["write_file", "edit_file", …] of a group's "write_file, edit_file, …". */
static cJSON *
group_json(const char *members)
{
	cJSON *arr = json_new_arr();

	for (const char *p = members; *p;) {
		size_t n = strcspn(p, ",");
		char *name = xstrndup(p, n);

		json_add(arr, NULL, cJSON_CreateString(name));
		free(name);
		p += n;
		p += strspn(p, ", ");
	}
	return arr;
}

static void
print_rules(const struct config_rules *const sets[], size_t nsets, bool json)
{
	cJSON *arr = json ? json_new_arr() : NULL;

	if (!json)
		printf("# checked in this order; the first match decides\n");
	for (int v = CONFIG_DENY; v <= CONFIG_ALLOW; v++)
		for (size_t k = 0; k < nsets; k++)
			for (size_t i = 0; i < sets[k]->n; i++) {
				const struct config_rule *r = &sets[k]->v[i];

				if ((int)r->verdict != v)
					continue;
				char *group = client_rules_group(r->tool);

				if (json) {
					cJSON *o = json_new_obj();

					json_add_str(o, "verdict", config_verdict_name(r->verdict));
					json_add_str(o, "tool", r->tool);
					if (r->pattern)
						json_add_str(o, "pattern", r->pattern);
					json_add_str(o, "where", r->where);
					if (group)
						json_add(o, "tools", group_json(group));
					json_add(arr, NULL, o);
					free(group);
					continue;
				}
				char *line = config_rule_format(r);

				printf("%-40s %s\n", line, r->where);
				if (group)
					printf("#   %s: %s\n", r->tool, group);
				free(line);
				free(group);
			}
	if (json) {
		char *s = json_print(arr);

		puts(s);
		free(s);
		cJSON_Delete(arr);
		return;
	}
	printf("# then this session's \"always allow\" answers, then each tool's default\n");
}

int
cli_rules(int argc, char **argv)
{
	struct strv dirs = { 0 };
	bool json = false;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((!strcmp(argv[i], "--grant") || !strcmp(argv[i], "-g")) && i + 1 < argc) {
			strv_add(&dirs, argv[++i]);
		} else if (!strncmp(argv[i], "--grant=", 8)) {
			strv_add(&dirs, argv[i] + 8);
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(rules_usage, stdout);
			strv_free(&dirs);
			return 0;
		} else {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand rules: unknown argument '%s'\n%s",
			        utf8_sanitized(&shown, argv[i]), rules_usage);
			buf_fini(&shown);
			strv_free(&dirs);
			return 2;
		}
	}
	if (!dirs.n)
		strv_add(&dirs, ".");
	struct config c;
	struct config_rules folder = { 0 };
	struct config_lines warn = { 0 };

	if (config_load(&c) < 0) {
		fprintf(stderr, "deskhand rules: %s\n", err_msg());
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < dirs.n; i++) {
		/* A grant run would refuse as no folder (missing, a file) is a
		 * usage error, named by run's own check; --force: listing the
		 * rules of $HOME or /etc grants nothing. */
		char force[] = "--force", grant[] = "--grant";
		char *av[] = { force, grant, dirs.v[i] };

		if (client_args_check_grants(av, 3) < 0) {
			fprintf(stderr, "deskhand rules: %s\n", err_msg());
			rc = 2;
			goto out;
		}
		char *real = realpath(dirs.v[i], NULL);

		if (!real) {
			fprintf(stderr, "deskhand rules: %s: no such folder\n", dirs.v[i]);
			rc = 2;
			goto out;
		}
		int lrc = config_load_folder_rules(&folder, &warn, real, &c);

		free(real);
		if (lrc < 0) {
			fprintf(stderr, "deskhand rules: %s\n", err_msg());
			rc = 1;
			goto out;
		}
	}
	for (size_t i = 0; i < warn.n; i++)
		fprintf(stderr, "deskhand rules: refused: %s\n", warn.v[i].text);
	const struct config_rules *const sets[] = { &c.rules, &folder };

	/* A rule every session would refuse (a pattern on a tool that takes
	 * none) is the malformed line it is, not a rule to list. */
	if (client_rules_check(sets, 2) < 0) {
		fprintf(stderr, "deskhand rules: %s\n", err_msg());
		rc = 1;
		goto out;
	}
	print_rules(sets, 2, json);
out:
	config_fini(&c);
	config_rules_fini(&folder);
	config_lines_fini(&warn);
	strv_free(&dirs);
	return rc;
}

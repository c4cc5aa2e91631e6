/* SPDX-License-Identifier: MIT */
/*
 * `deskhand inbox`: the detached, headless and scheduled sessions that need
 * the person (docs/inbox.md), as a table or JSON, and --dismiss ID. A
 * client: the listing and the dismissal are the engine side's
 * (client_inbox(), client_inbox_dismiss()).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/utf8.h"
#include "engine/client.h"

static const char inbox_usage[] =
	"usage: deskhand inbox [--json]\n"
	"       deskhand inbox --dismiss ID\n"
	"\n"
	"The sessions nobody watched ('deskhand run --detach', a headless run, a\n"
	"scheduled run) that need you, newest first: one waiting for an approval\n"
	"(answer it with 'deskhand attach ID'), or one that finished with files\n"
	"pending review or that did not end done (failed, expired, budget, blocked,\n"
	"interrupted).\n"
	"For each: its id, state, files pending review, age, the schedule that\n"
	"started it and a one-line summary (the first line of the agent's last\n"
	"message, or the task; for a waiting one, the call it waits on). Review\n"
	"one with 'deskhand review --session ID' or 'deskhand --resume ID';\n"
	"accepting everything takes it off the inbox.\n"
	"\n"
	"A session whose meta.json is missing or cannot be read is listed as\n"
	"'unreadable', with a warning on stderr naming the file and what is wrong,\n"
	"until it is dismissed (then until its meta.json reads again). The live\n"
	"engines are asked as 'deskhand ls' asks them, waiting DH_LIST_WAIT_MS for\n"
	"their answers (default 3000).\n"
	"\n"
	"      --json         one array of {id, status, state, waiting, live,\n"
	"                     summary, task, pending, origin, schedule, updated,\n"
	"                     grants} (pending: null when a folder is gone; an\n"
	"                     unreadable session has \"error\", the reason)\n"
	"      --dismiss ID   take session ID (or a unique prefix) off the inbox\n"
	"                     until it runs again (not one waiting for an\n"
	"                     approval: answer it, or stop it; one the inbox\n"
	"                     does not list is refused)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0, 1 the sessions could not be read, a session could not be\n"
	"(the rest are listed all the same), no such session to dismiss, it is not\n"
	"in the inbox or it is waiting for an approval, 2 usage.\n";

/* "3s", "5m", "2h", "4d". */
static void
age_str(char out[24], long long s)
{
	static const struct {
		long long div, below;
		const char *unit;
	} steps[] = { { 1, 60, "s" }, { 60, 3600, "m" }, { 3600, 86400, "h" }, { 86400, 0, "d" } };

	s = s < 0 ? 0 : s;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		if (steps[i].below && s >= steps[i].below)
			continue;
		snprintf(out, 24, "%lld%s", s / steps[i].div, steps[i].unit);
		return;
	}
}

static void
print_table(const cJSON *rows)
{
	const cJSON *r;
	time_t now = time(NULL);

	if (cJSON_GetArraySize(rows) == 0) {
		printf("inbox empty\n");
		return;
	}
	cJSON_ArrayForEach(r, rows)
	{
		char age[24], files[24] = "?";
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "pending");
		const char *sched = json_str(r, "schedule");
		struct buf sum = BUF_INIT;
		const char *s = json_str(r, "summary") ? json_str(r, "summary") : "";

		age_str(age, (long long)now - json_int_clamp(r, "updated", 0, (long long)now, 0));
		if (cJSON_IsNumber(p))
			snprintf(files, sizeof files, "%d", p->valueint);
		utf8_sanitize(&sum, s, strlen(s), 0);
		printf("%-26s %-11s %5s file%s %4s  %s%s%s%s\n", json_str(r, "id"),
		       json_str(r, "state"), files, cJSON_IsNumber(p) && p->valueint == 1 ? " " : "s",
		       age, sched ? "[" : "", sched ? sched : "", sched ? "] " : "", buf_cstr(&sum));
		buf_fini(&sum);
	}
}

int
cli_inbox(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dismiss", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dismiss = NULL;
	bool json = false;
	int opt;

	optind = 0;
	opterr = 0; /* getopt would name the program "inbox" */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'd': dismiss = optarg; break;
		case 'h': fputs(inbox_usage, stdout); return 0;
		default:
			client_verb_bad_option("inbox", opt, argv);
			fputs(inbox_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand inbox: unexpected argument '%s'\n%s",
		        utf8_sanitized(&shown, argv[optind]), inbox_usage);
		buf_fini(&shown);
		return 2;
	}
	if (client_verb_empty_session("inbox", dismiss)) {
		fputs(inbox_usage, stderr);
		return 2;
	}
	if (dismiss) {
		char *id = NULL;

		int rc = client_inbox_dismiss(dismiss, &id);

		if (rc < 0) {
			fprintf(stderr, "deskhand: inbox --dismiss %s: %s\n", dismiss, err_msg());
			free(id);
			return 1;
		}
		if (rc == 1) /* unreadable: off the inbox all the same */
			fprintf(stderr, "deskhand: inbox --dismiss %s: %s. It is off the inbox until "
			                "its meta.json reads again; 'deskhand sessions' still lists "
			                "it\n", dismiss, err_msg());
		printf("dismissed %s\n", id);
		free(id);
		return 0;
	}
	cJSON *rows = NULL;
	const cJSON *r;
	int status = 0;

	if (client_inbox(&rows) < 0) {
		fprintf(stderr, "deskhand: inbox: %s\n", err_msg());
		return 1;
	}
	/* A session that cannot be read is listed ("unreadable") and said on
	 * stderr with what is wrong, as `deskhand sessions` says it. */
	cJSON_ArrayForEach(r, rows)
	{
		if (json_str(r, "error")) {
			fprintf(stderr, "deskhand: warning: %s\n", json_str(r, "error"));
			status = 1;
		}
	}
	if (json) {
		char *out = json_print(rows);

		puts(out);
		free(out);
	} else {
		print_table(rows);
	}
	cJSON_Delete(rows);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * The workbench's view of the inbox (docs/inbox.md): `:inbox` lists the
 * unattended runs that need the person (Enter opens one, as :open does), the
 * status line counts them, and a "notice" from any engine (a detached or
 * scheduled run finished, failed, expired or waits) is said on the message
 * line. The list is the engine's "inbox" command; nothing is read here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "ui/pane.h"
#include "ui/ui_int.h"

#define TAG_LIST  "ui-inbox"
#define TAG_COUNT "ui-inboxn"

/* Ask for the inbox: the list (shown) or only its count. */
static void
request(struct ui *u, bool show)
{
	struct command c = { .type = COMMAND_INBOX };

	if (!show && u->inbox_loading) {
		u->inbox_again = true; /* once the one in flight came back */
		return;
	}
	if (ui_send(u, &c, show ? TAG_LIST : TAG_COUNT) < 0)
		return;
	if (show) {
		ui_busy(u, 1);
		ui_message(u, false, "reading the inbox…");
	} else {
		u->inbox_loading = true;
	}
}

void
ui_inbox_refresh(struct ui *u)
{
	request(u, false);
}

void
ui_inbox_show(struct ui *u)
{
	request(u, true);
}

/* "  ID  STATE  FILES  AGE  [SCHEDULE] SUMMARY" */
static void
inbox_row(struct buf *out, const cJSON *row, time_t now)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(row, "pending");
	const char *sched = json_str(row, "schedule"), *sum = json_str(row, "summary");

	if (json_str(row, "error")) /* an unreadable session: what is wrong with it */
		sum = json_str(row, "error");
	long long age = (long long)now - json_int_clamp(row, "updated", 0, (long long)now, 0);
	char files[24] = "?", when[24];

	if (json_num_int(p, -1) >= 0)
		snprintf(files, sizeof files, "%lld", json_num_int(p, -1));
	if (age < 3600)
		snprintf(when, sizeof when, "%lldm", age < 0 ? 0 : age / 60);
	else if (age < 86400)
		snprintf(when, sizeof when, "%lldh", age / 3600);
	else
		snprintf(when, sizeof when, "%lldd", age / 86400);
	buf_printf(out, "  %-22s %-11s %5s %5s  %s%s%s", json_str(row, "id"),
		   json_str(row, "state") ? json_str(row, "state") : "?", files, when,
		   sched ? "[" : "", sched ? sched : "", sched ? "] " : "");
	/* One line; the overlay sanitizes what it shows. */
	size_t n = sum ? strcspn(sum, "\n") : 0;
	buf_add(out, sum ? sum : "", n > 200 ? 200 : n);
	buf_putc(out, '\n');
}

static void
show_list(struct ui *u, const cJSON *rows)
{
	struct buf out = BUF_INIT;
	const cJSON *row;
	time_t now = time(NULL);

	buf_printf(&out, "  %-22s %-11s %5s %5s  %s\n", "SESSION", "STATE", "FILES", "AGE",
		   "SUMMARY");
	cJSON_ArrayForEach(row, rows)
		inbox_row(&out, row, now);
	if (cJSON_GetArraySize(rows) == 0)
		buf_puts(&out, "  (nothing waits for you)\n");
	buf_puts(&out, "\nUnattended runs (run --detach, headless, scheduled) that wait for an "
		       "approval,\nhave files pending review, or did not end done. Enter on a row "
		       "opens it\n(attached when live); accepting everything there empties its "
		       "entry;\ndeskhand inbox --dismiss ID takes one off.\n");
	buf_clear(&u->msg);
	ui_show_overlay(u, "inbox", buf_cstr(&out));
	pane_refresh_lines(&u->help);
	pane_set_cursor(&u->help, u->help.nlines > 1 ? 1 : 0); /* the newest */
	buf_fini(&out);
}

bool
ui_inbox_reply(struct ui *u, const struct event *ev)
{
	bool list = ui_is_reply(ev, TAG_LIST);

	if (!list && !ui_is_reply(ev, TAG_COUNT))
		return false;
	bool ok = ev->type == EVENT_REPLY && ev->approved && cJSON_IsArray(ev->data);
	if (list) {
		ui_busy(u, -1);
		if (!ok)
			ui_message(u, true, "inbox: %s", ev->text ? ev->text : "no list came back");
		else if (!u->quitting)
			show_list(u, ev->data);
	} else {
		u->inbox_loading = false;
	}
	if (ok && u->inbox_count != cJSON_GetArraySize(ev->data)) {
		u->inbox_count = cJSON_GetArraySize(ev->data);
		u->status_dirty = true;
	}
	if (!list && u->inbox_again) {
		u->inbox_again = false;
		request(u, false);
	}
	return true;
}

void
ui_inbox_notice(struct ui *u, const struct event *ev)
{
	const char *o = ev->origin, *sched = o && !strncmp(o, "schedule:", 9) ? o + 9 : NULL;
	bool bad = ev->status && strcmp(ev->status, "done") != 0;

	if (!u->quitting && ev->session)
		ui_message(u, bad, "%s%s%s%s %s: %s (:inbox)", sched ? "schedule " : "",
			   sched ? sched : "", sched ? ", session " : "session ", ev->session,
			   ev->status ? ev->status : "?", ev->text ? ev->text : "");
	ui_inbox_refresh(u);
}

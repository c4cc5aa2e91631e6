/* SPDX-License-Identifier: MIT */
/*
 * The system journal as a listener of the audit log: the only file that
 * includes <systemd/sd-journal.h>. It sends; it never reads the journal.
 */
#include "audit/journal.h"

#include <stdbool.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "core/json.h"

/* Records an administrator looks for first: warning priority. */
static bool
is_warning(const cJSON *rec)
{
	const char *t = json_str(rec, "type");
	const char *d = json_str(rec, "decision");

	if (!t)
		return false;
	return !strcmp(t, "error") || !strcmp(t, "refusal") || !strcmp(t, "budget_stop") ||
	       (d && !strcmp(d, "deny")) ||
	       (!strcmp(t, "egress") && !json_bool(rec, "allowed", true));
}

void
audit_journal_send(const cJSON *rec, const char *line, void *ctx)
{
	const char *session = ctx ? ctx : "";
	const char *type = json_str(rec, "type") ? json_str(rec, "type") : "";
	const char *name = json_str(rec, "name");
	long long seq = json_int(rec, "seq", 0);

	(void)sd_journal_send("MESSAGE=deskhand audit %s #%lld %s%s%s", session, seq, type,
			      name ? " " : "", name ? name : "", "SYSLOG_IDENTIFIER=deskhand",
			      "PRIORITY=%d", is_warning(rec) ? 4 : 6, "DESKHAND_SESSION=%s",
			      session, "DESKHAND_SEQ=%lld", seq, "DESKHAND_TYPE=%s", type,
			      "DESKHAND_RECORD=%s", line, NULL);
}

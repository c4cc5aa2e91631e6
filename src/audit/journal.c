/* SPDX-License-Identifier: MIT */
/*
 * The system journal as a listener of the audit log: the only file that
 * includes <systemd/sd-journal.h>. It sends; it never reads the journal.
 * libsystemd is loaded with dlopen() when the first record is sent, not
 * linked: with its own dependencies (libgcrypt, libcap, lz4...) it would be
 * mapped and relocated by every launch, for an option that is off by default.
 */
#include "audit/journal.h"

#include <stdbool.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "audit/audit.h"
#include "core/dl.h"
#include "core/json.h"

/* sd_journal_send is also a function-like macro: called as (journal.f)(...) */
#define JOURNAL_FUNCS(X) X(sd_journal_send)

/* Without it (logged once by the loader) there is no journal copy: the
 * audit file is the record of truth. */
DL_LIBRARY(journal, "libsystemd.so.0", "libsystemd0", JOURNAL_FUNCS);

void
audit_journal_send(const cJSON *rec, const char *line, void *ctx)
{
	const char *session = ctx ? ctx : "";
	const char *type = json_str(rec, "type") ? json_str(rec, "type") : "";
	const char *name = json_str(rec, "name");
	long long seq = json_int(rec, "seq", 0);

	if (dl_load(&journal_lib) < 0)
		return;
	(void)(journal.sd_journal_send)(
		"MESSAGE=deskhand audit %s #%lld %s%s%s", session, seq, type, name ? " " : "",
		name ? name : "", "SYSLOG_IDENTIFIER=deskhand", "PRIORITY=%d",
		audit_record_warns(rec) ? 4 : 6, "DESKHAND_SESSION=%s", session, "DESKHAND_SEQ=%lld", seq,
		"DESKHAND_TYPE=%s", type, "DESKHAND_RECORD=%s", line, NULL);
}

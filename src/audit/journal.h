/* SPDX-License-Identifier: MIT */
#ifndef DH_AUDIT_JOURNAL_H
#define DH_AUDIT_JOURNAL_H

#include <cJSON.h>

/*
 * Audit records to the system journal (sd_journal_send, libsystemd), when
 * `set audit_journal = on`: an audit_record_fn (audit/audit.h) to add as a
 * listener with the session id as ctx. Each record becomes one entry:
 * MESSAGE "deskhand audit SESSION #SEQ TYPE [NAME]", SYSLOG_IDENTIFIER
 * deskhand, PRIORITY 6 (info; 4 for refusals, denials and errors), and the
 * fields DESKHAND_SESSION, DESKHAND_SEQ, DESKHAND_TYPE and DESKHAND_RECORD
 * (the record's JSON line). A journal that is not there (no systemd, a
 * container) loses the entry silently: the file is the record of truth.
 */
void audit_journal_send(const cJSON *rec, const char *line, void *ctx);

#endif

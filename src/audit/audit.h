/* SPDX-License-Identifier: MIT */
#ifndef DH_AUDIT_AUDIT_H
#define DH_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * The tamper-evident audit log (docs/audit.md): STATE/sessions/ID/audit.jsonl,
 * one JSON object a line, append-only. Every record carries
 *   "seq"  1, 2, 3 … within the session (a resumed session continues it),
 *   "ts"   UTC time "YYYY-MM-DDTHH:MM:SS.mmmZ",
 *   "type" what it records (session_start, tool_call, decision, …),
 *   "prev" the SHA-256 (hex) of the previous record's canonical form ("" for
 *          record 1),
 * and the fields of its type. The canonical form of a record is its JSON with
 * the keys of every object sorted bytewise and no whitespace (cJSON's number
 * and string printing, json_print): a record re-indented or with its keys
 * moved still verifies; any changed value does not.
 *
 * The chain alone does not stop a rewrite of the whole file, so its head is
 * keyed: STATE/sessions/ID/audit.head holds {session, seq, hash, hmac, key}
 * where hmac = HMAC-SHA256(key, "deskhand-audit-head v1\n" ID "\n" SEQ "\n"
 * HASH) and key names the key (the first 16 hex digits of its SHA-256). The
 * key is 32 random bytes, hex, in a file of mode 0600 (by default
 * STATE/audit.key, created on first use; the audit_key setting names
 * another). The head is written every AUDIT_HEAD_EVERY records and when the
 * log is closed; records after the last head are chained but not yet keyed.
 *
 * Nothing here knows about events or the loop: the engine (engine/audit_sink.c)
 * turns events into records. Not thread-safe: one struct audit_log is used by
 * one thread; struct audit_flush (below) is how its disk syncs leave the loop.
 */

#define AUDIT_HEAD_EVERY 32 /* records between two keyed heads */
#define AUDIT_KEY_BYTES	 32
#define AUDIT_HASH_HEX	 65 /* 64 hex digits and a NUL */

struct audit_log;
struct buf;

/*
 * Writing
 */

/* Called once for every finished record: numbered, chained and written to the
 * file. THE place other sinks take audit records from (the system journal,
 * telemetry's OTLP logs): `rec` is the record as written (borrowed, read only,
 * valid for the call), `line` its JSON text without the newline. Runs on the
 * writer's thread (the loop) and must not block. */
typedef void audit_record_fn(const cJSON *rec, const char *line, void *ctx);

/* Open (creating it 0600 if missing) `dir`/audit.jsonl of session `session`
 * for appending, continuing its chain: the last complete record gives the next
 * seq and prev (a torn last line is cut off, as the transcript's). The key is
 * read from `key_path` (NULL or "": STATE/audit.key), created when missing;
 * a key file that others may read is refused. DH_EFAIL naming the file and
 * the reason; *out is NULL then. Caller frees with audit_close(). */
int audit_open(struct audit_log **out, const char *dir, const char *session,
	       const char *key_path) DH_MUST_CHECK;
/* Write the keyed head (fsynced) and close. NULL-safe. Blocks on the disk:
 * teardown only. */
void audit_close(struct audit_log *l);

/* Add a listener (at most 4); it sees every record appended from now on. */
void audit_add_listener(struct audit_log *l, audit_record_fn *fn, void *ctx);

/* Append `rec` (an object holding at least "type"; borrowed, and given "seq",
 * "ts" and "prev" in place) as one line with a single write(2) on an O_APPEND
 * descriptor, then tell the listeners. The line reaches the page cache before
 * this returns (any reader, and a crash of deskhand, sees it); its fdatasync
 * is audit_flush's. DH_EFAIL on a failed or short write, "the audit log PATH
 * could not be written: ERROR" (the partial line is cut back; the chain does
 * not advance). */
int audit_append(struct audit_log *l, cJSON *rec) DH_MUST_CHECK;
/* Records appended since the last keyed head. */
unsigned audit_unkeyed(const struct audit_log *l);
/* The path of the log file (borrowed). */
const char *audit_path(const struct audit_log *l);

/* A disk sync taken from the log: fdatasync of the log and, with `head`, the
 * keyed head of the chain as it is now written to audit.head (atomically,
 * fsynced). It owns copies of all it needs (a dup of the descriptor), so it
 * may run on another thread while the log goes on: take on the loop, run on
 * the worker, free on either. */
struct audit_flush;
struct audit_flush *audit_flush_take(struct audit_log *l, bool head);
int audit_flush_run(struct audit_flush *f) DH_MUST_CHECK;
void audit_flush_free(struct audit_flush *f); /* NULL-safe */

/*
 * Reading
 */

/* Why a log does not verify, in the order audit_verify() looks. */
enum audit_fault {
	AUDIT_OK,
	AUDIT_MODIFIED,	 /* a record's contents differ from what the next one chained to */
	AUDIT_DELETED,	 /* records are missing: the seq jumps forward, or no log */
	AUDIT_REORDERED, /* a seq repeats or goes back */
	AUDIT_TRUNCATED, /* the file ends before its keyed head, or mid-line */
	AUDIT_BAD_HEAD,	 /* no head, a head whose HMAC or hash does not match */
};

struct audit_report {
	enum audit_fault fault;
	long seq;      /* the first broken record (0 when ok or not one record) */
	long records;  /* complete records read */
	long head_seq; /* the keyed head's seq (0 without one) */
	char *why;     /* heap: one sentence naming the record and what is wrong */
};

/* "ok", "modified", "deleted", "reordered", "truncated", "bad head". */
const char *audit_fault_name(enum audit_fault f);

/* Check `dir`/audit.jsonl against its chain and `dir`/audit.head with the key
 * at `key_path` (NULL or "": STATE/audit.key). 0 with *out filled (fault
 * AUDIT_OK or the first fault found; AUDIT_DELETED for a keyed head with
 * no log beside it); DH_ENOTFOUND when there is neither log nor head,
 * DH_EFAIL when the log or key cannot be read (message names it). `live`:
 * the session's engine is writing the log now, so an audit.head not there
 * yet is its first one still to come (AUDIT_OK with head_seq 0, the chain
 * checked), not a fault. Always audit_report_fini(). */
int audit_verify(struct audit_report *out, const char *dir, const char *key_path,
		 bool live) DH_MUST_CHECK;
void audit_report_fini(struct audit_report *r);

/* One export line of record `rec` (a parsed audit.jsonl line) of session
 * `session` appended to `out` with its newline: "jsonl" is the record's JSON
 * with "session" added; "csv" (RFC 4180) the columns of audit_csv_header. */
void audit_export_line(struct buf *out, const cJSON *rec, const char *session, bool csv);
/* The CSV header line, with its newline. */
extern const char audit_csv_header[];

/*
 * Helpers the record builders share
 */

/* SHA-256 of `len` bytes as 64 hex digits and a NUL. */
void audit_sha256_hex(const void *data, size_t len, char hex[AUDIT_HASH_HEX]);
/* The canonical text of `v` (keys sorted at every depth, compact); heap. */
char *audit_canonical(const cJSON *v);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of the realtime clock into `ts` (25 bytes). */
void audit_now(char ts[25]);
/* Whether `rec` is a record an administrator looks for first: an error, a
 * refusal, a budget stop, a decision that denied, a refused connection (the
 * journal's warning priority, telemetry's WARN or ERROR). */
bool audit_record_warns(const cJSON *rec);

#endif

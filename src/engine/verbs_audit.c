/* SPDX-License-Identifier: MIT */
/*
 * `deskhand audit verify|export`: checks sessions' audit logs against their
 * chain and keyed head, and prints their records for a SIEM. Reads only; the
 * format is audit/audit.h's.
 */
#include "engine/verbs.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "session/session.h"

static const char usage[] =
	"usage: deskhand audit verify [ID | --all]\n"
	"       deskhand audit export [--since DATE] [--format jsonl|csv] [ID | --all]\n"
	"\n"
	"Each session keeps a tamper-evident audit log (audit.jsonl in its directory):\n"
	"its tool calls with their decisions and who made them, egress attempts,\n"
	"checkpoints, review actions, errors, start and end. Records are hash-chained\n"
	"and the chain's head is signed with this machine's key (set audit_key).\n"
	"\n"
	"verify   check the latest session's log (or ID's, or every session's): exit 0\n"
	"         when intact; else name the first broken record and why (modified,\n"
	"         deleted, reordered, truncated, bad head) and exit 1\n"
	"export   print the records of every session (or ID's), oldest session first,\n"
	"         each with its session id: JSON lines (default) or CSV with the columns\n"
	"         session,seq,ts,type,name,decision,by,record\n"
	"  --since DATE   only records from DATE on (UTC): 2026-12-01 or 2026-12-01T08:30\n"
	"  --format F     jsonl or csv\n"
	"\n"
	"Exit status: 0 ok, 1 a log is broken or cannot be read, or the output could not\n"
	"be written (a full disk), 2 usage. See docs/audit.md.\n";

static const struct option options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "since", required_argument, NULL, 's' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct audit_args {
	bool all;
	bool csv;
	const char *since;
	const char *id;
	char *key; /* audit_key from the config, heap or NULL */
};

/* DATE as --since takes it: YYYY-MM-DD, optionally THH:MM[:SS], optionally Z. */
static bool
is_date(const char *d)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t n = strlen(d);

	if (n && d[n - 1] == 'Z')
		n--;
	if (n != 10 && n != 16 && n != 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)d[i]) : d[i] != shape[i])
			return false;
	/* a day the calendar has (2026-02-30 is not one; timegm() would make
	 * it March 2nd), and a time of day */
	int y = atoi(d), mo = atoi(d + 5), day = atoi(d + 8);
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = day };

	(void)timegm(&tm);
	if (tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != day)
		return false;
	return n < 16 || (atoi(d + 11) < 24 && atoi(d + 14) < 60 && (n < 19 || atoi(d + 17) < 60));
}

static int
parse_args(struct audit_args *a, int argc, char **argv)
{
	int c;

	optind = 1;
	opterr = 0; /* getopt would name the program "verify" */
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			a->all = true;
			break;
		case 's':
			if (!is_date(optarg)) {
				struct buf shown = BUF_INIT;

				fprintf(stderr,
				        "deskhand: audit: --since '%s' is not a date "
				        "(2026-12-01 or 2026-12-01T08:30)\n",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				return 2;
			}
			a->since = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "csv")) {
				struct buf shown = BUF_INIT;

				fprintf(stderr, "deskhand: audit: --format '%s': jsonl or csv\n",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				return 2;
			}
			a->csv = !strcmp(optarg, "csv");
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default: {
			char verb[32];

			snprintf(verb, sizeof verb, "audit %s", argv[0]);
			client_verb_bad_option(verb, c, argv);
			fputs(usage, stderr);
			return 2;
		}
		}
	}
	if (optind < argc)
		a->id = argv[optind++];
	if (optind < argc || (a->id && a->all) || client_verb_empty_session("audit", a->id)) {
		fputs(usage, stderr);
		return 2;
	}
	/* the key's file may be set in the config */
	struct config cfg;

	if (config_load(&cfg) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		config_fini(&cfg);
		return 1;
	}
	a->key = cfg.audit_key && *cfg.audit_key ? xstrdup(cfg.audit_key) : NULL;
	config_fini(&cfg);
	return 0;
}

/* The sessions named: one (ID, or the latest), or all of them. */
static int
targets(const struct audit_args *a, bool all, char **state, char ***ids, size_t *n)
{
	if (fsutil_state_dir(state) < 0)
		return DH_EFAIL;
	if (all) /* a damaged session's audit log is checked all the same */
		return session_list_all(*state, ids, n);
	char *id = NULL;
	int rc = session_resolve(*state, a->id, &id);

	if (rc < 0)
		return rc;
	*ids = xmalloc(sizeof **ids);
	(*ids)[0] = id;
	*n = 1;
	return 0;
}

static void
free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Whether session `id`'s engine runs it now (its meta.json says "running",
 * which session_meta_read() turns to "interrupted" when no engine holds it). */
static bool
session_live(const char *state, const char *id)
{
	cJSON *meta = NULL;
	bool live = session_meta_read(state, id, &meta) == 0 && json_str(meta, "status") &&
		    strcmp(json_str(meta, "status"), "running") == 0;

	cJSON_Delete(meta);
	return live;
}

static int
verify(const struct audit_args *a)
{
	char *state = NULL, **ids = NULL;
	size_t n = 0;
	int status = 0;
	struct buf shown = BUF_INIT;

	if (targets(a, a->all, &state, &ids, &n) < 0) {
		fprintf(stderr, "deskhand: audit verify: %s\n", err_msg());
		free(state);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/sessions/%s", state, ids[i]);
		struct audit_report r;
		/* a running session's first head may not be written yet */
		int rc = audit_verify(&r, dir, a->key, session_live(state, ids[i]));

		if (rc == DH_ENOTFOUND && a->all) {
			printf("%s: no audit log (audit was off)\n", ids[i]);
		} else if (rc < 0) {
			printf("%s: cannot verify: %s\n", ids[i], utf8_sanitized(&shown, err_msg()));
			status = 1;
		} else if (r.fault != AUDIT_OK) {
			/* the why quotes the tampered file (a head's session, its
			 * key id): its control characters are shown, not obeyed */
			printf("%s: %s: %s\n", ids[i], audit_fault_name(r.fault),
			       utf8_sanitized(&shown, r.why));
			status = 1;
		} else if (r.head_seq == 0) {
			printf("%s: ok: %ld records, not keyed yet (the session is running: its "
			       "engine has not written its first keyed head)\n", ids[i], r.records);
		} else if (r.head_seq < r.records) {
			printf("%s: ok: %ld records; keyed head at record %ld (records %ld to %ld "
			       "were written after it: the session is running or was killed)\n",
			       ids[i], r.records, r.head_seq, r.head_seq + 1, r.records);
		} else {
			printf("%s: ok: %ld records, keyed head at record %ld\n", ids[i], r.records,
			       r.head_seq);
		}
		audit_report_fini(&r);
		free(dir);
	}
	if (fsutil_stdout_flush() < 0) {
		fprintf(stderr, "deskhand: audit verify: %s\n", err_msg());
		status = 1;
	}
	buf_fini(&shown);
	free_ids(ids, n);
	free(state);
	return status;
}

static int
export_session(const struct audit_args *a, const char *state, const char *id)
{
	char *path = xasprintf("%s/sessions/%s/audit.jsonl", state, id);
	struct buf b = BUF_INIT, out = BUF_INIT;
	int status = 0;
	size_t at = 0, line = 0;
	/* the date's own digits: its 'Z' only says UTC, which every ts is (the
	 * ts has a ':' or 'T' where the 'Z' would be compared) */
	size_t since_len = a->since ? strlen(a->since) : 0;

	if (since_len && a->since[since_len - 1] == 'Z')
		since_len--;
	int rc = fsutil_read_file(path, (size_t)1 << 30, &b);

	/* every session's export passes over one with no log (audit was
	 * off); a log it cannot read is named, not left out unsaid */
	if (rc < 0 && !(rc == DH_ENOTFOUND && a->all)) {
		fprintf(stderr, "deskhand: audit export: %s\n", err_msg());
		status = 1;
	}
	if (rc < 0)
		goto out;
	while (at < b.len) {
		char *nl = memchr(b.ptr + at, '\n', b.len - at);
		cJSON *rec = NULL;

		if (!nl)
			break;
		line++;
		if (json_parse(&rec, b.ptr + at, (size_t)(nl - b.ptr) - at, path) < 0) {
			fprintf(stderr, "deskhand: audit export: %s:%zu: not a record (run "
					"deskhand audit verify %s)\n", path, line, id);
			status = 1;
		} else {
			const char *ts = json_str(rec, "ts");

			if (!a->since || (ts && strncmp(ts, a->since, since_len) >= 0))
				audit_export_line(&out, rec, id, a->csv);
		}
		cJSON_Delete(rec);
		at = (size_t)(nl - b.ptr) + 1;
		if (out.len > 1 << 16) {
			if (fwrite(out.ptr, 1, out.len, stdout) != out.len)
				break; /* export() says why */
			buf_clear(&out);
		}
	}
	if (!ferror(stdout))
		fwrite(out.ptr ? out.ptr : "", 1, out.len, stdout);
out:
	buf_fini(&out);
	buf_fini(&b);
	free(path);
	return status;
}

static int
export(const struct audit_args *a)
{
	char *state = NULL, **ids = NULL;
	size_t n = 0;
	int status = 0;

	/* every session unless one is named */
	if (targets(a, !a->id, &state, &ids, &n) < 0) {
		fprintf(stderr, "deskhand: audit export: %s\n", err_msg());
		free(state);
		return 1;
	}
	if (a->csv)
		fputs(audit_csv_header, stdout);
	struct audit_args all = *a;

	all.all = !a->id;
	/* the records that did not get out (a full disk) fail the export;
	 * the sessions after them are not read for nothing */
	for (size_t i = 0; i < n && !ferror(stdout); i++)
		if (export_session(&all, state, ids[i]) != 0)
			status = 1;
	if (fsutil_stdout_flush() < 0) {
		fprintf(stderr, "deskhand: audit export: %s\n", err_msg());
		status = 1;
	}
	free_ids(ids, n);
	free(state);
	return status;
}

int
verbs_audit(int argc, char **argv, unsigned flags)
{
	struct audit_args a = { 0 };
	int rc;

	(void)flags;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	bool is_verify = !strcmp(argv[1], "verify");

	if (!is_verify && strcmp(argv[1], "export") != 0) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: audit: unknown command '%s' (verify, export)\n",
		        utf8_sanitized(&shown, argv[1]));
		buf_fini(&shown);
		return 2;
	}
	if ((rc = parse_args(&a, argc - 1, argv + 1)) != 0)
		return rc < 0 ? 0 : rc;
	if (is_verify && (a.since || a.csv)) {
		fputs("deskhand: audit verify takes no --since or --format\n", stderr);
		free(a.key);
		return 2;
	}
	rc = is_verify ? verify(&a) : export(&a);
	free(a.key);
	return rc;
}

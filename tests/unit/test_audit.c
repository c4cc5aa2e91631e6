/* SPDX-License-Identifier: MIT */
/* The audit log's format: canonical form, numbering and chain across a
 * reopen, a torn tail, listeners, the keyed head, each verify fault, the key
 * file's checks and the export lines. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

struct fixture {
	char *root; /* temporary directory */
	char *dir;  /* root/SESSION: the session's directory */
	char *key;  /* root/key */
};

static void
fixture_init(struct fixture *f)
{
	char tmpl[] = "/tmp/dhauditXXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	f->root = xstrdup(tmpl);
	f->dir = xasprintf("%s/20261204-120000-abcd", f->root);
	f->key = xasprintf("%s/keys/audit.key", f->root);
	cr_assert_eq(mkdir(f->dir, 0700), 0);
}

static void
fixture_fini(struct fixture *f)
{
	char *cmd = xasprintf("rm -rf '%s'", f->root);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(f->root);
	free(f->dir);
	free(f->key);
}

static void
append(struct audit_log *l, const char *type, const char *name)
{
	cJSON *r = json_new_obj();

	json_add_str(r, "type", type);
	json_add_str(r, "name", name);
	cr_assert_eq(audit_append(l, r), 0, "%s", err_msg());
	cJSON_Delete(r);
}

/* A closed log of n records (keyed at its end). */
static void
write_log(struct fixture *f, int n)
{
	struct audit_log *l;

	cr_assert_eq(audit_open(&l, f->dir, NULL, f->key), 0, "%s", err_msg());
	for (int i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof name, "call-%d", i + 1);
		append(l, "tool_call", name);
	}
	audit_close(l);
}

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(fsutil_read_file(path, 1 << 20, &b), 0);
	return buf_detach(&b);
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The log's lines as an array of heap strings (with their newlines). */
static size_t
lines(const char *dir, char ***out)
{
	char *path = xasprintf("%s/audit.jsonl", dir), *text = slurp(path), *p = text;
	size_t n = 0;

	*out = NULL;
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = xstrndup(p, len);
		p += len;
	}
	free(text);
	free(path);
	return n;
}

static void
rewrite(const char *dir, char **v, const int *order, size_t n)
{
	char *path = xasprintf("%s/audit.jsonl", dir);
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		buf_puts(&b, v[order[i]]);
	put(path, buf_cstr(&b));
	buf_fini(&b);
	free(path);
}

static struct audit_report
verify(struct fixture *f)
{
	struct audit_report r;

	cr_assert_eq(audit_verify(&r, f->dir, f->key, false), 0, "%s", err_msg());
	return r;
}

Test(audit, canonical_sorts_keys_at_every_depth)
{
	cJSON *a = NULL, *b = NULL;
	const char *ta = "{\"b\":1,\"a\":{\"y\":[{\"d\":1,\"c\":2}],\"x\":\"é\"}}";
	const char *tb = "{ \"a\": {\"x\": \"é\", \"y\": [{\"c\": 2, \"d\": 1}]}, \"b\": 1 }";

	cr_assert_eq(json_parse(&a, ta, strlen(ta), "a"), 0);
	cr_assert_eq(json_parse(&b, tb, strlen(tb), "b"), 0);
	char *ca = audit_canonical(a), *cb = audit_canonical(b);

	cr_assert_str_eq(ca, "{\"a\":{\"x\":\"é\",\"y\":[{\"c\":2,\"d\":1}]},\"b\":1}");
	cr_assert_str_eq(ca, cb);
	free(ca);
	free(cb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static int heard;
static void
listener(const cJSON *rec, const char *line, void *ctx)
{
	cr_assert_str_eq(ctx, "ctx");
	cr_assert_eq(json_int(rec, "seq", 0), heard + 1);
	cr_assert_not_null(strstr(line, "\"prev\":"));
	cr_assert_null(strchr(line, '\n'));
	heard++;
}

Test(audit, chain_continues_after_reopen_and_cuts_a_torn_tail)
{
	struct fixture f;
	struct audit_log *l;
	char **v;

	fixture_init(&f);
	write_log(&f, 3);
	/* a crash mid-record: half a line */
	char *path = xasprintf("%s/audit.jsonl", f.dir);
	int fd = open(path, O_WRONLY | O_APPEND);

	cr_assert_eq(write(fd, "{\"seq\":4,\"ty", 12), 12);
	close(fd);
	struct audit_report r = verify(&f);
	cr_assert_eq(r.fault, AUDIT_TRUNCATED, "%s", r.why);
	audit_report_fini(&r);
	heard = 0;
	cr_assert_eq(audit_open(&l, f.dir, NULL, f.key), 0, "%s", err_msg());
	audit_add_listener(l, listener, (char[]){ "ctx" });
	heard = 3;
	append(l, "tool_call", "after");
	cr_assert_eq(heard, 4);
	cr_assert_eq(audit_unkeyed(l), 1);
	audit_close(l);
	size_t n = lines(f.dir, &v);

	cr_assert_eq(n, 4);
	cr_assert(strstr(v[3], "\"seq\":4,\"ts\":\"") == v[3] + 1, "%s", v[3]);
	r = verify(&f);
	cr_assert_eq(r.fault, AUDIT_OK, "%s", r.why);
	cr_assert_eq(r.records, 4);
	cr_assert_eq(r.head_seq, 4);
	audit_report_fini(&r);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(path);
	fixture_fini(&f);
}

Test(audit, verify_names_each_fault)
{
	static const struct {
		int order[6];
		size_t n;
		enum audit_fault fault;
		long seq;
		const char *why;
	} cases[] = {
		{ { 0, 1, 3, 4, 5 }, 5, AUDIT_DELETED, 3, "record 3 is missing" },
		{ { 0, 3, 4, 5 }, 4, AUDIT_DELETED, 2, "records 2 to 3 are missing" },
		{ { 0, 1, 3, 2, 4, 5 }, 6, AUDIT_REORDERED, 4, "record 4 comes where record 3" },
		{ { 0, 1, 2, 3, 3, 4 }, 6, AUDIT_REORDERED, 4, "record 4 comes after record 4" },
		{ { 0, 1, 2, 3 }, 4, AUDIT_TRUNCATED, 5, "records 5 to 6 were cut off" },
		{ { 1, 2, 3, 4, 5 }, 5, AUDIT_DELETED, 1, "record 1 is missing" },
	};
	struct fixture f;
	char **v;

	fixture_init(&f);
	write_log(&f, 6);
	size_t n = lines(f.dir, &v);

	cr_assert_eq(n, 6);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rewrite(f.dir, v, cases[i].order, cases[i].n);
		struct audit_report r = verify(&f);

		cr_expect_eq(r.fault, cases[i].fault, "case %zu: %s: %s", i,
			     audit_fault_name(r.fault), r.why);
		cr_expect_eq(r.seq, cases[i].seq, "case %zu: %s", i, r.why);
		cr_expect_not_null(strstr(r.why, cases[i].why), "case %zu: %s", i, r.why);
		audit_report_fini(&r);
	}
	/* a value changed in record 2, keys moved in record 3 (still fine) */
	cJSON *rec = NULL;

	cr_assert_eq(json_parse(&rec, v[1], strlen(v[1]), "v"), 0);
	cJSON_ReplaceItemInObject(rec, "name", cJSON_CreateString("other"));
	char *mod = json_print(rec);

	cJSON_Delete(rec);
	free(v[1]);
	v[1] = xasprintf("%s\n", mod);
	free(mod);
	rewrite(f.dir, v, (int[]){ 0, 1, 2, 3, 4, 5 }, 6);
	struct audit_report r = verify(&f);

	cr_expect_eq(r.fault, AUDIT_MODIFIED, "%s", r.why);
	cr_expect_eq(r.seq, 2);
	cr_expect_not_null(strstr(r.why, "record 2 was modified"), "%s", r.why);
	audit_report_fini(&r);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	fixture_fini(&f);
}

Test(audit, head_is_keyed)
{
	struct fixture f;

	fixture_init(&f);
	write_log(&f, 2);
	char *head = xasprintf("%s/audit.head", f.dir);
	char *text = slurp(head);
	struct stat st;

	cr_assert_eq(stat(head, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* another key: the same log does not verify */
	char *other = xasprintf("%s/other.key", f.root);
	struct audit_report r;

	put(other, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
	cr_assert_eq(chmod(other, 0600), 0);
	cr_assert_eq(audit_verify(&r, f.dir, other, false), 0);
	cr_expect_eq(r.fault, AUDIT_BAD_HEAD, "%s", r.why);
	cr_expect_not_null(strstr(r.why, "another key"), "%s", r.why);
	audit_report_fini(&r);
	/* the head of another session */
	char *moved = xasprintf("%s/20261204-120000-ffff", f.root);

	cr_assert_eq(rename(f.dir, moved), 0);
	cr_assert_eq(audit_verify(&r, moved, f.key, false), 0);
	cr_expect_eq(r.fault, AUDIT_BAD_HEAD, "%s", r.why);
	cr_expect_not_null(strstr(r.why, "is the head of session 20261204-120000-abcd"), "%s",
			   r.why);
	audit_report_fini(&r);
	cr_assert_eq(rename(moved, f.dir), 0);
	/* no head */
	cr_assert_eq(unlink(head), 0);
	r = verify(&f);
	cr_expect_eq(r.fault, AUDIT_BAD_HEAD, "%s", r.why);
	audit_report_fini(&r);
	put(head, text);
	r = verify(&f);
	cr_expect_eq(r.fault, AUDIT_OK, "%s", r.why);
	audit_report_fini(&r);
	free(moved);
	free(other);
	free(text);
	free(head);
	fixture_fini(&f);
}

Test(audit, flush_keys_the_head_off_the_log)
{
	struct fixture f;
	struct audit_log *l;

	fixture_init(&f);
	cr_assert_eq(audit_open(&l, f.dir, NULL, f.key), 0, "%s", err_msg());
	append(l, "session_start", NULL);
	struct audit_flush *fl = audit_flush_take(l, true);

	append(l, "tool_call", "x"); /* the log goes on; the flush holds record 1 */
	cr_assert_eq(audit_unkeyed(l), 1);
	cr_assert_eq(audit_flush_run(fl), 0, "%s", err_msg());
	audit_flush_free(fl);
	struct audit_report r = verify(&f);

	cr_expect_eq(r.fault, AUDIT_OK, "%s", r.why);
	cr_expect_eq(r.head_seq, 1);
	cr_expect_eq(r.records, 2);
	audit_report_fini(&r);
	audit_close(l);
	fixture_fini(&f);
}

Test(audit, key_file_checks)
{
	struct fixture f;
	struct audit_log *l = NULL;

	fixture_init(&f);
	write_log(&f, 1); /* creates the key, 0600 */
	struct stat st;

	cr_assert_eq(stat(f.key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(chmod(f.key, 0640), 0);
	cr_assert_lt(audit_open(&l, f.dir, NULL, f.key), 0);
	cr_assert_null(l);
	cr_expect_not_null(strstr(err_msg(), "others may read it (mode 0640)"), "%s", err_msg());
	put(f.key, "not hex\n");
	cr_assert_eq(chmod(f.key, 0600), 0);
	cr_assert_lt(audit_open(&l, f.dir, NULL, f.key), 0);
	cr_expect_not_null(strstr(err_msg(), "expected 64 hex digits"), "%s", err_msg());
	/* verify never creates a key */
	char *none = xasprintf("%s/none.key", f.root);
	struct audit_report r;

	cr_assert_eq(audit_verify(&r, f.dir, none, false), DH_ENOTFOUND);
	cr_assert_neq(access(none, F_OK), 0);
	audit_report_fini(&r);
	free(none);
	fixture_fini(&f);
}

Test(audit, export_lines)
{
	cJSON *rec = NULL;
	struct buf b = BUF_INIT;
	const char *in = "{\"seq\":3,\"ts\":\"2026-12-04T12:00:00.000Z\",\"type\":\"decision\","
			 "\"decision\":\"deny\",\"by\":\"rule\",\"rule\":\"rule 'deny x(a,b)'\"}";

	cr_assert_eq(json_parse(&rec, in, strlen(in), "t"), 0);
	audit_export_line(&b, rec, "S1", true);
	cr_assert_str_eq(buf_cstr(&b),
			 "S1,3,2026-12-04T12:00:00.000Z,decision,,deny,rule,\"{\"\"seq\"\":3,"
			 "\"\"ts\"\":\"\"2026-12-04T12:00:00.000Z\"\",\"\"type\"\":\"\"decision\"\","
			 "\"\"decision\"\":\"\"deny\"\",\"\"by\"\":\"\"rule\"\",\"\"rule\"\":"
			 "\"\"rule 'deny x(a,b)'\"\",\"\"session\"\":\"\"S1\"\"}\"\n");
	buf_clear(&b);
	audit_export_line(&b, rec, "S1", false);
	cr_assert(strstr(buf_cstr(&b), ",\"session\":\"S1\"}\n") != NULL, "%s", buf_cstr(&b));
	cr_assert_str_eq(audit_csv_header, "session,seq,ts,type,name,decision,by,record\n");
	buf_fini(&b);
	cJSON_Delete(rec);
}

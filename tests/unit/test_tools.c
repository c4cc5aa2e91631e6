/* SPDX-License-Identifier: MIT */
/* Tools: registry and validation, every file tool's behaviour and exact texts
 * on real files, and run_command through a fake (argv-checking, unsandboxed
 * test double) or, when DH_SANDBOX names it, the real deskhand-sandbox; the
 * approval diffs the file tools' previews make and the always-allow rules. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/approval.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "snap/snap.h"
#include "tools/tool.h"
#include "watch/watch.h"

static char root[64];
static char gdir[128], odir[128];
static struct grant_set *gs;
static struct tool_env env;

static void
put(const char *rel, const char *s)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "w");

	cr_assert(f, "fopen %s: %s", p, strerror(errno));
	fputs(s, f);
	fclose(f);
	free(p);
}

static void
put_bytes(const char *rel, const void *data, size_t n)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "w");

	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	free(p);
}

static void
mkd(const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);

	cr_assert(mkdir(p, 0755) == 0, "mkdir %s", p);
	free(p);
}

/* Content of gdir/rel (heap), NULL if missing. */
static char *
get(const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	free(p);
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static void
assert_file(const char *rel, const char *want)
{
	char *s = get(rel);

	cr_assert(s, "%s missing", rel);
	cr_assert_str_eq(s, want, "%s: got '%s'", rel, s);
	free(s);
}

static bool
exists(const char *rel)
{
	struct stat st;
	char *p = xasprintf("%s/%s", gdir, rel);
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-tools-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	snprintf(odir, sizeof odir, "%s/out", root);
	cr_assert(mkdir(gdir, 0755) == 0 && mkdir(odir, 0755) == 0);
	cr_assert(grant_set_new(&gs) == 0);
	cr_assert(grant_add(gs, gdir) == 0);
	tool_env_init(&env);
	env.grants = gs;
}

/* Idempotent: tests call it before cr_skip_test(), which skips .fini. */
static void
teardown(void)
{
	grant_set_free(gs);
	gs = NULL;
	if (!root[0])
		return;
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
	root[0] = '\0';
}

/* cr_skip_test() does not run .fini: clean up first. */
#define SKIP(...)                                                                                  \
	do {                                                                                       \
		teardown();                                                                        \
		cr_skip_test(__VA_ARGS__);                                                         \
	} while (0)

TestSuite(tool, .init = setup, .fini = teardown, .timeout = 20);

/* Run tool `name` with JSON input text; r must be finalized by the caller. */
static void
call(struct tool_result *r, const char *name, const char *json)
{
	const struct tool_entry *e = tool_find(name);
	cJSON *in;

	cr_assert(e, "no tool %s", name);
	cr_assert(json_parse(&in, json, strlen(json), "test input") == 0, "%s", err_msg());
	tool_result_init(r);
	tool_invoke(e, in, &env, r);
	cJSON_Delete(in);
}

/* Call and expect success with exactly `want` as text. */
static void
expect_ok(const char *name, const char *json, const char *want)
{
	struct tool_result r;

	call(&r, name, json);
	cr_assert(!r.is_error, "%s %s failed: %s", name, json, buf_cstr(&r.text));
	cr_assert_str_eq(buf_cstr(&r.text), want, "%s %s", name, json);
	tool_result_fini(&r);
}

/* Call and expect an error with exactly `want` as text. */
static void
expect_err(const char *name, const char *json, const char *want)
{
	struct tool_result r;

	call(&r, name, json);
	cr_assert(r.is_error, "%s %s succeeded: %s", name, json, buf_cstr(&r.text));
	cr_assert_str_eq(buf_cstr(&r.text), want, "%s %s", name, json);
	tool_result_fini(&r);
}

/*
 * Registry and validation
 */

Test(tool, registry_order_and_flags)
{
	static const char *const names[] = {
		"read_file",   "list_files",   "write_file",     "edit_file",
		"move_file",   "delete_file",  "make_directory", "write_spreadsheet",
		"write_document", "search_files", "run_command", "web_fetch",    "load_skill",
		"read_tool_output", "propose_plan", "update_plan",
	};
	size_t n = sizeof names / sizeof names[0];

	cr_assert_eq(tool_count(), n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(tool_at(i)->name, names[i]);
		cr_assert_eq(tool_find(names[i]), tool_at(i));
	}
	cr_assert_null(tool_at(n));
	cr_assert_null(tool_find("rm_rf"));
	cr_assert(tool_find("read_file")->flags & TOOL_F_READONLY);
	cr_assert(tool_find("search_files")->flags & TOOL_F_READONLY);
	cr_assert(tool_find("edit_file")->flags & TOOL_F_MUTATES);
	cr_assert(tool_find("run_command")->flags & TOOL_F_MUTATES);
	cr_assert(tool_find("run_command")->start && !tool_find("run_command")->run);
	cr_assert(tool_find("web_fetch")->flags & TOOL_F_READONLY);
	cr_assert(tool_find("web_fetch")->start && !tool_find("web_fetch")->run);
	cr_assert_eq(tool_find("load_skill")->flags, TOOL_F_READONLY);
	cr_assert_eq(tool_find("read_tool_output")->flags, TOOL_F_READONLY);
	for (const char *p = "propose_plan"; p;
	     p = strcmp(p, "update_plan") ? "update_plan" : NULL) {
		const struct tool_entry *e = tool_find(p);

		cr_assert(e->flags & TOOL_F_PLAN);
		cr_assert(!e->run && !e->start);
	}
}

Test(tool, schemas)
{
	cJSON *arr = tool_schemas();

	cr_assert_eq(cJSON_GetArraySize(arr), (int)tool_count());
	for (int i = 0; i < cJSON_GetArraySize(arr); i++) {
		cJSON *o = cJSON_GetArrayItem(arr, i);
		cJSON *s = json_obj(o, "input_schema");

		cr_assert_str_eq(json_str(o, "name"), tool_at((size_t)i)->name);
		cr_assert(json_str(o, "description") && strlen(json_str(o, "description")) > 40);
		cr_assert(s, "%s: no input_schema object", json_str(o, "name"));
		cr_assert_str_eq(json_str(s, "type"), "object");
		cr_assert(json_obj(s, "properties"), "%s", json_str(o, "name"));
	}
	/* Descriptions of path tools say where paths point. */
	cr_assert(strstr(tool_find("write_file")->description, "relative to the first granted"));
	cJSON_Delete(arr);
}

static int
validate(const char *name, const char *json)
{
	cJSON *in;

	cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
	int rc = tool_validate(tool_find(name), in);

	cJSON_Delete(in);
	return rc;
}

Test(tool, validation_messages)
{
	cr_assert_eq(validate("edit_file", "{\"path\":\"a\",\"new_string\":\"x\"}"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "edit_file: missing required field 'old_string'");
	cr_assert_eq(validate("read_file", "{\"path\":\"a\",\"offset\":\"3\"}"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "read_file: field 'offset' must be an integer");
	cr_assert_eq(validate("read_file", "{\"path\":\"a\",\"offset\":1.5}"), DH_EPARSE);
	cr_assert_eq(validate("read_file", "{\"path\":\"a\",\"offset\":0}"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "read_file: field 'offset' must be at least 1");
	cr_assert_eq(validate("edit_file", "{\"path\":\"a\",\"old_string\":\"x\",\"new_string\":"
	                                   "\"y\",\"replace_all\":1}"),
	             DH_EPARSE);
	cr_assert_str_eq(err_msg(), "edit_file: field 'replace_all' must be a boolean");
	cr_assert_eq(validate("update_plan", "{\"steps\":[{\"title\":\"a\",\"status\":\"done\"},"
	                                     "{\"title\":\"b\",\"status\":\"later\"}]}"),
	             DH_EPARSE);
	cr_assert_str_eq(err_msg(), "update_plan: field 'steps[1].status' must be one of: pending, "
	                            "in_progress, done, skipped");
	cr_assert_eq(validate("propose_plan", "{\"steps\":[{}]}"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "propose_plan: missing required field 'steps[0].title'");
	cr_assert_eq(validate("read_file", "[1]"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "read_file: input must be a JSON object");
	cr_assert_eq(validate("list_files", "{}"), 0);
	cr_assert_eq(validate("update_plan", "{\"steps\":[{\"title\":\"a\",\"status\":\"done\"}]}"),
	             0);
	/* tool_invoke turns validation failures into error results. */
	expect_err("write_file", "{\"path\":\"x\"}",
	           "write_file: missing required field 'content'");
	expect_err("propose_plan", "{\"steps\":[]}", "propose_plan: not a synchronous tool");
	cr_assert(!exists("x"));
}

Test(tool, nul_in_any_string_is_refused)
{
	put("f12.txt", "keep");
	expect_err("write_file", "{\"path\":\"f12.txt\\u0000.bak\",\"content\":\"x\"}",
	           "write_file: field 'path' holds a NUL character (\\u0000), which no tool "
	           "argument may hold; nothing was done");
	expect_err("edit_file", "{\"path\":\"f12.txt\",\"old_string\":\"keep\",\"new_string\":"
	                        "\"a\\u0000\"}",
	           "edit_file: field 'new_string' holds a NUL character (\\u0000), which no tool "
	           "argument may hold; nothing was done");
	cr_assert_eq(validate("update_plan", "{\"steps\":[{\"title\":\"a\\u0000\",\"status\":"
	                                     "\"done\"}]}"),
	             DH_EPARSE);
	cr_assert(strstr(err_msg(), "field 'steps[0].title' holds a NUL"), "%s", err_msg());
	assert_file("f12.txt", "keep");
	cr_assert(!exists("f12.txt.bak"));
}

Test(tool, non_utf8_names_round_trip)
{
	put("f\xff.txt", "one\n");
	expect_ok("list_files", "{}", "f\\xff.txt\n");
	expect_ok("read_file", "{\"path\":\"f\\\\xff.txt\"}", "     1\tone\n");
	expect_ok("move_file", "{\"source\":\"f\\\\xff.txt\",\"destination\":\"d/g\\\\xFE\"}",
	          "moved f\\xff.txt to d/g\\xfe");
	assert_file("d/g\xfe", "one\n");
	expect_ok("search_files", "{\"pattern\":\"one\"}", "d/g\\xfe:1:one\n");
	expect_err("read_file", "{\"path\":\"d/g\\\\x00\"}",
	           "'\\x00' at byte 3 would put a NUL in the name");
}

Test(tool, failed_calls_leave_no_directories)
{
	struct buf deep = BUF_INIT;

	for (int i = 0; i < 3000; i++)
		buf_puts(&deep, "d/");
	buf_puts(&deep, "f.txt");
	char *in = xasprintf("{\"path\":\"%s\",\"content\":\"x\"}", buf_cstr(&deep));
	struct tool_result r;

	call(&r, "write_file", in);
	cr_assert(r.is_error);
	cr_assert(strstr(buf_cstr(&r.text), "/d/f.txt' is too long: 6005 bytes, the limit is 4095"),
	          "%s", buf_cstr(&r.text));
	cr_assert(strstr(buf_cstr(&r.text), "d/d/…/d/d"), "%s", buf_cstr(&r.text));
	cr_assert_lt(r.text.len, 400);
	tool_result_fini(&r);
	free(in);
	buf_fini(&deep);
	cr_assert(!exists("d"));
	/* Parents made for a move that then fails are removed again. */
	mkd("src");
	call(&r, "move_file", "{\"source\":\"src\",\"destination\":\"src/n1/n2/x\"}");
	cr_assert(r.is_error, "%s", buf_cstr(&r.text));
	tool_result_fini(&r);
	cr_assert(!exists("src/n1"));
}

/*
 * read_file
 */

Test(tool, read_numbering_offset_limit)
{
	put("f.txt", "one\ntwo\nthree\nfour\nfive\n");
	expect_ok("read_file", "{\"path\":\"f.txt\"}",
	          "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n     5\tfive\n");
	expect_ok("read_file", "{\"path\":\"f.txt\",\"offset\":2,\"limit\":2}",
	          "     2\ttwo\n     3\tthree\n"
	          "[… f.txt continues after line 3 (24 bytes in all); continue with offset=4]");
	expect_ok("read_file", "{\"path\":\"f.txt\",\"offset\":5}", "     5\tfive\n");
	expect_ok("read_file", "{\"path\":\"f.txt\",\"offset\":9}",
	          "(f.txt has 5 lines; offset 9 is past the end)");
	/* No final newline; absolute path inside the grant shows as given. */
	put("g.txt", "a\nb");
	char *json = xasprintf("{\"path\":\"%s/g.txt\"}", gdir);

	expect_ok("read_file", json, "     1\ta\n     2\tb\n");
	free(json);
	put("empty", "");
	expect_ok("read_file", "{\"path\":\"empty\"}", "(empty is empty)");
}

Test(tool, read_long_lines_and_invalid_utf8)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 2100; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\nok\xff\n");
	put("long.txt", buf_cstr(&b));

	struct tool_result r;

	call(&r, "read_file", "{\"path\":\"long.txt\"}");
	cr_assert(!r.is_error);
	const char *t = buf_cstr(&r.text);

	cr_assert(!strncmp(t, "     1\t", 7));
	cr_assert_eq(strspn(t + 7, "x"), 2000);
	cr_assert(!strncmp(t + 7 + 2000, " [… line truncated]\n", strlen(" [… line truncated]\n")));
	cr_assert(strstr(t, "     2\tok\xef\xbf\xbd\n"), "invalid UTF-8 not replaced: %s",
	          t + 2000);
	tool_result_fini(&r);
	buf_fini(&b);
}

Test(tool, read_text_cap)
{
	struct buf b = BUF_INIT;

	/* 300 lines of 1000 bytes: more than 256 KiB. */
	for (int i = 0; i < 300; i++) {
		for (int j = 0; j < 999; j++)
			buf_putc(&b, 'a' + i % 26);
		buf_putc(&b, '\n');
	}
	put("big.txt", buf_cstr(&b));

	struct tool_result r;

	call(&r, "read_file", "{\"path\":\"big.txt\"}");
	cr_assert(!r.is_error);
	cr_assert(r.text.len < (256 << 10) + 2000, "%zu", r.text.len);
	const char *mark = strstr(buf_cstr(&r.text), "[… output capped at 256 KiB; continue with "
	                                             "offset=");

	cr_assert(mark, "no cap marker");
	int next = atoi(mark + strlen("[… output capped at 256 KiB; continue with offset="));

	cr_assert(next > 200 && next < 300, "next %d", next);
	tool_result_fini(&r);
	buf_fini(&b);
}

Test(tool, read_errors)
{
	put_bytes("bin", "ab\0cd\0", 6);
	expect_err("read_file", "{\"path\":\"bin\"}",
	           "bin: binary file (6 bytes); read_file shows text, images (PNG, JPEG, GIF, "
	           "WebP) and PDFs");
	mkd("dir");
	char *want = xasprintf("'%s/dir' is a directory", gdir);

	expect_err("read_file", "{\"path\":\"dir\"}", want);
	free(want);

	struct tool_result r;

	call(&r, "read_file", "{\"path\":\"nope\"}");
	cr_assert(r.is_error && !r.denied);
	cr_assert(strstr(buf_cstr(&r.text), "no such file or directory"), "%s", buf_cstr(&r.text));
	tool_result_fini(&r);

	/* Escapes are errors the model sees, flagged for the audit log. */
	call(&r, "read_file", "{\"path\":\"/etc/passwd\"}");
	cr_assert(r.is_error && r.denied);
	want = xasprintf("path '/etc/passwd' is outside the granted folders (%s)", gdir);
	cr_assert_str_eq(buf_cstr(&r.text), want);
	free(want);
	tool_result_fini(&r);

	char *link = xasprintf("%s/link", gdir);

	cr_assert(symlink("/etc/passwd", link) == 0);
	call(&r, "read_file", "{\"path\":\"link\"}");
	cr_assert(r.is_error && r.denied);
	cr_assert(strstr(buf_cstr(&r.text), "symlink in path"), "%s", buf_cstr(&r.text));
	cr_assert(!strstr(buf_cstr(&r.text), "root:"));
	tool_result_fini(&r);
	free(link);
}

/* Decode standard base64 (test oracle, independent of tool_base64). */
static size_t
unbase64(const char *s, unsigned char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;
	unsigned v = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		const char *p = strchr(tab, *s);

		cr_assert(p, "bad base64 char %c", *s);
		v = (v << 6) | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(v >> bits);
		}
	}
	return n;
}

static void
check_media(const char *name, const unsigned char *data, size_t n, const char *type, const char *mt)
{
	struct tool_result r;
	char *json = xasprintf("{\"path\":\"%s\"}", name);

	put_bytes(name, data, n);
	call(&r, "read_file", json);
	free(json);
	cr_assert(!r.is_error, "%s", buf_cstr(&r.text));
	cr_assert(cJSON_IsArray(r.content));
	cr_assert_eq(cJSON_GetArraySize(r.content), 1);
	cJSON *blk = cJSON_GetArrayItem(r.content, 0), *src = json_obj(blk, "source");

	cr_assert_str_eq(json_str(blk, "type"), type);
	cr_assert(src);
	cr_assert_str_eq(json_str(src, "type"), "base64");
	cr_assert_str_eq(json_str(src, "media_type"), mt);
	const char *b64 = json_str(src, "data");

	cr_assert_eq(strlen(b64), (n + 2) / 3 * 4);
	unsigned char *dec = xmalloc(n + 3);

	cr_assert_eq(unbase64(b64, dec), n);
	cr_assert(!memcmp(dec, data, n), "base64 round trip differs");
	free(dec);
	if (!strcmp(type, "document"))
		cr_assert_str_eq(json_str(blk, "title"), name);
	char *want = xasprintf("%s: %s, %zu bytes", name, mt, n);

	if (!strcmp(type, "document")) /* a PDF whose text poppler cannot read */
		cr_assert(!strncmp(buf_cstr(&r.text), want, strlen(want)) &&
		                  strstr(r.text.ptr, " (no text: doc.pdf: not a readable PDF"),
		          "%s", r.text.ptr);
	else
		cr_assert_str_eq(buf_cstr(&r.text), want);
	free(want);
	tool_result_fini(&r);
}

Test(tool, read_media)
{
	unsigned char png[300];

	memcpy(png, "\x89PNG\r\n\x1a\n", 8);
	for (size_t i = 8; i < sizeof png; i++)
		png[i] = (unsigned char)(i * 7);
	check_media("pic.png", png, sizeof png, "image", "image/png");
	check_media("pic1.png", png, 298, "image", "image/png"); /* padding "=" */
	check_media("pic2.png", png, 299, "image", "image/png"); /* padding "==" */
	unsigned char jpg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0 };

	check_media("p.jpg", jpg, sizeof jpg, "image", "image/jpeg");
	check_media("a.gif", (const unsigned char *)"GIF89a\1\0\1\0\0\0", 12, "image", "image/gif");
	check_media("w.webp", (const unsigned char *)"RIFF\x10\0\0\0WEBPVP8 ", 16, "image",
	            "image/webp");
	const char *pdf = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";

	check_media("doc.pdf", (const unsigned char *)pdf, strlen(pdf), "document",
	            "application/pdf");
}

Test(tool, read_media_too_large)
{
	char *p = xasprintf("%s/huge.png", gdir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "\x89PNG\r\n\x1a\n", 8), 8);
	cr_assert(ftruncate(fd, 6 << 20) == 0);
	close(fd);
	expect_err("read_file", "{\"path\":\"huge.png\"}",
	           "huge.png is too large to show (6291456 bytes; the limit for images and PDFs "
	           "is 5 MiB)");
	free(p);
}

/*
 * list_files, search_files
 */

static void
make_tree(void)
{
	mkd("b");
	mkd("b/deep");
	mkd(".git");
	mkd("a-dir");
	put("a.txt", "alpha\nbeta\ngamma\n");
	put("b/c.txt", "one\nbeta two\nthree\nfour\nfive\nbeta six\n");
	put("b/deep/d.md", "beta\n");
	put(".git/config", "beta\n");
	put(".hidden", "beta\n");
	put_bytes("b/bin.dat", "beta\0beta", 9);
}

Test(tool, list_files_order_and_patterns)
{
	make_tree();
	expect_ok("list_files", "{}",
	          ".hidden\na-dir/\na.txt\nb/\nb/bin.dat\nb/c.txt\nb/deep/\nb/deep/d.md\n");
	expect_ok("list_files", "{\"pattern\":\"*.txt\"}", "a.txt\nb/c.txt\n");
	expect_ok("list_files", "{\"pattern\":\"b/**/*.md\"}", "b/deep/d.md\n");
	expect_ok("list_files", "{\"pattern\":\"**/deep\"}", "b/deep/\n");
	expect_ok("list_files", "{\"path\":\"b\"}", "b/bin.dat\nb/c.txt\nb/deep/\nb/deep/d.md\n");
	expect_ok("list_files", "{\"path\":\"b\",\"pattern\":\"deep/*\"}", "b/deep/d.md\n");
	expect_ok("list_files", "{\"path\":\"a-dir\"}", "(a-dir is empty)");
	expect_ok("list_files", "{\"pattern\":\"*.xls\"}", "(no entries in . match '*.xls')");
	char *want = xasprintf("'%s/a.txt' is not a directory", gdir);

	expect_err("list_files", "{\"path\":\"a.txt\"}", want);
	free(want);
}

Test(tool, list_files_cap)
{
	mkd("many");
	for (int i = 0; i < 1005; i++) {
		char name[32];

		snprintf(name, sizeof name, "many/f%04d", i);
		put(name, "");
	}
	struct tool_result r;

	call(&r, "list_files", "{\"path\":\"many\"}");
	cr_assert(!r.is_error);
	const char *t = buf_cstr(&r.text);

	cr_assert(!strncmp(t, "many/f0000\nmany/f0001\n", 22));
	cr_assert(strstr(t, "many/f0999\n… 5 more entries (narrow the path or pattern)\n"));
	cr_assert(!strstr(t, "many/f1000"));
	size_t lines = 0;

	for (const char *p = t; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 1001);
	tool_result_fini(&r);
}

Test(tool, search_basic_and_context)
{
	make_tree();
	/* Sorted by path, .git and binary files skipped, hidden files searched. */
	expect_ok("search_files", "{\"pattern\":\"^beta\"}",
	          ".hidden:1:beta\na.txt:2:beta\nb/c.txt:2:beta two\nb/c.txt:6:beta six\n"
	          "b/deep/d.md:1:beta\n");
	expect_ok("search_files", "{\"pattern\":\"beta\",\"glob\":\"*.txt\",\"context\":1}",
	          "a.txt-1-alpha\na.txt:2:beta\na.txt-3-gamma\n"
	          "b/c.txt-1-one\nb/c.txt:2:beta two\nb/c.txt-3-three\n--\n"
	          "b/c.txt-5-five\nb/c.txt:6:beta six\n");
	expect_ok("search_files", "{\"pattern\":\"t(wo|hree)\",\"path\":\"b/c.txt\"}",
	          "b/c.txt:2:beta two\nb/c.txt:3:three\n");
	expect_ok("search_files", "{\"pattern\":\"[0-9]{3}\"}", "no matches for /[0-9]{3}/ in .");
	struct tool_result r;

	call(&r, "search_files", "{\"pattern\":\"(unclosed\"}");
	cr_assert(r.is_error);
	cr_assert(!strncmp(buf_cstr(&r.text), "invalid pattern '(unclosed': ", 29), "%s",
	          buf_cstr(&r.text));
	tool_result_fini(&r);
	call(&r, "search_files", "{\"pattern\":\"x\",\"path\":\"/etc\"}");
	cr_assert(r.is_error && r.denied);
	tool_result_fini(&r);
}

Test(tool, search_caps)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 300; i++)
		buf_printf(&b, "match %d\n", i);
	put("m.txt", buf_cstr(&b));
	struct tool_result r;

	call(&r, "search_files", "{\"pattern\":\"match\"}");
	cr_assert(!r.is_error);
	cr_assert(strstr(buf_cstr(&r.text), "m.txt:200:match 199\n[search stopped at 200 matches; "
	                                    "narrow the pattern, path or glob]\n"));
	cr_assert(!strstr(buf_cstr(&r.text), "match 200"));
	tool_result_fini(&r);

	/* 30 KB of output comes before 200 matches with long lines. */
	buf_clear(&b);
	for (int i = 0; i < 150; i++) {
		buf_puts(&b, "hit ");
		for (int j = 0; j < 400; j++)
			buf_putc(&b, 'z');
		buf_putc(&b, '\n');
	}
	put("m.txt", buf_cstr(&b));
	call(&r, "search_files", "{\"pattern\":\"hit\"}");
	cr_assert(strstr(buf_cstr(&r.text), "[search stopped at 30 KB of output;"));
	cr_assert(r.text.len < 30000 + 1000);
	tool_result_fini(&r);

	/* Files over 1 MiB are skipped and counted. */
	char *p = xasprintf("%s/large.txt", gdir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);

	cr_assert(ftruncate(fd, (1 << 20) + 1) == 0);
	close(fd);
	free(p);
	call(&r, "search_files", "{\"pattern\":\"nothing-here\"}");
	cr_assert_str_eq(buf_cstr(&r.text), "[1 file larger than 1 MiB not searched]\n"
	                                    "no matches for /nothing-here/ in .");
	tool_result_fini(&r);
	buf_fini(&b);
}

/*
 * Mutating tools
 */

Test(tool, write_file)
{
	expect_ok("write_file", "{\"path\":\"new.txt\",\"content\":\"hello\\n\"}",
	          "created new.txt (6 bytes)");
	assert_file("new.txt", "hello\n");
	expect_ok("write_file", "{\"path\":\"new.txt\",\"content\":\"bye\"}",
	          "overwrote new.txt (3 bytes)");
	assert_file("new.txt", "bye");
	expect_ok("write_file", "{\"path\":\"x/y/z.csv\",\"content\":\"a,b\\n\"}",
	          "created x/y/z.csv (4 bytes)");
	assert_file("x/y/z.csv", "a,b\n");

	struct tool_result r;

	call(&r, "write_file", "{\"path\":\"../out/evil\",\"content\":\"x\"}");
	cr_assert(r.is_error && r.denied);
	tool_result_fini(&r);
	char *p = xasprintf("%s/evil", odir);

	cr_assert(access(p, F_OK) < 0);
	free(p);
}

Test(tool, protected_paths_refused)
{
	mkd(".git");
	mkd(".git/hooks");
	put(".git/hooks/pre-commit", "#!/bin/sh\n");
	put(".bashrc", "alias ls=ls\n");
	put("a.txt", "a\n");
	static const char *const why =
		"is protected: deskhand does not let the agent change what runs later outside the "
		"sandbox: git hooks or git config, shell and session startup files, programs in "
		".local/bin, user services and autostart entries, SSH keys and config, or editor, "
		"connector and agent settings; nor its ignore rules (.deskhandignore), which decide "
		"what checkpoints record";
	struct {
		const char *tool, *json, *shown;
	} cases[] = {
		{ "write_file", "{\"path\":\".git/hooks/pre-commit\",\"content\":\"x\"}",
		  ".git/hooks/pre-commit" },
		{ "edit_file",
		  "{\"path\":\".bashrc\",\"old_string\":\"ls\",\"new_string\":\"rm\","
		  "\"replace_all\":true}",
		  ".bashrc" },
		{ "delete_file", "{\"path\":\".git/hooks/pre-commit\"}", ".git/hooks/pre-commit" },
		{ "move_file", "{\"source\":\".git/hooks\",\"destination\":\"hooks-old\"}",
		  ".git/hooks" },
		{ "move_file", "{\"source\":\".git\",\"destination\":\"git-old\"}", ".git" },
		{ "write_file", "{\"path\":\"sub/.git/config\",\"content\":\"x\"}",
		  "sub/.git/config" },
		{ "make_directory", "{\"path\":\".vscode\"}", ".vscode" },
		{ "write_file", "{\"path\":\".deskhand/x\",\"content\":\"x\"}", ".deskhand/x" },
		{ "write_file", "{\"path\":\".deskhandignore\",\"content\":\"*\"}",
		  ".deskhandignore" },
		{ "move_file", "{\"source\":\"a.txt\",\"destination\":\"sub/.deskhandignore\"}",
		  "sub/.deskhandignore" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tool_result r;
		char *want = xasprintf("'%s' %s", cases[i].shown, why);

		call(&r, cases[i].tool, cases[i].json);
		cr_assert(r.is_error && r.denied, "%s %s", cases[i].tool, cases[i].json);
		cr_assert_str_eq(buf_cstr(&r.text), want);
		free(want);
		tool_result_fini(&r);
	}
	/* A protected destination too. */
	put("evil", "x");
	char *want = xasprintf("'.git/hooks/post-merge' %s", why);

	expect_err("move_file", "{\"source\":\"evil\",\"destination\":\".git/hooks/post-merge\"}",
	           want);
	free(want);
	assert_file(".git/hooks/pre-commit", "#!/bin/sh\n");
	assert_file(".bashrc", "alias ls=ls\n");
	cr_assert(!exists("sub") && !exists(".vscode") && !exists(".deskhand"));
	cr_assert(exists("evil"));
	/* Reading them is fine. */
	expect_ok("read_file", "{\"path\":\".bashrc\"}", "     1\talias ls=ls\n");
}

Test(tool, edit_file)
{
	put("e.txt", "apple pie\nbanana split\napple tart\n");
	expect_err("edit_file",
	           "{\"path\":\"e.txt\",\"old_string\":\"cherry\",\"new_string\":\"x\"}",
	           "old_string not found in e.txt");
	expect_err("edit_file",
	           "{\"path\":\"e.txt\",\"old_string\":\"apple\",\"new_string\":\"x\"}",
	           "old_string matches 2 times in e.txt; add context or set replace_all");
	assert_file("e.txt", "apple pie\nbanana split\napple tart\n");
	expect_ok("edit_file",
	          "{\"path\":\"e.txt\",\"old_string\":\"apple pie\",\"new_string\":\"plum pie\"}",
	          "edited e.txt: 1 replacement");
	assert_file("e.txt", "plum pie\nbanana split\napple tart\n");
	expect_ok("edit_file",
	          "{\"path\":\"e.txt\",\"old_string\":\"p\",\"new_string\":\"PP\","
	          "\"replace_all\":true}",
	          "edited e.txt: 5 replacements");
	assert_file("e.txt", "PPlum PPie\nbanana sPPlit\naPPPPle tart\n");
	expect_err("edit_file", "{\"path\":\"e.txt\",\"old_string\":\"\",\"new_string\":\"x\"}",
	           "old_string is empty; to create or replace a whole file use write_file");
	expect_err("edit_file", "{\"path\":\"e.txt\",\"old_string\":\"a\",\"new_string\":\"a\"}",
	           "old_string and new_string are identical; nothing to change in e.txt");
	struct tool_result r;

	call(&r, "edit_file",
	     "{\"path\":\"missing.txt\",\"old_string\":\"a\",\"new_string\":\"b\"}");
	cr_assert(r.is_error && strstr(buf_cstr(&r.text), "no such file"));
	tool_result_fini(&r);
	/* Permissions survive an edit. */
	char *p = xasprintf("%s/e.txt", gdir);
	struct stat st;

	cr_assert(chmod(p, 0700) == 0);
	expect_ok("edit_file",
	          "{\"path\":\"e.txt\",\"old_string\":\"tart\",\"new_string\":\"cake\"}",
	          "edited e.txt: 1 replacement");
	cr_assert(stat(p, &st) == 0 && (st.st_mode & 0777) == 0700);
	free(p);
}

Test(tool, move_file)
{
	put("a.txt", "A");
	put("b.txt", "B");
	expect_err("move_file", "{\"source\":\"a.txt\",\"destination\":\"b.txt\"}",
	           "destination b.txt already exists; move_file never overwrites (delete it "
	           "first or choose another name)");
	assert_file("a.txt", "A");
	assert_file("b.txt", "B");
	expect_ok("move_file", "{\"source\":\"a.txt\",\"destination\":\"archive/2024/a.txt\"}",
	          "moved a.txt to archive/2024/a.txt");
	assert_file("archive/2024/a.txt", "A");
	cr_assert(!exists("a.txt"));
	expect_err("move_file", "{\"source\":\"a.txt\",\"destination\":\"c.txt\"}",
	           "source a.txt does not exist");
	expect_ok("move_file", "{\"source\":\"archive\",\"destination\":\"old\"}",
	          "moved archive to old");
	assert_file("old/2024/a.txt", "A");
	struct tool_result r;

	call(&r, "move_file", "{\"source\":\"b.txt\",\"destination\":\"/tmp/stolen.txt\"}");
	cr_assert(r.is_error && r.denied);
	tool_result_fini(&r);
	assert_file("b.txt", "B");

	/* Between two grants. */
	char *g2 = xasprintf("%s/g2", root);

	cr_assert(mkdir(g2, 0755) == 0);
	cr_assert(grant_add(gs, g2) == 0);
	char *json = xasprintf("{\"source\":\"b.txt\",\"destination\":\"%s/b.txt\"}", g2);
	char *want = xasprintf("moved b.txt to %s/b.txt", g2);

	expect_ok("move_file", json, want);
	cr_assert(!exists("b.txt"));
	free(json);
	free(want);
	free(g2);
}

/* What checkpoints do not hold cannot be changed by the file tools (a change
 * could not be undone): anything in a .git directory, and an existing path
 * that .deskhandignore matches; a new file in an ignored folder is made. */
Test(tool, unrecorded_paths_are_refused)
{
	put(".deskhandignore", "notes/\n*.log\n");
	mkd("notes");
	put("notes/n.txt", "my notes");
	put("a.log", "log");
	mkd(".git");
	mkd(".git/refs");
	put(".git/refs/main", "abc");
	static const char *const calls[][2] = {
		{ "write_file", "{\"path\":\"notes/n.txt\",\"content\":\"x\"}" },
		{ "edit_file", "{\"path\":\"a.log\",\"old_string\":\"log\",\"new_string\":\"x\"}" },
		{ "delete_file", "{\"path\":\"notes/n.txt\"}" },
		{ "move_file", "{\"source\":\"notes/n.txt\",\"destination\":\"kept.txt\"}" },
		{ "write_file", "{\"path\":\".git/refs/main\",\"content\":\"000\"}" },
		{ "write_file", "{\"path\":\".GIT/new\",\"content\":\"x\"}" },
		{ "delete_file", "{\"path\":\".git/refs/main\"}" },
	};
	for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
		struct tool_result r;

		call(&r, calls[i][0], calls[i][1]);
		cr_assert(r.is_error, "%s %s: %s", calls[i][0], calls[i][1], buf_cstr(&r.text));
		cr_assert(strstr(buf_cstr(&r.text), "could not be undone"), "%s", buf_cstr(&r.text));
		cr_assert(strstr(buf_cstr(&r.text), i < 4 ? ".deskhandignore" : ".git directory"),
		          "%s", buf_cstr(&r.text));
		tool_result_fini(&r);
	}
	assert_file("notes/n.txt", "my notes");
	assert_file("a.log", "log");
	assert_file(".git/refs/main", "abc");
	cr_assert(!exists("kept.txt"));
	expect_ok("write_file", "{\"path\":\"notes/new.txt\",\"content\":\"x\"}",
	          "created notes/new.txt (1 bytes)");
}

Test(tool, delete_file)
{
	put("f", "x");
	mkd("empty");
	mkd("full");
	put("full/x", "x");
	char *link = xasprintf("%s/link", gdir), *target = xasprintf("%s/keep", odir);
	FILE *f = fopen(target, "w");

	fputs("keep", f);
	fclose(f);
	cr_assert(symlink(target, link) == 0);
	expect_ok("delete_file", "{\"path\":\"f\"}", "deleted f");
	cr_assert(!exists("f"));
	expect_ok("delete_file", "{\"path\":\"empty\"}", "deleted empty directory empty");
	expect_err("delete_file", "{\"path\":\"full\"}",
	           "full is a directory and not empty; delete_file removes files, symlinks and "
	           "empty directories only (delete what is inside first)");
	cr_assert(exists("full/x"));
	expect_ok("delete_file", "{\"path\":\"link\"}", "deleted link");
	cr_assert(!exists("link"));
	cr_assert(access(target, F_OK) == 0, "symlink target was deleted");
	struct tool_result r;

	call(&r, "delete_file", "{\"path\":\".\"}");
	cr_assert(r.is_error && r.denied);
	tool_result_fini(&r);
	free(link);
	free(target);
}

Test(tool, make_directory)
{
	expect_ok("make_directory", "{\"path\":\"a/b/c\"}", "created directory a/b/c");
	expect_ok("make_directory", "{\"path\":\"a/b\"}", "directory a/b already exists");
	put("file", "x");
	char *want = xasprintf("'%s/file' exists and is not a directory", gdir);

	expect_err("make_directory", "{\"path\":\"file/sub\"}", want);
	free(want);
}

/*
 * run_command
 */

struct done_rec {
	bool called;
	bool is_error;
	char *text;
	struct tool_run *run; /* to cancel from inside done */
	bool cancel_inside;
};

static void
on_done(struct tool_result *res, void *ctx)
{
	struct done_rec *d = ctx;

	d->called = true;
	d->is_error = res->is_error;
	d->text = buf_detach(&res->text);
	if (d->cancel_inside)
		tool_run_cancel(d->run);
}

/* Start run_command with `json`, wait up to 10 s for done. */
static void
run_cmd(struct ev_loop *l, const char *json, struct done_rec *d)
{
	cJSON *in;
	const struct tool_entry *e = tool_find("run_command");

	cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
	cr_assert(tool_validate(e, in) == 0, "%s", err_msg());
	env.loop = l;
	cr_assert(e->start(in, &env, &d->run, on_done, d) == 0);
	cJSON_Delete(in);
	cr_assert(!d->called, "done called from inside start");
	for (uint64_t end = ev_now_ms() + 10000; !d->called && ev_now_ms() < end;)
		cr_assert(ev_run_once(l, 100) == 0);
	cr_assert(d->called, "run_command did not finish");
	if (!d->cancel_inside)
		tool_run_cancel(d->run);
}

Test(tool, run_command_without_sandbox)
{
	struct ev_loop *l;
	struct done_rec d = { 0 };

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = NULL;
	run_cmd(l, "{\"command\":\"touch pwned\"}", &d);
	cr_assert(d.is_error);
	cr_assert_str_eq(d.text, "run_command: the sandbox helper deskhand-sandbox was not found "
	                         "(no path configured); commands never run unsandboxed");
	free(d.text);

	struct done_rec d2 = { 0 };

	env.sandbox_path = "/nonexistent/deskhand-sandbox";
	run_cmd(l, "{\"command\":\"touch pwned\"}", &d2);
	cr_assert(d2.is_error);
	cr_assert_str_eq(d2.text, "run_command: the sandbox helper deskhand-sandbox was not found "
	                          "(/nonexistent/deskhand-sandbox: No such file or directory); "
	                          "commands never run unsandboxed");
	free(d2.text);
	cr_assert(!exists("pwned"));
	ev_free(l);
}

/* A stand-in for deskhand-sandbox that records its argv, honours --chdir and
 * --ready-fd (the byte, unless the command holds "no-ready": then, like a
 * bwrap whose setup failed, it exits 1 without running it) and runs the
 * command unsandboxed: tests the client side only. */
static char *
fake_sandbox(void)
{
	char *p = xasprintf("%s/fake-sandbox", root);
	FILE *f = fopen(p, "w");

	cr_assert(f);
	fprintf(f, "#!/bin/sh\n"
	           "printf '%%s\\n' \"$@\" > \"$0.args\"\n"
	           "ready=\n"
	           "while [ $# -gt 0 ]; do\n"
	           "  case $1 in\n"
	           "    --chdir) cd \"$2\"; shift 2;;\n"
	           "    --ready-fd) ready=$2; shift 2;;\n"
	           "    --) shift; break;;\n"
	           "    *) shift;;\n"
	           "  esac\n"
	           "done\n"
	           "case \"$*\" in *no-ready*) echo 'bwrap: setup failed' >&2; exit 1;; esac\n"
	           "[ -z \"$ready\" ] || printf R > \"/proc/self/fd/$ready\"\n"
	           "exec \"$@\"\n");
	fclose(f);
	cr_assert(chmod(p, 0755) == 0);
	return p;
}

Test(tool, run_command_client_with_fake_helper)
{
	struct ev_loop *l;
	char *fake = fake_sandbox();

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = fake;
	setenv("DH_TEST_SECRET", "sk-ant-secret", 1);

	struct done_rec d = { 0 };

	run_cmd(l, "{\"command\":\"echo hello; pwd; env | grep -v PWD= | sort\",\"timeout_s\":7}",
	        &d);
	cr_assert(!d.is_error, "%s", d.text);
	char *want =
		xasprintf("hello\n%s\nLANG=C.UTF-8\nPATH=/usr/local/bin:/usr/bin:/bin\n", gdir);

	cr_assert(!strncmp(d.text, want, strlen(want)), "got: %s", d.text);
	cr_assert(!strstr(d.text, "sk-ant-secret"), "environment leaked");
	cr_assert(!strcmp(d.text + strlen(d.text) - strlen("\nexit status 0"), "\nexit status 0"),
	          "%s", d.text);
	free(want);
	free(d.text);

	/* The helper's argv contract. */
	char *args_path = xasprintf("%s.args", fake), *args;
	FILE *f = fopen(args_path, "r");
	struct buf b = BUF_INIT;
	char chunk[1024];
	size_t n;

	cr_assert(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	args = buf_detach(&b);
	/* --ready-fd's number is whatever the pipe got: compare around it. */
	want = xasprintf("--rw\n%s\n--chdir\n%s\n--timeout\n7\n--exec\n--ready-fd\n", gdir,
	                 gdir);
	cr_assert(!strncmp(args, want, strlen(want)), "%s", args);
	const char *rest = args + strlen(want) + strspn(args + strlen(want), "0123456789");

	cr_assert(rest > args + strlen(want), "%s", args);
	cr_assert_str_eq(rest, "\n--\n/bin/sh\n-c\necho hello; pwd; env | grep -v PWD= | sort\n");
	free(want);
	free(args);
	free(args_path);

	static const struct {
		const char *json, *want;
		bool is_error;
	} cases[] = {
		{ "{\"command\":\"echo out; echo err >&2; exit 3\"}", "out\nerr\nexit status 3",
		  true },
		{ "{\"command\":\"printf x\"}", "x\nexit status 0", false },
		{ "{\"command\":\"true\"}", "exit status 0", false },
		/* exec mode: 124 and 125 after the ready byte are the command's own */
		{ "{\"command\":\"exit 124\",\"timeout_s\":9}", "exit status 124", true },
		{ "{\"command\":\"echo 'own message' >&2; exit 125\"}",
		  "own message\nexit status 125", true },
		/* no ready byte: the setup failed, the command did not run */
		{ "{\"command\":\"touch no-ready.txt\"}",
		  "bwrap: setup failed\nexit status 125 (the sandbox could not be set up: bwrap "
		  "exit 1; the command did not run)",
		  true },
		/* the timeout is ours: the helper (here the command itself) is killed */
		{ "{\"command\":\"sleep 30\",\"timeout_s\":1}", "timed out after 1 s", true },
		{ "{\"command\":\"kill -9 $$\"}", "killed by signal 9", true },
		{ "{\"command\":\"exit 130\"}", "killed by signal 2", true },
		{ "{\"command\":\"no-such-command-dh\"}", NULL, true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct done_rec c = { 0 };

		run_cmd(l, cases[i].json, &c);
		cr_assert_eq(c.is_error, cases[i].is_error, "%s: %s", cases[i].json, c.text);
		if (cases[i].want)
			cr_assert_str_eq(c.text, cases[i].want, "%s", cases[i].json);
		else
			cr_assert(strstr(c.text, "exit status 127"), "%s", c.text);
		free(c.text);
	}
	cr_assert(!exists("no-ready.txt"), "a command whose setup failed ran");
	ev_free(l);
	free(fake);
}

/* run_command names the watcher's nested repositories to the helper (--repo),
 * nearest first, those one folder down left to the helper; the first command
 * waits for the watcher's first walk, which here is still running when it
 * starts (thousands of folders, the repositories among them). */
Test(tool, run_command_names_the_nested_repositories)
{
	static const char *const repos[] = { "a", "t/team/deep", "k/b", "z/y/x/w" };
	struct ev_loop *l;
	struct watch *w;
	char *fake = fake_sandbox(), *p;

	for (int i = 0; i < 40; i++)
		for (int j = 0; j < 100; j++) {
			p = xasprintf("%s/bulk%02d", gdir, i);
			(void)mkdir(p, 0755);
			free(p);
			p = xasprintf("%s/bulk%02d/%02d", gdir, i, j);
			cr_assert_eq(mkdir(p, 0755), 0, "%s: %s", p, strerror(errno));
			free(p);
		}
	for (size_t i = 0; i < sizeof repos / sizeof *repos; i++) {
		p = xasprintf("mkdir -p '%s/%s/.git'", gdir, repos[i]);
		cr_assert_eq(system(p), 0);
		free(p);
	}
	cr_assert(ev_new(&l) == 0);
	cr_assert_eq(watch_new(&w, l, NULL, NULL), 0, "%s", err_msg());
	cr_assert_eq(watch_add_tree(w, 0, gdir, NULL), 0, "%s", err_msg());
	env.sandbox_path = fake;
	env.watch = w;

	struct done_rec d = { 0 };

	run_cmd(l, "{\"command\":\"true\"}", &d);
	cr_assert(!d.is_error, "%s", d.text);
	free(d.text);
	struct buf ab = BUF_INIT;

	p = xasprintf("%s.args", fake);
	cr_assert_eq(fsutil_read_file(p, 1 << 20, &ab), 0, "%s", err_msg());
	char *args = buf_detach(&ab), *want = xasprintf("\n--repo\n%s/k/b\n--repo\n%s/t/team/deep\n"
	                                         "--repo\n%s/z/y/x/w\n--chdir\n",
	                                         gdir, gdir, gdir);

	cr_assert(strstr(args, want), "%s", args);
	free(want);
	free(args);
	free(p);
	env.watch = NULL;
	watch_free(w);
	ev_free(l);
	free(fake);
}

/* tool_store_fn for the tests: ctx is the path to create. */
static int
test_store(int *fd, char **path, void *ctx)
{
	*fd = open(ctx, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	*path = *fd >= 0 ? xstrdup(ctx) : NULL;
	return *fd >= 0 ? 0 : err_set("%s: %s", (char *)ctx, strerror(errno));
}

struct live_rec {
	struct buf all;
	int events;
};

static void
test_live(const char *text, size_t len, void *ctx)
{
	struct live_rec *lr = ctx;

	cr_assert(len > 0 && utf8_valid(text, len));
	buf_add(&lr->all, text, len);
	lr->events++;
}

Test(tool, run_command_output_cap)
{
	struct ev_loop *l;
	char *fake = fake_sandbox();
	struct done_rec d = { 0 };

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = fake;
	env.output_cap = 100;
	/* No store: the head and the tail, and why the whole is not kept. */
	run_cmd(l, "{\"command\":\"head -c 1000 /dev/zero | tr '\\\\0' a\"}", &d);
	cr_assert(!d.is_error, "%s", d.text);
	cr_assert_eq(strspn(d.text, "a"), 50, "%s", d.text);
	cr_assert_str_eq(d.text + 50, "\n[… 900 bytes omitted: the first 50 and the last 50 of "
				      "1000 bytes are shown. The whole output could not be stored: "
				      "no session to store it in …]\n"
				      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
				      "exit status 0");
	free(d.text);

	/* Multi-byte characters are never cut in half: head and tail are valid
	 * UTF-8 with no replacement character (an odd cut lands mid-"é"). */
	struct done_rec d2 = { 0 };
	env.output_cap = 101;
	run_cmd(l, "{\"command\":\"printf x; for i in $(seq 1 500); do printf '\\\\303\\\\251'; done\"}",
		&d2);
	cr_assert(!d2.is_error, "%s", d2.text);
	cr_assert(utf8_valid(d2.text, strlen(d2.text)), "%s", d2.text);
	cr_assert(!strstr(d2.text, "\xef\xbf\xbd"), "a character was cut: %s", d2.text);
	cr_assert(!strncmp(d2.text, "xé", 3), "%s", d2.text);
	cr_assert(strstr(d2.text, "ééé\nexit status 0"), "%s", d2.text);
	free(d2.text);
	ev_free(l);
	free(fake);
}

/* Lines: cut at line ends; the whole output stored; the last line (the
 * error) kept; live output as it comes, all of it for a short command. */
Test(tool, run_command_head_tail_store_live)
{
	struct ev_loop *l;
	char *fake = fake_sandbox();
	struct done_rec d = { 0 };
	char *store = xasprintf("%s/whole.out", gdir);
	struct live_rec lr = { BUF_INIT, 0 };

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = fake;
	env.output_cap = 1000;
	env.store = test_store; /* its ctx is the path */
	env.hook_ctx = store;
	run_cmd(l, "{\"command\":\"seq 1 5000; echo 'error: the end' >&2; exit 2\"}", &d);
	cr_assert(d.is_error);
	cr_assert(!strncmp(d.text, "1\n2\n3\n", 6), "%s", d.text);
	cr_assert(strstr(d.text, "\n[… "), "%s", d.text);
	cr_assert(strstr(d.text, " bytes omitted: the first "), "%s", d.text);
	cr_assert(strstr(d.text, store), "the stored path is named: %s", d.text);
	cr_assert(strstr(d.text, "…]\n"), "%s", d.text);
	char *tail = strstr(d.text, "…]\n") + strlen("…]\n");
	cr_assert(tail[-1] == '\n' && strchr("0123456789", tail[0]), "tail from a line start: %s",
		  tail);
	cr_assert(strstr(d.text, "4999\n5000\nerror: the end\nexit status 2"), "%s", d.text);
	/* the head ends at a line end */
	char *mark = strstr(d.text, "\n[… ");
	cr_assert(mark[-1] >= '0' && mark[-1] <= '9');
	free(d.text);

	struct buf whole = BUF_INIT;
	cr_assert(fsutil_read_file(store, 1 << 20, &whole) == 0);
	struct buf want = BUF_INIT;
	for (int i = 1; i <= 5000; i++)
		buf_printf(&want, "%d\n", i);
	buf_puts(&want, "error: the end\n");
	cr_assert_eq(whole.len, want.len);
	cr_assert(!memcmp(whole.ptr, want.ptr, want.len), "the stored output is the whole");
	buf_fini(&whole);
	buf_fini(&want);

	/* Live: two events at least for output a second apart, nothing lost. */
	struct done_rec d2 = { 0 };
	env.store = NULL;
	env.on_output = test_live;
	env.hook_ctx = &lr;
	run_cmd(l, "{\"command\":\"echo first; sleep 1; echo second\"}", &d2);
	cr_assert(!d2.is_error, "%s", d2.text);
	cr_assert_str_eq(buf_cstr(&lr.all), "first\nsecond\n");
	cr_assert_geq(lr.events, 2);
	free(d2.text);
	buf_fini(&lr.all);
	env.on_output = NULL;
	env.hook_ctx = NULL;
	ev_free(l);
	free(store);
	free(fake);
}

/* State letter of a process from /proc, or 0 if it is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], line[512];

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	char *ok = fgets(line, sizeof line, f);

	fclose(f);
	char *rp = ok ? strrchr(line, ')') : NULL;

	return rp && rp[1] == ' ' ? rp[2] : 0;
}

Test(tool, run_command_cancel_kills_tree)
{
	struct ev_loop *l;
	char *fake = fake_sandbox();
	struct done_rec d = { 0 };
	cJSON *in;
	const struct tool_entry *e = tool_find("run_command");
	char *pidfile = xasprintf("%s/bg.pid", gdir);
	char *json = xasprintf("{\"command\":\"sleep 30 & echo $! > bg.pid; wait\"}");

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = fake;
	env.loop = l;
	cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
	cr_assert(e->start(in, &env, &d.run, on_done, &d) == 0);
	cJSON_Delete(in);

	pid_t bg = 0;

	for (uint64_t end = ev_now_ms() + 5000; !bg && ev_now_ms() < end;) {
		cr_assert(ev_run_once(l, 50) == 0);
		FILE *f = fopen(pidfile, "r");
		int v = 0;

		if (f && fscanf(f, "%d", &v) == 1)
			bg = (pid_t)v;
		if (f)
			fclose(f);
	}
	cr_assert(bg > 0, "the command did not start");
	cr_assert(proc_state(bg) && proc_state(bg) != 'Z');
	tool_run_cancel(d.run);
	cr_assert(!d.called, "done called after cancel");
	char st = 'S';

	for (uint64_t end = ev_now_ms() + 3000; ev_now_ms() < end; usleep(20000))
		if ((st = proc_state(bg)) == 0 || st == 'Z')
			break;
	cr_assert(st == 0 || st == 'Z', "background child survived the cancel (%c)", st);
	/* Nothing more arrives. */
	cr_assert(ev_run_once(l, 50) == 0);
	cr_assert(!d.called);
	ev_free(l);
	free(json);
	free(pidfile);
	free(fake);
}

Test(tool, run_command_cancel_inside_done)
{
	struct ev_loop *l;
	char *fake = fake_sandbox();
	struct done_rec d = { .cancel_inside = true };

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = fake;
	run_cmd(l, "{\"command\":\"echo bye\"}", &d);
	cr_assert_str_eq(d.text, "bye\nexit status 0");
	free(d.text);
	ev_free(l);
	free(fake);
}

Test(tool, run_command_real_sandbox)
{
	const char *sbx = getenv("DH_SANDBOX");

	if (!sbx || access(sbx, X_OK) < 0)
		SKIP("DH_SANDBOX does not name an executable deskhand-sandbox");
	struct ev_loop *l;
	struct done_rec d = { 0 };

	cr_assert(ev_new(&l) == 0);
	env.sandbox_path = sbx;
	run_cmd(l, "{\"command\":\"echo hi > made.txt; cat made.txt; pwd\"}", &d);
	if (d.is_error && strstr(d.text, "exit status 125")) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", d.text);
		free(d.text);
		ev_free(l);
		SKIP("the sandbox cannot be set up here: %s", msg);
	}
	char *want = xasprintf("hi\n%s\nexit status 0", gdir);

	cr_assert_str_eq(d.text, want);
	assert_file("made.txt", "hi\n");
	free(want);
	free(d.text);
	ev_free(l);
}

/*
 * Approvals (agent/approval.h): the diff a file-changing call would make (the
 * tool's preview, diffed by libgit2) on real files, and the always-allow
 * rules' matching.
 */

static void
approval_setup(void)
{
	setup();
	cr_assert_eq(snap_global_init(), 0);
}

static void
approval_teardown(void)
{
	teardown();
	snap_global_shutdown();
}

TestSuite(approval, .init = approval_setup, .fini = approval_teardown, .timeout = 20);

/* The approval diff of tool `name` called with `input` (heap). */
static char *
diff_of(const char *name, cJSON *input)
{
	char *d = approval_diff(tool_find(name), input, &env);

	cJSON_Delete(input);
	cr_assert(d, "%s has no diff", name);
	return d;
}

/* 200 numbered lines "line N\n". */
static char *
two_hundred(void)
{
	struct buf b = BUF_INIT;

	for (int i = 1; i <= 200; i++)
		buf_printf(&b, "line %d\n", i);
	return buf_detach(&b);
}

Test(approval, edit_file_three_lines_of_two_hundred)
{
	char *text = two_hundred();

	put("big.txt", text);
	free(text);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "big.txt");
	json_add_str(in, "old_string", "line 50\nline 51\nline 52\n");
	json_add_str(in, "new_string", "fifty\nfifty-one\nfifty-two\n");
	char *d = diff_of("edit_file", in);

	cr_assert_str_eq(d, "--- a/big.txt\n+++ b/big.txt\n"
			    "@@ -47,9 +47,9 @@\n"
			    " line 47\n line 48\n line 49\n"
			    "-line 50\n-line 51\n-line 52\n"
			    "+fifty\n+fifty-one\n+fifty-two\n"
			    " line 53\n line 54\n line 55\n",
			 "got:\n%s", d);
	free(d);
	/* A preview changes nothing. */
	char *after = get("big.txt");
	cr_assert(strstr(after, "line 50\n"));
	free(after);
}

Test(approval, write_file_existing_shows_only_the_change)
{
	put("m.md", "# Meeting\n\nAlice\nBob\n");
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "m.md");
	json_add_str(in, "content", "# Meeting\n\nAlice\nCarol\n");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "--- a/m.md\n+++ b/m.md\n@@ -1,4 +1,4 @@\n"
			    " # Meeting\n \n Alice\n-Bob\n+Carol\n",
			 "got:\n%s", d);
	free(d);
}

Test(approval, write_file_new)
{
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "sub/new.txt");
	json_add_str(in, "content", "a\nb");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "--- /dev/null\n+++ b/sub/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n"
			    "\\ No newline at end of file\n",
			 "got:\n%s", d);
	free(d);
	struct stat st;
	char *p = xasprintf("%s/sub", gdir);
	cr_assert(stat(p, &st) < 0, "the preview created sub/");
	free(p);
}

Test(approval, binary_is_one_line)
{
	put_bytes("b.bin", "ab\0cd", 5);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "b.bin");
	json_add_str(in, "content", "text now\n");
	char *d = diff_of("write_file", in);

	cr_assert_str_eq(d, "changed b.bin (binary file): 5 -> 9 bytes\n", "got:\n%s", d);
	free(d);
}

Test(approval, big_file_is_one_line)
{
	size_t n = (1u << 20) + 10;
	char *big = xmalloc(n);

	memset(big, 'x', n);
	big[n - 1] = '\n';
	put_bytes("big.log", big, n);
	free(big);
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "big.log");
	json_add_str(in, "old_string", "xx");
	json_add_str(in, "new_string", "y");
	char *d = diff_of("edit_file", in);

	cr_assert_str_eq(d, "changed big.log (over 1 MiB): 1048586 bytes\n", "got:\n%s", d);
	free(d);
}

Test(approval, move_and_delete_and_failure)
{
	put("a.txt", "one\ntwo\n");
	cJSON *in = json_new_obj();

	json_add_str(in, "source", "a.txt");
	json_add_str(in, "destination", "docs/b.txt");
	char *d = diff_of("move_file", in);
	cr_assert_str_eq(d, "rename from a.txt\nrename to docs/b.txt\n", "got:\n%s", d);
	free(d);

	in = json_new_obj();
	json_add_str(in, "path", "a.txt");
	d = diff_of("delete_file", in);
	cr_assert_str_eq(d, "--- a/a.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n",
			 "got:\n%s", d);
	free(d);

	in = json_new_obj();
	json_add_str(in, "path", "a.txt");
	json_add_str(in, "old_string", "three");
	json_add_str(in, "new_string", "3");
	d = diff_of("edit_file", in);
	cr_assert_str_eq(d, "(this call would fail: old_string not found in a.txt)\n",
			 "got:\n%s", d);
	free(d);
	cr_assert_null(approval_diff(tool_find("read_file"), NULL, &env));

	in = json_new_obj();
	json_add_str(in, "path", "docs/new");
	d = diff_of("make_directory", in);
	cr_assert_str_eq(d, "new directory docs/new\n", "got:\n%s", d);
	free(d);
	char *dir = xasprintf("%s/docs", gdir);
	struct stat st;
	cr_assert(stat(dir, &st) < 0, "the preview made the directory");
	free(dir);
}

Test(approval, prefix_rules)
{
	cr_assert(approval_prefix_match("git status", "git status"));
	cr_assert(approval_prefix_match("git status", "git status -s"));
	cr_assert(approval_prefix_match("git status", "  git status\t--short"));
	cr_assert_not(approval_prefix_match("git status", "git statusx"));
	cr_assert_not(approval_prefix_match("git status", "git stat"));
	cr_assert_not(approval_prefix_match("git status", "git status; rm -rf ~"));
	cr_assert_not(approval_prefix_match("git status", "git status && rm x"));
	cr_assert_not(approval_prefix_match("git status", "git status $(rm x)"));
	cr_assert_not(approval_prefix_match("git status", "git status\nrm x"));
	cr_assert_not(approval_prefix_match("", "ls"));
}

Test(approval, rules_match)
{
	struct approval_rules r = { 0 };
	cJSON *cmd = json_new_obj(), *f1 = json_new_obj(), *f2 = json_new_obj(),
	      *mv = json_new_obj();

	json_add_str(cmd, "command", "make test");
	json_add_str(f1, "path", "notes/a.md");
	json_add_str(f2, "path", "notes/deep/b.txt");
	json_add_str(mv, "source", "notes/a.md");
	json_add_str(mv, "destination", "other/a.md");

	cr_assert_null(approval_rules_decide(&r, "run_command", cmd, &env));
	cr_assert_eq(approval_rules_add(&r, "run_command", "make", &env), 0);
	cr_assert_eq(approval_rules_add(&r, "run_command", "make", &env), 0);
	cr_assert_eq(r.n, 1, "a rule is not added twice");
	const struct approval_rule *m = approval_rules_decide(&r, "run_command", cmd, &env);
	cr_assert(m);
	char *what = approval_rule_describe(m);
	cr_assert_str_eq(what, "run_command \"make\"");
	free(what);

	cr_assert_eq(approval_rules_add(&r, "write_file", "notes/*.md", &env), 0);
	cr_assert(approval_rules_decide(&r, "write_file", f1, &env));
	cr_assert_null(approval_rules_decide(&r, "write_file", f2, &env));
	cr_assert_null(approval_rules_decide(&r, "edit_file", f1, &env), "per tool");
	cr_assert_eq(approval_rules_add(&r, "write_file", "notes/**", &env), 0);
	cr_assert(approval_rules_decide(&r, "write_file", f2, &env));
	/* A move matches only when both paths do. */
	cr_assert_eq(approval_rules_add(&r, "move_file", "notes/*", &env), 0);
	cr_assert_null(approval_rules_decide(&r, "move_file", mv, &env));
	/* An absolute path inside the grant is matched in its relative form. */
	cJSON *abs = json_new_obj();
	char *p = xasprintf("%s/notes/z.md", gdir);
	json_add_str(abs, "path", p);
	free(p);
	cr_assert(approval_rules_decide(&r, "write_file", abs, &env));
	/* So is an absolute or "./" glob inside the first grant. */
	char *g = xasprintf("%s/docs/*.txt", gdir);
	cr_assert_eq(approval_rules_add(&r, "delete_file", g, &env), 0);
	free(g);
	cr_assert_eq(approval_rules_add(&r, "delete_file", "./docs/*.txt", &env), 0);
	cr_assert_str_eq(r.v[r.n - 1].pattern, "docs/*.txt");
	cr_assert_eq(approval_rules_add(&r, "write_file", "./docs/*.txt", &env), 0);
	cJSON *rel = json_new_obj();
	json_add_str(rel, "path", "docs/a.txt");
	cr_assert(approval_rules_decide(&r, "delete_file", rel, &env));
	cJSON_Delete(rel);
	/* The whole tool, and a pattern where none applies. */
	cr_assert_eq(approval_rules_add(&r, "edit_file", NULL, &env), 0);
	cr_assert(approval_rules_decide(&r, "edit_file", f2, &env));
	cr_assert_eq(approval_rules_add(&r, "web_fetch", "x", &env), DH_EPARSE);
	cJSON *j = approval_rules_to_json(&r);
	char *s = json_print(j);
	cr_assert(strstr(s, "{\"tool\":\"edit_file\"}"), "%s", s);
	cr_assert(strstr(s, "{\"tool\":\"run_command\",\"pattern\":\"make\"}"), "%s", s);
	free(s);
	cJSON_Delete(j);
	approval_rules_fini(&r);
	cJSON_Delete(cmd);
	cJSON_Delete(f1);
	cJSON_Delete(f2);
	cJSON_Delete(mv);
	cJSON_Delete(abs);
}

Test(approval, long_diff_is_cut_on_a_line)
{
	struct buf content = BUF_INIT;

	for (int i = 0; i < 60000; i++)
		buf_printf(&content, "row %d\n", i); /* about 580 KB of text */
	cJSON *in = json_new_obj();

	json_add_str(in, "path", "rows.txt");
	json_add_str(in, "content", buf_cstr(&content));
	buf_fini(&content);
	char *d = diff_of("write_file", in);
	size_t n = strlen(d);

	cr_assert(n < (256u << 10) + 100, "%zu bytes", n);
	cr_assert(strstr(d, "more lines of diff not shown (over 256 KiB)\n"));
	cr_assert(strstr(d, "\n+row 100\n"));
	cr_assert_null(strstr(d, "+row 59999\n"));
	free(d);
}

/*
 * read_tool_output: pages of a value stored in the session (session/blob.h)
 */

Test(tool, read_tool_output_pages_a_stored_value)
{
	/* "é" (2 bytes) straddles byte 4: pages start and end on a character. */
	const char v[] = "abc\xc3\xa9" "defghij";

	char *d = xasprintf("%s/blobs", odir), *p = xasprintf("%s/blobs/000003", odir);

	env.session_dir = odir;
	cr_assert(mkdir(d, 0700) == 0);
	free(d);
	cr_assert_eq(fsutil_write_atomic(p, v, sizeof v - 1), 0);
	expect_ok("read_tool_output", "{\"id\":\"blobs/000003\"}",
	          "[blobs/000003: bytes 0 to 12 of 12; the end]\nabc\xc3\xa9" "defghij");
	expect_ok("read_tool_output", "{\"id\":\"000003\",\"offset\":4,\"limit\":4}",
	          "[blobs/000003: bytes 5 to 8 of 12; continue with offset 8]\ndef");
	expect_ok("read_tool_output", "{\"id\":\"blobs/000003\",\"offset\":0,\"limit\":4}",
	          "[blobs/000003: bytes 0 to 3 of 12; continue with offset 3]\nabc");
	/* the absolute path run_command names is the same value */
	char *in = xasprintf("{\"id\":\"%s\",\"offset\":8}", p);
	expect_ok("read_tool_output", in, "[blobs/000003: bytes 8 to 12 of 12; the end]\nghij");
	free(in);
	expect_err("read_tool_output", "{\"id\":\"blobs/000003\",\"offset\":12}",
	           "read_tool_output: offset 12 is past the end of blobs/000003 (12 bytes)");
	expect_err("read_tool_output", "{\"id\":\"blobs/000009\"}",
	           "read_tool_output: blobs/000009: No such file or directory");
	/* nothing but the session's own blobs */
	expect_err("read_tool_output", "{\"id\":\"../../etc/passwd\"}",
	           "read_tool_output: '../../etc/passwd' is not a stored value: pass the name a "
	           "\"[deskhand stored this value …]\" note gives, such as blobs/000003");
	expect_err("read_tool_output", "{\"id\":\"/etc/blobs/000003\"}",
	           "read_tool_output: '/etc/blobs/000003' is not a stored value: pass the name a "
	           "\"[deskhand stored this value …]\" note gives, such as blobs/000003");
	env.session_dir = NULL;
	expect_err("read_tool_output", "{\"id\":\"blobs/000003\"}",
	           "read_tool_output: this session stores no values");
	free(p);
}

/* The agent's way into read_file: a document is read on the worker, any
 * other file on the loop at its next iteration; done never runs inside
 * start. */
Test(tool, read_file_document_on_the_worker)
{
	struct ev_loop *l;
	struct worker *w;
	const struct tool_entry *e = tool_find("read_file");
	static const char *const files[][2] = {
		{ "book.xlsx", "not a zip" },
		{ "plain.txt", "hello\n" },
	};

	cr_assert(ev_new(&l) == 0);
	cr_assert(worker_new(&w, l) == 0);
	env.loop = l;
	env.worker = w;
	for (size_t i = 0; i < 2; i++) {
		struct done_rec d = { 0 };
		char *json = xasprintf("{\"path\":\"%s\"}", files[i][0]);
		cJSON *in;

		put(files[i][0], files[i][1]);
		cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
		cr_assert(e->start(in, &env, &d.run, on_done, &d) == 0);
		cJSON_Delete(in);
		free(json);
		cr_assert(!d.called, "done called from inside start");
		cr_assert_eq(worker_pending(w), i == 0 ? 1u : 0u);
		for (uint64_t end = ev_now_ms() + 10000; !d.called && ev_now_ms() < end;)
			cr_assert(ev_run_once(l, 100) == 0);
		cr_assert(d.called);
		if (i == 0)
			cr_assert(d.is_error && strstr(d.text, "book.xlsx: not a readable zip container"),
			          "%s", d.text);
		else
			cr_assert(!d.is_error && strstr(d.text, "hello"), "%s", d.text);
		tool_run_cancel(d.run);
		free(d.text);
	}
	env.worker = NULL;
	worker_free(w);
	ev_free(l);
}

/* Holds the worker until a byte comes on the pipe (ctx: its read end). */
static int
block_on_pipe(void *ctx)
{
	char c;

	return read(*(int *)ctx, &c, 1) == 1 ? 0 : DH_EFAIL;
}

/* A call cancelled while its job waits behind another on the worker (a
 * checkpoint) never runs: the model was told it was interrupted, so
 * write_file writes nothing; the call queued after it still runs. */
Test(tool, write_file_cancelled_while_queued_writes_nothing)
{
	struct ev_loop *l;
	struct worker *w;
	const struct tool_entry *e = tool_find("write_file");
	static const char *const inputs[] = {
		"{\"path\":\"cut.txt\",\"content\":\"interrupted\\n\"}",
		"{\"path\":\"kept.txt\",\"content\":\"kept\\n\"}",
	};
	struct done_rec d[2] = { 0 };
	int p[2];

	cr_assert(pipe(p) == 0);
	cr_assert(ev_new(&l) == 0);
	cr_assert(worker_new(&w, l) == 0);
	env.loop = l;
	env.worker = w;
	worker_post(w, block_on_pipe, NULL, &p[0]);
	for (size_t i = 0; i < 2; i++) {
		cJSON *in;

		cr_assert(json_parse(&in, inputs[i], strlen(inputs[i]), "test") == 0);
		cr_assert(e->start(in, &env, &d[i].run, on_done, &d[i]) == 0);
		cJSON_Delete(in);
	}
	cr_assert_eq(worker_pending(w), 3u);
	tool_run_cancel(d[0].run);
	cr_assert(write(p[1], "x", 1) == 1);
	worker_drain(w);
	cr_assert(!d[0].called, "done called for a cancelled call");
	cr_assert(!exists("cut.txt"), "a write_file cancelled while queued wrote its file");
	cr_assert(d[1].called && !d[1].is_error, "%s", d[1].text ? d[1].text : "(no result)");
	assert_file("kept.txt", "kept\n");
	tool_run_cancel(d[1].run);
	free(d[1].text);
	env.worker = NULL;
	worker_free(w);
	ev_free(l);
	close(p[0]);
	close(p[1]);
}

/* SPDX-License-Identifier: MIT */
/* write_spreadsheet and write_document on real files: the exact CSV bytes, the .xlsx parts
 * libxlsxwriter writes (read back with python3's zipfile), errors naming
 * sheet, row and column with nothing written, the approval's view, and a
 * call cancelled while the worker holds it. LibreOffice's reading of the
 * workbook is tests/integ/docwrite.sh. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/approval.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "tools/tool.h"

static char root[64], gdir[128];
static struct grant_set *gs;
static struct tool_env env;
static struct ev_loop *loop;
static struct worker *wk;

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-sheet-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	cr_assert(mkdir(gdir, 0755) == 0);
	cr_assert(grant_set_new(&gs) == 0);
	cr_assert(grant_add(gs, gdir) == 0);
	cr_assert(ev_new(&loop) == 0);
	cr_assert(worker_new(&wk, loop) == 0);
	tool_env_init(&env);
	env.grants = gs;
	env.loop = loop;
	env.worker = wk;
}

static void
teardown(void)
{
	worker_free(wk);
	ev_free(loop);
	grant_set_free(gs);
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(sheet, .init = setup, .fini = teardown, .timeout = 30);

struct done_rec {
	bool called, is_error;
	char *text;
};

static void
on_done(struct tool_result *res, void *ctx)
{
	struct done_rec *d = ctx;

	d->called = true;
	d->is_error = res->is_error;
	d->text = buf_detach(&res->text);
}

/* Run tool `name` with `json` to its end; the result text is heap. */
static char *
run_tool(const char *name, const char *json, bool *is_error)
{
	const struct tool_entry *e = tool_find(name);
	struct done_rec d = { 0 };
	struct tool_run *r = NULL;
	cJSON *in;

	cr_assert(e);
	cr_assert(json_parse(&in, json, strlen(json), "test") == 0, "%s", err_msg());
	cr_assert(tool_validate(e, in) == 0, "%s", err_msg());
	cr_assert(tool_start(e, in, &env, &r, on_done, &d) == 0);
	cJSON_Delete(in); /* the run keeps its own copy */
	cr_assert(!d.called, "done called from inside start");
	for (uint64_t end = ev_now_ms() + 20000; !d.called && ev_now_ms() < end;)
		cr_assert(ev_run_once(loop, 100) == 0);
	cr_assert(d.called, "%s did not finish", name);
	tool_run_cancel(r);
	*is_error = d.is_error;
	return d.text;
}

static char *
run(const char *json, bool *is_error)
{
	return run_tool("write_spreadsheet", json, is_error);
}

static void
expect_err_tool(const char *name, const char *json, const char *want)
{
	bool err;
	char *t = run_tool(name, json, &err);

	cr_assert(err, "succeeded: %s", t);
	cr_assert_str_eq(t, want);
	free(t);
}

static void
expect_ok(const char *json, const char *want)
{
	bool err;
	char *t = run(json, &err);

	cr_assert(!err, "failed: %s", t);
	cr_assert_str_eq(t, want);
	free(t);
}

static void
expect_err(const char *json, const char *want)
{
	expect_err_tool("write_spreadsheet", json, want);
}

static char *
get(const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	free(p);
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_cstr(&b);
	return buf_detach(&b);
}

/* One part of the .xlsx at gdir/rel (python3 zipfile), heap. */
static char *
part(const char *rel, const char *name)
{
	char *cmd = xasprintf("python3 -c 'import sys,zipfile; "
	                      "sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2])"
	                      ".decode())' '%s/%s' '%s'",
	                      gdir, rel, name);
	FILE *p = popen(cmd, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	cr_assert(p);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	cr_assert(pclose(p) == 0, "%s: no part %s", rel, name);
	free(cmd);
	buf_cstr(&b);
	return buf_detach(&b);
}

static void
assert_has(const char *hay, const char *needle)
{
	cr_assert(strstr(hay, needle), "'%s' not in:\n%s", needle, hay);
}

Test(sheet, csv_is_rfc_4180)
{
	expect_ok("{\"path\":\"out/e.csv\",\"sheets\":[{\"rows\":["
	          "[\"date\",\"vendor\",\"amount\",\"paid\"],"
	          "[\"2026-03-14\",\"ACME, Inc.\",12.5,true],"
	          "[\"2026-03-15\",\"say \\\"hi\\\"\\nthere\",-0.1,false],"
	          "[null,{\"string\":\"=1+1\"},1e21,null]]}]}",
	          "created out/e.csv (117 bytes: 1 sheet, 4 rows)");
	char *s = get("out/e.csv");

	cr_assert_str_eq(s, "date,vendor,amount,paid\r\n"
	                    "2026-03-14,\"ACME, Inc.\",12.5,TRUE\r\n"
	                    "2026-03-15,\"say \"\"hi\"\"\nthere\",-0.1,FALSE\r\n"
	                    ",'=1+1,1e+21,\r\n");
	free(s);
}

Test(sheet, xlsx_typed_cells_formats_and_header)
{
	bool err;
	char *t = run("{\"path\":\"e.xlsx\",\"sheets\":[{\"name\":\"Expenses\",\"freeze\":true,"
	              "\"autofilter\":true,\"columns\":[{\"format\":\"date\"},{\"width\":30},"
	              "{\"format\":\"currency\"},{\"format\":\"percent\"}],\"rows\":["
	              "[\"Date\",\"Vendor\",\"Amount\",\"Share\"],"
	              "[\"2026-03-14\",\"ACME\",12.5,0.25],"
	              "[\"2026-03-15T09:30\",\"Figma\",15,0.75],"
	              "[null,\"Total\",\"=SUM(C2:C3)\",{\"formula\":\"=SUM(D2:D3)\"}],"
	              "[{\"string\":\"2026-01-01\"},true,{\"number\":3,\"format\":\"0.0\"},null]]},"
	              "{\"name\":\"Notes\",\"rows\":[[\"one\",\"2026-03-15T09:30:15\"]]}]}",
	              &err);

	cr_assert(!err, "%s", t);
	cr_assert_str_eq(t, "created e.xlsx (2 sheets, 6 rows)");
	free(t);
	char *s = get("e.xlsx");

	cr_assert(s && !memcmp(s, "PK\3\4", 4), "not a zip");
	free(s);
	char *wb = part("e.xlsx", "xl/workbook.xml");

	assert_has(wb, "<sheet name=\"Expenses\"");
	assert_has(wb, "<sheet name=\"Notes\"");
	assert_has(wb, "_xlnm._FilterDatabase"); /* the autofilter's range */
	free(wb);
	char *ws = part("e.xlsx", "xl/worksheets/sheet1.xml");

	assert_has(ws, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
	               "state=\"frozen\"/>");
	assert_has(ws, "<autoFilter ref=\"A1:D5\"/>");
	assert_has(ws, "width=\"30.7109375\""); /* column B: 30 characters */
	assert_has(ws, "<c r=\"A2\" s=\"1\"><v>46095</v></c>"); /* 2026-03-14 as an Excel date */
	assert_has(ws, "<v>46096.3958333333");                 /* 2026-03-15 09:30 */
	assert_has(ws, "<c r=\"C2\" s=\"2\"><v>12.5</v></c>");
	assert_has(ws, "<f>SUM(C2:C3)</f>");
	assert_has(ws, "<f>SUM(D2:D3)</f>");
	assert_has(ws, "<c r=\"B5\" t=\"b\"");                 /* a boolean */
	free(ws);
	char *st = part("e.xlsx", "xl/styles.xml");

	assert_has(st, "formatCode=\"yyyy-mm-dd\"");
	assert_has(st, "formatCode=\"yyyy-mm-dd hh:mm:ss\""); /* Notes!B1, no column format */
	assert_has(st, "formatCode=\"$#,##0.00\"");
	assert_has(st, "formatCode=\"0.0\"");
	assert_has(st, "<b/>"); /* the header row */
	free(st);
	char *ss = part("e.xlsx", "xl/sharedStrings.xml");

	assert_has(ss, "<t>2026-01-01</t>"); /* {"string": …} stays text */
	assert_has(ss, "<t>Total</t>");
	free(ss);
}

Test(sheet, errors_name_sheet_row_and_column)
{
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"Q1\",\"rows\":[[1,2],"
	           "[3,\"2026-02-30\"]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'Q1', row 2, column B (B2): '2026-02-30' "
	           "is not a date in the calendar (a text cell that looks like a date: "
	           "{\"string\": \"2026-02-30\"}); nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"rows\":[]},{\"rows\":[[1],"
	           "[[1,2]]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'Sheet2', row 2, column A (A2): a cell is "
	           "a number, a string, a boolean, null or an object ({\"date\": …}, "
	           "{\"formula\": …}, {\"string\": …}), not an array; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[1,2,3,"
	           "{\"date\":\"2026-03-01T10:00+02:00\"}]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column D (D1): date "
	           "'2026-03-01T10:00+02:00' has a time zone offset; spreadsheet dates have "
	           "none: give the local time; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[{\"formula\":"
	           "\"SUM(A1)\"}]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column A (A1): formula "
	           "'SUM(A1)' must start with '='; nothing was written");
	expect_err("{\"path\":\"a.csv\",\"sheets\":[{\"rows\":[[1],[2,\"=A1*2\"]]}]}",
	           "write_spreadsheet: a.csv: sheet 'Sheet1', row 2, column B (B2): a .csv "
	           "file cannot hold formulas: write an .xlsx, or put the value; nothing was "
	           "written");
	expect_err("{\"path\":\"a.csv\",\"sheets\":[{\"rows\":[]},{\"rows\":[]}]}",
	           "write_spreadsheet: a.csv: a .csv file holds one sheet, and 2 were given: "
	           "write an .xlsx, or one .csv per sheet; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"a/b\",\"rows\":[]}]}",
	           "write_spreadsheet: a.xlsx: sheet name 'a/b' (sheets[0]): a sheet name has "
	           "at most 31 characters, none of [ ] : * ? / \\, and does not start or end "
	           "with an apostrophe; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"Data\",\"rows\":[]},"
	           "{\"name\":\"DATA\",\"rows\":[]}]}",
	           "write_spreadsheet: a.xlsx: sheet name 'DATA' (sheets[1]) is used twice "
	           "(names are compared ignoring case); nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"columns\":[{},"
	           "{\"width\":300}],\"rows\":[]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', column B (columns[1]): 'width' is a "
	           "number of characters from 0 to 255; nothing was written");
	expect_err("{\"path\":\"a.ods\",\"sheets\":[{\"rows\":[]}]}",
	           "write_spreadsheet: a.ods: the path must end in .xlsx (a workbook) or .csv "
	           "(one sheet as CSV)");
	expect_err("{\"path\":\".git/hooks/a.csv\",\"sheets\":[{\"rows\":[]}]}",
	           "'.git/hooks/a.csv' is protected: deskhand does not let the agent change what "
	           "runs later outside the sandbox: git hooks or git config, shell and session "
	           "startup files, programs in .local/bin, user services and autostart entries, "
	           "SSH keys and config, or editor, connector and agent settings; nor its ignore "
	           "rules (.deskhandignore), which decide what checkpoints record");
	char *ls = xasprintf("ls -A '%s'", gdir);
	FILE *p = popen(ls, "r");
	char line[256];

	cr_assert(p);
	cr_assert(!fgets(line, sizeof line, p), "something was written: %s", line);
	pclose(p);
	free(ls);
}

/* What a workbook's XML cannot hold (a control character in a sheet name, a
 * format or a formula; U+FFFE anywhere) and a formula past Excel's 8192
 * characters are refused, not written into a file that Excel calls damaged
 * and LibreOffice reads only up to the bad cell. A control character in a
 * text cell or in a .csv is kept. */
Test(sheet, characters_a_workbook_cannot_hold_are_refused)
{
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"a\\u0001b\",\"rows\":[]}]}",
	           "write_spreadsheet: a.xlsx: sheet name (sheets[0]) has the character U+0001, "
	           "which a workbook cannot hold; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"columns\":[{\"format\":"
	           "\"0.0\\u0002\"}],\"rows\":[]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', column A (columns[0]): 'format' has "
	           "the character U+0002, which a workbook cannot hold; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[1,"
	           "\"=A1\\u0001\"]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column B (B1): the formula has "
	           "the character U+0001, which a workbook cannot hold; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[{\"number\":1,"
	           "\"format\":\"0\\u0003\"}]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column A (A1): the format has "
	           "the character U+0003, which a workbook cannot hold; nothing was written");
	expect_err("{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[\"x\\ufffe\"]]}]}",
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column A (A1): the text has "
	           "the character U+FFFE, which a workbook cannot hold; nothing was written");
	struct buf f = BUF_INIT;

	buf_puts(&f, "{\"path\":\"a.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[\"=1");
	for (int i = 0; i < 4096; i++)
		buf_puts(&f, "+1");
	buf_puts(&f, "\"]]}]}");
	expect_err(buf_cstr(&f),
	           "write_spreadsheet: a.xlsx: sheet 'S', row 1, column A (A1): a formula of "
	           "8194 characters; Excel takes at most 8192; nothing was written");
	buf_fini(&f);
	char *ls = xasprintf("ls -A '%s'", gdir);
	FILE *p = popen(ls, "r");
	char line[256];

	cr_assert(p);
	cr_assert(!fgets(line, sizeof line, p), "something was written: %s", line);
	pclose(p);
	free(ls);
	/* kept: controls in text (libxlsxwriter escapes them), a line break in
	 * a formula, anything in a .csv */
	expect_ok("{\"path\":\"b.xlsx\",\"sheets\":[{\"name\":\"S\",\"rows\":[[\"a\\u0001b\","
	          "\"=1+\\n2\"]]}]}",
	          "created b.xlsx (1 sheet, 1 rows)");
	char *x = part("b.xlsx", "xl/sharedStrings.xml");

	assert_has(x, "<t>a_x0001_b</t>");
	free(x);
	expect_ok("{\"path\":\"b.csv\",\"sheets\":[{\"rows\":[[\"a\\u0001b\"]]}]}",
	          "created b.csv (5 bytes: 1 sheet, 1 rows)");
}

/* Writing over a file an office suite has open (its lock file beside it:
 * LibreOffice's .~lock.NAME#, Microsoft Office's ~$NAME) says so, since
 * that program's next save would overwrite the change. */
Test(sheet, a_file_open_in_an_office_suite_is_named_in_the_result)
{
	const char *json = "{\"path\":\"sub/b.xlsx\",\"sheets\":[{\"rows\":[[1]]}]}";

	expect_ok(json, "created sub/b.xlsx (1 sheet, 1 rows)");
	char *lock = xasprintf("%s/sub/.~lock.b.xlsx#", gdir);
	FILE *f = fopen(lock, "w");

	cr_assert(f);
	fputs(",Alice,host,07.12.2026 10:00,file:///home/alice/.config/libreoffice/4;", f);
	fclose(f);
	expect_ok(json, "overwrote sub/b.xlsx (1 sheet, 1 rows)\nnote: b.xlsx is open in another "
	                "program (its lock file .~lock.b.xlsx# is there): the person should "
	                "reload it there, or that program's next save overwrites this change");
	cr_assert(unlink(lock) == 0);
	free(lock);
	lock = xasprintf("%s/~$c.csv", gdir);
	cr_assert((f = fopen(lock, "w")));
	fclose(f);
	expect_ok("{\"path\":\"c.csv\",\"sheets\":[{\"rows\":[[1]]}]}",
	          "created c.csv (3 bytes: 1 sheet, 1 rows)\nnote: c.csv is open in another "
	          "program (its lock file ~$c.csv is there): the person should reload it "
	          "there, or that program's next save overwrites this change");
	free(lock);
}

Test(sheet, without_a_worker_it_runs_on_the_next_iteration)
{
	env.worker = NULL;
	expect_ok("{\"path\":\"x.csv\",\"sheets\":[{\"rows\":[[1,2]]}]}",
	          "created x.csv (5 bytes: 1 sheet, 1 rows)");
	expect_ok("{\"path\":\"x.csv\",\"sheets\":[{\"rows\":[[3]]}]}",
	          "overwrote x.csv (3 bytes: 1 sheet, 1 rows)");
}

Test(sheet, cancelled_while_the_worker_holds_it)
{
	const struct tool_entry *e = tool_find("write_spreadsheet");
	const char *json = "{\"path\":\"c.xlsx\",\"sheets\":[{\"rows\":[[1,2,3]]}]}";
	struct done_rec d = { 0 };
	struct tool_run *r = NULL;
	cJSON *in;

	cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
	cr_assert(tool_start(e, in, &env, &r, on_done, &d) == 0);
	cJSON_Delete(in);
	tool_run_cancel(r); /* queued or running: freed when the job ends */
	worker_drain(wk);
	cr_assert(!d.called, "done called after cancel");
}

Test(sheet, approval_shows_the_csv_and_summarizes_a_workbook)
{
	const struct tool_entry *e = tool_find("write_spreadsheet");
	cJSON *in;
	const char *csv = "{\"path\":\"t.csv\",\"sheets\":[{\"rows\":[[\"a\",1],[\"b\",2]]}]}";

	cr_assert(json_parse(&in, csv, strlen(csv), "test") == 0);
	char *d = approval_diff(e, in, &env);

	cJSON_Delete(in);
	assert_has(d, "+++ b/t.csv");
	assert_has(d, "+a,1\r\n+b,2\r\n");
	free(d);
	const char *x = "{\"path\":\"t.xlsx\",\"sheets\":[{\"rows\":[[1]]}]}";

	cr_assert(json_parse(&in, x, strlen(x), "test") == 0);
	d = approval_diff(e, in, &env);
	cJSON_Delete(in);
	cr_assert_str_eq(d, "new t.xlsx (xlsx workbook)\n");
	free(d);
	const char *bad = "{\"path\":\"t.xlsx\",\"sheets\":[{\"rows\":[[\"2026-13-01\"]]}]}";

	cr_assert(json_parse(&in, bad, strlen(bad), "test") == 0);
	d = approval_diff(e, in, &env);
	cJSON_Delete(in);
	assert_has(d, "(this call would fail: write_spreadsheet: t.xlsx: sheet 'Sheet1', row 1, "
	              "column A (A1): '2026-13-01' is not a date in the calendar");
	free(d);
}

/*
 * write_document (pandoc itself runs in tests/integ/docwrite_document.sh)
 */

TestSuite(document, .init = setup, .fini = teardown, .timeout = 30);

static char *
doc_diff(const char *json)
{
	cJSON *in;
	char *d;

	cr_assert(json_parse(&in, json, strlen(json), "test") == 0);
	d = approval_diff(tool_find("write_document"), in, &env);
	cJSON_Delete(in);
	return d;
}

Test(document, approval_is_one_line_and_refusals_come_first)
{
	char *d;

	if (access("/usr/bin/pandoc", X_OK) == 0) {
		unsetenv("DH_PANDOC");
		d = doc_diff("{\"path\":\"r.docx\",\"markdown\":\"# x\"}");
		cr_assert_str_eq(d, "new r.docx (document made by pandoc)\n");
		free(d);
	}
	setenv("DH_PANDOC", "/nonexistent/pandoc", 1);
	d = doc_diff("{\"path\":\"r.docx\",\"markdown\":\"# x\"}");
	assert_has(d, "(this call would fail: write_document: pandoc is not installed, so r.docx "
	              "cannot be written; the person can install it: apt-get install "
	              "--no-install-recommends pandoc");
	free(d);
	d = doc_diff("{\"path\":\"r.txt\",\"markdown\":\"# x\"}");
	assert_has(d, "write_document: r.txt: the path must end in .docx, .odt, .pptx, .html or "
	              ".pdf");
	free(d);
	d = doc_diff("{\"path\":\".git/hooks/r.html\",\"markdown\":\"# x\"}");
	assert_has(d, "'.git/hooks/r.html' is protected");
	free(d);
	unsetenv("DH_PANDOC");
}

Test(document, without_pandoc_the_result_says_how_to_install)
{
	setenv("DH_PANDOC", "/nonexistent/pandoc", 1);
	expect_err_tool("write_document", "{\"path\":\"a.odt\",\"markdown\":\"# x\"}",
	                "write_document: pandoc is not installed, so a.odt cannot be written; the "
	                "person can install it: apt-get install --no-install-recommends pandoc "
	                "(Debian, Ubuntu); for PDF also a LaTeX engine: apt-get install "
	                "--no-install-recommends texlive-latex-recommended. Meanwhile write_file "
	                "can write the Markdown or HTML itself.");
	unsetenv("DH_PANDOC");
	char *a = xasprintf("%s/a.odt", gdir);

	cr_assert(access(a, F_OK) != 0);
	free(a);
}

/* SPDX-License-Identifier: MIT */
/* docs/doc: documents as text, the spreadsheet model and its cell diff, and
 * the caps on hostile containers. The zips here are built part by part with
 * libzip from the formats' own XML; the integration tests (doc_read,
 * doc_hostile) use documents LibreOffice made. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "docs/doc.h"

struct part {
	const char *name;
	const char *data; /* NUL-terminated, or len bytes */
	size_t len;
};

/* A zip of the parts, in memory (*n bytes, heap). */
static char *
make_zip(const struct part *parts, size_t np, size_t *n)
{
	char tmpl[] = "/tmp/dh-doc-XXXXXX";
	int fd = mkstemp(tmpl);
	int ze;

	cr_assert(fd >= 0);
	close(fd);
	zip_t *z = zip_open(tmpl, ZIP_TRUNCATE, &ze);

	cr_assert(z);
	for (size_t i = 0; i < np; i++) {
		size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
		zip_source_t *s = zip_source_buffer(z, parts[i].data, len, 0);

		cr_assert(s);
		cr_assert(zip_file_add(z, parts[i].name, s, ZIP_FL_OVERWRITE) >= 0);
	}
	cr_assert(zip_close(z) == 0);
	FILE *f = fopen(tmpl, "rb");

	cr_assert(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = xmalloc((size_t)len + 1);
	cr_assert(fread(d, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	unlink(tmpl);
	*n = (size_t)len;
	return d;
}

#define WB "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>" \
	"<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
/* The same as libxlsxwriter writes it: formulas left for the opener to
 * calculate (their stored values are 0). */
#define WB_UNCALC "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>" \
	"<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets>" \
	"<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>"
#define RELS "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
	"<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
#define STYLES "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" \
	"<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"#,##0.00&quot; €&quot;\"/></numFmts>" \
	"<cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>"
#define SST "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" \
	"<si><t>Item</t></si><si><t>Coffee</t></si><si><r><t>Tea</t></r><r><t xml:space=\"preserve\"> | pot</t></r></si></sst>"

static char *
sheet_xml(const char *b2)
{
	return xasprintf(
		"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\" s=\"1\"><v>%s</v></c>"
		"<c r=\"C2\" s=\"2\"><v>46027</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c><c r=\"B3\" s=\"1\"><v>2</v></c>"
		"<c r=\"D3\" t=\"b\"><v>1</v></c></row>"
		"<row r=\"5\"><c r=\"B5\" s=\"1\"><f>SUM(B2:B3)</f><v>14.5</v></c></row>"
		"</sheetData></worksheet>",
		b2);
}

static char *
make_xlsx_wb(const char *wb, const char *b2, size_t *n)
{
	char *sheet = sheet_xml(b2);
	struct part p[] = {
		{ "xl/workbook.xml", wb, 0 },      { "xl/_rels/workbook.xml.rels", RELS, 0 },
		{ "xl/styles.xml", STYLES, 0 },    { "xl/sharedStrings.xml", SST, 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	char *z = make_zip(p, sizeof p / sizeof *p, n);

	free(sheet);
	return z;
}

static char *
make_xlsx(const char *b2, size_t *n)
{
	return make_xlsx_wb(WB, b2, n);
}

Test(doc, kind_from_name_and_magic)
{
	cr_expect_eq(doc_kind_of("a/Book.XLSX", NULL, 0), DOC_XLSX);
	cr_expect_eq(doc_kind_of("b.ods", NULL, 0), DOC_ODS);
	cr_expect_eq(doc_kind_of("c.docx", NULL, 0), DOC_DOCX);
	cr_expect_eq(doc_kind_of("d.odp", NULL, 0), DOC_ODP);
	cr_expect_eq(doc_kind_of("scan", "%PDF-1.7", 8), DOC_PDF);
	cr_expect_eq(doc_kind_of("notes.txt", "hello", 5), DOC_NONE);
	cr_expect_eq(doc_kind_of(".xlsx", NULL, 0), DOC_NONE);
	cr_expect_str_eq(doc_kind_name(DOC_PPTX), "pptx");
}

Test(doc, cell_ref)
{
	char r[16];

	doc_cell_ref(r, 1, 1);
	cr_expect_str_eq(r, "A1");
	doc_cell_ref(r, 9, 26);
	cr_expect_str_eq(r, "Z9");
	doc_cell_ref(r, 10, 27);
	cr_expect_str_eq(r, "AA10");
	doc_cell_ref(r, 1048576, 16384);
	cr_expect_str_eq(r, "XFD1048576");
}

/* Shared strings (rich runs joined), a currency format's decimals, a date,
 * a boolean, a formula beside its cached value, '|' escaped in a table. */
Test(doc, xlsx_as_table)
{
	size_t n;
	char *z = make_xlsx("12.5", &n);
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_to_text(z, n, "book.xlsx", DOC_XLSX, NULL, &out), 0, "%s", err_msg());
	const char *t = buf_cstr(&out);

	cr_expect(strstr(t, "## Sheet: Sheet1 (5 rows × 4 columns)"), "%s", t);
	cr_expect(strstr(t, "| 2 | Coffee | 12.50 | 2026-01-05 | |"), "%s", t);
	cr_expect(strstr(t, "| 3 | Tea \\| pot | 2.00 | | TRUE |"), "%s", t);
	cr_expect(strstr(t, "| 5 | | 14.50 [=SUM(B2:B3)] | | |"), "%s", t);
	buf_fini(&out);
	free(z);
}

Test(doc, cell_diff)
{
	size_t n1, n2;
	char *z1 = make_xlsx("12.5", &n1), *z2 = make_xlsx("13", &n2);
	struct doc_book *a, *b;
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_book_load(z1, n1, "a.xlsx", DOC_XLSX, NULL, &a), 0, "%s", err_msg());
	cr_assert_eq(doc_book_load(z2, n2, "b.xlsx", DOC_XLSX, NULL, &b), 0, "%s", err_msg());
	cr_assert_eq(b->nsheets, 1);
	cr_expect_eq(doc_book_diff(a, b, 0, &out), 1);
	cr_expect_str_eq(buf_cstr(&out), "~Sheet1!B2: 12.50 → 13.00\n");
	buf_clear(&out);
	cr_expect_eq(doc_book_diff(NULL, b, 2, &out), 8);
	cr_expect_str_eq(buf_cstr(&out),
	                 "+Sheet1!A1: Item\n+Sheet1!A2: Coffee\n …6 more changed cells\n");
	buf_clear(&out);
	cr_expect_eq(doc_book_diff(a, NULL, 0, &out), 8);
	cr_expect(strstr(buf_cstr(&out), "-Sheet1!B5: 14.50 [=SUM(B2:B3)]\n"), "%s", out.ptr);
	doc_book_free(a);
	doc_book_free(b);
	buf_fini(&out);
	free(z1);
	free(z2);
}

/* A workbook that asks to be recalculated when opened (fullCalcOnLoad, as
 * libxlsxwriter writes): its formulas are shown alone, never beside the 0
 * stored for them, in the table and in the cell diff, with a note. */
Test(doc, uncalculated_formulas_shown_alone)
{
	size_t n;
	char *z = make_xlsx_wb(WB_UNCALC, "12.5", &n);
	struct buf out = BUF_INIT;
	struct doc_book *b;

	cr_assert_eq(doc_to_text(z, n, "book.xlsx", DOC_XLSX, NULL, &out), 0, "%s", err_msg());
	const char *t = buf_cstr(&out);

	cr_expect(strstr(t, "| 5 | | [=SUM(B2:B3)] | | |"), "%s", t);
	cr_expect(strstr(t, "| 2 | Coffee | 12.50 | 2026-01-05 | |"), "%s", t);
	cr_expect(strstr(t, "[… book.xlsx: its formulas are not calculated yet"), "%s", t);
	cr_assert_eq(doc_book_load(z, n, "book.xlsx", DOC_XLSX, NULL, &b), 0, "%s", err_msg());
	buf_clear(&out);
	doc_book_diff(NULL, b, 0, &out);
	cr_expect(strstr(buf_cstr(&out), "+Sheet1!B5: [=SUM(B2:B3)]\n"), "%s", out.ptr);
	doc_book_free(b);
	buf_fini(&out);
	free(z);
}

/* A workbook that asks to be recalculated but holds no formula (every
 * workbook libxlsxwriter writes asks): its values are shown, with no note
 * that formulas are not calculated. */
Test(doc, recalculation_asked_without_formulas_leaves_no_note)
{
	const char *sheet =
		"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/"
		"spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\"><v>7</v></c>"
		"</row></sheetData></worksheet>";
	struct part p[] = {
		{ "xl/workbook.xml", WB_UNCALC, 0 }, { "xl/_rels/workbook.xml.rels", RELS, 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	size_t n;
	char *z = make_zip(p, sizeof p / sizeof *p, &n);
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_to_text(z, n, "plain.xlsx", DOC_XLSX, NULL, &out), 0, "%s", err_msg());
	const char *t = buf_cstr(&out);

	cr_expect(strstr(t, "| 1 | 7 |"), "%s", t);
	cr_expect(!strstr(t, "not calculated"), "%s", t);
	buf_fini(&out);
	free(z);
}

/* Dates of the 1900 system before its 1900-03-01 (serial 1 is 1900-01-01,
 * 60 the 1900-02-29 it counts), the last second of 9999-12-31, and numbers
 * in a scientific format (built-in 11, or a code) as Excel shows them. */
Test(doc, early_dates_and_scientific_formats)
{
	const char *styles =
		"<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/"
		"spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" "
		"formatCode=\"0.000E+00\"/></numFmts><cellXfs count=\"4\"><xf numFmtId=\"0\"/>"
		"<xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"22\"/>"
		"<xf numFmtId=\"11\"/></cellXfs></styleSheet>";
	const char *sheet =
		"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/"
		"spreadsheetml/2006/main\"><sheetData><row r=\"1\">"
		"<c r=\"A1\" s=\"2\"><v>1</v></c><c r=\"B1\" s=\"2\"><v>59</v></c>"
		"<c r=\"C1\" s=\"2\"><v>60</v></c><c r=\"D1\" s=\"2\"><v>61</v></c>"
		"<c r=\"E1\" s=\"3\"><v>2958465.9999884260</v></c></row><row r=\"2\">"
		"<c r=\"A2\" s=\"1\"><v>12345.678</v></c><c r=\"B2\" s=\"1\"><v>1.5E-7</v></c>"
		"<c r=\"C2\" s=\"4\"><v>-0.000123</v></c></row></sheetData></worksheet>";
	struct part p[] = {
		{ "xl/workbook.xml", WB, 0 }, { "xl/_rels/workbook.xml.rels", RELS, 0 },
		{ "xl/styles.xml", styles, 0 }, { "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	size_t n;
	char *z = make_zip(p, sizeof p / sizeof *p, &n);
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_to_text(z, n, "d.xlsx", DOC_XLSX, NULL, &out), 0, "%s", err_msg());
	const char *t = buf_cstr(&out);

	cr_expect(strstr(t, "| 1 | 1900-01-01 | 1900-02-28 | 1900-02-29 | 1900-03-01 | "
	                    "9999-12-31 23:59:59 |"), "%s", t);
	cr_expect(strstr(t, "| 2 | 1.235E+04 | 1.500E-07 | -1.23E-04 | | |"), "%s", t);
	buf_fini(&out);
	free(z);
}

/* A part that inflates a thousandfold is refused as a bomb before it is
 * read whole. */
Test(doc, zip_bomb_refused)
{
	size_t big = (size_t)32 << 20, n;
	char *spaces = xmalloc(big);
	memset(spaces, ' ', big);
	struct part p[] = {
		{ "xl/workbook.xml", spaces, big },
		{ "xl/_rels/workbook.xml.rels", RELS, 0 },
	};
	char *z = make_zip(p, 2, &n);
	struct buf out = BUF_INIT;

	free(spaces);
	cr_assert_lt(n, (size_t)1 << 20);
	cr_expect_lt(doc_to_text(z, n, "bomb.xlsx", DOC_XLSX, NULL, &out), 0);
	cr_expect(strstr(err_msg(), "bomb.xlsx: xl/workbook.xml inflates over 200 times"),
	          "%s", err_msg());
	buf_fini(&out);
	free(z);
}

/* A list level or a count an attribute gives is read into a range: a Word
 * list level of 2147483647 was made the item's nesting by adding 1 to it,
 * overflowing an int (SIGILL under the sanitizers). */
Test(doc, attribute_numbers_beyond_int)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
		"wordprocessingml/2006/main\"><w:body>"
		"<w:p><w:pPr><w:numPr><w:ilvl w:val=\"2147483647\"/></w:numPr></w:pPr>"
		"<w:r><w:t>deep item</w:t></w:r></w:p>"
		"<w:p><w:pPr><w:numPr><w:ilvl w:val=\"99999999999999999999\"/></w:numPr></w:pPr>"
		"<w:r><w:t>deeper item</w:t></w:r></w:p>"
		"</w:body></w:document>";
	struct part p[] = { { "word/document.xml", xml, 0 } };
	size_t n;
	char *z = make_zip(p, 1, &n);
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_to_text(z, n, "big.docx", DOC_DOCX, NULL, &out), 0, "%s", err_msg());
	cr_expect(strstr(buf_cstr(&out), "- deep item"), "%s", buf_cstr(&out));
	cr_expect(strstr(buf_cstr(&out), "- deeper item"), "%s", buf_cstr(&out));
	buf_fini(&out);
	free(z);
}

Test(doc, deep_nesting_refused)
{
	struct buf x = BUF_INIT;
	size_t n;

	buf_puts(&x, "<?xml version=\"1.0\"?><document>");
	for (int i = 0; i < 100000; i++)
		buf_puts(&x, "<p>");
	struct part p[] = { { "word/document.xml", buf_cstr(&x), 0 } };
	char *z = make_zip(p, 1, &n);
	struct buf out = BUF_INIT;

	cr_expect_lt(doc_to_text(z, n, "deep.docx", DOC_DOCX, NULL, &out), 0);
	cr_expect(strstr(err_msg(), "deep.docx: word/document.xml: XML nested deeper than 256"),
	          "%s", err_msg());
	buf_fini(&out);
	buf_fini(&x);
	free(z);
}

Test(doc, truncated_zip_refused)
{
	size_t n;
	char *z = make_xlsx("1", &n);
	struct buf out = BUF_INIT;

	cr_expect_lt(doc_to_text(z, n / 2, "cut.xlsx", DOC_XLSX, NULL, &out), 0);
	cr_expect(strstr(err_msg(), "cut.xlsx: not a readable zip container"), "%s", err_msg());
	cr_expect(strstr(err_msg(), "truncated"), "%s", err_msg());
	buf_fini(&out);
	free(z);
}

/* Rows past max_rows and text past max_text are left out with a note. */
Test(doc, caps_leave_a_note)
{
	size_t n;
	char *z = make_xlsx("1", &n);
	struct doc_limits lim;
	struct buf out = BUF_INIT;

	doc_limits_default(&lim);
	lim.max_rows = 2;
	cr_assert_eq(doc_to_text(z, n, "b.xlsx", DOC_XLSX, &lim, &out), 0, "%s", err_msg());
	cr_expect(strstr(buf_cstr(&out), "[… Sheet1 is capped: only the first 2 rows"), "%s",
	          out.ptr);
	cr_expect_null(strstr(buf_cstr(&out), "| 3 |"));
	buf_clear(&out);
	doc_limits_default(&lim);
	lim.max_text = 40;
	cr_assert_eq(doc_to_text(z, n, "b.xlsx", DOC_XLSX, &lim, &out), 0, "%s", err_msg());
	cr_expect(strstr(buf_cstr(&out), "[… the text is capped at 40 bytes"), "%s", out.ptr);
	cr_expect_lt(out.len, 200);
	buf_fini(&out);
	free(z);
}

/* An .xlsx whose one sheet holds `rows` (the <row> elements), with the
 * shared strings of SST (*n bytes, heap). */
static char *
make_xlsx_rows(const char *rows, size_t *n)
{
	char *sheet = xasprintf(
		"<?xml version=\"1.0\"?><worksheet "
		"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<sheetData>%s</sheetData></worksheet>",
		rows);
	struct part p[] = {
		{ "xl/workbook.xml", WB, 0 },      { "xl/_rels/workbook.xml.rels", RELS, 0 },
		{ "xl/sharedStrings.xml", SST, 0 }, { "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	char *z = make_zip(p, sizeof p / sizeof *p, n);

	free(sheet);
	return z;
}

/* A sheet whose every cell lies past the caps is not shown as empty: the
 * note says what was left out. */
Test(doc, caps_past_every_cell_leave_a_note)
{
	size_t n;
	char *z = make_xlsx_rows("<row r=\"20\"><c r=\"B20\"><v>7</v></c></row>", &n);
	struct doc_limits lim;
	struct buf out = BUF_INIT;

	doc_limits_default(&lim);
	lim.max_rows = 10;
	cr_assert_eq(doc_to_text(z, n, "b.xlsx", DOC_XLSX, &lim, &out), 0, "%s", err_msg());
	cr_expect(strstr(buf_cstr(&out), "[… Sheet1 is capped: only the first 10 rows"), "%s",
	          out.ptr);
	cr_expect_null(strstr(buf_cstr(&out), "(empty)"), "%s", out.ptr);
	buf_fini(&out);
	free(z);
}

/* A t="s" cell whose value names no shared string (not a number, past the
 * table, negative) shows nothing, never the text of string 0, and the
 * output says which cell. */
Test(doc, shared_string_index_not_in_the_table)
{
	static const char *const bad[] = { "abc", "99999", "-1" };
	struct buf out = BUF_INIT;

	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		char *rows = xasprintf("<row r=\"1\"><c r=\"B1\" t=\"s\"><v>1</v></c>"
		                       "<c r=\"C1\" t=\"s\"><v>%s</v></c></row>",
		                       bad[k]);
		size_t n;
		char *z = make_xlsx_rows(rows, &n);
		char *note = xasprintf("[… b.xlsx: Sheet1!C1: shared string index '%s' is not "
		                       "in the table]\n",
		                       bad[k]);

		buf_clear(&out);
		cr_assert_eq(doc_to_text(z, n, "b.xlsx", DOC_XLSX, NULL, &out), 0, "%s",
		             err_msg());
		const char *t = buf_cstr(&out);

		cr_expect(strstr(t, "| 1 | | Coffee |\n"), "%s: %s", bad[k], t);
		cr_expect_null(strstr(t, "Item"), "%s: %s", bad[k], t);
		cr_expect(strstr(t, note), "%s: %s", bad[k], t);
		free(note);
		free(rows);
		free(z);
	}
	buf_fini(&out);
}

/* A sheet whose r:id names no relationship is shown empty with a note
 * saying its part is missing, not as an empty sheet alone. */
Test(doc, sheet_without_a_relationship_leaves_a_note)
{
	static const char wb[] =
		"<?xml version=\"1.0\"?><workbook "
		"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
		"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
		"<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId9\"/></sheets></workbook>";
	struct part p[] = {
		{ "xl/workbook.xml", wb, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS, 0 },
	};
	size_t n;
	char *z = make_zip(p, sizeof p / sizeof *p, &n);
	struct buf out = BUF_INIT;

	cr_assert_eq(doc_to_text(z, n, "b.xlsx", DOC_XLSX, NULL, &out), 0, "%s", err_msg());
	cr_expect(strstr(buf_cstr(&out), "## Sheet: S\n"), "%s", out.ptr);
	cr_expect(strstr(buf_cstr(&out), "[… b.xlsx: sheet S: its part is missing "
	                                 "(xl/_rels/workbook.xml.rels has no relationship "
	                                 "r:id 'rId9')]\n"),
	          "%s", out.ptr);
	buf_fini(&out);
	free(z);
}

Test(doc, not_a_pdf)
{
	struct buf out = BUF_INIT;

	cr_expect_lt(doc_to_text("%PDF-1.4 garbage", 16, "x.pdf", DOC_PDF, NULL, &out), 0);
	cr_expect(strstr(err_msg(), "x.pdf: not a readable PDF"), "%s", err_msg());
	buf_fini(&out);
}

/* A 0-byte file is empty, not a container with a part missing. */
Test(doc, empty_file_is_not_a_document)
{
	static const struct {
		const char *name;
		enum doc_kind kind;
	} cases[] = {
		{ "e.docx", DOC_DOCX }, { "e.odt", DOC_ODT },   { "e.pptx", DOC_PPTX },
		{ "e.xlsx", DOC_XLSX }, { "e.ods", DOC_ODS },   { "e.pdf", DOC_PDF },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf out = BUF_INIT;
		char want[64];

		cr_expect_lt(doc_to_text("", 0, cases[i].name, cases[i].kind, NULL, &out), 0);
		snprintf(want, sizeof want, "%s: the file is empty (0 bytes), not a document",
		         cases[i].name);
		cr_expect_str_eq(err_msg(), want);
		buf_fini(&out);
	}
	struct doc_book *b = NULL;

	cr_expect_lt(doc_book_load("", 0, "e.xlsx", DOC_XLSX, NULL, &b), 0);
	cr_expect_str_eq(err_msg(), "e.xlsx: the file is empty (0 bytes), not a document");
	cr_expect_null(b);
}

/*
 * A PDF read apart (docs/doc_child.c), with a shell script standing in for
 * `deskhand doc-text`: what it sent before it stopped, and why it stopped.
 */

/* Read "%PDF-1.4" through a reader running `body` under /bin/sh, with a
 * time limit of max_ms; its text in *out, the result returned. */
static int
read_apart(const char *body, unsigned max_ms, struct buf *out)
{
	char path[] = "/tmp/dh-doc-reader-XXXXXX";
	struct doc_limits lim;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	cr_assert(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	cr_assert_eq(chmod(path, 0700), 0);
	doc_child_set(path);
	doc_limits_default(&lim);
	lim.max_ms = max_ms;
	int rc = doc_to_text("%PDF-1.4", 8, "x.pdf", DOC_PDF, &lim, out);

	doc_child_set(NULL);
	unlink(path);
	return rc;
}

/* A page poppler cannot be stopped in: the reader is killed at the limit,
 * at once, and the pages it sent before are kept. */
Test(doc, reader_killed_at_the_time_limit)
{
	struct buf out = BUF_INIT;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_expect_eq(read_apart("printf '## Page 1\\n\\nfirst\\n\\n'; sleep 30", 300, &out),
	             DH_EFAIL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_expect_str_eq(err_msg(), "x.pdf: the document took longer than 0.3 s to read, so "
	                            "reading stopped there; it is too large or too complex to "
	                            "show as text whole");
	cr_expect_str_eq(buf_cstr(&out), "## Page 1\n\nfirst\n\n");
	cr_expect_lt(t1.tv_sec - t0.tv_sec, 5, "the read waited for the reader");
	buf_fini(&out);
}

/* The reader's last record (after a NUL) is the result: its text as sent,
 * its error code and message as they were. */
Test(doc, reader_result_passed_on)
{
	struct buf out = BUF_INIT;

	cr_expect_eq(read_apart("printf '## Page 1\\n\\nok\\n\\n\\0000\\n'", 5000, &out), 0);
	cr_expect_str_eq(buf_cstr(&out), "## Page 1\n\nok\n\n");
	buf_clear(&out);
	cr_expect_eq(read_apart("printf '\\000-5\\nx.pdf: not a readable PDF (bad)'", 5000, &out),
	             DH_EPARSE);
	cr_expect_str_eq(err_msg(), "x.pdf: not a readable PDF (bad)");
	cr_expect_eq(out.len, 0);
	buf_fini(&out);
}

/* A reader that dies without its record (a crash in poppler) is an error
 * naming how it ended, never a success with the text cut short. */
Test(doc, reader_crash_is_an_error)
{
	struct buf out = BUF_INIT;

	cr_expect_eq(read_apart("printf '## Page 1\\n\\nfirst\\n\\n'; kill -SEGV $$", 5000, &out),
	             DH_EFAIL);
	cr_expect_str_eq(err_msg(), "x.pdf: the PDF reader stopped on signal 11 (Segmentation "
	                            "fault) before it finished; the document may be damaged or "
	                            "hostile");
	cr_expect_str_eq(buf_cstr(&out), "## Page 1\n\nfirst\n\n");
	buf_clear(&out);
	cr_expect_eq(read_apart("exit 3", 5000, &out), DH_EFAIL);
	cr_expect_str_eq(err_msg(), "x.pdf: the PDF reader ended with status 3 before it "
	                            "finished; the document may be damaged or hostile");
	buf_fini(&out);
}

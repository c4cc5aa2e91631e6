/* SPDX-License-Identifier: MIT */
/*
 * Spreadsheets: .xlsx (ECMA-376 Part 1 §18: workbook.xml, its relationships,
 * sharedStrings.xml, styles.xml for number formats, one worksheet part per
 * sheet) and .ods (OpenDocument 1.3 Part 3 §9: content.xml's table:table
 * elements, repeated rows and cells) into the model of doc.h, its Markdown
 * tables, and the cell-level diff of two models.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "core/array.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "docs/doc_int.h"

/*
 * Building the model, bounded
 */

struct builder {
	struct doc_ctx *c;
	struct doc_book *b;
	size_t cells; /* kept in the whole book */
	bool book_full;
	size_t cap; /* of the current sheet's cells array */
};

static struct doc_sheet *
sheet_add(struct builder *B, const char *name)
{
	struct doc_book *b = B->b;

	b->sheets = xrealloc(b->sheets, (b->nsheets + 1) * sizeof *b->sheets);
	struct doc_sheet *s = &b->sheets[b->nsheets++];

	*s = (struct doc_sheet){ .name = xstrdup(name && *name ? name : "Sheet") };
	B->cap = 0;
	return s;
}

/* Keep the first note (msg, heap, taken). */
static void
book_note(struct doc_book *b, char *msg)
{
	if (b->note)
		free(msg);
	else
		b->note = msg;
}

/* Keep one cell. Returns false when the sheet takes no more rows (or the
 * book no more cells): the caller stops reading that sheet. */
static bool
cell_add(struct builder *B, struct doc_sheet *s, unsigned row, unsigned col, const char *value,
         const char *formula)
{
	const struct doc_limits *L = B->c->lim;

	if ((!value || !*value) && !formula)
		return true;
	if (row > L->max_rows) {
		s->capped = true;
		return false;
	}
	if (col > L->max_cols || col == 0 || row == 0) {
		s->capped = true;
		return true;
	}
	if (B->cells >= L->max_cells) {
		s->capped = true;
		if (!B->book_full)
			book_note(B->b, xasprintf("%s: only the first %zu non-empty cells are kept",
			                          B->c->name, L->max_cells));
		B->book_full = true;
		return false;
	}
	ARRAY_GROW(s->cells, s->ncells, B->cap, 1);
	s->cells[s->ncells++] = (struct doc_cell){
		.row = row,
		.col = col,
		.value = xstrdup(value ? value : ""),
		.formula = formula ? xstrdup(formula) : NULL,
	};
	if (row > s->nrows)
		s->nrows = row;
	if (col > s->ncols)
		s->ncols = col;
	B->cells++;
	return true;
}

size_t
doc_col_name(char *out, unsigned col)
{
	char letters[8];
	size_t n = 0, k = 0;

	for (unsigned c = col; c > 0 && n < 7; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	while (n > 0)
		out[k++] = letters[--n];
	out[k] = '\0';
	return k;
}

void
doc_cell_ref(char *out, unsigned row, unsigned col)
{
	size_t k = doc_col_name(out, col);

	snprintf(out + k, 16 - k, "%u", row);
}

/* "AB12" → row 12, col 28; false when it is not a reference. */
static bool
parse_ref(const char *r, unsigned *row, unsigned *col)
{
	unsigned c = 0, w = 0;
	const char *p = r;

	for (; *p >= 'A' && *p <= 'Z'; p++)
		if ((c = c * 26 + (unsigned)(*p - 'A' + 1)) > 1u << 20)
			return false;
	if (p == r || *p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((w = w * 10 + (unsigned)(*p - '0')) > 1u << 30)
			return false;
	if (*p)
		return false;
	*row = w;
	*col = c;
	return true;
}

/* "Sheet1!B4", with the sheet name quoted as spreadsheets do when it is not
 * a plain word ('My sheet'!B4). */
static void
put_ref(struct buf *out, const char *sheet, unsigned row, unsigned col)
{
	bool plain = *sheet != '\0';
	char ref[16];

	for (const char *p = sheet; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || (unsigned char)*p >= 0x80))
			plain = false;
	if (plain) {
		buf_puts(out, sheet);
	} else {
		buf_putc(out, '\'');
		for (const char *p = sheet; *p; p++) {
			if (*p == '\'')
				buf_putc(out, '\'');
			buf_putc(out, *p);
		}
		buf_putc(out, '\'');
	}
	doc_cell_ref(ref, row, col);
	buf_printf(out, "!%s: ", ref);
}

/*
 * Number formats (.xlsx): what the cached number looks like shown
 */

enum fmt_kind { FMT_GENERAL, FMT_FIXED, FMT_PERCENT, FMT_SCI, FMT_DATE, FMT_DATETIME, FMT_TIME };

struct fmt {
	unsigned char kind;     /* enum fmt_kind */
	unsigned char decimals; /* FMT_FIXED, FMT_PERCENT, FMT_SCI (of the mantissa) */
};

/* Classify a format code (ECMA-376 §18.8.31): date/time tokens outside
 * quotes and brackets, a percent sign, an exponent (E+ or E-), the decimals
 * of the first section (of the mantissa, before an exponent). */
static struct fmt
fmt_of_code(const char *code)
{
	struct fmt f = { FMT_GENERAL, 0 };
	bool date = false, time = false, pct = false, sci = false, zero = false, in_q = false;
	int dec = -1;

	for (const char *p = code; *p && *p != ';'; p++) {
		char ch = *p;

		if (in_q) {
			in_q = ch != '"';
			continue;
		}
		if (ch == '"') {
			in_q = true;
		} else if (ch == '\\' || ch == '_' || ch == '*') {
			if (p[1])
				p++;
		} else if (ch == '[') {
			const char *e = strchr(p, ']');
			if (!e)
				break;
			p = e;
		} else if (ch == 'y' || ch == 'Y' || ch == 'd' || ch == 'D') {
			date = true;
		} else if (ch == 'h' || ch == 'H' || ch == 's' || ch == 'S') {
			time = true;
		} else if (ch == 'm' || ch == 'M') {
			; /* month or minute: decided by the others */
		} else if (ch == '%') {
			pct = true;
		} else if ((ch == 'E' || ch == 'e') && (p[1] == '+' || p[1] == '-')) {
			sci = true;
			p++;
		} else if (ch == '.' && !sci) {
			dec = 0;
		} else if (ch == '0' || ch == '#' || ch == '?') {
			zero = true;
			if (dec >= 0 && ch == '0' && !sci)
				dec++;
		}
	}
	if (date)
		f.kind = time ? FMT_DATETIME : FMT_DATE;
	else if (time)
		f.kind = FMT_TIME;
	else if (pct)
		f.kind = FMT_PERCENT;
	else if (sci)
		f.kind = FMT_SCI;
	else if (zero)
		f.kind = FMT_FIXED;
	f.decimals = (unsigned char)(dec > 0 ? (dec > 15 ? 15 : dec) : 0);
	return f;
}

/* The built-in formats (ECMA-376 §18.8.30) that are not General. */
static struct fmt
fmt_builtin(unsigned id)
{
	switch (id) {
	case 1: case 3: case 37: case 38:
		return (struct fmt){ FMT_FIXED, 0 };
	case 2: case 4: case 39: case 40:
		return (struct fmt){ FMT_FIXED, 2 };
	case 9:
		return (struct fmt){ FMT_PERCENT, 0 };
	case 10:
		return (struct fmt){ FMT_PERCENT, 2 };
	case 11:
		return (struct fmt){ FMT_SCI, 2 };
	case 14: case 15: case 16: case 17:
		return (struct fmt){ FMT_DATE, 0 };
	case 22:
		return (struct fmt){ FMT_DATETIME, 0 };
	case 18: case 19: case 20: case 21: case 45: case 46: case 47:
		return (struct fmt){ FMT_TIME, 0 };
	default:
		return (struct fmt){ FMT_GENERAL, 0 };
	}
}

/* Serial day number (1900 system, with its 1900-02-29) → civil date. */
static void
serial_date(double v, char *out, size_t n, bool with_date, bool with_time)
{
	long days = (long)v; /* v >= 0: truncation is floor */
	long secs = (long)((v - (double)days) * 86400.0 + 0.5);

	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	/* Days from 1899-12-30 to 1970-01-01 are 25569. Howard Hinnant's civil_from_days.
	 * Serial 60 is the 1900-02-29 the 1900 system counts (as Lotus 1-2-3 did);
	 * before it, serial 1 is 1900-01-01, a day later than that count. */
	long z = days - 25569 + 719468 + (days < 60);
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	if (days == 60) {
		y = 1900;
		m = 2;
		d = 29;
	}
	if (with_date && with_time)
		snprintf(out, n, "%04ld-%02ld-%02ld %02ld:%02ld:%02ld", y, m, d, secs / 3600,
		         secs / 60 % 60, secs % 60);
	else if (with_date)
		snprintf(out, n, "%04ld-%02ld-%02ld", y, m, d);
	else
		snprintf(out, n, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
}

/* The shown form of a cached number `raw` in format f. */
static void
fmt_number(const char *raw, struct fmt f, char *out, size_t n)
{
	char *end;
	double v = strtod(raw, &end);

	if (end == raw || *end || !isfinite(v)) {
		snprintf(out, n, "%s", raw);
		return;
	}
	switch (f.kind) {
	case FMT_FIXED:
		snprintf(out, n, "%.*f", f.decimals, v);
		break;
	case FMT_PERCENT:
		snprintf(out, n, "%.*f%%", f.decimals, v * 100.0);
		break;
	case FMT_SCI:
		snprintf(out, n, "%.*E", f.decimals, v);
		break;
	case FMT_DATE:
	case FMT_DATETIME:
	case FMT_TIME:
		if (v < 0 || v >= 2958466.0) { /* past 9999-12-31: not a date */
			snprintf(out, n, "%.15g", v);
			break;
		}
		serial_date(v, out, n, f.kind != FMT_TIME, f.kind != FMT_DATE);
		break;
	default:
		snprintf(out, n, "%.15g", v);
		break;
	}
}

/*
 * .xlsx
 */

#define XLSX_RELS "xl/_rels/workbook.xml.rels"

struct xlsx {
	struct doc_ctx *c;
	struct builder *B;
	ARRAY(char *) strings; /* shared strings */
	ARRAY(struct fmt) xfs; /* cellXfs index → format */
	struct strv names;     /* sheet names, workbook order */
	struct strv parts;     /* their worksheet parts ("": no relationship) */
	struct strv ids;       /* their r:ids */
	bool strings_capped;
	bool uncalculated; /* calcPr fullCalcOnLoad: cached formula values are stale */
	bool shown_alone;  /* a formula was shown without its (stale) value */
};

/* The text inside the current element up to its end, appended to b
 * (skipping the phonetic runs, rPh, of shared strings). */
static int
xml_inner_text(struct doc_xml *x, struct buf *b)
{
	if (doc_xml_empty(x))
		return 0;
	int d = doc_xml_depth(x), rc;

	while ((rc = doc_xml_next(x)) > 0) {
		int t = doc_xml_type(x);

		if (t == DOC_X_END && doc_xml_depth(x) == d)
			return 0;
		if (t == DOC_X_START && !strcmp(doc_xml_name(x), "rPh")) {
			if ((rc = doc_xml_skip(x)) < 0)
				return rc;
		} else if (t == DOC_X_TEXT) {
			buf_puts(b, doc_xml_text(x));
		}
	}
	return rc;
}

static int
xlsx_strings(struct xlsx *X)
{
	struct doc_xml *x;
	struct buf b = BUF_INIT;
	int rc;

	if ((rc = doc_xml_open(X->c, "xl/sharedStrings.xml", &x)) < 0)
		return rc == DH_ENOTFOUND ? 0 : rc;
	while ((rc = doc_xml_next(x)) > 0) {
		if (doc_xml_type(x) != DOC_X_START || strcmp(doc_xml_name(x), "si"))
			continue;
		if (X->strings.n >= X->c->lim->max_cells) {
			X->strings_capped = true;
			break;
		}
		buf_clear(&b);
		if ((rc = xml_inner_text(x, &b)) < 0)
			break;
		ARRAY_PUSH(&X->strings, xstrdup(buf_cstr(&b)));
	}
	buf_fini(&b);
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

static int
xlsx_styles(struct xlsx *X)
{
	struct doc_xml *x;
	ARRAY(struct { unsigned id; struct fmt f; }) custom = ARRAY_INIT;
	int rc, in_xfs = -1;

	if ((rc = doc_xml_open(X->c, "xl/styles.xml", &x)) < 0)
		return rc == DH_ENOTFOUND ? 0 : rc;
	while ((rc = doc_xml_next(x)) > 0) {
		int t = doc_xml_type(x);
		const char *n = doc_xml_name(x);

		if (t == DOC_X_START && !strcmp(n, "numFmt")) {
			char *id = doc_xml_attr(x, "numFmtId"), *code = doc_xml_attr(x, "formatCode");

			if (id && code && custom.n < 4096) {
				ARRAY_RESERVE(&custom, 1);
				custom.v[custom.n].id = (unsigned)strtoul(id, NULL, 10);
				custom.v[custom.n++].f = fmt_of_code(code);
			}
			free(id);
			free(code);
		} else if (t == DOC_X_START && !strcmp(n, "cellXfs") && !doc_xml_empty(x)) {
			in_xfs = doc_xml_depth(x);
		} else if (t == DOC_X_END && doc_xml_depth(x) == in_xfs) {
			in_xfs = -1;
		} else if (t == DOC_X_START && in_xfs >= 0 && !strcmp(n, "xf") && X->xfs.n < 65536) {
			char *id = doc_xml_attr(x, "numFmtId");
			unsigned v = id ? (unsigned)strtoul(id, NULL, 10) : 0;
			struct fmt f = fmt_builtin(v);

			for (size_t i = 0; i < custom.n; i++)
				if (custom.v[i].id == v)
					f = custom.v[i].f;
			ARRAY_PUSH(&X->xfs, f);
			free(id);
		}
	}
	ARRAY_FREE(&custom);
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

/* workbook.xml's <calcPr fullCalcOnLoad="1"/> (ECMA-376 §18.2.2): the
 * writer did not calculate its formulas and asks the program that opens the
 * file to do it, so the values stored beside them (libxlsxwriter stores 0)
 * mean nothing. */
static int
xlsx_calc(struct xlsx *X)
{
	struct doc_xml *x;
	int rc;

	if ((rc = doc_xml_open(X->c, "xl/workbook.xml", &x)) < 0)
		return rc;
	while ((rc = doc_xml_next(x)) > 0) {
		if (doc_xml_type(x) != DOC_X_START || strcmp(doc_xml_name(x), "calcPr"))
			continue;
		char *v = doc_xml_attr(x, "fullCalcOnLoad");

		X->uncalculated = v && (!strcmp(v, "1") || !strcmp(v, "true"));
		free(v);
		break;
	}
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

/* The shared string a t="s" cell's value v names (ECMA-376 §18.3.1.4: an
 * index into sharedStrings.xml), borrowed from X; "" when v is empty or names
 * no string of the table (not a number, negative, past its end), with a note
 * naming the cell: never another cell's text. */
static const char *
xlsx_shared(struct xlsx *X, const struct doc_sheet *s, unsigned row, unsigned col,
            const char *v)
{
	char *end;
	unsigned long i = strtoul(v, &end, 10);

	if (!*v)
		return "";
	if (*v >= '0' && *v <= '9' && !*end && i < X->strings.n)
		return X->strings.v[i];
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s: ", X->c->name);
	put_ref(&b, s->name, row, col);
	buf_printf(&b, "shared string index '%.32s' is not in the table", v);
	book_note(X->B->b, buf_detach(&b));
	return "";
}

/* One worksheet part into sheet s (its r:id in the workbook: id). */
static int
xlsx_sheet(struct xlsx *X, struct doc_sheet *s, const char *part, const char *id)
{
	struct doc_xml *x;
	struct buf val = BUF_INIT, form = BUF_INIT;
	unsigned row = 0, col = 0;
	int rc;

	if (!*part) { /* a sheet with no part: shown empty, with a note */
		book_note(X->B->b, xasprintf("%s: sheet %s: its part is missing (%s has no "
		                             "relationship r:id '%.32s')",
		                             X->c->name, s->name, XLSX_RELS, id));
		return 0;
	}
	if ((rc = doc_xml_open(X->c, part, &x)) < 0)
		return rc;
	while ((rc = doc_xml_next(x)) > 0) {
		if (doc_xml_type(x) != DOC_X_START)
			continue;
		const char *n = doc_xml_name(x);

		if (!strcmp(n, "row")) {
			char *r = doc_xml_attr(x, "r");

			row = r ? (unsigned)strtoul(r, NULL, 10) : row + 1;
			col = 0;
			free(r);
			if (row > X->c->lim->max_rows) {
				s->capped = true;
				break;
			}
			continue;
		}
		if (strcmp(n, "c"))
			continue;
		char *r = doc_xml_attr(x, "r"), *t = doc_xml_attr(x, "t"), *st = doc_xml_attr(x, "s");
		unsigned rr, cc;

		if (r && parse_ref(r, &rr, &cc)) {
			row = rr;
			col = cc;
		} else {
			col++;
		}
		buf_clear(&val);
		buf_clear(&form);
		bool has_f = false;
		int d = doc_xml_depth(x);

		if (!doc_xml_empty(x)) {
			while ((rc = doc_xml_next(x)) > 0) {
				int ty = doc_xml_type(x);
				const char *m = doc_xml_name(x);

				if (ty == DOC_X_END && doc_xml_depth(x) == d)
					break;
				if (ty != DOC_X_START)
					continue;
				if (!strcmp(m, "f")) {
					has_f = true;
					rc = xml_inner_text(x, &form);
				} else if (!strcmp(m, "v") || !strcmp(m, "is")) {
					rc = xml_inner_text(x, &val);
				}
				if (rc < 0)
					break;
			}
		}
		char shown[128];
		const char *v = buf_cstr(&val);

		if (has_f && form.len && X->uncalculated) {
			v = ""; /* a stale cached value: the formula alone */
			X->shown_alone = true;
		} else if (rc >= 0) {
			if (t && !strcmp(t, "s")) {
				v = xlsx_shared(X, s, row, col, v);
			} else if (t && !strcmp(t, "b")) {
				v = !*v ? "" : strcmp(v, "0") ? "TRUE" : "FALSE";
			} else if ((!t || !strcmp(t, "n")) && *v) {
				unsigned long si = st ? strtoul(st, NULL, 10) : 0;
				struct fmt f = si < X->xfs.n ? X->xfs.v[si] : (struct fmt){ 0, 0 };

				fmt_number(v, f, shown, sizeof shown);
				v = shown;
			}
		}
		char *fx = NULL;

		if (has_f && form.len)
			fx = xasprintf("=%s", buf_cstr(&form));
		bool more = rc < 0 || cell_add(X->B, s, row, col, v, fx);
		free(fx);
		free(r);
		free(t);
		free(st);
		if (rc < 0 || !more)
			break;
	}
	buf_fini(&val);
	buf_fini(&form);
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

static int
xlsx_load(struct doc_ctx *c, struct builder *B)
{
	struct xlsx X = { .c = c, .B = B };
	int rc;

	if ((rc = doc_ooxml_parts(c, "xl/workbook.xml", "sheet", XLSX_RELS, "xl/", &X.parts,
	                          &X.names, &X.ids)) < 0 || (rc = xlsx_calc(&X)) < 0 ||
	    (rc = xlsx_styles(&X)) < 0 || (rc = xlsx_strings(&X)) < 0)
		goto out;
	if (X.strings_capped)
		book_note(B->b, xasprintf("%s: only the first %zu shared strings are read",
		                          c->name, c->lim->max_cells));
	for (size_t i = 0; i < X.names.n && !B->book_full; i++) {
		struct doc_sheet *s = sheet_add(B, X.names.v[i]);

		if ((rc = xlsx_sheet(&X, s, X.parts.v[i], X.ids.v[i])) < 0)
			break;
	}
	/* only when a formula was met: libxlsxwriter asks for the calculation
	 * in every workbook it writes, formulas or not */
	if (rc >= 0 && X.shown_alone)
		book_note(B->b, xasprintf("%s: its formulas are not calculated yet (the file asks to "
		                          "be recalculated when opened): shown without values",
		                          c->name));
out:
	for (size_t i = 0; i < X.strings.n; i++)
		free(X.strings.v[i]);
	ARRAY_FREE(&X.strings);
	ARRAY_FREE(&X.xfs);
	strv_free(&X.names);
	strv_free(&X.parts);
	strv_free(&X.ids);
	return rc < 0 ? rc : 0;
}

/*
 * .ods
 */

/* The shown text of an ODF paragraph-ish element (text:p, text:h, text:span
 * …) up to its end: text, text:s (c spaces), text:tab, text:line-break;
 * annotations skipped. Shared with doc_markup.c's needs through the sink. */
static int
odf_text(struct doc_xml *x, struct buf *b)
{
	if (doc_xml_empty(x))
		return 0;
	int d = doc_xml_depth(x), rc;

	while ((rc = doc_xml_next(x)) > 0) {
		int t = doc_xml_type(x);
		const char *n = doc_xml_name(x);

		if (t == DOC_X_END && doc_xml_depth(x) == d)
			return 0;
		if (t == DOC_X_TEXT) {
			buf_puts(b, doc_xml_text(x));
		} else if (t == DOC_X_START && !strcmp(n, "s")) {
			char *cnt = doc_xml_attr(x, "c");
			unsigned long k = cnt ? strtoul(cnt, NULL, 10) : 1;

			for (unsigned long i = 0; i < k && i < 64; i++)
				buf_putc(b, ' ');
			free(cnt);
		} else if (t == DOC_X_START && !strcmp(n, "tab")) {
			buf_putc(b, '\t');
		} else if (t == DOC_X_START && !strcmp(n, "line-break")) {
			buf_putc(b, '\n');
		} else if (t == DOC_X_START && !strcmp(n, "annotation")) {
			if ((rc = doc_xml_skip(x)) < 0)
				return rc;
		}
	}
	return rc;
}

/* "of:=SUM([.B2:.B3])" → "=SUM(B2:B3)" (OpenFormula references, ODF 1.3
 * Part 4 §5.8, as spreadsheet users write them). */
static char *
odf_formula(const char *f)
{
	struct buf b = BUF_INIT;
	const char *p = strchr(f, ':');

	if (p && p - f <= 6 && p[1] == '=')
		f = p + 1; /* the namespace prefix: "of:", "oooc:" */
	for (p = f; *p; p++) {
		if (*p == '"') { /* string literals unchanged */
			const char *e = strchr(p + 1, '"');
			size_t n = e ? (size_t)(e - p + 1) : strlen(p);

			buf_add(&b, p, n);
			p += n - 1;
			continue;
		}
		if (*p == '[' || *p == ']')
			continue;
		if (*p == '.' && (p == f || p[-1] == '[' || p[-1] == ':'))
			continue;
		buf_putc(&b, *p);
	}
	return buf_detach(&b);
}

struct ods_cell {
	unsigned col;
	char *value;
	char *formula;
};

static int
ods_load(struct doc_ctx *c, struct builder *B)
{
	struct doc_xml *x;
	struct doc_sheet *s = NULL;
	ARRAY(struct ods_cell) rowcells = ARRAY_INIT;
	struct buf text = BUF_INIT;
	unsigned row = 0, col = 0, row_rep = 1;
	int table_depth = -1, rc;
	bool skipping = false; /* the current table is capped: read to its end */

	if ((rc = doc_xml_open(c, "content.xml", &x)) < 0)
		return rc;
	while ((rc = doc_xml_next(x)) > 0) {
		int t = doc_xml_type(x);
		const char *n = doc_xml_name(x);

		if (t == DOC_X_END && doc_xml_depth(x) == table_depth) {
			table_depth = -1;
			s = NULL;
			skipping = false;
			continue;
		}
		if (t != DOC_X_START && !(t == DOC_X_END && !strcmp(n, "table-row")))
			continue;
		if (t == DOC_X_START && !strcmp(n, "table") && table_depth < 0) {
			char *name = doc_xml_attr(x, "name");

			if (B->book_full) {
				free(name);
				break;
			}
			s = sheet_add(B, name);
			free(name);
			table_depth = doc_xml_empty(x) ? -1 : doc_xml_depth(x);
			row = 0;
			continue;
		}
		if (!s || skipping)
			continue;
		if (!strcmp(n, "table-row")) {
			if (t == DOC_X_START) {
				char *rep = doc_xml_attr(x, "number-rows-repeated");

				row_rep = rep ? (unsigned)strtoul(rep, NULL, 10) : 1;
				if (row_rep == 0)
					row_rep = 1;
				free(rep);
				col = 0;
				row++;
				ARRAY_CLEAR(&rowcells);
				if (!doc_xml_empty(x))
					continue;
			}
			/* The row's end: keep its cells, repeated. */
			bool more = true;

			for (unsigned k = 0; k < row_rep && more && rowcells.n; k++)
				for (size_t i = 0; i < rowcells.n && more; i++)
					more = cell_add(B, s, row + k, rowcells.v[i].col,
					                rowcells.v[i].value, rowcells.v[i].formula);
			for (size_t i = 0; i < rowcells.n; i++) {
				free(rowcells.v[i].value);
				free(rowcells.v[i].formula);
			}
			ARRAY_CLEAR(&rowcells);
			/* Empty rows repeated to the sheet's end are not content: only
			 * a kept cell past max_rows caps the sheet (cell_add). */
			row += row_rep - 1;
			skipping = !more;
			continue;
		}
		if (strcmp(n, "table-cell") && strcmp(n, "covered-table-cell"))
			continue;
		char *rep = doc_xml_attr(x, "number-columns-repeated");
		char *f = doc_xml_attr(x, "formula");
		char *vt = doc_xml_attr(x, "value-type");
		unsigned col_rep = rep ? (unsigned)strtoul(rep, NULL, 10) : 1;

		free(rep);
		if (col_rep == 0)
			col_rep = 1;
		buf_clear(&text);
		if (!doc_xml_empty(x)) {
			int d = doc_xml_depth(x);

			while ((rc = doc_xml_next(x)) > 0) {
				int ty = doc_xml_type(x);

				if (ty == DOC_X_END && doc_xml_depth(x) == d)
					break;
				if (ty != DOC_X_START)
					continue;
				const char *m = doc_xml_name(x);

				if (!strcmp(m, "p") || !strcmp(m, "h")) {
					if (text.len)
						buf_putc(&text, '\n');
					rc = odf_text(x, &text);
				} else if (!strcmp(m, "annotation")) {
					rc = doc_xml_skip(x);
				}
				if (rc < 0)
					break;
			}
		}
		if (rc >= 0 && !text.len && vt && strcmp(vt, "string")) {
			/* a value with no shown text: the value itself */
			static const char *const attr[][2] = {
				{ "float", "value" }, { "percentage", "value" },
				{ "currency", "value" }, { "date", "date-value" },
				{ "time", "time-value" }, { "boolean", "boolean-value" },
			};
			for (size_t i = 0; i < sizeof attr / sizeof *attr; i++) {
				if (strcmp(vt, attr[i][0]))
					continue;
				char *v = doc_xml_attr(x, attr[i][1]);

				if (v)
					buf_puts(&text, v);
				free(v);
			}
		}
		free(vt);
		if (rc < 0) {
			free(f);
			break;
		}
		if (text.len || f) {
			for (unsigned k = 0; k < col_rep && col + k < c->lim->max_cols; k++) {
				struct ods_cell *oc = ARRAY_ADD(&rowcells);

				oc->col = col + k + 1;
				oc->value = xstrdup(buf_cstr(&text));
				oc->formula = f ? odf_formula(f) : NULL;
			}
			if (col + col_rep > c->lim->max_cols)
				s->capped = true;
		}
		free(f);
		col = col + col_rep > col ? col + col_rep : col; /* no wrap */
	}
	for (size_t i = 0; i < rowcells.n; i++) {
		free(rowcells.v[i].value);
		free(rowcells.v[i].formula);
	}
	ARRAY_FREE(&rowcells);
	buf_fini(&text);
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

/*
 * The model, its text and its diff
 */

static int
cell_cmp(const void *a, const void *b)
{
	const struct doc_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

int
doc_sheet_load(struct doc_ctx *c, enum doc_kind kind, struct doc_book *b)
{
	struct builder B = { .c = c, .b = b };
	int rc = kind == DOC_XLSX ? xlsx_load(c, &B) : ods_load(c, &B);

	for (size_t i = 0; i < b->nsheets; i++) {
		struct doc_sheet *s = &b->sheets[i];

		if (s->ncells > 1)
			qsort(s->cells, s->ncells, sizeof *s->cells, cell_cmp);
	}
	return rc;
}

void
doc_book_free(struct doc_book *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nsheets; i++) {
		struct doc_sheet *s = &b->sheets[i];

		for (size_t j = 0; j < s->ncells; j++) {
			free(s->cells[j].value);
			free(s->cells[j].formula);
		}
		free(s->cells);
		free(s->name);
	}
	free(b->sheets);
	free(b->note);
	free(b);
}

/* A cell's content for a Markdown table: '|' escaped, line breaks as spaces. */
static void
put_table_text(struct doc_ctx *c, const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (*s == '|')
			buf_puts(&b, "\\|");
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_putc(&b, ' ');
		else
			buf_putc(&b, *s);
	}
	doc_put(c, b.ptr ? b.ptr : "", b.len);
	buf_fini(&b);
}

static void
put_cell(struct doc_ctx *c, const struct doc_cell *cell)
{
	put_table_text(c, cell->value);
	if (cell->formula) {
		doc_puts(c, cell->value[0] ? " [" : "[");
		put_table_text(c, cell->formula);
		doc_puts(c, "]");
	}
}

/* The note after a sheet that had cells past the caps, and its blank line. */
static void
sheet_capped_note(struct doc_ctx *c, const struct doc_sheet *s)
{
	doc_printf(c, "\n[… %s is capped: only the first %zu rows and %zu columns are shown]\n\n",
	           s->name, c->lim->max_rows, c->lim->max_cols);
}

static void
sheet_table(struct doc_ctx *c, const struct doc_sheet *s)
{
	char ref[16];

	doc_puts(c, "## Sheet: ");
	doc_puts(c, s->name);
	if (!s->ncells) {
		/* cells past the caps alone are not an empty sheet */
		doc_puts(c, s->capped ? "\n\n(no cells within the caps)\n" : "\n\n(empty)\n\n");
		if (s->capped)
			sheet_capped_note(c, s);
		return;
	}
	doc_printf(c, " (%u rows × %u columns)\n\n|   |", s->nrows, s->ncols);
	for (unsigned k = 1; k <= s->ncols && !c->full; k++) {
		doc_cell_ref(ref, 1, k);
		ref[strcspn(ref, "0123456789")] = '\0';
		doc_printf(c, " %s |", ref);
	}
	doc_puts(c, "\n|---|");
	for (unsigned k = 1; k <= s->ncols && !c->full; k++)
		doc_puts(c, "---|");
	doc_puts(c, "\n");
	for (size_t i = 0; i < s->ncells && !c->full;) {
		unsigned row = s->cells[i].row, next = 1;

		doc_printf(c, "| %u |", row);
		for (; i < s->ncells && s->cells[i].row == row; i++) {
			for (; next < s->cells[i].col; next++)
				doc_puts(c, " |");
			doc_puts(c, " ");
			put_cell(c, &s->cells[i]);
			doc_puts(c, " |");
			next = s->cells[i].col + 1;
		}
		for (; next <= s->ncols; next++)
			doc_puts(c, " |");
		doc_puts(c, "\n");
	}
	if (s->capped)
		sheet_capped_note(c, s);
	else
		doc_puts(c, "\n");
}

int
doc_sheet_text(struct doc_ctx *c, enum doc_kind kind)
{
	struct doc_book *b = xcalloc(1, sizeof *b);
	int rc = doc_sheet_load(c, kind, b);

	if (rc >= 0) {
		for (size_t i = 0; i < b->nsheets && !c->full; i++)
			sheet_table(c, &b->sheets[i]);
		if (!b->nsheets)
			doc_puts(c, "(no sheets)\n");
		if (b->note)
			doc_printf(c, "[… %s]\n", b->note);
	}
	doc_book_free(b);
	return rc;
}

static void
put_content(struct buf *out, const struct doc_cell *c)
{
	for (const char *p = c->value; *p; p++)
		buf_putc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
	if (c->formula)
		buf_printf(out, "%s[%s]", c->value[0] ? " " : "", c->formula);
}

static bool
cell_same(const struct doc_cell *a, const struct doc_cell *b)
{
	if (strcmp(a->value, b->value))
		return false;
	if (!a->formula || !b->formula)
		return !a->formula && !b->formula;
	return !strcmp(a->formula, b->formula);
}

struct diffsink {
	struct buf *out;
	size_t lines, max, changed;
};

static void
diff_line(struct diffsink *D, char kind, const char *sheet, const struct doc_cell *a,
          const struct doc_cell *b)
{
	const struct doc_cell *at = a ? a : b;

	D->changed++;
	if (D->max && D->lines >= D->max)
		return;
	D->lines++;
	buf_putc(D->out, kind);
	put_ref(D->out, sheet, at->row, at->col);
	if (a)
		put_content(D->out, a);
	if (a && b)
		buf_puts(D->out, " → ");
	if (b)
		put_content(D->out, b);
	buf_putc(D->out, '\n');
}

static void
diff_sheet(struct diffsink *D, const char *name, const struct doc_sheet *a,
           const struct doc_sheet *b)
{
	size_t i = 0, j = 0, na = a ? a->ncells : 0, nb = b ? b->ncells : 0;

	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : cell_cmp(&a->cells[i], &b->cells[j]);

		if (c < 0) {
			diff_line(D, '-', name, &a->cells[i++], NULL);
		} else if (c > 0) {
			diff_line(D, '+', name, NULL, &b->cells[j++]);
		} else {
			if (!cell_same(&a->cells[i], &b->cells[j]))
				diff_line(D, '~', name, &a->cells[i], &b->cells[j]);
			i++;
			j++;
		}
	}
}

static const struct doc_sheet *
sheet_named(const struct doc_book *b, const char *name)
{
	for (size_t i = 0; b && i < b->nsheets; i++)
		if (!strcmp(b->sheets[i].name, name))
			return &b->sheets[i];
	return NULL;
}

size_t
doc_book_diff(const struct doc_book *a, const struct doc_book *b, size_t max_lines,
              struct buf *out)
{
	struct diffsink D = { .out = out, .max = max_lines };

	for (size_t i = 0; b && i < b->nsheets; i++)
		diff_sheet(&D, b->sheets[i].name, sheet_named(a, b->sheets[i].name),
		           &b->sheets[i]);
	for (size_t i = 0; a && i < a->nsheets; i++)
		if (!sheet_named(b, a->sheets[i].name))
			diff_sheet(&D, a->sheets[i].name, &a->sheets[i], NULL);
	if (D.changed > D.lines)
		buf_printf(out, " …%zu more changed cells\n", D.changed - D.lines);
	return D.changed;
}

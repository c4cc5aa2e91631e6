/* SPDX-License-Identifier: MIT */
/*
 * write_spreadsheet: typed cells (numbers, strings, booleans, ISO 8601 dates,
 * formulas) into an .xlsx workbook through libxlsxwriter (the only file that
 * includes <xlsxwriter.h>), or one sheet into RFC 4180 CSV. The input is
 * checked cell by cell first (errors name the sheet, row and column); the
 * file is then built and written into the grant, as write_file writes, on
 * the worker thread. Not reading spreadsheets.
 *
 * libxlsxwriter is loaded with dlopen() (core/dl.h) by the first workbook
 * built, on the worker, not linked: a launch does not map it. The checks
 * before it (on the loop) use none of it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/dl.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "docs/doc.h"
#include "tools/tool_priv.h"

/* The functions used, as X(name). */
#define LXW_SYMS(X)                                                             \
	X(format_set_bold)                                                      \
	X(format_set_num_format)                                                \
	X(lxw_strerror)                                                         \
	X(workbook_add_format)                                                  \
	X(workbook_add_worksheet)                                               \
	X(workbook_close)                                                       \
	X(workbook_new)                                                         \
	X(worksheet_autofilter)                                                 \
	X(worksheet_freeze_panes)                                               \
	X(worksheet_set_column)                                                 \
	X(worksheet_write_blank)                                                \
	X(worksheet_write_boolean)                                              \
	X(worksheet_write_datetime)                                             \
	X(worksheet_write_formula)                                              \
	X(worksheet_write_number)                                               \
	X(worksheet_write_string)

DL_LIBRARY(lxw, "libxlsxwriter.so.4", "libxlsxwriter4", LXW_SYMS);

#define SHEETS_MAX   255      /* sheets in one workbook */
#define STRING_MAX   32767    /* characters Excel keeps in a cell */
#define FORMAT_MAX   255      /* bytes of a number format */
#define FORMULA_MAX  8192     /* characters Excel takes in a formula */
#define WIDTH_AUTO_MIN 8.43   /* characters: Excel's default width */
#define WIDTH_AUTO_MAX 60.0   /* characters: a guessed width at most this */
#define WIDTH_MAX    255.0    /* characters: Excel's limit */
#define OUTPUT_MAX   ((size_t)256 << 20) /* bytes of a workbook we write */

/* The named number formats (a column's or a cell's `format`); any other
 * string is an Excel number format code used as it is. */
static const struct {
	const char *name, *code;
} named_formats[] = {
	{ .name = "currency", .code = "$#,##0.00" },
	{ .name = "percent", .code = "0.00%" },
	{ .name = "date", .code = "yyyy-mm-dd" },
	{ .name = "datetime", .code = "yyyy-mm-dd hh:mm:ss" },
	{ .name = "time", .code = "hh:mm:ss" },
	{ .name = "integer", .code = "#,##0" },
	{ .name = "decimal", .code = "#,##0.00" },
	{ .name = "text", .code = "@" },
};

enum cell_kind {
	CELL_BLANK,
	CELL_NUMBER,
	CELL_STRING,
	CELL_BOOL,
	CELL_DATE,
	CELL_FORMULA,
};

/* One cell as read from the input; strings are borrowed from it. */
struct cell {
	enum cell_kind kind;
	double num;
	bool b;
	const char *s;      /* string, formula, or a date's text */
	lxw_datetime dt;    /* CELL_DATE */
	bool has_time;      /* CELL_DATE with a time of day */
	const char *format; /* the cell's own format (name or code), or NULL */
};

/* The first character of s that a workbook's XML cannot hold (XML 1.0
 * §2.2): U+FFFE, U+FFFF, or a C0 control that is not in `controls` (NULL:
 * every control is fine, as libxlsxwriter writes those of a text cell as
 * _xHHHH_ escapes). Returns its code point, 0 when there is none. */
static unsigned
xml_bad_char(const char *s, const char *controls)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 && controls && !strchr(controls, *p))
			return *p;
		if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			return 0xfffeu + (unsigned)(p[2] - 0xbe);
	}
	return 0;
}

/* Where a check failed: "sheet 'Expenses', row 4, column C (C4)". */
static void
where(struct buf *b, const char *sheet, size_t row, size_t col)
{
	char name[16];

	doc_col_name(name, (unsigned)col + 1);
	buf_printf(b, "sheet '%s', row %zu, column %s (%s%zu)", sheet, row + 1, name, name,
	           row + 1);
}

static int
days_in(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Exactly n digits at s into *v. */
static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Whether s looks like an ISO 8601 date (YYYY-MM-DD…), valid or not. */
static bool
looks_like_date(const char *s)
{
	int v;

	return digits(s, 4, &v) && s[4] == '-' && digits(s + 5, 2, &v) && s[7] == '-' &&
	       digits(s + 8, 2, &v) &&
	       (!s[10] || ((s[10] == 'T' || s[10] == ' ') && digits(s + 11, 2, &v) && s[13] == ':'));
}

/* Parse YYYY-MM-DD, optionally followed by [T ]HH:MM[:SS[.fff]] and Z. On a
 * failure `why` says what is wrong. */
static bool
parse_date(const char *s, lxw_datetime *dt, bool *has_time, const char **why)
{
	memset(dt, 0, sizeof *dt);
	*has_time = false;
	*why = "is not an ISO 8601 date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS])";
	if (!looks_like_date(s) || !digits(s, 4, &dt->year) || !digits(s + 5, 2, &dt->month) ||
	    !digits(s + 8, 2, &dt->day))
		return false;
	const char *p = s + 10;

	if (*p) {
		*has_time = true;
		if (!digits(p + 1, 2, &dt->hour) || p[3] != ':' || !digits(p + 4, 2, &dt->min))
			return false;
		p += 6;
		if (*p == ':') {
			int sec;

			if (!digits(p + 1, 2, &sec))
				return false;
			dt->sec = sec;
			p += 3;
			if (*p == '.') {
				double scale = 0.1;

				for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
					dt->sec += (*p - '0') * scale;
			}
		}
		if (*p == 'Z')
			p++;
		if (*p == '+' || *p == '-') {
			*why = "has a time zone offset; spreadsheet dates have none: give the "
			       "local time";
			return false;
		}
		if (*p)
			return false;
	}
	if (dt->year < 1900) {
		*why = "is before 1900, the first date a spreadsheet can hold";
		return false;
	}
	if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
	    dt->day > days_in(dt->year, dt->month)) {
		*why = "is not a date in the calendar";
		return false;
	}
	if (dt->hour > 23 || dt->min > 59 || dt->sec >= 60) {
		*why = "is not a time of day";
		return false;
	}
	return true;
}

/* Read one input cell into c. On a bad cell, the reason goes to err (after
 * `where`) and the result is false. */
static bool
cell_read(const cJSON *v, struct cell *c, struct buf *err)
{
	memset(c, 0, sizeof *c);
	if (!v || cJSON_IsNull(v))
		return true;
	if (cJSON_IsBool(v)) {
		c->kind = CELL_BOOL;
		c->b = cJSON_IsTrue(v);
		return true;
	}
	if (cJSON_IsNumber(v)) {
		c->kind = CELL_NUMBER;
		c->num = v->valuedouble;
		return true;
	}
	if (cJSON_IsString(v)) {
		const char *s = v->valuestring, *why;

		c->s = s;
		if (s[0] == '=' && s[1]) {
			c->kind = CELL_FORMULA;
			return true;
		}
		if (looks_like_date(s)) {
			c->kind = CELL_DATE;
			if (parse_date(s, &c->dt, &c->has_time, &why))
				return true;
			buf_printf(err, ": '%s' %s (a text cell that looks like a date: "
			                "{\"string\": \"%s\"})", s, why, s);
			return false;
		}
		c->kind = CELL_STRING;
	} else if (cJSON_IsObject(v)) {
		static const char *const keys[] = { "string", "number", "bool", "date", "formula" };
		const cJSON *x = NULL;
		size_t k;

		for (k = 0; k < sizeof keys / sizeof *keys; k++)
			if ((x = cJSON_GetObjectItemCaseSensitive(v, keys[k])))
				break;
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "format");

		if (f && !cJSON_IsString(f)) {
			buf_puts(err, ": 'format' must be a string");
			return false;
		}
		c->format = f ? f->valuestring : NULL;
		if (!x) {
			buf_puts(err, ": an object cell needs one of string, number, bool, date "
			              "or formula");
			return false;
		}
		bool ok = k == 1 ? cJSON_IsNumber(x) : k == 2 ? cJSON_IsBool(x) : cJSON_IsString(x);

		if (!ok) {
			buf_printf(err, ": '%s' must be a %s", keys[k],
			           k == 1 ? "number" : k == 2 ? "boolean" : "string");
			return false;
		}
		switch (k) {
		case 0:
			c->kind = CELL_STRING;
			c->s = x->valuestring;
			break;
		case 1:
			c->kind = CELL_NUMBER;
			c->num = x->valuedouble;
			return true;
		case 2:
			c->kind = CELL_BOOL;
			c->b = cJSON_IsTrue(x);
			return true;
		case 3: {
			const char *why;

			c->kind = CELL_DATE;
			c->s = x->valuestring;
			if (parse_date(c->s, &c->dt, &c->has_time, &why))
				return true;
			buf_printf(err, ": date '%s' %s", c->s, why);
			return false;
		}
		default:
			c->kind = CELL_FORMULA;
			c->s = x->valuestring;
			if (c->s[0] != '=' || !c->s[1]) {
				buf_printf(err, ": formula '%s' must start with '='", c->s);
				return false;
			}
			return true;
		}
	} else {
		buf_puts(err, ": a cell is a number, a string, a boolean, null or an object "
		              "({\"date\": …}, {\"formula\": …}, {\"string\": …}), not an array");
		return false;
	}
	size_t chars = 0;

	for (const char *p = c->s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (chars > STRING_MAX) {
		buf_printf(err, ": text of %zu characters; a cell holds at most %d", chars,
		           STRING_MAX);
		return false;
	}
	return true;
}

/* Whether a read cell can go into a workbook as it is: its text, formula
 * and format hold only characters the workbook's XML can (xml_bad_char),
 * and a formula is within Excel's length. If not, the reason goes to err
 * and the result is false. */
static bool
cell_fits_xlsx(const struct cell *c, struct buf *err)
{
	unsigned bad = 0;
	const char *what = "text";

	if (c->kind == CELL_FORMULA) {
		size_t chars = 0;

		for (const char *p = c->s; *p; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		if (chars > FORMULA_MAX) {
			buf_printf(err, ": a formula of %zu characters; Excel takes at most %d",
			           chars, FORMULA_MAX);
			return false;
		}
		what = "formula";
		bad = xml_bad_char(c->s, "\t\n\r");
	} else if (c->kind == CELL_STRING) {
		bad = xml_bad_char(c->s, NULL);
	}
	if (!bad && c->format) {
		what = "format";
		bad = xml_bad_char(c->format, "");
	}
	if (bad)
		buf_printf(err, ": the %s has the character U+%04X, which a workbook cannot "
		                "hold", what, bad);
	return !bad;
}

/* The number format code of a name or code, NULL for NULL. */
static const char *
format_code(const char *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < sizeof named_formats / sizeof *named_formats; i++)
		if (!strcasecmp(f, named_formats[i].name))
			return named_formats[i].code;
	return f;
}

/* The default sheet name of sheets[i] without a name. Heap. */
static char *
sheet_name(const cJSON *sheet, size_t i)
{
	const char *n = json_str(sheet, "name");

	return n && *n ? xstrdup(n) : xasprintf("Sheet%zu", i + 1);
}

static bool
has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && !strcasecmp(path + n - e, ext);
}

/* Check the whole input; on a problem err holds it and false is returned. */
static bool
sheet_check(const cJSON *in, bool csv, struct buf *err)
{
	const cJSON *sheets = json_arr(in, "sheets"), *sheet;
	size_t ns = (size_t)cJSON_GetArraySize(sheets), i = 0;
	struct strv seen = ARRAY_INIT;
	bool ok = false;

	if (ns == 0) {
		buf_puts(err, "'sheets' is empty: give at least one sheet");
		return false;
	}
	if (csv && ns > 1) {
		buf_printf(err, "a .csv file holds one sheet, and %zu were given: write an .xlsx, "
		                "or one .csv per sheet", ns);
		return false;
	}
	if (ns > SHEETS_MAX) {
		buf_printf(err, "%zu sheets; a workbook holds at most %d here", ns, SHEETS_MAX);
		return false;
	}
	cJSON_ArrayForEach(sheet, sheets) {
		char *name = sheet_name(sheet, i);
		const cJSON *rows = json_arr(sheet, "rows"), *row, *cols = json_arr(sheet, "columns");
		size_t r = 0;

		if (!csv) {
			size_t len = 0;

			for (const char *p = name; *p; p++)
				len += ((unsigned char)*p & 0xc0) != 0x80;
			unsigned bad = xml_bad_char(name, "");

			if (bad) {
				buf_printf(err, "sheet name (sheets[%zu]) has the character U+%04X, "
				                "which a workbook cannot hold", i, bad);
				goto fail;
			}
			if (len > 31 || strpbrk(name, "[]:*?/\\") || name[0] == '\'' ||
			    name[strlen(name) - 1] == '\'') {
				buf_printf(err, "sheet name '%s' (sheets[%zu]): a sheet name has at "
				                "most 31 characters, none of [ ] : * ? / \\, and does "
				                "not start or end with an apostrophe", name, i);
				goto fail;
			}
			for (size_t k = 0; k < seen.n; k++)
				if (!strcasecmp(seen.v[k], name)) {
					buf_printf(err, "sheet name '%s' (sheets[%zu]) is used twice "
					                "(names are compared ignoring case)", name, i);
					goto fail;
				}
			strv_add(&seen, name);
		}
		if ((size_t)cJSON_GetArraySize(rows) > LXW_ROW_MAX) {
			buf_printf(err, "sheet '%s': %d rows; a sheet holds at most %d", name,
			           cJSON_GetArraySize(rows), LXW_ROW_MAX);
			goto fail;
		}
		if ((size_t)cJSON_GetArraySize(cols) > LXW_COL_MAX) {
			buf_printf(err, "sheet '%s': %d columns described; a sheet has at most %d",
			           name, cJSON_GetArraySize(cols), LXW_COL_MAX);
			goto fail;
		}
		const cJSON *col;
		size_t ci = 0;

		cJSON_ArrayForEach(col, cols) {
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(col, "width");
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(col, "format");
			char cname[16];

			doc_col_name(cname, (unsigned)ci + 1);
			if (w && (!cJSON_IsNumber(w) || w->valuedouble < 0 ||
			          w->valuedouble > WIDTH_MAX)) {
				buf_printf(err, "sheet '%s', column %s (columns[%zu]): 'width' is a "
				                "number of characters from 0 to 255", name, cname, ci);
				goto fail;
			}
			if (f && (!cJSON_IsString(f) || !*f->valuestring ||
			          strlen(f->valuestring) > FORMAT_MAX)) {
				buf_printf(err, "sheet '%s', column %s (columns[%zu]): 'format' is a "
				                "name (currency, percent, date, datetime, time, "
				                "integer, decimal, text) or an Excel number format",
				           name, cname, ci);
				goto fail;
			}
			unsigned bad = f && !csv ? xml_bad_char(f->valuestring, "") : 0;

			if (bad) {
				buf_printf(err, "sheet '%s', column %s (columns[%zu]): 'format' has the "
				                "character U+%04X, which a workbook cannot hold", name,
				           cname, ci, bad);
				goto fail;
			}
			ci++;
		}
		cJSON_ArrayForEach(row, rows) {
			const cJSON *v;
			size_t c = 0;

			if (!cJSON_IsArray(row)) {
				buf_printf(err, "sheet '%s', row %zu: a row is an array of cells", name,
				           r + 1);
				goto fail;
			}
			if ((size_t)cJSON_GetArraySize(row) > LXW_COL_MAX) {
				buf_printf(err, "sheet '%s', row %zu: %d cells; a row holds at most %d",
				           name, r + 1, cJSON_GetArraySize(row), LXW_COL_MAX);
				goto fail;
			}
			cJSON_ArrayForEach(v, row) {
				struct cell cell;
				struct buf why = BUF_INIT;

				if (!cell_read(v, &cell, &why) ||
				    (csv && cell.kind == CELL_FORMULA && (buf_puts(&why,
				            ": a .csv file cannot hold formulas: write an .xlsx, or "
				            "put the value"), true)) ||
				    (!csv && !cell_fits_xlsx(&cell, &why))) {
					where(err, name, r, c);
					buf_add(err, why.ptr, why.len);
					buf_fini(&why);
					goto fail;
				}
				buf_fini(&why);
				c++;
			}
			r++;
		}
		free(name);
		i++;
		continue;
fail:
		free(name);
		goto out;
	}
	ok = true;
out:
	strv_free(&seen);
	return ok;
}

/*
 * CSV (RFC 4180: CRLF line ends, a field with a comma, a quote or a line end
 * in quotes, quotes doubled)
 */

static void
csv_field(struct buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

/* The first characters that make a spreadsheet program read a CSV field as
 * a formula (Excel: all four; LibreOffice: '='), whatever its quotes. */
#define CSV_FORMULA_LEAD "=+-@"

/* A text cell's field: text that would be read as a formula gets a leading
 * apostrophe, so that opening the file shows it and never runs it. */
static void
csv_text(struct buf *out, const char *s)
{
	if (!*s || !strchr(CSV_FORMULA_LEAD, *s)) {
		csv_field(out, s);
		return;
	}
	char *t = xasprintf("'%s", s);

	csv_field(out, t);
	free(t);
}

/* The CSV text of a checked input's only sheet, appended to out. */
static void
csv_build(const cJSON *in, struct buf *out)
{
	const cJSON *sheet = cJSON_GetArrayItem(json_arr(in, "sheets"), 0), *row, *v;

	cJSON_ArrayForEach(row, json_arr(sheet, "rows")) {
		bool first = true;

		cJSON_ArrayForEach(v, row) {
			struct cell c;
			struct buf ignored = BUF_INIT;

			if (!first)
				buf_putc(out, ',');
			first = false;
			(void)cell_read(v, &c, &ignored); /* checked */
			buf_fini(&ignored);
			switch (c.kind) {
			case CELL_BLANK:
			case CELL_FORMULA: /* refused by the check */
				break;
			case CELL_BOOL:
				buf_puts(out, c.b ? "TRUE" : "FALSE");
				break;
			case CELL_NUMBER: {
				/* cJSON's own printing: the shortest text that reads back
				 * as the same double. */
				cJSON *n = cJSON_CreateNumber(c.num);
				char *t = json_print(n);

				buf_puts(out, t);
				free(t);
				cJSON_Delete(n);
				break;
			}
			case CELL_STRING:
				csv_text(out, c.s);
				break;
			case CELL_DATE:
				csv_field(out, c.s);
				break;
			}
		}
		buf_puts(out, "\r\n");
	}
}

/*
 * XLSX
 */

/* Formats of one workbook, made once per distinct (code, bold) pair. */
struct fmt_cache {
	lxw_workbook *wb;
	struct {
		char *code; /* NULL: none */
		bool bold;
		lxw_format *f;
	} v[64];
	size_t n;
};

static lxw_format *
fmt_get(struct fmt_cache *fc, const char *code, bool bold)
{
	if (!code && !bold)
		return NULL;
	for (size_t i = 0; i < fc->n; i++)
		if (fc->v[i].bold == bold && ((!code && !fc->v[i].code) ||
		                              (code && fc->v[i].code && !strcmp(code, fc->v[i].code))))
			return fc->v[i].f;
	lxw_format *f = lxw.workbook_add_format(fc->wb);

	if (code)
		lxw.format_set_num_format(f, code);
	if (bold)
		lxw.format_set_bold(f);
	if (fc->n < sizeof fc->v / sizeof *fc->v) { /* else not cached: still correct */
		fc->v[fc->n].code = code ? xstrdup(code) : NULL;
		fc->v[fc->n].bold = bold;
		fc->v[fc->n].f = f;
		fc->n++;
	}
	return f;
}

static void
fmt_cache_fini(struct fmt_cache *fc)
{
	for (size_t i = 0; i < fc->n; i++)
		free(fc->v[i].code);
}

/* Characters a cell shows, roughly, for a guessed column width. */
static double
cell_chars(const struct cell *c)
{
	size_t n = 0;

	switch (c->kind) {
	case CELL_STRING:
		for (const char *p = c->s; *p; p++)
			n += ((unsigned char)*p & 0xc0) != 0x80;
		return (double)n;
	case CELL_NUMBER:
		return 12;
	case CELL_DATE:
		return c->has_time ? 19 : 10;
	default:
		return 8;
	}
}

/* Write one checked sheet into ws. Returns 0 or an lxw_error. */
static lxw_error
xlsx_sheet(lxw_worksheet *ws, struct fmt_cache *fc, const cJSON *sheet)
{
	const cJSON *rows = json_arr(sheet, "rows"), *cols = json_arr(sheet, "columns"), *row, *v;
	bool freeze = json_bool(sheet, "freeze", false);
	bool filter = json_bool(sheet, "autofilter", false);
	bool header = freeze || filter;
	size_t ncols = (size_t)cJSON_GetArraySize(cols), nrows = 0, maxc = 0;
	double *width = NULL;
	lxw_error e = LXW_NO_ERROR;

	cJSON_ArrayForEach(row, rows) {
		size_t n = (size_t)cJSON_GetArraySize(row);

		maxc = n > maxc ? n : maxc;
	}
	if (ncols > maxc)
		maxc = ncols;
	width = xcalloc(maxc + 1, sizeof *width);
	cJSON_ArrayForEach(row, rows) {
		size_t c = 0;

		cJSON_ArrayForEach(v, row) {
			const cJSON *col = cJSON_GetArrayItem(cols, (int)c);
			const char *colfmt = format_code(json_str(col, "format"));
			struct cell cell;
			struct buf ignored = BUF_INIT;

			(void)cell_read(v, &cell, &ignored); /* checked */
			buf_fini(&ignored);
			const char *code = cell.format ? format_code(cell.format) : colfmt;
			bool bold = header && nrows == 0;

			if (cell.kind == CELL_DATE && (!code || bold))
				code = cell.has_time ? "yyyy-mm-dd hh:mm:ss" : "yyyy-mm-dd";
			if (cell.kind == CELL_STRING && !cell.format)
				code = NULL; /* a label in a number column keeps the default */
			lxw_format *f = fmt_get(fc, code, bold);
			lxw_row_t r = (lxw_row_t)nrows;
			lxw_col_t k = (lxw_col_t)c;

			switch (cell.kind) {
			case CELL_BLANK:
				e = f ? lxw.worksheet_write_blank(ws, r, k, f) : LXW_NO_ERROR;
				break;
			case CELL_NUMBER:
				e = lxw.worksheet_write_number(ws, r, k, cell.num, f);
				break;
			case CELL_STRING:
				e = lxw.worksheet_write_string(ws, r, k, cell.s, f);
				break;
			case CELL_BOOL:
				e = lxw.worksheet_write_boolean(ws, r, k, cell.b, f);
				break;
			case CELL_DATE:
				e = lxw.worksheet_write_datetime(ws, r, k, &cell.dt, f);
				break;
			case CELL_FORMULA:
				e = lxw.worksheet_write_formula(ws, r, k, cell.s, f);
				break;
			}
			if (e != LXW_NO_ERROR)
				goto out;
			double w = cell_chars(&cell) + 2;

			if (w > width[c])
				width[c] = w;
			c++;
		}
		nrows++;
	}
	for (size_t c = 0; c < maxc; c++) {
		const cJSON *col = cJSON_GetArrayItem(cols, (int)c);
		const cJSON *wj = cJSON_GetObjectItemCaseSensitive(col, "width");
		double w = width[c] < WIDTH_AUTO_MIN ? WIDTH_AUTO_MIN
		         : width[c] > WIDTH_AUTO_MAX ? WIDTH_AUTO_MAX : width[c];

		if (cJSON_IsNumber(wj))
			w = wj->valuedouble;
		const char *colfmt = format_code(json_str(col, "format"));

		e = lxw.worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w,
		                         colfmt ? fmt_get(fc, colfmt, false) : NULL);
		if (e != LXW_NO_ERROR)
			goto out;
	}
	if (freeze)
		lxw.worksheet_freeze_panes(ws, 1, 0);
	if (filter && maxc > 0)
		e = lxw.worksheet_autofilter(ws, 0, 0, (lxw_row_t)(nrows ? nrows - 1 : 0),
		                         (lxw_col_t)(maxc - 1));
out:
	free(width);
	return e;
}

/* Read all of fd (from offset 0) into out. */
static int
slurp(int fd, struct buf *out)
{
	char chunk[65536];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, chunk, sizeof chunk, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set("read: %s", strerror(errno));
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > OUTPUT_MAX)
			return err_set("the workbook is over %zu MiB", OUTPUT_MAX >> 20);
		buf_add(out, chunk, (size_t)n);
		off += n;
	}
}

/* Build the .xlsx of a checked input into out (a memory file, read back).
 * Returns 0 or DH_EFAIL with err_msg() saying why. */
static int
xlsx_build(const cJSON *in, struct buf *out)
{
	if (dl_load(&lxw_lib) < 0)
		return err_set("writing an .xlsx workbook needs libxlsxwriter: %s", err_msg());

	int fd = memfd_create("deskhand-xlsx", MFD_CLOEXEC);

	if (fd < 0)
		return err_set("memfd_create: %s", strerror(errno));
	char path[64];

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	lxw_workbook *wb = lxw.workbook_new(path);
	struct fmt_cache fc = { .wb = wb };
	const cJSON *sheet;
	lxw_error e = LXW_NO_ERROR;
	size_t i = 0;
	int rc = 0;

	if (!wb) {
		close(fd);
		return err_set("libxlsxwriter could not start a workbook");
	}
	cJSON_ArrayForEach(sheet, json_arr(in, "sheets")) {
		char *name = sheet_name(sheet, i++);
		lxw_worksheet *ws = lxw.workbook_add_worksheet(wb, name);

		if (!ws) {
			rc = err_set("sheet '%s' could not be added", name);
			free(name);
			break;
		}
		e = xlsx_sheet(ws, &fc, sheet);
		if (e != LXW_NO_ERROR) {
			rc = err_set("sheet '%s': %s", name, lxw.lxw_strerror(e));
			free(name);
			break;
		}
		free(name);
	}
	e = lxw.workbook_close(wb); /* frees wb, also after a failure */
	fmt_cache_fini(&fc);
	if (rc == 0 && e != LXW_NO_ERROR)
		rc = err_set("writing the workbook: %s", lxw.lxw_strerror(e));
	if (rc == 0)
		rc = slurp(fd, out);
	close(fd);
	return rc;
}

/*
 * The tool: checked, built and written on the worker
 */

/* Resolve and check what a call would write; on a refusal `out` holds it
 * (*rel and *shown, heap or NULL, are the caller's to free either way). */
static bool
sheet_prepare(const cJSON *in, struct tool_env *env, const struct grant **gr, char **rel,
              char **shown, bool *csv, struct tool_result *out)
{
	struct buf err = BUF_INIT;

	if (!tool_change_prepare(json_str(in, "path"), env, gr, rel, shown, out))
		return false;
	*csv = has_ext(*rel, ".csv");
	if (!*csv && !has_ext(*rel, ".xlsx")) {
		tool_result_errorf(out, "write_spreadsheet: %s: the path must end in .xlsx (a "
		                        "workbook) or .csv (one sheet as CSV)", *shown);
		return false;
	}
	if (!sheet_check(in, *csv, &err)) {
		tool_result_errorf(out, "write_spreadsheet: %s: %s; nothing was written", *shown,
		                   buf_cstr(&err));
		buf_fini(&err);
		return false;
	}
	buf_fini(&err);
	return true;
}

/* Check the call, build the file and write it into the grant (a
 * tool_sync_fn: run on the worker, or on the loop without one). */
static int
sheet_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	struct buf data = BUF_INIT;
	char *rel = NULL, *shown = NULL;
	bool csv = false, created = false;

	if (!sheet_prepare(in, env, &gr, &rel, &shown, &csv, out))
		goto out;
	if (csv) {
		csv_build(in, &data);
	} else if (xlsx_build(in, &data) < 0) {
		tool_result_errorf(out, "write_spreadsheet: %s: %s", shown, err_msg());
		goto out;
	}
	if (tool_write_into(gr, rel, buf_cstr(&data), data.len, &created, out) < 0)
		goto out;
	const cJSON *sheets = json_arr(in, "sheets"), *s;
	size_t rows = 0;

	cJSON_ArrayForEach(s, sheets)
		rows += (size_t)cJSON_GetArraySize(json_arr(s, "rows"));
	/* A workbook's size varies with its creation time (docProps/core.xml):
	 * only a CSV's is told, so that a replayed session sees the same text. */
	buf_printf(&out->text, "%s %s (", created ? "created" : "overwrote", shown);
	if (csv)
		buf_printf(&out->text, "%zu bytes: ", data.len);
	buf_printf(&out->text, "%d sheet%s, %zu rows)", cJSON_GetArraySize(sheets),
	           cJSON_GetArraySize(sheets) == 1 ? "" : "s", rows);
	tool_note_open_elsewhere(gr, rel, out);
out:
	buf_fini(&data);
	free(rel);
	free(shown);
	return 0;
}

static int
sheet_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
            void *ctx)
{
	return tool_start_deferred(sheet_run, in, env, true, out, done, ctx);
}

/* The approval's view: a .csv as its text; an .xlsx as a summary line. */
static int
sheet_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *gr;
	struct tool_result r;
	char *rel = NULL;
	bool csv = false;
	int rc;

	tool_result_init(&r);
	if (!sheet_prepare(in, env, &gr, &rel, &p->path, &csv, &r)) {
		free(rel);
		return tool_refusal_err(&r);
	}
	tool_result_fini(&r);
	if ((rc = tool_preview_old(gr, rel, p)) == 0 && p->is_dir)
		rc = err_set("%s is a directory", p->path);
	free(rel);
	if (rc < 0)
		return rc;
	p->new_exists = true;
	if (!csv) {
		p->skip = "xlsx workbook";
		return 0;
	}
	struct buf text = BUF_INIT;

	csv_build(in, &text);
	p->new_size = (long long)text.len;
	if (text.len > TOOL_PREVIEW_MAX && !p->skip)
		p->skip = "over 1 MiB";
	if (!p->skip)
		buf_add(&p->new, text.ptr, text.len);
	buf_fini(&text);
	return 0;
}

const struct tool_entry tool_sheet_entries[] = {
	{
		.name = "write_spreadsheet",
		.description =
			"Write a spreadsheet: an .xlsx workbook (one or more sheets) or, for a "
			"path ending in .csv, one sheet as RFC 4180 CSV. Each sheet has `rows`, "
			"an array of rows, each an array of cells. A cell is a JSON number, a "
			"boolean, null (empty), or a string: a string starting with '=' is a "
			"formula (\"=SUM(B2:B9)\", evaluated by the spreadsheet program), an "
			"ISO 8601 date \"2026-03-14\" or date-time \"2026-03-14T09:30\" becomes "
			"a real date, anything else is text. An object cell says its type "
			"explicitly: {\"string\": \"2026-03-14\"} (text that looks like a date "
			"or starts with '='), {\"date\": …}, {\"number\": …}, {\"formula\": …}, "
			"{\"bool\": …}, each with an optional \"format\". `columns[i]` sets "
			"column i's `width` (characters; otherwise guessed from the content) "
			"and number `format`: currency ($#,##0.00), percent (0.00%, for 0.25 "
			"= 25%), date, datetime, time, integer, decimal, text, or any Excel "
			"number format code such as \"#,##0.00 [$€-x-euro1]\" or \"0.0\". "
			"`freeze` freezes the first row and `autofilter` adds filter buttons to "
			"it; either makes it a bold header. A .csv takes no formulas (a text "
			"cell starting with =, +, - or @ is written after an apostrophe, so "
			"that it stays text), and ignores columns, freeze and autofilter. "
			"Errors name the sheet, row and column; nothing is written then. "
			"Missing parent directories are "
			"created; the write is atomic. Protected paths are refused as for "
			"write_file. Paths are relative to the first granted folder.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":"
			"\"The file to write, ending in .xlsx or .csv.\"},"
			"\"sheets\":{\"type\":\"array\",\"description\":\"The sheets, in order.\","
			"\"items\":{\"type\":\"object\",\"properties\":{"
			"\"name\":{\"type\":\"string\",\"description\":"
			"\"The sheet's name (default Sheet1, Sheet2…).\"},"
			"\"rows\":{\"type\":\"array\",\"description\":\"Rows of cells.\","
			"\"items\":{\"type\":\"array\"}},"
			"\"columns\":{\"type\":\"array\",\"description\":"
			"\"Per column, from A: {width?, format?}.\","
			"\"items\":{\"type\":\"object\",\"properties\":{"
			"\"width\":{\"type\":\"number\"},\"format\":{\"type\":\"string\"}}}},"
			"\"freeze\":{\"type\":\"boolean\",\"description\":"
			"\"Freeze the first row (a header).\"},"
			"\"autofilter\":{\"type\":\"boolean\",\"description\":"
			"\"Filter buttons on the first row (a header).\"}},"
			"\"required\":[\"rows\"]}}},"
			"\"required\":[\"path\",\"sheets\"]}",
		.flags = TOOL_F_MUTATES,
		.start = sheet_start,
		.preview = sheet_preview,
	},
	{ .name = NULL },
};

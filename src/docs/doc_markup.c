/* SPDX-License-Identifier: MIT */
/*
 * Word-processing and presentation documents as Markdown: .docx
 * (word/document.xml, ECMA-376 Part 1 §17: w:p, w:pStyle, w:numPr, w:tbl),
 * .pptx (ppt/presentation.xml's slide list, each slide's DrawingML a:p),
 * .odt and .odp (content.xml, OpenDocument 1.3 Part 3 §5 text:h, text:p,
 * text:list, table:table, draw:page). One streaming walk per part: a
 * paragraph becomes a line (a heading "#", a list item "- "), a top-level
 * table a Markdown table, a slide or page a "## Slide N" section.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "docs/doc_int.h"

ARRAY_HEAD(cells, char *);

struct md {
	struct doc_ctx *c;
	bool odf;           /* ODF: text anywhere in a paragraph; OOXML: inside t */
	/* the open paragraph */
	int p_depth;        /* its XML depth, -1 when none is open */
	struct buf para;
	int heading;        /* 1…6, 0 for none */
	int list_level;     /* 0 none, else 1 + nesting (a list item's first paragraph) */
	bool in_list;       /* the last line written was a list item */
	int t_depth;        /* OOXML: depth of the open t element, -1 */
	/* lists (ODF) */
	int lists;          /* text:list nesting */
	bool item_start;    /* the next paragraph begins a list item */
	/* tables */
	int tables;         /* table nesting; only the outermost is laid out */
	struct cells row;   /* cells of the current row */
	ARRAY(struct cells) rows;
	struct buf cell;    /* the current cell's text */
};

static void
md_init(struct md *m, struct doc_ctx *c, bool odf)
{
	*m = (struct md){ .c = c, .odf = odf, .p_depth = -1, .t_depth = -1 };
}

static void
cells_free(struct cells *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	ARRAY_FREE(r);
}

static void
md_fini(struct md *m)
{
	buf_fini(&m->para);
	buf_fini(&m->cell);
	cells_free(&m->row);
	for (size_t i = 0; i < m->rows.n; i++)
		cells_free(&m->rows.v[i]);
	ARRAY_FREE(&m->rows);
}

/* Text with runs of whitespace (line breaks included) made one space and
 * '|' escaped, for a table cell. */
static void
put_cell_text(struct buf *out, const char *s)
{
	bool sp = false;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			sp = out->len > 0;
			continue;
		}
		if (sp)
			buf_putc(out, ' ');
		sp = false;
		if (*s == '|')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

static void
para_start(struct md *m, struct doc_xml *x)
{
	if (m->p_depth >= 0)
		return; /* a paragraph inside one (a text box, a note): same line */
	m->p_depth = doc_xml_depth(x);
	buf_clear(&m->para);
	m->heading = 0;
	m->list_level = 0;
	if (m->odf && m->item_start && m->lists > 0)
		m->list_level = m->lists;
	m->item_start = false;
}

static void
para_end(struct md *m)
{
	struct doc_ctx *c = m->c;

	m->p_depth = -1;
	if (blank(m->para.ptr, m->para.len))
		return;
	if (m->tables > 0) {
		if (m->cell.len)
			buf_putc(&m->cell, ' ');
		put_cell_text(&m->cell, buf_cstr(&m->para));
		return;
	}
	if (m->heading > 0) {
		if (m->in_list)
			doc_puts(c, "\n");
		m->in_list = false;
		doc_printf(c, "%.*s ", m->heading, "######");
		struct buf h = BUF_INIT;

		put_cell_text(&h, buf_cstr(&m->para));
		doc_put(c, h.ptr ? h.ptr : "", h.len);
		buf_fini(&h);
		doc_puts(c, "\n\n");
		return;
	}
	if (m->in_list && m->list_level == 0)
		doc_puts(c, "\n");
	m->in_list = m->list_level > 0;
	if (m->list_level > 0) {
		for (int i = 1; i < m->list_level && i < 16; i++)
			doc_puts(c, "  ");
		doc_puts(c, "- ");
	}
	doc_put(c, m->para.ptr, m->para.len);
	doc_puts(c, m->list_level > 0 ? "\n" : "\n\n");
}

static void
cell_end(struct md *m)
{
	if (m->tables != 1)
		return;
	ARRAY_PUSH(&m->row, xstrdup(buf_cstr(&m->cell)));
	buf_clear(&m->cell);
}

static void
row_end(struct md *m)
{
	if (m->tables != 1)
		return;
	if (m->rows.n < m->c->lim->max_rows)
		ARRAY_PUSH(&m->rows, m->row);
	else
		cells_free(&m->row);
	m->row = (struct cells)ARRAY_INIT;
}

static void
table_end(struct md *m)
{
	struct doc_ctx *c = m->c;
	size_t ncols = 0;

	if (--m->tables > 0)
		return;
	for (size_t i = 0; i < m->rows.n; i++)
		if (m->rows.v[i].n > ncols)
			ncols = m->rows.v[i].n;
	if (ncols && m->in_list)
		doc_puts(c, "\n");
	if (ncols)
		m->in_list = false;
	for (size_t i = 0; i < m->rows.n && ncols; i++) {
		const struct cells *r = &m->rows.v[i];

		doc_puts(c, "|");
		for (size_t k = 0; k < ncols; k++) {
			doc_puts(c, " ");
			if (k < r->n)
				doc_puts(c, r->v[k]);
			doc_puts(c, " |");
		}
		doc_puts(c, "\n");
		if (i == 0) {
			doc_puts(c, "|");
			for (size_t k = 0; k < ncols; k++)
				doc_puts(c, "---|");
			doc_puts(c, "\n");
		}
	}
	if (ncols)
		doc_puts(c, "\n");
	for (size_t i = 0; i < m->rows.n; i++)
		cells_free(&m->rows.v[i]);
	ARRAY_CLEAR(&m->rows);
	cells_free(&m->row);
	buf_clear(&m->cell);
}

/* Attribute `name` as a number in [-ATTR_INT_MAX, ATTR_INT_MAX] (a level or
 * a count: no document has a larger one, and a level + 1 cannot overflow);
 * `def` when absent or not a number. */
#define ATTR_INT_MAX 9999
static int
attr_int(struct doc_xml *x, const char *name, int def)
{
	char *v = doc_xml_attr(x, name), *end;
	long n = v ? strtol(v, &end, 10) : def;

	if (v && end == v)
		n = def;
	free(v);
	return n < -ATTR_INT_MAX ? -ATTR_INT_MAX : n > ATTR_INT_MAX ? ATTR_INT_MAX : (int)n;
}

/* A heading level from a Word paragraph style id: "Heading1" … "Heading9",
 * "Title" (1), "Subtitle" (2); 0 otherwise. */
static int
style_heading(const char *style)
{
	if (!strcasecmp(style, "Title"))
		return 1;
	if (!strcasecmp(style, "Subtitle"))
		return 2;
	if (!strncasecmp(style, "Heading", 7)) {
		const char *p = style + 7;

		while (*p == ' ' || *p == '_')
			p++;
		if (*p >= '1' && *p <= '9')
			return *p - '0' > 6 ? 6 : *p - '0';
	}
	return 0;
}

/* Elements whose content is not the document's text. */
static bool
skipped(const char *n, bool odf)
{
	static const char *const ooxml[] = { "Fallback", "instrText", "delText", "rPh" };
	static const char *const odfs[] = { "annotation", "note", "tracked-changes", "notes",
		                            "sequence-decls", "automatic-styles", "font-face-decls",
		                            "forms" };
	const char *const *v = odf ? odfs : ooxml;
	size_t k = odf ? sizeof odfs / sizeof *odfs : sizeof ooxml / sizeof *ooxml;

	for (size_t i = 0; i < k; i++)
		if (!strcmp(n, v[i]))
			return true;
	return false;
}

/* Walk one XML part. `slides`: each draw:page is a "## Slide N" (ODP). */
static int
md_walk(struct md *m, struct doc_xml *x, bool slides, unsigned *slide_no)
{
	int rc;

	while ((rc = doc_xml_next(x)) > 0 && !m->c->full) {
		int t = doc_xml_type(x);
		const char *n = doc_xml_name(x);

		if (t == DOC_X_TEXT) {
			if (m->p_depth >= 0 && (m->odf || m->t_depth >= 0))
				buf_puts(&m->para, doc_xml_text(x));
			continue;
		}
		if (t == DOC_X_END) {
			int d = doc_xml_depth(x);

			if (d == m->p_depth)
				para_end(m);
			else if (d == m->t_depth)
				m->t_depth = -1;
			else if (!strcmp(n, m->odf ? "table-cell" : "tc"))
				cell_end(m);
			else if (!strcmp(n, m->odf ? "table-row" : "tr"))
				row_end(m);
			else if (!strcmp(n, m->odf ? "table" : "tbl"))
				table_end(m);
			else if (m->odf && !strcmp(n, "list"))
				m->lists--;
			continue;
		}
		if (t != DOC_X_START)
			continue;
		bool empty = doc_xml_empty(x);

		if (skipped(n, m->odf)) {
			if ((rc = doc_xml_skip(x)) < 0)
				return rc;
			continue;
		}
		if (m->odf) {
			if (!strcmp(n, "p") || !strcmp(n, "h")) {
				bool was_open = m->p_depth >= 0;

				para_start(m, x);
				if (!was_open && n[0] == 'h')
					m->heading = attr_int(x, "outline-level", 1);
				if (m->heading > 6)
					m->heading = 6;
				if (empty && !was_open)
					para_end(m);
			} else if (m->p_depth >= 0 && !strcmp(n, "s")) {
				int k = attr_int(x, "c", 1);

				for (int i = 0; i < k && i < 64; i++)
					buf_putc(&m->para, ' ');
			} else if (m->p_depth >= 0 && !strcmp(n, "tab")) {
				buf_putc(&m->para, '\t');
			} else if (m->p_depth >= 0 && !strcmp(n, "line-break")) {
				buf_putc(&m->para, '\n');
			} else if (!strcmp(n, "list") && !empty) {
				m->lists++;
			} else if (!strcmp(n, "list-item")) {
				m->item_start = true;
			} else if (!strcmp(n, "table") && !empty) {
				m->tables++;
			} else if (!strcmp(n, "table-cell") || !strcmp(n, "covered-table-cell")) {
				if (empty && m->tables == 1)
					ARRAY_PUSH(&m->row, xstrdup(""));
			} else if (slides && !strcmp(n, "page")) {
				doc_printf(m->c, "## Slide %u\n\n", ++*slide_no);
			}
			continue;
		}
		/* OOXML (docx, pptx) */
		if (!strcmp(n, "p")) {
			bool was_open = m->p_depth >= 0;

			para_start(m, x);
			if (empty && !was_open)
				para_end(m);
		} else if (!strcmp(n, "t") && !empty && m->t_depth < 0) {
			m->t_depth = doc_xml_depth(x);
		} else if (m->p_depth >= 0 && !strcmp(n, "tab")) {
			buf_putc(&m->para, '\t');
		} else if (m->p_depth >= 0 && (!strcmp(n, "br") || !strcmp(n, "cr"))) {
			buf_putc(&m->para, '\n');
		} else if (m->p_depth >= 0 && !strcmp(n, "pStyle")) {
			char *v = doc_xml_attr(x, "val");

			if (v)
				m->heading = style_heading(v);
			free(v);
		} else if (m->p_depth >= 0 && !strcmp(n, "ilvl")) {
			m->list_level = attr_int(x, "val", 0) + 1;
		} else if (m->p_depth >= 0 && !strcmp(n, "numPr")) {
			if (!m->list_level)
				m->list_level = 1;
		} else if (!strcmp(n, "tbl") && !empty) {
			m->tables++;
		} else if (!strcmp(n, "tc") && empty && m->tables == 1) {
			ARRAY_PUSH(&m->row, xstrdup(""));
		}
	}
	return rc < 0 ? rc : 0;
}

static int
walk_part(struct md *m, const char *part, bool slides, unsigned *slide_no)
{
	struct doc_xml *x;
	int rc;

	if ((rc = doc_xml_open(m->c, part, &x)) < 0)
		return rc;
	rc = md_walk(m, x, slides, slide_no);
	doc_xml_close(x);
	if (m->p_depth >= 0)
		para_end(m);
	return rc;
}

int
doc_markup_text(struct doc_ctx *c, enum doc_kind kind)
{
	struct md m;
	unsigned slide = 0;
	int rc = 0;

	md_init(&m, c, kind == DOC_ODT || kind == DOC_ODP);
	switch (kind) {
	case DOC_DOCX:
		rc = walk_part(&m, "word/document.xml", false, &slide);
		break;
	case DOC_ODT:
	case DOC_ODP:
		rc = walk_part(&m, "content.xml", kind == DOC_ODP, &slide);
		break;
	case DOC_PPTX: {
		struct strv parts = ARRAY_INIT;

		if ((rc = doc_ooxml_parts(c, "ppt/presentation.xml", "sldId",
		                          "ppt/_rels/presentation.xml.rels", "ppt/", &parts,
		                          NULL, NULL)) < 0) {
			strv_free(&parts);
			break;
		}
		for (size_t i = 0; i < parts.n && !c->full; i++) {
			doc_printf(c, "## Slide %zu\n\n", i + 1);
			if (*parts.v[i] && (rc = walk_part(&m, parts.v[i], false, &slide)) < 0)
				break;
		}
		if (!parts.n)
			doc_puts(c, "(no slides)\n");
		strv_free(&parts);
		break;
	}
	default:
		rc = err_set("%s: not a text document", c->name);
		break;
	}
	md_fini(&m);
	return rc;
}

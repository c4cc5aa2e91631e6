/* SPDX-License-Identifier: MIT */
/*
 * PDF text, page by page, through poppler-glib (poppler_page_get_text: the
 * page's text in reading order as poppler lays it out). Pages past
 * max_pages are left out with a note; the clock is checked between pages.
 */
#include <string.h>

#include <poppler.h>

#include "docs/doc_int.h"

int
doc_pdf_text(struct doc_ctx *c, const void *data, size_t n)
{
	GError *e = NULL;
	GBytes *bytes = g_bytes_new_static(data, n);
	PopplerDocument *d = poppler_document_new_from_bytes(bytes, NULL, &e);
	int rc = 0;

	g_bytes_unref(bytes);
	if (!d) {
		rc = err_set("%s: not a readable PDF (%s)", c->name,
		             e && e->message ? e->message : "poppler could not open it");
		g_clear_error(&e);
		return rc;
	}
	int pages = poppler_document_get_n_pages(d);
	unsigned empty = 0;
	int i = 0;

	for (; i < pages && (unsigned)i < c->lim->max_pages && !c->full; i++) {
		if (doc_over_time(c)) {
			rc = DH_EFAIL;
			break;
		}
		PopplerPage *p = poppler_document_get_page(d, i);
		char *t = p ? poppler_page_get_text(p) : NULL;

		doc_printf(c, "## Page %d\n\n", i + 1);
		if (t && *t) {
			size_t l = strlen(t);

			while (l && (t[l - 1] == '\n' || t[l - 1] == ' '))
				l--;
			doc_put(c, t, l);
			doc_puts(c, "\n\n");
		} else {
			empty++;
			doc_puts(c, "(no text on this page)\n\n");
		}
		g_free(t);
		if (p)
			g_object_unref(p);
	}
	if (rc == 0 && i < pages && !c->full)
		doc_printf(c, "[… %s has %d pages; only the first %u are shown]\n", c->name, pages,
		           c->lim->max_pages);
	if (rc == 0 && pages > 0 && empty == (unsigned)i)
		doc_puts(c, "[… no page has text: the PDF may be scanned images]\n");
	g_object_unref(d);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * PDF text, page by page, through poppler-glib (poppler_page_get_text: the
 * page's text in reading order as poppler lays it out). Pages past
 * max_pages are left out with a note; the clock is checked between pages.
 *
 * poppler-glib is loaded with dlopen() the first time a PDF is read, not
 * linked: it brings about 50 libraries (poppler, cairo, glib, NSS, X11...)
 * that every launch would otherwise map and relocate before its first
 * model request, for the sessions that never read a PDF. The header still
 * gives every type and prototype; only the calls go through `pdf`.
 */
#include <stdio.h>
#include <string.h>

#include <poppler.h>

#include "core/dl.h"
#include "docs/doc_int.h"

/* The functions used, as X(name); glib's come with poppler-glib (its
 * dependencies), through the same handle. */
#define PDF_FUNCS(X)                                                            \
	X(g_bytes_new_static)                                                   \
	X(g_bytes_unref)                                                        \
	X(g_clear_error)                                                        \
	X(g_free)                                                               \
	X(g_object_unref)                                                       \
	X(poppler_document_new_from_bytes)                                      \
	X(poppler_document_get_n_pages)                                         \
	X(poppler_document_get_page)                                            \
	X(poppler_error_quark)                                                  \
	X(poppler_page_get_text)

/* How far into a file its "%PDF-" header may start: readers accept up to
 * 1 KiB of anything before it, as Acrobat does. */
#define PDF_HEAD 1024

DL_LIBRARY(pdf, "libpoppler-glib.so.8", "libpoppler-glib8", PDF_FUNCS);

int
doc_pdf_text(struct doc_ctx *c, const void *data, size_t n)
{
	if (dl_load(&pdf_lib) < 0)
		return err_set("%s: PDF text needs poppler-glib: %s", c->name, err_msg());

	GError *e = NULL;
	GBytes *bytes = pdf.g_bytes_new_static(data, n);
	PopplerDocument *d = pdf.poppler_document_new_from_bytes(bytes, NULL, &e);
	int rc = 0;

	pdf.g_bytes_unref(bytes);
	if (!d) {
		if (e && e->domain == pdf.poppler_error_quark() && e->code == POPPLER_ERROR_ENCRYPTED)
			rc = doc_encrypted(c);
		else if (!memmem(data, n < PDF_HEAD ? n : PDF_HEAD, "%PDF-", 5))
			rc = err_set("%s: not a PDF: it has no %%PDF- header (another kind of file "
			             "named .pdf?)",
			             c->name);
		else
			rc = err_setc(DH_EPARSE, "%s: not a readable PDF (%s)", c->name,
			              e && e->message ? e->message : "poppler could not open it");
		pdf.g_clear_error(&e);
		return rc;
	}
	int pages = pdf.poppler_document_get_n_pages(d);
	unsigned empty = 0;
	int i = 0;

	for (; i < pages && (unsigned)i < c->lim->max_pages && !c->full; i++) {
		if (doc_over_time(c)) {
			rc = DH_EFAIL;
			break;
		}
		PopplerPage *p = pdf.poppler_document_get_page(d, i);
		char *t = p ? pdf.poppler_page_get_text(p) : NULL;

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
		pdf.g_free(t);
		if (p)
			pdf.g_object_unref(p);
		doc_flush(c);
	}
	if (rc == 0 && i < pages && !c->full)
		doc_printf(c, "[… %s has %d pages; only the first %u are shown]\n", c->name, pages,
		           c->lim->max_pages);
	if (rc == 0 && pages > 0 && empty == (unsigned)i)
		doc_puts(c, "[… no page has text: the PDF may be scanned images]\n");
	pdf.g_object_unref(d);
	return rc;
}

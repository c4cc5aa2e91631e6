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
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <poppler.h>

#include "docs/doc_int.h"

#define PDF_LIB "libpoppler-glib.so.8"

/* The functions used, as X(name). */
#define PDF_FUNCS(X)                                                            \
	X(g_bytes_new_static)                                                   \
	X(g_bytes_unref)                                                        \
	X(g_clear_error)                                                        \
	X(g_free)                                                               \
	X(g_object_unref)                                                       \
	X(poppler_document_new_from_bytes)                                      \
	X(poppler_document_get_n_pages)                                         \
	X(poppler_document_get_page)                                            \
	X(poppler_page_get_text)

/* Filled once (pthread_once: documents are read on several threads), then
 * only read; `why` is the dlopen/dlsym error when the library is missing. */
static struct {
#define PDF_PTR(f) __typeof__(f) *f;
	PDF_FUNCS(PDF_PTR)
#undef PDF_PTR
	char why[256];
} pdf;
static pthread_once_t pdf_once = PTHREAD_ONCE_INIT;

static void
pdf_load(void)
{
	/* glib's symbols come with it (its dependencies): one handle, kept */
	void *h = dlopen(PDF_LIB, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(pdf.why, sizeof pdf.why, "%s", dlerror());
		return;
	}
#define PDF_SYM(f)                                                              \
	if (!pdf.why[0] && !(*(void **)&pdf.f = dlsym(h, #f)))                  \
		snprintf(pdf.why, sizeof pdf.why, "%s: no symbol %s", PDF_LIB, #f);
	PDF_FUNCS(PDF_SYM)
#undef PDF_SYM
}

int
doc_pdf_text(struct doc_ctx *c, const void *data, size_t n)
{
	pthread_once(&pdf_once, pdf_load);
	if (pdf.why[0])
		return err_set("%s: PDF text needs poppler-glib (Debian: libpoppler-glib8), "
			       "which could not be loaded: %s", c->name, pdf.why);

	GError *e = NULL;
	GBytes *bytes = pdf.g_bytes_new_static(data, n);
	PopplerDocument *d = pdf.poppler_document_new_from_bytes(bytes, NULL, &e);
	int rc = 0;

	pdf.g_bytes_unref(bytes);
	if (!d) {
		rc = err_set("%s: not a readable PDF (%s)", c->name,
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
	}
	if (rc == 0 && i < pages && !c->full)
		doc_printf(c, "[… %s has %d pages; only the first %u are shown]\n", c->name, pages,
		           c->lim->max_pages);
	if (rc == 0 && pages > 0 && empty == (unsigned)i)
		doc_puts(c, "[… no page has text: the PDF may be scanned images]\n");
	pdf.g_object_unref(d);
	return rc;
}

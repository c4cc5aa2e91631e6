/* SPDX-License-Identifier: MIT */
#ifndef DH_DOCS_DOC_INT_H
#define DH_DOCS_DOC_INT_H

/*
 * Shared by the files of src/docs only: one document's reading context (its
 * limits, clock, zip container and text sink), the bounded zip entry stream
 * and the XML reader over it (doc.c), and each format's entry point.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "docs/doc.h"

struct doc_xml; /* opaque: an XML part being read (doc.c) */

struct doc_ctx {
	const struct doc_limits *lim;
	const char *name;      /* the document, for messages */
	struct timespec t0;    /* when reading began */
	void *zip;             /* zip_t *, NULL for a PDF */
	uint64_t unzipped;     /* uncompressed bytes read in all */
	struct buf *out;       /* the text sink (doc_put); NULL when building a model */
	bool full;             /* out reached max_text */
	int out_fd;            /* -1, or where doc_flush() writes what out gained */
	size_t flushed;        /* bytes of out written to out_fd */
};

/* Start reading `name` (for messages; NULL: "document") under lim, into out
 * (NULL when building a model); the clock starts now. */
void doc_ctx_init(struct doc_ctx *c, const char *name, const struct doc_limits *lim,
                  struct buf *out);
/* 0, or DH_EFAIL for a document of n bytes that is empty or over max_input. */
int doc_check_input(const struct doc_ctx *c, size_t n) DH_MUST_CHECK;
/* The text of a document of any kind, read in this process (doc_to_text()
 * after its checks). */
int doc_text_run(struct doc_ctx *c, const void *data, size_t n, enum doc_kind kind) DH_MUST_CHECK;
/* Milliseconds since reading began. */
long doc_elapsed_ms(const struct doc_ctx *c);
/* The error for a document read past max_ms: "NAME: the document took longer
 * than 20 s to read …". Returns DH_EFAIL. */
int doc_err_time(struct doc_ctx *c);
/* Write what c->out gained since the last call to c->out_fd (a no-op when
 * it is -1): a page is sent as soon as it is read. Errors are left to the
 * reader of the pipe, which then sees the text end early. */
void doc_flush(struct doc_ctx *c);

/* Whether documents are read in a child process (doc_child_set()). */
bool doc_child_is_set(void);
/* The text of a document read by the child process (doc_child.c), into
 * c->out: what the child read before the time or memory limit stopped it
 * (whole pages), then DH_EFAIL saying which; else as doc_text_run(). */
int doc_child_text(struct doc_ctx *c, const void *data, size_t n, enum doc_kind kind) DH_MUST_CHECK;

/* Open data as a zip container into c->zip. Returns 0 or DH_EFAIL
 * ("NAME: not a readable zip container (…)"). */
int doc_zip_open(struct doc_ctx *c, const void *data, size_t n) DH_MUST_CHECK;
void doc_zip_close(struct doc_ctx *c);
/* Whether the container has an entry of that name. */
bool doc_zip_has(struct doc_ctx *c, const char *entry);
/* Read a whole (small) entry into a NUL-terminated heap string (*out, *n),
 * bounded as the stream is. DH_ENOTFOUND when absent; DH_EFAIL naming it. */
int doc_zip_slurp(struct doc_ctx *c, const char *entry, char **out, size_t *n) DH_MUST_CHECK;

/* Open an entry of the container for streaming XML reading. DH_ENOTFOUND
 * when absent (message set), DH_EFAIL otherwise. */
int doc_xml_open(struct doc_ctx *c, const char *entry, struct doc_xml **out) DH_MUST_CHECK;
/* Open XML held in memory (borrowed until doc_xml_close). */
int doc_xml_open_mem(struct doc_ctx *c, const char *what, const char *data, size_t n,
                     struct doc_xml **out) DH_MUST_CHECK;
void doc_xml_close(struct doc_xml *x);
/* Advance to the next node. Returns 1 (a node), 0 (end of the part) or
 * DH_EFAIL naming the document and part (malformed XML, nesting over
 * max_depth, over time, a zip bomb). */
int doc_xml_next(struct doc_xml *x) DH_MUST_CHECK;
/* The current node. */
enum { DOC_X_START = 1, DOC_X_END = 2, DOC_X_TEXT = 3 };
int doc_xml_type(struct doc_xml *x);    /* DOC_X_* or 0 for any other node */
const char *doc_xml_name(struct doc_xml *x);  /* local name, no prefix; "" for text */
bool doc_xml_empty(struct doc_xml *x);  /* a START that is also its own end (<a/>) */
int doc_xml_depth(struct doc_xml *x);
/* The value of an attribute by local name (any namespace), heap; NULL. */
char *doc_xml_attr(struct doc_xml *x, const char *local);
/* The value of an attribute in namespace ns (a URI), heap; NULL. */
char *doc_xml_attr_ns(struct doc_xml *x, const char *local, const char *ns);
/* The namespace of OOXML's relationship ids (r:id). */
#define DOC_NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
/* The text of a DOC_X_TEXT node (also whitespace and CDATA). Borrowed. */
const char *doc_xml_text(struct doc_xml *x);
/* Skip the current START element's subtree (to its END). */
int doc_xml_skip(struct doc_xml *x) DH_MUST_CHECK;

struct strv;
/* The parts an OOXML list names, in order: each `elem` element of the part
 * `list` (its r:id, appended to ids unless NULL; its `name` attribute appended
 * to names unless NULL), resolved through the relationships part `rels`, a
 * target relative to `dir` ("xl/"). An unresolved id gives "". Appends to
 * parts (and names, ids). */
int doc_ooxml_parts(struct doc_ctx *c, const char *list, const char *elem, const char *rels,
                    const char *dir, struct strv *parts, struct strv *names,
                    struct strv *ids) DH_MUST_CHECK;

/* The error for an encrypted (password-protected) document, whatever its
 * format: "NAME: the document is encrypted …". Returns DH_EFAIL. */
int doc_encrypted(struct doc_ctx *c);

/* Whether reading has gone past max_ms (then err_msg() says so). */
bool doc_over_time(struct doc_ctx *c);
/* Append to c->out up to max_text; sets c->full when it is reached. */
void doc_put(struct doc_ctx *c, const char *s, size_t n);
void doc_puts(struct doc_ctx *c, const char *s);
void doc_printf(struct doc_ctx *c, const char *fmt, ...) DH_PRINTF(2, 3);

/* Each format (doc_sheet.c, doc_markup.c, doc_pdf.c). */
int doc_sheet_text(struct doc_ctx *c, enum doc_kind kind) DH_MUST_CHECK;
int doc_sheet_load(struct doc_ctx *c, enum doc_kind kind, struct doc_book *b) DH_MUST_CHECK;
int doc_markup_text(struct doc_ctx *c, enum doc_kind kind) DH_MUST_CHECK;
int doc_pdf_text(struct doc_ctx *c, const void *data, size_t n) DH_MUST_CHECK;

#endif

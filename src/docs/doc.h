/* SPDX-License-Identifier: MIT */
#ifndef DH_DOCS_DOC_H
#define DH_DOCS_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Office documents and PDFs as text (issue 16, docs/documents.md): the one
 * reader that read_file, search_files and the review's diffs use, and that
 * any other code needing "what does this document say" calls.
 *
 *  - .xlsx / .ods: one Markdown table per sheet with row numbers and column
 *    letters; a formula is shown beside its cached value ("10 [=SUM(B2:B3)]").
 *    doc_book_load() gives the same content as a model (struct doc_book),
 *    and doc_book_diff() the cell-level change list of two versions
 *    ("Sheet1!B4: 12.50 → 13.00").
 *  - .docx / .odt: Markdown (headings, lists, tables, paragraphs).
 *  - .pptx / .odp: slide by slide ("## Slide 3"), the text of each.
 *  - PDF: the text of each page ("## Page 2"), through poppler-glib.
 *
 * Zip containers are read with libzip, their XML parts with libxml2's
 * streaming reader (no tree is built). Everything is bounded by struct
 * doc_limits: uncompressed bytes per part and in all, the compression ratio
 * (zip bombs), XML nesting depth, rows, columns and cells of a sheet, PDF
 * pages, output bytes and wall-clock time. Hitting a size or row cap gives a
 * capped result with a note saying what was left out; a malformed or
 * hostile container (truncated zip, bomb, excessive nesting, time) gives an
 * error naming the file and the part at fault.
 *
 * Thread use: the functions keep no state between calls and may run on
 * any thread; libzip and libxml2 are loaded (and libxml2 set up) by the
 * first call that needs them.
 *
 * For other code: doc_to_text() is the reader (read_file, search_files, the
 * review's text diffs); doc_book_load() + doc_book_diff() give the cell-level
 * diff of two versions of a spreadsheet, e.g. to test a spreadsheet writer.
 */

enum doc_kind {
	DOC_NONE = 0, /* not a document this module reads */
	DOC_XLSX,
	DOC_ODS,
	DOC_DOCX,
	DOC_ODT,
	DOC_PPTX,
	DOC_ODP,
	DOC_PDF,
};

struct doc_limits {
	size_t max_input;    /* bytes of the document itself */
	size_t max_part;     /* uncompressed bytes of one zip entry */
	size_t max_unzipped; /* uncompressed bytes read from the container in all */
	unsigned max_ratio;  /* uncompressed/compressed of an entry over 1 MiB */
	unsigned max_depth;  /* XML element nesting */
	size_t max_rows;     /* rows kept per sheet */
	size_t max_cols;     /* columns kept per row (A = 1) */
	size_t max_cells;    /* non-empty cells kept in a whole workbook */
	unsigned max_pages;  /* PDF pages read */
	size_t max_text;     /* bytes of text produced */
	unsigned max_ms;     /* wall-clock milliseconds for one document */
	size_t max_mem;      /* bytes of address space of the process reading a PDF
	                      * apart (doc_child_set); 0: no limit */
	int stop_fd;         /* -1: none; else an fd another thread makes readable
	                      * (an eventfd, a pipe) when the text is no longer
	                      * wanted: a PDF read apart has its child killed at
	                      * once and gives DH_ECANCELED (polled, never read) */
};

/* The defaults (docs/documents.md lists them): 64 MiB input, 64 MiB per
 * part, 256 MiB unzipped, ratio 200, depth 256 (libxml2's own limit),
 * 10,000 rows, 1,024 columns, 500,000 cells, 1,000 pages, 8 MiB of text,
 * 20 s, 1 GiB of memory for a PDF's reader. For tests only, the environment
 * variables DH_TEST_DOC_MS (milliseconds) and DH_TEST_DOC_MIB (MiB) replace
 * the time and memory limits. */
void doc_limits_default(struct doc_limits *l);

/*
 * Reading a PDF apart
 */

/* Read each PDF in a child process from now on: `exe` (borrowed for the
 * process's life; "/proc/self/exe" for deskhand), run as `exe doc-text …`,
 * must call doc_child_main() for that verb. poppler lays out a page in one
 * call that cannot be interrupted; the child is killed at max_ms instead, and
 * runs with max_mem of address space (not in a sanitizer build: their
 * shadow memory needs terabytes). Without it (the unit tests), PDFs are read
 * in the calling thread, which then stops only between pages. Call before
 * any thread reads a document. */
void doc_child_set(const char *exe);
/* The child's side (`deskhand doc-text KIND PAGES TEXT MS MEM INPUT NAME`, argv[0]
 * "doc-text"): the document on stdin, the text on stdout as each page is
 * read, then a NUL byte and "RC\nMESSAGE". Returns the exit status: 0, 1
 * when stdout failed, 2 for a bad command line. */
int doc_child_main(int argc, char **argv);

/* The kind of a document from its file name's extension (case-insensitive)
 * and, for PDF, its first bytes (`head`, n bytes; may be NULL): "%PDF-" is a
 * PDF whatever its name. DOC_NONE for anything else. */
enum doc_kind doc_kind_of(const char *name, const void *head, size_t n);
/* "xlsx", "ods", "docx", "odt", "pptx", "odp", "pdf"; "" for DOC_NONE. Static. */
const char *doc_kind_name(enum doc_kind k);
/* Whether k is a spreadsheet (DOC_XLSX, DOC_ODS). */
bool doc_kind_is_sheet(enum doc_kind k);

/* The text of a document held in memory (data, n bytes; `name` is used in
 * messages only), appended to `out` as UTF-8 (format above). A cap that was
 * hit adds a line "[… NOTE]" where the content was cut and the call still
 * succeeds. Returns 0; DH_EFAIL with err_msg() naming `name` and the part at
 * fault ("book.docx: word/document.xml: XML nested deeper than 256 elements") for
 * an empty (0-byte), damaged, encrypted (password-protected) or hostile
 * document, a file that is not of its kind at all, or when it is over
 * max_input, max_ms or (a PDF read apart) max_mem; `out` may then hold
 * partial text (a PDF's: the pages read before then). DH_EPARSE instead
 * for a PDF that poppler cannot parse although it has a PDF header and no
 * encryption: damaged, a more forgiving reader may still manage it.
 * DH_ECANCELED for a PDF read apart whose lim->stop_fd became readable
 * (the zip formats do not look at it: they stop at max_ms). lim NULL means
 * the defaults. */
int doc_to_text(const void *data, size_t n, const char *name, enum doc_kind kind,
                const struct doc_limits *lim, struct buf *out) DH_MUST_CHECK;

/*
 * The spreadsheet model, for the cell-level diff.
 */

struct doc_cell {
	unsigned row, col; /* 1-based: A1 is row 1, col 1 */
	char *value;       /* the shown value (cached for a formula: "" when the workbook
	                    * asks to be calculated when opened), heap; "" if none */
	char *formula;     /* "=SUM(B2:B9)", heap; NULL when the cell holds a constant */
};

struct doc_sheet {
	char *name;             /* heap */
	struct doc_cell *cells; /* non-empty cells, by row then column */
	size_t ncells;
	unsigned nrows, ncols;  /* the last row and column holding a kept cell */
	bool capped;            /* rows, columns or cells were left out */
};

struct doc_book {
	struct doc_sheet *sheets; /* in workbook order */
	size_t nsheets;
	char *note; /* why the model is incomplete (heap), or NULL */
};

/* Load a spreadsheet (DOC_XLSX or DOC_ODS) from memory into a new model
 * (*out, owned by the caller: doc_book_free). Values are shown as the file
 * formats them where this reader knows the format (fixed decimals, percent,
 * dates as YYYY-MM-DD; .ods carries its own shown text); booleans as TRUE /
 * FALSE. Returns 0, or DH_EFAIL as doc_to_text() (then *out is NULL). */
int doc_book_load(const void *data, size_t n, const char *name, enum doc_kind kind,
                  const struct doc_limits *lim, struct doc_book **out) DH_MUST_CHECK;
void doc_book_free(struct doc_book *b);

/* A cell reference "B4" for (row, col), 1-based; out holds at least 16 bytes. */
void doc_cell_ref(char *out, unsigned row, unsigned col);
/* A column's letters ("A", "Z", "AA", "XFD") for col, 1-based; out holds at
 * least 8 bytes. Returns their length. */
size_t doc_col_name(char *out, unsigned col);

/* The cells that differ between two models (either may be NULL: no sheets),
 * one line each appended to `out`, sheets in b's order then those only in a:
 *   "~Sheet1!B4: 12.50 → 13.00"         a changed value or formula
 *   "+Sheet1!B9: 100 [=SUM(B2:B8)]"      a cell that was empty
 *   "-Sheet1!A3: Tea"                    a cell that is now empty
 * (the first byte is the kind of change). At most max_lines lines (0: no
 * limit); then a last line "…N more changed cells" (first byte ' '). Returns
 * the number of changed cells. */
size_t doc_book_diff(const struct doc_book *a, const struct doc_book *b, size_t max_lines,
                     struct buf *out);

#endif

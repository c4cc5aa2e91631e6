/* SPDX-License-Identifier: MIT */
/*
 * Documents as text: the limits, the kind of a file, the dispatch to each
 * format, and the bounded reading every format shares: zip entries through
 * libzip, counted as they are inflated (size, ratio and total caps), and the
 * XML in them through libxml2's streaming reader with a depth cap and the
 * document's clock checked as it goes.
 *
 * Both libraries are loaded with dlopen() by the first document that needs
 * them (core/dl.h), not linked: libxml2 brings ICU and libstdc++, and a
 * launch would map and relocate them for sessions that never read one.
 */
#include "docs/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include "core/atomic.h"
#include "core/dl.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "docs/doc_int.h"

#define RATIO_FLOOR ((uint64_t)1 << 20) /* entries smaller than this are not ratio-checked */

void
doc_limits_default(struct doc_limits *l)
{
	*l = (struct doc_limits){
		.max_input = (size_t)64 << 20,
		.max_part = (size_t)64 << 20,
		.max_unzipped = (size_t)256 << 20,
		.max_ratio = 200,
		.max_depth = 256, /* libxml2's own limit without XML_PARSE_HUGE */
		.max_rows = 10000,
		.max_cols = 1024,
		.max_cells = 500000,
		.max_pages = 1000,
		.max_text = (size_t)8 << 20,
		.max_ms = 20000,
		.max_mem = (size_t)1 << 30,
		.stop_fd = -1,
	};
	/* Test-only: lower limits, so that a test needs no document big
	 * enough to reach the real ones. */
	const char *ms = getenv("DH_TEST_DOC_MS"), *mib = getenv("DH_TEST_DOC_MIB");

	if (ms && atoi(ms) > 0)
		l->max_ms = (unsigned)atoi(ms);
	if (mib && atoi(mib) > 0)
		l->max_mem = (size_t)atoi(mib) << 20;
}

/* The functions used, as X(name); xmlFree is a variable (a function pointer). */
#define LIBXML_SYMS(X)                                                          \
	X(xmlFree)                                                              \
	X(xmlFreeTextReader)                                                    \
	X(xmlInitParser)                                                        \
	X(xmlReaderForIO)                                                       \
	X(xmlReaderForMemory)                                                   \
	X(xmlTextReaderConstLocalName)                                          \
	X(xmlTextReaderConstValue)                                              \
	X(xmlTextReaderDepth)                                                   \
	X(xmlTextReaderGetAttributeNs)                                          \
	X(xmlTextReaderIsEmptyElement)                                          \
	X(xmlTextReaderMoveToElement)                                           \
	X(xmlTextReaderMoveToFirstAttribute)                                    \
	X(xmlTextReaderMoveToNextAttribute)                                     \
	X(xmlTextReaderNodeType)                                                \
	X(xmlTextReaderRead)                                                    \
	X(xmlTextReaderSetStructuredErrorHandler)

#define LIBZIP_SYMS(X)                                                          \
	X(zip_discard)                                                          \
	X(zip_error_fini)                                                       \
	X(zip_error_init)                                                       \
	X(zip_error_strerror)                                                   \
	X(zip_fclose)                                                           \
	X(zip_file_strerror)                                                    \
	X(zip_fopen_index)                                                      \
	X(zip_fread)                                                            \
	X(zip_name_locate)                                                      \
	X(zip_open_from_source)                                                 \
	X(zip_source_buffer_create)                                             \
	X(zip_source_free)                                                      \
	X(zip_stat_index)                                                       \
	X(zip_stat_init)                                                        \
	X(zip_strerror)

static void libxml_setup(void);
DL_LIBRARY_INIT(libxml, "libxml2.so.2", "libxml2", LIBXML_SYMS, libxml_setup);
DL_LIBRARY(libzip, "libzip.so.4", "libzip4", LIBZIP_SYMS);

/* Once, by the thread that loads it (documents are read on several). */
static void
libxml_setup(void)
{
	libxml.xmlInitParser();
}

static const struct {
	const char *ext;
	enum doc_kind kind;
} kinds[] = {
	{ "xlsx", DOC_XLSX }, { "xlsm", DOC_XLSX }, { "ods", DOC_ODS }, { "docx", DOC_DOCX },
	{ "docm", DOC_DOCX }, { "odt", DOC_ODT },   { "pptx", DOC_PPTX }, { "pptm", DOC_PPTX },
	{ "odp", DOC_ODP },   { "pdf", DOC_PDF },
};

enum doc_kind
doc_kind_of(const char *name, const void *head, size_t n)
{
	if (head && n >= 5 && !memcmp(head, "%PDF-", 5))
		return DOC_PDF;
	const char *slash = name ? strrchr(name, '/') : NULL;
	const char *base = slash ? slash + 1 : name;
	const char *dot = base ? strrchr(base, '.') : NULL;

	if (!dot || dot == base)
		return DOC_NONE;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcasecmp(dot + 1, kinds[i].ext))
			return kinds[i].kind;
	return DOC_NONE;
}

const char *
doc_kind_name(enum doc_kind k)
{
	static const char *const names[] = {
		[DOC_NONE] = "", [DOC_XLSX] = "xlsx", [DOC_ODS] = "ods", [DOC_DOCX] = "docx",
		[DOC_ODT] = "odt", [DOC_PPTX] = "pptx", [DOC_ODP] = "odp", [DOC_PDF] = "pdf",
	};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "";
}

bool
doc_kind_is_sheet(enum doc_kind k)
{
	return k == DOC_XLSX || k == DOC_ODS;
}

/*
 * Clock and text sink
 */

long
doc_elapsed_ms(const struct doc_ctx *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - c->t0.tv_sec) * 1000 + (t.tv_nsec - c->t0.tv_nsec) / 1000000);
}

int
doc_err_time(struct doc_ctx *c)
{
	unsigned ms = c->lim->max_ms;
	char took[32];

	if (ms % 1000 == 0)
		snprintf(took, sizeof took, "%u s", ms / 1000);
	else
		snprintf(took, sizeof took, "%.1f s", ms / 1000.0);
	return err_set("%s: the document took longer than %s to read, so reading stopped there; "
	               "it is too large or too complex to show as text whole",
	               c->name, took);
}

bool
doc_over_time(struct doc_ctx *c)
{
	if (doc_elapsed_ms(c) <= (long)c->lim->max_ms)
		return false;
	doc_err_time(c);
	return true;
}

void
doc_flush(struct doc_ctx *c)
{
	if (c->out_fd < 0 || !c->out || c->out->len <= c->flushed)
		return;
	if (atomic_write_all(c->out_fd, c->out->ptr + c->flushed, c->out->len - c->flushed) < 0)
		c->out_fd = -1;
	c->flushed = c->out->len;
}

int
doc_encrypted(struct doc_ctx *c)
{
	return err_set("%s: the document is encrypted (password-protected), so its text cannot "
	               "be read; a copy saved without the password can be",
	               c->name);
}

void
doc_put(struct doc_ctx *c, const char *s, size_t n)
{
	if (!c->out || c->full)
		return;
	size_t room = c->lim->max_text > c->out->len ? c->lim->max_text - c->out->len : 0;

	if (n > room) {
		while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
			room--; /* never split a UTF-8 sequence */
		buf_add(c->out, s, room);
		buf_printf(c->out, "\n[… the text is capped at %zu bytes; the rest is not shown]\n",
		           c->lim->max_text);
		c->full = true;
		return;
	}
	buf_add(c->out, s, n);
}

void
doc_puts(struct doc_ctx *c, const char *s)
{
	doc_put(c, s, strlen(s));
}

void
doc_printf(struct doc_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		doc_put(c, tmp, (size_t)n);
		return;
	}
	char *p = xmalloc((size_t)n + 1);

	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	doc_put(c, p, (size_t)n);
	free(p);
}

/*
 * Zip container
 */

int
doc_zip_open(struct doc_ctx *c, const void *data, size_t n)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;

	if (dl_load(&libzip_lib) < 0)
		return err_set("%s: reading a zip container needs libzip: %s", c->name, err_msg());
	libzip.zip_error_init(&ze);
	if (!(src = libzip.zip_source_buffer_create(data, n, 0, &ze))) {
		err_set("%s: not a readable zip container (%s)", c->name, libzip.zip_error_strerror(&ze));
		libzip.zip_error_fini(&ze);
		return DH_EFAIL;
	}
	if (!(z = libzip.zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
		err_set("%s: not a readable zip container (%s); the file may be truncated or "
		        "damaged",
		        c->name, libzip.zip_error_strerror(&ze));
		libzip.zip_source_free(src);
		libzip.zip_error_fini(&ze);
		return DH_EFAIL;
	}
	libzip.zip_error_fini(&ze);
	c->zip = z;
	return 0;
}

void
doc_zip_close(struct doc_ctx *c)
{
	if (c->zip)
		libzip.zip_discard(c->zip);
	c->zip = NULL;
}

bool
doc_zip_has(struct doc_ctx *c, const char *entry)
{
	return c->zip && libzip.zip_name_locate(c->zip, entry, 0) >= 0;
}

/* One entry being inflated, counted against the limits. */
struct zstream {
	struct doc_ctx *c;
	const char *entry;
	zip_file_t *zf;
	uint64_t comp; /* compressed size */
	uint64_t got;  /* bytes inflated so far */
	bool failed;   /* err_msg() says why */
};

static int
zstream_open(struct doc_ctx *c, const char *entry, struct zstream *s)
{
	zip_stat_t st;
	zip_int64_t idx;

	*s = (struct zstream){ .c = c, .entry = entry };
	if (!c->zip || (idx = libzip.zip_name_locate(c->zip, entry, 0)) < 0)
		return err_setc(DH_ENOTFOUND, "%s: has no part %s", c->name, entry);
	libzip.zip_stat_init(&st);
	if (libzip.zip_stat_index(c->zip, (zip_uint64_t)idx, 0, &st) < 0)
		return err_set("%s: %s: %s", c->name, entry, libzip.zip_strerror(c->zip));
	if ((st.valid & ZIP_STAT_SIZE) && st.size > c->lim->max_part)
		return err_set("%s: %s is %ju bytes uncompressed, over the limit of %zu bytes for "
		               "one part",
		               c->name, entry, (uintmax_t)st.size, c->lim->max_part);
	s->comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	if (!(s->zf = libzip.zip_fopen_index(c->zip, (zip_uint64_t)idx, 0)))
		return err_set("%s: %s: %s", c->name, entry, libzip.zip_strerror(c->zip));
	return 0;
}

/* Up to len bytes of the entry; -1 with err_msg() set on any cap or error. */
static long
zstream_read(struct zstream *s, char *p, size_t len)
{
	const struct doc_limits *L = s->c->lim;

	if (s->failed)
		return -1;
	zip_int64_t r = libzip.zip_fread(s->zf, p, len);

	if (r < 0) {
		err_set("%s: %s: %s; the file may be truncated or damaged", s->c->name, s->entry,
		        libzip.zip_file_strerror(s->zf));
		goto fail;
	}
	s->got += (uint64_t)r;
	s->c->unzipped += (uint64_t)r;
	if (s->got > L->max_part) {
		err_set("%s: %s inflates to over %zu bytes, the limit for one part", s->c->name,
		        s->entry, L->max_part);
		goto fail;
	}
	if (s->c->unzipped > L->max_unzipped) {
		err_set("%s: the parts inflate to over %zu bytes in all, the limit (a zip bomb?)",
		        s->c->name, L->max_unzipped);
		goto fail;
	}
	if (s->got > RATIO_FLOOR && s->got / (s->comp ? s->comp : 1) > L->max_ratio) {
		err_set("%s: %s inflates over %u times its compressed size (%ju bytes); refused as "
		        "a zip bomb",
		        s->c->name, s->entry, L->max_ratio, (uintmax_t)s->comp);
		goto fail;
	}
	if (doc_over_time(s->c))
		goto fail;
	return (long)r;
fail:
	s->failed = true;
	return -1;
}

static void
zstream_close(struct zstream *s)
{
	if (s->zf)
		libzip.zip_fclose(s->zf);
	s->zf = NULL;
}

int
doc_zip_slurp(struct doc_ctx *c, const char *entry, char **out, size_t *n)
{
	struct zstream s;
	struct buf b = BUF_INIT;
	char chunk[65536];
	long r;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = zstream_open(c, entry, &s)) < 0)
		return rc;
	while ((r = zstream_read(&s, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)r);
	zstream_close(&s);
	if (r < 0) {
		buf_fini(&b);
		return DH_EFAIL;
	}
	*n = b.len;
	*out = buf_detach(&b);
	return 0;
}

/*
 * XML parts
 */

struct doc_xml {
	struct doc_ctx *c;
	char *what;          /* the part's name, for messages */
	xmlTextReaderPtr r;
	struct zstream zs;   /* when streaming from the container */
	bool from_zip;
	char err[256];       /* the first parser error */
	unsigned steps;
};

static int
xml_io_read(void *ctx, char *buffer, int len)
{
	struct doc_xml *x = ctx;
	long r = zstream_read(&x->zs, buffer, len > 0 ? (size_t)len : 0);

	return r < 0 ? -1 : (int)r;
}

static int
xml_io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
xml_error(void *arg, xmlErrorPtr e)
{
	struct doc_xml *x = arg;

	if (x->err[0] || !e || !e->message)
		return;
	snprintf(x->err, sizeof x->err, "%s", e->message);
	size_t l = strlen(x->err);
	while (l && (x->err[l - 1] == '\n' || x->err[l - 1] == ' '))
		x->err[--l] = '\0';
	if (e->line > 0 && l + 24 < sizeof x->err)
		snprintf(x->err + l, sizeof x->err - l, " (line %d)", e->line);
}

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

static int
xml_start(struct doc_xml *x)
{
	if (!x->r) {
		free(x->what);
		free(x);
		return err_set("out of memory opening an XML reader");
	}
	libxml.xmlTextReaderSetStructuredErrorHandler(x->r, xml_error, x);
	return 0;
}

int
doc_xml_open(struct doc_ctx *c, const char *entry, struct doc_xml **out)
{
	struct doc_xml *x;
	int rc;

	*out = NULL;
	if (dl_load(&libxml_lib) < 0)
		return err_set("%s: %s: reading XML needs libxml2: %s", c->name, entry, err_msg());
	x = xcalloc(1, sizeof *x);
	x->c = c;
	x->what = xstrdup(entry);
	if ((rc = zstream_open(c, entry, &x->zs)) < 0) {
		free(x->what);
		free(x);
		return rc;
	}
	x->from_zip = true;
	x->r = libxml.xmlReaderForIO(xml_io_read, xml_io_close, x, entry, NULL, XML_OPTS);
	if (!x->r)
		zstream_close(&x->zs);
	if ((rc = xml_start(x)) < 0)
		return rc;
	*out = x;
	return 0;
}

int
doc_xml_open_mem(struct doc_ctx *c, const char *what, const char *data, size_t n,
                 struct doc_xml **out)
{
	struct doc_xml *x;
	int rc;

	*out = NULL;
	if (dl_load(&libxml_lib) < 0)
		return err_set("%s: %s: reading XML needs libxml2: %s", c->name, what, err_msg());
	x = xcalloc(1, sizeof *x);
	x->c = c;
	x->what = xstrdup(what);
	x->r = libxml.xmlReaderForMemory(data, n > INT32_MAX ? INT32_MAX : (int)n, what, NULL, XML_OPTS);
	if ((rc = xml_start(x)) < 0)
		return rc;
	*out = x;
	return 0;
}

void
doc_xml_close(struct doc_xml *x)
{
	if (!x)
		return;
	libxml.xmlFreeTextReader(x->r);
	if (x->from_zip)
		zstream_close(&x->zs);
	free(x->what);
	free(x);
}

int
doc_xml_next(struct doc_xml *x)
{
	int r = libxml.xmlTextReaderRead(x->r);

	if (r < 0 || x->zs.failed) {
		if (x->zs.failed) /* err_msg() already names the cap */
			return DH_EFAIL;
		if (strstr(x->err, "Excessive depth"))
			return err_set("%s: %s: XML nested deeper than %u elements; refused",
			               x->c->name, x->what, x->c->lim->max_depth);
		return err_set("%s: %s: malformed XML: %s", x->c->name, x->what,
		               x->err[0] ? x->err : "parse error");
	}
	if (r == 0)
		return 0;
	if (libxml.xmlTextReaderDepth(x->r) > (int)x->c->lim->max_depth)
		return err_set("%s: %s: XML nested deeper than %u elements; refused", x->c->name,
		               x->what, x->c->lim->max_depth);
	if ((++x->steps & 0x3ff) == 0 && doc_over_time(x->c))
		return DH_EFAIL;
	return 1;
}

int
doc_xml_type(struct doc_xml *x)
{
	switch (libxml.xmlTextReaderNodeType(x->r)) {
	case XML_READER_TYPE_ELEMENT:
		return DOC_X_START;
	case XML_READER_TYPE_END_ELEMENT:
		return DOC_X_END;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return DOC_X_TEXT;
	default:
		return 0;
	}
}

const char *
doc_xml_name(struct doc_xml *x)
{
	const xmlChar *n = libxml.xmlTextReaderConstLocalName(x->r);

	return n && doc_xml_type(x) != DOC_X_TEXT ? (const char *)n : "";
}

bool
doc_xml_empty(struct doc_xml *x)
{
	return libxml.xmlTextReaderIsEmptyElement(x->r) == 1;
}

int
doc_xml_depth(struct doc_xml *x)
{
	return libxml.xmlTextReaderDepth(x->r);
}

char *
doc_xml_attr(struct doc_xml *x, const char *local)
{
	char *v = NULL;

	if (libxml.xmlTextReaderMoveToFirstAttribute(x->r) != 1)
		return NULL;
	do {
		const xmlChar *n = libxml.xmlTextReaderConstLocalName(x->r);

		if (n && !strcmp((const char *)n, local)) {
			const xmlChar *val = libxml.xmlTextReaderConstValue(x->r);

			v = xstrdup(val ? (const char *)val : "");
			break;
		}
	} while (libxml.xmlTextReaderMoveToNextAttribute(x->r) == 1);
	libxml.xmlTextReaderMoveToElement(x->r);
	return v;
}

char *
doc_xml_attr_ns(struct doc_xml *x, const char *local, const char *ns)
{
	xmlChar *v = libxml.xmlTextReaderGetAttributeNs(x->r, (const xmlChar *)local, (const xmlChar *)ns);
	char *r = v ? xstrdup((const char *)v) : NULL;

	(*libxml.xmlFree)(v);
	return r;
}

const char *
doc_xml_text(struct doc_xml *x)
{
	const xmlChar *v = libxml.xmlTextReaderConstValue(x->r);

	return v ? (const char *)v : "";
}

int
doc_xml_skip(struct doc_xml *x)
{
	if (doc_xml_type(x) != DOC_X_START || doc_xml_empty(x))
		return 0;
	int d = doc_xml_depth(x), rc;

	while ((rc = doc_xml_next(x)) > 0)
		if (doc_xml_type(x) == DOC_X_END && doc_xml_depth(x) == d)
			return 0;
	return rc < 0 ? rc : 0;
}

/* Elements of one part, as (first attribute, second attribute) strings. */
static int
collect(struct doc_ctx *c, const char *part, const char *elem, const char *a1,
        const char *ns1, const char *a2, struct strv *v1, struct strv *v2)
{
	struct doc_xml *x;
	int rc;

	if ((rc = doc_xml_open(c, part, &x)) < 0)
		return rc;
	while ((rc = doc_xml_next(x)) > 0) {
		if (doc_xml_type(x) != DOC_X_START || strcmp(doc_xml_name(x), elem))
			continue;
		if (v1->n >= 65536)
			break;
		char *s1 = ns1 ? doc_xml_attr_ns(x, a1, ns1) : doc_xml_attr(x, a1);
		char *s2 = a2 ? doc_xml_attr(x, a2) : NULL;

		strv_add(v1, s1 ? s1 : "");
		if (v2)
			strv_add(v2, s2 ? s2 : "");
		free(s1);
		free(s2);
	}
	doc_xml_close(x);
	return rc < 0 ? rc : 0;
}

int
doc_ooxml_parts(struct doc_ctx *c, const char *list, const char *elem, const char *rels,
                const char *dir, struct strv *parts, struct strv *names, struct strv *ids_out)
{
	struct strv ids = ARRAY_INIT, rid = ARRAY_INIT, target = ARRAY_INIT;
	int rc;

	if ((rc = collect(c, list, elem, "id", DOC_NS_REL, names ? "name" : NULL, &ids,
	                  names)) < 0 ||
	    (rc = collect(c, rels, "Relationship", "Id", NULL, "Target", &rid, &target)) < 0)
		goto out;
	for (size_t i = 0; i < ids.n; i++) {
		char *part = NULL;

		for (size_t j = 0; j < rid.n && !part; j++)
			if (!strcmp(ids.v[i], rid.v[j]))
				part = target.v[j][0] == '/' ? xstrdup(target.v[j] + 1)
				                             : xasprintf("%s%s", dir, target.v[j]);
		strv_add(parts, part ? part : "");
		if (ids_out)
			strv_add(ids_out, ids.v[i]);
		free(part);
	}
out:
	strv_free(&ids);
	strv_free(&rid);
	strv_free(&target);
	return rc;
}

/*
 * Dispatch
 */

void
doc_ctx_init(struct doc_ctx *c, const char *name, const struct doc_limits *lim, struct buf *out)
{
	*c = (struct doc_ctx){
		.lim = lim, .name = name ? name : "document", .out = out, .out_fd = -1
	};
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

/* A file too large, or empty: no container of any kind has 0 bytes, and
 * libzip opens them as an archive with no parts. */
int
doc_check_input(const struct doc_ctx *c, size_t n)
{
	if (!n)
		return err_set("%s: the file is empty (0 bytes), not a document", c->name);
	if (n > c->lim->max_input)
		return err_set("%s: %zu bytes, over the limit of %zu bytes for a document shown "
		               "as text",
		               c->name, n, c->lim->max_input);
	return 0;
}

/* The signature of an OLE compound file: what Office writes for an
 * encrypted .docx/.xlsx/.pptx (the zip inside an "EncryptedPackage" stream)
 * and for the old binary .doc/.xls/.ppt. */
static const unsigned char cfb_magic[8] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };
/* "EncryptedPackage" in UTF-16LE, as a compound file's directory names it. */
static const char cfb_encrypted[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

/* A document no zip reader opens, named for what it is rather than as a
 * damaged zip: an Office file encrypted with a password, or a binary one
 * under an OOXML name. Returns 0 when it is neither. */
static int
check_cfb(struct doc_ctx *c, const void *data, size_t n, enum doc_kind kind)
{
	if (n < sizeof cfb_magic || memcmp(data, cfb_magic, sizeof cfb_magic))
		return 0;
	if (memmem(data, n, cfb_encrypted, sizeof cfb_encrypted - 1))
		return doc_encrypted(c);
	return err_set("%s: an old binary Office file (Word, Excel or PowerPoint 97-2003), not "
	               "a .%s; deskhand reads .docx, .xlsx, .pptx and OpenDocument files",
	               c->name, doc_kind_name(kind));
}

/* ODF encrypts the parts inside its zip, which then read as malformed XML;
 * its manifest says so. Returns 0 for any other document. */
static int
check_odf_encrypted(struct doc_ctx *c, enum doc_kind kind)
{
	if (kind != DOC_ODS && kind != DOC_ODT && kind != DOC_ODP)
		return 0;
	char *m;
	size_t mn;
	int rc = doc_zip_slurp(c, "META-INF/manifest.xml", &m, &mn);

	if (rc == DH_ENOTFOUND)
		return 0;
	if (rc == 0 && memmem(m, mn, "encryption-data", 15))
		rc = doc_encrypted(c);
	free(m);
	return rc;
}

int
doc_to_text(const void *data, size_t n, const char *name, enum doc_kind kind,
            const struct doc_limits *lim, struct buf *out)
{
	struct doc_limits def;
	struct doc_ctx c;
	int rc;

	if (!lim) {
		doc_limits_default(&def);
		lim = &def;
	}
	doc_ctx_init(&c, name, lim, out);
	if ((rc = doc_check_input(&c, n)) < 0)
		return rc;
	/* poppler cannot be stopped in the middle of a page: a PDF is read
	 * by a child process that can (doc_child.c). The zip formats check
	 * the clock as they go. */
	if (kind == DOC_PDF && doc_child_is_set())
		return doc_child_text(&c, data, n, kind);
	return doc_text_run(&c, data, n, kind);
}

int
doc_text_run(struct doc_ctx *c, const void *data, size_t n, enum doc_kind kind)
{
	int rc;

	switch (kind) {
	case DOC_PDF:
		return doc_pdf_text(c, data, n);
	case DOC_XLSX:
	case DOC_ODS:
	case DOC_DOCX:
	case DOC_ODT:
	case DOC_PPTX:
	case DOC_ODP:
		break;
	default:
		return err_set("%s: not a document kind deskhand reads as text", c->name);
	}
	if ((rc = check_cfb(c, data, n, kind)) < 0 || (rc = doc_zip_open(c, data, n)) < 0)
		return rc;
	if ((rc = check_odf_encrypted(c, kind)) == 0)
		rc = doc_kind_is_sheet(kind) ? doc_sheet_text(c, kind) : doc_markup_text(c, kind);
	doc_zip_close(c);
	return rc;
}

int
doc_book_load(const void *data, size_t n, const char *name, enum doc_kind kind,
              const struct doc_limits *lim, struct doc_book **out)
{
	struct doc_limits def;
	struct doc_ctx c;
	struct doc_book *b;
	int rc;

	*out = NULL;
	if (!lim) {
		doc_limits_default(&def);
		lim = &def;
	}
	doc_ctx_init(&c, name, lim, NULL);
	if (!doc_kind_is_sheet(kind))
		return err_set("%s: not a spreadsheet", c.name);
	if ((rc = doc_check_input(&c, n)) < 0 || (rc = check_cfb(&c, data, n, kind)) < 0 ||
	    (rc = doc_zip_open(&c, data, n)) < 0)
		return rc;
	if ((rc = check_odf_encrypted(&c, kind)) < 0) {
		doc_zip_close(&c);
		return rc;
	}
	b = xcalloc(1, sizeof *b);
	rc = doc_sheet_load(&c, kind, b);
	doc_zip_close(&c);
	if (rc < 0) {
		doc_book_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

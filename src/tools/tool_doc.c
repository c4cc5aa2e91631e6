/* SPDX-License-Identifier: MIT */
/*
 * write_document: Markdown into .docx, .odt, .pptx, .html or .pdf by pandoc,
 * run in the sandbox as run_command runs its commands (tool_sandbox_start),
 * the Markdown on its standard input, grant 0 its working directory; the
 * file lands in a grant and the step is checkpointed. Without pandoc it says
 * how to install it. Not spreadsheets (tool_sheet.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ev.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "sandbox/probe.h"
#include "tools/tool_priv.h"

/* What each extension is written as. */
static const struct {
	const char *ext;
	const char *to; /* pandoc's output format */
	bool reference; /* takes --reference-doc */
} doc_formats[] = {
	{ .ext = ".docx", .to = "docx", .reference = true },
	{ .ext = ".odt", .to = "odt", .reference = true },
	{ .ext = ".pptx", .to = "pptx", .reference = true },
	{ .ext = ".html", .to = "html5" },
	{ .ext = ".htm", .to = "html5" },
	{ .ext = ".pdf", .to = "pdf" },
};
#define NFORMATS (sizeof doc_formats / sizeof *doc_formats)

/* Everything a call needs, checked; owned strings. */
struct doc_plan {
	const struct grant *gr;
	char *rel, *shown;
	char *out_abs;  /* the file, as the sandbox sees it (grants keep their paths) */
	char *ref_abs;  /* --reference-doc, or NULL */
	char *pandoc;   /* the binary */
	const char *to; /* pandoc's format (static) */
	const char *engine; /* PDF engine (static), or NULL */
};

static void
doc_plan_fini(struct doc_plan *p)
{
	free(p->rel);
	free(p->shown);
	free(p->out_abs);
	free(p->ref_abs);
	free(p->pandoc);
	memset(p, 0, sizeof *p);
}

static char *
abs_of(const struct grant *gr, const char *rel)
{
	return *rel && strcmp(rel, ".") ? xasprintf("%s/%s", gr->path, rel) : xstrdup(gr->path);
}

/* Resolve and check a call; on a refusal `out` holds it and false is returned. */
static bool
doc_prepare(const cJSON *in, struct tool_env *env, struct doc_plan *p, struct tool_result *out)
{
	const char *ref = json_str(in, "reference_doc");
	size_t n, i;

	memset(p, 0, sizeof *p);
	if (!tool_change_prepare(json_str(in, "path"), env, &p->gr, &p->rel, &p->shown, out))
		return false;
	n = strlen(p->rel);
	for (i = 0; i < NFORMATS; i++) {
		size_t e = strlen(doc_formats[i].ext);

		if (n > e && !strcasecmp(p->rel + n - e, doc_formats[i].ext))
			break;
	}
	if (i == NFORMATS) {
		tool_result_errorf(out, "write_document: %s: the path must end in .docx, .odt, "
		                        ".pptx, .html or .pdf (for a spreadsheet use "
		                        "write_spreadsheet, for Markdown or text write_file)",
		                   p->shown);
		return false;
	}
	p->to = doc_formats[i].to;
	if (!(p->pandoc = probe_pandoc_path())) {
		tool_result_errorf(out, "write_document: pandoc is not installed, so %s cannot be "
		                        "written; the person can install it: " PROBE_PANDOC_INSTALL
		                        ". Meanwhile write_file can write the Markdown or HTML "
		                        "itself.", p->shown);
		return false;
	}
	if (!strcmp(p->to, "pdf") && !(p->engine = probe_pdf_engine())) {
		tool_result_errorf(out, "write_document: %s: pandoc needs a PDF engine (pdflatex, "
		                        "xelatex, lualatex, tectonic, wkhtmltopdf, weasyprint…) and "
		                        "none is installed; the person can install one: apt-get "
		                        "install --no-install-recommends texlive-latex-recommended. "
		                        "Meanwhile write .docx, .odt or .html instead.", p->shown);
		return false;
	}
	if (ref) {
		const struct grant *rg;
		char *rrel = NULL, *rshown = NULL;
		struct stat st;
		int rc;

		if (!doc_formats[i].reference) {
			tool_result_errorf(out, "write_document: reference_doc styles .docx, .odt and "
			                        ".pptx only, not %s", p->shown);
			return false;
		}
		if ((rc = tool_path(env, ref, &rg, &rrel, &rshown)) < 0 ||
		    (rc = grant_lstat(rg, rrel, &st)) < 0) {
			tool_result_from_err(out, rc);
			free(rrel);
			free(rshown);
			return false;
		}
		if (!S_ISREG(st.st_mode)) {
			tool_result_errorf(out, "write_document: reference_doc %s is not a regular "
			                        "file", rshown);
			free(rrel);
			free(rshown);
			return false;
		}
		p->ref_abs = abs_of(rg, rrel);
		free(rrel);
		free(rshown);
	}
	p->out_abs = abs_of(p->gr, p->rel);
	return true;
}

struct doc_run {
	struct tool_run base; /* first: tool_run_cancel() */
	struct ev_loop *loop;
	struct ev_timer timer; /* delivers a refusal made in start */
	struct tool_run *inner; /* pandoc in the sandbox */
	struct doc_plan plan;
	struct tool_result res;
	tool_done_fn *done;
	void *ctx;
	bool existed; /* the file was there before pandoc ran */
	bool in_done, free_pending;
};

static void
doc_free(struct doc_run *r)
{
	ev_timer_disarm(r->loop, &r->timer);
	tool_run_cancel(r->inner);
	doc_plan_fini(&r->plan);
	tool_result_fini(&r->res);
	free(r);
}

static void
doc_cancel(struct tool_run *base)
{
	struct doc_run *r = (struct doc_run *)base;

	if (r->in_done) {
		r->free_pending = true;
		return;
	}
	doc_free(r);
}

/* tool_run_stop: pandoc is killed as a command is, and its result still
 * comes through doc_inner_done, with what it did to the protected paths. */
static bool
doc_stop(struct tool_run *base, const char *why)
{
	struct doc_run *r = (struct doc_run *)base;

	return tool_run_stop(r->inner, why);
}

static void
deliver(struct doc_run *r)
{
	r->in_done = true;
	r->done(&r->res, r->ctx);
	r->in_done = false;
	if (r->free_pending)
		doc_free(r);
}

static void
on_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	deliver(ctx);
}

/* The notes run_command appends after its last line (tool_sandbox_start),
 * each on a line of its own. */
#define NOTE_START "\n[deskhand: "

/* pandoc ended: its output, minus run_command's last line, as the result,
 * and after it run_command's notes of the protected paths. Without the
 * sandbox, run_command's first line says so: the result's first line too,
 * on its own. */
static void
doc_inner_done(struct tool_result *res, void *ctx)
{
	static const char mark[] = TOOL_UNSANDBOXED_MARK "\n";
	struct doc_run *r = ctx;
	struct buf said = BUF_INIT;
	const char *t = buf_cstr(&res->text), *last;
	size_t notes = res->text.len, keep, skip = 0;
	struct stat st;

	if (!strncmp(t, mark, strlen(mark))) {
		skip = strlen(mark);
		buf_puts(&r->res.text, mark);
	}
	while ((last = memrchr(t + skip, '\n', notes - skip)) &&
	       !strncmp(last, NOTE_START, strlen(NOTE_START)))
		notes = (size_t)(last - t);
	keep = last ? (size_t)(last - t) : skip;
	char *status = xstrndup(last ? last + 1 : t + skip, notes - (last ? keep + 1 : skip));

	buf_add(&said, t + skip, keep - skip);
	r->res.denied = res->denied;
	r->res.created_protected = res->created_protected;
	res->created_protected = (struct strv){ 0 };
	r->res.changed_rules = res->changed_rules;
	res->changed_rules = (struct strv){ 0 };
	r->res.rules_before = res->rules_before;
	res->rules_before = (struct strv){ 0 };
	r->res.changed_protected = res->changed_protected;
	res->changed_protected = (struct strv){ 0 };
	r->res.protected_was = res->protected_was;
	res->protected_was = NULL;
	r->res.repos_before = res->repos_before;
	res->repos_before = (struct strv){ 0 };
	r->res.repos_known = res->repos_known;
	if (!res->is_error && grant_lstat(r->plan.gr, r->plan.rel, &st) == 0 && S_ISREG(st.st_mode)) {
		buf_printf(&r->res.text, "%s %s (%jd bytes) with pandoc",
		           r->existed ? "overwrote" : "created", r->plan.shown, (intmax_t)st.st_size);
		if (said.len)
			buf_printf(&r->res.text, "; pandoc said:\n%s", buf_cstr(&said));
		tool_note_open_elsewhere(r->plan.gr, r->plan.rel, &r->res);
	} else {
		r->res.is_error = true;
		buf_printf(&r->res.text, "write_document: pandoc could not write %s (%s)%s%s",
		           r->plan.shown, status, said.len ? ":\n" : "", buf_cstr(&said));
	}
	buf_add(&r->res.text, t + notes, res->text.len - notes);
	free(status);
	buf_fini(&said);
	deliver(r);
}

/* The Markdown as a memory file, offset 0, for pandoc's standard input. */
static int
markdown_fd(const char *md)
{
	int fd = memfd_create("deskhand-markdown", MFD_CLOEXEC);
	size_t n = strlen(md), off = 0;

	if (fd < 0)
		return err_set("memfd_create: %s", strerror(errno));
	while (off < n) {
		ssize_t w = write(fd, md + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return err_set("write: %s", strerror(errno));
		}
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return err_set("lseek: %s", strerror(errno));
	}
	return fd;
}

static int
doc_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
          void *ctx)
{
	struct doc_run *r = xcalloc(1, sizeof *r);

	r->base.cancel = doc_cancel;
	r->base.stop = doc_stop;
	r->loop = env->loop;
	r->done = done;
	r->ctx = ctx;
	tool_result_init(&r->res);
	ev_timer_init(&r->timer, on_timer, r);
	*out = &r->base;
	if (!doc_prepare(in, env, &r->plan, &r->res)) {
		ev_timer_arm(r->loop, &r->timer, 0);
		return 0;
	}
	struct stat st;

	r->existed = grant_lstat(r->plan.gr, r->plan.rel, &st) == 0;
	const char *slash = strrchr(r->plan.rel, '/');
	char *parent = xstrndup(r->plan.rel, slash ? (size_t)(slash - r->plan.rel) : 0);
	int rc = *parent ? grant_mkdirs(r->plan.gr, parent, NULL) : 0;
	int fd = rc < 0 ? rc : markdown_fd(json_str(in, "markdown"));

	free(parent);
	if (fd < 0) {
		tool_result_errorf(&r->res, "write_document: %s: %s", r->plan.shown, err_msg());
		ev_timer_arm(r->loop, &r->timer, 0);
		return 0;
	}
	struct strv argv = ARRAY_INIT;
	const char *base = strrchr(r->plan.out_abs, '/') + 1;

	strv_add(&argv, r->plan.pandoc);
	strv_add(&argv, "--from=markdown");
	if (strcmp(r->plan.to, "pdf")) {
		char *to = xasprintf("--to=%s", r->plan.to);

		strv_add(&argv, to);
		free(to);
	} else {
		char *eng = xasprintf("--pdf-engine=%s", r->plan.engine);

		strv_add(&argv, eng);
		free(eng);
	}
	if (!strcmp(r->plan.to, "html5")) {
		char *title = xasprintf("--metadata=pagetitle:%s", base);

		strv_add(&argv, "--standalone");
		strv_add(&argv, title);
		free(title);
	}
	if (r->plan.ref_abs) {
		char *ref = xasprintf("--reference-doc=%s", r->plan.ref_abs);

		strv_add(&argv, ref);
		free(ref);
	}
	strv_add(&argv, "--output");
	strv_add(&argv, r->plan.out_abs);
	ARRAY_GROW(argv.v, argv.n, argv.cap, 1);
	argv.v[argv.n] = NULL; /* not counted */
	rc = tool_sandbox_start(env, "write_document", (const char *const *)argv.v, fd, 0,
	                        &r->inner, doc_inner_done, r);
	strv_free(&argv);
	return rc;
}

/* The approval's view: one line, the document is made by pandoc. */
static int
doc_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	struct doc_plan plan;
	struct tool_result r;
	int rc;

	tool_result_init(&r);
	if (!doc_prepare(in, env, &plan, &r)) {
		doc_plan_fini(&plan);
		return tool_refusal_err(&r);
	}
	tool_result_fini(&r);
	p->path = plan.shown;
	plan.shown = NULL;
	if ((rc = tool_preview_old(plan.gr, plan.rel, p)) == 0 && p->is_dir)
		rc = err_set("%s is a directory", p->path);
	doc_plan_fini(&plan);
	if (rc < 0)
		return rc;
	p->new_exists = true;
	p->new_size = -1;
	p->skip = "document made by pandoc";
	return 0;
}

const struct tool_entry tool_doc_entries[] = {
	{
		.name = "write_document",
		.description =
			"Write a document from Markdown with pandoc: the path's extension picks "
			"the format: .docx (Word), .odt (LibreOffice Writer), .pptx (PowerPoint: "
			"each level-1 or level-2 heading starts a slide), .html (a standalone "
			"page) or .pdf (needs a PDF engine on the person's machine). Pandoc's "
			"Markdown: headings, lists, tables (pipe tables), emphasis, links, "
			"footnotes, code blocks, and images by a path relative to the first "
			"granted folder. `reference_doc` (.docx, .odt and .pptx only) is a file "
			"in a granted folder whose styles, fonts, page setup and, for .pptx, "
			"slide layouts the result takes: the person's branding template. pandoc "
			"runs in the sandbox like run_command; missing parent directories are "
			"created. If pandoc is not installed the call fails and says how to "
			"install it. For spreadsheets use write_spreadsheet.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":"
			"\"The file to write: .docx, .odt, .pptx, .html or .pdf.\"},"
			"\"markdown\":{\"type\":\"string\",\"description\":"
			"\"The document's content, in Markdown.\"},"
			"\"reference_doc\":{\"type\":\"string\",\"description\":"
			"\"A .docx/.odt/.pptx whose styles to use (optional).\"}},"
			"\"required\":[\"path\",\"markdown\"]}",
		.flags = TOOL_F_MUTATES,
		.start = doc_start,
		.preview = doc_preview,
	},
	{ .name = NULL },
};

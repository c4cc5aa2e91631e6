/* SPDX-License-Identifier: MIT */
/*
 * File tools: read_file, list_files, write_file, edit_file, move_file,
 * delete_file, make_directory. Every path goes through the grant helpers
 * (SANDBOX.md §4.5); mutating tools also refuse the mandatory-deny list.
 * Not searching (tool_search.c) and not commands (tool_shell.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/ignore.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "docs/doc.h"
#include "policy/grant.h"
#include "sandbox/probe.h"
#include "tools/tool_priv.h"

#define READ_LIMIT_DEF  2000         /* lines */
#define READ_LINE_MAX   2000         /* bytes shown of one line */
#define READ_TEXT_MAX   (256u << 10) /* bytes of numbered text per call */
#define READ_MEDIA_MAX  (5u << 20)   /* images and PDFs */
#define BINARY_SNIFF    8192         /* bytes checked for NUL */
#define EDIT_MAX        (10u << 20)  /* files edit_file will load */
#define LIST_MAX        1000         /* entries shown */
#define LIST_VISITS_MAX 200000       /* entries walked */

#define PROTECTED_WHY                                                                              \
	"deskhand does not let the agent change what runs later outside the sandbox: git hooks "   \
	"or git config, shell and session startup files, programs in .local/bin, user services "   \
	"and autostart entries, SSH keys and config, or editor, connector and agent settings; "  \
	"nor its ignore rules (.deskhandignore), which decide what checkpoints record"

/* Refuse mutating a mandatory-deny path, or a host path (probe_host_paths:
 * deskhand, its helper, bwrap, its configuration and state), anything in one
 * or a folder on the way to one: moving that folder would let a new file take
 * the path. Fills out and returns true. */
static bool
refuse_protected(const struct tool_env *env, const struct grant *gr, const char *rel,
                 const char *shown, struct tool_result *out)
{
	if (grant_is_protected(rel)) {
		tool_result_errorf(out, "'%s' is protected: %s", shown, PROTECTED_WHY);
		out->denied = true;
		return true;
	}
	struct strv own = { 0 };
	const struct strv *host = env->host_paths;
	char *abs = xasprintf("%s%s%s", gr->path, *rel ? "/" : "", rel);
	bool hit;

	if (!host) {
		probe_host_paths(&own, env->sandbox_path, env->bwrap_path);
		host = &own;
	}
	if ((hit = probe_is_host_path(host, abs))) {
		tool_result_errorf(out,
		                   "'%s' is protected: deskhand runs or reads it outside the sandbox "
		                   "(its own program, its sandbox helper, bwrap, its configuration or "
		                   "its state), and the agent may not change, move or replace it, "
		                   "anything in it or a folder on the way to it",
		                   shown);
		out->denied = true;
	}
	free(abs);
	strv_free(&own);
	return hit;
}

/* Refuse changing a file over the large-file limit (checkpoints do not store
 * it, so the change could not be undone); fills out and returns true. */
static bool
refuse_large(const struct tool_env *env, const struct grant *gr, const char *rel,
             const char *shown, struct tool_result *out)
{
	struct stat st;

	if (env->large_file_limit <= 0 || grant_lstat(gr, rel, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (long long)st.st_size <= env->large_file_limit)
		return false;
	tool_result_errorf(out,
	                   "%s is %lld bytes, over the large-file limit (%lld bytes): deskhand "
	                   "does not snapshot files that big, so a change to it could not be "
	                   "undone; the agent may not modify, move or delete it (the person can "
	                   "raise large_file_limit in the config)",
	                   shown, (long long)st.st_size, env->large_file_limit);
	return true;
}

/* A path that checkpoints do not hold: anything in a .git directory, or an
 * existing path matched by the ignore rules (the folder's .deskhandignore after
 * the built-in ones, core/ignore.h; read afresh: the person may have just
 * edited it). A change to it could not be
 * undone, so the file tools do not make it; a new file in an ignored folder is
 * made (nothing is lost). True with the error in `out`. */
static bool
refuse_unrecorded(const struct grant *gr, const char *rel, const char *shown,
                  struct tool_result *out)
{
	struct stat st;
	struct ignore *ig = NULL;
	bool ignored;

	if (grant_in_git(rel)) {
		tool_result_errorf(out,
		                   "%s is inside a .git directory, which checkpoints do not hold: a "
		                   "change there could not be undone; the agent's file tools do not "
		                   "change it (use git itself, through run_command)",
		                   shown);
		return true;
	}
	if (!*rel || grant_lstat(gr, rel, &st) < 0)
		return false;
	if (ignore_load(&ig, gr->path) < 0) {
		tool_result_errorf(out, "%s: %s", shown, err_msg());
		return true; /* cannot tell: do not risk it */
	}
	ignored = ignore_match_path(ig, rel, S_ISDIR(st.st_mode));
	ignore_free(ig);
	if (ignored)
		tool_result_errorf(out,
		                   "%s is matched by the ignore rules (the folder's %s, or the built-in "
		                   "ones for office suites' lock files), so checkpoints do not hold "
		                   "it: a change to it could not be undone; the agent may not modify, "
		                   "move or delete it (it may make new files; the person can change "
		                   "%s)",
		                   shown, IGNORE_FILE, IGNORE_FILE);
	return ignored;
}

/*
 * read_file
 */

/* Media type from magic bytes, NULL for anything else. */
static const char *
media_type(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && !memcmp(p, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

static ssize_t
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void
read_media(int fd, const struct stat *st, const char *mt, const char *shown,
           struct tool_result *out)
{
	if ((uintmax_t)st->st_size > READ_MEDIA_MAX) {
		tool_result_errorf(out,
		                   "%s is too large to show (%jd bytes; the limit for images "
		                   "and PDFs is 5 MiB)",
		                   shown, (intmax_t)st->st_size);
		return;
	}
	size_t n = (size_t)st->st_size;
	char *data = xmalloc(n ? n : 1);
	ssize_t got = read_full(fd, data, n);

	if (got < 0) {
		tool_result_errorf(out, "%s: read: %s", shown, strerror(errno));
		free(data);
		return;
	}
	struct buf b64 = BUF_INIT;

	tool_base64(&b64, data, (size_t)got);
	free(data);

	bool pdf = !strcmp(mt, "application/pdf");
	cJSON *block = json_new_obj(), *src = json_new_obj();

	json_add_str(block, "type", pdf ? "document" : "image");
	json_add_str(src, "type", "base64");
	json_add_str(src, "media_type", mt);
	json_add_str(src, "data", buf_cstr(&b64));
	json_add(block, "source", src);
	if (pdf) {
		const char *base = strrchr(shown, '/');

		json_add_str(block, "title", base ? base + 1 : shown);
	}
	buf_fini(&b64);
	out->content = json_new_arr();
	cJSON_AddItemToArray(out->content, block);
	buf_printf(&out->text, "%s: %s, %zd bytes", shown, mt, got);
}

struct lines {
	struct tool_result *out;
	long long offset, limit; /* first line (1-based), lines to show */
	long long lineno;        /* lines completed so far */
	long long shown;         /* lines emitted */
	struct buf line;         /* the current line, at most READ_LINE_MAX bytes */
	bool line_cut;           /* the current line was longer */
	bool capped;             /* READ_TEXT_MAX reached */
	bool more;               /* a line after the last shown exists */
};

/* Cut at READ_LINE_MAX without splitting a UTF-8 sequence. */
static size_t
cut_len(const char *s, size_t n)
{
	if (n <= READ_LINE_MAX)
		return n;
	size_t k = READ_LINE_MAX;

	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* Finish the current line. Returns false to stop reading. */
static bool
line_end(struct lines *L)
{
	L->lineno++;
	if (L->lineno >= L->offset) {
		if (L->shown >= L->limit || L->capped) {
			L->more = true;
			return false;
		}
		struct buf *t = &L->out->text;

		buf_printf(t, "%6lld\t", L->lineno);
		utf8_scrub(t, L->line.ptr ? L->line.ptr : "",
		           cut_len(buf_cstr(&L->line), L->line.len));
		if (L->line_cut || L->line.len > READ_LINE_MAX)
			buf_puts(t, " [… line truncated]");
		buf_putc(t, '\n');
		L->shown++;
		if (t->len >= READ_TEXT_MAX)
			L->capped = true;
	}
	buf_clear(&L->line);
	L->line_cut = false;
	return true;
}

/* Numbered lines of head (headn bytes) then, when fd >= 0, of the rest of
 * fd; `total` is the size said when the text continues. */
static void
read_text(int fd, long long total, const char *shown, const char *head, size_t headn,
          long long offset, long long limit, struct tool_result *out)
{
	struct lines L = { .out = out, .offset = offset, .limit = limit, .line = BUF_INIT };
	char chunk[65536];
	const char *p = head;
	size_t n = headn;
	bool go = true, any = false;

	for (;;) {
		for (size_t i = 0; i < n && go; i++) {
			any = true;
			if (p[i] == '\n') {
				go = line_end(&L);
				continue;
			}
			if (L.lineno + 1 < offset)
				continue; /* not shown: keep nothing */
			if (L.line.len > READ_LINE_MAX) {
				L.line_cut = true;
				continue;
			}
			buf_putc(&L.line, p[i]);
		}
		if (!go || fd < 0)
			break;
		ssize_t r = read(fd, chunk, sizeof chunk);

		if (r < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (r < 0) {
			tool_result_errorf(out, "%s: read: %s", shown, strerror(errno));
			buf_fini(&L.line);
			return;
		}
		if (r == 0)
			break;
		p = chunk;
		n = (size_t)r;
	}
	if (go && (L.line.len || L.line_cut))
		line_end(&L); /* last line without '\n' */
	buf_fini(&L.line);
	if (!any) {
		buf_printf(&out->text, "(%s is empty)", shown);
		return;
	}
	if (L.shown == 0 && !L.more) {
		buf_printf(&out->text, "(%s has %lld lines; offset %lld is past the end)", shown,
		           L.lineno, offset);
		return;
	}
	if (L.more) {
		long long next = offset + L.shown;

		if (L.capped)
			buf_printf(&out->text,
			           "[… output capped at %u KiB; continue with "
			           "offset=%lld]",
			           READ_TEXT_MAX >> 10, next);
		else
			buf_printf(&out->text,
			           "[… %s continues after line %lld (%lld bytes in all); "
			           "continue with offset=%lld]",
			           shown, next - 1, total, next);
	}
}

/* More pages than a model takes in one PDF document block (Anthropic's
 * limit: 100 pages a request, docs.anthropic.com "PDF support"): counted from
 * the "## Page N" headings of its text. */
#define PDF_BLOCK_MAX_PAGES 100
/* The pages in a PDF's text, up to `most`, from its "## Page N" headings. */
static unsigned
pdf_pages(struct buf *text, unsigned most)
{
	unsigned pages = 0;

	for (const char *p = buf_cstr(text); pages < most && (p = strstr(p, "## Page ")); p += 8)
		pages++;
	return pages;
}

static bool
pdf_too_long(struct buf *text)
{
	return pdf_pages(text, PDF_BLOCK_MAX_PAGES + 1) > PDF_BLOCK_MAX_PAGES;
}

/* An office document or PDF (src/docs/) as numbered lines of its text; a
 * PDF small enough also as the document block, for models that read PDFs
 * themselves, with its text beside it. stop_fd: doc_limits.stop_fd. */
static void
read_document(int fd, const struct stat *st, enum doc_kind kind, const char *shown,
              long long offset, long long limit, int stop_fd, struct tool_result *out)
{
	struct doc_limits lim;
	struct buf data = BUF_INIT, text = BUF_INIT;

	doc_limits_default(&lim);
	lim.stop_fd = stop_fd;
	if ((uintmax_t)st->st_size > lim.max_input) {
		tool_result_errorf(out,
		                   "%s is too large to show as text (%jd bytes; the limit for "
		                   "documents is %zu MiB)",
		                   shown, (intmax_t)st->st_size, lim.max_input >> 20);
		return;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		tool_result_errorf(out, "%s: lseek: %s", shown, strerror(errno));
		goto out;
	}
	if (fsutil_read_fd(fd, lim.max_input, &data) < 0) {
		tool_result_errorf(out, "%s: %s", shown, err_msg());
		goto out;
	}
	int rc = doc_to_text(data.ptr ? data.ptr : "", data.len, shown, kind, &lim, &text);

	if (rc == DH_ECANCELED) { /* nobody reads the result */
		tool_result_errorf(out, "%s", err_msg());
		goto out;
	}
	if (rc < 0) {
		if (rc == DH_EPARSE && data.len <= READ_MEDIA_MAX && lseek(fd, 0, SEEK_SET) == 0) {
			/* the model may still read a damaged PDF poppler cannot;
			 * never a file that is no PDF or an encrypted one: the API
			 * refuses the whole request, and every later one that
			 * carries it in the conversation */
			char *why = xstrdup(err_msg());
			struct stat pst = *st;

			pst.st_size = (off_t)data.len;
			read_media(fd, &pst, "application/pdf", shown, out);
			buf_printf(&out->text, " (no text: %s)", why);
			free(why);
		} else if (kind == DOC_PDF && text.len) {
			/* stopped part-way (the time or memory limit): the
			 * reason, then the pages read before then */
			unsigned pages = pdf_pages(&text, UINT_MAX);

			tool_result_errorf(out, "%s\n[… the text of the %u page%s read before then "
			                   "follows]\n",
			                   err_msg(), pages, pages == 1 ? "" : "s");
			read_text(-1, (long long)text.len, shown, buf_cstr(&text), text.len, offset,
			          limit, out);
		} else {
			tool_result_errorf(out, "%s", err_msg());
		}
		goto out;
	}
	if (kind == DOC_PDF && data.len <= READ_MEDIA_MAX && !pdf_too_long(&text)) {
		struct stat pst = *st;

		pst.st_size = (off_t)data.len;
		if (lseek(fd, 0, SEEK_SET) == 0)
			read_media(fd, &pst, "application/pdf", shown, out);
		buf_clear(&out->text);
	}
	buf_printf(&out->text, "%s: %s document shown as text (%jd bytes)\n", shown,
	           doc_kind_name(kind), (intmax_t)st->st_size);
	read_text(-1, (long long)text.len, shown, buf_cstr(&text), text.len, offset, limit, out);
	if (out->content && !out->is_error) {
		cJSON *t = json_new_obj();

		json_add_str(t, "type", "text");
		json_add_str(t, "text", buf_cstr(&out->text));
		cJSON_AddItemToArray(out->content, t);
	}
out:
	buf_fini(&data);
	buf_fini(&text);
}

/* read_file; stop_fd as tool_stoppable_fn's. */
static int
read_file_stoppable(const cJSON *in, struct tool_env *env, int stop_fd, struct tool_result *out)
{
	const struct grant *gr;
	char *rel = NULL, *shown = NULL;
	struct stat st;
	int fd = -1, rc;

	if ((rc = tool_path_read(env, json_str(in, "path"), &gr, &rel, &shown)) < 0 ||
	    (rc = grant_open_read(gr, rel, 0, &fd, &st)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	unsigned char head[BINARY_SNIFF];
	ssize_t hn = read_full(fd, head, sizeof head);

	if (hn < 0) {
		tool_result_errorf(out, "%s: read: %s", shown, strerror(errno));
		goto out;
	}
	enum doc_kind kind = doc_kind_of(rel, head, (size_t)hn);

	if (kind != DOC_NONE) {
		read_document(fd, &st, kind, shown, json_int(in, "offset", 1),
		              json_int(in, "limit", READ_LIMIT_DEF), stop_fd, out);
		goto out;
	}
	const char *mt = media_type(head, (size_t)hn);

	if (mt) {
		if (lseek(fd, 0, SEEK_SET) < 0) {
			tool_result_errorf(out, "%s: lseek: %s", shown, strerror(errno));
			goto out;
		}
		read_media(fd, &st, mt, shown, out);
		goto out;
	}
	if (memchr(head, '\0', (size_t)hn)) {
		tool_result_errorf(out,
		                   "%s: binary file (%jd bytes); read_file shows text, "
		                   "images (PNG, JPEG, GIF, WebP) and PDFs",
		                   shown, (intmax_t)st.st_size);
		goto out;
	}
	read_text(fd, (long long)st.st_size, shown, (const char *)head, (size_t)hn,
	          json_int(in, "offset", 1),
	          json_int(in, "limit", READ_LIMIT_DEF), out);
out:
	if (fd >= 0)
		close(fd);
	free(rel);
	free(shown);
	return 0;
}

static int
read_file_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	return read_file_stoppable(in, env, -1, out);
}

/* Whether read_file's work may be long, so that it runs on the worker: a
 * document (by its name, or a PDF by its first bytes whatever its name, as
 * read_file_run decides), or a text bigger than one call shows (reaching a
 * far offset, or the end, reads all of it). A path that cannot be opened is
 * not: its error is made where the read runs. */
static bool
read_file_is_long(const char *path, struct tool_env *env)
{
	const struct grant *gr;
	char *rel = NULL;
	struct stat st;
	unsigned char head[8];
	int fd = -1;
	bool is_long = false;

	if (doc_kind_of(path, NULL, 0) != DOC_NONE)
		return true;
	if (tool_path_read(env, path, &gr, &rel, NULL) == 0 &&
	    grant_open_read(gr, rel, 0, &fd, &st) == 0) {
		ssize_t n = read_full(fd, head, sizeof head);

		is_long = (n > 0 && doc_kind_of(rel, head, (size_t)n) != DOC_NONE) ||
		          st.st_size > (off_t)READ_TEXT_MAX;
		close(fd);
	}
	free(rel);
	return is_long;
}

/* The agent's way in: a document's text (poppler may take seconds on one
 * page) and a big text are read on the worker, never on the loop; a call
 * interrupted or cancelled while a PDF's reader runs kills the reader. */
static int
read_file_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
                void *ctx)
{
	const char *path = json_str(in, "path");

	return tool_start_deferred_stoppable(read_file_stoppable, in, env,
	                                     read_file_is_long(path ? path : "", env), out, done,
	                                     ctx);
}

/*
 * list_files
 */

struct listing {
	struct buf *text;
	const char *prefix; /* display prefix of the listed directory ("" or "dir/") */
	const char *pattern;
	size_t matched;
};

static int
list_one(const struct grant_walk_ent *e, void *ctx)
{
	struct listing *L = ctx;

	if (L->pattern && !tool_glob_match(L->pattern, e->rel))
		return GRANT_WALK_CONTINUE;
	if (++L->matched <= LIST_MAX) {
		buf_puts(L->text, L->prefix);
		utf8_name_escape(L->text, e->rel, strlen(e->rel));
		buf_puts(L->text, S_ISDIR(e->st->st_mode) ? "/\n" : "\n");
	}
	return GRANT_WALK_CONTINUE;
}

static int
list_files_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	const char *path = json_str(in, "path");
	const struct grant_walk_limits lim = {
		.flags = GRANT_WALK_NO_GIT,
		.max_entries = LIST_VISITS_MAX,
		.max_depth = TOOL_WALK_DEPTH_MAX,
	};
	char *rel = NULL, *shown = NULL;
	int rc;

	if ((rc = tool_path_read(env, path && *path ? path : ".", &gr, &rel, &shown)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	const char *pattern = json_str(in, "pattern");
	char *prefix = strcmp(shown, ".") ? xasprintf("%s/", shown) : xstrdup("");
	struct listing L = {
		.text = &out->text,
		.prefix = prefix,
		.pattern = pattern && *pattern ? pattern : NULL,
	};

	rc = grant_walk(gr, rel, &lim, NULL, list_one, &L);
	free(prefix);
	if (rc < 0) { /* grant_open_dir()'s: before any entry */
		tool_result_from_err(out, rc);
		goto out;
	}
	if (L.matched > LIST_MAX)
		buf_printf(&out->text, "… %zu more entries (narrow the path or pattern)\n",
		           L.matched - LIST_MAX);
	if (rc == GRANT_WALK_CAPPED)
		buf_printf(&out->text,
		           "… stopped after walking %u entries; more were not "
		           "counted (narrow the path)\n",
		           LIST_VISITS_MAX);
	if (L.matched == 0 && rc != GRANT_WALK_CAPPED) {
		if (L.pattern)
			buf_printf(&out->text, "(no entries in %s match '%s')", shown, L.pattern);
		else
			buf_printf(&out->text, "(%s is empty)", shown);
	}
out:
	free(rel);
	free(shown);
	return 0;
}

/* The agent's way in: on the worker, as search_files (a walk visits up to
 * LIST_VISITS_MAX entries, seconds on a big or remote folder). */
static int
list_files_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
                 void *ctx)
{
	return tool_start_deferred(list_files_run, in, env, true, out, done, ctx);
}

/*
 * Parent directories a write or a move creates: made only for the call, and
 * removed again when it fails, so that a failed call leaves nothing behind.
 */

struct made_parents {
	const struct grant *gr;
	char *parent; /* rel's parent ("" when rel has none), heap */
	size_t kept;  /* length of its longest prefix that already existed */
};

/* Drop the last component of p[0..n): the length of its parent. */
static size_t
up_one(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] != '/')
		n--;
	return n > 0 ? n - 1 : 0;
}

/* grant_mkdirs of rel's parent, noting which directories did not exist. */
static int
make_parents(const struct grant *gr, const char *rel, struct made_parents *m)
{
	const char *slash = strrchr(rel, '/');
	size_t n;

	m->gr = gr;
	m->parent = xstrndup(rel, slash ? (size_t)(slash - rel) : 0);
	/* One lstat when the parent exists (the usual case). */
	for (n = strlen(m->parent); n > 0; n = up_one(m->parent, n)) {
		char c = m->parent[n];
		struct stat st;
		int rc;

		m->parent[n] = '\0';
		rc = grant_lstat(gr, m->parent, &st);
		m->parent[n] = c;
		if (rc != DH_ENOTFOUND)
			break; /* there (or unknown: then nothing above it is removed) */
	}
	m->kept = n;
	return grant_mkdirs(gr, m->parent, NULL);
}

/* After a failed call, once its result holds the reason (this changes
 * err_msg()): remove the directories make_parents created, deepest first; a
 * directory that is no longer empty, or no longer a directory, stays. */
static void
unmake_parents(struct made_parents *m)
{
	for (size_t n = strlen(m->parent); n > m->kept; n = up_one(m->parent, n)) {
		struct stat st;

		m->parent[n] = '\0';
		if (grant_lstat(m->gr, m->parent, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    grant_unlink(m->gr, m->parent) < 0)
			break;
	}
}

int
tool_write_into(const struct grant *gr, const char *rel, const void *data, size_t len,
                bool *created, struct tool_result *out)
{
	struct made_parents m = { .parent = NULL };
	int rc;

	if ((rc = make_parents(gr, rel, &m)) < 0 || (rc = grant_write(gr, rel, data, len, created)) < 0) {
		tool_result_from_err(out, rc);
		unmake_parents(&m);
	}
	free(m.parent);
	return rc < 0 ? rc : 0;
}

void
tool_note_open_elsewhere(const struct grant *gr, const char *rel, struct tool_result *out)
{
	static const struct {
		const char *pre, *post;
	} locks[] = { { ".~lock.", "#" }, { "~$", "" } };
	const char *base = strrchr(rel, '/');
	int dir = base ? (int)(base - rel + 1) : 0;
	struct stat st;

	base = base ? base + 1 : rel;
	for (size_t i = 0; i < sizeof locks / sizeof *locks; i++) {
		char *name = xasprintf("%s%s%s", locks[i].pre, base, locks[i].post);
		char *lock = xasprintf("%.*s%s", dir, rel, name);
		bool open = grant_lstat(gr, lock, &st) == 0 && S_ISREG(st.st_mode);

		if (open)
			buf_printf(&out->text, "\nnote: %s is open in another program (its lock file "
			                       "%s is there): the person should reload it there, "
			                       "or that program's next save overwrites this change",
			           base, name);
		free(name);
		free(lock);
		if (open)
			break;
	}
}

/*
 * write_file, edit_file
 */

/*
 * Previews (tool_entry.preview): the content before and after a call, read
 * with the same checks the call makes, writing nothing.
 */

int
tool_refusal_err(struct tool_result *r)
{
	int rc = err_setc(r->denied ? DH_EDENIED : DH_EFAIL, "%s", buf_cstr(&r->text));

	tool_result_fini(r);
	return rc;
}

/* Why a preview shows no content for these bytes, or NULL. */
static const char *
preview_skip(const char *data, size_t n)
{
	if (n > TOOL_PREVIEW_MAX)
		return "over 1 MiB";
	if (memchr(data, '\0', n < BINARY_SNIFF ? n : BINARY_SNIFF))
		return "binary file";
	return NULL;
}

int
tool_preview_old(const struct grant *gr, const char *rel, struct tool_preview *p)
{
	struct stat st;
	int rc = grant_lstat(gr, rel, &st);

	if (rc == DH_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	p->old_exists = true;
	if (S_ISDIR(st.st_mode)) {
		p->is_dir = true;
		p->skip = "directory";
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		p->skip = "not a regular file";
		return 0;
	}
	p->old_size = (long long)st.st_size;
	if ((uintmax_t)st.st_size > TOOL_PREVIEW_MAX) {
		p->skip = "over 1 MiB";
		return 0;
	}
	if ((rc = grant_read(gr, rel, TOOL_PREVIEW_MAX, &p->old)) < 0)
		return rc;
	p->skip = preview_skip(buf_cstr(&p->old), p->old.len);
	return 0;
}

/* The content after the call into p (new_*). */
static void
preview_new(struct tool_preview *p, const char *data, size_t n)
{
	const char *skip = preview_skip(data, n);

	p->new_exists = true;
	p->new_size = (long long)n;
	if (!p->skip)
		p->skip = skip;
	if (!p->skip)
		buf_add(&p->new, data, n);
}

/*
 * write_file, edit_file
 */

bool
tool_change_prepare(const char *path, struct tool_env *env, const struct grant **gr, char **rel,
                    char **shown, struct tool_result *out)
{
	int rc;

	*rel = *shown = NULL;
	if ((rc = tool_path(env, path, gr, rel, shown)) < 0) {
		tool_result_from_err(out, rc);
		return false;
	}
	return !refuse_protected(env, *gr, *rel, *shown, out) &&
	       !refuse_large(env, *gr, *rel, *shown, out) &&
	       !refuse_unrecorded(*gr, *rel, *shown, out);
}

static int
write_file_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	const char *content = json_str(in, "content");
	char *rel = NULL, *shown = NULL;
	bool created = false;

	if (!tool_change_prepare(json_str(in, "path"), env, &gr, &rel, &shown, out))
		goto out;
	size_t len = strlen(content);

	if (tool_write_into(gr, rel, content, len, &created, out) < 0)
		goto out;
	buf_printf(&out->text, "%s %s (%zu bytes)", created ? "created" : "overwrote", shown, len);
out:
	free(rel);
	free(shown);
	return 0;
}

/* The agent's way in: the write and its two fsyncs (the file, then its
 * directory) run on the worker, not on the loop, and the result comes when
 * they are done: the model is never told of a write that is not on the
 * disk yet. */
static int
write_file_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
                 void *ctx)
{
	return tool_start_deferred(write_file_run, in, env, true, out, done, ctx);
}

static int
write_file_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *gr;
	const char *content = json_str(in, "content");
	struct tool_result r;
	char *rel = NULL;
	int rc;

	tool_result_init(&r);
	if (!tool_change_prepare(json_str(in, "path"), env, &gr, &rel, &p->path, &r)) {
		free(rel);
		return tool_refusal_err(&r);
	}
	tool_result_fini(&r);
	if ((rc = tool_preview_old(gr, rel, p)) == 0 && p->is_dir)
		rc = err_set("%s is a directory", p->path);
	if (rc == 0)
		preview_new(p, content, strlen(content));
	free(rel);
	return rc;
}

/* Non-overlapping occurrences of needle in hay. */
static size_t
count_matches(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t count = 0;

	for (const char *p = hay; (p = memmem(p, hn - (size_t)(p - hay), needle, nn)); p += nn)
		count++;
	return count;
}

/* edit_file's new content: `cur` the file, `next` the result, both
 * appended; on a refusal `out` holds it and the result is false. Shared by
 * the run and the preview, so the approval shows what the run writes. */
static bool
edit_compute(const cJSON *in, struct tool_env *env, const struct grant **gr, char **rel,
             char **shown, struct buf *cur, struct buf *next, size_t *count,
             struct tool_result *out)
{
	const char *old = json_str(in, "old_string"), *new = json_str(in, "new_string");
	bool all = json_bool(in, "replace_all", false);
	int rc;

	if (!tool_change_prepare(json_str(in, "path"), env, gr, rel, shown, out))
		return false;
	if (!*old) {
		tool_result_errorf(out, "old_string is empty; to create or replace a whole file "
		                        "use write_file");
		return false;
	}
	if (!strcmp(old, new)) {
		tool_result_errorf(out,
		                   "old_string and new_string are identical; nothing to "
		                   "change in %s",
		                   *shown);
		return false;
	}
	if ((rc = grant_read(*gr, *rel, EDIT_MAX, cur)) < 0) {
		tool_result_from_err(out, rc);
		return false;
	}
	if (memchr(buf_cstr(cur), '\0', cur->len)) {
		tool_result_errorf(out, "%s is a binary file; edit_file edits text only", *shown);
		return false;
	}
	size_t on = strlen(old), nn = strlen(new);

	*count = count_matches(buf_cstr(cur), cur->len, old, on);
	if (*count == 0) {
		tool_result_errorf(out, "old_string not found in %s", *shown);
		return false;
	}
	if (*count > 1 && !all) {
		tool_result_errorf(out,
		                   "old_string matches %zu times in %s; add context or set "
		                   "replace_all",
		                   *count, *shown);
		return false;
	}
	const char *p = buf_cstr(cur), *end = p + cur->len;

	for (const char *m; (m = memmem(p, (size_t)(end - p), old, on)); p = m + on) {
		buf_add(next, p, (size_t)(m - p));
		buf_add(next, new, nn);
	}
	buf_add(next, p, (size_t)(end - p));
	return true;
}

static int
edit_file_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	char *rel = NULL, *shown = NULL;
	struct buf cur = BUF_INIT, next = BUF_INIT;
	size_t count = 0;
	int rc;

	if (!edit_compute(in, env, &gr, &rel, &shown, &cur, &next, &count, out))
		goto out;
	if ((rc = grant_write(gr, rel, buf_cstr(&next), next.len, NULL)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	buf_printf(&out->text, "edited %s: %zu replacement%s", shown, count, count == 1 ? "" : "s");
out:
	buf_fini(&cur);
	buf_fini(&next);
	free(rel);
	free(shown);
	return 0;
}

/* The agent's way in: on the worker, as write_file_start(). */
static int
edit_file_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
                void *ctx)
{
	return tool_start_deferred(edit_file_run, in, env, true, out, done, ctx);
}

static int
edit_file_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *gr;
	struct tool_result r;
	struct stat st;
	char *rel = NULL;
	size_t count = 0;
	int rc = 0;

	tool_result_init(&r);
	/* A file too big to show is not read (the loop must not stall on it). */
	if (tool_path(env, json_str(in, "path"), &gr, &rel, &p->path) == 0 &&
	    grant_lstat(gr, rel, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size > TOOL_PREVIEW_MAX) {
		p->old_exists = p->new_exists = true;
		p->old_size = (long long)st.st_size;
		p->skip = "over 1 MiB";
		free(rel);
		return 0;
	}
	free(rel);
	free(p->path);
	p->path = NULL;
	if (!edit_compute(in, env, &gr, &rel, &p->path, &p->old, &p->new, &count, &r))
		rc = tool_refusal_err(&r);
	else
		tool_result_fini(&r);
	if (rc == 0) {
		p->old_exists = p->new_exists = true;
		p->old_size = (long long)p->old.len;
		p->new_size = (long long)p->new.len;
		p->skip = preview_skip(buf_cstr(&p->new), p->new.len);
	}
	free(rel);
	return rc;
}

/*
 * move_file, delete_file, make_directory
 */

/* What move_file checks before moving; on a refusal `out` holds it and the
 * result is false. The paths are heap (may be NULL either way). */
static bool
move_prepare(const cJSON *in, struct tool_env *env, const struct grant **sg, char **srel,
             char **sshown, const struct grant **dg, char **drel, char **dshown,
             struct tool_result *out)
{
	struct stat st;
	int rc;

	if ((rc = tool_path(env, json_str(in, "source"), sg, srel, sshown)) < 0 ||
	    (rc = tool_path(env, json_str(in, "destination"), dg, drel, dshown)) < 0) {
		tool_result_from_err(out, rc);
		return false;
	}
	if (refuse_protected(env, *sg, *srel, *sshown, out) ||
	    refuse_protected(env, *dg, *drel, *dshown, out) ||
	    refuse_large(env, *sg, *srel, *sshown, out) ||
	    refuse_unrecorded(*sg, *srel, *sshown, out) || refuse_unrecorded(*dg, *drel, *dshown, out))
		return false;
	if ((rc = grant_lstat(*sg, *srel, &st)) < 0) {
		if (rc == DH_ENOTFOUND)
			tool_result_errorf(out, "source %s does not exist", *sshown);
		else
			tool_result_from_err(out, rc);
		return false;
	}
	rc = grant_lstat(*dg, *drel, &st);
	if (rc == 0) {
		tool_result_errorf(out,
		                   "destination %s already exists; move_file never "
		                   "overwrites (delete it first or choose another name)",
		                   *dshown);
		return false;
	}
	if (rc != DH_ENOTFOUND) {
		tool_result_from_err(out, rc);
		return false;
	}
	return true;
}

static int
move_file_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *sg, *dg;
	char *srel = NULL, *sshown = NULL, *drel = NULL, *dshown = NULL;
	struct made_parents m = { .parent = NULL };
	int rc;

	if (!move_prepare(in, env, &sg, &srel, &sshown, &dg, &drel, &dshown, out))
		goto out;
	if ((rc = make_parents(dg, drel, &m)) == 0)
		rc = grant_rename(sg, srel, dg, drel);
	if (rc == DH_ECONFLICT) {
		tool_result_errorf(out,
		                   "destination %s already exists; move_file never "
		                   "overwrites (delete it first or choose another name)",
		                   dshown);
		unmake_parents(&m);
		goto out;
	}
	if (rc < 0) {
		tool_result_from_err(out, rc);
		unmake_parents(&m);
		goto out;
	}
	buf_printf(&out->text, "moved %s to %s", sshown, dshown);
out:
	free(m.parent);
	free(srel);
	free(sshown);
	free(drel);
	free(dshown);
	return 0;
}

/* A move changes no content: the preview names both paths. */
static int
move_file_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *sg, *dg;
	char *srel = NULL, *drel = NULL;
	struct tool_result r;
	struct stat st;
	int rc = 0;

	tool_result_init(&r);
	if (!move_prepare(in, env, &sg, &srel, &p->old_path, &dg, &drel, &p->path, &r))
		rc = tool_refusal_err(&r);
	else
		tool_result_fini(&r);
	if (rc == 0 && grant_lstat(sg, srel, &st) == 0) {
		p->old_exists = p->new_exists = true;
		p->is_dir = S_ISDIR(st.st_mode);
		p->old_size = p->new_size = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
		p->skip = "renamed";
	}
	free(srel);
	free(drel);
	return rc;
}

static int
delete_file_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	char *rel = NULL, *shown = NULL;
	struct stat st;
	int rc;

	memset(&st, 0, sizeof st);
	if (!tool_change_prepare(json_str(in, "path"), env, &gr, &rel, &shown, out))
		goto out;
	if ((rc = grant_lstat(gr, rel, &st)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	if ((rc = grant_unlink(gr, rel)) < 0) {
		if (rc == DH_EFAIL && S_ISDIR(st.st_mode) && strstr(err_msg(), "not empty"))
			tool_result_errorf(out,
			                   "%s is a directory and not empty; delete_file "
			                   "removes files, symlinks and empty directories only "
			                   "(delete what is inside first)",
			                   shown);
		else
			tool_result_from_err(out, rc);
		goto out;
	}
	buf_printf(&out->text, "deleted %s%s", S_ISDIR(st.st_mode) ? "empty directory " : "",
	           shown);
out:
	free(rel);
	free(shown);
	return 0;
}

static int
delete_file_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *gr;
	struct tool_result r;
	char *rel = NULL;
	int rc = 0;

	tool_result_init(&r);
	if (!tool_change_prepare(json_str(in, "path"), env, &gr, &rel, &p->path, &r)) {
		free(rel);
		return tool_refusal_err(&r);
	}
	tool_result_fini(&r);
	rc = tool_preview_old(gr, rel, p);
	if (rc == 0 && !p->old_exists)
		rc = err_setc(DH_ENOTFOUND, "%s does not exist", p->path);
	free(rel);
	return rc;
}

static int
make_directory_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const struct grant *gr;
	char *rel = NULL, *shown = NULL;
	bool created = false;
	int rc;

	if ((rc = tool_path(env, json_str(in, "path"), &gr, &rel, &shown)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	if (refuse_protected(env, gr, rel, shown, out))
		goto out;
	if ((rc = grant_mkdirs(gr, rel, &created)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	if (created)
		buf_printf(&out->text, "created directory %s", shown);
	else
		buf_printf(&out->text, "directory %s already exists", shown);
out:
	free(rel);
	free(shown);
	return 0;
}

/* A directory made (or already there): nothing to diff, a line says it. */
static int
make_directory_preview(const cJSON *in, struct tool_env *env, struct tool_preview *p)
{
	const struct grant *gr;
	char *rel = NULL;
	struct tool_result r;
	int rc;

	tool_result_init(&r);
	if ((rc = tool_path(env, json_str(in, "path"), &gr, &rel, &p->path)) < 0) {
		free(rel);
		tool_result_fini(&r);
		return rc;
	}
	if (refuse_protected(env, gr, rel, p->path, &r)) {
		free(rel);
		return tool_refusal_err(&r);
	}
	tool_result_fini(&r);
	rc = tool_preview_old(gr, rel, p);
	free(rel);
	if (rc == 0 && p->old_exists && !p->is_dir)
		rc = err_set("%s exists and is not a directory", p->path);
	p->is_dir = p->new_exists = true;
	p->skip = "directory";
	return rc;
}

#define PATHS_NOTE                                                                                 \
	"Paths are relative to the first granted folder, or absolute paths inside a granted "      \
	"folder; nothing outside the granted folders can be reached, '..' is refused and "         \
	"symlinks are not followed. " TOOL_NAMES_NOTE

const struct tool_entry tool_fs_entries[] = {
	{
		.name = "read_file",
		.description =
			"Read a file. Text comes back with line numbers like `cat -n` (number, "
			"tab, line): lines from `offset` (1-based, default 1), at most `limit` "
			"lines (default 2000); lines longer than 2000 bytes are cut and at most "
			"256 KiB of text is returned per call, with a note saying where to "
			"continue. Images (PNG, JPEG, GIF, WebP) up to 5 MiB are returned as "
			"image content you can look at. Office documents come back as numbered "
			"text: spreadsheets (.xlsx, .ods) as one Markdown table per sheet with "
			"row numbers and column letters and each formula in [brackets] after "
			"its value, Word and OpenDocument text (.docx, .odt) as Markdown, "
			"presentations (.pptx, .odp) slide by slide; a PDF as its text page by "
			"page, and up to 5 MiB also as document content. Other binary files "
			"are refused. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":\"The file to read.\"},"
			"\"offset\":{\"type\":\"integer\",\"minimum\":1,\"description\":"
			"\"First line to show, 1-based (default 1).\"},"
			"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"description\":"
			"\"Number of lines to show (default 2000).\"}},"
			"\"required\":[\"path\"]}",
		.flags = TOOL_F_READONLY,
		.run = read_file_run,     /* tool_invoke(): in the caller's thread */
		.start = read_file_start, /* the agent: long reads off the loop */
	},
	{
		.name = "list_files",
		.description =
			"List a directory recursively, sorted, one path per line; directories end "
			"with '/'. `.git` directories are skipped and symlinks are listed but not "
			"followed. `pattern` is a glob (`*`, `?`, `[abc]`, `**` for any number of "
			"directories) matched against the path relative to the listed directory; "
			"a pattern without '/' matches the file name at any depth (`*.pdf`). At "
			"most 1000 entries are shown. Paths in the output can be passed to the "
			"other tools as they are. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":"
			"\"Directory to list (default: the first granted folder).\"},"
			"\"pattern\":{\"type\":\"string\",\"description\":"
			"\"Only entries matching this glob, e.g. '**/*.csv' or '*.pdf'.\"}}}",
		.flags = TOOL_F_READONLY,
		.run = list_files_run,     /* tool_invoke(): in the caller's thread */
		.start = list_files_start, /* the agent: on the worker */
	},
	{
		.name = "write_file",
		.description =
			"Create a text file or replace its whole content. Missing parent "
			"directories are created. The write is atomic (a temporary file renamed "
			"into place) and keeps an existing file's permissions. Prefer edit_file "
			"for changing part of an existing file. Git hooks and config, shell "
			"startup files, editor or agent settings and .deskhandignore are "
			"protected and refused. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":\"The file to write.\"},"
			"\"content\":{\"type\":\"string\",\"description\":"
			"\"The complete new content.\"}},"
			"\"required\":[\"path\",\"content\"]}",
		.flags = TOOL_F_MUTATES,
		.run = write_file_run,     /* tool_invoke(): in the caller's thread */
		.start = write_file_start, /* the agent: on the worker */
		.preview = write_file_preview,
	},
	{
		.name = "edit_file",
		.description =
			"Replace an exact string in a text file. `old_string` must appear exactly "
			"once (include enough surrounding lines to make it unique) unless "
			"`replace_all` is true, which replaces every occurrence. Match the file's "
			"text exactly, including indentation, without the line-number prefix "
			"read_file shows. Protected paths are refused as for "
	                "write_file. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":\"The file to edit.\"},"
			"\"old_string\":{\"type\":\"string\",\"description\":"
			"\"The exact text to replace.\"},"
			"\"new_string\":{\"type\":\"string\",\"description\":"
			"\"The replacement text.\"},"
			"\"replace_all\":{\"type\":\"boolean\",\"description\":"
			"\"Replace every occurrence (default false).\"}},"
			"\"required\":[\"path\",\"old_string\",\"new_string\"]}",
		.flags = TOOL_F_MUTATES,
		.run = edit_file_run,     /* tool_invoke(): in the caller's thread */
		.start = edit_file_start, /* the agent: on the worker */
		.preview = edit_file_preview,
	},
	{
		.name = "move_file",
		.description =
			"Move or rename a file or directory. `destination` is the full new path "
			"(not a directory to move into); missing parent directories are created. "
			"An existing destination is never overwritten: the call fails instead. "
			"Moves between granted folders work. Protected paths are "
	                "refused. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"source\":{\"type\":\"string\",\"description\":\"What to move.\"},"
			"\"destination\":{\"type\":\"string\",\"description\":"
			"\"Its new path, including the name.\"}},"
			"\"required\":[\"source\",\"destination\"]}",
		.flags = TOOL_F_MUTATES,
		.run = move_file_run,
		.preview = move_file_preview,
	},
	{
		.name = "delete_file",
		.description =
			"Delete a file or a symlink (the link itself, never its target), or an "
			"empty directory. Non-empty directories are refused: delete their "
			"contents first. Protected paths are refused. Deleted files can be "
			"restored by the user from deskhand's checkpoints. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":\"What to delete.\"}},"
			"\"required\":[\"path\"]}",
		.flags = TOOL_F_MUTATES,
		.run = delete_file_run,
		.preview = delete_file_preview,
	},
	{
		.name = "make_directory",
		.description =
			"Create a directory and any missing parents (like mkdir -p); an existing "
			"directory is fine. " PATHS_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"path\":{\"type\":\"string\",\"description\":\"The directory.\"}},"
			"\"required\":[\"path\"]}",
		.flags = TOOL_F_MUTATES,
		.run = make_directory_run,
		.preview = make_directory_preview,
	},
	{ .name = NULL },
};

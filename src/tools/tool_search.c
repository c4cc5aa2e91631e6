/* SPDX-License-Identifier: MIT */
/*
 * search_files: POSIX extended regular expressions over the text files of a
 * granted folder, grep-style output with context lines. Read-only; binary,
 * large and .git files are skipped. Not listing (tool_fs.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "docs/doc.h"
#include "policy/grant.h"
#include "tools/tool_priv.h"

#define SEARCH_MATCH_MAX   200        /* matching lines */
#define SEARCH_OUT_MAX     30000      /* bytes of output */
#define SEARCH_FILE_MAX    (1u << 20) /* larger files are skipped */
#define SEARCH_LINE_MAX    500        /* bytes shown of one line */
#define SEARCH_CONTEXT_MAX 10         /* context lines either side */
#define SEARCH_VISITS_MAX  200000     /* entries walked */
#define SEARCH_DOC_MAX     (16u << 20) /* larger documents are skipped */
#define SEARCH_DOC_MS      5000       /* time to read one document's text */

struct search {
	regex_t re;
	const char *glob;  /* NULL: every file */
	const char *shown; /* display prefix of the search root ("" or "dir/") */
	int context;
	struct buf *text;
	size_t matches;
	size_t skipped_large;
	size_t skipped_docs; /* documents whose text could not be read */
	bool stopped;    /* a cap was reached, or the call was cancelled */
	const char *why; /* which cap */
	int stop_fd;     /* tool_stoppable_fn's */
};

/* Whether the call was cancelled (its stop fd is readable). */
static bool
stop_asked(const struct search *S)
{
	struct pollfd p = { .fd = S->stop_fd, .events = POLLIN };

	return S->stop_fd >= 0 && poll(&p, 1, 0) > 0;
}

static void
put_line(struct search *S, const char *path, long long no, char sep, const char *s, size_t n)
{
	struct buf *t = S->text;

	utf8_scrub(t, path, strlen(path));
	buf_printf(t, "%c%lld%c", sep, no, sep);
	if (n > SEARCH_LINE_MAX) {
		size_t k = SEARCH_LINE_MAX;

		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		utf8_scrub(t, s, k);
		buf_puts(t, " [… line truncated]");
	} else {
		utf8_scrub(t, s, n);
	}
	buf_putc(t, '\n');
	if (t->len >= SEARCH_OUT_MAX && !S->stopped) {
		S->stopped = true;
		S->why = "30 KB of output";
	}
}

/* One line of a searched file, split in place: NUL-terminated at p[len]. */
struct search_line {
	char *p;
	size_t len;
};

/* Search one file's bytes (NUL-terminated, no NUL inside). */
static void
search_text(struct search *S, const char *path, char *data, size_t len)
{
	/* Split into lines in place. */
	ARRAY(struct search_line) lines = ARRAY_INIT;

	for (char *p = data; p < data + len;) {
		char *nl = memchr(p, '\n', (size_t)(data + len - p));
		char *end = nl ? nl : data + len;

		*end = '\0';
		ARRAY_PUSH(&lines, (struct search_line){ .p = p, .len = (size_t)(end - p) });
		p = end + 1;
	}
	long long last = -1; /* last line printed (0-based) */
	long long after = 0; /* context lines still due after a match */

	for (size_t i = 0; i < lines.n && !S->stopped; i++) {
		bool hit = regexec(&S->re, lines.v[i].p, 0, NULL, 0) == 0;

		if (!hit) {
			if (after > 0) {
				put_line(S, path, (long long)i + 1, '-', lines.v[i].p, lines.v[i].len);
				last = (long long)i;
				after--;
			}
			continue;
		}
		long long from = (long long)i - S->context;

		if (from <= last)
			from = last + 1;
		if (from < 0)
			from = 0;
		if (last >= 0 && from > last + 1 && S->context > 0)
			buf_puts(S->text, "--\n");
		for (long long j = from; j < (long long)i; j++)
			put_line(S, path, j + 1, '-', lines.v[j].p, lines.v[j].len);
		put_line(S, path, (long long)i + 1, ':', lines.v[i].p, lines.v[i].len);
		last = (long long)i;
		after = S->context;
		if (++S->matches >= SEARCH_MATCH_MAX && !S->stopped) {
			S->stopped = true;
			S->why = "200 matches";
		}
	}
	ARRAY_FREE(&lines);
}

/* Search a document's text (src/docs/), its lines numbered as read_file
 * shows them. */
static void
search_document(struct search *S, const char *path, enum doc_kind kind, const struct buf *data)
{
	struct doc_limits lim;
	struct buf t = BUF_INIT;
	int rc;

	/* each document may take SEARCH_DOC_MS: none more once cancelled */
	if (stop_asked(S)) {
		S->stopped = true;
		S->why = "the call's cancel";
		return;
	}
	doc_limits_default(&lim);
	lim.max_text = SEARCH_FILE_MAX;
	lim.max_ms = SEARCH_DOC_MS;
	lim.stop_fd = S->stop_fd;
	rc = doc_to_text(data->ptr ? data->ptr : "", data->len, path, kind, &lim, &t);
	if (rc == DH_ECANCELED) {
		S->stopped = true;
		S->why = "the call's cancel";
	} else if (rc < 0) {
		S->skipped_docs++;
	} else if (t.len) {
		search_text(S, path, (char *)buf_cstr(&t), t.len);
	}
	buf_fini(&t);
}

/* Read and search the regular file `name` in dirfd. */
static void
search_file(struct search *S, int dirfd, const char *name, const char *path)
{
	enum doc_kind kind = doc_kind_of(name, NULL, 0);
	size_t max = kind != DOC_NONE ? SEARCH_DOC_MAX : SEARCH_FILE_MAX;

	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	if ((uintmax_t)st.st_size > max) {
		S->skipped_large++;
		close(fd);
		return;
	}
	struct buf b = BUF_INIT;
	/* a read error, or it grew past max while we read */
	bool bad = fsutil_read_fd(fd, max, &b) < 0;

	close(fd);
	if (b.len >= 5 && kind == DOC_NONE)
		kind = doc_kind_of(name, b.ptr, b.len); /* a PDF by its magic */
	if (!bad && kind != DOC_NONE)
		search_document(S, path, kind, &b);
	else if (!bad && b.len && !memchr(b.ptr, '\0', b.len))
		search_text(S, path, b.ptr, b.len);
	buf_fini(&b);
}

static int
search_one(const struct grant_walk_ent *e, void *ctx)
{
	struct search *S = ctx;

	if (!S_ISREG(e->st->st_mode))
		return GRANT_WALK_CONTINUE;
	if (S->glob && !tool_glob_match(S->glob, e->rel))
		return GRANT_WALK_CONTINUE;
	struct buf path = BUF_INIT;

	buf_puts(&path, S->shown);
	utf8_name_escape(&path, e->rel, strlen(e->rel));
	search_file(S, e->dirfd, e->name, buf_cstr(&path));
	buf_fini(&path);
	return S->stopped ? GRANT_WALK_STOP : GRANT_WALK_CONTINUE;
}

/* search_files; stop_fd as tool_stoppable_fn's: a cancelled search reads
 * no further document, and stops the one being read. */
static int
search_files_stoppable(const cJSON *in, struct tool_env *env, int stop_fd, struct tool_result *out)
{
	const char *pattern = json_str(in, "pattern"), *path = json_str(in, "path");
	const char *glob = json_str(in, "glob");
	const struct grant *gr;
	char *rel = NULL, *shown = NULL, *prefix = NULL;
	struct search S = {
		.glob = glob && *glob ? glob : NULL,
		.text = &out->text,
		.context = (int)json_int(in, "context", 0),
		.stop_fd = stop_fd,
	};
	struct stat st;
	int rc;

	if (S.context > SEARCH_CONTEXT_MAX)
		S.context = SEARCH_CONTEXT_MAX;
	if (S.context < 0)
		S.context = 0;
	int rerc = regcomp(&S.re, pattern, REG_EXTENDED | REG_NOSUB);

	if (rerc != 0) {
		char msg[256];

		regerror(rerc, &S.re, msg, sizeof msg);
		tool_result_errorf(out,
		                   "invalid pattern '%s': %s (patterns are POSIX extended "
		                   "regular expressions)",
		                   pattern, msg);
		return 0;
	}
	if ((rc = tool_path_read(env, path && *path ? path : ".", &gr, &rel, &shown)) < 0 ||
	    (rc = grant_lstat(gr, rel, &st)) < 0) {
		tool_result_from_err(out, rc);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		const struct grant_walk_limits lim = {
			.flags = GRANT_WALK_NO_GIT,
			.max_entries = SEARCH_VISITS_MAX,
			.max_depth = TOOL_WALK_DEPTH_MAX,
		};

		prefix = strcmp(shown, ".") ? xasprintf("%s/", shown) : xstrdup("");
		S.shown = prefix;
		rc = grant_walk(gr, rel, &lim, NULL, search_one, &S);
		if (rc < 0) { /* grant_open_dir()'s: before any entry */
			tool_result_from_err(out, rc);
			goto out;
		}
		if (rc == GRANT_WALK_CAPPED && !S.stopped) {
			S.stopped = true;
			S.why = "walking 200000 entries";
		}
	} else {
		/* One file: go through the grant helper (it refuses symlinks,
		 * FIFOs and the like), then search its bytes. */
		struct buf b = BUF_INIT;
		enum doc_kind kind = doc_kind_of(rel, NULL, 0);

		if ((rc = grant_read(gr, rel, kind != DOC_NONE ? SEARCH_DOC_MAX : SEARCH_FILE_MAX,
		                     &b)) < 0) {
			buf_fini(&b);
			tool_result_from_err(out, rc);
			goto out;
		}
		if (b.len >= 5 && kind == DOC_NONE)
			kind = doc_kind_of(rel, b.ptr, b.len);
		if (kind != DOC_NONE)
			search_document(&S, shown, kind, &b);
		else if (b.len && !memchr(b.ptr, '\0', b.len))
			search_text(&S, shown, b.ptr, b.len);
		buf_fini(&b);
	}
	if (S.stopped)
		buf_printf(&out->text, "[search stopped at %s; narrow the pattern, path or glob]\n",
		           S.why);
	if (S.skipped_large)
		buf_printf(&out->text, "[%zu file%s larger than 1 MiB not searched]\n",
		           S.skipped_large, S.skipped_large == 1 ? "" : "s");
	if (S.skipped_docs)
		buf_printf(&out->text, "[%zu document%s not searched: their text could not be read "
		                       "(read_file says why)]\n",
		           S.skipped_docs, S.skipped_docs == 1 ? "" : "s");
	if (S.matches == 0)
		buf_printf(&out->text, "no matches for /%s/ in %s", pattern, shown);
out:
	regfree(&S.re);
	free(prefix);
	free(rel);
	free(shown);
	return 0;
}

static int
search_files_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	return search_files_stoppable(in, env, -1, out);
}

/* The agent's way in: a search (which may read documents' text) runs on the
 * worker. */
static int
search_files_start(const cJSON *in, struct tool_env *env, struct tool_run **out,
                   tool_done_fn *done, void *ctx)
{
	return tool_start_deferred_stoppable(search_files_stoppable, in, env, true, out, done, ctx);
}

const struct tool_entry tool_search_entries[] = {
	{
		.name = "search_files",
		.description =
			"Search the text files under a directory (or one file) for lines matching "
			"a POSIX extended regular expression (egrep syntax: `a|b`, `[0-9]+`, "
			"`^Total`; no `\\d` or lookarounds; case-sensitive, use `[Ii]nvoice`). "
			"Output is grep-style: `path:line:text` for matches and `path-line-text` "
			"for `context` lines, `--` between separate groups, files in sorted "
			"order. Office documents (.xlsx, .ods, .docx, .odt, .pptx, .odp) and "
			"PDFs are searched in their text, with the line numbers read_file shows "
			"for them. Other binary files, files over 1 MiB (documents over 16 MiB) "
			"and `.git` directories are skipped. Stops after 200 matching lines or 30 KB of output. `glob` "
			"limits the files searched, as list_files' pattern (`*.md`, "
			"`notes/**/*.txt`). Paths are relative to the first granted folder, or "
			"absolute paths inside a granted folder. " TOOL_NAMES_NOTE,
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"pattern\":{\"type\":\"string\",\"description\":"
			"\"POSIX extended regular expression matched against each line.\"},"
			"\"path\":{\"type\":\"string\",\"description\":"
			"\"Directory or file to search (default: the first granted folder).\"},"
			"\"glob\":{\"type\":\"string\",\"description\":"
			"\"Only files matching this glob, e.g. '*.csv'.\"},"
			"\"context\":{\"type\":\"integer\",\"minimum\":0,\"description\":"
			"\"Lines of context before and after each match (default 0, at most "
			"10).\"}},"
			"\"required\":[\"pattern\"]}",
		.flags = TOOL_F_READONLY,
		.run = search_files_run,     /* tool_invoke(): in the caller's thread */
		.start = search_files_start, /* the agent: on the worker */
	},
	{ .name = NULL },
};

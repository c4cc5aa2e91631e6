/* SPDX-License-Identifier: MIT */
/*
 * Instructions: the global AGENTS.md and the granted folders' AGENTS.md (or
 * CLAUDE.md) files, read within their caps, with a warning for every cut,
 * and the nested ones found as the agent's tool calls reach subdirectories.
 * Not where they go in a request (agent/agent.c).
 */
#include "skills/instructions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "policy/grant.h"

struct instructions {
	ARRAY(struct instr_file) files;
	struct strv warnings;
	struct strv visited; /* absolute directories looked at (sorted) */
	struct strv unborn;  /* of those, the ones that did not exist then: what
			      * is made below them later (by the agent) is never
			      * read as instructions (sorted) */
	size_t total;        /* bytes of text taken */
};

/* Names looked for in a directory, in order: the first that exists counts. */
static const char *const names[] = { "AGENTS.md", "CLAUDE.md" };

static const char *const kind_names[] = {
	[INSTR_GLOBAL] = "global",
	[INSTR_FOLDER] = "folder",
	[INSTR_NESTED] = "nested",
};

static void warn(struct instructions *in, struct strv *also, const char *fmt, ...) DH_PRINTF(3, 4);

static void
warn(struct instructions *in, struct strv *also, const char *fmt, ...)
{
	va_list ap;
	char *msg, *w;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	w = xasprintf("instructions: %s", msg);
	strv_add(&in->warnings, w);
	if (also)
		strv_add(also, w);
	free(w);
	free(msg);
}

/* Read at most INSTR_FILE_MAX + 1 bytes of fd (closed) into out. */
static int
read_head(int fd, struct buf *out)
{
	size_t want = INSTR_FILE_MAX + 1;

	buf_grow(out, want + 1);
	while (out->len < want) {
		ssize_t n = read(fd, out->ptr + out->len, want - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return err_set("read: %s", strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->ptr[out->len] = '\0';
	close(fd);
	return 0;
}

/* Cut text to `max` bytes at a line end when there is one in its last
 * quarter, else at a character boundary. */
static void
cut_to(struct buf *t, size_t max)
{
	size_t n = max;
	const char *nl = NULL;

	if (t->len <= max)
		return;
	for (size_t i = max; i > max - max / 4 && i > 0; i--) {
		if (t->ptr[i - 1] == '\n') {
			nl = t->ptr + i;
			break;
		}
	}
	if (nl)
		n = (size_t)(nl - t->ptr);
	while (n > 0 && ((unsigned char)t->ptr[n] & 0xc0) == 0x80)
		n--;
	t->len = n;
	t->ptr[n] = '\0';
}

/* Take a file's text (read into t, whose file is `size` bytes) within the
 * caps; false when it is left out (a warning says so). */
static bool
take(struct instructions *in, struct strv *also, const char *path, long long size, struct buf *t,
     enum instr_kind kind)
{
	if (in->total >= INSTR_TOTAL_MAX) {
		warn(in, also, "%s left out: the instructions already take %zu KiB, the cap", path,
		     INSTR_TOTAL_MAX >> 10);
		return false;
	}
	if (memchr(t->ptr ? t->ptr : "", '\0', t->len)) {
		warn(in, also, "%s left out: it is not text", path);
		return false;
	}
	size_t room = INSTR_TOTAL_MAX - in->total;
	size_t max = room < INSTR_FILE_MAX ? room : INSTR_FILE_MAX;
	bool cut = t->len > max || (long long)t->len < size;

	cut_to(t, max);
	if (cut)
		warn(in, also,
		     "%s is %lld bytes; only its first %zu are used (the cap is %zu KiB "
		     "a file, %zu KiB in all)",
		     path, size, t->len, INSTR_FILE_MAX >> 10, INSTR_TOTAL_MAX >> 10);
	struct buf clean = BUF_INIT;
	utf8_scrub(&clean, t->ptr ? t->ptr : "", t->len);
	struct instr_file *f = ARRAY_ADD(&in->files);
	*f = (struct instr_file){
		.path = xstrdup(path),
		.text = buf_detach(&clean),
		.size = size,
		.cut = cut,
		.kind = kind,
	};
	in->total += t->len;
	return true;
}

/* The instructions of one directory of a grant (rel "" = its root):
 * AGENTS.md, else CLAUDE.md. Returns the file added, or NULL. */
static const struct instr_file *
load_dir(struct instructions *in, struct strv *also, const struct grant *gr, const char *rel,
         enum instr_kind kind)
{
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *frel = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		char *path = xasprintf("%s/%s", gr->path, frel);
		struct buf t = BUF_INIT;
		struct stat st;
		int fd = -1, rc = grant_open_read(gr, frel, 0, &fd, &st);
		bool added = false;

		if (rc == 0)
			rc = read_head(fd, &t);
		if (rc == 0)
			added = t.len > 0 && take(in, also, path, (long long)st.st_size, &t, kind);
		else if (rc != DH_ENOTFOUND && strstr(err_msg(), path))
			warn(in, also, "%s; left out", err_msg()); /* it names the file */
		else if (rc != DH_ENOTFOUND)
			warn(in, also, "%s left out: %s", path, err_msg());
		buf_fini(&t);
		free(path);
		free(frel);
		if (rc != DH_ENOTFOUND) /* there is one (even empty or refused) */
			return added ? &in->files.v[in->files.n - 1] : NULL;
	}
	return NULL;
}

/* $XDG_CONFIG_HOME/deskhand/AGENTS.md or ~/.config/deskhand/AGENTS.md. */
static void
load_global(struct instructions *in)
{
	char *dir = NULL;
	char *path = fsutil_config_dir(&dir) == 0 ? xasprintf("%s/AGENTS.md", dir) : NULL;

	free(dir);
	struct buf t = BUF_INIT;
	struct stat st;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			warn(in, NULL, "%s left out: %s", path, strerror(errno));
	} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		warn(in, NULL, "%s left out: not a regular file", path);
		close(fd);
	} else if (read_head(fd, &t) < 0) {
		warn(in, NULL, "%s left out: %s", path, err_msg());
	} else if (t.len) {
		take(in, NULL, path, (long long)st.st_size, &t, INSTR_GLOBAL);
	}
	buf_fini(&t);
	free(path);
}

int
instructions_load(struct instructions **out, const struct grant_set *g)
{
	struct instructions *in = xcalloc(1, sizeof *in);

	load_global(in);
	for (size_t i = 0; g && i < grant_count(g); i++) {
		const struct grant *gr = grant_get(g, i);

		strv_add(&in->visited, gr->path);
		load_dir(in, NULL, gr, "", INSTR_FOLDER);
	}
	strv_uniq(&in->visited);
	*out = in;
	return 0;
}

void
instructions_free(struct instructions *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->files.n; i++) {
		free(in->files.v[i].path);
		free(in->files.v[i].text);
	}
	ARRAY_FREE(&in->files);
	strv_free(&in->warnings);
	strv_free(&in->visited);
	strv_free(&in->unborn);
	free(in);
}

size_t
instructions_count(const struct instructions *in)
{
	return in ? in->files.n : 0;
}

const struct instr_file *
instructions_at(const struct instructions *in, size_t i)
{
	return in && i < in->files.n ? &in->files.v[i] : NULL;
}

const struct strv *
instructions_warnings(const struct instructions *in)
{
	return in ? &in->warnings : NULL;
}

void
instructions_prompt(const struct instructions *in, struct buf *out)
{
	bool any = false;

	for (size_t i = 0; i < instructions_count(in); i++) {
		const struct instr_file *f = &in->files.v[i];
		if (f->kind == INSTR_NESTED)
			continue;
		if (!any)
			buf_puts(out,
			         "\nInstructions from the person's AGENTS.md files (a "
			         "subdirectory's own come later, when you first work there):\n");
		any = true;
		buf_printf(out, "From %s:\n%s\n", f->path, f->text);
		if (f->cut)
			buf_printf(out, "[deskhand: the rest of %s was cut at the size cap]\n",
			           f->path);
	}
}

size_t
instructions_visit(struct instructions *in, const struct grant_set *g, size_t gi, const char *rel,
                   struct buf *out, struct strv *warn_out)
{
	const struct grant *gr = grant_get(g, gi);
	struct stat st;
	size_t added = 0;

	if (!gr || !rel)
		return 0;
	/* The directory it names, or the one holding the file it names. */
	char *dir = xstrdup(rel);
	if (grant_lstat(gr, dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			dir[0] = '\0';
	}
	/* Each level from the top: "a", "a/b", … (the root was read at start). */
	for (char *p = dir; *dir;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		char *abs = xasprintf("%s/%s", gr->path, dir);
		/* A level that did not exist when first looked at, and all below
		 * it, stays unread; one that does not exist now is remembered so
		 * and ends the walk (a path of 3,000 made-up levels costs one
		 * lstat, not 3,000 sorted inserts). */
		if (strv_has(&in->unborn, abs)) {
			free(abs);
			break;
		}
		if (!strv_has(&in->visited, abs) &&
		    (grant_lstat(gr, dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
			strv_add(&in->unborn, abs);
			strv_uniq(&in->unborn);
			free(abs);
			break;
		}
		if (!strv_has(&in->visited, abs)) {
			strv_add(&in->visited, abs);
			strv_uniq(&in->visited);
			const struct instr_file *f = load_dir(in, warn_out, gr, dir, INSTR_NESTED);
			if (f) {
				added++;
				buf_printf(out,
					   "[deskhand: instructions from %s, for work in %s and "
					   "below]\n%s\n%s",
					   f->path, abs, f->text,
					   f->cut ? "[deskhand: the rest was cut at the size cap]\n"
						  : "");
			}
		}
		free(abs);
		if (!slash)
			break;
		*slash = '/';
		p = slash + 1;
	}
	free(dir);
	return added;
}

cJSON *
instructions_json(const struct instructions *in)
{
	cJSON *a = json_new_arr();

	for (size_t i = 0; i < instructions_count(in); i++) {
		const struct instr_file *f = &in->files.v[i];
		cJSON *o = json_add(a, NULL, json_new_obj());

		json_add_str(o, "path", f->path);
		json_add_str(o, "kind", kind_names[f->kind]);
		json_add_num(o, "size", (double)f->size);
		json_add_bool(o, "cut", f->cut);
		json_add_str(o, "text", f->text);
	}
	return a;
}

/* SPDX-License-Identifier: MIT */
/*
 * Checkpoint metadata that git trees cannot hold (empty directories, odd
 * permission bits, the file count), and its text form in refs/notes/deskhand.
 * Not responsible for collecting it (snap_scan.c) or applying it (snap.c).
 */
#include "snap/snap_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/xalloc.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_mode(const void *a, const void *b)
{
	return strcmp(((const struct snap_meta_mode *)a)->path,
	              ((const struct snap_meta_mode *)b)->path);
}

void
snap_meta_fini(struct snap_meta *m)
{
	for (size_t i = 0; i < m->ndirs; i++)
		free(m->dirs[i]);
	for (size_t i = 0; i < m->nmodes; i++)
		free(m->modes[i].path);
	for (size_t i = 0; i < m->nlarge; i++)
		free(m->large[i].path);
	free(m->dirs);
	free(m->modes);
	free(m->large);
	memset(m, 0, sizeof *m);
}

void
snap_meta_add_dir(struct snap_meta *m, const char *path)
{
	ARRAY_GROW(m->dirs, m->ndirs, m->capdirs, 1);
	m->dirs[m->ndirs++] = xstrdup(path);
}

void
snap_meta_add_mode(struct snap_meta *m, const char *path, unsigned mode)
{
	ARRAY_GROW(m->modes, m->nmodes, m->capmodes, 1);
	m->modes[m->nmodes].path = xstrdup(path);
	m->modes[m->nmodes++].mode = mode & 07777;
}

void
snap_meta_add_large(struct snap_meta *m, const char *path, long long size)
{
	ARRAY_GROW(m->large, m->nlarge, m->caplarge, 1);
	m->large[m->nlarge].path = xstrdup(path);
	m->large[m->nlarge++].size = size;
}

static int
cmp_large(const void *a, const void *b)
{
	return strcmp(((const struct snap_meta_large *)a)->path,
	              ((const struct snap_meta_large *)b)->path);
}

void
snap_meta_sort(struct snap_meta *m)
{
	if (m->ndirs)
		qsort(m->dirs, m->ndirs, sizeof *m->dirs, cmp_str);
	if (m->nmodes)
		qsort(m->modes, m->nmodes, sizeof *m->modes, cmp_mode);
	if (m->nlarge)
		qsort(m->large, m->nlarge, sizeof *m->large, cmp_large);
}

void
snap_meta_copy(struct snap_meta *dst, const struct snap_meta *src)
{
	memset(dst, 0, sizeof *dst);
	dst->nfiles = src->nfiles;
	for (size_t i = 0; i < src->ndirs; i++)
		snap_meta_add_dir(dst, src->dirs[i]);
	for (size_t i = 0; i < src->nmodes; i++)
		snap_meta_add_mode(dst, src->modes[i].path, src->modes[i].mode);
	for (size_t i = 0; i < src->nlarge; i++)
		snap_meta_add_large(dst, src->large[i].path, src->large[i].size);
}

static bool
is_under(const char *p, const char *top, size_t len)
{
	return !strncmp(p, top, len) && (p[len] == '\0' || p[len] == '/');
}

void
snap_meta_remove_under(struct snap_meta *m, const char *path)
{
	size_t len = strlen(path), j = 0;

	for (size_t i = 0; i < m->ndirs; i++) {
		if (is_under(m->dirs[i], path, len))
			free(m->dirs[i]);
		else
			m->dirs[j++] = m->dirs[i];
	}
	m->ndirs = j;
	j = 0;
	for (size_t i = 0; i < m->nmodes; i++) {
		if (is_under(m->modes[i].path, path, len))
			free(m->modes[i].path);
		else
			m->modes[j++] = m->modes[i];
	}
	m->nmodes = j;
	j = 0;
	for (size_t i = 0; i < m->nlarge; i++) {
		if (is_under(m->large[i].path, path, len))
			free(m->large[i].path);
		else
			m->large[j++] = m->large[i];
	}
	m->nlarge = j;
}

void
snap_meta_normalize(struct snap_meta *m)
{
	size_t j = 0;

	snap_meta_sort(m);
	for (size_t i = 0; i < m->ndirs; i++) {
		if (j && !strcmp(m->dirs[j - 1], m->dirs[i]))
			free(m->dirs[i]);
		else
			m->dirs[j++] = m->dirs[i];
	}
	m->ndirs = j;
	j = 0;
	for (size_t i = 0; i < m->nmodes; i++) {
		if (j && !strcmp(m->modes[j - 1].path, m->modes[i].path))
			free(m->modes[i].path);
		else
			m->modes[j++] = m->modes[i];
	}
	m->nmodes = j;
	j = 0;
	for (size_t i = 0; i < m->nlarge; i++) {
		if (j && !strcmp(m->large[j - 1].path, m->large[i].path))
			free(m->large[i].path);
		else
			m->large[j++] = m->large[i];
	}
	m->nlarge = j;
}

long long
snap_meta_large_size(const struct snap_meta *m, const char *path)
{
	struct snap_meta_large key = { .path = (char *)path };
	const struct snap_meta_large *hit;

	if (!m->nlarge)
		return -1;
	hit = bsearch(&key, m->large, m->nlarge, sizeof *m->large, cmp_large);
	return hit ? hit->size : -1;
}

static void
put_path(struct buf *out, const char *p)
{
	for (; *p; p++) {
		if (*p == '\\')
			buf_puts(out, "\\\\");
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *p);
	}
	buf_putc(out, '\n');
}

void
snap_meta_format(const struct snap_meta *m, struct buf *out)
{
	buf_printf(out, "n %zu\n", m->nfiles);
	for (size_t i = 0; i < m->ndirs; i++) {
		buf_puts(out, "d ");
		put_path(out, m->dirs[i]);
	}
	for (size_t i = 0; i < m->nmodes; i++) {
		buf_printf(out, "m %04o ", m->modes[i].mode);
		put_path(out, m->modes[i].path);
	}
	for (size_t i = 0; i < m->nlarge; i++) {
		buf_printf(out, "L %lld ", m->large[i].size);
		put_path(out, m->large[i].path);
	}
}

/* Unescape [p, end) into a new string. */
static char *
get_path(const char *p, const char *end)
{
	char *s = xmalloc((size_t)(end - p) + 1), *d = s;

	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
			*d++ = *p == 'n' ? '\n' : *p;
		} else {
			*d++ = *p;
		}
	}
	*d = '\0';
	return s;
}

void
snap_meta_parse(struct snap_meta *m, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, '\n');

		if (!end)
			end = p + strlen(p);
		if (end - p > 2 && p[1] == ' ') {
			if (p[0] == 'n') {
				m->nfiles = strtoull(p + 2, NULL, 10);
			} else if (p[0] == 'd') {
				char *path = get_path(p + 2, end);

				snap_meta_add_dir(m, path);
				free(path);
			} else if (p[0] == 'm' && end - p > 7 && p[6] == ' ') {
				char *path = get_path(p + 7, end);

				snap_meta_add_mode(m, path, (unsigned)strtoul(p + 2, NULL, 8));
				free(path);
			} else if (p[0] == 'L') {
				char *sp;
				long long size = strtoll(p + 2, &sp, 10);

				if (sp < end && *sp == ' ' && sp + 1 < end) {
					char *path = get_path(sp + 1, end);

					snap_meta_add_large(m, path, size);
					free(path);
				}
			}
		}
		p = *end ? end + 1 : end;
	}
	snap_meta_sort(m);
}

unsigned
snap_meta_mode(const struct snap_meta *m, const char *path)
{
	struct snap_meta_mode key = { .path = (char *)path };
	const struct snap_meta_mode *hit;

	if (!m->nmodes)
		return 0;
	hit = bsearch(&key, m->modes, m->nmodes, sizeof *m->modes, cmp_mode);
	return hit ? hit->mode : 0;
}

bool
snap_meta_has_dir(const struct snap_meta *m, const char *path)
{
	if (!m->ndirs)
		return false;
	return bsearch(&path, m->dirs, m->ndirs, sizeof *m->dirs, cmp_str) != NULL;
}

int
snap_meta_read(struct snap_meta *m, git_repository *repo, const git_oid *commit)
{
	git_note *note = NULL;
	int rc = git.git_note_read(&note, repo, SNAP_NOTES_REF, commit);

	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return G(rc);
	snap_meta_parse(m, git.git_note_message(note));
	git.git_note_free(note);
	return 0;
}

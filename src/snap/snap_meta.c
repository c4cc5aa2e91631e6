/* SPDX-License-Identifier: MIT */
/*
 * Checkpoint metadata that git trees cannot hold (empty directories, odd
 * permission bits of files and directories, the file count), and its text
 * form in refs/notes/deskhand.
 * Not responsible for collecting it (snap_scan.c) or applying it (snap.c).
 */
#include "snap/snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/log.h"
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
	for (size_t i = 0; i < m->ndmodes; i++)
		free(m->dmodes[i].path);
	free(m->dirs);
	free(m->modes);
	free(m->large);
	free(m->dmodes);
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
snap_meta_add_dir_mode(struct snap_meta *m, const char *path, unsigned mode)
{
	mode &= 0777;
	if (mode == SNAP_DIR_MODE_DEF)
		return;
	ARRAY_GROW(m->dmodes, m->ndmodes, m->capdmodes, 1);
	m->dmodes[m->ndmodes].path = xstrdup(path);
	m->dmodes[m->ndmodes++].mode = mode;
}

void
snap_meta_set_dir_mode(struct snap_meta *m, const char *path, int mode)
{
	for (size_t i = 0; i < m->ndmodes; i++) {
		if (strcmp(m->dmodes[i].path, path))
			continue;
		free(m->dmodes[i].path);
		m->dmodes[i] = m->dmodes[--m->ndmodes];
		break;
	}
	if (mode >= 0)
		snap_meta_add_dir_mode(m, path, (unsigned)mode);
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
	if (m->ndmodes)
		qsort(m->dmodes, m->ndmodes, sizeof *m->dmodes, cmp_mode);
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
	for (size_t i = 0; i < src->ndmodes; i++)
		snap_meta_add_dir_mode(dst, src->dmodes[i].path, src->dmodes[i].mode);
	dst->has_dmodes = src->has_dmodes;
	dst->has_root = src->has_root;
}

static bool
is_under(const char *p, const char *top, size_t len)
{
	return !strncmp(p, top, len) && (p[len] == '\0' || p[len] == '/');
}

/* Drop the entries of v[0..*n) that are `path` (length len) or below it. */
static void
modes_remove_under(struct snap_meta_mode *v, size_t *n, const char *path, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < *n; i++) {
		if (is_under(v[i].path, path, len))
			free(v[i].path);
		else
			v[j++] = v[i];
	}
	*n = j;
}

/* Drop the entries of sorted v[0..*n) whose path repeats the previous one's. */
static void
modes_dedup(struct snap_meta_mode *v, size_t *n)
{
	size_t j = 0;

	for (size_t i = 0; i < *n; i++) {
		if (j && !strcmp(v[j - 1].path, v[i].path))
			free(v[i].path);
		else
			v[j++] = v[i];
	}
	*n = j;
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
	modes_remove_under(m->modes, &m->nmodes, path, len);
	modes_remove_under(m->dmodes, &m->ndmodes, path, len);
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
snap_meta_copy_under(struct snap_meta *m, const struct snap_meta *src, const char *path)
{
	size_t len = strlen(path);
	bool all = !len; /* "": the whole folder, but its own mode */

	for (size_t i = 0; i < src->ndirs; i++)
		if (all || is_under(src->dirs[i], path, len))
			snap_meta_add_dir(m, src->dirs[i]);
	for (size_t i = 0; i < src->nmodes; i++)
		if (all || is_under(src->modes[i].path, path, len))
			snap_meta_add_mode(m, src->modes[i].path, src->modes[i].mode);
	for (size_t i = 0; i < src->ndmodes; i++)
		if (all ? strcmp(src->dmodes[i].path, SNAP_ROOT) != 0
		        : is_under(src->dmodes[i].path, path, len) && src->dmodes[i].path[len])
			snap_meta_add_dir_mode(m, src->dmodes[i].path, src->dmodes[i].mode);
	for (size_t i = 0; i < src->nlarge; i++)
		if (all || is_under(src->large[i].path, path, len))
			snap_meta_add_large(m, src->large[i].path, src->large[i].size);
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
	modes_dedup(m->modes, &m->nmodes);
	modes_dedup(m->dmodes, &m->ndmodes);
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
	if (!m->has_dmodes)
		return;
	buf_puts(out, m->has_root ? "v 3\n" : "v 2\n");
	for (size_t i = 0; i < m->ndmodes; i++) {
		if (!m->has_root && !strcmp(m->dmodes[i].path, SNAP_ROOT))
			continue;
		buf_printf(out, "M %04o ", m->dmodes[i].mode);
		put_path(out, m->dmodes[i].path);
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
			} else if (p[0] == 'v') {
				unsigned long v = strtoul(p + 2, NULL, 10);

				m->has_dmodes = v >= 2;
				m->has_root = v >= 3;
			} else if (p[0] == 'M' && end - p > 7 && p[6] == ' ') {
				char *path = get_path(p + 7, end);

				snap_meta_add_dir_mode(m, path, (unsigned)strtoul(p + 2, NULL, 8));
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

/* The entry for path in a sorted array of n modes, or NULL. */
static const struct snap_meta_mode *
find_mode(const struct snap_meta_mode *v, size_t n, const char *path)
{
	struct snap_meta_mode key = { .path = (char *)path };

	return n ? bsearch(&key, v, n, sizeof *v, cmp_mode) : NULL;
}

int
snap_meta_mode(const struct snap_meta *m, const char *path)
{
	const struct snap_meta_mode *hit = find_mode(m->modes, m->nmodes, path);

	return hit ? (int)hit->mode : -1;
}

int
snap_meta_dir_mode(const struct snap_meta *m, const char *path)
{
	if (!m->has_dmodes || (!m->has_root && !strcmp(path, SNAP_ROOT)))
		return -1;

	const struct snap_meta_mode *hit = find_mode(m->dmodes, m->ndmodes, path);

	return (int)(hit ? hit->mode : SNAP_DIR_MODE_DEF);
}

size_t
snap_meta_dir_modes_changed(const struct snap_meta *a, const struct snap_meta *b,
                            const char ***out)
{
	size_t i = 0, j = 0, n = 0;

	*out = NULL;
	if (!a->has_dmodes || !b->has_dmodes || (!a->ndmodes && !b->ndmodes))
		return 0;
	*out = xmalloc((a->ndmodes + b->ndmodes) * sizeof **out);
	while (i < a->ndmodes || j < b->ndmodes) {
		int d = i == a->ndmodes   ? 1
		        : j == b->ndmodes ? -1
		                          : strcmp(a->dmodes[i].path, b->dmodes[j].path);

		if (d == 0 && a->dmodes[i].mode == b->dmodes[j].mode) {
			i++, j++;
			continue;
		}
		const char *path = d <= 0 ? a->dmodes[i].path : b->dmodes[j].path;
		if (strcmp(path, SNAP_ROOT) || (a->has_root && b->has_root))
			(*out)[n++] = path;
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
	}
	return n;
}

bool
snap_meta_has_dir(const struct snap_meta *m, const char *path)
{
	if (!m->ndirs)
		return false;
	return bsearch(&path, m->dirs, m->ndirs, sizeof *m->dirs, cmp_str) != NULL;
}

static char *flat_note_text(git_repository *repo, const git_oid *commit);
static bool tree_over(git_repository *repo, git_tree *tree, git_oid *over);
static bool notes_over(git_repository *repo, const git_oid *at, git_oid *over);

/* Notes trees recorded over damaged notes one after another (NOTES_OVER)
 * are followed this far back. */
#define NOTES_OVER_MAX 16

int
snap_meta_read(struct snap_meta *m, git_repository *repo, const git_oid *commit)
{
	git_note *note = NULL;
	git_oid at;
	int rc = git.git_note_read(&note, repo, SNAP_NOTES_REF, commit);

	if (rc == GIT_ENOTFOUND) {
		char *text = flat_note_text(repo, commit);

		if (text)
			snap_meta_parse(m, text);
		free(text);
		if (text || git.git_reference_name_to_id(&at, repo, SNAP_NOTES_REF) < 0)
			return 0;
		/* Not there: in the notes the tree was recorded over, if any
		 * (snap_meta_write), a commit that may not read (an error) */
		for (int hops = 0; rc == GIT_ENOTFOUND && hops < NOTES_OVER_MAX &&
		                   notes_over(repo, &at, &at);
		     hops++) {
			git_commit *c = NULL;

			if ((rc = git.git_commit_lookup(&c, repo, &at)) == 0)
				rc = git.git_note_commit_read(&note, repo, c, commit);
			git.git_commit_free(c);
			if (rc < 0 && rc != GIT_ENOTFOUND)
				return G(rc);
		}
		if (rc == GIT_ENOTFOUND)
			return 0;
	}
	if (rc < 0)
		return G(rc);
	snap_meta_parse(m, git.git_note_message(note));
	git.git_note_free(note);
	return 0;
}

/*
 * Writing notes: git's fan-out layout
 */

#define NOTE_HEX GIT_OID_HEXSZ

/* Whether `e` is a note written flat: a blob named by a full 40-hex id. */
static bool
flat_note(const git_tree_entry *e)
{
	const char *name = git.git_tree_entry_name(e);

	if (git.git_tree_entry_type(e) != GIT_OBJECT_BLOB || strlen(name) != NOTE_HEX)
		return false;
	return strspn(name, "0123456789abcdef") == NOTE_HEX;
}

/* The notes ref's commit, or *out NULL when there is no note yet. */
static int
notes_head(git_repository *repo, git_commit **out)
{
	git_oid id;
	int rc = git.git_reference_name_to_id(&id, repo, SNAP_NOTES_REF);

	*out = NULL;
	if (rc == GIT_ENOTFOUND)
		return 0;
	return rc < 0 ? rc : git.git_commit_lookup(out, repo, &id);
}

/* The text of `commit`'s note when it lies flat at the top of the notes tree
 * (heap), else NULL. libgit2 looks only in the fan-out subtree named by the
 * id's first two digits once there is one, so it misses a flat note beside
 * such a subtree: one that `git notes` or an older version wrote after this
 * store opened and moved its flat notes (snap_meta_migrate), 1 in 256 for
 * each pair of ids. */
static char *
flat_note_text(git_repository *repo, const git_oid *commit)
{
	char hex[NOTE_HEX + 1], *text = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	const git_tree_entry *e;

	git.git_oid_tostr(hex, sizeof hex, commit);
	if (notes_head(repo, &head) == 0 && head && git.git_commit_tree(&tree, head) == 0 &&
	    (e = git.git_tree_entry_byname(tree, hex)) && flat_note(e) &&
	    git.git_blob_lookup(&blob, repo, git.git_tree_entry_id(e)) == 0)
		text = xstrndup(git.git_blob_rawcontent(blob), (size_t)git.git_blob_rawsize(blob));
	git.git_blob_free(blob);
	git.git_tree_free(tree);
	git.git_commit_free(head);
	return text;
}

/* Where the note of `hex` lies in the notes commit *out (libgit2's own way,
 * notes.c: the commit, its tree, the fan-out tree of the id's first two
 * digits, the note; else a flat note): true with *out the note's blob, or
 * the first object on the way that cannot be read with *way naming it ("the
 * commit", "the tree", "the fan-out tree"); false when the note is not
 * there, *out then the notes commit that tree was recorded over
 * (NOTES_OVER), or zero. */
static bool
note_way(git_repository *repo, const char *hex, git_oid *out, const char **way)
{
	char name[3];
	git_commit *head = NULL;
	git_tree *tree = NULL, *sub = NULL;
	const git_tree_entry *e = NULL;

	*way = NULL;
	snprintf(name, sizeof name, "%.2s", hex);
	if (git.git_commit_lookup(&head, repo, out) < 0) {
		*way = "the commit";
	} else {
		*out = *git.git_commit_tree_id(head);
		if (git.git_commit_tree(&tree, head) < 0)
			*way = "the tree";
	}
	if (tree && (e = git.git_tree_entry_byname(tree, name)) &&
	    git.git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		*out = *git.git_tree_entry_id(e);
		if (git.git_tree_lookup(&sub, repo, out) < 0)
			*way = "the fan-out tree";
		else
			e = git.git_tree_entry_byname(sub, hex + 2);
	}
	if (tree && !*way && (!e || git.git_tree_entry_type(e) != GIT_OBJECT_BLOB))
		e = git.git_tree_entry_byname(tree, hex);
	if (!*way && e)
		*out = *git.git_tree_entry_id(e);
	else if (!*way && !(tree && tree_over(repo, tree, out)))
		memset(out, 0, sizeof *out);
	git.git_tree_free(sub);
	git.git_tree_free(tree);
	git.git_commit_free(head);
	return *way || e;
}

bool
snap_meta_note_object(git_repository *repo, const git_oid *commit, struct buf *b, git_oid *out)
{
	char hex[NOTE_HEX + 1], id[NOTE_HEX + 1];
	const char *way = NULL;
	bool found = false;
	int hops;

	if (git.git_reference_name_to_id(out, repo, SNAP_NOTES_REF) < 0)
		return false;
	git.git_oid_tostr(hex, sizeof hex, commit);
	for (hops = 0; hops <= NOTES_OVER_MAX && !git.git_oid_is_zero(out); hops++)
		if ((found = note_way(repo, hex, out, &way)))
			break;
	if (!found)
		return false;
	git.git_oid_tostr(id, sizeof id, out);
	const char *where = hops ? " as it was before it was recorded over" : "";
	if (way)
		buf_printf(b, ": its note, in %s%s: %s %s", SNAP_NOTES_REF, where, way, id);
	else
		buf_printf(b, ": its note %s (%s%s)", id, SNAP_NOTES_REF, where);
	return true;
}

/* The entry of a notes tree recorded over notes that could not be read
 * (snap_meta_write): a blob holding the id of the notes commit it was
 * recorded over, in hex, and a newline. Not a note's name (40 hex digits,
 * or 2 and 38 below a fan-out tree), which git and libgit2 look up, so they
 * leave it alone. */
#define NOTES_OVER "deskhand-recorded-over"

/* Whether notes tree `tree` was recorded over a notes commit: its id into
 * *over. */
static bool
tree_over(git_repository *repo, git_tree *tree, git_oid *over)
{
	const git_tree_entry *e = git.git_tree_entry_byname(tree, NOTES_OVER);
	git_blob *blob = NULL;
	char hex[NOTE_HEX + 1] = "";
	bool ok = false;

	if (e && git.git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git.git_blob_lookup(&blob, repo, git.git_tree_entry_id(e)) == 0 &&
	    git.git_blob_rawsize(blob) >= NOTE_HEX) {
		memcpy(hex, git.git_blob_rawcontent(blob), NOTE_HEX);
		ok = git.git_oid_fromstr(over, hex) == 0;
	}
	git.git_blob_free(blob);
	return ok;
}

/* Whether the tree of notes commit `at` was recorded over another: its id
 * into *over (at and over may be the same). */
static bool
notes_over(git_repository *repo, const git_oid *at, git_oid *over)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	bool ok = git.git_commit_lookup(&c, repo, at) == 0 && git.git_commit_tree(&t, c) == 0 &&
	          tree_over(repo, t, over);

	git.git_tree_free(t);
	git.git_commit_free(c);
	return ok;
}

/* Commit `tree_id` on the notes ref with parent `old` (NULL: the first notes
 * commit). The ref moves only if it still names `old`: GIT_EMODIFIED or
 * GIT_EEXISTS when another process moved it meanwhile (libgit2 codes). */
static int
notes_commit(git_repository *repo, const git_signature *sig, git_commit *old,
             const git_oid *tree_id, const char *msg)
{
	const git_commit *parents[1] = { old };
	git_reference *ref = NULL;
	git_tree *tree = NULL;
	git_oid id;
	int rc;

	if ((rc = git.git_tree_lookup(&tree, repo, tree_id)) == 0 &&
	    (rc = git.git_commit_create(&id, repo, NULL, sig, sig, NULL, msg, tree, old ? 1 : 0,
	                                parents)) == 0)
		rc = git.git_reference_create_matching(&ref, repo, SNAP_NOTES_REF, &id, old != NULL,
		                                       old ? git.git_commit_id(old) : NULL, msg);
	git.git_reference_free(ref);
	git.git_tree_free(tree);
	return rc;
}

int
snap_signature(git_signature **out)
{
	return G(git.git_signature_now(out, "deskhand", "deskhand@localhost"));
}

/* Whether a notes update lost a race with another process and may be retried. */
static bool
notes_raced(int rc)
{
	return rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED;
}

struct note_blob {
	git_repository *repo;
	const char *text;
	git_oid *out;
};

static int
note_blob_write(void *ctx)
{
	struct note_blob *nb = ctx;

	return G(git.git_blob_create_from_buffer(nb->out, nb->repo, nb->text, strlen(nb->text)));
}

/* Notes that cannot be read (the ref's commit `at`, its tree, or the
 * fan-out tree a note goes in: a loose file emptied by a crash) would stop
 * every checkpoint of the folder, or those whose ids share that fan-out. They
 * are recorded over: a notes commit whose tree holds the note being written
 * (`note`) and NOTES_OVER naming `at`, whose parent is `at` (`old`, or by
 * id when it cannot be read: snap_commit_over). Older checkpoints' notes
 * are then looked for through NOTES_OVER (snap_meta_read): not read while
 * the damage lasts (named, as any note that cannot be read), and read again
 * once the object is copied back. The ref moves only if it still names
 * `at`. A libgit2 code (GIT_EMODIFIED, GIT_EEXISTS: raced), or DH_EFAIL. */
static int
notes_write_over(git_repository *repo, const git_signature *sig, const git_oid *at,
                 git_commit *old, const git_tree_update *note)
{
	static const char msg[] = "deskhand: checkpoint note, recorded over notes that cannot be "
	                          "read";
	char hex[NOTE_HEX + 1], text[NOTE_HEX + 2];
	git_reference *ref = NULL;
	git_oid marker, tree, id;
	int rc;

	git.git_oid_tostr(hex, sizeof hex, at);
	snprintf(text, sizeof text, "%s\n", hex);
	if ((rc = G(git.git_blob_create_from_buffer(&marker, repo, text, strlen(text)))) < 0)
		return rc;
	const git_tree_update up[2] = {
		*note,
		{ .action = GIT_TREE_UPDATE_UPSERT, .id = marker, .filemode = GIT_FILEMODE_BLOB,
		  .path = NOTES_OVER },
	};
	if ((rc = G(git.git_tree_create_updated(&tree, repo, NULL, 2, up))) < 0)
		return rc;
	if (old)
		rc = notes_commit(repo, sig, old, &tree, msg);
	else if ((rc = snap_commit_over(repo, &id, &tree, at, sig, msg)) == 0)
		rc = git.git_reference_create_matching(&ref, repo, SNAP_NOTES_REF, &id, 1, at, msg);
	git.git_reference_free(ref);
	if (rc == 0)
		log_warn("snapshot: %s: the notes at %s (%s) cannot be read: recorded over them",
		         git.git_repository_path(repo), hex, SNAP_NOTES_REF);
	return rc;
}

/* Whether notes tree `base` has a fan-out tree for `hex` that cannot be read. */
static bool
fanout_unreadable(git_repository *repo, git_tree *base, const char *hex)
{
	char name[3];
	const git_tree_entry *e;
	git_tree *sub = NULL;

	snprintf(name, sizeof name, "%.2s", hex);
	if (!(e = git.git_tree_entry_byname(base, name)) ||
	    git.git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return false;
	if (git.git_tree_lookup(&sub, repo, git.git_tree_entry_id(e)) < 0)
		return true;
	git.git_tree_free(sub);
	return false;
}

int
snap_meta_write(git_repository *repo, const git_signature *sig, const git_oid *commit,
                const char *text)
{
	char hex[NOTE_HEX + 1], path[NOTE_HEX + 2];
	git_oid blob;
	struct note_blob nb = { repo, text, &blob };
	bool rewritten = false;
	int rc;

	git.git_oid_tostr(hex, sizeof hex, commit);
	snprintf(path, sizeof path, "%.2s/%s", hex, hex + 2);
	if ((rc = note_blob_write(&nb)) < 0)
		return rc;
	const git_tree_update up = {
		.action = GIT_TREE_UPDATE_UPSERT,
		.id = blob,
		.filemode = GIT_FILEMODE_BLOB,
		.path = path,
	};
	for (int tries = 0; tries < 5; tries++) {
		git_commit *old = NULL;
		git_tree *base = NULL;
		git_oid tree, at;
		bool has = (rc = git.git_reference_name_to_id(&at, repo, SNAP_NOTES_REF)) == 0;

		if (rc == GIT_ENOTFOUND)
			rc = 0;
		/* the ref's commit, its tree, or the fan-out tree the note goes
		 * in, that cannot be read: recorded over */
		if (has && (git.git_commit_lookup(&old, repo, &at) < 0 ||
		            git.git_commit_tree(&base, old) < 0))
			rc = notes_write_over(repo, sig, &at, old, &up);
		else if (rc == 0 &&
		         (rc = git.git_tree_create_updated(&tree, repo, base, 1, &up)) == 0)
			rc = notes_commit(repo, sig, old, &tree, "deskhand: checkpoint note");
		else if (rc < 0 && !notes_raced(rc) && base && fanout_unreadable(repo, base, hex))
			rc = notes_write_over(repo, sig, &at, old, &up);
		git.git_tree_free(base);
		git.git_commit_free(old);
		if (rc < 0 && !notes_raced(rc) && !rewritten) {
			/* The tree takes only a blob it can read, and the blob was
			 * not written if one was there: a damaged note of the same
			 * text (one blob serves every note with that text). */
			int r;

			rc = G(rc);
			r = snap_object_rewrite(repo, &blob, "the note", note_blob_write, &nb);
			if (r != 0)
				return r < 0 ? r : rc;
			rewritten = true;
			continue;
		}
		if (!notes_raced(rc))
			break;
	}
	return G(rc);
}

/* Move the flat notes of `root` into fan-out subtrees in the builder `top`
 * (made from `root`); *moved counts them. */
static int
fan_out(git_repository *repo, git_tree *root, git_treebuilder *top, size_t *moved)
{
	size_t n = git.git_tree_entrycount(root);
	int rc = 0;

	/* Entries are sorted, so the flat notes of one prefix are adjacent. */
	for (size_t i = 0; i < n && rc == 0;) {
		const git_tree_entry *e = git.git_tree_entry_byindex(root, i), *sub;
		git_treebuilder *b = NULL;
		git_tree *old = NULL;
		char prefix[3];
		git_oid id;

		if (!flat_note(e)) {
			i++;
			continue;
		}
		memcpy(prefix, git.git_tree_entry_name(e), 2);
		prefix[2] = '\0';
		if ((sub = git.git_treebuilder_get(top, prefix)) &&
		    git.git_tree_entry_type(sub) != GIT_OBJECT_TREE) {
			i++; /* not a fan-out directory: leave the note where it is */
			continue;
		}
		if ((sub && (rc = git.git_tree_lookup(&old, repo, git.git_tree_entry_id(sub))) < 0) ||
		    (rc = git.git_treebuilder_new(&b, repo, old)) < 0) {
			git.git_tree_free(old);
			break;
		}
		for (; i < n && rc == 0; i++) {
			const char *name;

			e = git.git_tree_entry_byindex(root, i);
			name = git.git_tree_entry_name(e);
			if (!flat_note(e) || memcmp(name, prefix, 2))
				break;
			/* One there already is the newer: git and libgit2 read that. */
			if (!git.git_treebuilder_get(b, name + 2))
				rc = git.git_treebuilder_insert(NULL, b, name + 2, git.git_tree_entry_id(e),
				                                git.git_tree_entry_filemode(e));
			if (rc == 0)
				rc = git.git_treebuilder_remove(top, name);
			++*moved;
		}
		if (rc == 0 && (rc = git.git_treebuilder_write(&id, b)) == 0)
			rc = git.git_treebuilder_insert(NULL, top, prefix, &id, GIT_FILEMODE_TREE);
		git.git_treebuilder_free(b);
		git.git_tree_free(old);
	}
	return rc;
}

int
snap_meta_migrate(git_repository *repo, size_t *moved)
{
	git_signature *sig = NULL;
	int rc = 0;

	*moved = 0;
	for (int tries = 0; tries < 5; tries++) {
		git_commit *old = NULL;
		git_tree *root = NULL;
		git_treebuilder *top = NULL;
		git_oid tree;

		*moved = 0;
		if ((rc = notes_head(repo, &old)) == 0 && old &&
		    (rc = git.git_commit_tree(&root, old)) == 0 &&
		    (rc = git.git_treebuilder_new(&top, repo, root)) == 0 &&
		    (rc = fan_out(repo, root, top, moved)) == 0 && *moved &&
		    (rc = git.git_treebuilder_write(&tree, top)) == 0 &&
		    (sig || (rc = snap_signature(&sig)) == 0))
			rc = notes_commit(repo, sig, old, &tree, "deskhand: notes moved to fan-out paths");
		git.git_treebuilder_free(top);
		git.git_tree_free(root);
		git.git_commit_free(old);
		if (!notes_raced(rc))
			break;
	}
	git.git_signature_free(sig);
	if (rc < 0)
		*moved = 0;
	return G(rc);
}

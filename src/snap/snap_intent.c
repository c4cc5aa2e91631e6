/* SPDX-License-Identifier: MIT */
/*
 * The intent record of a review action (snap_int.h "Intent records"): what
 * a reject, undo, redo or restore that changes the folder is about to do,
 * on disk before it does it, so that the next command can clean up after
 * one that was killed part way. The file is REPO/deskhand-intent-SESSION,
 * written whole (core/atomic.h) and fsynced; its format is NUL-separated:
 *
 *   "deskhand-intent 1" NUL LABEL NUL (MODE NUL DIR NUL)...
 *
 * MODE is a directory's permission bits in octal before the action opened
 * it up ("-" when they could not be read), DIR its path in the folder
 * (SNAP_ROOT for the folder itself). Paths hold any byte but NUL.
 */
#include "snap/snap_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/atomic.h"
#include "core/beneath.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/xalloc.h"

#define INTENT_MAGIC "deskhand-intent 1"
#define INTENT_MAX   (64u << 20) /* bytes: far above any plan's directories */

static char *
intent_path(const struct snap_store *s, const char *session)
{
	return xasprintf("%sdeskhand-intent-%s", s->repo_path, session);
}

static int
cmp_dir(const void *a, const void *b)
{
	return strcmp(((const struct snap_intent_dir *)a)->path,
	              ((const struct snap_intent_dir *)b)->path);
}

/* Directory `dir` in the record, whose list is sorted (intent_sort). */
static struct snap_intent_dir *
intent_find(struct snap_intent *in, const char *dir)
{
	struct snap_intent_dir key = { .path = (char *)dir };

	return in->n ? bsearch(&key, in->v, in->n, sizeof *in->v, cmp_dir) : NULL;
}

/* Append directory `dir` (known: its mode is `mode`); intent_sort() after. */
static void
intent_add(struct snap_intent *in, const char *dir, bool known, unsigned mode)
{
	struct snap_intent_dir *d = ARRAY_ADD(in);

	d->path = xstrdup(dir);
	d->known = known;
	d->mode = mode & 0777;
}

static void
intent_sort(struct snap_intent *in)
{
	if (in->n)
		qsort(in->v, in->n, sizeof *in->v, cmp_dir);
}

/* Whether directory `dir` (n bytes of it) is `prev` or a directory above it. */
static bool
dir_holds(const char *prev, const char *dir, size_t n)
{
	return prev && !strncmp(prev, dir, n) && (!prev[n] || prev[n] == '/');
}

static int
intent_save(struct snap_store *s, const char *session, const struct snap_intent *in)
{
	struct buf b = BUF_INIT;
	char *path = intent_path(s, session);
	int rc;

	buf_puts(&b, INTENT_MAGIC);
	buf_putc(&b, '\0');
	buf_puts(&b, in->label);
	buf_putc(&b, '\0');
	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i].known)
			buf_printf(&b, "%o", in->v[i].mode);
		else
			buf_putc(&b, '-');
		buf_putc(&b, '\0');
		buf_puts(&b, in->v[i].path);
		buf_putc(&b, '\0');
	}
	rc = atomic_write(path, b.ptr, b.len, 0600);
	buf_fini(&b);
	free(path);
	return rc;
}

/* The mode of directory `dir` beneath root (SNAP_ROOT: root itself) into
 * *mode; false when it cannot be looked at. */
static bool
dir_mode(int root, const char *dir, unsigned *mode)
{
	struct stat st;
	int fd = strcmp(dir, SNAP_ROOT) ? beneath_open(root, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW)
	                                : dup(root);
	bool ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);

	if (fd >= 0)
		close(fd);
	if (ok)
		*mode = st.st_mode & 0777;
	return ok;
}

int
snap_intent_begin(struct snap_store *s, const char *session, const char *label,
                  const char *const *paths, size_t n, struct snap_intent *in)
{
	struct stat st;
	int root;

	memset(in, 0, sizeof *in);
	in->label = xstrndup(label, strcspn(label, "\n"));
	bool known = stat(s->workdir, &st) == 0;

	intent_add(in, SNAP_ROOT, known, known ? st.st_mode : 0);
	/* O_PATH: the folder is looked at, not read (its owner may not read it) */
	root = open(s->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The paths are sorted, so those below one directory are adjacent: a
	 * directory the previous path's lay in is listed already, and so are
	 * those above it. One look-up per directory, not per path. */
	char *prev = NULL;

	for (size_t i = 0; i < n; i++) {
		char *dir = xstrdup(paths[i]);
		size_t len = strlen(dir);

		if (len && dir[len - 1] == '/')
			dir[len - 1] = '\0';
		char *slash = strrchr(dir, '/');

		if (!slash) {
			free(dir);
			continue;
		}
		*slash = '\0'; /* dir: the path's directory */
		for (size_t k = strlen(dir); k && !dir_holds(prev, dir, k);) {
			unsigned mode = 0;
			char c = dir[k];

			dir[k] = '\0';
			known = root >= 0 && dir_mode(root, dir, &mode);
			intent_add(in, dir, known, mode);
			dir[k] = c;
			while (k > 0 && dir[--k] != '/') /* k: the directory above's length */
				;
		}
		free(prev);
		prev = dir;
	}
	free(prev);
	intent_sort(in);
	if (root >= 0)
		close(root);
	in->written = true;
	int rc = intent_save(s, session, in);

	if (rc < 0) {
		in->written = false;
		snap_intent_fini(in);
	}
	return rc;
}

int
snap_intent_opened(struct snap_store *s, const char *session, struct snap_intent *in,
                   const char *dir, unsigned mode)
{
	struct snap_intent_dir *d = intent_find(in, dir);

	if (!in->written || (d && d->known))
		return 0;
	if (d) {
		d->known = true;
		d->mode = mode & 0777;
	} else {
		intent_add(in, dir, true, mode);
		intent_sort(in);
	}
	return intent_save(s, session, in);
}

void
snap_intent_fini(struct snap_intent *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->v[i].path);
	free(in->v);
	free(in->label);
	memset(in, 0, sizeof *in);
}

void
snap_intent_end(struct snap_store *s, const char *session, struct snap_intent *in)
{
	/* a record that cannot be removed is found by the next command, which
	 * then cleans up after an action that had finished: nothing is lost */
	if (in->written && snap_intent_clear(s, session) < 0)
		log_warn("%s", err_msg());
	snap_intent_fini(in);
}

/* Parse the file's bytes into *in. 0, or DH_EFAIL naming `path`. */
static int
intent_parse(const char *path, const struct buf *b, struct snap_intent *in)
{
	const char *p = b->ptr, *end = b->ptr + b->len;
	const char *field[2];
	size_t k = 0;

	memset(in, 0, sizeof *in);
	if (!b->len || end[-1] != '\0' || strcmp(p, INTENT_MAGIC))
		goto bad;
	p += sizeof INTENT_MAGIC;
	if (p >= end)
		goto bad;
	in->label = xstrdup(p);
	p += strlen(p) + 1;
	for (; p < end; p += strlen(p) + 1) {
		field[k++] = p;
		if (k < 2)
			continue;
		k = 0;
		char *e = NULL;
		unsigned long mode = strtoul(field[0], &e, 8);
		bool known = strcmp(field[0], "-") != 0;

		if ((known && (!*field[0] || *e || mode > 0777)) || !*field[1])
			goto bad;
		intent_add(in, field[1], known, (unsigned)mode);
	}
	if (k == 0)
		return 0; /* the directories are in the order they were written: sorted */
bad:
	snap_intent_fini(in);
	return err_set("snapshot: %s is not an intent record deskhand wrote; move it away to "
	               "go on", path);
}

/* Deepest first, the folder itself last (dmodes' order in snap_review.c). */
static int
cmp_dir_desc(const void *a, const void *b)
{
	const struct snap_intent_dir *x = a, *y = b;
	bool xr = !strcmp(x->path, SNAP_ROOT), yr = !strcmp(y->path, SNAP_ROOT);

	return xr != yr ? (int)xr - (int)yr : strcmp(y->path, x->path);
}

/* Remove the temporary files (atomic_is_temp_name) in directory `dir` beneath root:
 * writes the killed action had not renamed into place (or another killed
 * deskhand's). None is a live writer's: every deskhand that writes in the
 * folder holds the shadow repository's writer lock (snap.h), and recovery
 * runs under it. */
static void
remove_tmp(int root, const char *dir, struct buf *notes)
{
	int fd = strcmp(dir, SNAP_ROOT) ? beneath_open(root, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
	                                : dup(root);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!atomic_is_temp_name(e->d_name) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)))
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			buf_printf(notes, "removed %s%s%s, a write it had not finished\n",
			           strcmp(dir, SNAP_ROOT) ? dir : "", strcmp(dir, SNAP_ROOT) ? "/" : "",
			           e->d_name);
		else
			log_warn("snapshot: cannot remove %s in %s/: %s", e->d_name, dir,
			         strerror(errno));
	}
	closedir(d);
}

/* Put back the mode of directory `dir` when the action left it opened up
 * (its recorded mode plus u+rwx, and not that mode itself). */
static void
close_dir(int root, const struct snap_intent_dir *d, struct buf *notes)
{
	unsigned now;

	if (!d->known || !dir_mode(root, d->path, &now) || now == d->mode ||
	    now != (d->mode | 0700))
		return;
	int rc = snap_restore_chmod(root, d->path, d->mode, false, NULL, NULL);

	if (rc > 0)
		buf_printf(notes, "put back the mode of %s/ (%04o)\n",
		           strcmp(d->path, SNAP_ROOT) ? d->path : ".", d->mode);
	else if (rc < 0)
		log_warn("%s", err_msg());
}

int
snap_intent_recover(struct snap_store *s, const char *session, char **label, struct buf *notes)
{
	struct snap_intent in;
	struct buf b = BUF_INIT;
	char *path = intent_path(s, session);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = 0;

	*label = NULL;
	if (fd < 0) {
		if (errno != ENOENT)
			rc = err_set("snapshot: %s: %s", path, strerror(errno));
		goto out;
	}
	rc = fsutil_read_fd(fd, INTENT_MAX, &b);
	close(fd);
	if (rc < 0) {
		rc = err_set("snapshot: %s: %s", path, err_msg());
		goto out;
	}
	if ((rc = intent_parse(path, &b, &in)) < 0)
		goto out;
	/* A folder its owner made unreadable since (chmod 000) is not the
	 * action's doing (it leaves the folder u+rwx at most): nothing in it can
	 * be cleaned up, and the scan carries its contents forward. */
	int root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0 && errno != EACCES && errno != EPERM) {
		rc = err_set("snapshot: cannot open the folder %s: %s", s->workdir, strerror(errno));
		snap_intent_fini(&in);
		goto out;
	}
	if (in.n)
		qsort(in.v, in.n, sizeof *in.v, cmp_dir_desc);
	for (size_t i = 0; root >= 0 && i < in.n; i++) {
		remove_tmp(root, in.v[i].path, notes);
		close_dir(root, &in.v[i], notes);
	}
	if (root >= 0)
		close(root);
	*label = in.label;
	in.label = NULL;
	snap_intent_fini(&in);
	rc = 1;
out:
	buf_fini(&b);
	free(path);
	return rc;
}

int
snap_intent_clear(struct snap_store *s, const char *session)
{
	char *path = intent_path(s, session);
	int rc = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = err_set("snapshot: cannot remove %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

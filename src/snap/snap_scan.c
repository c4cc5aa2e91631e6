/* SPDX-License-Identifier: MIT */
/*
 * Folder scanner: walks the granted folder (never following symlinks, skipping
 * `.git` entries and the state dir) into the shadow index, re-reading only the
 * files whose stat data changed, and collects the note metadata on the way.
 * Blobs are written raw: no .gitattributes filter or EOL conversion applies.
 */
#include "snap/snap_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

struct scan {
	struct snap_store *s;
	git_odb *odb;
	struct timespec trust; /* stat data must be older than this */
	struct buf path;       /* current path, relative to the folder */
	char **seen;           /* paths found, for dropping vanished entries */
	size_t nseen, capseen;
	struct snap_meta *meta;
	struct buf data; /* file contents scratch */
};

struct dent {
	char *name;
	struct stat st;
};

/* Directory entries sort as if directories had a trailing '/', which makes the
 * depth-first walk visit paths in the index's (strcmp) order. */
static int
cmp_dent(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	const unsigned char *p = (const unsigned char *)x->name,
			    *q = (const unsigned char *)y->name;

	while (*p && *p == *q)
		p++, q++;
	int c1 = *p ? *p : (S_ISDIR(x->st.st_mode) ? '/' : 0);
	int c2 = *q ? *q : (S_ISDIR(y->st.st_mode) ? '/' : 0);
	return c1 - c2;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static uint32_t
git_mode(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return GIT_FILEMODE_LINK;
	return (st->st_mode & 0100) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
}

/* The stat cache: an entry is reused when nothing git records changed and the
 * file was last modified safely before the previous scan started (racy-git). */
static bool
is_fresh(const struct scan *sc, const git_index_entry *e, const struct stat *st)
{
	return e->mode == git_mode(st) && e->file_size == (uint32_t)st->st_size &&
	       e->ino == (uint32_t)st->st_ino && e->mtime.seconds == (int32_t)st->st_mtim.tv_sec &&
	       e->mtime.nanoseconds == (uint32_t)st->st_mtim.tv_nsec &&
	       e->ctime.seconds == (int32_t)st->st_ctim.tv_sec &&
	       e->ctime.nanoseconds == (uint32_t)st->st_ctim.tv_nsec &&
	       ts_before(&st->st_mtim, &sc->trust);
}

static void
add_seen(struct scan *sc, const char *path)
{
	if (sc->nseen == sc->capseen) {
		sc->capseen = sc->capseen ? sc->capseen * 2 : 256;
		sc->seen = xrealloc(sc->seen, sc->capseen * sizeof *sc->seen);
	}
	sc->seen[sc->nseen++] = xstrdup(path);
}

/* Read a regular file or a link target into sc->data; *st is refreshed from
 * the opened file. Returns 1 if read, 0 if it vanished or is unreadable. */
static int
read_entry(struct scan *sc, int dfd, const char *name, struct stat *st)
{
	buf_clear(&sc->data);
	if (S_ISLNK(st->st_mode)) {
		size_t cap = (size_t)st->st_size + 1;

		for (;;) {
			buf_grow(&sc->data, cap);
			ssize_t n = readlinkat(dfd, name, sc->data.ptr, cap);

			if (n < 0)
				return 0;
			if ((size_t)n < cap) {
				sc->data.len = (size_t)n;
				return 1;
			}
			cap *= 2;
		}
	}
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("snapshot: skipping %s: %s", buf_cstr(&sc->path), strerror(errno));
		return 0;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return 0;
	}
	buf_grow(&sc->data, (size_t)st->st_size + 1);
	for (;;) {
		buf_grow(&sc->data, 65536);
		ssize_t n = read(fd, sc->data.ptr + sc->data.len, sc->data.cap - sc->data.len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("snapshot: skipping %s: %s", buf_cstr(&sc->path), strerror(errno));
			close(fd);
			return 0;
		}
		if (n == 0)
			break;
		sc->data.len += (size_t)n;
	}
	close(fd);
	return 1;
}

/* Bring one file's index entry up to date. Returns 1 if it is tracked, 0 if
 * skipped, <0 on error. */
static int
scan_file(struct scan *sc, int dfd, const char *name, struct stat *st)
{
	const char *path = buf_cstr(&sc->path);
	const git_index_entry *e = git_index_get_bypath(sc->s->index, path, 0);
	git_index_entry ne;
	int rc;

	if (!e || !is_fresh(sc, e, st)) {
		if ((rc = read_entry(sc, dfd, name, st)) <= 0)
			return rc;
		memset(&ne, 0, sizeof ne);
		if ((rc = G(git_odb_write(&ne.id, sc->odb, sc->data.ptr ? sc->data.ptr : "",
		                          sc->data.len, GIT_OBJECT_BLOB))) < 0)
			return rc;
		ne.ctime.seconds = (int32_t)st->st_ctim.tv_sec;
		ne.ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
		ne.mtime.seconds = (int32_t)st->st_mtim.tv_sec;
		ne.mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
		ne.dev = (uint32_t)st->st_dev;
		ne.ino = (uint32_t)st->st_ino;
		ne.mode = git_mode(st);
		ne.uid = st->st_uid;
		ne.gid = st->st_gid;
		ne.file_size = (uint32_t)st->st_size;
		ne.path = path;
		if (git_index_add(sc->s->index, &ne) < 0) {
			const git_error *ge = git_error_last();

			/* e.g. a name git refuses; skipping beats failing every checkpoint */
			log_warn("snapshot: skipping %s: %s", path, ge ? ge->message : "?");
			return 0;
		}
	}
	add_seen(sc, path);
	sc->meta->nfiles++;
	unsigned perm = st->st_mode & 07777;
	if (S_ISREG(st->st_mode) && perm != 0644 && perm != 0755)
		snap_meta_add_mode(sc->meta, path, perm);
	return 1;
}

/* Walk the directory open on `dfd` (taken over). *tracked is set when
 * anything below it was recorded (a file, or an empty directory). */
static int
scan_dir(struct scan *sc, int dfd, bool *tracked)
{
	DIR *d = fdopendir(dfd);
	struct dent *ents = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;

	*tracked = false;
	if (!d) {
		close(dfd);
		return err_set("snapshot: %s: %s", buf_cstr(&sc->path), strerror(errno));
	}
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, "..") || !strcasecmp(name, ".git"))
			continue;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* vanished */
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode))
			continue; /* fifos, sockets, devices */
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ents = xrealloc(ents, cap * sizeof *ents);
		}
		ents[n].name = xstrdup(name);
		ents[n++].st = st;
	}
	if (errno) {
		rc = err_set("snapshot: reading %s: %s", buf_cstr(&sc->path), strerror(errno));
		goto out;
	}
	if (n)
		qsort(ents, n, sizeof *ents, cmp_dent);

	for (size_t i = 0; i < n && rc >= 0; i++) {
		size_t mark = sc->path.len;

		if (mark)
			buf_putc(&sc->path, '/');
		buf_puts(&sc->path, ents[i].name);
		if (S_ISDIR(ents[i].st.st_mode)) {
			bool sub = false;
			int cfd;

			if (sc->s->skip_rel && !strcmp(buf_cstr(&sc->path), sc->s->skip_rel))
				goto next;
			cfd = openat(dirfd(d), ents[i].name,
			             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				if (errno != ENOENT)
					log_warn("snapshot: skipping %s/: %s", buf_cstr(&sc->path),
					         strerror(errno));
				goto next;
			}
			if ((rc = scan_dir(sc, cfd, &sub)) < 0)
				goto next;
			if (!sub)
				snap_meta_add_dir(sc->meta, buf_cstr(&sc->path));
			*tracked = true;
		} else {
			rc = scan_file(sc, dirfd(d), ents[i].name, &ents[i].st);
			if (rc > 0)
				*tracked = true;
		}
	next:
		sc->path.len = mark;
		sc->path.ptr[mark] = '\0';
	}
out:
	for (size_t i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	closedir(d);
	return rc < 0 ? rc : 0;
}

/* Drop index entries whose files were not seen by this scan. */
static int
drop_vanished(struct scan *sc)
{
	git_index *idx = sc->s->index;
	size_t n = git_index_entrycount(idx), j = 0;
	char **gone = NULL;
	size_t ngone = 0;
	int rc = 0;

	if (sc->nseen)
		qsort(sc->seen, sc->nseen, sizeof *sc->seen, cmp_str);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		int c = 1;

		while (j < sc->nseen && (c = strcmp(sc->seen[j], e->path)) < 0)
			j++;
		if (j < sc->nseen && c == 0)
			continue;
		if (!gone)
			gone = xmalloc(n * sizeof *gone);
		gone[ngone++] = xstrdup(e->path);
	}
	for (size_t i = 0; i < ngone; i++) {
		if (rc >= 0)
			rc = G(git_index_remove(idx, gone[i], 0));
		free(gone[i]);
	}
	free(gone);
	return rc;
}

int
snap_scan(struct snap_store *s, git_oid *tree_out, struct snap_meta *meta)
{
	struct scan sc = { .s = s, .meta = meta, .path = BUF_INIT, .data = BUF_INIT };
	struct timespec start;
	bool any;
	int rc, fd;

	clock_gettime(CLOCK_REALTIME_COARSE, &start);
	/* One second of slack covers coarse clocks and 1 s timestamp filesystems. */
	sc.trust = s->trust;
	sc.trust.tv_sec -= 1;
	if ((rc = G(git_repository_odb(&sc.odb, s->repo))) < 0)
		return rc;
	fd = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot: %s: %s",
		              s->workdir, strerror(errno));
		goto out;
	}
	buf_puts(&sc.path, "");
	if ((rc = scan_dir(&sc, fd, &any)) < 0)
		goto out;
	snap_meta_sort(meta);
	if ((rc = drop_vanished(&sc)) < 0)
		goto out;
	if ((rc = G(git_index_write_tree(tree_out, s->index))) < 0)
		goto out;
	if ((rc = G(git_index_write(s->index))) < 0)
		goto out;
	/* Persist "when this scan started" as the index file's mtime, so that the
	 * next process distrusts files modified during or after this scan. */
	struct timespec times[2] = { start, start };
	if (utimensat(AT_FDCWD, s->index_path, times, 0) < 0)
		log_warn("snapshot: utimensat %s: %s", s->index_path, strerror(errno));
	s->trust = start;
out:
	for (size_t i = 0; i < sc.nseen; i++)
		free(sc.seen[i]);
	free(sc.seen);
	buf_fini(&sc.path);
	buf_fini(&sc.data);
	git_odb_free(sc.odb);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Folder scanner: walks the granted folder (never following symlinks, skipping
 * `.git` entries and the state dir) into the shadow index, re-reading only the
 * files whose stat data changed, and collects the note metadata on the way.
 * Blobs are written raw: no .gitattributes filter or EOL conversion applies.
 * What it may not read (EACCES/EPERM: a file it cannot open or read, a
 * directory it cannot open, list or look into) is not dropped: the base
 * checkpoint's blob, or whole subtree with its note entries, is carried
 * forward at that path, with the path's real mode in the note, and a warning
 * names it. A path that vanished (ENOENT) is gone; one unreadable with no
 * entry in the base (created unreadable) is skipped, with the warning. The
 * granted folder itself unreadable keeps the whole base (none: an error).
 */
#include "snap/snap_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/beneath.h"
#include "core/atomic.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/ignore.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/xalloc.h"

#define LARGE_LIMIT_DEF (256ll << 20)

struct scan {
	struct snap_store *s;
	git_odb *odb;
	struct snap_packer *packer; /* full scans: new blobs go to a pack */
	struct timespec trust;      /* stat data must be older than this */
	struct buf path;            /* current path, relative to the folder */
	char **seen;                /* paths found, for dropping vanished entries */
	size_t nseen, capseen;
	struct snap_meta *meta;
	struct buf data;  /* file contents scratch */
	size_t examined;  /* files and links whose stat data was checked */
	long long limit;  /* large-file limit, bytes */
	/* With a packer, new entries wait here until their blobs are packed:
	 * libgit2 refuses index entries naming objects it cannot see. */
	git_index_entry *pend; /* path members are heap copies */
	size_t npend, cappend;
	const struct snap_base *base; /* what an unreadable path keeps, or NULL */
	int denied;                   /* errno of the last unreadable path */
	/* Incremental scans: the files read that have other names (st_nlink >
	 * 1), as the index keeps their device and inode numbers. */
	struct link_id *links;
	size_t nlinks, caplinks;
	bool track_links;
};

struct link_id {
	uint32_t dev, ino;
};

/* read_entry() and scan_dir() results besides errors */
enum { READ_GONE = 0, READ_OK = 1, READ_DENIED = 2 };

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
	ARRAY_GROW(sc->seen, sc->nseen, sc->capseen, 1);
	sc->seen[sc->nseen++] = xstrdup(path);
}

/* Whether errno says that we may not read something that is there. */
static bool
is_denied(int e)
{
	return e == EACCES || e == EPERM;
}

/* Read a regular file or a link target into sc->data; *st is refreshed from
 * the opened file. Returns READ_OK, READ_DENIED (sc->denied set: the
 * permission bits forbid it) or READ_GONE (it vanished or cannot be read
 * otherwise). */
static int
read_entry(struct scan *sc, int dfd, const char *name, struct stat *st)
{
	buf_clear(&sc->data);
	if (S_ISLNK(st->st_mode)) {
		size_t cap = (size_t)st->st_size + 1;

		for (;;) {
			buf_grow(&sc->data, cap);
			ssize_t n = readlinkat(dfd, name, sc->data.ptr, cap);

			if (n < 0 && is_denied(errno))
				return sc->denied = errno, READ_DENIED;
			if (n < 0)
				return READ_GONE;
			if ((size_t)n < cap) {
				sc->data.len = (size_t)n;
				return 1;
			}
			cap *= 2;
		}
	}
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 && is_denied(errno))
		return sc->denied = errno, READ_DENIED;
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("snapshot: skipping %s: %s", buf_cstr(&sc->path), strerror(errno));
		return READ_GONE;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return READ_GONE;
	}
	/* To its end, however it grew or shrank since the fstat. */
	int rc = fsutil_read_fd(fd, SIZE_MAX, &sc->data);

	close(fd);
	if (rc == DH_EDENIED)
		return sc->denied = EACCES, READ_DENIED;
	if (rc < 0) {
		log_warn("snapshot: skipping %s: %s", buf_cstr(&sc->path), err_msg());
		return READ_GONE;
	}
	return READ_OK;
}

/*
 * What the scan cannot read keeps its last content: the base checkpoint's
 * entry at the same path. Only ever reached on EACCES/EPERM.
 */

/* Put one carried blob into the index, as seen. Its stat data stays zero,
 * so the next scan tries to read the file again. */
static int
carry_blob(struct scan *sc, const char *path, const git_oid *id, uint32_t mode)
{
	git_index_entry ne;

	memset(&ne, 0, sizeof ne);
	ne.id = *id;
	ne.mode = mode;
	ne.path = path;
	if (G(git.git_index_add(sc->s->index, &ne)) < 0)
		return DH_EFAIL;
	add_seen(sc, path);
	sc->meta->nfiles++;
	return 0;
}

struct carry_walk {
	struct scan *sc;
	const char *top; /* the carried directory's path */
	struct buf path;
	int rc;
};

static int
carry_walk_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct carry_walk *w = arg;
	git_filemode_t mode = git.git_tree_entry_filemode(te);

	if (git.git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0; /* subtrees are walked; gitlinks are never written */
	buf_clear(&w->path);
	buf_printf(&w->path, "%s%s%s%s", w->top, *w->top ? "/" : "", root,
	           git.git_tree_entry_name(te));
	if ((w->rc = carry_blob(w->sc, buf_cstr(&w->path), git.git_tree_entry_id(te), mode)) < 0)
		return -1;
	return 0;
}

/* The scan may not read sc->path (errno sc->denied), a file or link when
 * `is_dir` is false, else a directory: keep base's entry there (a blob of
 * the same kind, or a whole subtree with the note's entries below it).
 * `perm`: the path's real permission bits, recorded in the note (-1: not
 * known, base's record is kept). Returns 1 if something was kept, 0 if base
 * has nothing there, <0 on error. */
static int
carry(struct scan *sc, bool is_dir, bool is_link, int perm)
{
	const char *path = buf_cstr(&sc->path), *why = strerror(sc->denied);
	const struct snap_base *b = sc->base;
	git_tree_entry *te = NULL;
	git_tree *sub = NULL;
	bool kept = false;
	int rc = 0;

	if (b && b->tree && git.git_tree_entry_bypath(&te, b->tree, path) < 0)
		te = NULL;
	if (!is_dir) {
		git_filemode_t fm = te ? git.git_tree_entry_filemode(te) : 0;

		if (te && git.git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
		    (fm == GIT_FILEMODE_LINK) == is_link) {
			if ((rc = carry_blob(sc, path, git.git_tree_entry_id(te), fm)) < 0)
				goto out;
			if (perm < 0 && b->meta)
				perm = snap_meta_mode(b->meta, path);
			if (!is_link && perm >= 0 && perm != 0644 && perm != 0755)
				snap_meta_add_mode(sc->meta, path, (unsigned)perm);
			kept = true;
		}
		goto out;
	}
	if (te && git.git_tree_entry_type(te) == GIT_OBJECT_TREE) {
		struct carry_walk w = { .sc = sc, .top = path, .path = BUF_INIT };

		if ((rc = G(git.git_tree_lookup(&sub, sc->s->repo, git.git_tree_entry_id(te)))) >= 0 &&
		    git.git_tree_walk(sub, GIT_TREEWALK_PRE, carry_walk_cb, &w) < 0)
			rc = w.rc < 0 ? w.rc : G(-1);
		buf_fini(&w.path);
		if (rc < 0)
			goto out;
		kept = true;
	}
	if (b && b->meta && (kept || snap_meta_has_dir(b->meta, path))) {
		snap_meta_copy_under(sc->meta, b->meta, path);
		kept = true;
	}
out:
	git.git_tree_free(sub);
	git.git_tree_entry_free(te);
	if (rc < 0)
		return rc;
	if (kept)
		log_warn("snapshot: %s%s is unreadable (%s): its last content is kept", path,
		         is_dir ? "/" : "", why);
	else
		log_warn("snapshot: skipping %s%s: it is unreadable (%s) and no earlier "
		         "checkpoint holds it", path, is_dir ? "/" : "", why);
	return kept;
}

/* The folder itself cannot be opened (errno `e`, EACCES or EPERM: its owner
 * made it 0000 or 0300, say): everything of the base is kept, with the
 * folder's real mode recorded, as carry() does for a directory inside.
 * Returns 0, or an error naming the folder and its mode when the base has
 * nothing to keep (no checkpoint yet): a checkpoint without the folder's
 * contents would show them all deleted. */
static int
carry_folder(struct scan *sc, int e)
{
	const char *dir = sc->s->workdir;
	const struct snap_base *b = sc->base;
	struct carry_walk w = { .sc = sc, .top = "", .path = BUF_INIT };
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) < 0)
		return err_set("snapshot: %s: %s", dir, strerror(errno));
	if (!b || !b->tree)
		return err_set("snapshot: cannot read the folder %s (mode %04o): %s; no "
		               "checkpoint holds its contents yet",
		               dir, (unsigned)(st.st_mode & 07777), strerror(e));
	if (git.git_tree_walk(b->tree, GIT_TREEWALK_PRE, carry_walk_cb, &w) < 0)
		rc = w.rc < 0 ? w.rc : G(-1);
	buf_fini(&w.path);
	if (rc < 0)
		return rc;
	if (b->meta)
		snap_meta_copy_under(sc->meta, b->meta, "");
	snap_meta_set_dir_mode(sc->meta, SNAP_ROOT, (int)(st.st_mode & 0777));
	log_warn("snapshot: the folder %s is unreadable (mode %04o, %s): its last content is "
	         "kept", dir, (unsigned)(st.st_mode & 07777), strerror(e));
	return 0;
}

/* Bring one file's index entry up to date. Returns 1 if it is tracked, 0 if
 * skipped, <0 on error. */
static int
scan_file(struct scan *sc, int dfd, const char *name, struct stat *st)
{
	const char *path = buf_cstr(&sc->path);
	const git_index_entry *e = git.git_index_get_bypath(sc->s->index, path, 0);
	git_index_entry ne;
	int rc;

	sc->examined++;
	if (S_ISREG(st->st_mode) && (long long)st->st_size > sc->limit) {
		/* Not stored (and dropped from the index): listed in the note. */
		snap_meta_add_large(sc->meta, path, (long long)st->st_size);
		return 0;
	}
	if (!e || !is_fresh(sc, e, st)) {
		const char *data;

		if ((rc = read_entry(sc, dfd, name, st)) == READ_DENIED)
			return carry(sc, false, S_ISLNK(st->st_mode), (int)(st->st_mode & 07777));
		if (rc != READ_OK)
			return rc;
		memset(&ne, 0, sizeof ne);
		data = sc->data.ptr ? sc->data.ptr : "";
		if (sc->packer)
			rc = snap_pack_write(sc->packer, &ne.id, data, sc->data.len);
		else
			rc = G(git.git_odb_write(&ne.id, sc->odb, data, sc->data.len,
			                         GIT_OBJECT_BLOB));
		if (rc < 0)
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
		if (sc->packer) {
			ARRAY_GROW(sc->pend, sc->npend, sc->cappend, 1);
			ne.path = xstrdup(path);
			sc->pend[sc->npend++] = ne;
		} else if (git.git_index_add(sc->s->index, &ne) < 0) {
			const git_error *ge = git.git_error_last();

			/* e.g. a name git refuses; skipping beats failing every checkpoint */
			log_warn("snapshot: skipping %s: %s", path, ge ? ge->message : "?");
			return 0;
		}
	}
	add_seen(sc, path);
	if (sc->track_links && S_ISREG(st->st_mode) && st->st_nlink > 1) {
		ARRAY_GROW(sc->links, sc->nlinks, sc->caplinks, 1);
		sc->links[sc->nlinks++] = (struct link_id){ (uint32_t)st->st_dev, (uint32_t)st->st_ino };
	}
	sc->meta->nfiles++;
	unsigned perm = st->st_mode & 07777;
	if (S_ISREG(st->st_mode) && perm != 0644 && perm != 0755)
		snap_meta_add_mode(sc->meta, path, perm);
	return 1;
}

/* Walk the directory open on `dfd` (taken over). *tracked is set when
 * anything below it was recorded (a file, or an empty directory). Returns 0,
 * READ_DENIED when it cannot be listed or its entries cannot be looked at
 * (no x bit; sc->denied set, nothing recorded), or <0 on error. */
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

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (!strcasecmp(name, ".git")) {
			if (sc->s->repos_seen && sc->path.len &&
			    fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode)) {
				char *gd = xasprintf("%s/%s", buf_cstr(&sc->path), name);

				strv_add(sc->s->repos_seen, gd);
				free(gd);
			}
			continue;
		}
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (!is_denied(errno))
				continue; /* vanished */
			sc->denied = errno;
			rc = READ_DENIED;
			goto out;
		}
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode))
			continue; /* fifos, sockets, devices */
		if (sc->s->drop_tmp && S_ISREG(st.st_mode) && atomic_is_temp_name(name)) {
			if (unlinkat(dirfd(d), name, 0) == 0) {
				buf_printf(sc->s->drop_tmp, "removed %s%s%s, a write it had not "
					   "finished\n", buf_cstr(&sc->path),
					   sc->path.len ? "/" : "", name);
				continue;
			}
			log_warn("snapshot: cannot remove %s in %s: %s", name,
				 sc->path.len ? buf_cstr(&sc->path) : ".", strerror(errno));
		}
		ARRAY_GROW(ents, n, cap, 1);
		ents[n].name = xstrdup(name);
		ents[n++].st = st;
	}
	if (errno && is_denied(errno)) {
		sc->denied = errno;
		rc = READ_DENIED;
		goto out;
	}
	if (errno) {
		rc = err_set("snapshot: reading %s: %s", buf_cstr(&sc->path), strerror(errno));
		goto out;
	}
	if (n)
		qsort(ents, n, sizeof *ents, cmp_dent);

	for (size_t i = 0; i < n && rc >= 0; i++) {
		size_t mark = sc->path.len;

		rc = 0;
		if (mark)
			buf_putc(&sc->path, '/');
		buf_puts(&sc->path, ents[i].name);
		if (ignore_match(sc->s->ign, buf_cstr(&sc->path), S_ISDIR(ents[i].st.st_mode)))
			goto next;
		if (S_ISDIR(ents[i].st.st_mode)) {
			bool sub = false;
			int cfd;

			if (sc->s->skip_rel && !strcmp(buf_cstr(&sc->path), sc->s->skip_rel))
				goto next;
			cfd = openat(dirfd(d), ents[i].name,
			             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0 && is_denied(errno)) {
				sc->denied = errno;
				rc = READ_DENIED;
			} else if (cfd < 0) {
				if (errno != ENOENT)
					log_warn("snapshot: skipping %s/: %s", buf_cstr(&sc->path),
					         strerror(errno));
				goto next;
			} else if ((rc = scan_dir(sc, cfd, &sub)) < 0) {
				goto next;
			}
			if (rc == READ_DENIED) {
				/* nothing from it is recorded: keep what base has */
				if ((rc = carry(sc, true, false, -1)) <= 0)
					goto next;
			} else if (!sub) {
				snap_meta_add_dir(sc->meta, buf_cstr(&sc->path));
			}
			/* from the stat above: no syscall of its own */
			snap_meta_add_dir_mode(sc->meta, buf_cstr(&sc->path), ents[i].st.st_mode);
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
	size_t n = git.git_index_entrycount(idx), j = 0;
	char **gone = NULL;
	size_t ngone = 0;
	int rc = 0;

	if (sc->nseen)
		qsort(sc->seen, sc->nseen, sizeof *sc->seen, cmp_str);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git.git_index_get_byindex(idx, i);
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
			rc = G(git.git_index_remove(idx, gone[i], 0));
		free(gone[i]);
	}
	free(gone);
	return rc;
}

static void
scan_init(struct scan *sc, struct snap_store *s, struct snap_meta *meta)
{
	memset(sc, 0, sizeof *sc);
	sc->s = s;
	sc->meta = meta;
	meta->has_dmodes = true;
	meta->has_root = true;
	buf_init(&sc->path);
	buf_init(&sc->data);
	/* One second of slack covers coarse clocks and 1 s timestamp filesystems. */
	sc->trust = s->trust;
	sc->trust.tv_sec -= 1;
	sc->limit = s->large_limit > 0 ? s->large_limit : LARGE_LIMIT_DEF;
}

static void
scan_clear_seen(struct scan *sc)
{
	for (size_t i = 0; i < sc->nseen; i++)
		free(sc->seen[i]);
	sc->nseen = 0;
}

/* Add the entries that waited for their blobs to be packed. */
static void
add_pending(struct scan *sc)
{
	for (size_t i = 0; i < sc->npend; i++) {
		if (git.git_index_add(sc->s->index, &sc->pend[i]) < 0) {
			const git_error *ge = git.git_error_last();

			log_warn("snapshot: skipping %s: %s", sc->pend[i].path, ge ? ge->message : "?");
			sc->meta->nfiles--;
		}
		free((char *)sc->pend[i].path);
	}
	sc->npend = 0;
}

static void
scan_fini(struct scan *sc)
{
	for (size_t i = 0; i < sc->npend; i++)
		free((char *)sc->pend[i].path);
	free(sc->pend);
	scan_clear_seen(sc);
	free(sc->seen);
	free(sc->links);
	buf_fini(&sc->path);
	buf_fini(&sc->data);
	git.git_odb_free(sc->odb);
	snap_pack_free(sc->packer);
}

/* Record the folder's own mode (fd: the folder, open) as SNAP_ROOT's: every
 * scan, full or incremental, takes it (one fstat). */
static int
record_root(struct snap_meta *meta, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set("snapshot: the folder's mode: %s", strerror(errno));
	snap_meta_set_dir_mode(meta, SNAP_ROOT, (int)(st.st_mode & 0777));
	return 0;
}

/* Remember the state this scan left, for the next incremental one. */
static void
keep_state(struct snap_store *s, const git_oid *tree, const struct snap_meta *meta)
{
	if (!s->cache)
		s->cache = xcalloc(1, sizeof *s->cache);
	else
		snap_meta_fini(s->cache);
	snap_meta_copy(s->cache, meta);
	s->last_tree = *tree;
}

struct tree_write {
	git_treebuilder *tb; /* the tree's entries */
	git_oid *out;
};

/* A tree written again from its entries (snap_object_rewrite's write). */
static int
tree_write_again(void *ctx)
{
	struct tree_write *w = ctx;

	return G(git.git_treebuilder_write(w->out, w->tb));
}

/* The tree of the index's entries from *i on whose paths begin with `dir`
 * ("" for the folder, else "a/b/"), its subtrees first, written into *out;
 * *i is moved past them. Each tree the repository has but cannot read is
 * written anew (snap_object_rewrite), *fixed counting them: a subtree the
 * index's tree cache names, or that git_odb_write() finds present, is not
 * written again, so one emptied by a crash (a directory the folder holds
 * again as a checkpoint recorded it) would fail every write of the
 * folder's tree. The index's own write cannot say which: it names no
 * object (libgit2's "invalid object specified - NAME"). 0, or DH_EFAIL. */
static int
tree_rewrite(struct snap_store *s, size_t *i, const char *dir, git_oid *out, int *fixed)
{
	size_t n = git.git_index_entrycount(s->index), dlen = strlen(dir);
	git_treebuilder *tb = NULL;
	int rc = G(git.git_treebuilder_new(&tb, s->repo, NULL));

	while (rc == 0 && *i < n) {
		const git_index_entry *e = git.git_index_get_byindex(s->index, *i);
		const char *rest = e->path + dlen, *slash;

		/* below one directory the index's paths are adjacent */
		if (strncmp(e->path, dir, dlen) != 0)
			break;
		if (!(slash = strchr(rest, '/'))) {
			rc = G(git.git_treebuilder_insert(NULL, tb, rest, &e->id,
			                                  (git_filemode_t)e->mode));
			(*i)++;
			continue;
		}
		char *sub = xstrndup(e->path, (size_t)(slash - e->path) + 1);
		git_oid id;

		rc = tree_rewrite(s, i, sub, &id, fixed);
		sub[strlen(sub) - 1] = '\0';
		if (rc == 0)
			rc = G(git.git_treebuilder_insert(NULL, tb, sub + dlen, &id, GIT_FILEMODE_TREE));
		free(sub);
	}
	if (rc == 0)
		rc = G(git.git_treebuilder_write(out, tb));
	if (rc == 0) {
		struct tree_write w = { tb, out };
		char *what = *dir ? xasprintf("the tree of %.*s", (int)dlen - 1, dir)
		                  : xstrdup("the folder's tree");
		int r = snap_object_rewrite(s->repo, out, what, tree_write_again, &w);

		if (r < 0)
			rc = r;
		else if (r == 0)
			(*fixed)++;
		free(what);
	}
	git.git_treebuilder_free(tb);
	return rc;
}

struct blob_write {
	git_odb *odb;
	int root;                /* the folder */
	const git_index_entry *e; /* the file, with the blob that cannot be read */
};

/* The folder's file w->e->path written as a blob again: 0 when it gives
 * w->e->id, DH_EFAIL when it cannot be read or its content is another. */
static int
blob_write_again(void *ctx)
{
	struct blob_write *w = ctx;
	const char *leaf, *path = w->e->path;
	struct buf b = BUF_INIT;
	int pfd = beneath_open_parent(w->root, path, O_RDONLY, false, &leaf), rc = 0;
	git_oid id;

	if (pfd < 0)
		return err_set("snapshot: %s: %s", path, strerror(errno));
	if (w->e->mode == GIT_FILEMODE_LINK) {
		buf_grow(&b, PATH_MAX + 1);
		ssize_t n = readlinkat(pfd, leaf, b.ptr, PATH_MAX + 1);

		if (n < 0 || n > PATH_MAX)
			rc = err_set("snapshot: %s: %s", path, n < 0 ? strerror(errno) : "too long");
		else
			b.len = (size_t)n;
	} else {
		int fd = openat(pfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0 || fsutil_read_fd(fd, SIZE_MAX, &b) < 0)
			rc = err_set("snapshot: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	close(pfd);
	if (rc == 0)
		rc = G(git.git_odb_write(&id, w->odb, b.ptr ? b.ptr : "", b.len, GIT_OBJECT_BLOB));
	if (rc == 0 && !git.git_oid_equal(&id, &w->e->id))
		rc = err_set("snapshot: %s no longer holds what its blob recorded", path);
	buf_fini(&b);
	return rc;
}

/* The blobs the index names that cannot be read (their loose files emptied
 * by a crash: files of a checkpoint that the folder still holds, unchanged
 * since, so the scan did not read them again) are written anew from the
 * folder (snap_object_rewrite). A write of the tree fails on such a blob,
 * which git_odb_write() would skip as present. Each blob's header is read
 * (the full content only of a damaged one; a missing one is left to the
 * write that needs it). Returns how many were written anew, or an error
 * naming the first that could not be. */
static int
blobs_rewrite(struct snap_store *s)
{
	size_t n = git.git_index_entrycount(s->index);
	struct blob_write w = { NULL, -1, NULL };
	int rc = G(git.git_repository_odb(&w.odb, s->repo)), fixed = 0;

	if (rc == 0 && (w.root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = err_set("snapshot: %s: %s", s->workdir, strerror(errno));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;
		git_object_t type;

		w.e = git.git_index_get_byindex(s->index, i);
		if (w.e->mode == GIT_FILEMODE_COMMIT ||
		    git.git_odb_read_header(&len, &type, w.odb, &w.e->id) == 0)
			continue;
		char *what = xasprintf("the content of %s", w.e->path);
		int r = snap_object_rewrite(s->repo, &w.e->id, what, blob_write_again, &w);

		free(what);
		if (r < 0)
			rc = r;
		else if (r == 0)
			fixed++;
	}
	if (w.root >= 0)
		close(w.root);
	git.git_odb_free(w.odb);
	return rc < 0 ? rc : fixed;
}

/* The index's tree into *out, read back. An object already in the
 * repository is not written again (the index's tree cache names a tree,
 * git_odb_write() finds any present), so one that cannot be read (its loose
 * file emptied by a crash: a checkpoint's file or directory that the folder
 * holds again) fails the write (a blob or a subtree: no id), or the read
 * back (the folder's tree: its id set). Those are written anew
 * (blobs_rewrite, then tree_rewrite) and the write is tried once more. */
static int
write_tree(struct snap_store *s, git_oid *out)
{
	git_tree *t = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	/* After a write libgit2 reads the tree back itself, and fails there
	 * with the id set (tree.c); from the cache it does not read it. */
	if ((rc = git.git_index_write_tree(out, s->index)) >= 0 &&
	    (rc = git.git_tree_lookup(&t, s->repo, out)) >= 0) {
		git.git_tree_free(t);
		return 0;
	}
	rc = G(rc);
	char *why = xstrdup(err_msg());
	int r = blobs_rewrite(s), fixed = 0;
	size_t at = 0;
	git_oid id;

	if (r >= 0) {
		int trees = tree_rewrite(s, &at, "", &id, &fixed);

		r = trees < 0 ? trees : r + fixed;
	}
	if (r == 0) /* nothing damaged: libgit2's failure stands */
		err_set("%s", why);
	free(why);
	if (r <= 0)
		return r < 0 ? r : rc;
	if ((rc = G(git.git_index_write_tree(out, s->index))) < 0 ||
	    (rc = G(git.git_tree_lookup(&t, s->repo, out))) < 0)
		return rc;
	git.git_tree_free(t);
	return 0;
}

int
snap_scan(struct snap_store *s, const struct snap_base *base, git_oid *tree_out,
          struct snap_meta *meta)
{
	struct scan sc;
	struct timespec start;
	bool any;
	int rc, fd;

	clock_gettime(CLOCK_REALTIME_COARSE, &start);
	scan_init(&sc, s, meta);
	sc.base = base;
	ignore_free(s->ign);
	s->ign = NULL;
	s->rules_builtin = s->builtin_rules;
	if (s->builtin_rules)
		ignore_builtin_with(&s->ign, s->builtin_text);
	else if (ignore_load(&s->ign, s->workdir) < 0)
		log_warn("snapshot: %s (only the built-in ignore rules apply)", err_msg());
	if ((rc = G(git.git_repository_odb(&sc.odb, s->repo))) < 0 ||
	    (rc = snap_pack_begin(&sc.packer, s)) < 0)
		goto out;
	fd = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf_puts(&sc.path, "");
	if (fd < 0 && is_denied(errno)) {
		rc = carry_folder(&sc, errno);
	} else if (fd < 0) {
		rc = err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot: %s: %s",
		              s->workdir, strerror(errno));
	} else if ((rc = record_root(meta, fd)) < 0) {
		close(fd);
	} else if ((rc = scan_dir(&sc, fd, &any)) == READ_DENIED) {
		/* listed but not searchable (0600): as unreadable as 0000 */
		rc = carry_folder(&sc, sc.denied);
	}
	if (rc < 0)
		goto out;
	/* The blobs must be in the object database before trees name them. */
	if ((rc = snap_pack_flush(sc.packer)) < 0)
		goto out;
	add_pending(&sc);
	snap_meta_sort(meta);
	if ((rc = drop_vanished(&sc)) < 0)
		goto out;
	if ((rc = write_tree(s, tree_out)) < 0)
		goto out;
	/* Only the writer writes the index, so that snap_lock() may clear a
	 * lock file of it left by one killed; a reader's scan (a diff against
	 * the folder) keeps what it learnt in memory. */
	bool writer = s->lock_fd >= 0;

	if (writer && (rc = G(git.git_index_write(s->index))) < 0)
		goto out;
	s->index_dirty = false;
	s->paths_read = sc.examined;
	s->last_incremental = false;
	s->last_widened = false;
	keep_state(s, tree_out, meta);
	/* Persist "when this scan started" as the index file's mtime, so that the
	 * next process distrusts files modified during or after this scan. */
	struct timespec times[2] = { start, start };
	if (writer && utimensat(AT_FDCWD, s->index_path, times, 0) < 0)
		log_warn("snapshot: utimensat %s: %s", s->index_path, strerror(errno));
	s->trust = start;
out:
	scan_fini(&sc);
	return rc;
}

/*
 * Incremental scans
 */

struct old_ent {
	char *path;
	git_oid id;
	uint32_t mode;
};

struct updates {
	git_tree_update *v;
	size_t n, cap;
};

static void
upd_add(struct updates *u, git_tree_update_t action, const char *path, const git_oid *id,
        uint32_t mode)
{
	ARRAY_GROW(u->v, u->n, u->cap, 1);
	memset(&u->v[u->n], 0, sizeof *u->v);
	u->v[u->n].action = action;
	u->v[u->n].path = xstrdup(path);
	if (id)
		u->v[u->n].id = *id;
	u->v[u->n++].filemode = (git_filemode_t)mode;
}

static void
upd_free(struct updates *u)
{
	for (size_t i = 0; i < u->n; i++)
		free((char *)u->v[i].path);
	free(u->v);
}

/* Whether a path is outside what snapshots hold: a `.git` component, the
 * state dir or below it, an ignored path. */
static bool
is_excluded(const struct snap_store *s, const char *rel, bool is_dir)
{
	const char *p = rel;

	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 4 && !strncasecmp(p, ".git", 4))
			return true;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (s->skip_rel) {
		size_t k = strlen(s->skip_rel);

		if (!strncmp(rel, s->skip_rel, k) && (!rel[k] || rel[k] == '/'))
			return true;
	}
	return ignore_match_path(s->ign, rel, is_dir);
}

bool
snap_ignored(struct snap_store *s, const char *rel, bool is_dir)
{
	if (!s->ign && ignore_load(&s->ign, s->workdir) < 0)
		log_warn("snapshot: %s (only the built-in ignore rules apply)", err_msg());
	return is_excluded(s, rel, is_dir);
}

/* The entries of the index that are `path` or below it, in index order. */
static void
collect_old(git_index *idx, const char *path, struct old_ent **out, size_t *n)
{
	const git_index_entry *e = git.git_index_get_bypath(idx, path, 0);
	char *prefix = xasprintf("%s/", path);
	size_t plen = strlen(prefix), pos, cap = 0;

	*out = NULL;
	*n = 0;
	if (e) {
		ARRAY_GROW(*out, *n, cap, 1);
		(*out)[(*n)++] = (struct old_ent){ xstrdup(e->path), e->id, e->mode };
	}
	if (git.git_index_find_prefix(&pos, idx, prefix) == 0) {
		for (size_t i = pos; i < git.git_index_entrycount(idx); i++) {
			e = git.git_index_get_byindex(idx, i);
			if (strncmp(e->path, prefix, plen))
				break;
			ARRAY_GROW(*out, *n, cap, 1);
			(*out)[(*n)++] = (struct old_ent){ xstrdup(e->path), e->id, e->mode };
		}
	}
	free(prefix);
}

static int
cmp_old(const void *a, const void *b)
{
	return strcmp(((const struct old_ent *)a)->path, ((const struct old_ent *)b)->path);
}

/* sc->path lies below a directory that cannot be opened: keep the base's
 * entry there, whatever it is, with the base's record of its mode. */
static int
carry_unseen(struct scan *sc)
{
	const char *path = buf_cstr(&sc->path);
	const struct snap_base *b = sc->base;
	git_tree_entry *te = NULL;
	bool is_dir, is_link;

	if (!b || !b->tree || !b->meta)
		return carry(sc, false, false, -1); /* warns: nothing to keep */
	if (git.git_tree_entry_bypath(&te, b->tree, path) < 0)
		te = NULL;
	is_dir = te ? git.git_tree_entry_type(te) == GIT_OBJECT_TREE
	            : snap_meta_has_dir(b->meta, path);
	is_link = te && git.git_tree_entry_filemode(te) == GIT_FILEMODE_LINK;
	git.git_tree_entry_free(te);
	int rc = carry(sc, is_dir, is_link, -1);
	int dperm = is_dir ? snap_meta_dir_mode(b->meta, path) : -1;
	if (rc > 0 && dperm >= 0)
		snap_meta_add_dir_mode(sc->meta, path, (unsigned)dperm);
	return rc;
}

/* Re-read one dirty path (file, link, or a directory's whole subtree) into
 * the index and metadata, and record the tree updates it implies. */
static int
rescan_path(struct scan *sc, int root, const char *path, struct updates *u)
{
	git_index *idx = sc->s->index;
	struct old_ent *old = NULL;
	size_t nold = 0;
	const char *base;
	struct stat st;
	int rc = 0, pfd;

	collect_old(idx, path, &old, &nold);
	snap_meta_remove_under(sc->meta, path);
	scan_clear_seen(sc);
	buf_clear(&sc->path);
	buf_puts(&sc->path, path);

	pfd = beneath_open_parent(root, path, O_RDONLY, false, &base);
	if (pfd < 0 && is_denied(errno)) {
		/* A directory above cannot be opened: keep what the base has. */
		sc->denied = errno;
		rc = carry_unseen(sc);
	} else if (pfd >= 0 && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	           !is_excluded(sc->s, path, S_ISDIR(st.st_mode))) {
		if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			rc = scan_file(sc, pfd, base, &st);
		} else if (S_ISDIR(st.st_mode)) {
			int cfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			bool tracked = false;

			if (cfd < 0 && is_denied(errno)) {
				sc->denied = errno;
				rc = READ_DENIED;
			} else if (cfd >= 0) {
				rc = scan_dir(sc, cfd, &tracked);
			}
			if (rc == READ_DENIED) {
				if ((rc = carry(sc, true, false, -1)) > 0)
					snap_meta_add_dir_mode(sc->meta, path, st.st_mode);
			} else if (cfd >= 0 && rc >= 0) {
				if (!tracked)
					snap_meta_add_dir(sc->meta, path);
				snap_meta_add_dir_mode(sc->meta, path, st.st_mode);
			}
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (rc < 0)
		goto out;
	rc = 0;
	if (sc->nseen)
		qsort(sc->seen, sc->nseen, sizeof *sc->seen, cmp_str);
	for (size_t i = 0; i < nold && rc >= 0; i++) {
		if (sc->nseen && bsearch(&old[i].path, sc->seen, sc->nseen, sizeof *sc->seen, cmp_str))
			continue;
		/* A file that became a directory (or the reverse) left the index
		 * already: adding the new entry replaced its old self there. */
		if (git.git_index_get_bypath(idx, old[i].path, 0))
			rc = G(git.git_index_remove(idx, old[i].path, 0));
		if (rc >= 0)
			upd_add(u, GIT_TREE_UPDATE_REMOVE, old[i].path, NULL, 0);
	}
	for (size_t i = 0; i < sc->nseen && rc >= 0; i++) {
		const git_index_entry *e = git.git_index_get_bypath(idx, sc->seen[i], 0);
		struct old_ent key = { .path = sc->seen[i] }, *o;

		if (!e)
			continue;
		o = nold ? bsearch(&key, old, nold, sizeof *old, cmp_old) : NULL;
		if (!o || o->mode != e->mode || !git.git_oid_equal(&o->id, &e->id))
			upd_add(u, GIT_TREE_UPDATE_UPSERT, e->path, &e->id, e->mode);
	}
out:
	for (size_t i = 0; i < nold; i++)
		free(old[i].path);
	free(old);
	return rc;
}

/* Whether anything tracked (an index entry, an empty directory) is below dir. */
static bool
has_tracked_below(git_index *idx, const struct snap_meta *m, const char *dir)
{
	char *prefix = xasprintf("%s/", dir);
	size_t plen = strlen(prefix), pos;
	bool hit = git.git_index_find_prefix(&pos, idx, prefix) == 0;

	for (size_t i = 0; i < m->ndirs && !hit; i++)
		hit = !strncmp(m->dirs[i], prefix, plen);
	free(prefix);
	return hit;
}

static void
meta_remove_dir(struct snap_meta *m, const char *dir)
{
	size_t j = 0;

	for (size_t i = 0; i < m->ndirs; i++) {
		if (!strcmp(m->dirs[i], dir))
			free(m->dirs[i]);
		else
			m->dirs[j++] = m->dirs[i];
	}
	m->ndirs = j;
}

static int
cmp_len_desc(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return (x < y) - (x > y);
}

/* The parents of the dirty paths may have become empty or stopped being
 * empty: settle their "empty directory" entries, deepest first, and their
 * modes (from the same stat). */
static void
settle_parents(struct scan *sc, int root, char *const *paths, size_t n)
{
	char **anc = NULL;
	size_t na = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		char *a = xstrdup(paths[i]), *slash;

		while ((slash = strrchr(a, '/'))) {
			*slash = '\0';
			ARRAY_GROW(anc, na, cap, 1);
			anc[na++] = xstrdup(a);
		}
		free(a);
	}
	if (na)
		qsort(anc, na, sizeof *anc, cmp_str);
	size_t j = 0;
	for (size_t i = 0; i < na; i++) {
		if (j && !strcmp(anc[j - 1], anc[i]))
			free(anc[i]);
		else
			anc[j++] = anc[i];
	}
	na = j;
	if (na)
		qsort(anc, na, sizeof *anc, cmp_len_desc);
	for (size_t i = 0; i < na; i++) {
		const char *base;
		struct stat st;
		int pfd = beneath_open_parent(root, anc[i], O_RDONLY, false, &base);
		bool found = pfd >= 0 && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
		bool denied = !found && is_denied(errno);
		bool isdir = found && S_ISDIR(st.st_mode) && !is_excluded(sc->s, anc[i], true);

		if (pfd >= 0)
			close(pfd);
		if (denied) {
			/* below a directory that cannot be opened: its records stay */
			free(anc[i]);
			continue;
		}
		meta_remove_dir(sc->meta, anc[i]);
		snap_meta_set_dir_mode(sc->meta, anc[i], isdir ? (int)(st.st_mode & 0777) : -1);
		if (isdir && !has_tracked_below(sc->s->index, sc->meta, anc[i]))
			snap_meta_add_dir(sc->meta, anc[i]);
		free(anc[i]);
	}
	free(anc);
}

/* Apply updates of one kind to `base` (removals and upserts go in separate
 * passes so that a file replacing a directory, or the reverse, never meets
 * its old self in the same pass). */
static int
apply_updates(struct snap_store *s, const git_oid *base, const struct updates *u,
              git_tree_update_t action, git_oid *out)
{
	git_tree_update *v = xmalloc((u->n + 1) * sizeof *v);
	git_tree *t = NULL;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].action == action)
			v[n++] = u->v[i];
	if (!n) {
		*out = *base;
		free(v);
		return 0;
	}
	if ((rc = G(git.git_tree_lookup(&t, s->repo, base))) >= 0)
		rc = G(git.git_tree_create_updated(out, s->repo, t, n, v));
	git.git_tree_free(t);
	free(v);
	return rc;
}

static int
cmp_link(const void *a, const void *b)
{
	const struct link_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Whether `path` is one of the sorted `kept` paths or lies below one. */
static bool
is_covered(char *const *kept, size_t nkept, const char *path)
{
	char *a = xstrdup(path), *slash = NULL;
	bool covered;

	do {
		if (slash)
			*slash = '\0';
		covered = bsearch(&a, kept, nkept, sizeof *kept, cmp_str) != NULL;
	} while (!covered && (slash = strrchr(a, '/')));
	free(a);
	return covered;
}

/* A file written through one name changed its other names too (hard links),
 * but the watcher reports only the name written: re-read every name the
 * index has for the files the dirty paths' rescan found linked (sc->links)
 * that those paths (kept) did not cover. One pass over the index, and only
 * when such a file was read. */
static int
rescan_links(struct scan *sc, int root, char *const *kept, size_t nkept, struct updates *u)
{
	git_index *idx = sc->s->index;
	size_t n = git.git_index_entrycount(idx);
	struct strv more = {0};
	int rc = 0;

	qsort(sc->links, sc->nlinks, sizeof *sc->links, cmp_link);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git.git_index_get_byindex(idx, i);
		struct link_id key = { e->dev, e->ino };

		if (S_ISREG(e->mode) &&
		    bsearch(&key, sc->links, sc->nlinks, sizeof *sc->links, cmp_link) &&
		    !is_covered(kept, nkept, e->path))
			strv_add(&more, e->path);
	}
	sc->track_links = false;
	sc->s->last_widened = more.n > 0;
	for (size_t i = 0; i < more.n && rc >= 0; i++)
		rc = rescan_path(sc, root, more.v[i], u);
	strv_free(&more);
	return rc;
}

int
snap_scan_dirty(struct snap_store *s, const struct snap_base *base, const char *const *paths,
                size_t n, git_oid *tree_out, struct snap_meta *meta)
{
	struct scan sc;
	struct updates u = { 0 };
	char **kept = xmalloc((n + 1) * sizeof *kept);
	size_t nkept = 0;
	git_oid mid;
	int rc = 0, root = -1;

	if (!s->cache) {
		free(kept);
		return err_setc(DH_EAGAIN, "snapshot: no full scan yet");
	}
	if (s->builtin_rules || s->rules_builtin) {
		free(kept);
		return err_setc(DH_EAGAIN, "snapshot: the ignore rules differ from the folder's");
	}
	/* Keep the outermost paths: a dirty directory covers what is below it. */
	for (size_t i = 0; i < n; i++) {
		const char *p = paths[i];
		bool covered = false;

		if (!*p || !strcmp(p, IGNORE_FILE)) {
			free(kept);
			return err_setc(DH_EAGAIN, "snapshot: the ignore rules changed");
		}
		/* `paths` is sorted: look each parent of p up in it. */
		char *a = xstrdup(p), *slash;
		while (!covered && (slash = strrchr(a, '/'))) {
			*slash = '\0';
			covered = bsearch(&a, paths, n, sizeof *paths, cmp_str) != NULL;
		}
		free(a);
		/* The folder itself (its mode) is read by every scan. */
		if (!covered && strcmp(p, SNAP_ROOT) && !(nkept && !strcmp(kept[nkept - 1], p)))
			kept[nkept++] = (char *)p;
	}
	snap_meta_copy(meta, s->cache);
	scan_init(&sc, s, meta);
	sc.base = base;
	if ((rc = G(git.git_repository_odb(&sc.odb, s->repo))) < 0)
		goto out;
	root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 && is_denied(errno)) {
		/* the full scan keeps what the folder held (carry_folder) */
		rc = err_setc(DH_EAGAIN, "snapshot: the folder cannot be opened");
		goto out;
	}
	if (root < 0) {
		rc = err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot: %s: %s",
		              s->workdir, strerror(errno));
		goto out;
	}
	rc = record_root(meta, root);
	sc.track_links = true;
	s->last_widened = false;
	for (size_t i = 0; i < nkept && rc >= 0; i++)
		rc = rescan_path(&sc, root, kept[i], &u);
	if (rc >= 0 && sc.nlinks)
		rc = rescan_links(&sc, root, kept, nkept, &u);
	if (rc < 0)
		goto out;
	settle_parents(&sc, root, kept, nkept);
	snap_meta_normalize(meta);
	meta->nfiles = git.git_index_entrycount(s->index);
	if ((rc = apply_updates(s, &s->last_tree, &u, GIT_TREE_UPDATE_REMOVE, &mid)) < 0 ||
	    (rc = apply_updates(s, &mid, &u, GIT_TREE_UPDATE_UPSERT, tree_out)) < 0)
		goto out;
	s->index_dirty = true;
	s->paths_read = sc.examined + nkept;
	s->last_incremental = true;
	keep_state(s, tree_out, meta);
out:
	if (rc < 0) {
		/* The index may be half updated: the next scan must be a full one. */
		snap_meta_fini(s->cache);
		free(s->cache);
		s->cache = NULL;
		snap_meta_fini(meta);
	}
	if (root >= 0)
		close(root);
	scan_fini(&sc);
	upd_free(&u);
	free(kept);
	return rc;
}

void
snap_scan_flush(struct snap_store *s)
{
	if (!s->index_dirty || s->lock_fd < 0) /* a reader's: see snap_scan() */
		return;
	if (git.git_index_write(s->index) < 0) {
		const git_error *e = git.git_error_last();

		log_warn("snapshot: writing the index: %s", e ? e->message : "?");
		return;
	}
	struct timespec times[2] = { s->trust, s->trust };
	if (utimensat(AT_FDCWD, s->index_path, times, 0) < 0)
		log_warn("snapshot: utimensat %s: %s", s->index_path, strerror(errno));
	s->index_dirty = false;
}

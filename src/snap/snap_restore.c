/* SPDX-License-Identifier: MIT */
/*
 * File operations for undo: compare a path with a tree entry, and write,
 * remove or create paths in the folder or set a directory's mode. Every path is opened beneath the
 * folder with no symlink in it (core/beneath.h), so a symlink planted in the
 * folder can never redirect a restore outside it. Deciding *what* to restore is snap.c's job.
 */
#include "snap/snap_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/beneath.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

bool
snap_restore_matches(int root, const char *path, const git_tree_entry *want, unsigned perm)
{
	const char *leaf;
	struct stat st;
	bool exists = false, same = false;
	int pfd = beneath_open_parent(root, path, O_RDONLY, false, &leaf);

	if (pfd >= 0 && fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		exists = true;
	if (!want || !exists) {
		same = !want && !exists;
		goto out;
	}
	if (git.git_tree_entry_type(want) == GIT_OBJECT_TREE) {
		same = S_ISDIR(st.st_mode);
		goto out;
	}
	git_filemode_t mode = git.git_tree_entry_filemode(want);
	struct buf data = BUF_INIT;
	git_oid id;

	if (mode == GIT_FILEMODE_LINK) {
		if (!S_ISLNK(st.st_mode))
			goto out;
		buf_grow(&data, (size_t)st.st_size + 1);
		ssize_t n = readlinkat(pfd, leaf, data.ptr, (size_t)st.st_size + 1);
		if (n >= 0 && n <= st.st_size)
			data.len = (size_t)n;
		else
			goto done;
	} else {
		if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != perm)
			goto out;
		int fd = openat(pfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* Its owner may not read it (chmod 000): the scan kept its last
		 * content, and so it is taken to hold it. */
		if (fd < 0 && (errno == EACCES || errno == EPERM)) {
			same = true;
			goto done;
		}
		if (fd < 0)
			goto done;
		int rc = fsutil_read_fd(fd, SIZE_MAX, &data);

		close(fd);
		if (rc < 0)
			goto done;
	}
	if (git.git_odb_hash(&id, data.ptr ? data.ptr : "", data.len, GIT_OBJECT_BLOB) == 0)
		same = git.git_oid_equal(&id, git.git_tree_entry_id(want));
done:
	buf_fini(&data);
out:
	if (pfd >= 0)
		close(pfd);
	return same;
}

void
snap_syncset_init(struct snap_syncset *ss)
{
	ss->n = 0;
	ss->all = false;
}

void
snap_syncset_note(struct snap_syncset *ss, int fd)
{
	struct stat st;

	if (!ss || ss->all)
		return;
	if (fstat(fd, &st) < 0) {
		ss->all = true;
		return;
	}
	for (size_t i = 0; i < ss->n; i++)
		if (ss->dev[i] == st.st_dev)
			return;
	int keep = ss->n < SNAP_SYNC_MAX ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;

	if (keep < 0) {
		ss->all = true;
		return;
	}
	ss->dev[ss->n] = st.st_dev;
	ss->fd[ss->n++] = keep;
}

int
snap_syncset_flush(struct snap_syncset *ss)
{
	int err = 0;

	for (size_t i = 0; i < ss->n; i++) {
		if (!ss->all && syncfs(ss->fd[i]) < 0 && !err)
			err = errno;
		close(ss->fd[i]);
	}
	if (ss->all)
		sync();
	snap_syncset_init(ss);
	errno = err;
	return err ? -1 : 0;
}

/* Replace pfd/leaf by the blob, a file or a symlink. 0 or -1 with errno. */
static int
put_blob(int pfd, const char *leaf, const git_blob *blob, git_filemode_t mode, unsigned perm)
{
	const char *data = git.git_blob_rawcontent(blob);
	size_t len = (size_t)git.git_blob_rawsize(blob);

	if (mode != GIT_FILEMODE_LINK)
		return atomic_write_at(pfd, leaf, data, len, (int)perm, ATOMIC_NODIRSYNC);
	char *target = xstrndup(data, len);
	int r = atomic_symlink_at(pfd, leaf, target, ATOMIC_NODIRSYNC), e = errno;

	free(target);
	errno = e;
	return r;
}

int
snap_restore_write(struct snap_store *s, int root, const char *path, const git_oid *id,
                   git_filemode_t mode, unsigned perm, struct snap_syncset *ss)
{
	git_blob *blob = NULL;
	const char *leaf;
	int rc = 0, pfd;

	if (git.git_blob_lookup(&blob, s->repo, id) < 0)
		return snap_blob_damaged(s, path, id);
	pfd = beneath_open_parent(root, path, O_RDONLY, true, &leaf);
	if (pfd < 0) {
		rc = err_set("snapshot: cannot restore %s: %s", path, strerror(errno));
		goto out;
	}
	/* an empty directory in the way (a file replaced a dir) may go */
	if (put_blob(pfd, leaf, blob, mode, perm) < 0 &&
	    !((errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) &&
	      unlinkat(pfd, leaf, AT_REMOVEDIR) == 0 && put_blob(pfd, leaf, blob, mode, perm) == 0))
		rc = err_set("snapshot: cannot restore %s: %s", path, strerror(errno));
	snap_syncset_note(ss, pfd);
out:
	if (pfd >= 0)
		close(pfd);
	git.git_blob_free(blob);
	return rc;
}

int
snap_restore_remove(int root, const char *path, struct snap_syncset *ss)
{
	const char *leaf;
	struct stat st;
	int pfd = beneath_open_parent(root, path, O_RDONLY, false, &leaf), rc = 0;

	if (pfd < 0)
		return 0;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		if (unlinkat(pfd, leaf, 0) == 0)
			rc = 1;
		else if (errno != ENOENT)
			rc = err_set("snapshot: cannot remove %s: %s", path, strerror(errno));
		snap_syncset_note(ss, pfd);
	}
	close(pfd);
	return rc;
}

int
snap_restore_chmod(int root, const char *path, unsigned perm, bool add, unsigned *old,
                   struct snap_syncset *ss)
{
	const char *leaf;
	struct stat st;
	unsigned want;
	bool self = !strcmp(path, SNAP_ROOT); /* the folder: root itself */
	int pfd = self ? dup(root) : beneath_open_parent(root, path, O_PATH, false, &leaf), rc = 0;

	if (old)
		*old = 0;
	if (self)
		leaf = "";
	if (pfd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return 0; /* no directory there beneath the folder */
	if (pfd < 0)
		return err_set("snapshot: %s/: %s", path, strerror(errno));
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW | (self ? AT_EMPTY_PATH : 0)) < 0 ||
	    !S_ISDIR(st.st_mode))
		goto out;
	if (old)
		*old = st.st_mode;
	want = add ? (st.st_mode & 0777) | (perm & 0777) : perm & 0777;
	if ((st.st_mode & 0777) == want)
		goto out;
	/* The directory's own file system (pfd is O_PATH, which syncfs does
	 * not take); opened while its mode still lets us. */
	if (ss) {
		int dfd = self ? dup(root)
		               : openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (dfd >= 0) {
			snap_syncset_note(ss, dfd);
			close(dfd);
		} else {
			ss->all = true;
		}
	}
	/* AT_SYMLINK_NOFOLLOW: a symlink swapped in meanwhile is refused, never followed. */
	if ((self ? fchmod(pfd, (st.st_mode & 07000) | want)
	          : fchmodat(pfd, leaf, (st.st_mode & 07000) | want, AT_SYMLINK_NOFOLLOW)) == 0)
		rc = 1;
	else if (errno != ENOENT)
		rc = err_set("snapshot: cannot set the mode of %s/: %s", path, strerror(errno));
out:
	close(pfd);
	return rc;
}

bool
snap_restore_rmdir(int root, const char *path, struct snap_syncset *ss)
{
	const char *leaf;
	int pfd = beneath_open_parent(root, path, O_RDONLY, false, &leaf);
	bool ok;

	if (pfd < 0)
		return false;
	ok = unlinkat(pfd, leaf, AT_REMOVEDIR) == 0;
	if (ok)
		snap_syncset_note(ss, pfd);
	close(pfd);
	return ok;
}

int
snap_restore_mkdir(int root, const char *path, struct snap_syncset *ss)
{
	const char *leaf;

	if (!strcmp(path, SNAP_ROOT))
		return 0; /* the folder itself is there */
	int pfd = beneath_open_parent(root, path, O_RDONLY, true, &leaf), rc = 0;

	if (pfd < 0)
		return err_set("snapshot: cannot create %s/: %s", path, strerror(errno));
	if (mkdirat(pfd, leaf, 0777) == 0) {
		rc = 1;
		snap_syncset_note(ss, pfd);
	} else if (errno != EEXIST) {
		rc = err_set("snapshot: cannot create %s/: %s", path, strerror(errno));
	}
	close(pfd);
	return rc;
}

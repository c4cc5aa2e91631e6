/* SPDX-License-Identifier: MIT */
/*
 * File operations for undo: compare a path with a tree entry, and write,
 * remove or create paths in the folder. Every path is walked one component at
 * a time with O_NOFOLLOW, so a symlink planted in the folder can never
 * redirect a restore outside it. Deciding *what* to restore is snap.c's job.
 */
#include "snap/snap_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"

/* Open the directory holding `path` (creating missing ones when `create`).
 * *leaf points into `path`. Returns an fd, or -1 with errno set. */
static int
open_parent(int root, const char *path, bool create, const char **leaf)
{
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *p = path;

	while (fd >= 0) {
		const char *slash = strchr(p, '/');

		if (!slash)
			break;
		char *comp = xstrndup(p, (size_t)(slash - p));
		if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..")) {
			free(comp);
			close(fd);
			errno = EINVAL;
			return -1;
		}
		int nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0777) == 0 || errno == EEXIST)
				nfd = openat(fd, comp,
				             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int saved = errno;
		free(comp);
		close(fd);
		errno = saved;
		fd = nfd;
		p = slash + 1;
	}
	*leaf = p;
	if (fd >= 0 && (!*p || !strcmp(p, ".") || !strcmp(p, ".."))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

bool
snap_restore_matches(int root, const char *path, const git_tree_entry *want, unsigned perm)
{
	const char *leaf;
	struct stat st;
	bool exists = false, same = false;
	int pfd = open_parent(root, path, false, &leaf);

	if (pfd >= 0 && fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		exists = true;
	if (!want || !exists) {
		same = !want && !exists;
		goto out;
	}
	if (git_tree_entry_type(want) == GIT_OBJECT_TREE) {
		same = S_ISDIR(st.st_mode);
		goto out;
	}
	git_filemode_t mode = git_tree_entry_filemode(want);
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
		if (fd < 0)
			goto done;
		for (;;) {
			buf_grow(&data, 65536);
			ssize_t n = read(fd, data.ptr + data.len, data.cap - data.len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n < 0) {
					close(fd);
					goto done;
				}
				break;
			}
			data.len += (size_t)n;
		}
		close(fd);
	}
	if (git_odb_hash(&id, data.ptr ? data.ptr : "", data.len, GIT_OBJECT_BLOB) == 0)
		same = git_oid_equal(&id, git_tree_entry_id(want));
done:
	buf_fini(&data);
out:
	if (pfd >= 0)
		close(pfd);
	return same;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create the new contents under a temp name in `pfd`. */
static int
make_temp(struct snap_store *s, int pfd, char *tmp, size_t tmpsz, const char *data, size_t len,
          git_filemode_t mode, unsigned perm)
{
	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, tmpsz, ".deskhand-tmp-%ld-%u", (long)getpid(), ++s->tmp_seq);
		if (mode == GIT_FILEMODE_LINK) {
			char *target = xstrndup(data, len);
			int r = symlinkat(target, pfd, tmp);

			free(target);
			if (r == 0)
				return 0;
			if (errno == EEXIST)
				continue;
			return -1;
		}
		int fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		                0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -1;
		if (write_all(fd, data, len) < 0 || fchmod(fd, perm) < 0 || fsync(fd) < 0) {
			int saved = errno;

			close(fd);
			unlinkat(pfd, tmp, 0);
			errno = saved;
			return -1;
		}
		return close(fd);
	}
	errno = EEXIST;
	return -1;
}

int
snap_restore_write(struct snap_store *s, int root, const char *path, const git_oid *id,
                   git_filemode_t mode, unsigned perm)
{
	git_blob *blob = NULL;
	const char *leaf;
	char tmp[64];
	int rc, pfd;

	if ((rc = G(git_blob_lookup(&blob, s->repo, id))) < 0)
		return rc;
	pfd = open_parent(root, path, true, &leaf);
	if (pfd < 0) {
		rc = err_set("snapshot: cannot restore %s: %s", path, strerror(errno));
		goto out;
	}
	if (make_temp(s, pfd, tmp, sizeof tmp, git_blob_rawcontent(blob),
	              (size_t)git_blob_rawsize(blob), mode, perm) < 0) {
		rc = err_set("snapshot: cannot restore %s: %s", path, strerror(errno));
		goto out;
	}
	if (renameat(pfd, tmp, pfd, leaf) < 0) {
		/* an empty directory in the way (a file replaced a dir) may go */
		if ((errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) &&
		    unlinkat(pfd, leaf, AT_REMOVEDIR) == 0 && renameat(pfd, tmp, pfd, leaf) == 0)
			goto synced;
		rc = err_set("snapshot: cannot restore %s: %s", path, strerror(errno));
		unlinkat(pfd, tmp, 0);
		goto out;
	}
synced:
	fsync(pfd);
out:
	if (pfd >= 0)
		close(pfd);
	git_blob_free(blob);
	return rc;
}

int
snap_restore_remove(int root, const char *path)
{
	const char *leaf;
	struct stat st;
	int pfd = open_parent(root, path, false, &leaf), rc = 0;

	if (pfd < 0)
		return 0;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		if (unlinkat(pfd, leaf, 0) == 0)
			rc = 1;
		else if (errno != ENOENT)
			rc = err_set("snapshot: cannot remove %s: %s", path, strerror(errno));
	}
	close(pfd);
	return rc;
}

bool
snap_restore_rmdir(int root, const char *path)
{
	const char *leaf;
	int pfd = open_parent(root, path, false, &leaf);
	bool ok;

	if (pfd < 0)
		return false;
	ok = unlinkat(pfd, leaf, AT_REMOVEDIR) == 0;
	close(pfd);
	return ok;
}

int
snap_restore_mkdir(int root, const char *path)
{
	const char *leaf;
	int pfd = open_parent(root, path, true, &leaf), rc = 0;

	if (pfd < 0)
		return err_set("snapshot: cannot create %s/: %s", path, strerror(errno));
	if (mkdirat(pfd, leaf, 0777) == 0)
		rc = 1;
	else if (errno != EEXIST)
		rc = err_set("snapshot: cannot create %s/: %s", path, strerror(errno));
	close(pfd);
	return rc;
}

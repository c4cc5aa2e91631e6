/* SPDX-License-Identifier: MIT */
/*
 * Temp file + fsync + rename + directory fsync, once for the whole program.
 * Not path resolution: callers open the directory (core/beneath.h for
 * folders the agent works in).
 */
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

#define TMP_TRIES 32

int
atomic_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#define TMP_PREFIX ".dh-tmp-"

static void
tmp_name(char name[static 64], int tries)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint64_t)getpid() * 2654435761u + (uint64_t)tries;
	snprintf(name, 64, TMP_PREFIX "%016llx", (unsigned long long)r);
}

bool
atomic_is_temp_name(const char *name)
{
	size_t n = strlen(TMP_PREFIX);

	if (strncmp(name, TMP_PREFIX, n) || strlen(name) != n + 16)
		return false;
	return strspn(name + n, "0123456789abcdef") == 16;
}

int
atomic_rename_noreplace(int sfd, const char *sname, int dfd, const char *dname)
{
	if (renameat2(sfd, sname, dfd, dname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	struct stat st;
	int saved = errno;

	if (fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT) {
		errno = saved;
		return -1;
	}
	/* XXX: racy, but only on file systems without RENAME_NOREPLACE. */
	return renameat(sfd, sname, dfd, dname);
}

/* Rename the finished temporary file onto leaf and make it durable; on any
 * failure (e != 0 on entry included) remove the temporary file. */
static int
commit(int dfd, const char *tmp, const char *leaf, unsigned flags, int e)
{
	if (!e) {
		int r = flags & ATOMIC_NOREPLACE ? atomic_rename_noreplace(dfd, tmp, dfd, leaf)
		                                 : renameat(dfd, tmp, dfd, leaf);
		if (r < 0)
			e = errno;
	}
	if (e) {
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	/* the directory entry; best effort (EBADF for an O_PATH fd) */
	if (!(flags & ATOMIC_NODIRSYNC))
		fsync(dfd);
	return 0;
}

/* Write from data, or from srcfd when srcfd >= 0, into a new temporary file. */
static int
put(int dfd, const char *leaf, const void *data, size_t len, int srcfd, int mode, unsigned flags)
{
	char tmp[64];
	int fd = -1, e = 0;

	for (int tries = 0; fd < 0 && tries < TMP_TRIES; tries++) {
		tmp_name(tmp, tries);
		/* 0600 until fchmod when the mode is given: never wider than asked */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		            mode >= 0 ? 0600 : 0666);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1; /* EEXIST every time */
	if (srcfd < 0) {
		if (atomic_write_all(fd, data ? data : "", len) < 0)
			e = errno;
	} else {
		char chunk[65536];

		for (;;) {
			ssize_t n = read(srcfd, chunk, sizeof chunk);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n < 0)
					e = errno;
				break;
			}
			if (atomic_write_all(fd, chunk, (size_t)n) < 0) {
				e = errno;
				break;
			}
		}
	}
	if (!e && mode >= 0 && fchmod(fd, (mode_t)mode) < 0)
		e = errno;
	if (!e && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	return commit(dfd, tmp, leaf, flags, e);
}

int
atomic_write_at(int dirfd, const char *leaf, const void *data, size_t len, int mode, unsigned flags)
{
	return put(dirfd, leaf, data, len, -1, mode, flags);
}

int
atomic_copy_at(int dirfd, const char *leaf, int srcfd, int mode, unsigned flags)
{
	return put(dirfd, leaf, NULL, 0, srcfd, mode, flags);
}

int
atomic_symlink_at(int dirfd, const char *leaf, const char *target, unsigned flags)
{
	char tmp[64];

	for (int tries = 0; tries < TMP_TRIES; tries++) {
		tmp_name(tmp, tries);
		if (symlinkat(target, dirfd, tmp) == 0)
			return commit(dirfd, tmp, leaf, flags, 0);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
atomic_write(const char *path, const void *data, size_t len, int mode)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	const char *leaf = slash ? slash + 1 : path;
	int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (dfd < 0)
		rc = err_set("write %s: cannot open its folder: %s", path, strerror(errno));
	else if (!*leaf)
		rc = err_set("write %s: not a file name", path);
	else if (atomic_write_at(dfd, leaf, data, len, mode, 0) < 0)
		rc = err_set("write %s: %s", path, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return rc;
}

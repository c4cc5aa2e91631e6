/* SPDX-License-Identifier: MIT */
/*
 * Resolving paths beneath a directory fd with openat2(2). Only resolution:
 * what a caller may do with the file (grants' deny list, restores' plans) is
 * the caller's business.
 */
#include "core/beneath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/xalloc.h"

#define RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)
#define OPEN_TRIES    16 /* EAGAIN from RESOLVE_BENEATH under concurrent renames */

int
beneath_open(int dirfd, const char *rel, int oflags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(oflags | O_CLOEXEC);
	/* O_TMPFILE includes the O_DIRECTORY bit: test all of it */
	if ((oflags & O_CREAT) || (oflags & O_TMPFILE) == O_TMPFILE)
		how.mode = 0666;
	how.resolve = RESOLVE_FLAGS;
	for (int tries = 0;; tries++) {
		long fd = syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how, sizeof how);

		if (fd >= 0)
			return (int)fd;
		if ((errno == EAGAIN || errno == EINTR) && tries < OPEN_TRIES)
			continue;
		return -1;
	}
}

/* Make every missing directory of `parent` beneath dirfd, one component at a
 * time so that each step is resolved beneath the last. 0 or -1/errno. */
static int
make_dirs(int dirfd, const char *parent)
{
	int fd = beneath_open(dirfd, "", O_RDONLY | O_DIRECTORY);
	const char *p = parent;

	while (fd >= 0 && *p) {
		size_t n = strcspn(p, "/");
		char *comp = xstrndup(p, n);
		int nfd = beneath_open(fd, comp, O_RDONLY | O_DIRECTORY);

		if (nfd < 0 && errno == ENOENT && (mkdirat(fd, comp, 0777) == 0 || errno == EEXIST))
			nfd = beneath_open(fd, comp, O_RDONLY | O_DIRECTORY);
		int e = errno;

		free(comp);
		close(fd);
		errno = e;
		fd = nfd;
		p += n;
		p += strspn(p, "/");
	}
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
beneath_open_parent(int dirfd, const char *rel, int oflags, bool create, const char **leaf)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;

	*leaf = name;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return -1;
	}
	char *parent = xstrndup(rel, slash ? (size_t)(slash - rel) : 0);
	/* No O_NOFOLLOW: a symlinked parent must fail with ELOOP, not be opened. */
	int fd = beneath_open(dirfd, parent, oflags | O_DIRECTORY);

	if (fd < 0 && errno == ENOENT && create && make_dirs(dirfd, parent) == 0)
		fd = beneath_open(dirfd, parent, oflags | O_DIRECTORY);
	int e = errno;

	free(parent);
	errno = e;
	return fd;
}

int
beneath_remove(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0);
	int fd = beneath_open(dfd, name, O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0, e;

	if (!d) {
		e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = beneath_remove(dirfd(d), de->d_name);
	e = errno;
	closedir(d);
	errno = e;
	return r < 0 ? -1 : unlinkat(dfd, name, AT_REMOVEDIR);
}

int
beneath_move_aside(int dfd, const char *name, char **out)
{
	*out = NULL;
	for (int n = 1; n <= 100; n++) {
		char *aside = xasprintf("%s.removed-by-deskhand-%d", name, n);

		if (atomic_rename_noreplace(dfd, name, dfd, aside) == 0) {
			*out = aside;
			return 0;
		}
		int e = errno;

		free(aside);
		if (e != EEXIST && e != ENOTEMPTY) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

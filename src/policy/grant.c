/* SPDX-License-Identifier: MIT */
/*
 * Granted folders: path resolution, the mandatory-deny list and the openat2
 * helpers every host-side file tool goes through (SANDBOX.md §4.5). Not the
 * permission rules (allow/ask/deny) and not the sandbox for commands.
 */
#include "policy/grant.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/array.h"
#include "core/atomic.h"
#include "core/beneath.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "../../sandbox/protected_paths.h"

#define SEP(rel)      (*(rel) ? "/" : "") /* between a grant path and rel */
#define READ_MAX_DEF  (64u << 20)         /* grant_read() with max_size 0 */

struct grant_set {
	struct grant **v; /* each allocated once: grant_get() pointers stay valid */
	size_t n, cap;
};

/*
 * Error reporting
 */

/* Map an errno from resolving gr/rel to a DH_E* code and message. */
static int
path_err(const struct grant *gr, const char *rel, int e)
{
	const char *sep = SEP(rel);

	switch (e) {
	case ELOOP:
		return err_setc(DH_EDENIED, "'%s%s%s': refused: symlink in path", gr->path, sep,
		                rel);
	case EXDEV:
		return err_setc(DH_EDENIED, "'%s%s%s': refused: leaves the grant", gr->path, sep,
		                rel);
	case ENOENT:
		return err_setc(DH_ENOTFOUND, "'%s%s%s': no such file or directory", gr->path, sep,
		                rel);
	case ENOTDIR:
		return err_setc(DH_EFAIL, "'%s%s%s': a component of the path is not a directory",
		                gr->path, sep, rel);
	case EAGAIN:
		return err_setc(DH_EFAIL, "'%s%s%s': the folder kept changing while resolving",
		                gr->path, sep, rel);
	case ENOSYS:
		return err_setc(DH_EFAIL,
		                "'%s%s%s': openat2 is not supported (Linux >= 5.6 needed)",
		                gr->path, sep, rel);
	default:
		return err_setc(DH_EFAIL, "'%s%s%s': %s", gr->path, sep, rel, strerror(e));
	}
}

static const char *
type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	if (S_ISLNK(m))
		return "symlink";
	if (S_ISDIR(m))
		return "directory";
	return "special file";
}

/*
 * openat2
 */

/* core/beneath.h's beneath_open() under gr with the error mapped to DH_E*
 * and a message. */
static int
open_in(const struct grant *gr, const char *rel, int flags, int *out_fd)
{
	int fd = beneath_open(gr->dirfd, rel, flags);

	*out_fd = fd;
	return fd >= 0 ? 0 : path_err(gr, rel, errno);
}

/* Open rel's parent as a directory with `flags` (O_PATH or O_RDONLY); *out_leaf
 * points into rel. */
static int
open_parent(const struct grant *gr, const char *rel, int flags, int *out_fd, const char **out_leaf)
{
	if (!*rel) {
		*out_fd = -1;
		*out_leaf = rel;
		return err_setc(DH_EDENIED,
		                "'%s': refused: the granted folder itself cannot be "
		                "replaced, moved or removed",
		                gr->path);
	}
	*out_fd = beneath_open_parent(gr->dirfd, rel, flags, false, out_leaf);
	if (*out_fd >= 0)
		return 0;
	if (errno == EINVAL)
		return err_setc(DH_EDENIED, "'%s%s%s': refused: bad last component", gr->path,
		                SEP(rel), rel);
	return path_err(gr, rel, errno);
}

/* Is dirfd/name a directory shaped like a git directory (HEAD, objects/,
 * refs/)? Never follows a symlink. */
static bool
is_git_dir(int dirfd, const char *name)
{
	int fd = beneath_open(dirfd, name, O_PATH | O_DIRECTORY);
	struct stat h, o, r;
	bool yes;

	if (fd < 0)
		return false;
	yes = fstatat(fd, "HEAD", &h, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(h.st_mode) &&
	      fstatat(fd, "objects", &o, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(o.st_mode) &&
	      fstatat(fd, "refs", &r, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(r.st_mode);
	close(fd);
	return yes;
}

/* The mandatory-deny list by content, not name: a mutation of a git
 * directory itself, of its hooks/ or of its config is refused whatever the
 * directory is called, so renaming .git (a run_command can: `mv .git g; ln -s
 * g .git`) does not carry the protection away (SANDBOX.md §4.5 step 6). */
static int
git_guard(const struct grant *gr, const char *rel)
{
	char *prefix = xstrdup(rel);
	int rc = 0;

	/* Each ancestor P of rel (the grant root "" included) and rel itself. */
	for (size_t at = 0;; at++) {
		if (rel[at] != '/' && rel[at] != '\0' && at != 0)
			continue;
		size_t plen = at;
		const char *rest = rel + at + (rel[at] == '/');

		prefix[plen] = '\0';
		if (is_git_dir(gr->dirfd, prefix) &&
		    (!*rest || (!strncasecmp(rest, "hooks", 5) && (!rest[5] || rest[5] == '/')) ||
		     !strcasecmp(rest, "config"))) {
			rc = err_setc(DH_EDENIED,
			              "'%s%s%s': refused: '%s%s%s' is a git directory, and its "
			              "hooks and config are protected",
			              gr->path, SEP(rel), rel, gr->path, SEP(prefix), prefix);
			break;
		}
		if (rel[at] == '\0')
			break;
		memcpy(prefix, rel, strlen(rel) + 1);
	}
	free(prefix);
	return rc;
}

int
grant_open_parent(const struct grant *gr, const char *rel, int *out_fd, const char **out_leaf)
{
	return open_parent(gr, rel, O_PATH, out_fd, out_leaf);
}

int
grant_open_read(const struct grant *gr, const char *rel, size_t max_size, int *out_fd,
                struct stat *out_st)
{
	struct stat st, st2;
	int pfd = -1, fd = -1, rc;

	*out_fd = -1;
	/* Look with O_PATH first: opening a device or FIFO for reading can have
	 * side effects (or block), O_PATH has none. */
	if ((rc = open_in(gr, rel, O_PATH | O_NOFOLLOW, &pfd)) < 0)
		return rc;
	if (fstat(pfd, &st) < 0) {
		rc = path_err(gr, rel, errno);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = path_err(gr, rel, ELOOP);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = err_setc(DH_EFAIL, "'%s%s%s' is a directory", gr->path, SEP(rel), rel);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_setc(DH_EDENIED, "'%s%s%s': refused: not a regular file (%s)", gr->path,
		              SEP(rel), rel, type_name(st.st_mode));
		goto out;
	}
	if (max_size && (uintmax_t)st.st_size > max_size) {
		rc = err_setc(DH_EFAIL, "'%s%s%s' is too large (%jd bytes; the limit is %zu)",
		              gr->path, SEP(rel), rel, (intmax_t)st.st_size, max_size);
		goto out;
	}
	if ((rc = open_in(gr, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, &fd)) < 0)
		goto out;
	/* The name may have been swapped between the two opens. */
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    !S_ISREG(st2.st_mode)) {
		rc = err_setc(DH_EDENIED, "'%s%s%s': refused: the file changed while opening",
		              gr->path, SEP(rel), rel);
		goto out;
	}
	*out_fd = fd;
	fd = -1;
	if (out_st)
		*out_st = st2;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	close(pfd);
	return rc;
}

int
grant_read(const struct grant *gr, const char *rel, size_t max_size, struct buf *out)
{
	struct stat st;
	int fd, rc;

	if (!max_size)
		max_size = READ_MAX_DEF;
	if ((rc = grant_open_read(gr, rel, max_size, &fd, &st)) < 0)
		return rc;
	size_t total = 0;
	for (;;) {
		buf_grow(out, 65536);
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_setc(DH_EFAIL, "'%s%s%s': read: %s", gr->path, SEP(rel), rel,
			              strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		total += (size_t)n;
		if (total > max_size) {
			rc = err_setc(DH_EFAIL, "'%s%s%s' is too large (the limit is %zu bytes)",
			              gr->path, SEP(rel), rel, max_size);
			break;
		}
	}
	close(fd);
	return rc;
}

int
grant_open_dir(const struct grant *gr, const char *rel, int *out_fd)
{
	/* No O_NOFOLLOW: with it a symlink leaf gives ENOTDIR instead of ELOOP. */
	int fd = beneath_open(gr->dirfd, rel, O_RDONLY | O_DIRECTORY);
	int e = errno;

	*out_fd = fd;
	if (fd < 0 && e == ENOTDIR) {
		struct stat st;

		/* The leaf, or a component above it? */
		if (grant_lstat(gr, rel, &st) == 0 && S_ISLNK(st.st_mode))
			return path_err(gr, rel, ELOOP);
		if (grant_lstat(gr, rel, &st) == 0 && !S_ISDIR(st.st_mode))
			return err_setc(DH_EFAIL, "'%s%s%s' is not a directory", gr->path, SEP(rel),
			                rel);
	}
	return fd >= 0 ? 0 : path_err(gr, rel, e);
}

int
grant_lstat(const struct grant *gr, const char *rel, struct stat *out)
{
	const char *leaf;
	int pfd, rc;

	if (!*rel)
		return fstat(gr->dirfd, out) < 0 ? path_err(gr, rel, errno) : 0;
	if ((rc = open_parent(gr, rel, O_PATH, &pfd, &leaf)) < 0)
		return rc;
	if (fstatat(pfd, leaf, out, AT_SYMLINK_NOFOLLOW) < 0)
		rc = path_err(gr, rel, errno);
	close(pfd);
	return rc;
}

/*
 * Writing
 */

int
grant_write(const struct grant *gr, const char *rel, const void *data, size_t len,
            bool *out_created)
{
	const char *leaf;
	struct stat st;
	int pfd, rc, mode = -1;
	bool created = false;

	if ((rc = git_guard(gr, rel)) < 0)
		return rc;
	if ((rc = open_parent(gr, rel, O_RDONLY, &pfd, &leaf)) < 0)
		return rc;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			rc = path_err(gr, rel, ELOOP);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = err_setc(DH_EFAIL, "'%s%s%s' is a directory", gr->path, SEP(rel), rel);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			rc = err_setc(DH_EDENIED, "'%s%s%s': refused: not a regular file (%s)",
			              gr->path, SEP(rel), rel, type_name(st.st_mode));
			goto out;
		}
		if (st.st_nlink > 1) {
			rc = err_setc(DH_EDENIED,
			              "'%s%s%s': refused: the file has %ju hard links (writing it "
			              "would change the other names too)",
			              gr->path, SEP(rel), rel, (uintmax_t)st.st_nlink);
			goto out;
		}
		mode = (int)(st.st_mode & 07777);
	} else if (errno == ENOENT) {
		created = true;
	} else {
		rc = path_err(gr, rel, errno);
		goto out;
	}
	if (atomic_write_at(pfd, leaf, data, len, mode, created ? ATOMIC_NOREPLACE : 0) < 0) {
		rc = errno == EEXIST ? err_setc(DH_ECONFLICT, "'%s%s%s' appeared while writing",
		                                gr->path, SEP(rel), rel)
		                     : path_err(gr, rel, errno);
		goto out;
	}
	if (out_created)
		*out_created = created;
out:
	close(pfd);
	return rc;
}

int
grant_unlink(const struct grant *gr, const char *rel)
{
	const char *leaf;
	struct stat st;
	int pfd, rc;

	if ((rc = git_guard(gr, rel)) < 0)
		return rc;
	if ((rc = open_parent(gr, rel, O_PATH, &pfd, &leaf)) < 0)
		return rc;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = path_err(gr, rel, errno);
	} else if (unlinkat(pfd, leaf, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0) {
		if (errno == ENOTEMPTY || errno == EEXIST)
			rc = err_setc(DH_EFAIL, "'%s%s%s' is a directory and not empty", gr->path,
			              SEP(rel), rel);
		else
			rc = path_err(gr, rel, errno);
	}
	close(pfd);
	return rc;
}

int
grant_mkdirs(const struct grant *gr, const char *rel, bool *out_created)
{
	if (git_guard(gr, rel) < 0)
		return DH_EDENIED;

	char *prefix = xstrdup(rel);
	const char *p = rel;
	int cur = gr->dirfd, rc = 0;
	bool created = false;

	/* Step one component at a time so that each mkdirat sees a directory
	 * fd that was itself opened beneath the grant. */
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		char *comp = xstrndup(p, n);
		int next = -1;

		prefix[end - rel] = '\0';
		created = false;
		if (n == 0 || !strcmp(comp, ".") || !strcmp(comp, "..")) {
			rc = path_err(gr, prefix, EXDEV);
		} else if (mkdirat(cur, comp, 0777) == 0) {
			created = true;
		} else if (errno != EEXIST) {
			rc = path_err(gr, prefix, errno);
		}
		if (!rc && (next = beneath_open(cur, comp, O_PATH | O_DIRECTORY)) < 0) {
			if (errno == ENOTDIR)
				rc = err_setc(DH_EFAIL, "'%s%s%s' exists and is not a directory",
				              gr->path, SEP(prefix), prefix);
			else
				rc = path_err(gr, prefix, errno);
		}
		free(comp);
		prefix[end - rel] = *end;
		if (rc < 0)
			break;
		if (cur != gr->dirfd)
			close(cur);
		cur = next;
		p = *end ? end + 1 : end;
	}
	if (cur != gr->dirfd)
		close(cur);
	free(prefix);
	if (!rc && out_created)
		*out_created = created;
	return rc;
}

bool
grant_in_git(const char *rel)
{
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 4 && !strncasecmp(p, ".git", 4))
			return true;
		p += n + (p[n] == '/');
	}
	return false;
}

int
grant_take_back(const struct grant *gr, const char *rel, char **out_aside)
{
	const char *leaf;
	int pfd, rc;

	*out_aside = NULL;
	if ((rc = open_parent(gr, rel, O_RDONLY, &pfd, &leaf)) < 0)
		return rc;
	if (!grant_in_git(rel)) {
		if (beneath_remove(pfd, leaf) < 0)
			rc = path_err(gr, rel, errno);
		close(pfd);
		return rc;
	}
	char *aleaf;

	if (beneath_move_aside(pfd, leaf, &aleaf) == 0) {
		*out_aside = xasprintf("%.*s%s", (int)(leaf - rel), rel, aleaf);
		free(aleaf);
	} else if (errno == EEXIST) {
		rc = err_setc(DH_ECONFLICT, "'%s%s%s': no free name to move it aside", gr->path,
		              SEP(rel), rel);
	} else {
		rc = path_err(gr, rel, errno);
	}
	close(pfd);
	return rc;
}

/*
 * Copies of protected files
 */

/* Read the regular file open on fd into c->data when it is one of at most
 * max bytes. */
static void
copy_read(int fd, size_t max, struct grant_copy *c)
{
	struct stat st;
	char chunk[8192];
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && c->data.len + (size_t)n <= max)
		buf_add(&c->data, chunk, (size_t)n);
	if (n == 0)
		c->has_data = true;
	else
		buf_clear(&c->data); /* it grew, or could not be read: no copy */
}

/* The target of the symlink pfd/leaf (heap), or NULL. */
static char *
link_target(int pfd, const char *leaf)
{
	char t[PATH_MAX];
	ssize_t n = readlinkat(pfd, leaf, t, sizeof t - 1);

	if (n < 0)
		return NULL;
	t[n] = '\0';
	return xstrdup(t);
}

/* The st_mode of each directory on the way to rel beneath gr into
 * c->dir_modes (0 where one cannot be looked at). */
static void
copy_dir_modes(const struct grant *gr, const char *rel, struct grant_copy *c)
{
	char *prefix = xstrdup(rel);
	size_t n = 0;

	for (const char *p = strchr(rel, '/'); p; p = strchr(p + 1, '/'))
		n++;
	c->dir_modes = n ? xcalloc(n, sizeof *c->dir_modes) : NULL;
	c->ndirs = n;
	n = 0;
	for (char *p = strchr(prefix, '/'); p; p = strchr(p + 1, '/'), n++) {
		struct stat st;
		int fd;

		*p = '\0';
		if ((fd = beneath_open(gr->dirfd, prefix, O_PATH | O_DIRECTORY)) >= 0) {
			if (fstat(fd, &st) == 0)
				c->dir_modes[n] = st.st_mode;
			close(fd);
		}
		*p = '/';
	}
	free(prefix);
}

int
grant_copy_take(const struct grant *gr, const char *rel, size_t max_size, struct grant_copy *out)
{
	const char *leaf;
	int pfd, rc;

	memset(out, 0, sizeof *out);
	buf_init(&out->data);
	if ((rc = open_parent(gr, rel, O_PATH, &pfd, &leaf)) < 0)
		return rc == DH_ENOTFOUND ? 0 : rc;
	if (fstatat(pfd, leaf, &out->st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? 0 : path_err(gr, rel, errno);
		close(pfd);
		return rc;
	}
	out->there = true;
	copy_dir_modes(gr, rel, out);
	if (S_ISLNK(out->st.st_mode))
		out->target = link_target(pfd, leaf);
	if (S_ISREG(out->st.st_mode) || S_ISLNK(out->st.st_mode)) {
		/* a link is followed: the bytes of the file it names */
		int fd = openat(pfd, leaf,
		                O_RDONLY | O_NONBLOCK | O_CLOEXEC |
		                        (S_ISLNK(out->st.st_mode) ? 0 : O_NOFOLLOW));

		if (fd >= 0) {
			copy_read(fd, max_size, out);
			close(fd);
		}
	}
	close(pfd);
	return 0;
}

bool
grant_copy_same(const struct grant_copy *a, const struct grant_copy *b)
{
	if (a->there != b->there)
		return false;
	if (!a->there)
		return true;
	if ((a->st.st_mode & S_IFMT) != (b->st.st_mode & S_IFMT) ||
	    (!S_ISLNK(a->st.st_mode) && (a->st.st_mode & 07777) != (b->st.st_mode & 07777)))
		return false;
	if (S_ISDIR(a->st.st_mode)) /* what is in it has copies of its own */
		return true;
	if ((a->target || b->target) &&
	    (!a->target || !b->target || strcmp(a->target, b->target) != 0))
		return false;
	if (a->has_data != b->has_data)
		return false;
	if (a->has_data)
		return a->data.len == b->data.len &&
		       (!a->data.len || !memcmp(a->data.ptr, b->data.ptr, a->data.len));
	return a->st.st_ino == b->st.st_ino && a->st.st_size == b->st.st_size &&
	       a->st.st_mtim.tv_sec == b->st.st_mtim.tv_sec &&
	       a->st.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec;
}

/* Write `was`'s bytes back into the file that the symlink pfd/leaf names
 * (in place: the person's file keeps its inode and other names). */
static int
copy_through(const struct grant *gr, const char *rel, int pfd, const char *leaf,
             const struct grant_copy *was)
{
	int fd = openat(pfd, leaf, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int rc = 0;

	if (fd < 0)
		return path_err(gr, rel, errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = err_setc(DH_EFAIL, "'%s%s%s': the link no longer names a regular file",
		              gr->path, SEP(rel), rel);
	else if (ftruncate(fd, 0) < 0 || atomic_write_all(fd, was->data.ptr, was->data.len) < 0)
		rc = path_err(gr, rel, errno);
	close(fd);
	return rc;
}

/* The directories on the way to a file put back (copy_path_open): fds[0]
 * is the grant's, fds[i + 1] its i-th component's, open O_RDONLY; made[i]
 * when copy_path_open made it. */
struct copy_path {
	size_t n; /* components */
	int *fds;
	bool *made;
};

static void
copy_path_close(struct copy_path *cp)
{
	for (size_t i = 0; cp->fds && i <= cp->n; i++)
		if (cp->fds[i] >= 0)
			close(cp->fds[i]);
	free(cp->fds);
	free(cp->made);
	memset(cp, 0, sizeof *cp);
}

/* Open each directory on the way to rel beneath gr (cp->fds[cp->n] holds the
 * file), making those that are gone (the command removed them with the
 * file): one whose bits `was` knows is made 0700, for what goes into it,
 * and takes its own bits in copy_path_modes(); another 0777 & ~umask. 0, or
 * the error as path_err(); cp is the caller's to copy_path_close(). */
static int
copy_path_open(const struct grant *gr, const char *rel, const struct grant_copy *was,
               struct copy_path *cp)
{
	const char *p = rel, *leaf = strrchr(rel, '/'), *name = leaf ? leaf + 1 : rel;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return path_err(gr, rel, EINVAL);
	cp->n = 0;
	for (const char *q = rel; leaf && (q = strchr(q, '/')); q++)
		cp->n++;
	cp->fds = xcalloc(cp->n + 1, sizeof *cp->fds);
	cp->made = xcalloc(cp->n + 1, sizeof *cp->made);
	for (size_t i = 0; i <= cp->n; i++)
		cp->fds[i] = -1;
	if ((cp->fds[0] = beneath_open(gr->dirfd, "", O_RDONLY | O_DIRECTORY)) < 0)
		return path_err(gr, "", errno);
	for (size_t i = 0; i < cp->n; i++) {
		size_t len = strcspn(p, "/");
		char *comp = xstrndup(p, len);
		bool known = i < was->ndirs && S_ISDIR(was->dir_modes[i]);
		int fd = beneath_open(cp->fds[i], comp, O_RDONLY | O_DIRECTORY);

		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(cp->fds[i], comp, known ? 0700 : 0777) == 0)
				cp->made[i] = true;
			if (cp->made[i] || errno == EEXIST)
				fd = beneath_open(cp->fds[i], comp, O_RDONLY | O_DIRECTORY);
		}
		free(comp);
		if (fd < 0)
			return path_err(gr, rel, errno);
		cp->fds[i + 1] = fd;
		p += len + 1;
	}
	return 0;
}

/* Note that the directory rel (its first len bytes) is to get `mode`
 * (grant_dir_modes_apply). */
static void
dir_modes_add(struct grant_dir_modes *m, const char *rel, size_t len, mode_t mode)
{
	ARRAY_PUSH(m, (struct grant_dir_mode){ .rel = xstrndup(rel, len), .mode = mode & 07777 });
}

/* Give each directory copy_path_open() made the bits `was` knows of it,
 * the deepest first; with `later`, note them there instead. */
static int
copy_path_modes(const struct grant *gr, const char *rel, const struct grant_copy *was,
                const struct copy_path *cp, struct grant_dir_modes *later)
{
	for (size_t i = cp->n; i-- > 0;) {
		if (!cp->made[i] || i >= was->ndirs || !S_ISDIR(was->dir_modes[i]))
			continue;
		if (later) {
			const char *end = rel;

			for (size_t k = 0; k <= i; k++)
				end = strchr(end, '/') + 1;
			dir_modes_add(later, rel, (size_t)(end - 1 - rel), was->dir_modes[i]);
		} else if (fchmod(cp->fds[i + 1], was->dir_modes[i] & 07777) < 0) {
			return path_err(gr, rel, errno);
		}
	}
	return 0;
}

/* grant_copy_put_later() of a directory: made again (0700, for what goes
 * into it) when it is gone, or when something else stands there (taken
 * back first), with its bits noted in `later`, or given now; one that is
 * there gets its bits back. */
static int
copy_dir_put(const struct grant *gr, const char *rel, const struct grant_copy *was,
             char **out_aside, struct grant_dir_modes *later)
{
	const char *leaf = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	struct copy_path cp = { 0 };
	struct stat st;
	int rc = grant_lstat(gr, rel, &st), fd;

	if (rc < 0 && rc != DH_ENOTFOUND)
		return rc;
	if (rc == 0 && !S_ISDIR(st.st_mode) && (rc = grant_take_back(gr, rel, out_aside)) < 0)
		return rc;
	if ((rc = copy_path_open(gr, rel, was, &cp)) < 0)
		goto out;
	if (mkdirat(cp.fds[cp.n], leaf, 0700) < 0 && errno != EEXIST) {
		rc = path_err(gr, rel, errno);
		goto out;
	}
	if (later) {
		dir_modes_add(later, rel, strlen(rel), was->st.st_mode);
	} else if ((fd = beneath_open(cp.fds[cp.n], leaf, O_RDONLY | O_DIRECTORY)) < 0 ||
	           fchmod(fd, was->st.st_mode & 07777) < 0) {
		rc = path_err(gr, rel, errno);
		if (fd >= 0)
			close(fd);
		goto out;
	} else {
		close(fd);
	}
	rc = copy_path_modes(gr, rel, was, &cp, later);
out:
	copy_path_close(&cp);
	return rc;
}

int
grant_copy_put(const struct grant *gr, const char *rel, const struct grant_copy *was,
               char **out_aside)
{
	return grant_copy_put_later(gr, rel, was, out_aside, NULL);
}

int
grant_copy_put_later(const struct grant *gr, const char *rel, const struct grant_copy *was,
                     char **out_aside, struct grant_dir_modes *later)
{
	bool link = was->there && S_ISLNK(was->st.st_mode) && was->target;
	struct grant_copy now;
	struct copy_path cp = { 0 };
	const char *leaf = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	int pfd, rc;

	*out_aside = NULL;
	if (was->there && S_ISDIR(was->st.st_mode))
		return copy_dir_put(gr, rel, was, out_aside, later);
	if (!was->there || !(link || (S_ISREG(was->st.st_mode) && was->has_data)))
		return err_setc(DH_EFAIL, "'%s%s%s': deskhand kept no copy of it", gr->path,
		                SEP(rel), rel);
	if ((rc = grant_copy_take(gr, rel, was->data.len, &now)) < 0) {
		grant_copy_fini(&now);
		return rc;
	}
	bool keep_link = link && now.there && S_ISLNK(now.st.st_mode) && now.target &&
	                 !strcmp(now.target, was->target);
	bool same_bytes = now.has_data && now.data.len == was->data.len &&
	                  (!was->data.len || !memcmp(now.data.ptr, was->data.ptr, was->data.len));

	if (now.there && !keep_link && (rc = grant_take_back(gr, rel, out_aside)) < 0) {
		grant_copy_fini(&now);
		return rc;
	}
	/* The command may have removed the directory with the file (rm -r
	 * .git/hooks): make it again, each component beneath the grant. */
	if ((rc = copy_path_open(gr, rel, was, &cp)) < 0) {
		copy_path_close(&cp);
		grant_copy_fini(&now);
		return rc;
	}
	pfd = cp.fds[cp.n];
	if (keep_link) {
		if (was->has_data && !same_bytes)
			rc = copy_through(gr, rel, pfd, leaf, was);
	} else if (link) {
		if (atomic_symlink_at(pfd, leaf, was->target, ATOMIC_NOREPLACE) < 0)
			rc = path_err(gr, rel, errno);
	} else if (atomic_write_at(pfd, leaf, was->data.ptr, was->data.len,
	                           (int)(was->st.st_mode & 07777), ATOMIC_NOREPLACE) < 0) {
		rc = path_err(gr, rel, errno);
	}
	if (rc == 0)
		rc = copy_path_modes(gr, rel, was, &cp, later);
	copy_path_close(&cp);
	grant_copy_fini(&now);
	return rc;
}

/* Names in reverse order, for qsort: a directory's path is a prefix of its
 * children's, so each comes after everything beneath it. */
static int
dir_mode_cmp(const void *a, const void *b)
{
	return strcmp(((const struct grant_dir_mode *)b)->rel, ((const struct grant_dir_mode *)a)->rel);
}

int
grant_dir_modes_apply(const struct grant *gr, struct grant_dir_modes *m)
{
	int rc = 0;

	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, dir_mode_cmp);
	for (size_t i = 0; i < m->n; i++) {
		int fd = beneath_open(gr->dirfd, m->v[i].rel, O_RDONLY | O_DIRECTORY);

		if ((fd < 0 || fchmod(fd, m->v[i].mode) < 0) && rc == 0)
			rc = path_err(gr, m->v[i].rel, errno);
		if (fd >= 0)
			close(fd);
	}
	grant_dir_modes_fini(m);
	return rc;
}

void
grant_dir_modes_fini(struct grant_dir_modes *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].rel);
	free(m->v);
	memset(m, 0, sizeof *m);
}

void
grant_copy_pack(struct buf *out, const char *path, const struct grant_copy *c)
{
	size_t tlen = c->target ? strlen(c->target) : 0;

	buf_printf(out, "copy %zu %zu %zu %d %o %zu %ju %jd %jd %ld\n", strlen(path), tlen,
	           c->data.len, c->has_data, (unsigned)c->st.st_mode, c->ndirs,
	           (uintmax_t)c->st.st_ino, (intmax_t)c->st.st_size,
	           (intmax_t)(c->st.st_mtim.tv_sec < 0 ? 0 : c->st.st_mtim.tv_sec),
	           (long)c->st.st_mtim.tv_nsec);
	buf_puts(out, path);
	if (tlen)
		buf_add(out, c->target, tlen);
	for (size_t i = 0; i < c->ndirs; i++)
		buf_printf(out, "%o ", (unsigned)c->dir_modes[i]);
	buf_putc(out, '\n');
	buf_add(out, c->data.ptr, c->data.len);
	buf_putc(out, '\n');
}

/* The next decimal (base 10) or octal (base 8) number at *p, before end, and
 * the one separator after it; false when there is none. */
static bool
unpack_num(const char **p, const char *end, int base, char sep, size_t *out)
{
	size_t v = 0;
	const char *q = *p;

	while (q < end && *q >= '0' && *q < '0' + base) {
		if (v > (SIZE_MAX - 9) / (size_t)base)
			return false;
		v = v * (size_t)base + (size_t)(*q++ - '0');
	}
	if (q == *p || q >= end || *q != sep)
		return false;
	*p = q + 1;
	*out = v;
	return true;
}

int
grant_copy_unpack(const char **p, const char *end, char **out_path, struct grant_copy *out)
{
	const char *q = *p, *r;
	size_t plen, tlen, dlen, has, mode, ndirs, m, ino = 0, size = 0, sec = 0, nsec = 0;

	memset(out, 0, sizeof *out);
	buf_init(&out->data);
	*out_path = NULL;
	if ((size_t)(end - q) < 5 || memcmp(q, "copy ", 5) != 0)
		return err_setc(DH_EFAIL, "not a kept copy");
	q += 5;
	if (!unpack_num(&q, end, 10, ' ', &plen) || !unpack_num(&q, end, 10, ' ', &tlen) ||
	    !unpack_num(&q, end, 10, ' ', &dlen) || !unpack_num(&q, end, 10, ' ', &has) ||
	    !unpack_num(&q, end, 8, ' ', &mode))
		return err_setc(DH_EFAIL, "a kept copy's header is damaged");
	/* the inode, size and mtime follow the directories' count; the line
	 * of a copy packed before they were ends there */
	r = q;
	if (unpack_num(&r, end, 10, '\n', &ndirs))
		q = r;
	else if (!unpack_num(&q, end, 10, ' ', &ndirs) || !unpack_num(&q, end, 10, ' ', &ino) ||
	         !unpack_num(&q, end, 10, ' ', &size) || !unpack_num(&q, end, 10, ' ', &sec) ||
	         !unpack_num(&q, end, 10, '\n', &nsec))
		return err_setc(DH_EFAIL, "a kept copy's header is damaged");
	if (!plen || plen > (size_t)(end - q) || tlen > (size_t)(end - q) - plen ||
	    ndirs > PATH_MAX || nsec >= 1000000000 || size > (size_t)INTMAX_MAX ||
	    sec > (size_t)INTMAX_MAX)
		return err_setc(DH_EFAIL, "a kept copy's header is damaged");
	*out_path = xstrndup(q, plen);
	q += plen;
	out->target = tlen ? xstrndup(q, tlen) : NULL;
	q += tlen;
	out->dir_modes = ndirs ? xcalloc(ndirs, sizeof *out->dir_modes) : NULL;
	out->ndirs = ndirs;
	for (size_t i = 0; i < ndirs; i++) {
		if (!unpack_num(&q, end, 8, ' ', &m))
			goto damaged;
		out->dir_modes[i] = (mode_t)m;
	}
	if (q >= end || *q++ != '\n')
		goto damaged;
	if (dlen >= (size_t)(end - q) || q[dlen] != '\n')
		goto damaged;
	buf_add(&out->data, q, dlen);
	out->has_data = has != 0;
	out->there = true;
	out->st.st_mode = (mode_t)mode;
	out->st.st_ino = (ino_t)ino;
	out->st.st_size = (off_t)size;
	out->st.st_mtim.tv_sec = (time_t)sec;
	out->st.st_mtim.tv_nsec = (long)nsec;
	*p = q + dlen + 1;
	return 0;
damaged:
	free(*out_path);
	*out_path = NULL;
	grant_copy_fini(out);
	return err_setc(DH_EFAIL, "a kept copy is damaged");
}

void
grant_copy_fini(struct grant_copy *c)
{
	free(c->target);
	free(c->dir_modes);
	buf_fini(&c->data);
	memset(c, 0, sizeof *c);
}

/* Move a regular file across file systems: copy into dst, then unlink src. */
static int
copy_across(const struct grant *src, const char *src_rel, int spfd, const char *sleaf,
            const struct grant *dst, const char *dst_rel, int dpfd, const char *dleaf,
            const struct stat *st)
{
	int fd = openat(spfd, sleaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return path_err(src, src_rel, errno);
	int r = atomic_copy_at(dpfd, dleaf, fd, (int)(st->st_mode & 07777), ATOMIC_NOREPLACE);
	int e = errno;

	close(fd);
	if (r < 0) {
		if (e == EEXIST)
			return err_setc(DH_ECONFLICT, "'%s%s%s' already exists", dst->path,
			                SEP(dst_rel), dst_rel);
		return path_err(dst, dst_rel, e);
	}
	if (unlinkat(spfd, sleaf, 0) < 0)
		return path_err(src, src_rel, errno);
	return 0;
}

int
grant_rename(const struct grant *src, const char *src_rel, const struct grant *dst,
             const char *dst_rel)
{
	const char *sleaf, *dleaf;
	struct stat st;
	int spfd = -1, dpfd = -1, rc;

	if ((rc = git_guard(src, src_rel)) < 0 || (rc = git_guard(dst, dst_rel)) < 0)
		return rc;
	if ((rc = open_parent(src, src_rel, O_PATH, &spfd, &sleaf)) < 0)
		return rc;
	if ((rc = open_parent(dst, dst_rel, O_RDONLY, &dpfd, &dleaf)) < 0)
		goto out;
	if (fstatat(spfd, sleaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = path_err(src, src_rel, errno);
		goto out;
	}
	if (atomic_rename_noreplace(spfd, sleaf, dpfd, dleaf) == 0)
		goto out;
	switch (errno) {
	case EEXIST:
	case ENOTEMPTY:
		rc = err_setc(DH_ECONFLICT, "'%s%s%s' already exists", dst->path, SEP(dst_rel),
		              dst_rel);
		break;
	case EINVAL:
		rc = err_setc(DH_EFAIL, "cannot move '%s%s%s' into itself", src->path, SEP(src_rel),
		              src_rel);
		break;
	case EXDEV:
		if (S_ISREG(st.st_mode))
			rc = copy_across(src, src_rel, spfd, sleaf, dst, dst_rel, dpfd, dleaf, &st);
		else
			rc = err_setc(DH_EFAIL,
			              "cannot move %s '%s%s%s' to another file system (only "
			              "regular files are copied across)",
			              type_name(st.st_mode), src->path, SEP(src_rel), src_rel);
		break;
	default:
		rc = path_err(dst, dst_rel, errno);
		break;
	}
out:
	if (spfd >= 0)
		close(spfd);
	if (dpfd >= 0)
		close(dpfd);
	return rc;
}

/*
 * The set and resolution
 */

int
grant_set_new(struct grant_set **out)
{
	*out = xcalloc(1, sizeof **out);
	return 0;
}

void
grant_set_free(struct grant_set *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i]->path);
		close(g->v[i]->dirfd);
		free(g->v[i]);
	}
	free(g->v);
	free(g);
}

int
grant_set_dup(const struct grant_set *g, struct grant_set **out)
{
	struct grant_set *c = xcalloc(1, sizeof *c);

	*out = NULL;
	ARRAY_RESERVE(c, g->n);
	for (size_t i = 0; i < g->n; i++) {
		int fd = fcntl(g->v[i]->dirfd, F_DUPFD_CLOEXEC, 0);

		if (fd < 0) {
			int e = errno;

			grant_set_free(c);
			return err_set("grant '%s': %s", g->v[i]->path, strerror(e));
		}
		c->v[c->n] = xmalloc(sizeof *c->v[c->n]);
		c->v[c->n]->path = xstrdup(g->v[i]->path);
		c->v[c->n]->dirfd = fd;
		c->n++;
	}
	*out = c;
	return 0;
}

int
grant_add(struct grant_set *g, const char *path)
{
	char *real = realpath(path, NULL);

	if (!real) {
		if (errno == ENOENT)
			return err_setc(DH_ENOTFOUND, "grant '%s': no such directory", path);
		return err_set("grant '%s': %s", path, strerror(errno));
	}
	if (!strcmp(real, "/")) {
		free(real);
		return err_setc(DH_EDENIED, "grant '%s': refusing to grant the whole file system",
		                path);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (!strcmp(g->v[i]->path, real)) {
			free(real);
			return 0;
		}
	}
	int fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		free(real);
		if (e == ENOTDIR)
			return err_set("grant '%s': not a directory", path);
		return err_set("grant '%s': %s", path, strerror(e));
	}
	ARRAY_RESERVE(g, 1);
	g->v[g->n] = xmalloc(sizeof *g->v[g->n]);
	g->v[g->n]->path = real;
	g->v[g->n]->dirfd = fd;
	g->n++;
	return 0;
}

size_t
grant_count(const struct grant_set *g)
{
	return g->n;
}

const struct grant *
grant_get(const struct grant_set *g, size_t i)
{
	return i < g->n ? g->v[i] : NULL;
}

/* "(/a, /b)" listing of the grants, for messages. Heap. */
static char *
grant_list(const struct grant_set *g)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '(');
	for (size_t i = 0; i < g->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", g->v[i]->path);
	buf_putc(&b, ')');
	return buf_detach(&b);
}

int
grant_resolve(const struct grant_set *g, const char *path, size_t *out_idx, char **out_rel)
{
	*out_rel = NULL;
	*out_idx = 0;
	if (!path || !*path)
		return err_setc(DH_EPARSE, "empty path");
	if (g->n == 0)
		return err_setc(DH_EDENIED, "path '%s' is refused: no folder is granted", path);

	/* Lexical normalization into "/a/b" (absolute) or "a/b" (relative). */
	struct buf norm = BUF_INIT;
	bool abs = path[0] == '/';
	const char *p = path;

	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			buf_fini(&norm);
			return err_setc(DH_EDENIED,
			                "path '%s' is refused: '..' components are not allowed",
			                path);
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (abs || norm.len)
				buf_putc(&norm, '/');
			buf_add(&norm, p, n);
		}
		p = *end ? end + 1 : end;
	}
	const char *s = buf_cstr(&norm);

	if (!abs) {
		*out_rel = buf_detach(&norm);
		return 0;
	}
	size_t best = SIZE_MAX, bestlen = 0;

	for (size_t i = 0; i < g->n; i++) {
		size_t len = strlen(g->v[i]->path);

		if (strncmp(s, g->v[i]->path, len) == 0 && (s[len] == '\0' || s[len] == '/') &&
		    (best == SIZE_MAX || len > bestlen)) {
			best = i;
			bestlen = len;
		}
	}
	if (best == SIZE_MAX) {
		char *list = grant_list(g);
		int rc = err_setc(DH_EDENIED, "path '%s' is outside the granted folders %s", path,
		                  list);

		free(list);
		buf_fini(&norm);
		return rc;
	}
	*out_idx = best;
	*out_rel = xstrdup(s[bestlen] ? s + bestlen + 1 : "");
	buf_fini(&norm);
	return 0;
}

/*
 * Mandatory-deny list
 */

/* Length of the component starting at s. */
static size_t
comp_len(const char *s)
{
	return (size_t)(strchrnul(s, '/') - s);
}

/* Does the pattern match the path components starting at `at`: every
 * component compared equal until one of the two runs out? */
static bool
match_at(const char *at, const char *pat)
{
	for (;;) {
		size_t pn = comp_len(pat), an = comp_len(at);

		if (pn == 2 && pat[0] == '*' && pat[1] == '*')
			return true; /* trailing "**": anything inside */
		if (pn != an || strncasecmp(at, pat, pn) != 0)
			return false;
		if (!at[an] || !pat[pn])
			return true; /* path is the pattern, an ancestor of it or beneath it */
		at += an + 1;
		pat += pn + 1;
	}
}

bool
grant_is_protected(const char *rel)
{
	if (!rel || !*rel)
		return false;
	for (const char *at = rel; *at;) {
		for (size_t i = 0; grant_protected_patterns[i]; i++)
			if (match_at(at, grant_protected_patterns[i]))
				return true;
		const char *end = strchrnul(at, '/');

		at = *end ? end + 1 : end;
	}
	return false;
}

/* The helper's list (sandbox/protected_paths.h): a directory's entry covers
 * everything beneath it. */
#define PROTECTED_PATTERN_0(path) path,
#define PROTECTED_PATTERN_1(path) path "/**",
#define PROTECTED_PATTERN(path, dir) PROTECTED_PATTERN_##dir(path)
const char *const grant_protected_patterns[] = { SANDBOX_PROTECTED_PATHS(PROTECTED_PATTERN) NULL };
#undef PROTECTED_PATTERN
#undef PROTECTED_PATTERN_1
#undef PROTECTED_PATTERN_0

/*
 * Walking a directory tree
 */

/* One grant_walk() under way. */
struct walk {
	const struct grant *gr;
	const char *root; /* the walk's root, grant-relative */
	const struct grant_walk_limits *lim;
	grant_walk_fn *fn;
	void *ctx;
	size_t count; /* entries counted toward lim->max_entries */
	struct buf rel; /* the entry at hand, beneath root */
};

/* The entry at hand could not be looked at (errno e): the end of a strict
 * walk, passed over in any other. */
static int
walk_fail(struct walk *w, int e)
{
	if (!(w->lim->flags & GRANT_WALK_STRICT))
		return GRANT_WALK_CONTINUE;
	return err_set("%s%s%s/%s: %s", w->gr->path, SEP(w->root), w->root, buf_cstr(&w->rel),
	               strerror(e));
}

static int walk_dir(struct walk *w, int fd, int depth);

/* Offer the entry at hand (name beneath dirfd), then go into it when it is a
 * directory that fn and lim->max_depth let in. */
static int
walk_entry(struct walk *w, int dirfd, const char *name, const struct stat *st, int depth)
{
	struct grant_walk_ent e = {
		.rel = buf_cstr(&w->rel),
		.name = name,
		.dirfd = dirfd,
		.st = st,
		.depth = depth,
	};
	int r = w->fn(&e, w->ctx), sub;

	if (r < 0 || r == GRANT_WALK_STOP)
		return r;
	if (r == GRANT_WALK_SKIP || !S_ISDIR(st->st_mode) || depth >= w->lim->max_depth)
		return GRANT_WALK_CONTINUE;
	/* O_NOFOLLOW: a directory swapped for a symlink since fstatat() is
	 * not entered (ELOOP or ENOTDIR). */
	sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return sub < 0 ? walk_fail(w, errno) : walk_dir(w, sub, depth + 1);
}

/* Every entry of the directory fd (closed) at w->rel, at depth, name by name. */
static int
walk_dir(struct walk *w, int fd, int depth)
{
	bool strict = w->lim->flags & GRANT_WALK_STRICT;
	DIR *d = fdopendir(fd);
	struct strv names = { 0 };
	size_t base = w->rel.len;
	int rc = GRANT_WALK_CONTINUE;

	if (!d) {
		int e = errno;

		close(fd);
		return walk_fail(w, e);
	}
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strv_add(&names, de->d_name);
	strv_uniq(&names);
	for (size_t i = 0; rc == GRANT_WALK_CONTINUE && i < names.n; i++) {
		const char *name = names.v[i];
		struct stat st;

		if (base)
			buf_putc(&w->rel, '/');
		buf_puts(&w->rel, name);
		if (strict && ++w->count > w->lim->max_entries)
			rc = GRANT_WALK_CAPPED;
		else if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = walk_fail(w, errno);
		else if ((w->lim->flags & GRANT_WALK_NO_GIT) && S_ISDIR(st.st_mode) &&
		         !strcmp(name, ".git"))
			; /* passed over */
		else if (!strict && ++w->count > w->lim->max_entries)
			rc = GRANT_WALK_CAPPED;
		else
			rc = walk_entry(w, dirfd(d), name, &st, depth);
		w->rel.len = base;
		w->rel.ptr[base] = '\0';
	}
	strv_free(&names);
	closedir(d);
	return rc;
}

int
grant_walk(const struct grant *gr, const char *rel, const struct grant_walk_limits *lim,
           size_t *out_entries, grant_walk_fn *fn, void *ctx)
{
	struct walk w = { .gr = gr, .root = rel, .lim = lim, .fn = fn, .ctx = ctx, .rel = BUF_INIT };
	int fd, rc;

	if (out_entries)
		*out_entries = 0;
	if ((rc = grant_open_dir(gr, rel, &fd)) < 0)
		return rc;
	rc = walk_dir(&w, fd, 0);
	buf_fini(&w.rel);
	if (out_entries)
		*out_entries = w.count;
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* Engine state files: mkdir -p, atomic replace, bounded reads, XDG paths. */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/xalloc.h"

int
fsutil_mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = err_set("mkdir %s: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int
fsutil_write_atomic(const char *path, const void *data, size_t len)
{
	return atomic_write(path, data, len, -1);
}

int
fsutil_replace_file(const char *path, const void *data, size_t len, int new_mode)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int mode = new_mode, rc;

	if (real && stat(real, &st) == 0)
		mode = (int)(st.st_mode & 07777);
	rc = atomic_write(real ? real : path, data, len, mode);
	free(real);
	return rc;
}

int
fsutil_read_fd(int fd, size_t max, struct buf *out)
{
	struct stat st;

	/* A regular file says its size: room for all of it and for the read
	 * that finds its end, in one block. Reading through a fixed 64 KiB
	 * step instead made every read of a small file allocate a large
	 * block, which past malloc's mmap threshold (main.c) is a mapping,
	 * its page faults and its unmapping each time. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size < max)
		buf_grow(out, (size_t)st.st_size + 1);
	for (;;) {
		if (out->cap < out->len + 2) /* a byte to read and the NUL */
			buf_grow(out, out->len < 4096 ? 4096 : out->len);
		out->ptr[out->len] = '\0'; /* what out holds stays a string */
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_setc(errno == EACCES || errno == EPERM ? DH_EDENIED : DH_EFAIL,
					"read: %s", strerror(errno));
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > max) {
			out->ptr[out->len] = '\0';
			return err_set("larger than %zu bytes", max);
		}
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}
}

int
fsutil_read_file(const char *path, size_t max, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "%s: %s", path,
				strerror(errno));
	int rc = fsutil_read_fd(fd, max, out);

	close(fd);
	if (rc < 0)
		return err_set("%s: %s", path, err_msg());
	return 0;
}

int
fsutil_stdout_flush(void)
{
	/* a failed fwrite() leaves the error flag and its errno (its data may
	 * be gone from the buffer: then the flush succeeds) */
	int e = errno;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	e = errno ? errno : e;
	return err_set("standard output: %s", e ? strerror(e) : "write error");
}

int
fsutil_state_dir(char **out)
{
	const char *x = getenv("XDG_STATE_HOME");
	const char *h = getenv("HOME");

	if (x && *x == '/')
		*out = xasprintf("%s/deskhand", x);
	else if (h && *h)
		*out = xasprintf("%s/.local/state/deskhand", h);
	else
		return err_set("neither XDG_STATE_HOME nor HOME is set: nowhere to keep sessions");
	return 0;
}

int
fsutil_config_dir(char **out)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = getenv("HOME");

	if (x && *x == '/')
		*out = xasprintf("%s/deskhand", x);
	else if (h && *h)
		*out = xasprintf("%s/.config/deskhand", h);
	else
		return err_set("neither XDG_CONFIG_HOME nor HOME is set: no config directory");
	return 0;
}

bool
fsutil_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

char *
fsutil_path_join(const char *dir, const char *rel)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(rel);
	bool dir_mode = n >= 2 && !strcmp(rel + n - 2, "./") && (n == 2 || rel[n - 3] == '/');
	bool slash = n && rel[n - 1] == '/';

	buf_puts(&b, strcmp(dir, "/") ? dir : "");
	for (const char *p = rel; *p;) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *last = b.len ? strrchr(b.ptr, '/') : NULL;

			if (last) {
				b.len = (size_t)(last - b.ptr);
				b.ptr[b.len] = '\0';
			}
		} else if (len && !(len == 1 && p[0] == '.')) {
			buf_putc(&b, '/');
			buf_add(&b, p, len);
		}
		p = *end ? end + 1 : end;
	}
	if (dir_mode)
		buf_puts(&b, "/./");
	else if (slash || !b.len)
		buf_putc(&b, '/');
	return buf_detach(&b);
}

void
fsutil_path_tilde(struct buf *out, const char *dir)
{
	const char *home = getenv("HOME");
	size_t hl = home ? strlen(home) : 0;

	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (hl > 1 && !strncmp(dir, home, hl) && (dir[hl] == '/' || !dir[hl]))
		buf_printf(out, "~%s", dir + hl);
	else
		buf_puts(out, dir);
}

char *
fsutil_which(const char *name)
{
	return fsutil_which_in(name, getenv("PATH"));
}

char *
fsutil_which_in(const char *name, const char *path)
{
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");
		char *cand = xasprintf("%.*s/%s", (int)n, p, name);

		if (n > 0 && cand[0] == '/' && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * The session's blob store (see blob.h): write-once files numbered in order,
 * and the excerpt that stands for one in the conversation.
 */
#include "session/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/xalloc.h"

#define BLOB_DIGITS 6

/* The highest NNNNNN in dir (0 when none). Names that are not all digits
 * (a temporary file of fsutil_write_atomic) are skipped. */
static int
blob_last(const char *dir, unsigned long *last)
{
	DIR *d = opendir(dir);

	*last = 0;
	if (!d)
		return err_set("%s: %s", dir, strerror(errno));
	for (struct dirent *e; (e = readdir(d));) {
		char *end;
		unsigned long n = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && !*end && n > *last)
			*last = n;
	}
	closedir(d);
	return 0;
}

/* Create SESSION_DIR/blobs if needed; its highest number in *last. */
static int
blob_dir_last(const char *session_dir, unsigned long *last)
{
	char *dir = xasprintf("%s/blobs", session_dir);
	int rc = fsutil_mkdir_p(dir, 0700);

	if (rc == 0)
		rc = blob_last(dir, last);
	free(dir);
	return rc;
}

int
session_blob_put(const char *session_dir, const void *data, size_t len, char **name)
{
	unsigned long last;
	int rc;

	*name = NULL;
	if ((rc = blob_dir_last(session_dir, &last)) < 0)
		return rc;
	char *rel = xasprintf("blobs/%0*lu", BLOB_DIGITS, last + 1);
	char *path = xasprintf("%s/%s", session_dir, rel);

	rc = fsutil_write_atomic(path, data, len);
	free(path);
	if (rc < 0) {
		free(rel);
		return rc;
	}
	*name = rel;
	return 0;
}

int
session_blob_open(const char *session_dir, int *fd, char **name)
{
	unsigned long last;
	int rc;

	*fd = -1;
	*name = NULL;
	if ((rc = blob_dir_last(session_dir, &last)) < 0)
		return rc;
	/* A blob written meanwhile takes the number: try the next one. */
	for (unsigned long n = last + 1; n < last + 100; n++) {
		char *rel = xasprintf("blobs/%0*lu", BLOB_DIGITS, n);
		char *path = xasprintf("%s/%s", session_dir, rel);

		*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (*fd >= 0) {
			free(path);
			*name = rel;
			return 0;
		}
		rc = errno == EEXIST ? 0 : err_set("%s: %s", path, strerror(errno));
		free(path);
		free(rel);
		if (rc < 0)
			return rc;
	}
	return err_set("%s/blobs: no free blob number", session_dir);
}

void
session_excerpt(struct buf *out, const char *s, size_t len, size_t keep)
{
	size_t end = len;

	if (len > keep) {
		end = keep;
		while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
			end--;
	}
	buf_add(out, s, end);
	if (end < len)
		buf_puts(out, "…");
}

/* The last bytes of s from a character start, at most `keep`. */
static size_t
tail_start(const char *s, size_t len, size_t keep)
{
	size_t from = len > keep ? len - keep : 0;

	while (from < len && ((unsigned char)s[from] & 0xc0) == 0x80)
		from++;
	return from;
}

int
session_blob_excerpt(const char *session_dir, const char *value, size_t len, size_t keep,
		     const char *hint, struct buf *out)
{
	char *name;
	int rc = session_blob_put(session_dir, value, len, &name);

	if (rc < 0)
		return rc;
	if (len <= keep) {
		buf_printf(out,
			   "[deskhand stored this value (%zu bytes) once, in the session, as %s; "
			   "it is not repeated in the conversation.%s%s It follows whole.]\n",
			   len, name, hint ? " " : "", hint ? hint : "");
		buf_add(out, value, len);
		free(name);
		return 0;
	}
	struct buf head = BUF_INIT;
	size_t from = tail_start(value, len, keep - keep / 2);

	session_excerpt(&head, value, len, keep / 2);
	size_t hl = head.len - strlen("…");
	buf_printf(out,
		   "[deskhand stored this value (%zu bytes) once, in the session, as %s; it is "
		   "not repeated in the conversation.%s%s Its first %zu and last %zu bytes "
		   "follow; read_tool_output with id \"%s\" reads any part of it.]\n",
		   len, name, hint ? " " : "", hint ? hint : "", hl, len - from, name);
	buf_add(out, head.ptr, hl);
	buf_printf(out, "\n[… %zu bytes not shown …]\n", from - hl);
	buf_add(out, value + from, len - from);
	buf_fini(&head);
	free(name);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Session blobs: numbered write-once files and the excerpt that stands for one. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "session/blob.h"

static char *
tmpdir(void)
{
	char tmpl[] = "/tmp/dhblobXXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
assert_file(const char *dir, const char *name, const char *want, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct buf b = BUF_INIT;

	cr_assert_eq(fsutil_read_file(path, 1 << 20, &b), 0, "%s", path);
	cr_assert_eq(b.len, len);
	cr_assert(len == 0 || memcmp(b.ptr, want, len) == 0);
	buf_fini(&b);
	free(path);
}

Test(blob, numbered_in_order_and_whole)
{
	char *dir = tmpdir(), *n1, *n2;

	cr_assert_eq(session_blob_put(dir, "first", 5, &n1), 0);
	cr_assert_str_eq(n1, "blobs/000001");
	cr_assert_eq(session_blob_put(dir, "", 0, &n2), 0);
	cr_assert_str_eq(n2, "blobs/000002");
	assert_file(dir, n1, "first", 5);
	assert_file(dir, n2, "", 0);
	free(n1);
	free(n2);
	/* a later process (a resumed session) goes on after the highest number */
	char *stray = xasprintf("%s/blobs/000009", dir);
	cr_assert_eq(fsutil_write_atomic(stray, "x", 1), 0);
	cr_assert_eq(session_blob_put(dir, "after", 5, &n1), 0);
	cr_assert_str_eq(n1, "blobs/000010");
	free(n1);
	free(stray);
	free(dir);
}

Test(blob, put_error_names_the_path)
{
	char *dir = tmpdir(), *name = (char *)"unset";
	char *file = xasprintf("%s/blobs", dir);

	cr_assert_eq(fsutil_write_atomic(file, "x", 1), 0); /* blobs is a file: no directory */
	cr_assert_lt(session_blob_put(dir, "v", 1, &name), 0);
	cr_assert_null(name);
	cr_assert_not_null(strstr(err_msg(), "blobs"), "%s", err_msg());
	free(file);
	free(dir);
}

Test(blob, excerpt_names_size_blob_and_hint_and_cuts_on_a_character)
{
	char *dir = tmpdir();
	struct buf out = BUF_INIT;
	/* "ab" then é (2 bytes) straddling the 3-byte cut */
	const char *v = "ab\xc3\xa9zzzz";

	cr_assert_eq(session_blob_excerpt(dir, v, strlen(v), 6, "Read it back.", &out), 0);
	const char *s = buf_cstr(&out);
	cr_assert_not_null(strstr(s, "(8 bytes)"), "%s", s);
	cr_assert_not_null(strstr(s, "blobs/000001"), "%s", s);
	cr_assert_not_null(strstr(s, "Read it back."), "%s", s);
	cr_assert_not_null(strstr(s, "first 2 and last 3 bytes"), "%s", s);
	cr_assert_not_null(strstr(s, "read_tool_output with id \"blobs/000001\""), "%s", s);
	const char *body = strchr(s, '\n') + 1;
	/* the head and the tail, each cut on a character */
	cr_assert_str_eq(body, "ab\n[… 3 bytes not shown …]\nzzz");
	assert_file(dir, "blobs/000001", v, strlen(v));
	buf_fini(&out);

	/* the tail starts on a character too; a short value follows whole */
	const char *w = "zzzz\xc3\xa9" "ab";
	cr_assert_eq(session_blob_excerpt(dir, w, strlen(w), 6, NULL, &out), 0);
	cr_assert_str_eq(strchr(buf_cstr(&out), '\n') + 1, "zzz\n[… 3 bytes not shown …]\nab");
	buf_fini(&out);
	cr_assert_eq(session_blob_excerpt(dir, "tiny", 4, 6, NULL, &out), 0);
	cr_assert_str_eq(strchr(buf_cstr(&out), '\n') + 1, "tiny");
	buf_fini(&out);

	/* short values are kept whole, with no ellipsis */
	session_excerpt(&out, "short", 5, 100);
	cr_assert_str_eq(buf_cstr(&out), "short");
	buf_fini(&out);
	free(dir);
}

/* A blob written as it comes (a command's output): the next number, created
 * empty and exclusive, then the numbering goes on after it. */
Test(blob, open_reserves_the_next_number)
{
	char *dir = tmpdir(), *n1, *n2, *n3;
	int fd = -1, fd2 = -1;

	cr_assert_eq(session_blob_put(dir, "a", 1, &n1), 0);
	cr_assert_eq(session_blob_open(dir, &fd, &n2), 0, "%s", err_msg());
	cr_assert_str_eq(n2, "blobs/000002");
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "streamed", 8), 8);
	cr_assert_eq(session_blob_open(dir, &fd2, &n3), 0);
	cr_assert_str_eq(n3, "blobs/000003");
	close(fd);
	close(fd2);
	assert_file(dir, n2, "streamed", 8);
	free(n1);
	free(n2);
	free(n3);
	cr_assert_eq(session_blob_put(dir, "b", 1, &n1), 0);
	cr_assert_str_eq(n1, "blobs/000004");
	free(n1);
	free(dir);
}

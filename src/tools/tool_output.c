/* SPDX-License-Identifier: MIT */
/*
 * read_tool_output: a page of a value the session stored once instead of
 * repeating it in the conversation (session/blob.h): a big tool input, a
 * long tool result, a command's whole output. The history keeps a reference
 * ("blobs/NNNNNN") and a head and tail excerpt; this tool reads the rest,
 * by byte offset, from the session directory (env->session_dir). Reads only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"
#include "core/xalloc.h"
#include "tools/tool_priv.h"

#define OUTPUT_PAGE_DEF ((size_t)64 << 10)
#define OUTPUT_PAGE_MAX ((size_t)256 << 10)
#define BLOB_DIGITS_MAX 12

/* The blob number of `id`: "blobs/000003", "000003", or the absolute path
 * of a blob of this session (run_command names its output so). 0 when it
 * is none of these. */
static unsigned long
blob_number(const char *id, const char *session_dir)
{
	size_t dl = strlen(session_dir);
	const char *p = id;
	char *end;

	if (strncmp(p, session_dir, dl) == 0 && p[dl] == '/')
		p += dl + 1;
	if (strncmp(p, "blobs/", 6) == 0)
		p += 6;
	size_t n = strspn(p, "0123456789");
	if (n == 0 || n > BLOB_DIGITS_MAX || p[n])
		return 0;
	unsigned long v = strtoul(p, &end, 10);
	return *end ? 0 : v;
}

/* Move a byte offset forward past UTF-8 continuation bytes of buf. */
static size_t
char_start(const char *buf, size_t len, size_t i)
{
	while (i < len && ((unsigned char)buf[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static int
read_tool_output_run(const cJSON *in, struct tool_env *env, struct tool_result *out)
{
	const char *id = json_str(in, "id");
	long long offset = json_int(in, "offset", 0);
	long long limit = json_int(in, "limit", (long long)OUTPUT_PAGE_DEF);
	unsigned long num;

	if (!env->session_dir) {
		tool_result_errorf(out, "read_tool_output: this session stores no values");
		return 0;
	}
	if (!(num = blob_number(id, env->session_dir))) {
		tool_result_errorf(out,
		                   "read_tool_output: '%s' is not a stored value: pass the name a "
		                   "\"[deskhand stored this value …]\" note gives, such as "
		                   "blobs/000003", id);
		return 0;
	}
	if (limit > (long long)OUTPUT_PAGE_MAX)
		limit = (long long)OUTPUT_PAGE_MAX;
	char *path = xasprintf("%s/blobs/%06lu", env->session_dir, num);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		tool_result_errorf(out, "read_tool_output: blobs/%06lu: %s", num,
		                   fd < 0 ? strerror(errno) : "not a stored value");
		goto out;
	}
	size_t size = (size_t)st.st_size;
	if ((unsigned long long)offset >= size && size > 0) {
		tool_result_errorf(out,
		                   "read_tool_output: offset %lld is past the end of blobs/%06lu "
		                   "(%zu bytes)", offset, num, size);
		goto out;
	}
	/* Read a little around the page so that both ends fall on a character. */
	size_t from = (size_t)offset, want = (size_t)limit;
	if (want > size - from)
		want = size - from;
	size_t pad = from >= 3 ? 3 : from;
	char *b = xmalloc(want + pad + 4);
	ssize_t got = pread(fd, b, want + pad + 4, (off_t)(from - pad));

	if (got < 0) {
		tool_result_errorf(out, "read_tool_output: blobs/%06lu: %s", num, strerror(errno));
		free(b);
		goto out;
	}
	size_t have = (size_t)got;
	size_t s = char_start(b, have, pad), e = pad + want < have ? pad + want : have;

	if (e < have)
		while (e > s && ((unsigned char)b[e] & 0xc0) == 0x80)
			e--;
	size_t start = from - pad + s, end = from - pad + e;
	buf_printf(&out->text, "[blobs/%06lu: bytes %zu to %zu of %zu", num, start, end, size);
	if (end < size)
		buf_printf(&out->text, "; continue with offset %zu]\n", end);
	else
		buf_puts(&out->text, "; the end]\n");
	utf8_scrub(&out->text, b + s, e - s);
	free(b);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return 0;
}

const struct tool_entry tool_output_entries[] = {
	{
		.name = "read_tool_output",
		.description =
			"Read part of a value deskhand stored once in the session instead of "
			"repeating it in the conversation: a long tool result, a command's whole "
			"output, a big tool input. The conversation keeps a note naming it "
			"(\"blobs/000003\") with its first and last bytes; pass that name as `id` "
			"and read `limit` bytes (default 65536, at most 262144) from byte "
			"`offset` (default 0). The reply says which bytes it holds and where to "
			"continue.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{"
			"\"id\":{\"type\":\"string\",\"description\":\"The stored value's name, "
			"such as blobs/000003.\"},"
			"\"offset\":{\"type\":\"integer\",\"minimum\":0,\"description\":"
			"\"First byte to read (default 0).\"},"
			"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"description\":"
			"\"Bytes to read (default 65536, at most 262144).\"}},"
			"\"required\":[\"id\"]}",
		.flags = TOOL_F_READONLY,
		.run = read_tool_output_run,
	},
	{ .name = NULL },
};

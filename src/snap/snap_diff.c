/* SPDX-License-Identifier: MIT */
/*
 * Unified diffs of two contents held in memory, through libgit2 (the only
 * place it may be used, STYLE.md §3.3). Not the review diffs of checkpoints
 * (snap_review.c), which read trees.
 */
#include "snap/snap_diff.h"

#include <string.h>

#include "core/buf.h"
#include "snap/snap_int.h"

static int
hunk_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *ctx)
{
	struct buf *b = ctx;

	(void)d;
	(void)h;
	switch (l->origin) {
	case GIT_DIFF_LINE_ADDITION:
	case GIT_DIFF_LINE_DELETION:
	case GIT_DIFF_LINE_CONTEXT:
		buf_putc(b, l->origin);
		buf_add(b, l->content, l->content_len);
		if (l->content_len && l->content[l->content_len - 1] != '\n')
			buf_putc(b, '\n'); /* the last line had none: the marker follows */
		break;
	case GIT_DIFF_LINE_HUNK_HDR: {
		/* Without git's function context after the second "@@": in prose
		 * it is just the line before the hunk, which reads as content. */
		const char *end = l->content_len > 2
		                          ? memmem(l->content + 2, l->content_len - 2, "@@", 2)
		                          : NULL;

		buf_add(b, l->content, end ? (size_t)(end - l->content) + 2 : l->content_len);
		buf_putc(b, '\n');
		break;
	}
	case GIT_DIFF_LINE_CONTEXT_EOFNL:
	case GIT_DIFF_LINE_ADD_EOFNL:
	case GIT_DIFF_LINE_DEL_EOFNL:
		buf_puts(b, "\\ No newline at end of file\n");
		break;
	default: /* the file header: ours is written by the caller */
		break;
	}
	return 0;
}

int
snap_diff_buffers(struct buf *out, const char *path, const char *old, size_t old_len,
                  const char *new, size_t new_len)
{
	git_patch *patch = NULL;
	git_diff_options o;
	int rc = 0;

	if (snap_git_load() < 0)
		return DH_EFAIL;
	git.git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.context_lines = SNAP_DIFF_CONTEXT;
	if (git.git_patch_from_buffers(&patch, old, old ? old_len : 0, path, new, new ? new_len : 0,
	                               path, &o) < 0) {
		const git_error *e = git.git_error_last();

		return err_set("diff of %s: %s", path, e ? e->message : "unknown libgit2 error");
	}
	const git_diff_delta *d = git.git_patch_get_delta(patch);

	if (d->status == GIT_DELTA_UNMODIFIED)
		goto out;
	if (old)
		buf_printf(out, "--- a/%s\n", path);
	else
		buf_puts(out, "--- /dev/null\n");
	if (new)
		buf_printf(out, "+++ b/%s\n", path);
	else
		buf_puts(out, "+++ /dev/null\n");
	if (d->flags & GIT_DIFF_FLAG_BINARY) {
		buf_puts(out, "Binary files differ\n");
		goto out;
	}
	if (git.git_patch_print(patch, hunk_line, out) < 0) {
		const git_error *e = git.git_error_last();

		rc = err_set("diff of %s: %s", path, e ? e->message : "unknown libgit2 error");
	}
out:
	git.git_patch_free(patch);
	return rc;
}

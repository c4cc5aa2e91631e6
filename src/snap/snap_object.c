/* SPDX-License-Identifier: MIT */
/*
 * Objects of a shadow repository that are there but cannot be read (a loose
 * file a crash emptied, corrupt bytes in a pack): where each one lies, for
 * the messages that name it, and writing one anew when the folder gives its
 * content again. The messages about checkpoints are snap_damaged's (snap.c).
 */
#include "snap/snap_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

#define IDX_FANOUT 8                      /* after "\377tOc" and version 2 */
#define IDX_OIDS   (IDX_FANOUT + 256 * 4) /* the sorted ids, 20 bytes each */
#define SET_ASIDE  ".damaged"             /* suffix of a loose file set aside */

static uint32_t
be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return ntohl(v);
}

/* Whether pack index `fd` (version 2, git's format since 1.5.2) lists `id`:
 * *off is then its pack entry's offset. A binary search with pread: only
 * the messages about damage read it. */
static bool
idx_find(int fd, const git_oid *id, unsigned long long *off)
{
	unsigned char h[8], fan[8], buf[GIT_OID_RAWSZ];
	struct stat st;
	unsigned k = id->id[0];

	if (fstat(fd, &st) < 0 || pread(fd, h, 8, 0) != 8 || memcmp(h, "\377tOc", 4) ||
	    be32(h + 4) != 2)
		return false;
	uint32_t lo = 0, hi, n;
	if (pread(fd, fan, 4, IDX_FANOUT + 255 * 4) != 4)
		return false;
	n = be32(fan);
	if (k && pread(fd, fan, 4, IDX_FANOUT + (k - 1) * 4) == 4)
		lo = be32(fan);
	if (pread(fd, fan + 4, 4, IDX_FANOUT + k * 4) != 4)
		return false;
	hi = be32(fan + 4);
	if (hi > n || lo > hi || (unsigned long long)st.st_size < IDX_OIDS + 28ull * n)
		return false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c;

		if (pread(fd, buf, sizeof buf, IDX_OIDS + (off_t)mid * GIT_OID_RAWSZ) !=
		    (ssize_t)sizeof buf)
			return false;
		if ((c = memcmp(buf, id->id, GIT_OID_RAWSZ)) == 0) {
			/* 4-byte offsets after the ids and their CRCs; the high
			 * bit sends to the 8-byte table after them. */
			off_t at = IDX_OIDS + (off_t)n * 24 + (off_t)mid * 4;

			if (pread(fd, buf, 4, at) != 4)
				return false;
			*off = be32(buf);
			if (!(*off & 0x80000000u))
				return true;
			at = IDX_OIDS + (off_t)n * 28 + (off_t)(*off & 0x7fffffffu) * 8;
			if (pread(fd, buf, 8, at) != 8)
				return false;
			*off = (unsigned long long)be32(buf) << 32 | be32(buf + 4);
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* "; it is in the pack P at offset N" for the first pack under `dir`
 * (ending in '/') whose index lists `id`; false when none does. */
static bool
pack_where(struct buf *b, const char *dir, const git_oid *id)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		unsigned long long off;

		if (len < 5 || strcmp(de->d_name + len - 4, ".idx"))
			continue;
		char *idx = xasprintf("%s%s", dir, de->d_name);
		int fd = open(idx, O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && idx_find(fd, id, &off)) {
			buf_printf(b, "; it is in the pack %s%.*s.pack at offset %llu", dir,
			           (int)(len - 4), de->d_name, off);
			found = true;
		}
		if (fd >= 0)
			close(fd);
		free(idx);
	}
	if (d)
		closedir(d);
	return found;
}

/* The loose file of `id` in repo (heap). */
static char *
loose_path(git_repository *repo, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git.git_oid_tostr(hex, sizeof hex, id);
	return xasprintf("%sobjects/%.2s/%s", git.git_repository_path(repo), hex, hex + 2);
}

void
snap_object_where(struct buf *b, git_repository *repo, const git_oid *id)
{
	char *loose = loose_path(repo, id), *aside = xasprintf("%s" SET_ASIDE, loose);
	char *packs = xasprintf("%sobjects/pack/", git.git_repository_path(repo));
	struct stat st;
	bool found = stat(loose, &st) == 0;

	if (found && st.st_size == 0) {
		buf_printf(b, "; its file %s is empty", loose);
	} else if (found) {
		buf_printf(b, "; its file %s has %lld bytes", loose, (long long)st.st_size);
	} else if (!pack_where(b, packs, id)) {
		git_odb *odb = NULL;
		bool elsewhere = git.git_repository_odb(&odb, repo) == 0 &&
		                 git.git_odb_exists_ext(odb, id, 0) == 1;

		git.git_odb_free(odb);
		if (elsewhere)
			buf_printf(b, "; it is in a pack under %s", packs);
		else if (stat(aside, &st) == 0) /* a rewrite cut short */
			buf_printf(b, "; the object is missing (no file %s; %s is what was left of it)",
			           loose, aside);
		else
			buf_printf(b, "; the object is missing (no file %s)", loose);
	}
	free(packs);
	free(aside);
	free(loose);
}

/* Whether `id` can be read whole; *why (heap) says why not. Absent counts
 * as readable: there is no damaged copy in the way of a write. */
static bool
readable(git_repository *repo, const git_oid *id, char **why)
{
	git_odb *odb = NULL;
	git_odb_object *o = NULL;
	int rc;

	*why = NULL;
	if ((rc = git.git_repository_odb(&odb, repo)) == 0)
		rc = git.git_odb_read(&o, odb, id);
	if (rc < 0 && rc != GIT_ENOTFOUND)
		*why = snap_git_why();
	git.git_odb_object_free(o);
	git.git_odb_free(odb);
	return !*why;
}

int
snap_object_rewrite(git_repository *repo, const git_oid *id, const char *what,
                    snap_object_write_fn *write, void *ctx)
{
	char hex[GIT_OID_HEXSZ + 1], *why = NULL, *again = NULL;
	struct buf b = BUF_INIT;
	int rc = DH_EFAIL;

	if (readable(repo, id, &why))
		return 1;
	git.git_oid_tostr(hex, sizeof hex, id);
	char *loose = loose_path(repo, id), *aside = xasprintf("%s" SET_ASIDE, loose);

	buf_printf(&b, "snapshot: %s: cannot write %s %s: the repository has that object but "
	               "cannot read it: %s",
	           git.git_repository_path(repo), what, hex, why);
	if (rename(loose, aside) < 0) {
		/* ENOENT: packed, and a loose copy would not be read before
		 * the pack's */
		if (errno == ENOENT)
			snap_object_where(&b, repo, id);
		else
			buf_printf(&b, "; setting its file %s aside: %s", loose, strerror(errno));
		goto fail;
	}
	/* git_odb_write() skips an object it finds, readable or not: with the
	 * damaged file out of the way it writes the content given again. */
	if ((rc = write(ctx)) == 0 && readable(repo, id, &again)) {
		if (unlink(aside) < 0)
			log_warn("snapshot: %s: %s", aside, strerror(errno));
		log_warn("snapshot: %s: %s %s could not be read (%s): written anew",
		         git.git_repository_path(repo), what, hex, why);
		goto out;
	}
	/* Not written anew: the damaged file goes back where it was. */
	if (atomic_rename_noreplace(AT_FDCWD, aside, AT_FDCWD, loose) < 0)
		log_warn("snapshot: putting %s back as %s: %s", aside, loose, strerror(errno));
	if (rc < 0) /* write's own error */
		goto out;
	snap_object_where(&b, repo, id);
fail:
	rc = err_set("%s. The folder itself is untouched; copy the object back from a backup of "
	             "the repository",
	             buf_cstr(&b));
out:
	buf_fini(&b);
	free(again);
	free(why);
	free(aside);
	free(loose);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Pack writer for full scans: new blobs are collected in libgit2's in-memory
 * object backend (mempack) on a second handle of the shadow repository and
 * written out as one pack per 64 MiB, which beats one loose object (a file,
 * a rename, a fan-out directory) per file on a baseline of a big folder.
 * Not used for incremental checkpoints: their handful of blobs stay loose.
 *
 * The packs hold whole objects, no deltas, as git's own loose objects do
 * until a gc: with libgit2's delta search (a window of 10 over the blobs
 * sorted by size) a baseline of /usr/share/doc (5,292 files, 141 MB, most of
 * it already compressed) took 15.0-15.2 s and wrote a 52 MB pack; without
 * it, 4.5-5.0 s and 56 MB. libgit2 has no call to turn the search off; it
 * skips objects above pack.bigFileThreshold, which its pack-objects.c (1.5
 * to the current main) reads from the key pack.deltaCacheSize, so both keys
 * are set to 1 byte. The delta cache that pack.deltaCacheSize also sizes
 * holds deltas only, so it goes unused.
 */
#include "snap/snap_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/log.h"
#include "core/xalloc.h"

#define PACK_BATCH_BYTES (64u << 20) /* flush the collected blobs at this size */
#define PACK_LOOSE_BYTES (16u << 20) /* bigger blobs are written loose at once */

struct snap_packer {
	struct snap_store *s;
	git_repository *repo; /* second handle: its odb has the mempack on top */
	git_odb *odb;	      /* repo's odb (mempack + the store's own backends) */
	git_odb *main;	      /* the store's odb */
	git_odb_backend *mem; /* owned by odb */
	git_oid *ids;	      /* blobs collected since the last flush */
	size_t n, cap;
	size_t bytes;
};

int
snap_pack_config(git_config *cfg)
{
	int rc;

	if ((rc = G(git.git_config_set_int32(cfg, "pack.bigFileThreshold", 1))) < 0 ||
	    (rc = G(git.git_config_set_int32(cfg, "pack.deltaCacheSize", 1))) < 0)
		return rc;
	return 0;
}

/* A store made before snap_pack_config() was part of its set-up gets the
 * settings now, in one write of its config. */
static int
config_upgrade(git_repository *repo)
{
	git_config *cfg = NULL, *snap = NULL;
	git_transaction *tx = NULL;
	git_buf v = GIT_BUF_INIT;
	int rc;

	if ((rc = G(git.git_repository_config_snapshot(&snap, repo))) < 0)
		return rc;
	rc = git.git_config_get_string_buf(&v, snap, "pack.deltaCacheSize");
	git.git_buf_dispose(&v);
	git.git_config_free(snap);
	if (rc != GIT_ENOTFOUND)
		return rc < 0 ? G(rc) : 0;
	if ((rc = G(git.git_repository_config(&cfg, repo))) >= 0 &&
	    (rc = G(git.git_config_lock(&tx, cfg))) >= 0 && (rc = snap_pack_config(cfg)) >= 0)
		rc = G(git.git_transaction_commit(tx));
	git.git_transaction_free(tx); /* unlocks; without a commit, nothing is written */
	git.git_config_free(cfg);
	return rc;
}

int
snap_pack_begin(struct snap_packer **out, struct snap_store *s)
{
	struct snap_packer *p = xcalloc(1, sizeof *p);
	int rc;

	*out = NULL;
	p->s = s;
	if ((rc = G(git.git_repository_open_bare(&p->repo, s->repo_path))) < 0)
		goto fail;
	/* Best effort: without the settings the pack is written all the same. */
	if (config_upgrade(p->repo) < 0)
		log_warn("snapshot: %s: config left as it was, packs get deltas: %s", s->repo_path,
		         err_msg());
	if ((rc = G(git.git_repository_odb(&p->odb, p->repo))) < 0 ||
	    (rc = G(git.git_repository_odb(&p->main, s->repo))) < 0 ||
	    (rc = G(git.git_mempack_new(&p->mem))) < 0)
		goto fail;
	/* Priority above the loose (1) and packed (2) backends: writes land here. */
	if ((rc = G(git.git_odb_add_backend(p->odb, p->mem, 999))) < 0) {
		p->mem->free(p->mem);
		p->mem = NULL;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	snap_pack_free(p);
	return rc;
}

int
snap_pack_write(struct snap_packer *p, git_oid *out, const void *data, size_t len)
{
	int rc;

	if (len > PACK_LOOSE_BYTES)
		return G(git.git_odb_write(out, p->main, data, len, GIT_OBJECT_BLOB));
	if ((rc = G(git.git_odb_hash(out, data, len, GIT_OBJECT_BLOB))) < 0)
		return rc;
	/* No refresh on a miss: a pack written by this packer was announced
	 * with git_odb_refresh() already, and others' packs do not matter. */
	if (git.git_odb_exists_ext(p->odb, out, GIT_ODB_LOOKUP_NO_REFRESH))
		return 0;
	if ((rc = G(git.git_odb_write(out, p->odb, data, len, GIT_OBJECT_BLOB))) < 0)
		return rc;
	ARRAY_GROW(p->ids, p->n, p->cap, 1);
	p->ids[p->n++] = *out;
	p->bytes += len;
	if (p->bytes >= PACK_BATCH_BYTES)
		return snap_pack_flush(p);
	return 0;
}

int
snap_pack_flush(struct snap_packer *p)
{
	git_packbuilder *pb = NULL;
	int rc = 0;

	if (!p->n)
		return 0;
	if ((rc = G(git.git_packbuilder_new(&pb, p->repo))) < 0)
		goto out;
	git.git_packbuilder_set_threads(pb, 1);
	for (size_t i = 0; i < p->n && rc >= 0; i++)
		rc = G(git.git_packbuilder_insert(pb, &p->ids[i], NULL));
	if (rc < 0 || (rc = G(git.git_packbuilder_write(pb, NULL, 0, NULL, NULL))) < 0)
		goto out;
	if ((rc = G(git.git_mempack_reset(p->mem))) < 0 ||
	    (rc = G(git.git_odb_refresh(p->main))) < 0 ||
	    (rc = G(git.git_odb_refresh(p->odb))) < 0)
		goto out;
	p->n = 0;
	p->bytes = 0;
out:
	git.git_packbuilder_free(pb);
	return rc;
}

void
snap_pack_free(struct snap_packer *p)
{
	if (!p)
		return;
	git.git_odb_free(p->odb);
	git.git_odb_free(p->main);
	git.git_repository_free(p->repo);
	free(p->ids);
	free(p);
}

/* SPDX-License-Identifier: MIT */
/*
 * Snapshot store: the shadow repository per granted folder, checkpoints on
 * per-session refs, their log, diffs and undo. Walking the folder lives in
 * snap_scan.c, note metadata in snap_meta.c, file writes in snap_restore.c.
 * Not thread-safe: one store belongs to one worker thread.
 */
#include "snap/snap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/fsutil.h"
#include "core/ignore.h"
#include "core/log.h"
#include "core/review_model.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "docs/doc.h"
#include "snap/snap_int.h"

#define SGR_BOLD  "\033[1m"
#define SGR_CYAN  "\033[36m"
#define SGR_GREEN "\033[32m"
#define SGR_RED   "\033[31m"
#define SGR_RESET "\033[m"

#define CONFLICT_NAMES 20

/*
 * Small helpers
 */

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static void
fill_ids(char id[41], char short_id[13], const git_oid *oid)
{
	git.git_oid_tostr(id, 41, oid);
	memcpy(short_id, id, 12);
	short_id[12] = '\0';
}

/* Append `s` with line breaks flattened to spaces (message lines and trailers). */
static void
put_flat(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, (*s == '\n' || *s == '\r') ? ' ' : *s);
}

/* Session ids become ref components: keep them to a safe alphabet. */
static bool
session_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > 128 || id[0] == '.' || strstr(id, "..") ||
	    (n >= 5 && !strcmp(id + n - 5, ".lock")))
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static int
ref_name(char *dst, size_t n, const char *session, const char *which)
{
	if (!session_ok(session))
		return err_set("snapshot: invalid session id '%s'", session ? session : "");
	snprintf(dst, n, "refs/deskhand/%s/%s", session, which);
	return 0;
}

int
snap_head_get(struct snap_store *s, const char *session, git_oid *out, bool *found)
{
	char name[192], base[192];
	git_oid b;
	int rc;

	*found = false;
	if ((rc = ref_name(name, sizeof name, session, "head")) < 0 ||
	    (rc = ref_name(base, sizeof base, session, "baseline")) < 0)
		return rc;
	rc = git.git_reference_name_to_id(out, s->repo, name);
	if (rc == 0) {
		*found = true;
		return 0;
	}
	if (rc != GIT_ENOTFOUND)
		return G(rc);
	rc = git.git_reference_name_to_id(&b, s->repo, base);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return G(rc);
	return err_set("snapshot: the head of session %s (%s) is missing, though its baseline "
	               "is there: the snapshot store is damaged",
	               session, name);
}

static int
ref_lookup(struct snap_store *s, const char *session, const char *which, git_oid *out)
{
	char name[192];
	bool found;
	int rc;

	if (!strcmp(which, "head")) {
		if ((rc = snap_head_get(s, session, out, &found)) < 0)
			return rc;
		return found ? 0
		             : err_setc(DH_ENOTFOUND, "snapshot: session %s has no head checkpoint",
		                        session);
	}
	if ((rc = ref_name(name, sizeof name, session, which)) < 0)
		return rc;
	rc = git.git_reference_name_to_id(out, s->repo, name);
	if (rc == GIT_ENOTFOUND)
		return err_setc(DH_ENOTFOUND, "snapshot: session %s has no %s checkpoint", session,
		                which);
	return G(rc);
}

/*
 * Damage
 */

/* ", the WHICH of session S (refs/deskhand/S/WHICH)" for the first of the
 * session's refs that names `id`, appended to b; nothing when none does. */
static void
damaged_ref(struct snap_store *s, const char *session, const git_oid *id, struct buf *b)
{
	static const char *const refs[] = { "head", "baseline", "accepted" };
	char name[192];
	git_oid at;

	for (size_t i = 0; session && i < sizeof refs / sizeof *refs; i++) {
		if (ref_name(name, sizeof name, session, refs[i]) < 0 ||
		    git.git_reference_name_to_id(&at, s->repo, name) < 0)
			continue;
		if (git.git_oid_equal(&at, id)) {
			buf_printf(b, ", the %s of session %s (%s)", refs[i], session, name);
			return;
		}
	}
}

char *
snap_git_why(void)
{
	const git_error *e = git.git_error_last();

	return xstrdup(e && e->message ? e->message : "unknown libgit2 error");
}

/* err_set() and log_warn() of a damage message b; frees b and why. */
static int
damage_said(struct buf *b, char *why)
{
	int rc = err_set("%s", buf_cstr(b));

	log_warn("%s", buf_cstr(b));
	buf_fini(b);
	free(why);
	return rc;
}

int
snap_damaged(struct snap_store *s, const char *session, const git_oid *commit, const git_oid *obj)
{
	char *why = snap_git_why();
	char cid[41], oid[41];
	struct buf b = BUF_INIT;

	git.git_oid_tostr(cid, sizeof cid, commit);
	buf_printf(&b, "snapshot: %s: cannot read checkpoint %.12s", s->repo_path, cid);
	damaged_ref(s, session, commit, &b);
	git_oid note;
	if (!obj && snap_meta_note_object(s->repo, commit, &b, &note)) {
		obj = &note;
	} else if (!obj) {
		buf_printf(&b, ": its note on %s", SNAP_NOTES_REF);
	} else if (!git.git_oid_equal(obj, commit)) {
		git.git_oid_tostr(oid, sizeof oid, obj);
		buf_printf(&b, ": its tree %s", oid);
	}
	buf_printf(&b, ": %s", why);
	if (obj) /* where the object is: libgit2's message does not say */
		snap_object_where(&b, s->repo, obj);
	buf_puts(&b, ". The folder itself is untouched: a checkpoint that 'deskhand log' "
	             "still lists can be restored ('deskhand restore ID', 'deskhand undo --to "
	             "baseline'), which records the folder anew, or copy the object back from "
	             "a backup of the repository");
	return damage_said(&b, why);
}

int
snap_blob_damaged(struct snap_store *s, const char *path, const git_oid *id)
{
	char *why = snap_git_why();
	char oid[41];
	struct buf b = BUF_INIT;

	git.git_oid_tostr(oid, sizeof oid, id);
	buf_printf(&b, "snapshot: %s: cannot read %s as a checkpoint recorded it: its blob %s: %s",
	           s->repo_path, path, oid, why);
	snap_object_where(&b, s->repo, id);
	buf_puts(&b, ". Checkpoints without this version of the file can still be restored; or "
	             "copy the object back from a backup of the repository");
	return damage_said(&b, why);
}

/* The first tree below `t` (depth first) that cannot be read: its path
 * ("a/b/", appended to dir) and its id into *id, libgit2's error its
 * failure's; false, dir as it was, when every one reads. */
static bool
subtree_unreadable(struct snap_store *s, git_tree *t, struct buf *dir, git_oid *id)
{
	size_t n = git.git_tree_entrycount(t), len = dir->len;

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git.git_tree_entry_byindex(t, i);
		git_tree *sub = NULL;
		bool found;

		if (git.git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		buf_printf(dir, "%s/", git.git_tree_entry_name(e));
		if (git.git_tree_lookup(&sub, s->repo, git.git_tree_entry_id(e)) < 0) {
			*id = *git.git_tree_entry_id(e);
			return true;
		}
		found = subtree_unreadable(s, sub, dir, id);
		git.git_tree_free(sub);
		if (found)
			return true;
		dir->len = len;
		dir->ptr[len] = '\0';
	}
	return false;
}

bool
snap_tree_damaged(struct snap_store *s, git_tree *root, bool quiet)
{
	struct buf dir = BUF_INIT, b = BUF_INIT;
	git_oid id;
	char oid[41];

	if (!root || !subtree_unreadable(s, root, &dir, &id)) {
		buf_fini(&dir);
		return false;
	}
	char *why = snap_git_why();

	git.git_oid_tostr(oid, sizeof oid, &id);
	buf_printf(&b, "snapshot: %s: cannot read %s as a checkpoint recorded it: its tree %s: %s",
	           s->repo_path, buf_cstr(&dir), oid, why);
	snap_object_where(&b, s->repo, &id);
	buf_puts(&b, ". Checkpoints without this version of the directory can still be restored; "
	             "or copy the object back from a backup of the repository");
	buf_fini(&dir);
	if (quiet) {
		log_warn("%s", buf_cstr(&b));
		buf_fini(&b);
		free(why);
	} else {
		damage_said(&b, why);
	}
	return true;
}

int
snap_checkpoint_read(struct snap_store *s, const char *session, const git_oid *id,
                     git_commit **commit, git_tree **tree, struct snap_meta *meta)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int rc = 0;

	if (git.git_commit_lookup(&c, s->repo, id) < 0)
		rc = snap_damaged(s, session, id, id);
	else if (tree && git.git_commit_tree(&t, c) < 0)
		rc = snap_damaged(s, session, id, git.git_commit_tree_id(c));
	else if (meta && snap_meta_read(meta, s->repo, id) < 0)
		rc = snap_damaged(s, session, id, NULL);
	if (rc < 0 || !commit)
		git.git_commit_free(c);
	if (rc < 0 || !tree)
		git.git_tree_free(t);
	if (commit)
		*commit = rc < 0 ? NULL : c;
	if (tree)
		*tree = rc < 0 ? NULL : t;
	return rc;
}

static bool
is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = err_set("snapshot: mkdir %s: %s", p, strerror(errno));
			break;
		}
		*q = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

/* Whether `dir` is a directory in the state (tree + note) of a checkpoint. */
static bool
dir_exists(git_tree *tree, const struct snap_meta *m, const char *dir)
{
	git_tree_entry *te = NULL;
	size_t len = strlen(dir);

	if (!strcmp(dir, SNAP_ROOT))
		return true; /* the folder itself */
	if (git.git_tree_entry_bypath(&te, tree, dir) == 0) {
		bool isdir = git.git_tree_entry_type(te) == GIT_OBJECT_TREE;

		git.git_tree_entry_free(te);
		if (isdir)
			return true;
	}
	for (size_t i = 0; i < m->ndirs; i++)
		if (!strncmp(m->dirs[i], dir, len) && (m->dirs[i][len] == '/' || !m->dirs[i][len]))
			return true;
	return false;
}

/* The tree entry for `path` when it is a blob or link, else NULL (caller frees). */
static git_tree_entry *
blob_entry(git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;

	if (git.git_tree_entry_bypath(&te, tree, path) < 0)
		return NULL;
	if (git.git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		git.git_tree_entry_free(te);
		return NULL;
	}
	return te;
}

/* Permission bits a regular file should have: the note's, else git's default. */
static unsigned
want_perm(const git_tree_entry *te, const struct snap_meta *m, const char *path)
{
	int perm = snap_meta_mode(m, path);

	if (perm >= 0)
		return (unsigned)perm;
	return git.git_tree_entry_filemode(te) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
}

/*
 * Store lifecycle
 */

static int
init_repo(struct snap_store *s, const char *workdir)
{
	git_repository_init_options o;
	git_config *cfg = NULL;
	git_transaction *tx = NULL;
	int rc;

	git.git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);

	o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	o.description = "deskhand snapshots (see deskhand.workdir)";
	if ((rc = G(git.git_repository_init_ext(&s->repo, s->repo_path, &o))) < 0)
		return rc;
	if ((rc = G(git.git_repository_config(&cfg, s->repo))) < 0)
		return rc;
	/* Local settings win over the global ones git itself would read here
	 * (libgit2 reads none: snap_git.c); we never run filters and must be
	 * able to record any name the filesystem allows. Under the
	 * config's lock the file is written once, at the commit, not once per
	 * setting (libgit2 config.h, git_config_lock). */
	if ((rc = G(git.git_config_lock(&tx, cfg))) < 0)
		goto out;
	if ((rc = G(git.git_config_set_string(cfg, "deskhand.workdir", workdir))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.filemode", 1))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.symlinks", 1))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.ignorecase", 0))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.autocrlf", 0))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.protectNTFS", 0))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.protectHFS", 0))) < 0 ||
	    (rc = G(git.git_config_set_bool(cfg, "core.logAllRefUpdates", 0))) < 0 ||
	    (rc = G(git.git_config_set_int32(cfg, "gc.auto", 0))) < 0 ||
	    (rc = snap_pack_config(cfg)) < 0 ||
	    (rc = G(git.git_transaction_commit(tx))) < 0)
		goto out;
out:
	git.git_transaction_free(tx); /* unlocks; without a commit, nothing is written */
	git.git_config_free(cfg);
	return rc;
}

/* Refuse a repository that records a different folder (a hash collision or a
 * hand-copied state dir). */
static int
check_owner(struct snap_store *s)
{
	git_config *cfg = NULL;
	git_buf v = GIT_BUF_INIT;
	int rc;

	if ((rc = G(git.git_repository_config_snapshot(&cfg, s->repo))) < 0)
		return rc;
	rc = git.git_config_get_string_buf(&v, cfg, "deskhand.workdir");
	if (rc == GIT_ENOTFOUND)
		rc = 0;
	else if (rc < 0)
		rc = G(rc);
	else if (strcmp(v.ptr, s->workdir))
		rc = err_set("snapshot: %s belongs to %s, not %s", s->repo_path, v.ptr, s->workdir);
	git.git_buf_dispose(&v);
	git.git_config_free(cfg);
	return rc;
}

/* HASH: git's object id of the path as a blob, SHA-1 over "blob LEN\0PATH",
 * as git_odb_hash() computes it, so that it is known before libgit2 is
 * loaded. */
char *
snap_repo_path_for(const char *sreal, const char *workdir)
{
	size_t wl = strlen(workdir);
	char head[32];
	int hl = snprintf(head, sizeof head, "blob %zu", wl);
	char *obj = xmalloc((size_t)hl + 1 + wl);
	unsigned char md[CRYPTO_SHA1_BYTES];
	char hex[2 * CRYPTO_SHA1_BYTES + 1];

	memcpy(obj, head, (size_t)hl + 1); /* with its NUL */
	memcpy(obj + hl + 1, workdir, wl);
	crypto_sha1(obj, (size_t)hl + 1 + wl, md);
	free(obj);
	crypto_hex(md, sizeof md, hex);
	return xasprintf("%s/snapshots/%s.git/", sreal, hex);
}

int
snap_prepare(struct snap_store **out, const char *workdir, const char *state_dir)
{
	struct snap_store *s = NULL;
	char *real = NULL, *sreal = NULL, *snapdir = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	if (!workdir || workdir[0] != '/')
		return err_set("snapshot: folder must be an absolute path: %s",
		               workdir ? workdir : "");
	if (!(real = realpath(workdir, NULL)))
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot: %s: %s",
		                workdir, strerror(errno));
	if (strcmp(real, workdir)) {
		rc = err_set("snapshot: %s is not a real path (it is %s)", workdir, real);
		goto fail;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = err_set("snapshot: %s is not a directory", real);
		goto fail;
	}
	snapdir = xasprintf("%s/snapshots", state_dir);
	if ((rc = mkdir_p(snapdir, 0700)) < 0)
		goto fail;
	if (!(sreal = realpath(state_dir, NULL))) {
		rc = err_set("snapshot: %s: %s", state_dir, strerror(errno));
		goto fail;
	}

	s = xcalloc(1, sizeof *s);
	s->lock_fd = -1;
	s->workdir = real;
	real = NULL;
	size_t wl = strlen(s->workdir);
	if (wl == 1 && sreal[1])
		s->skip_rel = xstrdup(sreal + 1);
	else if (!strncmp(sreal, s->workdir, wl) && sreal[wl] == '/')
		s->skip_rel = xstrdup(sreal + wl + 1);
	s->repo_path = snap_repo_path_for(sreal, s->workdir);
	/* The directory the writer lock lives in (snap_lock): made here, so the
	 * lock can be taken before the repository is; libgit2 initialises a
	 * repository in it all the same (snap_open_repo). As libgit2 makes it:
	 * 0777 less the umask. */
	if (mkdir(s->repo_path, 0777) < 0 && errno != EEXIST) {
		rc = err_set("snapshot: mkdir %s: %s", s->repo_path, strerror(errno));
		goto fail;
	}
	*out = s;
	s = NULL;
	rc = 0;
fail:
	snap_close(s);
	free(real);
	free(sreal);
	free(snapdir);
	return rc;
}

/* Notes written flat by older versions go to their fan-out paths (each
 * checkpoint would otherwise rewrite a tree of them all). Best effort: flat
 * notes still read, so a failure (a read-only state dir) only costs time. */
static void
migrate_notes(struct snap_store *s)
{
	size_t moved;

	if (snap_meta_migrate(s->repo, &moved) < 0) {
		log_warn("snapshot: %s: notes left as they were: %s", s->repo_path, err_msg());
		return;
	}
	if (moved)
		log_info("snapshot: %s: moved %zu notes to fan-out paths", s->repo_path, moved);
}

int
snap_open_repo(struct snap_store *s)
{
	struct stat st;
	int rc;

	if (s->index || s->gone)
		return 0;
	if (snap_git_load() < 0)
		return DH_EFAIL;
	if (!s->repo) {
		rc = git.git_repository_open_bare(&s->repo, s->repo_path);
		if (rc == GIT_ENOTFOUND)
			rc = init_repo(s, s->workdir);
		else
			rc = G(rc);
		if (rc < 0 || (rc = check_owner(s)) < 0)
			goto fail;
		migrate_notes(s);
	}
	if ((rc = G(git.git_repository_set_workdir(s->repo, s->workdir, 0))) < 0)
		goto fail;
	s->index_path = xasprintf("%sindex", git.git_repository_path(s->repo));
	/* The index is the scan's cache, written without an fsync (libgit2 has
	 * none for it): one a crash left empty or torn is set aside, and the
	 * next scan, trusting no stat data, rebuilds it. */
	if ((rc = git.git_repository_index(&s->index, s->repo)) < 0) {
		const git_error *e = git.git_error_last();

		log_warn("snapshot: %s: %s; rebuilding it", s->index_path,
		         e && e->message ? e->message : "cannot be read");
		if (unlink(s->index_path) == 0 || errno == ENOENT)
			rc = git.git_repository_index(&s->index, s->repo);
		if ((rc = G(rc)) < 0) {
			free(s->index_path);
			s->index_path = NULL;
			goto fail;
		}
	}
	if (stat(s->index_path, &st) == 0)
		s->trust = st.st_mtim;
	return 0;
fail:
	/* Asked again, it starts over (and most likely says the same). */
	git.git_repository_free(s->repo);
	s->repo = NULL;
	return DH_EFAIL;
}

int
snap_open_folder(struct snap_store *s, const char *hint)
{
	if (s->gone)
		return err_setc(DH_ENOTFOUND, "snapshot: %s is gone (moved or deleted): %s",
		                s->workdir, hint ? hint : "only its checkpoints can be read; "
		                "put it back to change or record it");
	return snap_open_repo(s);
}

int
snap_open(struct snap_store **out, const char *workdir, const char *state_dir)
{
	int rc = snap_prepare(out, workdir, state_dir);

	if (rc == 0 && (rc = snap_open_repo(*out)) < 0) {
		snap_close(*out);
		*out = NULL;
	}
	return rc;
}

int
snap_open_gone(struct snap_store **out, const char *workdir, const char *state_dir)
{
	struct snap_store *s;
	char *sreal;
	int rc;

	*out = NULL;
	if (!workdir || workdir[0] != '/')
		return err_set("snapshot: folder must be an absolute path: %s",
		               workdir ? workdir : "");
	if (snap_git_load() < 0)
		return DH_EFAIL;
	if (!(sreal = realpath(state_dir, NULL)))
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot: %s: %s",
		                state_dir, strerror(errno));
	s = xcalloc(1, sizeof *s);
	s->lock_fd = -1;
	s->gone = true;
	s->workdir = xstrdup(workdir);
	s->repo_path = snap_repo_path_for(sreal, s->workdir);
	free(sreal);
	rc = git.git_repository_open_bare(&s->repo, s->repo_path);
	if (rc == GIT_ENOTFOUND)
		rc = err_setc(DH_ENOTFOUND, "snapshot: no shadow repository for %s", workdir);
	else if ((rc = G(rc)) == 0)
		rc = check_owner(s);
	if (rc < 0) {
		snap_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
snap_close(struct snap_store *s)
{
	if (!s)
		return;
	if (s->index)
		snap_scan_flush(s);
	if (s->cache) {
		snap_meta_fini(s->cache);
		free(s->cache);
	}
	ignore_free(s->ign);
	snap_unlock(s);
	/* Without a repository (snap_prepare() only), libgit2 may not even be
	 * loaded. */
	if (s->index)
		git.git_index_free(s->index);
	if (s->repo)
		git.git_repository_free(s->repo);
	free(s->workdir);
	free(s->repo_path);
	free(s->index_path);
	free(s->skip_rel);
	free(s);
}

const char *
snap_repo_path(const struct snap_store *s)
{
	return s->repo_path;
}

/*
 * Changes between two checkpoints
 */

struct changes {
	struct snap_change *v;
	size_t n, cap;
};

static void
changes_add(struct changes *c, char status, const char *path, const char *old_path)
{
	ARRAY_RESERVE(c, 1);
	c->v[c->n].status = status;
	c->v[c->n].path = xstrdup(path);
	c->v[c->n++].old_path = old_path ? xstrdup(old_path) : NULL;
}

static void
changes_free(struct snap_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].old_path);
	}
	free(v);
}

static int
cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct snap_change *)a)->path, ((const struct snap_change *)b)->path);
}

/* Permission-only changes recorded in the notes, for paths the tree diff did
 * not already report. */
static void
mode_changes(struct changes *c, git_tree *nt, const struct snap_meta *om,
             const struct snap_meta *nm)
{
	size_t n0 = c->n, i = 0, j = 0;
	const char **known = xmalloc((n0 + 1) * sizeof *known);

	for (size_t k = 0; k < n0; k++)
		known[k] = c->v[k].path;
	if (n0)
		qsort(known, n0, sizeof *known, strv_cmp);
	while (i < om->nmodes || j < nm->nmodes) {
		const char *path;
		int d;

		if (i == om->nmodes)
			d = 1;
		else if (j == nm->nmodes)
			d = -1;
		else
			d = strcmp(om->modes[i].path, nm->modes[j].path);
		if (d == 0 && om->modes[i].mode == nm->modes[j].mode) {
			i++, j++;
			continue;
		}
		path = d <= 0 ? om->modes[i].path : nm->modes[j].path;
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
		if (n0 && bsearch(&path, known, n0, sizeof *known, strv_cmp))
			continue;
		git_tree_entry *te = blob_entry(nt, path);
		if (te) {
			changes_add(c, 'T', path, NULL);
			git.git_tree_entry_free(te);
		}
	}
	free(known);
}

/* What changed from (ot, om) to (nt, nm): the tree diff with renames, then the
 * mode-only and empty-directory changes from the notes; sorted by path. With
 * `only` set, the trees are known to differ only at or below those n paths
 * (none: the trees are the same), and the diff descends nowhere else: its
 * cost then follows the change. */
static int
changes_between_in(struct snap_store *s, git_tree *ot, const struct snap_meta *om, git_tree *nt,
                   const struct snap_meta *nm, const char *const *only, size_t n,
                   struct snap_change **out, size_t *nout)
{
	git_diff_options o;
	git_diff_find_options f;
	git_diff *diff = NULL;
	struct changes c = { 0 };
	char dpath[4096];
	int rc = 0;

	snap_diff_opts(s, &o);
	git.git_diff_find_options_init(&f, GIT_DIFF_FIND_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	if (n) {
		o.pathspec.strings = (char **)only;
		o.pathspec.count = n;
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	f.flags = GIT_DIFF_FIND_RENAMES;
	if ((!only || n) && ((rc = G(git.git_diff_tree_to_tree(&diff, s->repo, ot, nt, &o))) < 0 ||
	                     (rc = G(git.git_diff_find_similar(diff, &f))) < 0))
		goto out;
	for (size_t i = 0; diff && i < git.git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git.git_diff_get_delta(diff, i);
		const char *np = d->new_file.path, *op = d->old_file.path;

		switch (d->status) {
		case GIT_DELTA_ADDED:
		case GIT_DELTA_COPIED:
			changes_add(&c, 'A', np, NULL);
			break;
		case GIT_DELTA_DELETED:
			changes_add(&c, 'D', op, NULL);
			break;
		case GIT_DELTA_RENAMED:
			changes_add(&c, 'R', np, op);
			break;
		case GIT_DELTA_TYPECHANGE:
			changes_add(&c, 'T', np, NULL);
			break;
		case GIT_DELTA_MODIFIED:
			changes_add(&c,
			            git.git_oid_equal(&d->old_file.id, &d->new_file.id) ? 'T' : 'M',
			            np, NULL);
			break;
		default:
			break;
		}
	}
	mode_changes(&c, nt, om, nm);
	/* A directory's mode change, where it is a directory on both sides. */
	const char **dm;
	size_t ndm = snap_meta_dir_modes_changed(om, nm, &dm);
	for (size_t i = 0; i < ndm; i++) {
		if (dir_exists(ot, om, dm[i]) && dir_exists(nt, nm, dm[i])) {
			snprintf(dpath, sizeof dpath, "%s/", dm[i]);
			changes_add(&c, 'T', dpath, NULL);
		}
	}
	free(dm);
	for (size_t i = 0; i < nm->ndirs; i++) {
		if (!snap_meta_has_dir(om, nm->dirs[i]) && !dir_exists(ot, om, nm->dirs[i])) {
			snprintf(dpath, sizeof dpath, "%s/", nm->dirs[i]);
			changes_add(&c, 'A', dpath, NULL);
		}
	}
	for (size_t i = 0; i < om->ndirs; i++) {
		if (!snap_meta_has_dir(nm, om->dirs[i]) && !dir_exists(nt, nm, om->dirs[i])) {
			snprintf(dpath, sizeof dpath, "%s/", om->dirs[i]);
			changes_add(&c, 'D', dpath, NULL);
		}
	}
	/* the notes' changes at ignored paths (the diff skipped its own) */
	size_t kept = 0;
	for (size_t i = 0; i < c.n; i++) {
		struct snap_change *ch = &c.v[i];
		size_t len = strlen(ch->path);

		if (!snap_ignored(s, ch->path, len && ch->path[len - 1] == '/')) {
			c.v[kept++] = *ch;
			continue;
		}
		free(ch->path);
		free(ch->old_path);
	}
	c.n = kept;
	if (c.n)
		qsort(c.v, c.n, sizeof *c.v, cmp_change);
out:
	git.git_diff_free(diff);
	if (rc < 0) {
		changes_free(c.v, c.n);
		return rc;
	}
	*out = c.v;
	*nout = c.n;
	return 0;
}

/* Append to `out` the paths at which trees a and b differ, below `prefix`
 * ("" or "dir/"): an entry on one side only, or whose id or mode differs, by
 * its own path (a directory's stands for everything in it, as a pathspec
 * with GIT_DIFF_DISABLE_PATHSPEC_MATCH takes it). A subtree on both sides is
 * read only when its ids differ. libgit2's tree-to-tree diff reads every
 * subtree of both trees, changed or not (libgit2 PR #6863, open): a log of
 * a 2,000-file folder's 30 checkpoints read 1,800 trees, and its cost grew
 * with the folder, not with the change. */
static int
tree_delta_paths(struct snap_store *s, const git_tree *a, const git_tree *b, const char *prefix,
                 struct strv *out)
{
	size_t na = git.git_tree_entrycount(a), nb = git.git_tree_entrycount(b);
	int rc = 0;

	for (size_t i = 0; i < na && rc == 0; i++) {
		const git_tree_entry *ea = git.git_tree_entry_byindex(a, i);
		const char *name = git.git_tree_entry_name(ea);
		const git_tree_entry *eb = git.git_tree_entry_byname(b, name);
		git_tree *sa = NULL, *sb = NULL;

		if (eb && git.git_oid_equal(git.git_tree_entry_id(ea), git.git_tree_entry_id(eb)) &&
		    git.git_tree_entry_filemode(ea) == git.git_tree_entry_filemode(eb))
			continue;
		char *path = xasprintf("%s%s", prefix, name);
		if (eb && git.git_tree_entry_type(ea) == GIT_OBJECT_TREE &&
		    git.git_tree_entry_type(eb) == GIT_OBJECT_TREE) {
			char *sub = xasprintf("%s/", path);

			if ((rc = G(git.git_tree_lookup(&sa, s->repo, git.git_tree_entry_id(ea)))) == 0 &&
			    (rc = G(git.git_tree_lookup(&sb, s->repo, git.git_tree_entry_id(eb)))) == 0)
				rc = tree_delta_paths(s, sa, sb, sub, out);
			git.git_tree_free(sa);
			git.git_tree_free(sb);
			free(sub);
		} else {
			strv_add(out, path);
		}
		free(path);
	}
	for (size_t j = 0; j < nb && rc == 0; j++) {
		const char *name = git.git_tree_entry_name(git.git_tree_entry_byindex(b, j));

		if (!git.git_tree_entry_byname(a, name)) {
			char *path = xasprintf("%s%s", prefix, name);

			strv_add(out, path);
			free(path);
		}
	}
	return rc;
}

/* git_diff_notify_cb: a delta either of whose paths is ignored is skipped. */
static int
skip_ignored(const git_diff *diff, const git_diff_delta *d, const char *spec, void *payload)
{
	struct snap_store *s = payload;

	(void)diff;
	(void)spec;
	return snap_ignored(s, d->old_file.path, false) || snap_ignored(s, d->new_file.path, false);
}

void
snap_diff_opts(struct snap_store *s, git_diff_options *o)
{
	git.git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
	o->notify_cb = skip_ignored;
	o->payload = s;
}

int
snap_diff_narrow(struct snap_store *s, git_tree *a, git_tree *b, git_diff_options *o,
                 struct strv *paths)
{
	int rc = tree_delta_paths(s, a, b, "", paths);

	if (rc == 0 && paths->n) {
		o->pathspec.strings = paths->v;
		o->pathspec.count = paths->n;
		o->flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	return rc;
}

/* changes_between_in() over the paths where the trees differ; a directory
 * of either that cannot be read is named (snap_tree_damaged). */
static int
changes_between(struct snap_store *s, git_tree *ot, const struct snap_meta *om, git_tree *nt,
                const struct snap_meta *nm, struct snap_change **out, size_t *nout)
{
	static const char *const none[1];
	struct strv paths = { 0 };
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = tree_delta_paths(s, ot, nt, "", &paths)) == 0)
		rc = changes_between_in(s, ot, om, nt, nm,
		                        paths.n ? (const char *const *)paths.v : none, paths.n, out,
		                        nout);
	if (rc < 0 && (snap_tree_damaged(s, ot, false) || snap_tree_damaged(s, nt, false)))
		rc = DH_EFAIL;
	strv_free(&paths);
	return rc;
}

/*
 * Checkpoints
 */

/* Bring the index up to date (incrementally when `dirty` allows) and return
 * the folder's tree and metadata. */
static int
scan_for(struct snap_store *s, const struct snap_base *base, const struct snap_dirty *dirty,
         git_oid *tree_id, struct snap_meta *meta, struct snap_checkpoint *out)
{
	int rc;

	if (dirty && !dirty->full) {
		rc = snap_scan_dirty(s, base, dirty->paths, dirty->n, tree_id, meta);
		if (rc != DH_EAGAIN) {
			out->mode = "incremental";
			out->paths_read = s->paths_read;
			return rc;
		}
		log_debug("snapshot: full scan instead: %s", err_msg());
		snap_meta_fini(meta);
	}
	rc = snap_scan(s, base, tree_id, meta);
	out->mode = "full";
	out->paths_read = s->paths_read;
	return rc;
}

int
snap_commit_over(git_repository *repo, git_oid *out, const git_oid *tree, const git_oid *parent,
                 const git_signature *sig, const char *msg)
{
	char th[41], ph[41];
	struct buf b = BUF_INIT;
	git_odb *odb = NULL;
	int off = sig->when.offset < 0 ? -sig->when.offset : sig->when.offset;
	int rc;

	git.git_oid_tostr(th, sizeof th, tree);
	git.git_oid_tostr(ph, sizeof ph, parent);
	buf_printf(&b, "tree %s\nparent %s\n", th, ph);
	for (int i = 0; i < 2; i++)
		buf_printf(&b, "%s %s <%s> %lld %c%02d%02d\n", i ? "committer" : "author", sig->name,
		           sig->email, (long long)sig->when.time, sig->when.offset < 0 ? '-' : '+',
		           off / 60, off % 60);
	buf_printf(&b, "\n%s", msg);
	if ((rc = G(git.git_repository_odb(&odb, repo))) == 0)
		rc = G(git.git_odb_write(out, odb, b.ptr, b.len, GIT_OBJECT_COMMIT));
	git.git_odb_free(odb);
	buf_fini(&b);
	return rc;
}

/* git's --stat text of (a, b), the diff limited to the n paths of `only`
 * when set (none: the trees are the same, and the text stays empty). */
static int
stat_between(struct snap_store *s, git_tree *a, git_tree *b, const char *const *only, size_t n,
             struct buf *out)
{
	git_diff_options o;
	git_diff_find_options f;
	git_diff *diff = NULL;
	git_diff_stats *st = NULL;
	git_buf gb = GIT_BUF_INIT;
	int rc;

	if (only && !n)
		return 0;
	snap_diff_opts(s, &o);
	git.git_diff_find_options_init(&f, GIT_DIFF_FIND_OPTIONS_VERSION);
	if (n) {
		o.pathspec.strings = (char **)only;
		o.pathspec.count = n;
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	f.flags = GIT_DIFF_FIND_RENAMES;
	if ((rc = G(git.git_diff_tree_to_tree(&diff, s->repo, a, b, &o))) == 0 &&
	    (rc = G(git.git_diff_find_similar(diff, &f))) == 0 &&
	    git.git_diff_num_deltas(diff) > 0 &&
	    (rc = G(git.git_diff_get_stats(&st, diff))) == 0 &&
	    (rc = G(git.git_diff_stats_to_buf(&gb, st, GIT_DIFF_STATS_FULL, 80))) == 0)
		buf_add(out, gb.ptr, gb.size);
	git.git_buf_dispose(&gb);
	git.git_diff_stats_free(st);
	git.git_diff_free(diff);
	return rc;
}

static int
take_dirty(struct snap_store *s, const char *session, const char *msg,
           const struct snap_dirty *dirty, struct buf *stat, bool over_damaged,
           struct snap_checkpoint *out)
{
	char headref[192], baseref[192];
	git_oid tree_id, head_id, commit_id;
	struct snap_meta meta = { 0 }, pmeta = { 0 };
	struct buf note = BUF_INIT, pnote = BUF_INIT;
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	struct snap_change *ch = NULL;
	struct strv delta = { 0 };
	size_t nch = 0;
	bool has_head, damaged = false;
	int rc;

	out->damaged[0] = '\0';
	if ((rc = ref_name(headref, sizeof headref, session, "head")) < 0 ||
	    (rc = ref_name(baseref, sizeof baseref, session, "baseline")) < 0)
		return rc;
	if ((rc = snap_head_get(s, session, &head_id, &has_head)) < 0)
		return rc;

	git_oid base = s->last_tree;
	bool had_base = s->cache != NULL;
	/* What the scan cannot read keeps the head's content. */
	if (has_head &&
	    (rc = snap_checkpoint_read(s, session, &head_id, &parent, &ptree, &pmeta)) < 0) {
		if (!over_damaged)
			goto out;
		/* A recovery records the folder as it is, over a head it cannot
		 * read, with that head as its parent by id: the session goes on
		 * from there, and a later read of the history meets the damage
		 * where it is (snap_log marks it) instead of losing the link. */
		damaged = true;
		snap_meta_fini(&pmeta);
		git.git_oid_tostr(out->damaged, sizeof out->damaged, &head_id);
		rc = 0;
	}
	struct snap_base carry = { ptree, &pmeta };
	/* Over damage a full scan: an incremental one builds on the last
	 * scan's tree, which may be the damaged one. */
	if ((rc = scan_for(s, &carry, damaged ? NULL : dirty, &tree_id, &meta, out)) < 0)
		goto out;
	snap_meta_format(&meta, &note);
	if (has_head && !damaged) {
		snap_meta_format(&pmeta, &pnote);
		bool same = !strcmp(buf_cstr(&note), buf_cstr(&pnote));
		if (!same && (!pmeta.has_dmodes || !pmeta.has_root)) {
			/* The head's note is an older version's: that it records no
			 * directory modes, or not the folder's own, is no change. */
			struct buf old = BUF_INIT;
			struct snap_meta m1 = meta;

			m1.has_dmodes = pmeta.has_dmodes;
			m1.has_root = false;
			snap_meta_format(&m1, &old);
			same = !strcmp(buf_cstr(&old), buf_cstr(&pnote));
			buf_fini(&old);
		}
		if (same && git.git_oid_equal(git.git_commit_tree_id(parent), &tree_id)) {
			fill_ids(out->id, out->short_id, &head_id);
			goto out;
		}
	}
	const git_commit *parents[1] = { parent };
	const git_oid *parent_ids[1] = { &head_id };
	if ((rc = G(git.git_tree_lookup(&tree, s->repo, &tree_id))) < 0 ||
	    (rc = snap_signature(&sig)) < 0)
		goto out;
	if (damaged)
		rc = snap_commit_over(s->repo, &commit_id, &tree_id, parent_ids[0], sig, msg);
	else
		rc = G(git.git_commit_create(&commit_id, s->repo, NULL, sig, sig, NULL, msg, tree,
		                             parent ? 1 : 0, parents));
	if (rc < 0 || (rc = snap_meta_write(s->repo, sig, &commit_id, buf_cstr(&note))) < 0)
		goto out;
	/* The note exists before the ref moves, so every reachable checkpoint has one. */
	if ((rc = G(git.git_reference_create(&ref, s->repo, headref, &commit_id, 1,
	                                     "deskhand: checkpoint"))) < 0)
		goto out;
	if (!has_head) {
		git.git_reference_free(ref);
		ref = NULL;
		if ((rc = G(git.git_reference_create(&ref, s->repo, baseref, &commit_id, 1,
		                                     "deskhand: baseline"))) < 0)
			goto out;
		out->files_changed = meta.nfiles;
	} else if (damaged) {
		git_commit *hc = NULL;
		git_tree *ht = NULL;
		struct snap_meta hm = { 0 };

		out->files_changed = meta.nfiles; /* against what cannot be read: all */
		/* A folder that matched the damaged tree or note wrote it anew
		 * (snap_object_rewrite): the head may read again. */
		out->repaired = snap_checkpoint_read(s, session, &head_id, &hc, &ht, &hm) == 0;
		snap_meta_fini(&hm);
		git.git_tree_free(ht);
		git.git_commit_free(hc);
	} else {
		/* An incremental scan changed only the dirty paths (unless it
		 * followed hard links beyond them); when the head is the state that
		 * scan started from, the diff need look nowhere else. Otherwise the
		 * paths come from the subtrees that differ. */
		static const char *const none[1];
		bool narrow = had_base && !strcmp(out->mode, "incremental") && !s->last_widened &&
		              git.git_oid_equal(git.git_commit_tree_id(parent), &base) && dirty->n;
		const char *const *only = narrow ? dirty->paths : NULL;
		size_t n = narrow ? dirty->n : 0;

		rc = narrow ? 0 : tree_delta_paths(s, ptree, tree, "", &delta);
		if (rc == 0 && !narrow) {
			only = delta.n ? (const char *const *)delta.v : none;
			n = delta.n;
		}
		if (rc == 0)
			rc = changes_between_in(s, ptree, &pmeta, tree, &meta, only, n, &ch, &nch);
		if (rc < 0 && snap_tree_damaged(s, ptree, over_damaged)) {
			/* A directory of the head that cannot be read (emptied by a
			 * crash), which the folder no longer matches: named (logged),
			 * and, over damage, the folder is recorded over it as over a
			 * head that cannot be read; the commit is there already. */
			if (!over_damaged)
				goto out;
			git.git_oid_tostr(out->damaged, sizeof out->damaged, &head_id);
			out->damaged_below = true;
			out->files_changed = meta.nfiles; /* against what cannot be read: all */
			rc = 0;
		} else if (rc < 0) {
			goto out;
		} else {
			/* Display only: a failure leaves the text empty. */
			if (stat && stat_between(s, ptree, tree, only, n, stat) < 0)
				buf_clear(stat);
			out->files_changed = nch;
		}
	}
	fill_ids(out->id, out->short_id, &commit_id);
	out->created = true;
out:
	changes_free(ch, nch);
	strv_free(&delta);
	git.git_reference_free(ref);
	git.git_signature_free(sig);
	git.git_tree_free(tree);
	git.git_tree_free(ptree);
	git.git_commit_free(parent);
	buf_fini(&note);
	buf_fini(&pnote);
	snap_meta_fini(&meta);
	snap_meta_fini(&pmeta);
	return rc;
}

void
snap_checkpoint_say_damaged(struct buf *out, const char *grant, const char *session,
                            const struct snap_checkpoint *ck)
{
	if (ck->damaged_below)
		buf_printf(out,
		           "%s: a directory of the head checkpoint %.12s of session %s cannot be "
		           "read ('deskhand diff %.12s' names it): recorded the folder as it is now "
		           "over it (checkpoint %s)",
		           grant, ck->damaged, session, ck->damaged, ck->short_id);
	else if (ck->repaired)
		buf_printf(out,
		           "%s: the head checkpoint %.12s of session %s could not be read: the "
		           "folder matched it, and recording it over it (checkpoint %s) wrote what "
		           "was damaged anew; it reads again",
		           grant, ck->damaged, session, ck->short_id);
	else
		buf_printf(out,
		           "%s: the head checkpoint %.12s of session %s cannot be read (see "
		           "'deskhand log'): recorded the folder as it is now over it (checkpoint %s)",
		           grant, ck->damaged, session, ck->short_id);
}

int
snap_checkpoint_opt(struct snap_store *s, const char *session,
                    const struct snap_checkpoint_opts *o, struct snap_checkpoint *out)
{
	struct buf msg = BUF_INIT;
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof *out);
	out->mode = "full";
	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if (!session_ok(session))
		return err_set("snapshot: invalid session id '%s'", session ? session : "");
	put_flat(&msg, o->label && *o->label ? o->label : "checkpoint");
	buf_puts(&msg, "\n\nDeskhand-Session: ");
	buf_puts(&msg, session);
	if (o->turn >= 0)
		buf_printf(&msg, "\nDeskhand-Turn: %d", o->turn);
	if (o->tool_call && *o->tool_call) {
		buf_puts(&msg, "\nDeskhand-Tool-Call: ");
		put_flat(&msg, o->tool_call);
	}
	if (o->external)
		buf_puts(&msg, "\nDeskhand-External: yes");
	buf_putc(&msg, '\n');
	s->builtin_rules = o->builtin_rules;
	s->builtin_text = o->builtin_rules ? o->rules : NULL;
	rc = take_dirty(s, session, buf_cstr(&msg), o->dirty, o->stat, o->over_damaged, out);
	s->builtin_rules = false;
	s->builtin_text = NULL;
	/* The folder moved or deleted while it was recorded: whichever step
	 * met its absence first (libgit2's "failed to resolve path", a scan's
	 * ENOENT), it is the folder that is gone (agent.c advises putting it
	 * back, not making room). */
	struct stat st;
	if (rc < 0 && rc != DH_ENOTFOUND && lstat(s->workdir, &st) < 0 && errno == ENOENT) {
		char *why = xstrdup(err_msg());

		rc = err_setc(DH_ENOTFOUND, "%s", why);
		free(why);
	}
	out->duration_ms = ms_since(&t0);
	buf_fini(&msg);
	return rc;
}

int
snap_checkpoint(struct snap_store *s, const char *session, const char *label, int turn,
                const char *tool_call, struct snap_checkpoint *out)
{
	const struct snap_checkpoint_opts o = { .label = label, .turn = turn, .tool_call = tool_call };

	return snap_checkpoint_opt(s, session, &o, out);
}

void
snap_set_large_limit(struct snap_store *s, long long bytes)
{
	s->large_limit = bytes;
}

/*
 * Log and resolve
 */

static int
count_blob(const char *root, const git_tree_entry *te, void *ctx)
{
	(void)root;
	if (git.git_tree_entry_type(te) == GIT_OBJECT_BLOB)
		++*(size_t *)ctx;
	return 0;
}

/* Fill e for checkpoint `id` of `session`; *parent is its first parent and
 * *more whether it has one. What cannot be read is recorded in e->damage
 * (the commit itself: *more false, its parent unknown); a parent that cannot
 * be read leaves e's changes empty (its own entry says why). */
static void
log_fill(struct snap_store *s, const char *session, const git_oid *id, struct snap_log_entry *e,
         git_oid *parent, bool *more)
{
	git_commit *c = NULL, *p = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_message_trailer_array tr = { 0 };
	struct snap_meta m = { 0 }, pm = { 0 };
	const char *msg, *nl;

	fill_ids(e->id, e->short_id, id);
	e->turn = -1;
	*more = false;
	if (snap_checkpoint_read(s, session, id, &c, NULL, NULL) < 0) {
		e->damage = xstrdup(err_msg());
		e->label = xstrdup("(cannot be read)");
		return;
	}
	e->time = (long long)git.git_commit_time(c);
	msg = git.git_commit_message(c);
	nl = strchr(msg, '\n');
	e->label = nl ? xstrndup(msg, (size_t)(nl - msg)) : xstrdup(msg);
	if (git.git_message_trailers(&tr, msg) == 0) {
		for (size_t i = 0; i < tr.count; i++) {
			if (!strcmp(tr.trailers[i].key, "Deskhand-Turn"))
				e->turn = atoi(tr.trailers[i].value);
			else if (!strcmp(tr.trailers[i].key, "Deskhand-Tool-Call") && !e->tool_call)
				e->tool_call = xstrdup(tr.trailers[i].value);
			else if (!strcmp(tr.trailers[i].key, "Deskhand-External"))
				e->external = true;
		}
	}
	if (git.git_commit_parentcount(c) > 0) {
		*parent = *git.git_commit_parent_id(c, 0);
		*more = true;
	}
	int rc = 0;
	if (git.git_commit_tree(&t, c) < 0)
		rc = snap_damaged(s, session, id, git.git_commit_tree_id(c));
	else if (snap_meta_read(&m, s->repo, id) < 0)
		rc = snap_damaged(s, session, id, NULL);
	if (rc < 0)
		e->damage = xstrdup(err_msg());
	if (!t)
		goto out;
	e->nfiles = m.nfiles;
	if (!e->nfiles) /* no note (or an empty folder, or a note that cannot be read): count */
		git.git_tree_walk(t, GIT_TREEWALK_PRE, count_blob, &e->nfiles);
	if (rc < 0)
		goto out;
	if (*more && snap_checkpoint_read(s, session, parent, &p, &pt, &pm) == 0 &&
	    changes_between(s, pt, &pm, t, &m, &e->changes, &e->nchanges) < 0)
		e->damage = xasprintf("snapshot: %s: the changes of checkpoint %s cannot be "
		                      "listed: %s",
		                      s->repo_path, e->short_id, err_msg());
out:
	git.git_message_trailer_array_free(&tr);
	snap_meta_fini(&m);
	snap_meta_fini(&pm);
	git.git_tree_free(t);
	git.git_tree_free(pt);
	git.git_commit_free(c);
	git.git_commit_free(p);
}

int
snap_log(struct snap_store *s, const char *session, struct snap_log_entry **out, size_t *n)
{
	struct snap_log_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	git_oid id, base, parent;
	bool more, has_base;
	int rc;

	*out = NULL;
	*n = 0;
	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = ref_lookup(s, session, "head", &id)) < 0)
		return rc;
	has_base = ref_lookup(s, session, "baseline", &base) == 0;
	/* First parents from the head, newest first. Past a commit that cannot
	 * be read its parent is unknown: the baseline, which every checkpoint
	 * of the session descends from, is all that is left to show. */
	for (;;) {
		ARRAY_GROW(v, cnt, cap, 1);
		struct snap_log_entry *e = &v[cnt++];

		memset(e, 0, sizeof *e);
		log_fill(s, session, &id, e, &parent, &more);
		if (has_base && git.git_oid_equal(&id, &base))
			has_base = false;
		if (more) {
			id = parent;
		} else if (e->damage && has_base) {
			id = base;
			has_base = false;
		} else {
			break;
		}
	}
	for (size_t i = 0; i < cnt / 2; i++) { /* oldest first */
		struct snap_log_entry t = v[i];

		v[i] = v[cnt - 1 - i];
		v[cnt - 1 - i] = t;
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
snap_log_free(struct snap_log_entry *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].label);
		free(e[i].tool_call);
		free(e[i].damage);
		changes_free(e[i].changes, e[i].nchanges);
	}
	free(e);
}

int
snap_resolve(struct snap_store *s, const char *session, const char *spec, char out_id[41])
{
	git_oid id, hit, base;
	char hex[41];
	size_t len = spec ? strlen(spec) : 0, nhit = 0;
	int rc;

	out_id[0] = '\0';
	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if (spec && (!strcasecmp(spec, "baseline") || !strcasecmp(spec, "head") ||
		     !strcasecmp(spec, "accepted"))) {
		char which[9];

		snprintf(which, sizeof which, "%s", spec);
		for (char *p = which; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		rc = ref_lookup(s, session, which, &id);
		if (rc == DH_ENOTFOUND && !strcmp(which, "accepted")) /* nothing accepted yet */
			rc = ref_lookup(s, session, "baseline", &id);
		if (rc < 0)
			return rc;
		git.git_oid_tostr(out_id, 41, &id);
		return 0;
	}
	if (len < 4 || len > 40 || !is_hex(spec, len))
		return err_setc(DH_ENOTFOUND, "snapshot: unknown checkpoint '%s'",
		                spec ? spec : "");
	if ((rc = ref_lookup(s, session, "head", &id)) < 0)
		return rc;
	bool has_base = ref_lookup(s, session, "baseline", &base) == 0, cut = false;
	/* First parents from the head, as snap_log() lists them: past a
	 * commit that cannot be read, only the baseline. */
	for (;;) {
		git_commit *c = NULL;
		bool more = false;

		git.git_oid_tostr(hex, sizeof hex, &id);
		if (!strncasecmp(hex, spec, len)) {
			hit = id;
			nhit++;
		}
		if (has_base && git.git_oid_equal(&id, &base))
			has_base = false;
		if (git.git_commit_lookup(&c, s->repo, &id) < 0) {
			cut = true;
		} else if (git.git_commit_parentcount(c) > 0) {
			id = *git.git_commit_parent_id(c, 0);
			more = true;
		}
		git.git_commit_free(c);
		if (!more && cut && has_base) {
			id = base;
			has_base = false;
		} else if (!more) {
			break;
		}
	}
	if (nhit != 1)
		return err_setc(DH_ENOTFOUND, "snapshot: %s checkpoint '%s' in session %s%s",
		                nhit ? "ambiguous" : "no", spec, session,
		                cut ? " (some of its checkpoints cannot be read: see 'deskhand "
		                      "log')"
		                    : "");
	git.git_oid_tostr(out_id, 41, &hit);
	return 0;
}

/*
 * Diffs
 */

/* The tree of checkpoint `spec` (hex id or unique prefix), or of the folder's
 * current contents when spec is NULL (what cannot be read there shows as it
 * is in `from`, the tree it is compared with, when not NULL). */
static int
spec_tree(struct snap_store *s, const char *spec, git_tree *from, git_tree **out)
{
	git_commit *c = NULL;
	git_oid id;
	size_t len = spec ? strlen(spec) : 0;
	int rc;

	*out = NULL;
	if (!spec) {
		if ((rc = snap_open_folder(s, "name a checkpoint to compare with")) < 0)
			return rc;
		struct snap_meta m = { 0 }, none = { 0 };
		struct snap_base base = { from, &none };

		rc = snap_scan(s, &base, &id, &m);
		snap_meta_fini(&m);
		return rc < 0 ? rc : G(git.git_tree_lookup(out, s->repo, &id));
	}
	if (len < 4 || len > 40 || !is_hex(spec, len))
		return err_setc(DH_ENOTFOUND, "snapshot: unknown checkpoint '%s'", spec);
	if ((rc = G(git.git_oid_fromstrn(&id, spec, len))) < 0)
		return rc;
	/* No such object: an unknown checkpoint; one that cannot be read:
	 * damage, said as such. */
	rc = git.git_commit_lookup_prefix(&c, s->repo, &id, len);
	if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS)
		return err_setc(DH_ENOTFOUND, "snapshot: %s checkpoint '%s'",
		                rc == GIT_EAMBIGUOUS ? "ambiguous" : "no", spec);
	if (rc < 0)
		return snap_damaged(s, NULL, &id, &id);
	if (git.git_commit_tree(out, c) < 0)
		rc = snap_damaged(s, NULL, git.git_commit_id(c), git.git_commit_tree_id(c));
	git.git_commit_free(c);
	return rc;
}

static int
make_diff(struct snap_store *s, const char *from_id, const char *to_id, git_diff **out)
{
	git_diff_options o;
	git_diff_find_options f;
	git_tree *a = NULL, *b = NULL;
	struct strv paths = { 0 };
	int rc;

	*out = NULL;
	snap_diff_opts(s, &o);
	git.git_diff_find_options_init(&f, GIT_DIFF_FIND_OPTIONS_VERSION);
	o.old_prefix = "a";
	o.new_prefix = "b";
	f.flags = GIT_DIFF_FIND_RENAMES;
	if ((rc = spec_tree(s, from_id, NULL, &a)) < 0 || (rc = spec_tree(s, to_id, a, &b)) < 0)
		goto out;
	if ((rc = snap_diff_narrow(s, a, b, &o, &paths)) < 0 ||
	    (rc = G(git.git_diff_tree_to_tree(out, s->repo, a, b, &o))) < 0 ||
	    (rc = G(git.git_diff_find_similar(*out, &f))) < 0) {
		git.git_diff_free(*out);
		*out = NULL;
		/* a directory of either side that cannot be read is named */
		if (snap_tree_damaged(s, a, false) || snap_tree_damaged(s, b, false))
			rc = DH_EFAIL;
	}
out:
	strv_free(&paths);
	git.git_tree_free(a);
	git.git_tree_free(b);
	return rc;
}

struct diff_out {
	struct buf *b;
	bool color;
	bool shown; /* SNAP_DIFF_SHOWN: the text made printable */
	struct snap_store *s;
};

static int diff_put(const git_diff_delta *delta, const git_diff_hunk *hunk,
                    const git_diff_line *l, void *ctx);

/* One side of a changed file: its blob, or (a diff to the folder) the file
 * itself; *data NULL for an absent side. False when it cannot be read. */
static bool
side_data(struct snap_store *s, const git_diff_file *f, git_blob **blob, struct buf *disk,
          const void **data, size_t *n)
{
	*data = NULL;
	*n = 0;
	if (!(f->flags & GIT_DIFF_FLAG_EXISTS) && git.git_oid_is_zero(&f->id))
		return true;
	if (!git.git_oid_is_zero(&f->id) && git.git_blob_lookup(blob, s->repo, &f->id) == 0) {
		*data = git.git_blob_rawcontent(*blob);
		*n = (size_t)git.git_blob_rawsize(*blob);
		return true;
	}
	char *full = xasprintf("%s/%s", s->workdir, f->path);
	int rc = fsutil_read_file(full, (size_t)64 << 20, disk);

	free(full);
	if (rc < 0)
		return false;
	*data = disk->ptr ? disk->ptr : "";
	*n = disk->len;
	return true;
}

/* After git's "Binary files … differ" of an office document or PDF: what it
 * says changed (snap_doc_hunks), as a hunk header and lines. */
static void
diff_doc(struct diff_out *o, const git_diff_delta *delta)
{
	git_blob *ob = NULL, *nb = NULL;
	struct buf od = BUF_INIT, nd = BUF_INIT;
	const void *a, *b;
	size_t an, bn;
	struct review_file f = { 0 };

	if (!o->s || doc_kind_of(delta->new_file.path, NULL, 0) == DOC_NONE)
		return;
	if (side_data(o->s, &delta->old_file, &ob, &od, &a, &an) &&
	    side_data(o->s, &delta->new_file, &nb, &nd, &b, &bn) &&
	    snap_doc_hunks(&f, delta->new_file.path, a, an, b, bn) == 1) {
		for (size_t h = 0; h < f.nhunks; h++) {
			const struct review_hunk *rh = &f.hunks[h];
			struct buf line = BUF_INIT;
			git_diff_line gl = { .origin = GIT_DIFF_LINE_HUNK_HDR };

			buf_printf(&line, "%s\n", rh->header);
			gl.content = line.ptr;
			gl.content_len = line.len;
			diff_put(delta, NULL, &gl, o);
			for (size_t i = 0; i < rh->nlines; i++) {
				char c = rh->lines[i].origin;

				buf_clear(&line);
				if (c == '~' || c == '\\')
					buf_putc(&line, c);
				buf_printf(&line, "%s\n", rh->lines[i].text);
				gl.origin = c == '+' ? GIT_DIFF_LINE_ADDITION
				            : c == '-' ? GIT_DIFF_LINE_DELETION
				            : c == ' ' ? GIT_DIFF_LINE_CONTEXT : GIT_DIFF_LINE_BINARY;
				gl.content = line.ptr;
				gl.content_len = line.len;
				diff_put(delta, NULL, &gl, o);
			}
			buf_fini(&line);
		}
	}
	review_model_file_fini(&f);
	git.git_blob_free(ob);
	git.git_blob_free(nb);
	buf_fini(&od);
	buf_fini(&nd);
}

static int
diff_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *l, void *ctx)
{
	int rc = diff_put(delta, hunk, l, ctx);

	if (rc == 0 && l->origin == GIT_DIFF_LINE_BINARY)
		diff_doc(ctx, delta);
	return rc;
}

static int
diff_put(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *l, void *ctx)
{
	struct diff_out *o = ctx;
	const char *sgr = NULL, *p = l->content, *end = l->content + l->content_len;
	char prefix = 0;

	(void)delta;
	(void)hunk;
	switch (l->origin) {
	case GIT_DIFF_LINE_ADDITION:
		prefix = '+';
		sgr = SGR_GREEN;
		break;
	case GIT_DIFF_LINE_DELETION:
		prefix = '-';
		sgr = SGR_RED;
		break;
	case GIT_DIFF_LINE_CONTEXT:
		prefix = ' ';
		break;
	case GIT_DIFF_LINE_FILE_HDR:
		sgr = SGR_BOLD;
		break;
	case GIT_DIFF_LINE_HUNK_HDR:
		sgr = SGR_CYAN;
		break;
	default:
		break;
	}
	if (!o->color)
		sgr = NULL;
	if (prefix)
		buf_putc(o->b, prefix);
	if (!sgr) {
		if (o->shown)
			utf8_sanitize(o->b, l->content, l->content_len, UTF8_KEEP_NL);
		else
			buf_add(o->b, l->content, l->content_len);
		return 0;
	}
	/* Color each line and reset before its newline, so a pager or a pane that
	 * cuts lines never inherits a colour. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n) {
			buf_puts(o->b, sgr);
			if (o->shown)
				utf8_sanitize(o->b, p, n, 0);
			else
				buf_add(o->b, p, n);
			buf_puts(o->b, SGR_RESET);
		}
		if (!nl)
			break;
		buf_putc(o->b, '\n');
		p = nl + 1;
	}
	return 0;
}

/* After libgit2 failed (rc) on reading `diff`'s files (printing it, its
 * stats): the first blob of it that cannot be read is named
 * (snap_blob_damaged), else libgit2's message is kept (G). */
static int
diff_failed(struct snap_store *s, git_diff *diff, int rc)
{
	char *why = snap_git_why();

	for (size_t i = 0; i < git.git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git.git_diff_get_delta(diff, i);
		const git_diff_file *sides[] = { &d->old_file, &d->new_file };

		for (size_t k = 0; k < sizeof sides / sizeof *sides; k++) {
			git_blob *blob = NULL;

			if (git.git_oid_is_zero(&sides[k]->id) || sides[k]->mode == GIT_FILEMODE_COMMIT)
				continue;
			if (git.git_blob_lookup(&blob, s->repo, &sides[k]->id) < 0) {
				free(why);
				return snap_blob_damaged(s, sides[k]->path, &sides[k]->id);
			}
			git.git_blob_free(blob);
		}
	}
	rc = rc == GIT_ENOTFOUND ? err_setc(DH_ENOTFOUND, "snapshot: %s", why)
	                         : err_set("snapshot: %s", why);
	free(why);
	return rc;
}

int
snap_diff(struct snap_store *s, const char *from_id, const char *to_id, unsigned flags,
          struct buf *out)
{
	struct diff_out o = { out, flags & SNAP_DIFF_COLOR, flags & SNAP_DIFF_SHOWN, s };
	git_diff *diff = NULL;
	int rc;

	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = make_diff(s, from_id, to_id, &diff)) < 0)
		return rc;
	if ((rc = git.git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, diff_line, &o)) < 0)
		rc = diff_failed(s, diff, rc);
	git.git_diff_free(diff);
	return rc;
}

int
snap_diffstat(struct snap_store *s, const char *from_id, const char *to_id, struct buf *out)
{
	git_diff *diff = NULL;
	git_diff_stats *st = NULL;
	git_buf gb = GIT_BUF_INIT;
	int rc;

	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = make_diff(s, from_id, to_id, &diff)) < 0)
		return rc;
	if (git.git_diff_num_deltas(diff) > 0 &&
	    (rc = git.git_diff_get_stats(&st, diff)) < 0)
		rc = diff_failed(s, diff, rc);
	else if (st && (rc = G(git.git_diff_stats_to_buf(&gb, st, GIT_DIFF_STATS_FULL, 80))) == 0)
		buf_add(out, gb.ptr, gb.size);
	git.git_buf_dispose(&gb);
	git.git_diff_stats_free(st);
	git.git_diff_free(diff);
	return rc;
}

/*
 * Exposed to snap_review.c through snap_int.h (see the declarations there)
 */

int
snap_take(struct snap_store *s, const char *session, const char *msg, bool over_damaged,
          struct snap_checkpoint *out)
{
	return take_dirty(s, session, msg, NULL, NULL, over_damaged, out);
}

int
snap_ref_name(char *dst, size_t n, const char *session, const char *which)
{
	return ref_name(dst, n, session, which);
}

int
snap_changes_between(struct snap_store *s, git_tree *ot, const struct snap_meta *om, git_tree *nt,
                     const struct snap_meta *nm, struct snap_change **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	return changes_between(s, ot, om, nt, nm, out, nout);
}

void
snap_changes_free(struct snap_change *v, size_t n)
{
	changes_free(v, n);
}

bool
snap_dir_exists(git_tree *tree, const struct snap_meta *m, const char *dir)
{
	return dir_exists(tree, m, dir);
}

unsigned
snap_want_perm(const git_tree_entry *te, const struct snap_meta *m, const char *path)
{
	return want_perm(te, m, path);
}

/* Unlink every "*.lock" file below the directory dfd (consumed). */
static size_t
clear_locks_at(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR) {
			int sub = openat(dirfd(d), e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				n += clear_locks_at(sub);
		} else if (len > 5 && !strcmp(e->d_name + len - 5, ".lock") &&
		           unlinkat(dirfd(d), e->d_name, 0) == 0) {
			log_warn("snapshot: removed %s, left by a process that was killed", e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

size_t
snap_clear_stale_locks(struct snap_store *s, const char *session)
{
	char *dir = xasprintf("%srefs/deskhand/%s", s->repo_path, session);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	free(dir);
	return fd < 0 ? 0 : clear_locks_at(fd);
}

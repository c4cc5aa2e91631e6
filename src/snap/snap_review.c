/* SPDX-License-Identifier: MIT */
/*
 * The review model over a session's checkpoints (review.h): the accepted
 * mark, pending files with hunks and attribution, accept, accept-hunk, reject,
 * reject-hunk, undo of agent steps, redo and restore. Deciding *what* to
 * write is done here; writing goes through snap_restore.c and checkpoints
 * through snap.c's writer. Not thread-safe: one store, one thread.
 */
#include "snap/review.h"
#include "snap/review_set.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/beneath.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/gitdir.h"
#include "core/ignore.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "docs/doc.h"
#include "snap/snap_int.h"
#include "../../sandbox/protected_paths.h"

#define CONTEXT_LINES 3
#define LABEL_PATHS   3 /* paths named in a checkpoint label */
#define NO_EOL        " No newline at end of file"

/*
 * String vectors
 */

/*
 * Checkpoint states: a commit, its tree and its note
 */

/* The subtree of the directory looked up last in a state (state_entry). */
struct state_dir {
	char *path;     /* "a/b", no trailing slash */
	git_tree *tree; /* NULL: no such directory in the state */
};

struct state {
	git_oid id;
	git_commit *commit;
	git_tree *tree;
	struct snap_meta meta;
	bool loaded;
	struct state_dir *last; /* from state_load; NULL in a state not loaded */
};

/* Load checkpoint `id` of `session`; what cannot be read is named
 * (snap_checkpoint_read). */
static int
state_load(struct snap_store *s, const char *session, const git_oid *id, struct state *st)
{
	int rc;

	memset(st, 0, sizeof *st);
	st->id = *id;
	if ((rc = snap_checkpoint_read(s, session, id, &st->commit, &st->tree, &st->meta)) < 0)
		return rc;
	st->loaded = true;
	st->last = xcalloc(1, sizeof *st->last);
	return 0;
}

static void
state_fini(struct state *st)
{
	if (st->last) {
		git.git_tree_free(st->last->tree);
		free(st->last->path);
		free(st->last);
	}
	git.git_tree_free(st->tree);
	git.git_commit_free(st->commit);
	snap_meta_fini(&st->meta);
	memset(st, 0, sizeof *st);
}

static int
ref_get(struct snap_store *s, const char *session, const char *which, git_oid *out, bool *found)
{
	char name[192];
	int rc;

	*found = false;
	if ((rc = snap_ref_name(name, sizeof name, session, which)) < 0)
		return rc;
	rc = git.git_reference_name_to_id(out, s->repo, name);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return G(rc);
	*found = true;
	return 0;
}

static int
head_id(struct snap_store *s, const char *session, git_oid *out)
{
	bool found;
	int rc = snap_head_get(s, session, out, &found);

	if (rc == 0 && !found)
		rc = err_setc(DH_ENOTFOUND, "snapshot: no session %s in this folder", session);
	return rc;
}

static int
accepted_id(struct snap_store *s, const char *session, git_oid *out)
{
	bool found;
	int rc = ref_get(s, session, "accepted", out, &found);

	if (rc < 0 || found)
		return rc;
	if ((rc = ref_get(s, session, "baseline", out, &found)) < 0)
		return rc;
	if (!found)
		return err_setc(DH_ENOTFOUND, "snapshot: no session %s in this folder", session);
	return 0;
}

/*
 * The state of one path in a checkpoint. Paths ending in '/' name (empty)
 * directories; others name files and links.
 */

struct pstate {
	git_tree_entry *te; /* the blob or link (owned), NULL: absent */
	unsigned perm;      /* permission bits of a regular file, or of a '/'
	                     * path's directory when has_perm */
	bool has_perm;      /* perm is recorded (else a directory stays as found) */
	bool dir;           /* for '/' paths: the directory exists */
	bool tree;          /* for other paths: a directory stands there (te NULL) */
};

static bool
is_dir_path(const char *p)
{
	size_t n = strlen(p);

	return n && p[n - 1] == '/';
}

/* git_tree_entry_bypath() in st's tree through st->last: a restore plan or
 * a review looks paths up in path order, so most of a directory's entries
 * come one after another, and libgit2 (its object cache is off, snap_git.c)
 * would read the directory's subtree again for each: three times per path
 * in an undo's plan. *out is the caller's (git_tree_entry_free). Returns 0
 * or a libgit2 error (GIT_ENOTFOUND). */
static int
state_entry(const struct state *st, const char *path, git_tree_entry **out)
{
	const char *slash = strrchr(path, '/');
	struct state_dir *d = st->last;
	const git_tree_entry *e;

	*out = NULL;
	if (!slash || !d)
		return git.git_tree_entry_bypath(out, st->tree, path);
	size_t dl = (size_t)(slash - path);
	if (!d->path || strlen(d->path) != dl || memcmp(d->path, path, dl)) {
		git_tree_entry *te = NULL;

		git.git_tree_free(d->tree);
		d->tree = NULL;
		free(d->path);
		d->path = xstrndup(path, dl);
		if (git.git_tree_entry_bypath(&te, st->tree, d->path) == 0 &&
		    git.git_tree_entry_type(te) == GIT_OBJECT_TREE &&
		    git.git_tree_lookup(&d->tree, git.git_tree_owner(st->tree),
		                        git.git_tree_entry_id(te)) < 0) {
			git.git_tree_entry_free(te);
			free(d->path); /* a read error: not cached; the full lookup meets it */
			d->path = NULL;
			return git.git_tree_entry_bypath(out, st->tree, path);
		}
		git.git_tree_entry_free(te);
	}
	if (!d->tree || !(e = git.git_tree_entry_byname(d->tree, slash + 1)))
		return GIT_ENOTFOUND;
	return git.git_tree_entry_dup(out, e);
}

static void
pstate_get(const struct state *st, const char *path, struct pstate *out)
{
	memset(out, 0, sizeof *out);
	if (is_dir_path(path)) {
		char *d = xstrndup(path, strlen(path) - 1);

		out->dir = snap_dir_exists(st->tree, &st->meta, d);
		int perm = out->dir ? snap_meta_dir_mode(&st->meta, d) : -1;
		out->has_perm = perm >= 0;
		out->perm = perm >= 0 ? (unsigned)perm : 0;
		free(d);
		return;
	}
	if (state_entry(st, path, &out->te) < 0) {
		out->te = NULL;
		return;
	}
	if (git.git_tree_entry_type(out->te) != GIT_OBJECT_BLOB) {
		out->tree = git.git_tree_entry_type(out->te) == GIT_OBJECT_TREE;
		git.git_tree_entry_free(out->te);
		out->te = NULL;
		return;
	}
	out->perm = snap_want_perm(out->te, &st->meta, path);
	out->has_perm = true;
}

static void
pstate_fini(struct pstate *p)
{
	git.git_tree_entry_free(p->te);
	memset(p, 0, sizeof *p);
}

static bool
pstate_is_file(const struct pstate *p)
{
	return p->te && git.git_tree_entry_filemode(p->te) != GIT_FILEMODE_LINK;
}

/* git-style mode with the note's permission bits; 0 when absent. */
static unsigned
pstate_mode(const struct pstate *p)
{
	if (p->te)
		return git.git_tree_entry_filemode(p->te) == GIT_FILEMODE_LINK ? 0120000u
		                                                           : 0100000u | p->perm;
	return p->dir ? 040000u | p->perm : 0;
}

/* The same state of a path in a and b: its kind, mode and contents. */
static bool
pstate_same(const struct pstate *a, const struct pstate *b)
{
	if (pstate_mode(a) != pstate_mode(b) || a->tree != b->tree || !a->te != !b->te)
		return false;
	return !a->te || git.git_oid_equal(git.git_tree_entry_id(a->te), git.git_tree_entry_id(b->te));
}

/*
 * Reading the folder without following symlinks
 */

/* The folder's `path`: 0 absent, 1 present with *st set and, for files and
 * links, the contents or target in *data. */
static int
folder_read(int root, const char *path, struct stat *st, struct buf *data)
{
	const char *name;
	char *p = xstrdup(path);
	int pfd, found = 0;

	if (is_dir_path(p))
		p[strlen(p) - 1] = '\0';
	buf_clear(data);
	if (!strcmp(p, SNAP_ROOT)) {
		free(p);
		return fstat(root, st) == 0;
	}
	pfd = beneath_open_parent(root, p, O_RDONLY, false, &name);
	if (pfd < 0) {
		free(p);
		return 0;
	}
	if (fstatat(pfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		goto out;
	found = 1;
	if (S_ISLNK(st->st_mode)) {
		buf_grow(data, (size_t)st->st_size + 1);
		ssize_t n = readlinkat(pfd, name, data->ptr, (size_t)st->st_size + 1);
		data->len = n > 0 ? (size_t)n : 0;
	} else if (S_ISREG(st->st_mode)) {
		int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		/* a read error leaves what was read (it then differs) */
		if (fd >= 0 && fsutil_read_fd(fd, SIZE_MAX, data) < 0)
			log_warn("snapshot: reading %s: %s", path, err_msg());
		if (fd >= 0)
			close(fd);
	}
out:
	free(p);
	close(pfd);
	return found;
}

/* Whether the folder's `path` is in state `want`. A file path where `want`
 * has a directory (a type change) matches a directory. */
static bool
folder_matches(int root, const char *path, const struct pstate *want)
{
	if (is_dir_path(path) || want->tree) {
		struct stat st;
		struct buf b = BUF_INIT;
		int r = folder_read(root, path, &st, &b);

		buf_fini(&b);
		if (want->dir && want->has_perm && r == 1 && S_ISDIR(st.st_mode))
			return (st.st_mode & 0777) == want->perm;
		return (want->dir || want->tree) == (r == 1 && S_ISDIR(st.st_mode));
	}
	return snap_restore_matches(root, path, want->te, want->perm);
}

/*
 * Plans: what to write, what the folder must hold first
 */

struct item {
	char *path;
	struct pstate want;        /* restore to this */
	struct pstate expect;      /* the folder must hold this (the agent's version) */
	struct pstate base;        /* shown as "base" on conflict */
	const struct state *src;   /* the state `want` comes from (pruning parents) */
	const git_oid *write_blob; /* reject-hunk: write this blob instead of `want` */
	bool settled;              /* the folder holds `want` already: nothing to write
	                            * or report (plan_check) */
};

struct plan {
	struct item *v;
	size_t n, cap;
};

static struct item *
plan_add(struct plan *p, const char *path)
{
	struct item *it = ARRAY_ADD(p);

	it->path = xstrdup(path);
	return it;
}

static void
plan_fini(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		pstate_fini(&p->v[i].want);
		pstate_fini(&p->v[i].expect);
		pstate_fini(&p->v[i].base);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

static int
cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path, ((const struct item *)b)->path);
}

/* An item whose target comes from `want_st` and whose expected folder state
 * comes from `expect_st` (also the base shown on conflict when base_st is
 * NULL: the base then is `want`). */
static void
plan_add_from(struct plan *p, const char *path, const struct state *want_st,
              const struct state *expect_st, const struct state *base_st)
{
	struct item *it = plan_add(p, path);

	pstate_get(want_st, path, &it->want);
	pstate_get(expect_st, path, &it->expect);
	pstate_get(base_st ? base_st : want_st, path, &it->base);
	it->src = want_st;
}

/*
 * Conflicts: three versions on disk and a diff
 */

/* The blob of ps into *out (NULL when absent): 0; one that cannot be read
 * is named with `path` (snap_blob_damaged), or (path NULL: a probe) is
 * libgit2's error alone. */
static int
blob_data(struct snap_store *s, const struct pstate *ps, const char *path, git_blob **out)
{
	int rc;

	*out = NULL;
	if (!ps->te)
		return 0;
	if ((rc = git.git_blob_lookup(out, s->repo, git.git_tree_entry_id(ps->te))) < 0)
		return path ? snap_blob_damaged(s, path, git.git_tree_entry_id(ps->te)) : G(rc);
	return 0;
}

/* Write one version under DIR/KIND/PATH; returns the heap path or NULL when
 * that version is absent. Links are written as links, dirs as dirs. */
static char *
version_write(const char *dir, const char *kind, const char *path, int type, const void *data,
              size_t len, unsigned perm)
{
	char *full, *parent, *slash;

	if (type == 0)
		return NULL;
	full = xasprintf("%s/%s/%s", dir, kind, path);
	if (is_dir_path(full))
		full[strlen(full) - 1] = '\0';
	parent = xstrdup(full);
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (fsutil_mkdir_p(parent, 0700) < 0)
		goto fail;
	if (type == 'd') {
		if (mkdir(full, 0700) < 0 && errno != EEXIST)
			goto fail;
	} else if (type == 'l') {
		char *target = xstrndup(data, len);
		int r = symlink(target, full);

		free(target);
		if (r < 0)
			goto fail;
	} else {
		FILE *f = fopen(full, "wbx");

		if (!f)
			goto fail;
		bool ok = !len || fwrite(data, 1, len, f) == len;

		if (fclose(f) != 0 || !ok)
			goto fail;
		chmod(full, perm & 0777);
	}
	free(parent);
	return full;
fail:
	err_set("snapshot: cannot write %s: %s", full, strerror(errno));
	free(parent);
	free(full);
	return NULL;
}

/* The version of `path` in ps written under DIR/KIND/ (version_write), or
 * NULL: absent, or (*unreadable set, *error the first such message) its
 * blob cannot be read. */
static char *
version_from_state(struct snap_store *s, const char *dir, const char *kind, const char *path,
                   const struct pstate *ps, bool *unreadable, char **error)
{
	git_blob *b = NULL;
	char *r;

	if (is_dir_path(path))
		return ps->dir ? version_write(dir, kind, path, 'd', NULL, 0, 0) : NULL;
	if (!ps->te)
		return NULL;
	if (blob_data(s, ps, path, &b) < 0) {
		*unreadable = true;
		if (!*error)
			*error = xstrdup(err_msg());
		return NULL;
	}
	r = version_write(dir, kind, path, pstate_is_file(ps) ? 'f' : 'l',
	                  git.git_blob_rawcontent(b), (size_t)git.git_blob_rawsize(b), ps->perm);
	git.git_blob_free(b);
	return r;
}

static int
diff_text_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *ctx)
{
	struct buf *b = ctx;

	(void)d;
	(void)h;
	if (l->origin == GIT_DIFF_LINE_ADDITION || l->origin == GIT_DIFF_LINE_DELETION ||
	    l->origin == GIT_DIFF_LINE_CONTEXT)
		buf_putc(b, l->origin);
	buf_add(b, l->content, l->content_len);
	return 0;
}

/* Unified diff of the agent's version -> the folder's. */
static char *
conflict_diff(struct snap_store *s, const char *path, const struct pstate *agent, int cur_type,
              const struct buf *cur)
{
	git_blob *b = NULL;
	git_patch *patch = NULL;
	git_diff_options o;
	struct buf out = BUF_INIT;
	char *ap = xasprintf("agent/%s", path), *cp = xasprintf("current/%s", path);

	git.git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.context_lines = CONTEXT_LINES;
	if (is_dir_path(path)) {
		buf_printf(&out, "%s: directory %s in the agent's version, %s now\n", path,
		           agent->dir ? "present" : "absent",
		           cur_type == 'd' ? "present" : "absent");
	} else if (blob_data(s, agent, path, &b) == 0 &&
	           git.git_patch_from_blob_and_buffer(&patch, b, ap, cur_type ? cur->ptr : NULL,
	                                              cur_type ? cur->len : 0, cp, &o) == 0) {
		if (!b)
			buf_printf(&out, "%s: absent in the agent's version\n", path);
		if (!cur_type)
			buf_printf(&out, "%s: absent in the folder now\n", path);
		if (git.git_patch_get_delta(patch)->flags & GIT_DIFF_FLAG_BINARY)
			buf_printf(&out, "Binary files %s and %s differ\n", ap, cp);
		else if (git.git_patch_print(patch, diff_text_line, &out) < 0)
			buf_puts(&out, "(diff failed)\n");
		if ((agent->te && !pstate_is_file(agent)) != (cur_type == 'l'))
			buf_printf(&out, "%s: the type changed (file/link/directory)\n", path);
		else if (agent->te && cur_type == 'f' && !out.len)
			buf_printf(&out, "%s: the permissions changed\n", path);
	} else {
		buf_printf(&out, "%s: differs (no diff available)\n", path);
	}
	git.git_patch_free(patch);
	git.git_blob_free(b);
	free(ap);
	free(cp);
	return buf_detach(&out);
}

static int
conflicts_write(struct snap_store *s, int root, const struct plan *p, const size_t *bad,
                size_t nbad, const char *conflict_dir, struct review_outcome *o)
{
	const char *tmp = conflict_dir;
	struct buf cur = BUF_INIT;

	if (!tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (fsutil_mkdir_p(tmp, 0700) < 0)
		return DH_EFAIL;
	o->conflict_dir = xasprintf("%s/deskhand-conflict-XXXXXX", tmp);
	if (!mkdtemp(o->conflict_dir))
		return err_set("snapshot: mkdtemp in %s: %s", tmp, strerror(errno));
	o->conflicts = xcalloc(nbad, sizeof *o->conflicts);
	for (size_t k = 0; k < nbad; k++) {
		const struct item *it = &p->v[bad[k]];
		struct review_conflict *c = &o->conflicts[o->nconflicts++];
		struct stat st = {0};
		int type = 0;

		c->path = xstrdup(it->path);
		c->base = version_from_state(s, o->conflict_dir, "base", it->path, &it->base,
		                             &c->base_unreadable, &c->error);
		c->agent = version_from_state(s, o->conflict_dir, "agent", it->path, &it->expect,
		                              &c->agent_unreadable, &c->error);
		if (folder_read(root, it->path, &st, &cur) == 1)
			type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
		c->current = version_write(o->conflict_dir, "current", it->path,
		                           is_dir_path(it->path) && type != 'd' ? 0 : type, cur.ptr,
		                           cur.len, (unsigned)st.st_mode);
		c->diff = conflict_diff(s, it->path, &it->expect, type, &cur);
	}
	buf_fini(&cur);
	return 0;
}

/* A directory's mode to set once a plan's writes are done. */
struct dmode {
	char *path; /* without the trailing '/' */
	unsigned perm;
	bool restored; /* an item's recorded mode (reported), not one unlock_parents undoes */
};

struct dmodes {
	struct dmode *v;
	size_t n, cap;
};

static void
dmodes_add(struct dmodes *d, char *path, unsigned perm, bool restored)
{
	struct dmode *m = ARRAY_ADD(d);

	m->path = path;
	m->perm = perm;
	m->restored = restored;
}

/* Whether the folder's `path` is in state `want`, where unlock_parents may
 * have opened up a directory: it is compared as it was before. */
static bool
item_matches(int root, const struct dmodes *dm, const char *path, const struct pstate *want)
{
	size_t n = strlen(path);

	for (size_t i = 0; dm && is_dir_path(path) && i < dm->n; i++) {
		const struct dmode *m = &dm->v[i];

		if (!m->restored && !strncmp(m->path, path, n - 1) && !m->path[n - 1])
			return want->dir && (!want->has_perm || want->perm == m->perm);
	}
	return folder_matches(root, path, want);
}

/* Whether the folder's `path` lies in a directory its owner may not search
 * (chmod 000 or 600), so that it cannot be looked at without opening that
 * directory up. */
static bool
folder_shut(int root, const char *path)
{
	char *p = xstrdup(path);
	const char *name;
	struct stat st;
	bool shut = false;

	if (is_dir_path(p))
		p[strlen(p) - 1] = '\0';
	if (strcmp(p, SNAP_ROOT)) {
		int pfd = beneath_open_parent(root, p, O_PATH, false, &name);

		if (pfd < 0)
			shut = errno == EACCES || errno == EPERM;
		else if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			shut = errno == EACCES || errno == EPERM;
		if (pfd >= 0)
			close(pfd);
	}
	free(p);
	return shut;
}

/* Whether item `it`'s folder path, found in state `want` (at_want) and
 * `expect` (at_expect), is settled: holds `want` already, so writing it
 * again would change nothing. A regular file `want` gives no owner read
 * permission to is not taken to be settled on the folder's word alone:
 * folder_matches takes such a file, which it cannot read, to hold any
 * content. */
static bool
item_settled(const struct item *it, bool at_expect, bool at_want)
{
	if (it->write_blob)
		return false;
	if (at_expect)
		return pstate_same(&it->want, &it->expect);
	return at_want && !(pstate_is_file(&it->want) && !(it->want.perm & 0400));
}

/* Check that the folder holds every item's expected state or its target
 * (dm: what unlock_parents opened up, or NULL), marking the items whose
 * folder path holds the target already (item.settled); on a mismatch write
 * the versions and return DH_ECONFLICT. With `force` the items are only
 * marked. A dry run (`dry`) opens nothing up: a path in a directory it
 * cannot look into is taken to hold what the last checkpoint kept for it
 * (the expected state), as the scan did and as the real run, which opens
 * that directory up, finds it. */
static int
plan_check(struct snap_store *s, int root, struct plan *p, const struct dmodes *dm, bool dry,
           bool force, const char *conflict_dir, struct review_outcome *o)
{
	size_t *bad = xcalloc(p->n + 1, sizeof *bad), nbad = 0;
	struct buf names = BUF_INIT;
	int rc = 0;

	/* A path already in its target state is no conflict (e.g. undoing a step
	 * whose change was rejected): writing it again changes nothing. */
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->v[i];
		bool at_expect = (dry && folder_shut(root, it->path)) ||
		                 item_matches(root, dm, it->path, &it->expect);
		bool at_want = !at_expect && !it->write_blob &&
		               item_matches(root, dm, it->path, &it->want);

		it->settled = item_settled(it, at_expect, at_want);
		if (!at_expect && !at_want && !force)
			bad[nbad++] = i;
	}
	if (nbad) {
		for (size_t k = 0; k < nbad && k < 20; k++)
			buf_printf(&names, "%s%s", k ? ", " : "", p->v[bad[k]].path);
		if (nbad > 20)
			buf_printf(&names, " and %zu more", nbad - 20);
		rc = conflicts_write(s, root, p, bad, nbad, conflict_dir, o);
		if (rc == 0)
			rc = err_setc(DH_ECONFLICT,
			              "snapshot: %zu path%s changed after the agent: %s "
			              "(versions in %s; use force to overwrite)",
			              nbad, nbad == 1 ? "" : "s", buf_cstr(&names),
			              o->conflict_dir);
	}
	buf_fini(&names);
	free(bad);
	return rc;
}

/*
 * Applying a plan
 */

static void
prune_parents(int root, const char *path, const struct state *src, struct snap_syncset *ss,
              struct strv *report)
{
	char *dir = xstrdup(path), *slash;

	if (is_dir_path(dir))
		dir[strlen(dir) - 1] = '\0';
	while ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (snap_dir_exists(src->tree, &src->meta, dir) || !snap_restore_rmdir(root, dir, ss))
			break;
		ARRAY_PUSH(report, xasprintf("removed %s/", dir));
	}
	free(dir);
}

/* Deepest first, the folder itself last; for one directory, the recorded
 * mode first. */
static int
cmp_dmode_desc(const void *a, const void *b)
{
	const struct dmode *x = a, *y = b;
	bool xr = !strcmp(x->path, SNAP_ROOT), yr = !strcmp(y->path, SNAP_ROOT);
	int c = xr != yr ? (int)xr - (int)yr : strcmp(y->path, x->path);

	return c ? c : (int)y->restored - (int)x->restored;
}

/* Whether applying item `it` writes something (and so may make its parents). */
static bool
item_makes(const struct item *it)
{
	return it->want.te || it->want.dir || it->write_blob;
}

/* The directories above item `it`'s path (sorted plan order; `prev` the
 * previous item or NULL) that their owner cannot write into or search
 * (chmod 555 or 600) get u+rwx for the restore, outermost first; their modes
 * go to *d to be put back at the end. Those missing, which the writes will
 * make, go to *d with the mode the item's state records for them. */
static void
unlock_parents(int root, const struct item *it, const struct item *prev, struct dmodes *d)
{
	const char *path = it->path;
	bool makes = item_makes(it);
	char *dir = xstrdup(path);

	for (char *slash = strchr(dir, '/'); slash && slash[1]; slash = strchr(slash + 1, '/')) {
		size_t len = (size_t)(slash - dir);
		unsigned old;

		/* Sorted paths below one directory are adjacent: the previous item
		 * had this directory checked if it lay below it too. */
		if (prev && !strncmp(prev->path, dir, len + 1) && prev->path[len + 1] &&
		    (item_makes(prev) || !makes))
			continue;
		*slash = '\0';
		/* Best effort: what stands in the way (a file, a symlink) is the
		 * writes' to report, or to remove first. */
		if (snap_restore_chmod(root, dir, 0700, true, &old, NULL) > 0)
			dmodes_add(d, xstrdup(dir), old & 0777, false);
		else if (!old && makes && snap_meta_dir_mode(&it->src->meta, dir) >= 0)
			dmodes_add(d, xstrdup(dir), (unsigned)snap_meta_dir_mode(&it->src->meta, dir),
			           true);
		*slash = '/';
	}
	free(dir);
}

/* The folder itself, when its owner cannot write into or search it (chmod
 * 555 or 600), gets u+rwx if the plan writes anything but the folder's own
 * mode; its mode goes to *d to be put back at the end (last). */
static void
unlock_root(int root, const struct plan *p, struct dmodes *d)
{
	unsigned old;

	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->v[i].path, SNAP_ROOT "/"))
			continue;
		if (snap_restore_chmod(root, SNAP_ROOT, 0700, true, &old, NULL) > 0)
			dmodes_add(d, xstrdup(SNAP_ROOT), old & 0777, false);
		return;
	}
}

/* Set the directories' modes, deepest first (a directory that loses its x
 * bit must come after what is below it); a directory an item records wins
 * over the mode unlock_parents saw. Those changed go to `ss` (NULL: not
 * synced; the modes a plan that did not run opened up). */
static int
dmodes_apply(int root, struct dmodes *d, struct snap_syncset *ss, struct strv *report)
{
	int rc = 0;

	if (d->n)
		qsort(d->v, d->n, sizeof *d->v, cmp_dmode_desc);
	/* deepest first: strcmp puts "a/b" after "a", so descending order works */
	for (size_t i = 0; i < d->n && rc >= 0; i++) {
		struct dmode *m = &d->v[i];

		if (i && !strcmp(d->v[i - 1].path, m->path))
			continue;
		/* opened up for the writes from another mode: that is a change too */
		bool opened = i + 1 < d->n && !strcmp(d->v[i + 1].path, m->path) &&
		              !d->v[i + 1].restored && d->v[i + 1].perm != m->perm;
		rc = snap_restore_chmod(root, m->path, m->perm, false, NULL, ss);
		if ((rc > 0 || (rc == 0 && opened)) && m->restored)
			ARRAY_PUSH(report, xasprintf("restored %s/ (mode %04o)", m->path, m->perm));
	}
	return rc < 0 ? rc : 0;
}

static void
dmodes_fini(struct dmodes *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
}

/* Write the plan (plan_run): removals, writes, directories made; the
 * directories' modes to set afterwards go to *dm, the file systems changed
 * to *ss. */
static int
plan_apply_in(struct snap_store *s, int root, struct plan *p, struct dmodes *dm,
              struct snap_syncset *ss, struct strv *report)
{
	int rc;

	/* Removals first, deepest first, so files can replace directories. */
	for (size_t i = p->n; i-- > 0;) {
		struct item *it = &p->v[i];

		if (item_makes(it))
			continue;
		if (is_dir_path(it->path)) {
			char *d = xstrndup(it->path, strlen(it->path) - 1);
			bool gone = snap_restore_rmdir(root, d, ss);

			free(d);
			if (gone)
				ARRAY_PUSH(report, xasprintf("removed %s", it->path));
		} else {
			if ((rc = snap_restore_remove(root, it->path, ss)) < 0)
				return rc;
			if (rc > 0)
				ARRAY_PUSH(report, xasprintf("removed %s", it->path));
		}
	}
	/* Then the directories emptied that the items' states do not hold,
	 * once every removal is done: the items of a multi-step undo come
	 * from different states, and a directory the oldest step made may
	 * hold, until its own removal, a file of a newer one (whose state has
	 * that directory). What still holds anything (the person's) stays. */
	for (size_t i = p->n; i-- > 0;)
		if (!item_makes(&p->v[i]))
			prune_parents(root, p->v[i].path, p->v[i].src, ss, report);
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->v[i];

		if (it->settled) {
			continue;
		} else if (it->write_blob) {
			rc = snap_restore_write(s, root, it->path, it->write_blob,
			                        git.git_tree_entry_filemode(it->expect.te),
			                        it->expect.perm, ss);
		} else if (it->want.te) {
			rc = snap_restore_write(s, root, it->path,
			                        git.git_tree_entry_id(it->want.te),
			                        git.git_tree_entry_filemode(it->want.te),
			                        it->want.perm, ss);
		} else {
			continue;
		}
		if (rc < 0)
			return rc;
		ARRAY_PUSH(report, xasprintf("restored %s", it->path));
	}
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->v[i];

		if (!it->want.dir)
			continue;
		char *d = xstrndup(it->path, strlen(it->path) - 1);
		rc = snap_restore_mkdir(root, d, ss);
		if (rc < 0) {
			free(d);
			return rc;
		}
		if (rc > 0)
			ARRAY_PUSH(report, xasprintf("created %s", it->path));
		if (it->want.has_perm)
			dmodes_add(dm, d, it->want.perm, true);
		else
			free(d);
	}
	return 0;
}

/* The items of plan p (checked: plan_check) whose folder path is not in its
 * target state already: the paths the plan changes. */
static size_t
plan_count_unsettled(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += !p->v[i].settled;
	return n;
}

/* The folder, open for a plan's check and writes. A folder its owner may
 * not read or search (chmod 000: the scan kept its last content) is opened
 * up first (u+rwx, by its path, as nothing can be opened in it), its mode
 * going to *dm to be put back at the end; a dry run (`dry`), which opens
 * nothing up, only looks at it (O_PATH), and so takes every path inside to
 * hold what the last checkpoint kept (folder_shut). Returns the fd, or <0
 * with the error naming the folder. */
static int
root_open(struct snap_store *s, bool dry, struct dmodes *dm)
{
	int fd = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd >= 0)
		return fd;
	if ((errno == EACCES || errno == EPERM) && stat(s->workdir, &st) == 0) {
		if (dry)
			fd = open(s->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		else if (chmod(s->workdir, (st.st_mode & 07777) | 0700) == 0 &&
		         (fd = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			int e = errno;

			if (chmod(s->workdir, st.st_mode & 07777) < 0)
				log_warn("snapshot: %s keeps mode %04o: %s", s->workdir,
				         (unsigned)((st.st_mode & 07777) | 0700), strerror(errno));
			errno = e;
		}
		if (fd >= 0 && !dry)
			dmodes_add(dm, xstrdup(SNAP_ROOT), st.st_mode & 0777, false);
		if (fd >= 0)
			return fd;
		return err_set("snapshot: cannot open the folder %s (mode %04o): %s", s->workdir,
		               (unsigned)(st.st_mode & 07777), strerror(errno));
	}
	return err_set("snapshot: %s: %s", s->workdir, strerror(errno));
}

/* Open up the directories in the way of plan p's writes (unlock_root,
 * unlock_parents; p sorted); their modes go to *dm. */
static void
plan_open(int root, const struct plan *p, struct dmodes *dm)
{
	unlock_root(root, p, dm);
	for (size_t i = 0; i < p->n; i++)
		unlock_parents(root, &p->v[i], i ? &p->v[i - 1] : NULL, dm);
}

/* Write the intent record of plan p, to be applied with checkpoint message
 * `msg` (snap_intent_begin()); *in is set. 0 or DH_EFAIL. */
static int
plan_intent(struct snap_store *s, const char *session, const struct plan *p, const char *msg,
            struct snap_intent *in)
{
	const char **paths = xcalloc(p->n + 1, sizeof *paths);
	int rc;

	for (size_t i = 0; i < p->n; i++)
		paths[i] = p->v[i].path;
	rc = snap_intent_begin(s, session, msg, paths, p->n, in);
	free(paths);
	return rc;
}

/* Record in the intent the directories opened up (*dm) whose modes it could
 * not read before. 0 or DH_EFAIL. */
static int
intent_note_opened(struct snap_store *s, const char *session, struct snap_intent *in,
                   const struct dmodes *dm)
{
	int rc = 0;

	for (size_t i = 0; i < dm->n && rc == 0; i++)
		if (!dm->v[i].restored)
			rc = snap_intent_opened(s, session, in, dm->v[i].path, dm->v[i].perm);
	return rc;
}

/* Whether every blob plan p writes can be read, its header at least (a
 * loose file emptied by a crash fails here): a plan whose blob is damaged
 * is refused before it changes anything, instead of stopping part way at
 * that file. The whole of each blob is read only as it is written (reading
 * it twice would double a restore's reads), so a blob damaged past its
 * header still stops the plan there (plan_record_stopped). 0, or DH_EFAIL
 * naming the first such file, its blob and its file in the repository
 * (snap_blob_damaged), ending in "; nothing was changed". */
static int
plan_blobs_readable(struct snap_store *s, const struct plan *p)
{
	git_odb *odb = NULL;
	int rc = G(git.git_repository_odb(&odb, s->repo));

	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		const struct item *it = &p->v[i];
		const git_oid *id = it->write_blob;
		size_t len;
		git_object_t type;

		if (!id && it->want.te &&
		    git.git_tree_entry_filemode(it->want.te) != GIT_FILEMODE_COMMIT)
			id = git.git_tree_entry_id(it->want.te);
		if (id && git.git_odb_read_header(&len, &type, odb, id) < 0) {
			char *why;

			snap_blob_damaged(s, it->path, id);
			why = xstrdup(err_msg()); /* err_set must not read its own buffer */
			rc = err_set("%s; nothing was changed", why);
			free(why);
		}
	}
	git.git_odb_free(odb);
	return rc;
}

/* A plan that failed part way (a file it could not write, a blob damaged
 * past its header), its folder's directories' modes put back and synced:
 * what it changed is recorded now, as the next command's recovery would
 * (snap_review_recover), into o->ck, and its intent record removed, so the
 * next command does not report it as interrupted. When this checkpoint
 * fails too (a full disk), the record stays for that recovery. The error
 * of the failure is kept (err_msg()), after "stopped part way, what it had
 * changed recorded as checkpoint ID: " when one was taken; rc is returned. */
static int
plan_record_stopped(struct snap_store *s, const char *session, const char *msg,
                    struct snap_intent *in, int rc, struct review_outcome *o)
{
	char *why = xstrdup(err_msg());
	size_t len = strcspn(msg, "\n");
	char *full = xasprintf("stopped: %.*s (partly done)\n\nDeskhand-Session: %s\n"
	                       "Deskhand-Review: yes\n", (int)len, msg, session);

	if (snap_take(s, session, full, false, &o->ck) >= 0) {
		snap_intent_end(s, session, in);
	} else {
		log_warn("%s: left for the next command to record: %s", s->workdir, err_msg());
		memset(&o->ck, 0, sizeof o->ck);
		snap_intent_fini(in);
	}
	if (o->ck.created)
		err_setc(rc, "stopped part way, what it had changed recorded as checkpoint %s: %s",
		         o->ck.short_id, why);
	else
		err_setc(rc, "%s", why);
	free(why);
	free(full);
	return rc;
}

/* plan_run, where the caller opened up directories already: their modes in
 * *opened (or NULL) are put back with the plan's, before the checkpoint,
 * and *opened is emptied (left as it was when the folder cannot be opened).
 * `intent` is the caller's intent record when it opened directories up
 * (taken over: ended here), or NULL: the plan writes its own before it
 * changes anything. The record is removed once the checkpoint is taken,
 * or when nothing was written; it stays after a failure part way, for the
 * next command's recovery (snap_review_recover). */
static int
plan_run_opened(struct snap_store *s, const char *session, struct plan *p, unsigned flags,
                const char *conflict_dir, const char *msg, struct dmodes *opened,
                struct snap_intent *intent, struct review_outcome *o)
{
	struct dmodes dm = {0};
	struct snap_syncset ss;
	struct snap_intent own = {0}, *in = intent ? intent : &own;
	bool apply = !(flags & REVIEW_F_DRY_RUN), wrote = false, tidy;
	int rc, rc2, root;

	snap_syncset_init(&ss);

	if (p->n)
		qsort(p->v, p->n, sizeof *p->v, cmp_item);
	o->npaths = p->n;
	if (apply && p->n && !intent && (rc = plan_intent(s, session, p, msg, &own)) < 0)
		return rc;
	root = root_open(s, !apply, &dm);
	if (root < 0) {
		/* root_open put back what it opened up */
		snap_intent_end(s, session, in);
		return root;
	}
	for (size_t i = 0; opened && i < opened->n; i++)
		dmodes_add(&dm, opened->v[i].path, opened->v[i].perm, opened->v[i].restored);
	if (opened) {
		free(opened->v);
		memset(opened, 0, sizeof *opened);
	}
	rc = 0;
	if (apply) {
		snap_syncset_note(&ss, root);
		plan_open(root, p, &dm);
		rc = intent_note_opened(s, session, in, &dm);
	}
	if (rc >= 0)
		rc = plan_check(s, root, p, &dm, !apply, flags & REVIEW_F_FORCE, conflict_dir, o);
	if (rc >= 0)
		o->npaths = plan_count_unsettled(p);
	if (rc >= 0)
		rc = plan_blobs_readable(s, p);
	if (rc >= 0 && apply) {
		wrote = true;
		rc = plan_apply_in(s, root, p, &dm, &ss, &o->report);
	}
	/* Even after a conflict or a failure: no directory is left wider open
	 * than it was. */
	rc2 = dmodes_apply(root, &dm, apply ? &ss : NULL, &o->report);
	dmodes_fini(&dm);
	tidy = rc2 >= 0;
	if (rc >= 0)
		rc = rc2;
	/* One sync of each file system changed (the folder's, and any mounted
	 * inside it) makes every rename, removal, new directory and mode above
	 * durable before the result is reported: each file was fsynced before
	 * its rename, its directory was not (one flush per directory entry
	 * doubled the flushes of a restore). After a failure too, for what was
	 * done. */
	if (snap_syncset_flush(&ss) < 0) {
		tidy = false;
		if (rc >= 0)
			rc = err_set("snapshot: cannot sync the folder %s: %s", s->workdir,
			             strerror(errno));
	}
	if (rc < 0 && wrote && tidy) {
		rc = plan_record_stopped(s, session, msg, in, rc, o);
		wrote = false; /* the record is dealt with */
		in = NULL;
	}
	if (rc < 0 || !apply)
		goto out;
	/* A review action: deskhand's own step in the chain (chain_step_left_at). */
	char *full = xasprintf("%sDeskhand-Review: yes\n", msg);
	rc = snap_take(s, session, full, false, &o->ck);
	free(full);
out:
	if (in && (rc >= 0 || !wrote))
		snap_intent_end(s, session, in);
	else if (in)
		snap_intent_fini(in);
	close(root);
	return rc;
}

/* Check (unless forced), apply (unless a dry run) and checkpoint with `msg`.
 * Applying it: the directories in the way are opened up first (so that the
 * check sees inside those their owner cannot read, chmod 000), then the
 * removals, writes and directories made, then directories' modes (the
 * recorded ones, and those the first step changed), deepest first. */
static int
plan_run(struct snap_store *s, const char *session, struct plan *p, unsigned flags,
         const char *conflict_dir, const char *msg, struct review_outcome *o)
{
	return plan_run_opened(s, session, p, flags, conflict_dir, msg, NULL, NULL, o);
}

/*
 * The session's chain of checkpoints
 */

struct link {
	git_oid id;
	char *label;
	char *tool_call;
	int turn;
	long long time;
	struct strv undo, redo; /* step ids named by Deskhand-Undo / Deskhand-Redo */
	bool external;          /* Deskhand-External: someone else's changes */
	bool own;               /* a review action (reject, restore, undo, redo) */
	bool hunk;              /* a reject-hunk (Deskhand-Hunk): the file's other
	                         * lines carried over as they were, anyone's */
	struct state st;        /* loaded on demand */
	struct strv changed;    /* paths changed vs the first parent (on demand) */
	bool changed_loaded;
};

struct chain {
	struct link *v;      /* newest (the head) first; each one's first parent follows */
	size_t n;
	const char *session; /* borrowed, for messages */
	char *cut;           /* NULL; or why the commit below v[n - 1] cannot be read:
	                      * the chain ends above it (chain_load) */
};

static void
chain_fini(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].label);
		free(c->v[i].tool_call);
		strv_free(&c->v[i].undo);
		strv_free(&c->v[i].redo);
		strv_free(&c->v[i].changed);
		state_fini(&c->v[i].st);
	}
	free(c->v);
	free(c->cut);
	memset(c, 0, sizeof *c);
}

static void
link_parse(struct link *l, const git_commit *c)
{
	const char *msg = git.git_commit_message(c), *nl = strchr(msg, '\n');
	git_message_trailer_array tr = {0};

	l->label = nl ? xstrndup(msg, (size_t)(nl - msg)) : xstrdup(msg);
	l->turn = -1;
	l->time = (long long)git.git_commit_time(c);
	if (git.git_message_trailers(&tr, msg) < 0)
		return;
	for (size_t i = 0; i < tr.count; i++) {
		const char *k = tr.trailers[i].key, *v = tr.trailers[i].value;

		if (!strcmp(k, "Deskhand-Tool-Call") && !l->tool_call)
			l->tool_call = xstrdup(v);
		else if (!strcmp(k, "Deskhand-Turn"))
			l->turn = atoi(v);
		else if (!strcmp(k, "Deskhand-Undo"))
			strv_add(&l->undo, v);
		else if (!strcmp(k, "Deskhand-Redo"))
			strv_add(&l->redo, v);
		else if (!strcmp(k, "Deskhand-External"))
			l->external = true;
		else if (!strcmp(k, "Deskhand-Review"))
			l->own = true;
		else if (!strcmp(k, "Deskhand-Hunk"))
			l->hunk = true;
	}
	/* Undos and redos written before the Deskhand-Review trailer existed. */
	l->own |= l->undo.n || l->redo.n;
	git.git_message_trailer_array_free(&tr);
}

/* The session's first-parent chain from its head. A commit below the head
 * that cannot be read ends it there (c->cut says why, and the log): what
 * lies above it still works, the link at the end counts as having no
 * parent (it cannot be undone: its parent state is unknown). The head
 * itself that cannot be read is an error naming it, or, with
 * `head_may_fail`, an empty chain with c->cut set. */
static int
chain_load_opt(struct snap_store *s, const char *session, struct chain *c, bool head_may_fail)
{
	git_oid id;
	size_t cap = 0;
	int rc;

	memset(c, 0, sizeof *c);
	c->session = session;
	if ((rc = head_id(s, session, &id)) < 0)
		return rc;
	for (;;) {
		git_commit *cm = NULL;

		if ((rc = snap_checkpoint_read(s, session, &id, &cm, NULL, NULL)) < 0) {
			if (!c->n && !head_may_fail)
				return rc;
			c->cut = xstrdup(err_msg());
			return 0;
		}
		ARRAY_GROW(c->v, c->n, cap, 1);
		struct link *l = &c->v[c->n++];
		memset(l, 0, sizeof *l);
		l->id = id;
		link_parse(l, cm);
		bool more = git.git_commit_parentcount(cm) > 0;
		if (more)
			id = *git.git_commit_parent_id(cm, 0);
		git.git_commit_free(cm);
		if (!more)
			return 0;
	}
}

static int
chain_load(struct snap_store *s, const char *session, struct chain *c)
{
	return chain_load_opt(s, session, c, false);
}

static struct state *
chain_state(struct snap_store *s, struct chain *c, size_t i)
{
	if (!c->v[i].st.loaded && state_load(s, c->session, &c->v[i].id, &c->v[i].st) < 0)
		return NULL;
	return &c->v[i].st;
}

/* Whether the agent step at chain position i is undone: the newest undo or
 * redo trailer naming it decides. */
static bool
chain_undone(const struct chain *c, size_t i)
{
	char hex[41];

	git.git_oid_tostr(hex, sizeof hex, &c->v[i].id);
	for (size_t j = 0; j < i; j++) {
		for (size_t k = 0; k < c->v[j].undo.n; k++)
			if (!strcmp(c->v[j].undo.v[k], hex))
				return true;
		for (size_t k = 0; k < c->v[j].redo.n; k++)
			if (!strcmp(c->v[j].redo.v[k], hex))
				return false;
	}
	return false;
}

static bool
chain_is_step(const struct chain *c, size_t i)
{
	const struct link *l = &c->v[i];

	return l->tool_call && !l->undo.n && !l->redo.n && i + 1 < c->n && !chain_undone(c, i);
}

static void
step_fill(struct review_step *st, const struct link *l)
{
	git.git_oid_tostr(st->id, sizeof st->id, &l->id);
	memcpy(st->short_id, st->id, 12);
	st->short_id[12] = '\0';
	st->label = xstrdup(l->label);
	st->tool_call = l->tool_call ? xstrdup(l->tool_call) : NULL;
	st->turn = l->turn;
	st->time = l->time;
	st->external = l->external;
}

/* Every path whose state differs between a and b: files and links by tree
 * diff, permission bits from the notes, and empty directories and
 * directories' modes ('/'). A directory of either that cannot be read is
 * named (snap_tree_damaged). */
static int
touched(struct snap_store *s, const struct state *a, const struct state *b, struct strv *out)
{
	git_diff_options o;
	git_diff *diff = NULL;
	struct strv paths = { 0 };
	int rc;

	snap_diff_opts(s, &o);
	if ((rc = snap_diff_narrow(s, a->tree, b->tree, &o, &paths)) < 0 ||
	    (paths.n && (rc = G(git.git_diff_tree_to_tree(&diff, s->repo, a->tree, b->tree, &o))) < 0)) {
		if (snap_tree_damaged(s, a->tree, false) || snap_tree_damaged(s, b->tree, false))
			rc = DH_EFAIL;
		strv_free(&paths);
		return rc;
	}
	for (size_t i = 0; diff && i < git.git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git.git_diff_get_delta(diff, i);

		strv_add(out, d->old_file.path);
		if (strcmp(d->old_file.path, d->new_file.path))
			strv_add(out, d->new_file.path);
	}
	git.git_diff_free(diff);
	strv_free(&paths);
	for (int side = 0; side < 2; side++) {
		const struct snap_meta *m = side ? &b->meta : &a->meta;
		const struct state *other = side ? a : b;

		for (size_t i = 0; i < m->nmodes; i++)
			if (snap_meta_mode(&other->meta, m->modes[i].path) != (int)m->modes[i].mode)
				strv_add(out, m->modes[i].path);
		for (size_t i = 0; i < m->ndirs; i++) {
			if (snap_dir_exists(other->tree, &other->meta, m->dirs[i]))
				continue;
			char *d = xasprintf("%s/", m->dirs[i]);
			strv_add(out, d);
			free(d);
		}
	}
	const char **dm;
	size_t ndm = snap_meta_dir_modes_changed(&a->meta, &b->meta, &dm);
	for (size_t i = 0; i < ndm; i++) {
		char *d = xasprintf("%s/", dm[i]);
		strv_add(out, d);
		free(d);
	}
	free(dm);
	/* the notes' changes at ignored paths (the diff skipped its own) */
	size_t kept = 0;
	for (size_t i = 0; i < out->n; i++) {
		size_t len = strlen(out->v[i]);

		if (snap_ignored(s, out->v[i], len && out->v[i][len - 1] == '/'))
			free(out->v[i]);
		else
			out->v[kept++] = out->v[i];
	}
	out->n = kept;
	strv_uniq(out);
	return 0;
}

/* The paths checkpoint i changed against its first parent (the baseline:
 * none), cached in the chain; NULL on error. */
static const struct strv *
link_changed(struct snap_store *s, struct chain *c, size_t i)
{
	struct link *l = &c->v[i];

	if (!l->changed_loaded && i + 1 < c->n) {
		struct state *a = chain_state(s, c, i + 1), *b = chain_state(s, c, i);

		if (!a || !b || touched(s, a, b, &l->changed) < 0)
			return NULL;
	}
	l->changed_loaded = true;
	return &l->changed;
}

/* What deskhand last left at `path`, as a chain position: the head, or,
 * when someone else's changes to it were recorded since (external, or a
 * recovery of them), the checkpoint before the oldest of those. The
 * checkpoints that did not change the path are passed over, whatever they
 * are, and so are the reject-hunks (Deskhand-Hunk) that did: a reject-hunk
 * keeps the file's other lines, a person's edit with them, so it does not
 * make that edit deskhand's. The walk stops at the first other checkpoint
 * that changed the path (an agent step, a whole-file review action: what
 * they wrote is deskhand's). The folder must hold that state for restore,
 * reject and redo to write the path without a conflict: a person's edit is
 * in the way, even once recorded. Returns the position, or (size_t)-1 on
 * error. */
static size_t
chain_left_at(struct snap_store *s, struct chain *c, const char *path)
{
	size_t at = 0;

	for (size_t i = 0; i + 1 < c->n; i++) {
		/* Below it a checkpoint whose tree or note cannot be read (a
		 * recovery over a damaged head): what it changed is unknown,
		 * and the folder must hold what it recorded, as at the end of
		 * a chain cut at a commit that cannot be read (chain_load_opt). */
		if (!chain_state(s, c, i + 1))
			break;
		const struct strv *ch = link_changed(s, c, i);

		if (!ch)
			return (size_t)-1;
		if (!strv_has(ch, path))
			continue;
		if (!c->v[i].external && !c->v[i].hunk)
			break;
		if (c->v[i].external)
			at = i + 1;
	}
	return chain_state(s, c, at) ? at : (size_t)-1;
}

/* What agent step `step` (a chain position) left at `path`, carried forward
 * over the review actions (reject, reject-hunk, restore, undo, redo: deskhand's
 * own steps in the chain) that changed the path after it; any other later
 * change to it (someone else's, another agent step) stops the walk, so the
 * folder no longer matching is a conflict. Returns the position, or
 * (size_t)-1 on error. */
static size_t
chain_step_left_at(struct snap_store *s, struct chain *c, size_t step, const char *path)
{
	size_t at = step;

	for (size_t j = step; j-- > 0;) {
		const struct strv *ch = link_changed(s, c, j);

		if (!ch)
			return (size_t)-1;
		if (!strv_has(ch, path))
			continue;
		if (!c->v[j].own)
			break;
		at = j;
	}
	return chain_state(s, c, at) ? at : (size_t)-1;
}

/* Plan `path` back to its state in `want_st`, expecting in the folder what
 * deskhand last left there (chain_left_at). Returns 0 or DH_EFAIL. */
static int
plan_add_left(struct plan *p, struct snap_store *s, struct chain *c, const char *path,
              const struct state *want_st, const struct state *base_st)
{
	size_t at = chain_left_at(s, c, path);

	if (at == (size_t)-1)
		return DH_EFAIL;
	plan_add_from(p, path, want_st, &c->v[at].st, base_st);
	return 0;
}

/*
 * Review
 */

static void
hunk_add_line(struct review_hunk *h, char origin, const char *p, size_t n)
{
	ARRAY_GROW(h->lines, h->nlines, h->caplines, 1);
	h->lines[h->nlines].origin = origin;
	h->lines[h->nlines++].text = xstrndup(p, n);
}

/* The hunks and line counts of a patch into f. */
static int
patch_hunks(git_patch *patch, struct review_file *f)
{
	size_t ctx = 0, add = 0, del = 0;
	int rc;

	if ((rc = G(git.git_patch_line_stats(&ctx, &add, &del, patch))) < 0)
		return rc;
	f->added = add;
	f->removed = del;
	f->nhunks = git.git_patch_num_hunks(patch);
	f->hunks = f->nhunks ? xcalloc(f->nhunks, sizeof *f->hunks) : NULL;
	for (size_t h = 0; h < f->nhunks; h++) {
		const git_diff_hunk *gh;
		size_t nl;
		struct review_hunk *rh = &f->hunks[h];

		if ((rc = G(git.git_patch_get_hunk(&gh, &nl, patch, h))) < 0)
			return rc;
		rh->n = (int)h + 1;
		size_t hl = gh->header_len;
		while (hl && (gh->header[hl - 1] == '\n' || gh->header[hl - 1] == '\r'))
			hl--;
		rh->header = xstrndup(gh->header, hl);
		rh->old_start = gh->old_start;
		rh->old_lines = gh->old_lines;
		rh->new_start = gh->new_start;
		rh->new_lines = gh->new_lines;
		for (size_t i = 0; i < nl; i++) {
			const git_diff_line *l;
			size_t len;

			if ((rc = G(git.git_patch_get_line_in_hunk(&l, patch, h, i))) < 0)
				return rc;
			switch (l->origin) {
			case GIT_DIFF_LINE_CONTEXT:
			case GIT_DIFF_LINE_ADDITION:
			case GIT_DIFF_LINE_DELETION:
				len = l->content_len;
				if (len && l->content[len - 1] == '\n')
					len--;
				hunk_add_line(rh, (char)l->origin, l->content, len);
				break;
			case GIT_DIFF_LINE_CONTEXT_EOFNL:
			case GIT_DIFF_LINE_ADD_EOFNL:
			case GIT_DIFF_LINE_DEL_EOFNL:
				hunk_add_line(rh, '\\', NO_EOL, strlen(NO_EOL));
				break;
			default:
				break;
			}
		}
	}
	return 0;
}

/* One side of a document as text (NULL data: absent, no text). */
static int
doc_side(const char *path, enum doc_kind kind, const void *data, size_t n, struct buf *out)
{
	return data ? doc_to_text(data, n, path, kind, NULL, out) : 0;
}

int
snap_doc_hunks(struct review_file *f, const char *path, const void *old, size_t old_len,
               const void *new, size_t new_len)
{
	enum doc_kind kind = doc_kind_of(path, new ? new : old, new ? new_len : old_len);
	int rc = 0;

	if (kind == DOC_NONE)
		return 0;
	if (doc_kind_is_sheet(kind)) {
		struct doc_book *a = NULL, *b = NULL;
		struct buf lines = BUF_INIT;

		if ((old && doc_book_load(old, old_len, path, kind, NULL, &a) < 0) ||
		    (new && doc_book_load(new, new_len, path, kind, NULL, &b) < 0))
			goto sheet_out;
		doc_book_diff(a, b, SNAP_DOC_LINES_MAX, &lines);
		f->textconv = xstrdup("cells");
		if (lines.len) {
			struct review_hunk *rh = f->hunks = xcalloc(1, sizeof *f->hunks);

			f->nhunks = 1;
			rh->n = 1;
			rh->header = xstrdup("@@ cells @@");
			for (char *p = lines.ptr, *e; p < lines.ptr + lines.len; p = e + 1) {
				e = strchr(p, '\n');
				hunk_add_line(rh, p[0], p + 1, (size_t)(e - p - 1));
				f->added += p[0] == '+' || p[0] == '~';
				f->removed += p[0] == '-' || p[0] == '~';
			}
		}
		rc = 1;
	sheet_out:
		buf_fini(&lines);
		doc_book_free(a);
		doc_book_free(b);
		return rc;
	}
	struct buf a = BUF_INIT, b = BUF_INIT;
	git_patch *patch = NULL;
	git_diff_options opts;

	git.git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = CONTEXT_LINES;
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (doc_side(path, kind, old, old_len, &a) == 0 && doc_side(path, kind, new, new_len, &b) == 0 &&
	    git.git_patch_from_buffers(&patch, a.ptr, a.len, path, b.ptr, b.len, path,
	                               &opts) == 0 &&
	    patch_hunks(patch, f) == 0) {
		f->textconv = xstrdup("text");
		rc = 1;
	} else { /* a side is not readable as text: sizes only */
		struct review_file t = { .hunks = f->hunks, .nhunks = f->nhunks };

		review_model_file_fini(&t);
		f->hunks = NULL;
		f->nhunks = f->added = f->removed = 0;
	}
	git.git_patch_free(patch);
	buf_fini(&a);
	buf_fini(&b);
	return rc;
}

/* Hunks and line counts for a file whose sides are regular files or absent;
 * a binary document's are those of its text (snap_doc_hunks). */
static int
file_hunks(struct snap_store *s, struct review_file *f, const struct pstate *o,
           const struct pstate *n)
{
	git_blob *ob = NULL, *nb = NULL;
	git_patch *patch = NULL;
	git_diff_options opts;
	int rc;

	git.git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = CONTEXT_LINES;
	if ((rc = blob_data(s, o, f->old_path ? f->old_path : f->path, &ob)) < 0 ||
	    (rc = blob_data(s, n, f->path, &nb)) < 0 ||
	    (rc = G(git.git_patch_from_blobs(&patch, ob, f->old_path ? f->old_path : f->path, nb,
	                                     f->path, &opts))) < 0)
		goto out;
	if (git.git_patch_get_delta(patch)->flags & GIT_DIFF_FLAG_BINARY) {
		f->binary = true;
		(void)snap_doc_hunks(f, f->path, ob ? git.git_blob_rawcontent(ob) : NULL,
		                     ob ? (size_t)git.git_blob_rawsize(ob) : 0,
		                     nb ? git.git_blob_rawcontent(nb) : NULL,
		                     nb ? (size_t)git.git_blob_rawsize(nb) : 0);
		goto out;
	}
	rc = patch_hunks(patch, f);
out:
	git.git_patch_free(patch);
	git.git_blob_free(ob);
	git.git_blob_free(nb);
	return rc;
}

static long long
pstate_size(const struct pstate *p, struct snap_store *s)
{
	git_blob *b = NULL;
	long long n;

	if (!p->te || blob_data(s, p, NULL, &b) < 0)
		return -1;
	n = (long long)git.git_blob_rawsize(b);
	git.git_blob_free(b);
	return n;
}

/* A link's target (its blob), heap; NULL when p is not a link or its blob
 * cannot be read (the size says -1 then too). */
static char *
pstate_target(const struct pstate *p, struct snap_store *s)
{
	git_blob *b = NULL;
	char *t;

	if (!p->te || pstate_is_file(p) || blob_data(s, p, NULL, &b) < 0)
		return NULL;
	t = xstrndup(git.git_blob_rawcontent(b), (size_t)git.git_blob_rawsize(b));
	git.git_blob_free(b);
	return t;
}

static int
file_fill(struct snap_store *s, struct review_file *f, const struct snap_change *c,
          const struct state *acc, const struct state *head)
{
	struct pstate o, n;
	int rc = 0;

	f->status = c->status;
	f->path = xstrdup(c->path);
	f->old_path = c->old_path ? xstrdup(c->old_path) : NULL;
	pstate_get(acc, c->old_path ? c->old_path : c->path, &o);
	pstate_get(head, c->path, &n);
	f->old_mode = pstate_mode(&o);
	f->new_mode = pstate_mode(&n);
	f->old_size = pstate_size(&o, s);
	f->new_size = pstate_size(&n, s);
	f->old_target = pstate_target(&o, s);
	f->new_target = pstate_target(&n, s);
	bool o_ok = !o.te || pstate_is_file(&o), n_ok = !n.te || pstate_is_file(&n);
	if (!is_dir_path(c->path) && o_ok && n_ok && (o.te || n.te))
		rc = file_hunks(s, f, &o, &n);
	pstate_fini(&o);
	pstate_fini(&n);
	return rc;
}

/* Where the state that review action i (a restore, undo, redo or reject:
 * deskhand's own step) left at `path` comes from: the nearest older
 * checkpoint, past other review actions, that changed the path to that same
 * state. An undo or restore that puts back a person's edit writes the
 * person's version, not one of deskhand's: it is that edit's checkpoint
 * (external) that made the change. i itself when there is none (the state
 * is new), or on error. */
static size_t
link_origin(struct snap_store *s, struct chain *c, size_t i, const char *path)
{
	struct state *at = chain_state(s, c, i);
	struct pstate want;
	size_t found = i;

	if (!at)
		return i;
	pstate_get(at, path, &want);
	for (size_t j = i + 1; j + 1 < c->n && found == i; j++) {
		const struct strv *ch = link_changed(s, c, j);
		struct state *st;
		struct pstate ps;

		if (!ch || !(st = chain_state(s, c, j)))
			break;
		if (!strv_has(ch, path))
			continue;
		pstate_get(st, path, &ps);
		if (pstate_same(&ps, &want) && !c->v[j].own)
			found = j;
		pstate_fini(&ps);
	}
	pstate_fini(&want);
	return found;
}

/* Name the checkpoint that last changed each file, walking back from the
 * head; for a review action's change, the checkpoint whose state it brought
 * back (link_origin). */
static int
attribute(struct snap_store *s, struct chain *c, struct review *r)
{
	size_t left = r->nfiles;
	int rc = 0;

	for (size_t i = 0; left && i + 1 < c->n; i++) {
		struct state *b = chain_state(s, c, i), *a = chain_state(s, c, i + 1);
		struct strv t = {0};

		if (!a || !b)
			return DH_EFAIL;
		if ((rc = touched(s, a, b, &t)) < 0)
			return rc;
		for (size_t k = 0; k < r->nfiles; k++) {
			struct review_file *f = &r->files[k];

			if (f->step.id[0] ||
			    !(strv_has(&t, f->path) || (f->old_path && strv_has(&t, f->old_path))))
				continue;
			step_fill(&f->step, &c->v[c->v[i].own ? link_origin(s, c, i, f->path) : i]);
			left--;
		}
		strv_free(&t);
		/* Older states are not needed again. */
		state_fini(&c->v[i].st);
	}
	return rc;
}

int
snap_review_get(struct snap_store *s, const char *session, struct review **out)
{
	struct state acc = {0}, head = {0};
	struct chain c = {0};
	struct snap_change *ch = NULL;
	size_t nch = 0;
	struct review *r = xcalloc(1, sizeof *r);
	git_oid aid;
	int rc;

	*out = NULL;
	if (snap_open_repo(s) < 0) {
		free(r);
		return DH_EFAIL;
	}
	if ((rc = accepted_id(s, session, &aid)) < 0 || (rc = chain_load(s, session, &c)) < 0 ||
	    (rc = state_load(s, session, &aid, &acc)) < 0 ||
	    (rc = state_load(s, session, &c.v[0].id, &head)) < 0 ||
	    (rc = snap_changes_between(s, acc.tree, &acc.meta, head.tree, &head.meta, &ch, &nch)) <
	            0)
		goto out;
	git.git_oid_tostr(r->accepted_id, sizeof r->accepted_id, &aid);
	git.git_oid_tostr(r->head_id, sizeof r->head_id, &c.v[0].id);
	r->files = nch ? xcalloc(nch, sizeof *r->files) : NULL;
	for (size_t i = 0; i < nch; i++) {
		r->files[i].old_size = r->files[i].new_size = -1;
		r->nfiles++;
		if ((rc = file_fill(s, &r->files[i], &ch[i], &acc, &head)) < 0)
			goto out;
	}
	if ((rc = attribute(s, &c, r)) < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	snap_review_free(r);
	snap_changes_free(ch, nch);
	chain_fini(&c);
	state_fini(&acc);
	state_fini(&head);
	return rc;
}

int
snap_review_accepted(struct snap_store *s, const char *session, char out_id[41])
{
	git_oid id;
	int rc;

	out_id[0] = '\0';
	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = accepted_id(s, session, &id)) < 0)
		return rc;
	git.git_oid_tostr(out_id, 41, &id);
	return 0;
}

/*
 * Selecting pending files by path
 */

/* "./a/b/" -> "a/b"; "." and "" -> "" (everything); "./" (any number of
 * slashes), the folder's own entry as the review prints it, -> "." (that
 * entry alone: path_selects and same_path match "./" by it). Heap string. */
static char *
norm_path(const char *p)
{
	if (p[0] == '.' && p[1] == '/' && !p[1 + strspn(p + 1, "/")])
		return xstrdup(SNAP_ROOT);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	char *r = xstrdup(strcmp(p, ".") ? p : "");
	size_t n = strlen(r);
	while (n && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static bool
path_selects(const char *sel, const char *path)
{
	size_t n = strlen(sel), m;

	if (!path)
		return false;
	if (!n)
		return true;
	m = strlen(path);
	if (m && path[m - 1] == '/')
		m--;
	if (strncmp(sel, path, n))
		return false;
	return m == n || (m > n && path[n] == '/');
}

bool
snap_review_selects(const struct review *r, const char *path)
{
	char *p = norm_path(path);
	bool any = false;

	for (size_t i = 0; r && i < r->nfiles && !any; i++)
		any = path_selects(p, r->files[i].path) || path_selects(p, r->files[i].old_path);
	free(p);
	return any;
}

/* sel[i] = whether r->files[i] is selected by `paths` (all when n is 0). */
static int
select_files(const struct review *r, const char *const *paths, size_t n, bool *sel)
{
	for (size_t i = 0; i < r->nfiles; i++)
		sel[i] = n == 0;
	for (size_t k = 0; k < n; k++) {
		char *p = norm_path(paths[k]);
		bool any = false;

		for (size_t i = 0; i < r->nfiles; i++) {
			if (path_selects(p, r->files[i].path) ||
			    path_selects(p, r->files[i].old_path)) {
				sel[i] = true;
				any = true;
			}
		}
		if (!any) {
			int rc = err_setc(DH_ENOTFOUND, "snapshot: nothing pending at '%s'",
			                  paths[k]);

			free(p);
			return rc;
		}
		free(p);
	}
	return 0;
}

static void
label_paths(struct buf *msg, const struct strv *paths)
{
	for (size_t i = 0; i < paths->n && i < LABEL_PATHS; i++) {
		buf_putc(msg, ' ');
		for (const char *p = paths->v[i]; *p; p++)
			buf_putc(msg, *p == '\n' ? ' ' : *p);
	}
	if (paths->n > LABEL_PATHS)
		buf_printf(msg, " and %zu more", paths->n - LABEL_PATHS);
}

/*
 * Lines of a blob (accept-hunk, reject-hunk)
 */

struct line_ref {
	const char *p; /* the line's start (including its '\n' if any) */
	size_t len;
};
ARRAY_HEAD(lines, struct line_ref);

/* Split data into lines; *l is empty (zeroed) on entry. */
static void
lines_split(struct lines *l, const char *data, size_t len)
{
	l->n = 0;
	ARRAY_RESERVE(l, 16); /* allocated even for empty data */
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) + 1 : len - i;

		ARRAY_PUSH(l, (struct line_ref){ .p = data + i, .len = n });
		i += n;
	}
}

static void
lines_fini(struct lines *l)
{
	ARRAY_FREE(l);
}

static void
lines_put(struct buf *b, const struct lines *l, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < l->n; i++)
		buf_add(b, l->v[i].p, l->v[i].len);
}

/* 0-based index of a hunk range's first line (git numbers an empty range by
 * the line before it). */
static size_t
range_begin(int start, int count)
{
	if (count == 0)
		return (size_t)start;
	return start > 0 ? (size_t)start - 1 : 0;
}

/*
 * Accept
 */

static void
meta_del_dir(struct snap_meta *m, const char *d)
{
	for (size_t i = 0; i < m->ndirs; i++) {
		if (strcmp(m->dirs[i], d))
			continue;
		free(m->dirs[i]);
		memmove(&m->dirs[i], &m->dirs[i + 1], (m->ndirs - i - 1) * sizeof *m->dirs);
		m->ndirs--;
		return;
	}
}

/* Replace path's m line by mode's (-1: none, the tree's default). */
static void
meta_set_mode(struct snap_meta *m, const char *path, int mode)
{
	for (size_t i = 0; i < m->nmodes; i++) {
		if (strcmp(m->modes[i].path, path))
			continue;
		free(m->modes[i].path);
		memmove(&m->modes[i], &m->modes[i + 1], (m->nmodes - i - 1) * sizeof *m->modes);
		m->nmodes--;
		break;
	}
	if (mode >= 0)
		snap_meta_add_mode(m, path, (unsigned)mode);
}

/* Take `path` from the head into the accepted index and note. */
static int
accept_path(git_index *idx, struct snap_meta *m, const struct state *head, const char *path)
{
	struct pstate ps;
	int rc = 0;

	pstate_get(head, path, &ps);
	if (is_dir_path(path)) {
		char *d = xstrndup(path, strlen(path) - 1);

		bool self = !strcmp(d, SNAP_ROOT);

		meta_del_dir(m, d);
		if (ps.dir && !self)
			snap_meta_add_dir(m, d);
		snap_meta_set_dir_mode(m, d, ps.dir && ps.has_perm ? (int)ps.perm : -1);
		if (self)
			m->has_root = ps.has_perm;
		free(d);
	} else if (ps.te) {
		git_index_entry e;

		memset(&e, 0, sizeof e);
		e.mode = git.git_tree_entry_filemode(ps.te);
		e.id = *git.git_tree_entry_id(ps.te);
		e.path = path;
		rc = G(git.git_index_add(idx, &e));
		meta_set_mode(m, path, snap_meta_mode(&head->meta, path));
	} else {
		size_t pos;

		if (git.git_index_find(&pos, idx, path) == 0)
			rc = G(git.git_index_remove(idx, path, 0));
		meta_set_mode(m, path, -1);
	}
	pstate_fini(&ps);
	return rc;
}

static int
commit_with_note(struct snap_store *s, const char *msg, git_tree *tree,
                 const git_commit *const *parents, size_t nparents, const char *note, git_oid *out)
{
	git_signature *sig = NULL;
	int rc;

	if ((rc = snap_signature(&sig)) < 0)
		return rc;
	rc = G(git.git_commit_create(out, s->repo, NULL, sig, sig, NULL, msg, tree, nparents,
	                             (const git_commit **)parents));
	if (rc == 0 && note)
		rc = snap_meta_write(s->repo, sig, out, note);
	git.git_signature_free(sig);
	return rc;
}

static int
set_ref(struct snap_store *s, const char *session, const char *which, const git_oid *id,
        const char *why)
{
	git_reference *ref = NULL;
	char name[192];
	int rc;

	if ((rc = snap_ref_name(name, sizeof name, session, which)) < 0)
		return rc;
	if (!id) {
		rc = git.git_reference_remove(s->repo, name);
		return rc == GIT_ENOTFOUND ? 0 : G(rc);
	}
	rc = G(git.git_reference_create(&ref, s->repo, name, id, 1, why));
	git.git_reference_free(ref);
	return rc;
}

/* The old accepted state as an index and a note to edit. */
static int
mark_begin(const struct state *acc, git_index **idx, struct snap_meta *m)
{
	int rc;

	if ((rc = G(git.git_index_new(idx))) < 0 ||
	    (rc = G(git.git_index_read_tree(*idx, acc->tree))) < 0)
		return rc;
	for (size_t i = 0; i < acc->meta.ndirs; i++)
		snap_meta_add_dir(m, acc->meta.dirs[i]);
	for (size_t i = 0; i < acc->meta.nmodes; i++)
		snap_meta_add_mode(m, acc->meta.modes[i].path, acc->meta.modes[i].mode);
	for (size_t i = 0; i < acc->meta.ndmodes; i++)
		snap_meta_add_dir_mode(m, acc->meta.dmodes[i].path, acc->meta.dmodes[i].mode);
	m->has_dmodes = acc->meta.has_dmodes;
	m->has_root = acc->meta.has_root;
	return 0;
}

/* Commit the edited index and note as the new accepted mark (parent: the old
 * mark `acc`) with message `msg`; o->ck names it. */
static int
mark_commit(struct snap_store *s, const char *session, const struct state *acc, git_index *idx,
            struct snap_meta *m, const char *msg, struct review_outcome *o)
{
	struct buf note = BUF_INIT;
	git_tree *tree = NULL;
	git_oid tree_id, new_id;
	int rc;

	/* A noted empty directory that now holds files is no longer empty. */
	for (size_t i = m->ndirs; i-- > 0;) {
		char *prefix = xasprintf("%s/", m->dirs[i]);
		size_t pos;

		if (git.git_index_find_prefix(&pos, idx, prefix) == 0)
			meta_del_dir(m, m->dirs[i]);
		free(prefix);
	}
	m->nfiles = git.git_index_entrycount(idx);
	snap_meta_sort(m);
	snap_meta_format(m, &note);
	const git_commit *parents[1] = {acc->commit};
	if ((rc = G(git.git_index_write_tree_to(&tree_id, idx, s->repo))) < 0 ||
	    (rc = G(git.git_tree_lookup(&tree, s->repo, &tree_id))) < 0 ||
	    (rc = commit_with_note(s, msg, tree, parents, 1, buf_cstr(&note), &new_id)) < 0 ||
	    (rc = set_ref(s, session, "accepted", &new_id, "deskhand: accept")) < 0)
		goto out;
	git.git_oid_tostr(o->ck.id, sizeof o->ck.id, &new_id);
	memcpy(o->ck.short_id, o->ck.id, 12);
	o->ck.files_changed = o->npaths;
out:
	git.git_tree_free(tree);
	buf_fini(&note);
	return rc;
}

int
snap_review_accept(struct snap_store *s, const char *session, const char *const *paths, size_t n,
                   struct review_outcome *o)
{
	struct review *r = NULL;
	struct state acc = {0}, head = {0};
	struct snap_meta m = {0};
	struct buf msg = BUF_INIT;
	struct strv sel_paths = {0};
	git_index *idx = NULL;
	git_oid aid, hid;
	bool *sel = NULL;
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if ((rc = snap_review_get(s, session, &r)) < 0)
		return rc;
	sel = xcalloc(r->nfiles + 1, sizeof *sel);
	if ((rc = select_files(r, paths, n, sel)) < 0)
		goto out;
	for (size_t i = 0; i < r->nfiles; i++) {
		if (!sel[i])
			continue;
		o->npaths++;
		strv_add(&sel_paths, r->files[i].path);
		if (r->files[i].old_path)
			strv_add(&sel_paths, r->files[i].old_path);
	}
	if (!o->npaths)
		goto out;
	strv_uniq(&sel_paths);
	if ((rc = G(git.git_oid_fromstr(&aid, r->accepted_id))) < 0 ||
	    (rc = G(git.git_oid_fromstr(&hid, r->head_id))) < 0 ||
	    (rc = state_load(s, session, &aid, &acc)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0 ||
	    (rc = mark_begin(&acc, &idx, &m)) < 0)
		goto out;
	/* Removals first (deepest first), so a file may replace a directory. */
	for (size_t i = sel_paths.n; i-- > 0;) {
		struct pstate ps;

		pstate_get(&head, sel_paths.v[i], &ps);
		if (!ps.te && !ps.dir)
			rc = accept_path(idx, &m, &head, sel_paths.v[i]);
		pstate_fini(&ps);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < sel_paths.n; i++) {
		struct pstate ps;

		pstate_get(&head, sel_paths.v[i], &ps);
		if (ps.te || ps.dir)
			rc = accept_path(idx, &m, &head, sel_paths.v[i]);
		pstate_fini(&ps);
		if (rc < 0)
			goto out;
	}
	buf_printf(&msg, "accept %zu file%s:", o->npaths, o->npaths == 1 ? "" : "s");
	label_paths(&msg, &sel_paths);
	buf_printf(&msg, "\n\nDeskhand-Session: %s\nDeskhand-Accepted-At: %s\n", session,
	           r->head_id);
	if ((rc = mark_commit(s, session, &acc, idx, &m, buf_cstr(&msg), o)) < 0)
		goto out;
	for (size_t i = 0; i < sel_paths.n; i++)
		ARRAY_PUSH(&o->report, xasprintf("accepted %s", sel_paths.v[i]));
out:
	git.git_index_free(idx);
	strv_free(&sel_paths);
	buf_fini(&msg);
	snap_meta_fini(&m);
	state_fini(&acc);
	state_fini(&head);
	free(sel);
	snap_review_free(r);
	return rc;
}

/*
 * Accept one hunk
 */

/* Hunk `hunk` (from 1) of pending file `f` for accept-hunk or reject-hunk
 * (`verb`): 0 and *out, or DH_EDENIED (not a regular text change: the whole
 * file is the unit) or DH_ENOTFOUND (no such hunk), naming `path`. */
static int
pending_hunk(const struct review_file *f, const char *path, int hunk, const char *verb,
             const struct review_hunk **out)
{
	if (f->binary || (f->status != 'M' && f->status != 'R') ||
	    (f->old_mode & 0170000) != 0100000 || (f->new_mode & 0170000) != 0100000)
		return err_setc(DH_EDENIED,
		                "snapshot: %s is %s: %s the whole file instead of a hunk", path,
		                f->binary                            ? "binary"
		                : is_dir_path(f->path)               ? "a directory"
		                : f->status == 'A'                   ? "a new file"
		                : f->status == 'D'                   ? "deleted"
		                : ((f->new_mode & 0170000) == 0120000 ||
		                   (f->old_mode & 0170000) == 0120000) ? "a symbolic link"
		                                                        : "not a text change",
		                verb);
	if (hunk < 1 || (size_t)hunk > f->nhunks)
		return err_setc(DH_ENOTFOUND, "snapshot: %s has %zu hunk%s, not %d", path, f->nhunks,
		                f->nhunks == 1 ? "" : "s", hunk);
	*out = &f->hunks[hunk - 1];
	return 0;
}


/* Whether review path `path` (maybe "dir/") is the normalized `np`. */
static bool
same_path(const char *path, const char *np)
{
	size_t n = strlen(np);

	return path && !strncmp(path, np, n) && (!path[n] || (path[n] == '/' && !path[n + 1]));
}

/* The pending file `np` names (its path, or a rename's old path), or NULL. */
static struct review_file *
find_file(struct review *r, const char *np)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (same_path(r->files[i].path, np))
			return &r->files[i];
	for (size_t i = 0; i < r->nfiles; i++)
		if (same_path(r->files[i].old_path, np))
			return &r->files[i];
	return NULL;
}

/* The new accepted blob is built from the two blobs the hunks were computed
 * from: accepted lines before the hunk, the head's lines of the hunk's new
 * range (byte for byte its ' ' and '+' lines, so a missing final newline,
 * the '\\' lines, comes out as in the head), accepted lines after it. */
int
snap_review_accept_hunk(struct snap_store *s, const char *session, const char *path, int hunk,
                        struct review_outcome *o)
{
	struct review *r = NULL;
	struct state acc = {0}, head = {0};
	struct review_file *f;
	struct pstate ops = {0}, nps = {0};
	struct snap_meta m = {0};
	struct buf msg = BUF_INIT, result = BUF_INIT;
	struct lines ol = {0}, nl = {0};
	git_blob *ob = NULL, *nb = NULL;
	git_index *idx = NULL;
	git_index_entry e;
	git_oid aid, hid, blob_id;
	char *np = norm_path(path);
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0 ||
	    (rc = snap_review_get(s, session, &r)) < 0)
		goto out;
	if (!(f = find_file(r, np))) {
		rc = err_setc(DH_ENOTFOUND, "snapshot: nothing pending at '%s'", path);
		goto out;
	}
	const struct review_hunk *h = NULL;
	if ((rc = pending_hunk(f, path, hunk, "accept", &h)) < 0)
		goto out;
	const char *old_path = f->old_path ? f->old_path : f->path;
	if ((rc = G(git.git_oid_fromstr(&aid, r->accepted_id))) < 0 ||
	    (rc = G(git.git_oid_fromstr(&hid, r->head_id))) < 0 ||
	    (rc = state_load(s, session, &aid, &acc)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0)
		goto out;
	pstate_get(&acc, old_path, &ops);
	pstate_get(&head, f->path, &nps);
	if (!pstate_is_file(&ops) || !pstate_is_file(&nps)) {
		rc = err_set("snapshot: %s: the accepted or head version is missing", path);
		goto out;
	}
	if ((rc = blob_data(s, &ops, old_path, &ob)) < 0 ||
	    (rc = blob_data(s, &nps, f->path, &nb)) < 0)
		goto out;
	lines_split(&ol, git.git_blob_rawcontent(ob), (size_t)git.git_blob_rawsize(ob));
	lines_split(&nl, git.git_blob_rawcontent(nb), (size_t)git.git_blob_rawsize(nb));
	size_t obeg = range_begin(h->old_start, h->old_lines);
	size_t nbeg = range_begin(h->new_start, h->new_lines);
	size_t ocnt = (size_t)h->old_lines, ncnt = (size_t)h->new_lines;
	if (obeg + ocnt > ol.n || nbeg + ncnt > nl.n) {
		rc = err_set("snapshot: %s: hunk %d does not fit the file", path, hunk);
		goto out;
	}
	lines_put(&result, &ol, 0, obeg);
	lines_put(&result, &nl, nbeg, nbeg + ncnt);
	lines_put(&result, &ol, obeg + ocnt, ol.n);
	if ((rc = G(git.git_blob_create_from_buffer(&blob_id, s->repo, result.ptr ? result.ptr : "",
	                                            result.len))) < 0 ||
	    (rc = mark_begin(&acc, &idx, &m)) < 0)
		goto out;
	/* The accepted mode stays; a rename moves the blob (and its mode). */
	int perm = snap_meta_mode(&acc.meta, old_path);
	if (f->old_path) {
		if ((rc = G(git.git_index_remove(idx, f->old_path, 0))) < 0)
			goto out;
		meta_set_mode(&m, f->old_path, -1);
	}
	memset(&e, 0, sizeof e);
	e.mode = git.git_tree_entry_filemode(ops.te);
	e.id = blob_id;
	e.path = f->path;
	if ((rc = G(git.git_index_add(idx, &e))) < 0)
		goto out;
	meta_set_mode(&m, f->path, perm);
	o->npaths = 1;
	buf_printf(&msg, "accept hunk %d of ", hunk);
	for (const char *c = f->path; *c; c++)
		buf_putc(&msg, *c == '\n' ? ' ' : *c);
	buf_printf(&msg, "\n\nDeskhand-Session: %s\nDeskhand-Accepted-At: %s\n", session,
	           r->head_id);
	if ((rc = mark_commit(s, session, &acc, idx, &m, buf_cstr(&msg), o)) < 0)
		goto out;
	ARRAY_PUSH(&o->report, xasprintf("accepted hunk %d of %s", hunk, f->path));
out:
	git.git_index_free(idx);
	lines_fini(&ol);
	lines_fini(&nl);
	git.git_blob_free(ob);
	git.git_blob_free(nb);
	pstate_fini(&ops);
	pstate_fini(&nps);
	buf_fini(&result);
	buf_fini(&msg);
	snap_meta_fini(&m);
	state_fini(&acc);
	state_fini(&head);
	snap_review_free(r);
	free(np);
	return rc;
}

/*
 * Reject
 */

/* Whether `path` lies strictly below `dir`. */
static bool
is_below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	return path && !strncmp(dir, path, n) && path[n] == '/';
}

/* Add to the selection, for each selected file that a reject writes back
 * (at its accepted path: a rename's old one, or its own unless it is new),
 * the pending files at its parent directories' paths: a file or a link
 * that replaced a directory is in the way, and goes with it. */
static void
select_in_way(const struct review *r, bool *sel)
{
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < r->nfiles; i++) {
			const struct review_file *f = &r->files[i];
			const char *back = f->old_path ? f->old_path : f->old_mode ? f->path : NULL;

			for (size_t j = 0; sel[i] && back && j < r->nfiles; j++) {
				if (!sel[j] && is_below(r->files[j].path, back)) {
					sel[j] = true;
					more = true;
				}
			}
		}
	}
}

int
snap_review_reject(struct snap_store *s, const char *session, const char *const *paths, size_t n,
                   unsigned flags, const char *conflict_dir, struct review_outcome *o)
{
	struct review *r = NULL;
	struct state acc = {0}, head = {0};
	struct strv sel_paths = {0};
	struct plan p = {0};
	struct chain c = {0};
	struct buf msg = BUF_INIT;
	git_oid aid, hid;
	bool *sel = NULL;
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if (n == 0)
		return err_set("snapshot: reject needs at least one path");
	if ((rc = snap_review_get(s, session, &r)) < 0)
		return rc;
	sel = xcalloc(r->nfiles + 1, sizeof *sel);
	if ((rc = select_files(r, paths, n, sel)) < 0)
		goto out;
	select_in_way(r, sel);
	for (size_t i = 0; i < r->nfiles; i++) {
		if (!sel[i])
			continue;
		strv_add(&sel_paths, r->files[i].path);
		if (r->files[i].old_path)
			strv_add(&sel_paths, r->files[i].old_path);
	}
	strv_uniq(&sel_paths);
	if ((rc = G(git.git_oid_fromstr(&aid, r->accepted_id))) < 0 ||
	    (rc = G(git.git_oid_fromstr(&hid, r->head_id))) < 0 ||
	    (rc = state_load(s, session, &aid, &acc)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0)
		goto out;
	if ((rc = chain_load(s, session, &c)) < 0)
		goto out;
	for (size_t i = 0; i < sel_paths.n; i++)
		if ((rc = plan_add_left(&p, s, &c, sel_paths.v[i], &acc, NULL)) < 0)
			goto out;
	buf_puts(&msg, "reject");
	label_paths(&msg, &sel_paths);
	buf_printf(&msg, "\n\nDeskhand-Session: %s\n", session);
	rc = plan_run(s, session, &p, flags, conflict_dir, buf_cstr(&msg), o);
out:
	plan_fini(&p);
	chain_fini(&c);
	buf_fini(&msg);
	strv_free(&sel_paths);
	state_fini(&acc);
	state_fini(&head);
	free(sel);
	snap_review_free(r);
	return rc;
}

/*
 * Reject one hunk
 */

static bool
lines_equal_at(const struct lines *hay, size_t at, const struct lines *nd, size_t from, size_t n)
{
	if (at + n > hay->n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hay->v[at + i].len != nd->v[from + i].len ||
		    memcmp(hay->v[at + i].p, nd->v[from + i].p, nd->v[from + i].len))
			return false;
	return true;
}

/* `target` with new-side lines [nb, nb+nn) of `nw` (found at `at` in target)
 * replaced by old-side lines [ob, ob+on) of `old`. */
static void
revert_at(struct buf *out, const struct lines *target, size_t at, size_t nn,
          const struct lines *old, size_t ob, size_t on)
{
	lines_put(out, target, 0, at);
	lines_put(out, old, ob, ob + on);
	lines_put(out, target, at + nn, target->n);
}

/* Whether what changed from blob `from` to blob `to` touches lines [beg,
 * beg + n) of `to` (0-based): 1 or 0, or <0 on error. A deletion touches the
 * lines on both sides of where it was. */
static int
blob_change_touches(git_blob *from, git_blob *to, size_t beg, size_t n)
{
	git_patch *patch = NULL;
	git_diff_options opts;
	int rc, hit = 0;

	git.git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	if ((rc = G(git.git_patch_from_blobs(&patch, from, NULL, to, NULL, &opts))) < 0)
		return rc;
	for (size_t i = 0; i < git.git_patch_num_hunks(patch) && !hit; i++) {
		const git_diff_hunk *h;
		size_t lines;

		if ((rc = G(git.git_patch_get_hunk(&h, &lines, patch, i))) < 0)
			break;
		size_t b = h->new_start > 0 ? (size_t)h->new_start - 1 : 0;
		size_t e = h->new_lines ? b + (size_t)h->new_lines : (size_t)h->new_start + 1;
		hit = b < beg + n && beg < e;
	}
	git.git_patch_free(patch);
	return rc < 0 ? rc : hit;
}

/* A buffer's bytes, never NULL (an empty buffer's too), for a const one. */
static const char *
text_of(const struct buf *b)
{
	return b->ptr ? b->ptr : "";
}

/* A change between two texts: lines [ob, ob + on) of the old one replaced
 * by [nb, nb + nn) of the new one (0-based; an empty range is where it would
 * be, as range_begin() places it). */
struct span {
	size_t ob, on, nb, nn;
};

/* Whether two line ranges of one text meet: they overlap, or one is empty and
 * lies next to a line of the other (an insertion or deletion touches the
 * lines on both sides of it). */
static bool
spans_meet(size_t b1, size_t n1, size_t b2, size_t n2)
{
	if (!n1) {
		b1 = b1 ? b1 - 1 : 0;
		n1 = 2;
	}
	if (!n2) {
		b2 = b2 ? b2 - 1 : 0;
		n2 = 2;
	}
	return b1 < b2 + n2 && b2 < b1 + n1;
}

/* The changes from text `a` to text `b`, in order, with no context: *out
 * (heap, the caller frees it) holds *n. Returns 0 or <0. */
static int
text_spans(const struct buf *a, const struct buf *b, struct span **out, size_t *n)
{
	git_patch *patch = NULL;
	git_diff_options opts;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	git.git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if ((rc = G(git.git_patch_from_buffers(&patch, text_of(a), a->len, NULL, text_of(b),
	                                       b->len, NULL, &opts))) < 0)
		return rc;
	for (size_t i = 0; i < git.git_patch_num_hunks(patch); i++) {
		const git_diff_hunk *h;
		size_t lines;

		if ((rc = G(git.git_patch_get_hunk(&h, &lines, patch, i))) < 0)
			break;
		ARRAY_GROW(*out, *n, cap, 1);
		(*out)[(*n)++] = (struct span){
			.ob = range_begin(h->old_start, h->old_lines),
			.on = (size_t)h->old_lines,
			.nb = range_begin(h->new_start, h->new_lines),
			.nn = (size_t)h->new_lines,
		};
	}
	git.git_patch_free(patch);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* git_merge_file() of three texts into *out: 1 clean, 0 with conflicts
 * (resolved with `theirs`' side), <0 error. */
static int
merge_texts(const struct buf *anc, const struct buf *ours, const struct buf *theirs,
            struct buf *out)
{
	git_merge_file_input in[3] = {{.version = GIT_MERGE_FILE_INPUT_VERSION},
	                              {.version = GIT_MERGE_FILE_INPUT_VERSION},
	                              {.version = GIT_MERGE_FILE_INPUT_VERSION}};
	const struct buf *from[3] = {anc, ours, theirs};
	git_merge_file_options mo = {.version = GIT_MERGE_FILE_OPTIONS_VERSION};
	git_merge_file_result res = {0};
	int rc;

	for (int i = 0; i < 3; i++) {
		in[i].ptr = text_of(from[i]);
		in[i].size = from[i]->len;
		in[i].mode = GIT_FILEMODE_BLOB;
	}
	if ((rc = G(git.git_merge_file(&res, &in[0], &in[1], &in[2], &mo))) < 0)
		return rc;
	int clean = res.automergeable ? 1 : 0;
	if (!clean) {
		git.git_merge_file_result_free(&res);
		memset(&res, 0, sizeof res);
		mo.favor = GIT_MERGE_FILE_FAVOR_THEIRS;
		if ((rc = G(git.git_merge_file(&res, &in[0], &in[1], &in[2], &mo))) < 0)
			return rc;
	}
	buf_clear(out);
	buf_add(out, res.ptr ? res.ptr : "", res.len);
	git.git_merge_file_result_free(&res);
	return clean;
}

/* The agent's changes in a hunk, taken out of the person's version: `acc` the
 * accepted text, `was` what the agent left before the person's edit, `cur`
 * the folder's; [obeg, obeg + ocnt) the hunk's lines in `acc`. *out: `cur`
 * less the agent's changes (acc -> was) that meet the hunk, by a three-way
 * merge (ancestor `was`, ours `cur`, theirs `was` with those changes
 * reverted), the agent's side taken where the two collide. Returns 1 clean, 0
 * with collisions, 2 when the hunk holds no change of the agent's (nothing to
 * take out: *out untouched), <0 error. */
static int
hunk_take_out(const struct buf *acc, const struct buf *was, const struct buf *cur, size_t obeg,
              size_t ocnt, struct buf *out)
{
	struct lines al = {0}, wl = {0};
	struct buf theirs = BUF_INIT;
	struct span *v = NULL;
	size_t n = 0, at = 0;
	bool any = false;
	int rc;

	if ((rc = text_spans(acc, was, &v, &n)) < 0)
		return rc;
	lines_split(&al, text_of(acc), acc->len);
	lines_split(&wl, text_of(was), was->len);
	for (size_t i = 0; i < n; i++) {
		if (!spans_meet(v[i].ob, v[i].on, obeg, ocnt))
			continue;
		lines_put(&theirs, &wl, at, v[i].nb);
		lines_put(&theirs, &al, v[i].ob, v[i].ob + v[i].on);
		at = v[i].nb + v[i].nn;
		any = true;
	}
	lines_put(&theirs, &wl, at, wl.n);
	rc = any ? merge_texts(was, cur, &theirs, out) : 2;
	buf_fini(&theirs);
	lines_fini(&al);
	lines_fini(&wl);
	free(v);
	return rc;
}

/* Notes (review_outcome.notes) on what writing `res` over the folder's `cur`
 * takes of the person's edit `was` -> `cur`: each change of cur -> res that
 * meets one of theirs, as diff lines (at most a screenful), then where the
 * person's version is kept: checkpoint `held` when it holds `cur` (NULL: no
 * checkpoint does). Nothing when none is lost. Returns 0 or <0. */
static int
notes_overwritten(const struct buf *was, const struct buf *cur, const struct buf *res,
                  const char *path, int hunk, const char *held, struct strv *notes)
{
	enum { MAX_LINES = 20 };
	struct span *mine = NULL, *gone = NULL;
	size_t nmine = 0, ngone = 0, shown = 0, more = 0;
	struct lines cl = {0}, rl = {0};
	struct strv lines = {0};
	int rc;

	if ((rc = text_spans(was, cur, &mine, &nmine)) < 0 ||
	    (rc = text_spans(cur, res, &gone, &ngone)) < 0)
		goto out;
	lines_split(&cl, text_of(cur), cur->len);
	lines_split(&rl, text_of(res), res->len);
	for (size_t i = 0; i < ngone; i++) {
		const struct span *g = &gone[i];
		bool hit = false;

		for (size_t k = 0; k < nmine && !hit; k++)
			hit = spans_meet(g->ob, g->on, mine[k].nb, mine[k].nn);
		if (!hit)
			continue;
		for (size_t side = 0; side < 2; side++) {
			const struct lines *l = side ? &rl : &cl;
			size_t b = side ? g->nb : g->ob, e = b + (side ? g->nn : g->on);

			for (size_t j = b; j < e && j < l->n; j++) {
				size_t len = l->v[j].len;

				if (len && l->v[j].p[len - 1] == '\n')
					len--;
				if (shown++ < MAX_LINES) {
					char *s = xasprintf("  %c%.*s", side ? '+' : '-', (int)len,
					                    l->v[j].p);
					strv_add(&lines, s);
					free(s);
				} else {
					more++;
				}
			}
		}
	}
	if (!shown)
		goto out;
	char *s = xasprintf("%s: hunk %d was rejected over your edit, which it touches; "
	                    "these lines of your version were overwritten:",
	                    path, hunk);
	strv_add(notes, s);
	free(s);
	for (size_t i = 0; i < lines.n; i++)
		strv_add(notes, lines.v[i]);
	if (more) {
		s = xasprintf("  ... %zu more line%s", more, more == 1 ? "" : "s");
		strv_add(notes, s);
		free(s);
	}
	/* Restoring it needs --force: the file no longer holds what the
	 * agent left, the check every restore makes. */
	s = held ? xasprintf("%s: your version is in checkpoint %.12s: 'deskhand restore "
	                     "--force %.12s' puts the folder back as it was before this",
	                     path, held, held)
	         : xasprintf("%s: your version was in no checkpoint", path);
	strv_add(notes, s);
	free(s);
out:
	strv_free(&lines);
	lines_fini(&cl);
	lines_fini(&rl);
	free(mine);
	free(gone);
	return rc;
}

int
snap_review_reject_hunk(struct snap_store *s, const char *session, const char *path, int hunk,
                        unsigned flags, const char *conflict_dir, struct review_outcome *o)
{
	struct review *r = NULL;
	struct state acc = {0}, head = {0};
	struct review_file *f = NULL;
	struct plan p = {0};
	struct chain ch = {0};
	struct dmodes dm = {0};
	struct snap_intent in = {0};
	struct buf msg = BUF_INIT, result = BUF_INIT, cur = BUF_INIT;
	struct buf was_text = BUF_INIT, acc_text = BUF_INIT;
	struct lines ol = {0}, nl = {0}, cl = {0};
	git_blob *ob = NULL, *nb = NULL, *wb = NULL;
	git_oid aid, hid, blob_id;
	char *np = norm_path(path);
	int rc, root = -1;

	if ((rc = snap_open_folder(s, NULL)) < 0 ||
	    (rc = snap_review_get(s, session, &r)) < 0)
		goto out;
	for (size_t i = 0; i < r->nfiles && !f; i++)
		if (same_path(r->files[i].path, np))
			f = &r->files[i];
	if (!f) {
		rc = err_setc(DH_ENOTFOUND, "snapshot: nothing pending at '%s'", path);
		goto out;
	}
	const struct review_hunk *h = NULL;
	if ((rc = pending_hunk(f, path, hunk, "reject", &h)) < 0)
		goto out;
	if ((rc = G(git.git_oid_fromstr(&aid, r->accepted_id))) < 0 ||
	    (rc = G(git.git_oid_fromstr(&hid, r->head_id))) < 0 ||
	    (rc = state_load(s, session, &aid, &acc)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0)
		goto out;
	struct item *it = plan_add(&p, np);
	pstate_get(&acc, f->old_path ? f->old_path : np, &it->base);
	pstate_get(&head, np, &it->expect);
	it->src = &head;
	if ((rc = blob_data(s, &it->base, f->old_path ? f->old_path : np, &ob)) < 0 ||
	    (rc = blob_data(s, &it->expect, np, &nb)) < 0)
		goto out;
	lines_split(&ol, git.git_blob_rawcontent(ob), (size_t)git.git_blob_rawsize(ob));
	lines_split(&nl, git.git_blob_rawcontent(nb), (size_t)git.git_blob_rawsize(nb));
	size_t obeg = range_begin(h->old_start, h->old_lines);
	size_t nbeg = range_begin(h->new_start, h->new_lines);
	size_t ocnt = (size_t)h->old_lines, ncnt = (size_t)h->new_lines;

	/* The hunk is the review's, in the head's version. A person's edit that
	 * a checkpoint recorded since deskhand last left the file (external
	 * changes) is in the way where it touches the hunk: the hunk then holds
	 * the person's lines, or is the person's own (under a number read before
	 * the edit renumbered the hunks), and would be reverted. The folder must
	 * then hold what deskhand left, as for reject: a conflict. An edit
	 * elsewhere in the file stays, as every other hunk does. */
	if ((rc = chain_load(s, session, &ch)) < 0)
		goto out;
	size_t left = chain_left_at(s, &ch, np);
	if (left == (size_t)-1) {
		rc = DH_EFAIL;
		goto out;
	}
	struct pstate was;
	pstate_get(&ch.v[left].st, np, &was);
	int in_way = !pstate_same(&was, &it->expect);
	if (in_way && pstate_is_file(&was) && pstate_is_file(&it->expect)) {
		git_blob *lb = NULL;

		if ((rc = blob_data(s, &was, np, &lb)) >= 0)
			in_way = blob_change_touches(lb, nb, ncnt ? nbeg : nbeg ? nbeg - 1 : 0,
			                             ncnt ? ncnt : 2);
		git.git_blob_free(lb);
		if (rc >= 0 && in_way < 0)
			rc = in_way;
		if (rc < 0) {
			pstate_fini(&was);
			goto out;
		}
	}
	if (in_way) {
		pstate_fini(&it->expect);
		it->expect = was;
	} else {
		pstate_fini(&was);
	}

	/* As reject does: the folder and the directories in the way are opened
	 * up before the file is looked at (a dry run opens nothing: see
	 * plan_check), and put back at the end whatever happens. */
	bool dry = flags & REVIEW_F_DRY_RUN;
	buf_printf(&msg, "reject hunk %d of ", hunk);
	for (const char *c = np; *c; c++)
		buf_putc(&msg, *c == '\n' ? ' ' : *c);
	buf_printf(&msg, "\n\nDeskhand-Session: %s\nDeskhand-Hunk: %d\n", session, hunk);
	if (!dry && (rc = plan_intent(s, session, &p, buf_cstr(&msg), &in)) < 0)
		goto out;
	if ((root = root_open(s, dry, &dm)) < 0) {
		rc = root;
		goto out;
	}
	if (!dry) {
		plan_open(root, &p, &dm);
		if ((rc = intent_note_opened(s, session, &in, &dm)) < 0)
			goto out;
	}
	/* What is written: the agent's version with the hunk reverted. Set
	 * before the check, so that any folder state but the head's (a file
	 * deleted since, too) is a conflict, as for reject. */
	revert_at(&result, &nl, nbeg, ncnt, &ol, obeg, ocnt);
	if ((rc = G(git.git_blob_create_from_buffer(&blob_id, s->repo, result.ptr ? result.ptr : "",
	                                            result.len))) < 0)
		goto out;
	it->write_blob = &blob_id;
	bool same = (dry && folder_shut(root, np)) || item_matches(root, &dm, np, &it->expect);
	if (!same && !(flags & REVIEW_F_FORCE)) {
		o->npaths = 1;
		rc = plan_check(s, root, &p, &dm, dry, false, conflict_dir, o);
		goto out;
	}
	if (dry) {
		o->npaths = 1;
		goto out;
	}
	/* Forced over a changed file. Over the person's edit that touches the
	 * hunk: the agent's changes in the hunk are taken out of their version,
	 * their lines kept where the two do not collide. Else (the hunk holds
	 * no change of the agent's: it is the person's own) revert the hunk
	 * where its lines are now, if they are there exactly once; else (a
	 * missing file too) in the agent's version, as above. */
	struct stat st;
	size_t at = 0, hits = 0;
	int took = 2; /* hunk_take_out(): 2 not tried */
	bool have_cur = !same && folder_read(root, np, &st, &cur) == 1 && S_ISREG(st.st_mode);
	if (have_cur && pstate_is_file(&it->expect)) {
		if ((rc = blob_data(s, &it->expect, np, &wb)) < 0)
			goto out;
		buf_add(&was_text, git.git_blob_rawcontent(wb), (size_t)git.git_blob_rawsize(wb));
		buf_add(&acc_text, git.git_blob_rawcontent(ob), (size_t)git.git_blob_rawsize(ob));
	}
	if (have_cur && in_way && wb &&
	    (took = hunk_take_out(&acc_text, &was_text, &cur, obeg, ocnt, &result)) < 0) {
		rc = took;
		goto out;
	}
	if (have_cur && took == 2) {
		lines_split(&cl, buf_cstr(&cur), cur.len);
		for (size_t i = 0; ncnt && i + ncnt <= cl.n; i++) {
			if (lines_equal_at(&cl, i, &nl, nbeg, ncnt)) {
				hits++;
				at = i;
			}
		}
	}
	if (hits == 1) {
		buf_clear(&result);
		revert_at(&result, &cl, at, ncnt, &ol, obeg, ocnt);
	}
	if ((rc = G(git.git_blob_create_from_buffer(&blob_id, s->repo, buf_cstr(&result),
	                                            result.len))) < 0)
		goto out;
	/* Say what of the person's it wrote over, and which checkpoint has it
	 * (the head, when it recorded the folder's file); or that it kept it. */
	if (have_cur && wb) {
		bool held = cur.len == (size_t)git.git_blob_rawsize(nb) &&
		            !memcmp(buf_cstr(&cur), git.git_blob_rawcontent(nb), cur.len);
		size_t before = o->notes.n;

		if ((rc = notes_overwritten(&was_text, &cur, &result, np, hunk,
		                            held ? r->head_id : NULL, &o->notes)) < 0)
			goto out;
		if (took == 1 && o->notes.n == before) {
			char *t = xasprintf("%s: hunk %d: only the agent's lines were reverted; "
			                    "your edit next to them stays",
			                    np, hunk);
			strv_add(&o->notes, t);
			free(t);
		}
	}
	rc = plan_run_opened(s, session, &p, flags | REVIEW_F_FORCE, conflict_dir, buf_cstr(&msg),
	                     &dm, &in, o);
	if (rc < 0) /* nothing of theirs was written over after all */
		strv_free(&o->notes);
out:
	if (root >= 0) {
		int rc2 = dmodes_apply(root, &dm, NULL, &o->report);

		if (rc >= 0)
			rc = rc2;
		close(root);
	}
	/* not handed to plan_run_opened: nothing was written (in is empty after it) */
	snap_intent_end(s, session, &in);
	dmodes_fini(&dm);
	lines_fini(&ol);
	lines_fini(&nl);
	lines_fini(&cl);
	git.git_blob_free(ob);
	git.git_blob_free(nb);
	git.git_blob_free(wb);
	buf_fini(&was_text);
	buf_fini(&acc_text);
	buf_fini(&cur);
	buf_fini(&result);
	buf_fini(&msg);
	plan_fini(&p);
	chain_fini(&ch);
	state_fini(&acc);
	state_fini(&head);
	snap_review_free(r);
	free(np);
	return rc;
}

/*
 * Undo of agent steps, redo
 */

void
snap_review_steps_free(struct review_step *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		review_model_step_fini(&v[i]);
	free(v);
}

int
snap_review_steps(struct snap_store *s, const char *session, struct review_step **out, size_t *n)
{
	struct chain c;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = chain_load(s, session, &c)) < 0)
		goto out;
	for (size_t i = 0; i < c.n; i++) {
		if (!chain_is_step(&c, i))
			continue;
		ARRAY_GROW(*out, *n, cap, 1);
		memset(&(*out)[*n], 0, sizeof **out);
		step_fill(&(*out)[(*n)++], &c.v[i]);
	}
	/* The steps below a checkpoint that cannot be read are out of reach:
	 * "no step to undo" would hide them. */
	if (!*n && c.cut)
		rc = err_set("no agent step to undo since a checkpoint that cannot be read: %s",
		             c.cut);
out:
	chain_fini(&c);
	return rc;
}

int
snap_review_step_in_head(struct snap_store *s, const char *session, const char *id,
                         const char *const *newer, size_t nnewer)
{
	struct chain c;
	struct strv paths = {0};
	git_oid want;
	size_t i;
	int rc;

	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = G(git.git_oid_fromstr(&want, id))) < 0)
		return rc;
	if ((rc = chain_load(s, session, &c)) < 0)
		return rc;
	for (i = 0; i < c.n && !git.git_oid_equal(&c.v[i].id, &want); i++)
		;
	if (i == c.n || !chain_is_step(&c, i)) {
		rc = err_setc(DH_ENOTFOUND, "snapshot: '%.12s' is not an agent step to undo", id);
		goto out;
	}
	struct state *before = chain_state(s, &c, i + 1), *after = chain_state(s, &c, i);
	struct state *head = chain_state(s, &c, 0);

	if (!before || !after || !head || touched(s, before, after, &paths) < 0) {
		rc = DH_EFAIL;
		goto out;
	}
	rc = 0;
	for (size_t k = 0; k < paths.n && !rc; k++) {
		struct pstate was, now;

		pstate_get(before, paths.v[k], &was);
		pstate_get(head, paths.v[k], &now);
		rc = !pstate_same(&was, &now);
		pstate_fini(&was);
		pstate_fini(&now);
	}
	/* Back as before it, but by a newer step undone with it (a file made,
	 * then deleted): undoing that one alone would bring the step back. */
	for (size_t j = 0; j < i && !rc; j++) {
		char hex[41];
		bool chosen = false;

		git.git_oid_tostr(hex, sizeof hex, &c.v[j].id);
		for (size_t k = 0; k < nnewer && !chosen; k++)
			chosen = !strcmp(newer[k], hex);
		if (!chosen)
			continue;
		const struct strv *ch = link_changed(s, &c, j);
		if (!ch) {
			rc = DH_EFAIL;
			goto out;
		}
		for (size_t k = 0; k < paths.n && !rc; k++)
			rc = strv_has(ch, paths.v[k]);
	}
out:
	strv_free(&paths);
	chain_fini(&c);
	return rc;
}

/* A redo entry, as stored in its commit. */
struct redo_entry {
	git_oid target; /* state to redo to */
	git_oid next;   /* the next entry */
	bool has_next;
	char head[41]; /* valid while the session head is this */
	char op[64];
	char what[80];     /* a restore's label ("restore 3f2a9c1b2c3d"); "" for an undo */
	struct strv steps; /* the agent steps an undo reverted */
};

static void
redo_entry_fini(struct redo_entry *e)
{
	strv_free(&e->steps);
}

/* Read the entry commit `id`: 1, 0 when it is none (no parent), <0 error. */
static int
redo_entry_load(struct snap_store *s, const git_oid *id, struct redo_entry *e)
{
	git_commit *c = NULL;
	git_message_trailer_array tr = {0};
	int rc;

	memset(e, 0, sizeof *e);
	if ((rc = G(git.git_commit_lookup(&c, s->repo, id))) < 0)
		return rc;
	if (git.git_commit_parentcount(c) < 1) {
		git.git_commit_free(c);
		return 0;
	}
	e->target = *git.git_commit_parent_id(c, 0);
	if (git.git_commit_parentcount(c) > 1) {
		e->next = *git.git_commit_parent_id(c, 1);
		e->has_next = true;
	}
	if (git.git_message_trailers(&tr, git.git_commit_message(c)) == 0) {
		for (size_t i = 0; i < tr.count; i++) {
			const char *k = tr.trailers[i].key, *v = tr.trailers[i].value;

			if (!strcmp(k, "Deskhand-Redo-Head"))
				snprintf(e->head, sizeof e->head, "%s", v);
			else if (!strcmp(k, "Deskhand-Redo-Op"))
				snprintf(e->op, sizeof e->op, "%s", v);
			else if (!strcmp(k, "Deskhand-Redo-What"))
				snprintf(e->what, sizeof e->what, "%s", v);
			else if (!strcmp(k, "Deskhand-Redo-Step"))
				strv_add(&e->steps, v);
		}
		git.git_message_trailer_array_free(&tr);
	}
	git.git_commit_free(c);
	return 1;
}

/* Read the top entry: 1 found, 0 none, <0 error. */
static int
redo_read(struct snap_store *s, const char *session, struct redo_entry *e)
{
	git_oid id;
	bool found;
	int rc;

	memset(e, 0, sizeof *e);
	if ((rc = ref_get(s, session, "redo", &id, &found)) < 0 || !found)
		return rc;
	return redo_entry_load(s, &id, e);
}

/* Write an entry commit (tree: the target's) and point the redo ref at it. */
static int
redo_write(struct snap_store *s, const char *session, const git_oid *target, const git_oid *next,
           const char *head, const char *op, const char *what, const struct strv *steps)
{
	git_commit *tc = NULL, *nc = NULL;
	git_tree *tree = NULL;
	struct buf msg = BUF_INIT;
	git_oid id;
	int rc;

	buf_printf(&msg,
	           "redo entry\n\nDeskhand-Session: %s\nDeskhand-Redo-Head: %s\n"
	           "Deskhand-Redo-Op: %s\n",
	           session, head, op);
	if (what && *what)
		buf_printf(&msg, "Deskhand-Redo-What: %s\n", what);
	for (size_t i = 0; i < steps->n; i++)
		buf_printf(&msg, "Deskhand-Redo-Step: %s\n", steps->v[i]);
	if ((rc = G(git.git_commit_lookup(&tc, s->repo, target))) < 0 ||
	    (rc = G(git.git_commit_tree(&tree, tc))) < 0 ||
	    (next && (rc = G(git.git_commit_lookup(&nc, s->repo, next))) < 0))
		goto out;
	const git_commit *parents[2] = {tc, nc};
	if ((rc = commit_with_note(s, buf_cstr(&msg), tree, parents, nc ? 2 : 1, NULL, &id)) < 0)
		goto out;
	rc = set_ref(s, session, "redo", &id, "deskhand: redo entry");
out:
	buf_fini(&msg);
	git.git_tree_free(tree);
	git.git_commit_free(tc);
	git.git_commit_free(nc);
	return rc;
}

/* After an undo or a restore that moved the head from `before` to checkpoint
 * `made`: push the entry that takes the folder back to `before` (`op` as
 * snap_review_undo() takes it; `what` and `steps` say what it reverted). The
 * entries below stay only if the top one was valid at `before`. */
static int
redo_push(struct snap_store *s, const char *session, const git_oid *before, const char *made,
          const char *op, const char *what, const struct strv *steps)
{
	struct redo_entry re;
	char hex[41], opbuf[32];
	git_oid top;
	bool have_top = false;
	int rc;

	git.git_oid_tostr(hex, sizeof hex, before);
	if ((rc = redo_read(s, session, &re)) < 0)
		return rc;
	bool chain_on = rc == 1 && !strcmp(re.head, hex);
	redo_entry_fini(&re);
	if (chain_on && (rc = ref_get(s, session, "redo", &top, &have_top)) < 0)
		return rc;
	if (!op) {
		review_set_new_op(opbuf);
		op = opbuf;
	}
	return redo_write(s, session, before, have_top ? &top : NULL, made, op, what, steps);
}

int
snap_review_undo(struct snap_store *s, const char *session, const char *const *ids, size_t n,
                 const char *op, unsigned flags, const char *conflict_dir, struct review_outcome *o)
{
	struct chain c = {0};
	struct plan p = {0};
	struct strv all = {0}, *tp = NULL, undone = {0};
	struct buf msg = BUF_INIT;
	size_t *pos = NULL;
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if (n == 0)
		return err_set("snapshot: no step to undo");
	if ((rc = chain_load(s, session, &c)) < 0)
		goto out;
	pos = xcalloc(n, sizeof *pos);
	tp = xcalloc(n, sizeof *tp);
	/* Each id must be an undoable step; pos[k] is its chain position. */
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(ids[k]), i;

		for (i = 0; i < c.n; i++) {
			char hex[41];

			git.git_oid_tostr(hex, sizeof hex, &c.v[i].id);
			if (len >= 4 && !strncmp(hex, ids[k], len))
				break;
		}
		if (i == c.n || !chain_is_step(&c, i)) {
			rc = err_setc(DH_ENOTFOUND, "snapshot: '%s' is not an agent step to undo",
			              ids[k]);
			goto out;
		}
		pos[k] = i;
		struct state *a = chain_state(s, &c, i + 1), *b = chain_state(s, &c, i);
		if (!a || !b) {
			rc = DH_EFAIL;
			goto out;
		}
		if ((rc = touched(s, a, b, &tp[k])) < 0)
			goto out;
		for (size_t j = 0; j < tp[k].n; j++)
			strv_add(&all, tp[k].v[j]);
	}
	strv_uniq(&all);
	/* Per path: restore the state before the oldest step that touched it;
	 * the folder must still hold what the newest one left. */
	for (size_t j = 0; j < all.n; j++) {
		size_t oldest = 0, newest = (size_t)-1;

		for (size_t k = 0; k < n; k++) {
			if (!strv_has(&tp[k], all.v[j]))
				continue;
			if (pos[k] >= oldest)
				oldest = pos[k];
			if (newest == (size_t)-1 || pos[k] < newest)
				newest = pos[k];
		}
		size_t at = chain_step_left_at(s, &c, newest, all.v[j]);

		if (at == (size_t)-1) {
			rc = DH_EFAIL;
			goto out;
		}
		plan_add_from(&p, all.v[j], &c.v[oldest + 1].st, &c.v[at].st, NULL);
	}
	buf_printf(&msg, "undo %zu step%s:", n, n == 1 ? "" : "s");
	for (size_t k = 0; k < n; k++)
		buf_printf(&msg, " %.12s", git.git_oid_tostr_s(&c.v[pos[k]].id));
	buf_printf(&msg, "\n\nDeskhand-Session: %s\n", session);
	for (size_t k = 0; k < n; k++) {
		char hex[41];

		git.git_oid_tostr(hex, sizeof hex, &c.v[pos[k]].id);
		buf_printf(&msg, "Deskhand-Undo: %s\n", hex);
		strv_add(&undone, hex);
	}
	if ((rc = plan_run(s, session, &p, flags, conflict_dir, buf_cstr(&msg), o)) < 0 ||
	    (flags & REVIEW_F_DRY_RUN) || !o->ck.created)
		goto out;
	rc = redo_push(s, session, &c.v[0].id, o->ck.id, op, NULL, &undone);
out:
	for (size_t k = 0; tp && k < n; k++)
		strv_free(&tp[k]);
	free(tp);
	free(pos);
	strv_free(&all);
	strv_free(&undone);
	buf_fini(&msg);
	plan_fini(&p);
	chain_fini(&c);
	return rc;
}

int
snap_review_can_redo(struct snap_store *s, const char *session, char op[64])
{
	struct redo_entry e;
	git_oid head;
	char hex[41];
	int rc;

	if (op)
		op[0] = '\0';
	if (snap_open_repo(s) < 0)
		return DH_EFAIL;
	if ((rc = head_id(s, session, &head)) < 0 || (rc = redo_read(s, session, &e)) <= 0)
		return rc;
	git.git_oid_tostr(hex, sizeof hex, &head);
	rc = strcmp(e.head, hex) ? 2 : 1;
	if (rc == 1 && op)
		snprintf(op, 64, "%s", e.op);
	redo_entry_fini(&e);
	return rc;
}

int
snap_review_redo(struct snap_store *s, const char *session, unsigned flags,
                 const char *conflict_dir, struct review_outcome *o)
{
	struct redo_entry e = {0}, next = {0};
	struct state target = {0}, head = {0};
	struct strv paths = {0};
	struct plan p = {0};
	struct chain c = {0};
	struct buf msg = BUF_INIT;
	git_oid hid;
	char hex[41];
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if ((rc = head_id(s, session, &hid)) < 0 || (rc = redo_read(s, session, &e)) < 0)
		goto out;
	git.git_oid_tostr(hex, sizeof hex, &hid);
	if (rc == 0 || strcmp(e.head, hex)) {
		rc = err_setc(DH_ENOTFOUND, "snapshot: nothing to redo in session %s%s", session,
		              rc ? " (changes were made after the undo)" : "");
		goto out;
	}
	if ((rc = state_load(s, session, &e.target, &target)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0 ||
	    (rc = touched(s, &head, &target, &paths)) < 0)
		goto out;
	if ((rc = chain_load(s, session, &c)) < 0)
		goto out;
	for (size_t i = 0; i < paths.n; i++)
		if ((rc = plan_add_left(&p, s, &c, paths.v[i], &target, NULL)) < 0)
			goto out;
	snprintf(o->taken_back, sizeof o->taken_back, "%s", e.what);
	if (e.what[0]) /* a restore's: the folder goes back to where it started */
		buf_printf(&msg, "redo (taking back %s)", e.what);
	else
		buf_printf(&msg, "redo %zu step%s:", e.steps.n, e.steps.n == 1 ? "" : "s");
	for (size_t i = 0; i < e.steps.n; i++)
		buf_printf(&msg, " %.12s", e.steps.v[i]);
	buf_printf(&msg, "\n\nDeskhand-Session: %s\n", session);
	for (size_t i = 0; i < e.steps.n; i++)
		buf_printf(&msg, "Deskhand-Redo: %s\n", e.steps.v[i]);
	if ((rc = plan_run(s, session, &p, flags, conflict_dir, buf_cstr(&msg), o)) < 0 ||
	    (flags & REVIEW_F_DRY_RUN))
		goto out;
	/* Pop: the next entry stays valid at the new head. */
	if (!e.has_next) {
		rc = set_ref(s, session, "redo", NULL, NULL);
		goto out;
	}
	if ((rc = redo_entry_load(s, &e.next, &next)) <= 0) {
		if (rc == 0) /* not an entry: the stack ends here */
			rc = set_ref(s, session, "redo", NULL, NULL);
		goto out;
	}
	rc = redo_write(s, session, &next.target, next.has_next ? &next.next : NULL, o->ck.id,
	                next.op, next.what, &next.steps);
out:
	redo_entry_fini(&e);
	redo_entry_fini(&next);
	strv_free(&paths);
	plan_fini(&p);
	chain_fini(&c);
	buf_fini(&msg);
	state_fini(&target);
	state_fini(&head);
	return rc;
}

/*
 * Restore
 */

int
snap_review_restore(struct snap_store *s, const char *session, const char *spec, const char *op,
                    unsigned flags, const char *conflict_dir, struct review_outcome *o)
{
	struct state target = {0}, head = {0};
	struct strv paths = {0};
	struct plan p = {0};
	struct chain c = {0};
	struct buf msg = BUF_INIT;
	git_oid tid, hid;
	char hex[41];
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if (spec && !strcmp(spec, "accepted")) {
		if ((rc = accepted_id(s, session, &tid)) < 0)
			return rc;
	} else if ((rc = snap_resolve(s, session, spec, hex)) < 0 ||
	           (rc = G(git.git_oid_fromstr(&tid, hex))) < 0) {
		return rc;
	}
	if ((rc = head_id(s, session, &hid)) < 0 ||
	    (rc = state_load(s, session, &tid, &target)) < 0 ||
	    (rc = state_load(s, session, &hid, &head)) < 0 ||
	    (rc = touched(s, &head, &target, &paths)) < 0)
		goto out;
	if ((rc = chain_load(s, session, &c)) < 0)
		goto out;
	for (size_t i = 0; i < paths.n; i++)
		if ((rc = plan_add_left(&p, s, &c, paths.v[i], &target, NULL)) < 0)
			goto out;
	char what[40];
	snprintf(what, sizeof what, "restore %.12s%s", git.git_oid_tostr_s(&tid),
	         spec && !strcmp(spec, "accepted") ? " (accepted)" : "");
	buf_printf(&msg, "%s\n\nDeskhand-Session: %s\n", what, session);
	if ((rc = plan_run(s, session, &p, flags, conflict_dir, buf_cstr(&msg), o)) < 0 ||
	    (flags & REVIEW_F_DRY_RUN) || !o->ck.created)
		goto out;
	/* Redo takes the restore back, as it does an undo's steps. */
	const struct strv none = {0};
	rc = redo_push(s, session, &hid, o->ck.id, op, what, &none);
out:
	strv_free(&paths);
	plan_fini(&p);
	chain_fini(&c);
	buf_fini(&msg);
	state_fini(&target);
	state_fini(&head);
	return rc;
}

int
snap_review_mark_set(struct snap_store *s, const char *session, const char *id,
                     struct review_outcome *o)
{
	git_oid want, cur, base;
	bool found;
	git_commit *c = NULL;
	int rc;

	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	if (git.git_oid_fromstrp(&want, id) < 0 || git.git_commit_lookup(&c, s->repo, &want) < 0) {
		git.git_commit_free(c);
		return err_setc(DH_ENOTFOUND, "no accepted mark %s in this folder", id);
	}
	git.git_commit_free(c);
	if ((rc = accepted_id(s, session, &cur)) < 0 ||
	    (rc = ref_get(s, session, "baseline", &base, &found)) < 0)
		return rc;
	/* Only along this session's line of marks: back to an earlier mark
	 * (or the baseline), or forward again to a later one. */
	if (!git.git_oid_equal(&want, &cur) && !(found && git.git_oid_equal(&want, &base)) &&
	    git.git_graph_descendant_of(s->repo, &cur, &want) != 1 &&
	    git.git_graph_descendant_of(s->repo, &want, &cur) != 1)
		return err_setc(DH_ENOTFOUND, "%.12s is not an accepted mark of session %s", id,
		                session);
	if ((rc = set_ref(s, session, "accepted", &want, "deskhand: accepted mark moved")) < 0)
		return rc;
	git.git_oid_tostr(o->ck.id, sizeof o->ck.id, &want);
	memcpy(o->ck.short_id, o->ck.id, 12);
	return 0;
}

/*
 * Recovery
 */

#define RECOVER_PROTECTED(path, dir) path,
/* The protected paths (protected_paths.h) that a live run_command reports
 * when it makes one at the folder's root, and the agent takes back. */
static const char *const recover_protected[] = { SANDBOX_PROTECTED_PATHS(RECOVER_PROTECTED) };
#define NRECOVER_PROTECTED (sizeof recover_protected / sizeof *recover_protected)

/* What git runs or reads in any git directory (protected_paths.h): in a
 * nested repository's and a submodule's, which a live run_command reports
 * when it makes one (the sandbox binds those that exist read-only). */
#define RECOVER_GIT_ENTRY(name, dir) name,
static const char *const recover_git_entries[] = { SANDBOX_GIT_DIR_ENTRIES(RECOVER_GIT_ENTRY) };
#define NRECOVER_GIT_ENTRIES (sizeof recover_git_entries / sizeof *recover_git_entries)

/* Whether a path is in a git directory (a `.git` component), which
 * checkpoints do not hold. */
static bool
recover_in_git(const char *p)
{
	for (const char *c = p; c; c = strchr(c, '/'), c = c ? c + 1 : NULL)
		if (!strncasecmp(c, ".git/", 5))
			return true;
	return false;
}

/* When pfd/leaf came to be, seconds since the epoch: its birth time where
 * the file system keeps one, else its ctime (`st`, from an lstat of it). */
static long long
recover_born(int pfd, const char *leaf, const struct stat *st)
{
	struct statx sx;

	if (statx(pfd, leaf, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) == 0 &&
	    (sx.stx_mask & STATX_BTIME))
		return (long long)sx.stx_btime.tv_sec;
	return (long long)st->st_ctim.tv_sec;
}

/* The hooks in the folder's existing .git/hooks (`hfd`) that came to be
 * (recover_born) at or after `since`: git's samples aside, "hooks/NAME" into
 * *out. Only a command run without the sandbox, which binds the directory
 * read-only, or the person can have put one there: they are said, not
 * moved. */
static void
recover_new_hooks(int hfd, long long since, struct strv *out)
{
	DIR *d = fdopendir(hfd);
	struct dirent *de;

	if (!d) {
		close(hfd);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || (n > 7 && !strcmp(de->d_name + n - 7, ".sample")) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    recover_born(dirfd(d), de->d_name, &st) < since)
			continue;
		char *p = xasprintf(".git/hooks/%s", de->d_name);
		strv_add(out, p);
		free(p);
	}
	closedir(d);
}

/* The protected paths at the folder's root that the call killed after
 * checkpoint c->v[b] made: in the folder, not in that state (nor ignored by
 * the rules it was recorded under: the person's file, or none then), and
 * changed (ctime) since it was recorded: a person's file that was there
 * before stays. Checkpoints do not hold .git: one there (a hook directory, a
 * config, which git runs or reads on the person's next git command) is the
 * call's when it came to be (recover_born) since that checkpoint; one that
 * was there and only changed stays. Into *out. */
static void
recover_made_protected(struct snap_store *s, struct chain *c, size_t b, struct strv *out,
                       struct strv *hooks)
{
	const struct state *before = chain_state(s, c, b);
	struct ignore *builtin = NULL;
	int root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (!before || root < 0)
		goto out;
	struct pstate ign;
	pstate_get(before, IGNORE_FILE, &ign);
	if (!ign.te) /* the rules then were the built-in ones alone */
		ignore_builtin(&builtin);
	pstate_fini(&ign);
	for (size_t i = 0; i < NRECOVER_PROTECTED; i++) {
		const char *p = recover_protected[i], *leaf;
		struct pstate ps;
		struct stat st;

		int pfd = beneath_open_parent(root, p, O_PATH, false, &leaf);
		bool there = pfd >= 0 && fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
		bool born = there && recover_in_git(p) && recover_born(pfd, leaf, &st) >= c->v[b].time;

		if (pfd >= 0)
			close(pfd);
		if (born)
			strv_add(out, p);
		if (!there || recover_in_git(p) || st.st_ctim.tv_sec < c->v[b].time)
			continue;
		bool dir = S_ISDIR(st.st_mode);
		if (builtin ? ignore_match_path(builtin, p, dir) : snap_ignored(s, p, dir))
			continue;
		pstate_get(before, p, &ps);
		bool held = ps.te || ps.tree || snap_dir_exists(before->tree, &before->meta, p);
		pstate_fini(&ps);
		if (!held)
			strv_add(out, p);
	}
	strv_uniq(out); /* for strv_has */
	/* A hook directory that was there: the new hooks in it */
	int hfd = -1;
	if (!strv_has(out, ".git/hooks"))
		hfd = beneath_open(root, ".git/hooks", O_RDONLY | O_DIRECTORY);
	if (hfd >= 0)
		recover_new_hooks(hfd, c->v[b].time, hooks);
out:
	ignore_free(builtin);
	if (root >= 0)
		close(root);
}

/* The entries of git directory `gd` (relative to the folder open on
 * `root`) that came to be (recover_born) at or after `since`, "GD/NAME" into
 * *out, when gd itself was there before: the git directory of a repository
 * the call made (a clone, a git init) is its work, as the live take-back
 * leaves it. */
static void
recover_git_dir(int root, const char *gd, long long since, struct strv *out)
{
	const char *leaf;
	struct stat st;
	int pfd = beneath_open_parent(root, gd, O_PATH, false, &leaf);
	bool old = pfd >= 0 && fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	           S_ISDIR(st.st_mode) && recover_born(pfd, leaf, &st) < since;
	int gfd = old ? beneath_open(root, gd, O_PATH | O_DIRECTORY) : -1;

	if (pfd >= 0)
		close(pfd);
	for (size_t i = 0; gfd >= 0 && i < NRECOVER_GIT_ENTRIES; i++) {
		const char *e = recover_git_entries[i];

		if (fstatat(gfd, e, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    recover_born(gfd, e, &st) >= since) {
			char *p = xasprintf("%s/%s", gd, e);

			strv_add(out, p);
			free(p);
		}
	}
	if (gfd >= 0)
		close(gfd);
}

/* The git directory entries that the call killed after `since` made in the
 * nested repositories' git directories (`repos`, as the recovery's scan
 * passed them by: snap_store.repos_seen) and in the submodules' git
 * directories below the folder's .git/modules and theirs
 * (gitdir_submodules), as a live run_command looks in the same ones: into
 * *out (sorted again). */
static void
recover_nested_git(struct snap_store *s, const struct strv *repos, long long since,
                   struct strv *out)
{
	int root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t budget = GITDIR_SUBMODULES_MAX, wl = strlen(s->workdir);
	struct strv subs = ARRAY_INIT;
	char *m = xasprintf("%s/.git/modules", s->workdir);

	if (root < 0) {
		free(m);
		return;
	}
	gitdir_submodules(m, &budget, &subs);
	free(m);
	for (size_t k = 0; k < repos->n; k++) {
		recover_git_dir(root, repos->v[k], since, out);
		m = xasprintf("%s/%s/modules", s->workdir, repos->v[k]);
		gitdir_submodules(m, &budget, &subs);
		free(m);
	}
	for (size_t k = 0; k < subs.n; k++)
		if (!strncmp(subs.v[k], s->workdir, wl) && subs.v[k][wl] == '/')
			recover_git_dir(root, subs.v[k] + wl + 1, since, out);
	strv_free(&subs);
	strv_uniq(out);
	close(root);
}

/* REPO/deskhand-untold-SESSION: what a recovery took back that the model
 * has not been told, a line each; the next resumed run reads it
 * (snap_review_read_untold) and tells the model with its first task's
 * message, as a live take-back goes in the command's result, and forgets
 * it once that message is in the history (snap_review_forget_untold). */
static char *
untold_path(const struct snap_store *s, const char *session)
{
	return xasprintf("%sdeskhand-untold-%s", s->repo_path, session);
}

#define UNTOLD_MAX (1u << 20) /* bytes: a line per protected path of many calls */

/* Append `lines` to the session's untold notes. A failure is logged: the
 * person's report has the lines still. */
static void
untold_add(struct snap_store *s, const char *session, const struct buf *lines)
{
	char *path = untold_path(s, session);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, UNTOLD_MAX, &b);

	if (rc == 0 || rc == DH_ENOTFOUND) {
		buf_add(&b, lines->ptr, lines->len);
		rc = fsutil_write_atomic(path, b.ptr, b.len);
	}
	if (rc < 0)
		log_warn("recovery: the model will not be told what was taken back: %s", err_msg());
	buf_fini(&b);
	free(path);
}

int
snap_review_read_untold(struct snap_store *s, const char *session, struct buf *out)
{
	char *path = untold_path(s, session);
	int rc = fsutil_read_file(path, UNTOLD_MAX, out);

	free(path);
	return rc == DH_ENOTFOUND ? 0 : rc;
}

int
snap_review_forget_untold(struct snap_store *s, const char *session, const char *told,
                          size_t len)
{
	if (!len)
		return 0;
	char *path = untold_path(s, session);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, UNTOLD_MAX, &b);

	if (rc == DH_ENOTFOUND) {
		rc = 0;
	} else if (rc == 0 && b.len >= len && !memcmp(b.ptr, told, len)) {
		if (b.len > len)
			rc = fsutil_write_atomic(path, b.ptr + len, b.len - len);
		else if (unlink(path) < 0 && errno != ENOENT)
			rc = err_set("snapshot: cannot remove %s: %s", path, strerror(errno));
	}
	buf_fini(&b);
	free(path);
	return rc;
}

/* Take back the protected paths `made` of the interrupted call `call` (held
 * by checkpoint `rec`), as the agent takes back a live command's after its
 * checkpoint: each removed (in .git, moved aside: beneath_move_aside) and
 * noted in `notes` (a line each), the removal recorded in a checkpoint of
 * deskhand's own. */
static int
recover_take_back(struct snap_store *s, const char *session, const char *call,
                  const struct strv *made, const struct snap_checkpoint *rec, struct buf *notes)
{
	int root = open(s->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t from = notes->len;

	if (root < 0)
		return err_set("snapshot: %s: %s", s->workdir, strerror(errno));
	for (size_t i = 0; i < made->n; i++) {
		const char *p = made->v[i], *leaf;
		int pfd = beneath_open_parent(root, p, O_RDONLY, false, &leaf);
		char *aside = NULL;

		if (pfd < 0 || (recover_in_git(p) ? beneath_move_aside(pfd, leaf, &aside)
		                                  : beneath_remove(pfd, leaf)) < 0)
			buf_printf(notes, "could not remove %s, a protected path the interrupted "
			           "call %s created: %s\n", p, call, strerror(errno));
		else if (aside)
			buf_printf(notes, "moved %s, a protected path the interrupted call %s "
			           "created, aside to %.*s%s, where nothing runs it (checkpoints do "
			           "not hold .git)\n", p, call, (int)(leaf - p), p, aside);
		else
			buf_printf(notes, "removed %s, a protected path the interrupted call %s "
			           "created; checkpoint %s holds it (deskhand restore %s brings it "
			           "back)\n", p, call, rec->short_id, rec->short_id);
		free(aside);
		if (pfd >= 0)
			close(pfd);
	}
	close(root);
	struct buf told = BUF_INIT;
	buf_add(&told, notes->ptr + from, notes->len - from);
	untold_add(s, session, &told);
	buf_fini(&told);
	char *label = xasprintf("deskhand removed the protected paths the interrupted call %s "
	                        "created", call);
	struct snap_checkpoint_opts o = {.label = label, .turn = -1, .over_damaged = true,
	                                 .builtin_rules = strv_has(made, IGNORE_FILE)};
	struct snap_checkpoint ck;
	int rc = snap_checkpoint_opt(s, session, &o, &ck);

	free(label);
	return rc;
}

int
snap_review_put_back(struct snap_store *s, const char *session, const char *call,
                     const struct buf *lines)
{
	char *label = xasprintf("deskhand put back the protected paths the interrupted call "
	                        "%s changed", call);
	struct snap_checkpoint_opts o = {.label = label, .turn = -1, .over_damaged = true};
	struct snap_checkpoint ck;
	int rc;

	untold_add(s, session, lines);
	rc = snap_checkpoint_opt(s, session, &o, &ck);
	free(label);
	return rc;
}

int
snap_review_recover(struct snap_store *s, const char *session, const char *const *calls,
                    size_t ncalls, struct snap_checkpoint *out, int *attributed,
                    char **interrupted, struct buf *notes)
{
	struct chain c = {0};
	struct snap_checkpoint_opts o = {.turn = -1, .external = true};
	struct buf scratch = BUF_INIT;
	struct strv made = {0}; /* protected paths the interrupted call made */
	struct strv hooks = {0}; /* hooks that came to be in an existing .git/hooks */
	struct strv repos = {0}; /* the nested repositories' git directories */
	long long since = -1;    /* when the checkpoint before the call was made */
	const char *call = NULL;
	char *label = NULL;
	int rc;

	*attributed = -1;
	*interrupted = NULL;
	memset(out, 0, sizeof *out);
	if ((rc = snap_open_folder(s, NULL)) < 0)
		return rc;
	/* A head that cannot be read: the folder is recorded over it, as
	 * someone else's changes; with any of the chain unread, which calls
	 * have a checkpoint cannot be told, so none is attributed. */
	if ((rc = chain_load_opt(s, session, &c, true)) < 0)
		goto out;
	/* A review action killed part way: what changed since is its own. */
	if ((rc = snap_intent_recover(s, session, interrupted, notes ? notes : &scratch)) < 0)
		goto out;
	if (rc == 1) {
		char *msg = xasprintf("interrupted: %s (partly done)\n\nDeskhand-Session: %s\n"
		                      "Deskhand-Review: yes\n", *interrupted, session);

		/* over a head that cannot be read too: else the record stays,
		 * and every command after meets it and fails the same way */
		rc = snap_take(s, session, msg, true, out);
		free(msg);
		if (rc >= 0)
			rc = snap_intent_clear(s, session);
		goto out;
	}
	o.over_damaged = true;
	for (size_t k = 0; !c.cut && k < ncalls && *attributed < 0; k++) {
		bool seen = false;

		for (size_t i = 0; i < c.n && !seen; i++)
			seen = c.v[i].tool_call && !strcmp(c.v[i].tool_call, calls[k]);
		if (!seen)
			*attributed = (int)k;
	}
	if (*attributed >= 0) {
		label = xasprintf("interrupted: %s (recovered)", calls[*attributed]);
		o.tool_call = calls[*attributed];
		o.external = false;
		/* what the call was writing when it was killed is not its change */
		s->drop_tmp = notes ? notes : &scratch;
		if (c.n) {
			recover_made_protected(s, &c, 0, &made, &hooks);
			since = c.v[0].time;
		}
		call = calls[*attributed];
	} else if (c.n > 1 && c.v[0].tool_call) {
		/* killed after its step's checkpoint, before the take-back */
		for (size_t k = 0; k < ncalls && !call; k++)
			if (!strcmp(c.v[0].tool_call, calls[k]))
				call = calls[k];
		if (call) {
			recover_made_protected(s, &c, 1, &made, &hooks);
			since = c.v[1].time;
		}
	}
	/* A .deskhandignore the call made does not decide what is recorded
	 * of its changes, as it does not for a live step (builtin_rules). */
	o.builtin_rules = strv_has(&made, IGNORE_FILE);
	o.label = label ? label : "external changes (recovered)";
	if (since >= 0)
		s->repos_seen = &repos;
	rc = snap_checkpoint_opt(s, session, &o, out);
	s->drop_tmp = NULL;
	s->repos_seen = NULL;
	if (rc >= 0 && since >= 0)
		recover_nested_git(s, &repos, since, &made);
	if (rc >= 0 && made.n)
		rc = recover_take_back(s, session, call, &made, out, notes ? notes : &scratch);
	for (size_t i = 0; rc >= 0 && i < hooks.n; i++)
		buf_printf(notes ? notes : &scratch,
		           "left %s in place, a git hook that came to be while the interrupted "
		           "call %s ran (checkpoints do not hold .git): git runs it on the next "
		           "commit; remove it unless you put it there\n",
		           hooks.v[i], call);
out:
	if (rc < 0) {
		free(*interrupted);
		*interrupted = NULL;
	}
	buf_fini(&scratch);
	strv_free(&made);
	strv_free(&hooks);
	strv_free(&repos);
	free(label);
	chain_fini(&c);
	return rc;
}

/*
 * Outcomes
 */

void
snap_review_outcome_init(struct review_outcome *o)
{
	memset(o, 0, sizeof *o);
}

void
snap_review_outcome_fini(struct review_outcome *o)
{
	strv_free(&o->notes);
	for (size_t i = 0; i < o->nconflicts; i++) {
		free(o->conflicts[i].path);
		free(o->conflicts[i].base);
		free(o->conflicts[i].agent);
		free(o->conflicts[i].current);
		free(o->conflicts[i].diff);
		free(o->conflicts[i].error);
	}
	free(o->conflicts);
	free(o->conflict_dir);
	strv_free(&o->report);
	memset(o, 0, sizeof *o);
}

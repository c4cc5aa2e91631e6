/* SPDX-License-Identifier: MIT */
/*
 * run_command: one shell command inside deskhand-sandbox (its CLI contract:
 * SANDBOX --rw G0 [--rw G1 …] --chdir G0 --timeout S --exec --ready-fd N --
 * /bin/sh -c CMD: exec mode, the helper becomes bwrap; we kill it when the
 * timeout expires, and a command that sent no byte on the ready pipe never
 * ran: the sandbox's setup failed, reported as the helper's 125 would be),
 * spawned through core/proc with a minimal environment, output captured and
 * kept for the model as its head and its tail (a long output is stored whole
 * through env->store and named in the result), streamed live through
 * env->on_output. Never runs anything unsandboxed, unless the person started deskhand
 * with --dangerously-run-commands-unsandboxed. The first call of a session
 * is also the sandbox's trial: when it exits 125 (the helper's "setup
 * failed", which a command can also return) a trial run of /bin/true
 * decides, and every command is refused when that fails.
 * Not the bwrap policy itself.
 * With an egress policy the sandbox gets --proxy-fd: the listener it sends
 * back is served by sandbox/proxy.c for as long as the command runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/gitdir.h"
#include "core/ignore.h"
#include "core/json.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "sandbox/probe.h"
#include "sandbox/proxy.h"
#include "tools/tool_priv.h"
#include "watch/watch.h"
#include "../../sandbox/protected_paths.h"

#define EXIT_TIMEOUT  124          /* deskhand-sandbox: the wall-clock timeout killed the tree */
#define EXIT_SETUP    125          /* deskhand-sandbox: setup failed */
#define LIVE_KEEP     TOOL_OUTPUT_FLUSH_MAX /* bytes of one tool_output event at most */

struct shell_run {
	struct tool_run base; /* first: tool_run_cancel() */
	struct ev_loop *loop;
	struct proc *proc;     /* NULL before spawn / after a spawn failure */
	struct ev_timer timer; /* the timeout's kill, or delivery of an early error */
	struct egress *egress; /* NULL: no network */
	int psock;             /* our end of --proxy-fd, until the listener arrives; -1 */
	struct proxy *proxy;   /* serves the sandbox's listener */
	struct tool_result res;
	tool_done_fn *done;
	void *ctx;
	int timeout_s;
	size_t cap; /* output bytes kept for the model: half head, half tail */
	struct buf head;  /* the first cap bytes */
	struct buf tail;  /* the last cap bytes at least (trimmed past 2 × cap) */
	size_t total;     /* bytes the command wrote */
	int store_fd;     /* the whole output, once it is longer than cap; -1 */
	char *store_path; /* its path, or NULL */
	size_t stored;    /* bytes written to it */
	char *store_err;  /* why it could not be stored (whole), or NULL */
	struct buf live;  /* output not yet sent as tool_output */
	size_t live_skipped; /* bytes dropped from live since the last event */
	uint64_t live_last;  /* ev_now_ms() of the last tool_output */
	struct ev_timer live_timer;
	bool exec;         /* the helper ran in exec mode: its status is the command's */
	int ready_r;       /* exec mode: the ready pipe's read end, or -1 */
	int setup_wstatus; /* exec mode: bwrap's status when the command never ran, or -1 */
	bool timed_out;    /* our timer killed the command */
	bool finished; /* done was called */
	bool in_done;  /* inside done: cancel must defer the free */
	bool free_pending;
	struct tool_env *env;  /* borrowed: outlives the run */
	const char *what;      /* the tool's name, for messages ("run_command") */
	struct strv cmd;       /* argv run in the sandbox, NULL-terminated */
	int stdin_fd;          /* the command's standard input, or -1 (empty) */
	char *bwrap;           /* probe_bwrap_path(), once needed */
	struct proc *trial;    /* the sandbox trial, when this call runs it */
	bool first;            /* the session's first sandboxed command: its trial */
	int first_wstatus;     /* its exit, kept while the trial decides (waitpid-style) */
	unsigned char *had;    /* per grant × watched_protected: existed before the command */
	struct strv git_absent; /* nested repositories' git directory entries
	                         * (git_dir_entries) missing before the command */
	char **rules_was;       /* without the sandbox, per grant: its
	                         * .deskhandignore before the command, or NULL */
	size_t nrules_was;      /* grants in rules_was */
	struct tree *trees;     /* without the sandbox: the protected directories
	                         * that were there before the command (tree_add) */
	size_t ntrees;
	struct kept *kept;      /* without the sandbox: the protected files that
	                         * were there before the command, as they were */
	size_t nkept;
	size_t kept_bytes;      /* bytes in kept, at most KEPT_TOTAL_MAX */
	struct strv repos;      /* nested_repos() for it: the sandbox protects their
	                         * git directories, or without it guard_before */
	struct strv gitdirs;    /* without the sandbox: the nested repositories' and
	                         * the submodules' git directories (protected_before) */
	bool repo_wait;        /* the timer is the watcher's first walk (nested_repos) */
	int repo_waited_ms;    /* how long this command has waited for it */
	bool unsandboxed;      /* runs without the sandbox (unsandboxed_start) */
	bool queued;           /* a worker job (guard_before, guard_after) holds the run:
	                        * the loop touches nothing of it but these flags */
	bool cancelled;        /* cancelled while queued: the job's end frees it */
	char *stop_why;        /* tool_run_stop()'s reason: the command was killed for it */
	char *call_id;         /* env->call_id when it started, or NULL */
	char *copies_path;     /* without the sandbox: the session's TOOL_PROTECTED_COPIES,
	                        * or NULL (no session) */
};

/* A command waits, at most this long, for the watcher's first walk of the
 * grants, which lists the nested repositories the sandbox protects; it looks
 * again every REPO_POLL_MS (the loop never blocks). */
#define REPO_WAIT_MS 5000
#define REPO_POLL_MS 10

/* Protected paths (grant_is_protected) that the sandbox cannot make read-only
 * while they do not exist: it creates no placeholders on the host (they would
 * show up in the grant and outlive a killed command). If a command creates
 * one, the call is reported as a policy event, the model is told, and the
 * agent removes it after the command's checkpoint (grant_take_back). */
#define WATCHED_PROTECTED(path, dir) path,
static const char *const watched_protected[] = { SANDBOX_PROTECTED_PATHS(WATCHED_PROTECTED) };
#undef WATCHED_PROTECTED
#define NWATCHED (sizeof watched_protected / sizeof *watched_protected)
#define WATCHED_IS_DIR(path, dir) dir,
static const bool watched_is_dir[] = { SANDBOX_PROTECTED_PATHS(WATCHED_IS_DIR) };
#undef WATCHED_IS_DIR

/* Without the sandbox, which binds the protected files that exist read-only,
 * a command can rewrite or remove one: each is kept as it was (kept_before),
 * to tell and put back a change (kept_after). Bytes of one file kept at most;
 * a larger one is told, not put back. */
#define KEPT_MAX (1u << 20)
_Static_assert(KEPT_MAX == IGNORE_FILE_MAX, "rules_before takes the rules from their copy");
#define KEPT_TOTAL_MAX ((size_t)64 << 20) /* bytes kept for one command, in all */
struct kept {
	size_t grant;
	char *rel;             /* grant-relative: ".bashrc", ".git/hooks/pre-push" */
	size_t max;            /* bytes it was taken with at most (KEPT_TOTAL_MAX's part) */
	struct grant_copy was; /* as it was before the command */
};
/* A protected directory (a grant's .git/hooks, .vscode, .local/bin, ...; a
 * nested repository's hooks and worktrees) is walked before the command:
 * every file in it is kept as above, and every name in it listed, to tell
 * and take back what the command adds to it (trees_after). At most
 * TREE_MAX entries a directory, TREE_DEPTH levels down. */
#define TREE_MAX   4096
#define TREE_DEPTH 16
struct tree {
	size_t grant;
	char *rel;       /* the directory, grant-relative */
	struct strv had; /* grant-relative paths of what was in it, strv_uniq()ed */
	bool capped;     /* it had more than TREE_MAX entries: had is a part */
};
/* The same in the nested repositories' git directories (protected_paths.h). */
#define GIT_DIR_ENTRY(name, dir) name,
static const char *const git_dir_entries[] = { SANDBOX_GIT_DIR_ENTRIES(GIT_DIR_ENTRY) };
#undef GIT_DIR_ENTRY
#define GIT_DIR_IS_DIR(name, dir) dir,
static const bool git_dir_is_dir[] = { SANDBOX_GIT_DIR_ENTRIES(GIT_DIR_IS_DIR) };
#undef GIT_DIR_IS_DIR
#define NGIT_ENTRIES (sizeof git_dir_entries / sizeof *git_dir_entries)

static bool
exists_at(int dirfd, const char *rel)
{
	struct stat st;

	return fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Records the git directory entries (git_dir_entries) missing in `gd`. */
static void
git_entries_absent(struct shell_run *r, const char *gd)
{
	for (size_t i = 0; i < NGIT_ENTRIES; i++) {
		char *p = xasprintf("%s/%s", gd, git_dir_entries[i]);

		if (!exists_at(AT_FDCWD, p))
			strv_add(&r->git_absent, p);
		free(p);
	}
}

/* Record which watched protected paths exist in every grant, and which git
 * directory entries in `repos` (nested_repos) and in the submodules' git
 * directories of the grants and of `repos` (the same the sandbox binds
 * read-only where they exist). A few stat()s and, where there are
 * submodules, at most GITDIR_SUBMODULES_MAX directory reads, each as long
 * as the directory: worker-safe, run on the worker (guard_before). */
static void
protected_before(struct shell_run *r, const struct strv *repos)
{
	size_t n = grant_count(r->env->grants), budget = GITDIR_SUBMODULES_MAX;
	struct strv subs = ARRAY_INIT;

	free(r->had);
	r->had = xcalloc(n * NWATCHED + 1, 1);
	for (size_t g = 0; g < n; g++) {
		const struct grant *gr = grant_get(r->env->grants, g);
		char *m = xasprintf("%s/.git/modules", gr->path);

		for (size_t i = 0; i < NWATCHED; i++)
			r->had[g * NWATCHED + i] = exists_at(gr->dirfd, watched_protected[i]);
		gitdir_submodules(m, &budget, &subs);
		free(m);
	}
	strv_free(&r->git_absent);
	strv_free(&r->gitdirs);
	for (size_t k = 0; k < repos->n; k++) {
		char *gd = xasprintf("%s/.git", repos->v[k]), *m = xasprintf("%s/modules", gd);

		git_entries_absent(r, gd);
		gitdir_submodules(m, &budget, &subs);
		strv_add(&r->gitdirs, gd);
		free(m);
		free(gd);
	}
	for (size_t k = 0; k < subs.n; k++) {
		git_entries_absent(r, subs.v[k]);
		strv_add(&r->gitdirs, subs.v[k]);
	}
	strv_free(&subs);
}

static void
rules_free(struct shell_run *r)
{
	for (size_t g = 0; g < r->nrules_was; g++)
		free(r->rules_was[g]);
	free(r->rules_was);
	r->rules_was = NULL;
	r->nrules_was = 0;
}

/* Without the sandbox nothing binds an existing .deskhandignore read-only:
 * keep each grant's as text, to tell a rewrite (rules_changed), from the
 * copy kept_before took of it (one read: its bytes, a symlink followed, when
 * at most KEPT_MAX = IGNORE_FILE_MAX; else, as when it cannot be read, the
 * scan has the built-in rules alone and there is nothing to tell). */
static void
rules_before(struct shell_run *r)
{
	size_t n = grant_count(r->env->grants);

	rules_free(r);
	r->rules_was = xcalloc(n + 1, sizeof *r->rules_was);
	r->nrules_was = n;
	for (size_t i = 0; i < r->nkept; i++) {
		const struct kept *k = &r->kept[i];

		if (k->grant < n && !r->rules_was[k->grant] && k->was.has_data &&
		    !strcmp(k->rel, IGNORE_FILE))
			r->rules_was[k->grant] = xstrndup(k->was.data.ptr ? k->was.data.ptr : "",
			                                  k->was.data.len);
	}
}

/* Whether grant-relative rel is in a git directory's hooks. */
static bool
is_hook(const char *rel)
{
	for (const char *h = strstr(rel, "hooks/"); h; h = strstr(h + 1, "hooks/"))
		if ((h == rel || h[-1] == '/') && grant_in_git(rel))
			return true;
	return false;
}

struct tree_walk {
	struct tree *t;
	struct strv *out; /* the names found, grant-relative */
	struct strv *added; /* trees_after: the new ones, topmost only; NULL before */
};

static int
tree_visit(const struct grant_walk_ent *e, void *ctx)
{
	struct tree_walk *w = ctx;
	char *rel = xasprintf("%s/%s", w->t->rel, e->rel);
	int rc = GRANT_WALK_CONTINUE;

	if (w->added && !strv_has(&w->t->had, rel)) {
		if (!w->t->capped)
			strv_add(w->added, rel);
		rc = GRANT_WALK_SKIP; /* taken back whole */
	} else if (!w->added) {
		strv_add(w->out, rel);
	}
	free(rel);
	return rc;
}

/* List what is in the protected directory t->rel of its grant into *out
 * (grant-relative), or, with `added`, only what is not in t->had (a new
 * directory is one name: it goes whole). False when it is not a directory. */
static bool
tree_list(struct shell_run *r, struct tree *t, struct strv *out, struct strv *added)
{
	const struct grant *gr = grant_get(r->env->grants, t->grant);
	struct grant_walk_limits lim = { .max_entries = TREE_MAX, .max_depth = TREE_DEPTH };
	struct tree_walk w = { .t = t, .out = out, .added = added };
	struct stat st;
	int rc;

	if (grant_lstat(gr, t->rel, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	rc = grant_walk(gr, t->rel, &lim, NULL, tree_visit, &w);
	if (rc == GRANT_WALK_CAPPED && !added)
		t->capped = true;
	return rc >= 0;
}

static void
trees_free(struct shell_run *r)
{
	for (size_t i = 0; i < r->ntrees; i++) {
		free(r->trees[i].rel);
		strv_free(&r->trees[i].had);
	}
	free(r->trees);
	r->trees = NULL;
	r->ntrees = 0;
}

static void kept_add(struct shell_run *r, size_t g, const char *rel, size_t *cap);

/* Walk the protected directory rel of grant g, if there is one: list what
 * is in it and keep each file (kept_add). False when it is no directory. */
static bool
tree_add(struct shell_run *r, size_t g, const char *rel, size_t *tcap, size_t *kcap)
{
	struct tree t = { .grant = g, .rel = xstrdup(rel) };

	if (!tree_list(r, &t, &t.had, NULL)) {
		free(t.rel);
		strv_free(&t.had);
		return false;
	}
	kept_add(r, g, rel, kcap); /* the directory itself, made again if removed */
	for (size_t i = 0; i < t.had.n; i++)
		kept_add(r, g, t.had.v[i], kcap);
	strv_uniq(&t.had); /* for strv_has */
	ARRAY_GROW(r->trees, r->ntrees, *tcap, 1);
	r->trees[r->ntrees++] = t;
	return true;
}

/* Report what the command added to a protected directory that was there
 * (a new one is protected_after's or git_absent's): the agent takes it back
 * after the command's checkpoint (created_protected; in a git directory it
 * is moved aside), as a protected path the command created. One of more
 * than TREE_MAX entries, kept and listed in part, is said to be so. */
static bool
trees_after(struct shell_run *r)
{
	bool any = false;

	for (size_t i = 0; i < r->ntrees; i++) {
		struct tree *t = &r->trees[i];
		const struct grant *gr = grant_get(r->env->grants, t->grant);
		struct strv added = ARRAY_INIT;

		if (t->capped) {
			char *p = xasprintf("%s/%s", gr->path, t->rel);

			buf_printf(&r->res.text,
				   "\n[deskhand: %s holds more than %d entries; deskhand kept and "
				   "checked the first %d only: what this command changed, removed "
				   "or added in it past those is neither told nor put back or taken "
				   "back: look at it]",
				   p, TREE_MAX, TREE_MAX);
			free(p);
		}
		(void)tree_list(r, t, NULL, &added);
		for (size_t k = 0; k < added.n; k++) {
			char *p = xasprintf("%s/%s", gr->path, added.v[k]);

			if (is_hook(added.v[k]))
				buf_printf(&r->res.text,
					   "\n[deskhand: this command created %s, a git hook that "
					   "git runs outside any sandbox; deskhand moves it aside "
					   "at the checkpoint after this command]",
					   p);
			else
				buf_printf(&r->res.text,
					   "\n[deskhand: this command created %s, in a protected "
					   "directory that changes what runs later; deskhand %s at "
					   "the checkpoint after this command]",
					   p, grant_in_git(added.v[k]) ? "moves it aside" : "takes it back");
			strv_add(&r->res.created_protected, p);
			free(p);
			any = true;
		}
		strv_free(&added);
	}
	trees_free(r);
	return any;
}

/* Whether the copy `was` of a protected file can put it back: a symlink
 * with its target, a file with its bytes, or a directory. */
static bool
kept_can(const struct grant_copy *was)
{
	if (S_ISDIR(was->st.st_mode))
		return true;
	return S_ISLNK(was->st.st_mode) ? was->target != NULL : was->has_data;
}

/* The first line of TOOL_PROTECTED_COPIES, before the call's id. */
#define COPIES_MAGIC "deskhand protected copies 1 "

/* Without the sandbox: write the copies kept (kept_before) to the session's
 * TOOL_PROTECTED_COPIES, fsynced (atomic_write), before the command runs, so
 * that an engine killed while it runs has them on resume
 * (tool_shell_put_back): those that can put a file back, and those that
 * cannot (no bytes kept: over KEPT_MAX, past KEPT_TOTAL_MAX, or unreadable),
 * whose lstat data tells a change; none: one left from before is removed.
 * Up to KEPT_TOTAL_MAX bytes written: worker-safe, run on the worker
 * (guard_before). A failure is logged: the put-back after the command does
 * not need the file. */
static void
kept_save(struct shell_run *r)
{
	struct buf b = BUF_INIT;
	size_t n = 0;

	if (!r->copies_path)
		return;
	buf_printf(&b, "%s%s\n", COPIES_MAGIC, r->call_id ? r->call_id : "");
	for (size_t i = 0; i < r->nkept; i++) {
		const struct kept *k = &r->kept[i];
		char *p = xasprintf("%s/%s", grant_get(r->env->grants, k->grant)->path, k->rel);

		grant_copy_pack(&b, p, &k->was);
		free(p);
		n++;
	}
	if (!n) {
		if (unlink(r->copies_path) < 0 && errno != ENOENT)
			log_warn("%s: %s: %s", r->what, r->copies_path, strerror(errno));
	} else if (atomic_write(r->copies_path, b.ptr, b.len, 0600) < 0) {
		log_warn("%s: the copies of the protected files are kept in memory only (an "
		         "engine killed while the command runs cannot put them back): %s",
		         r->what, err_msg());
	}
	buf_fini(&b);
}

/* The command's own put-back has nothing to do: its copies on disk go. */
static void
kept_unsave(struct shell_run *r)
{
	if (r->copies_path && unlink(r->copies_path) < 0 && errno != ENOENT)
		log_warn("%s: %s: %s", r->what, r->copies_path, strerror(errno));
}

/* Put back the file of one copy read from TOOL_PROTECTED_COPIES (path,
 * was) when it changed (one kept without its bytes cannot be: left as it
 * is), saying so in lines[g], the bits of the directories it makes again
 * noted in later[g] (tool_shell_put_back). */
static void
copy_put_back(const struct grant_set *grants, const char *path, const struct grant_copy *was,
              const char *call, struct buf *lines, struct grant_dir_modes *later)
{
	char *rel = NULL, *aside = NULL;
	struct grant_copy now;
	size_t g;

	if (grant_resolve(grants, path, &g, &rel) < 0) { /* no longer granted */
		free(rel);
		return;
	}
	const struct grant *gr = grant_get(grants, g);
	int rc = grant_copy_take(gr, rel, was->data.len, &now);

	if (rc == 0 && grant_copy_same(was, &now)) {
		grant_copy_fini(&now);
		free(rel);
		return;
	}
	const char *did = rc == 0 && !now.there ? "removed" : "changed";

	if (!kept_can(was)) /* as kept_after says it */
		buf_printf(&lines[g], "the interrupted call %s %s %s, a protected path; deskhand "
		           "kept no copy of it (over 1 MiB, past the 64 MiB kept for one "
		           "command, or unreadable) and could not put it back: look at it\n",
		           call, did, rel);
	else if (grant_copy_put_later(gr, rel, was, &aside, &later[g]) < 0)
		buf_printf(&lines[g], "could not put back %s, a protected path the interrupted "
		           "call %s %s: %s\n", rel, call, did, err_msg());
	else if (aside)
		buf_printf(&lines[g], "put back %s as the person had it, a protected path the "
		           "interrupted call %s %s; the call's version is at %s, where nothing "
		           "runs it (checkpoints do not hold .git)\n", rel, call, did, aside);
	else
		buf_printf(&lines[g], "put back %s as the person had it, a protected path the "
		           "interrupted call %s %s; the checkpoint that recorded the call holds "
		           "its version\n", rel, call, did);
	grant_copy_fini(&now);
	free(aside);
	free(rel);
}

int
tool_shell_put_back(const char *session_dir, const struct grant_set *grants,
                    const struct strv *calls, struct strv *lines, char **out_call)
{
	char *path = xasprintf("%s/%s", session_dir, TOOL_PROTECTED_COPIES);
	size_t n = grant_count(grants);
	struct buf b = BUF_INIT, *out = xcalloc(n + 1, sizeof *out);
	struct grant_dir_modes *later = xcalloc(n + 1, sizeof *later);
	/* the copies' bytes, and each one's header and path */
	int rc = fsutil_read_file(path, KEPT_TOTAL_MAX + (KEPT_TOTAL_MAX >> 2), &b);
	size_t ml = strlen(COPIES_MAGIC);

	*out_call = NULL;
	if (rc == 0) {
		const char *p = buf_cstr(&b), *end = p + b.len, *nl = memchr(p, '\n', b.len);

		if (!nl || (size_t)(nl - p) < ml || memcmp(p, COPIES_MAGIC, ml) != 0) {
			log_warn("%s: not deskhand's copies of protected files: left as it is", path);
			rc = 0;
			goto out;
		}
		char *call = xstrndup(p + ml, (size_t)(nl - p) - ml);

		for (p = nl + 1; p < end && strv_has(calls, call);) {
			struct grant_copy was;
			char *cp;

			if (grant_copy_unpack(&p, end, &cp, &was) < 0) {
				log_warn("%s: %s", path, err_msg());
				break;
			}
			copy_put_back(grants, cp, &was, call, out, later);
			grant_copy_fini(&was);
			free(cp);
		}
		for (size_t g = 0; g < n; g++) /* every file is in: the directories' bits */
			if (grant_dir_modes_apply(grant_get(grants, g), &later[g]) < 0)
				buf_printf(&out[g], "could not give a directory the permission bits "
				           "it had: %s\n", err_msg());
		for (size_t g = 0; g < n && !*out_call; g++)
			if (out[g].len)
				*out_call = call;
		if (*out_call != call)
			free(call);
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("%s: %s", path, strerror(errno));
	} else if (rc == DH_ENOTFOUND) {
		rc = 0;
	}
out:
	for (size_t g = 0; g < n; g++) {
		strv_add(lines, buf_cstr(&out[g]));
		buf_fini(&out[g]);
		grant_dir_modes_fini(&later[g]);
	}
	free(out);
	free(later);
	buf_fini(&b);
	free(path);
	return rc;
}

static void
kept_free(struct shell_run *r)
{
	for (size_t i = 0; i < r->nkept; i++) {
		free(r->kept[i].rel);
		grant_copy_fini(&r->kept[i].was);
	}
	free(r->kept);
	r->kept = NULL;
	r->nkept = 0;
	r->kept_bytes = 0;
}

/* Keep the protected file (or symlink, or directory: an empty one is made
 * again too) rel of grant g as it is, if there is one: its bytes when they
 * fit KEPT_MAX and what is left of KEPT_TOTAL_MAX. */
static void
kept_add(struct shell_run *r, size_t g, const char *rel, size_t *cap)
{
	size_t max = KEPT_TOTAL_MAX - r->kept_bytes < KEPT_MAX ? KEPT_TOTAL_MAX - r->kept_bytes
	                                                      : KEPT_MAX;
	struct grant_copy c;

	if (grant_copy_take(grant_get(r->env->grants, g), rel, max, &c) < 0 || !c.there) {
		grant_copy_fini(&c);
		return;
	}
	r->kept_bytes += c.data.len;
	ARRAY_GROW(r->kept, r->nkept, *cap, 1);
	r->kept[r->nkept++] =
		(struct kept){ .grant = g, .rel = xstrdup(rel), .max = max, .was = c };
}

/* Keep the entry rel of grant g: a directory's files (tree_add), or the
 * file or symlink itself. */
static void
kept_entry(struct shell_run *r, size_t g, const char *rel, bool dir, size_t *tcap, size_t *kcap)
{
	if (!dir || !tree_add(r, g, rel, tcap, kcap))
		kept_add(r, g, rel, kcap);
}

/* Without the sandbox: keep each grant's protected paths (the list's
 * entries, a directory's files with it: tree_add) and the git directory
 * entries of r->gitdirs (after protected_before) as they are before the
 * command. Up to KEPT_TOTAL_MAX bytes read, and a walk of each protected
 * directory: worker-safe, run on the worker (guard_before). */
static void
kept_before(struct shell_run *r)
{
	size_t n = grant_count(r->env->grants), kcap = 0, tcap = 0;

	kept_free(r);
	trees_free(r);
	/* the single files first: KEPT_TOTAL_MAX never leaves them (and the
	 * rules in .deskhandignore, rules_before) without their bytes */
	for (size_t g = 0; g < n; g++)
		for (size_t i = 0; i < NWATCHED; i++)
			if (!watched_is_dir[i])
				kept_add(r, g, watched_protected[i], &kcap);
	for (size_t g = 0; g < n; g++)
		for (size_t i = 0; i < NWATCHED; i++)
			if (watched_is_dir[i])
				kept_entry(r, g, watched_protected[i], true, &tcap, &kcap);
	for (size_t k = 0; k < r->gitdirs.n; k++) {
		char *rel = NULL;
		size_t g;

		if (grant_resolve(r->env->grants, r->gitdirs.v[k], &g, &rel) < 0) {
			free(rel);
			continue;
		}
		for (size_t i = 0; i < NGIT_ENTRIES; i++) {
			char *e = xasprintf("%s/%s", rel, git_dir_entries[i]);

			kept_entry(r, g, e, git_dir_is_dir[i], &tcap, &kcap);
			free(e);
		}
		free(rel);
	}
}

/* Report a .deskhandignore the command changed (or removed), k as it was
 * and `now` as it is: its step is recorded under the rules as they were
 * (rules_before), and the agent puts them back after it (changed_rules), as
 * it takes back one the command created. */
static void
rules_changed(struct shell_run *r, const struct kept *k, const struct grant_copy *now)
{
	const char *was = k->grant < r->nrules_was ? r->rules_was[k->grant] : NULL;

	if (!was || strcmp(k->rel, IGNORE_FILE) != 0)
		return;
	char *t = now->has_data ? xstrndup(now->data.ptr ? now->data.ptr : "", now->data.len)
	                        : NULL;

	if (!t || strcmp(t, was)) {
		char *p = xasprintf("%s/%s", grant_get(r->env->grants, k->grant)->path, IGNORE_FILE);

		buf_printf(&r->res.text,
			   "\n[deskhand: this command changed %s, the person's rules of what "
			   "checkpoints record; its checkpoint records under the rules as "
			   "they were, and deskhand puts them back at the checkpoint after "
			   "this command]",
			   p);
		strv_add(&r->res.changed_rules, p);
		strv_add(&r->res.rules_before, was);
		free(p);
	}
	free(t);
}

/* Report each kept protected file that the command changed or removed, for
 * the agent to put back after the command's checkpoint (changed_protected),
 * as the sandbox would have kept it. A changed .deskhandignore is said by
 * rules_changed, and put back the same way without a second line. */
static bool
kept_after(struct shell_run *r)
{
	bool any = false;

	for (size_t i = 0; i < r->nkept; i++) {
		struct kept *k = &r->kept[i];
		const struct grant *gr = grant_get(r->env->grants, k->grant);
		struct grant_copy now;

		int rc = grant_copy_take(gr, k->rel, k->max, &now);

		if (rc == 0 && grant_copy_same(&k->was, &now)) {
			grant_copy_fini(&now);
			continue;
		}
		rules_changed(r, k, &now);
		char *p = xasprintf("%s/%s", gr->path, k->rel);
		bool hook = is_hook(k->rel), told = false;
		bool can = kept_can(&k->was);

		for (size_t j = 0; j < r->res.changed_rules.n && !told; j++)
			told = !strcmp(r->res.changed_rules.v[j], p);
		if (!told)
			buf_printf(&r->res.text, "\n[deskhand: this command %s %s, %s; %s]",
			           now.there ? "changed" : "removed", p,
			           hook ? "a git hook that git runs outside any sandbox"
			                : "a protected path that changes what runs later or what "
			                  "checkpoints record",
			           can ? "deskhand puts it back as it was at the checkpoint after "
			                 "this command"
			               : "deskhand kept no copy of it (over 1 MiB, past the 64 MiB "
			                 "kept for one command, or unreadable) and cannot put it "
			                 "back: look at it");
		if (can) {
			size_t at = r->res.changed_protected.n;

			strv_add(&r->res.changed_protected, p);
			r->res.protected_was = xrealloc(r->res.protected_was,
			                                (at + 1) * sizeof *r->res.protected_was);
			r->res.protected_was[at] = k->was;
			k->was = (struct grant_copy){ 0 };
		}
		grant_copy_fini(&now);
		free(p);
		any = true;
	}
	kept_free(r);
	/* else the agent removes them once it put the files back */
	if (r->unsandboxed && !r->res.changed_protected.n)
		kept_unsave(r);
	return any;
}

/* Report watched protected paths the command created, for the agent to take
 * back after the checkpoint that follows the command. */
static void
protected_after(struct shell_run *r)
{
	size_t n = grant_count(r->env->grants);
	struct buf *t = &r->res.text;
	bool any = false;

	for (size_t g = 0; r->had && g < n; g++) {
		const struct grant *gr = grant_get(r->env->grants, g);

		for (size_t i = 0; i < NWATCHED; i++) {
			if (r->had[g * NWATCHED + i] || !exists_at(gr->dirfd, watched_protected[i]))
				continue;
			char *p = xasprintf("%s/%s", gr->path, watched_protected[i]);

			buf_printf(t, "\n[deskhand: this command created %s, a protected path that "
				      "changes what runs later or what checkpoints record; deskhand "
				      "takes it back at the checkpoint after this command]",
				   p);
			strv_add(&r->res.created_protected, p);
			free(p);
			any = true;
		}
	}
	for (size_t i = 0; i < r->git_absent.n; i++) {
		const char *p = r->git_absent.v[i];

		if (!exists_at(AT_FDCWD, p))
			continue;
		buf_printf(t, "\n[deskhand: this command created %s, which changes what git runs "
			      "in that repository; deskhand moves it aside at the checkpoint after "
			      "this command]",
			   p);
		strv_add(&r->res.created_protected, p);
		any = true;
	}
	strv_free(&r->git_absent);
	if (trees_after(r))
		any = true;
	if (kept_after(r)) /* it says the rules' change too */
		any = true;
	if (any)
		r->res.denied = true; /* an audit event, like any policy refusal */
}

static int sandbox_spawn(struct shell_run *r, struct tool_run **out);
static int guard_start(struct shell_run *r, struct tool_run **out);
static bool nested_repos(struct tool_env *env, struct strv *out, struct strv *all);

static const char *const sandbox_envp[] = {
	"PATH=" PROBE_SANDBOX_PATH,
	"LANG=C.UTF-8",
	NULL,
};

static void
shell_free(struct shell_run *r)
{
	ev_timer_disarm(r->loop, &r->timer);
	ev_timer_disarm(r->loop, &r->live_timer);
	if (r->store_fd >= 0)
		close(r->store_fd);
	free(r->store_path);
	free(r->store_err);
	buf_fini(&r->head);
	buf_fini(&r->tail);
	buf_fini(&r->live);
	proc_free(r->proc); /* SIGKILLs the group if it still runs */
	proc_free(r->trial);
	strv_free(&r->cmd);
	if (r->stdin_fd >= 0)
		close(r->stdin_fd);
	free(r->bwrap);
	free(r->had);
	rules_free(r);
	trees_free(r);
	strv_free(&r->repos);
	strv_free(&r->gitdirs);
	kept_free(r);
	strv_free(&r->git_absent);
	if (r->ready_r >= 0)
		close(r->ready_r);
	proxy_free(r->proxy);
	if (r->psock >= 0) {
		ev_io_del(r->loop, r->psock);
		close(r->psock);
	}
	tool_result_fini(&r->res);
	free(r->stop_why);
	free(r->call_id);
	free(r->copies_path);
	free(r);
}

static void
shell_cancel(struct tool_run *base)
{
	struct shell_run *r = (struct shell_run *)base;

	if (r->queued) { /* no command runs now: the job's end frees the run */
		r->cancelled = true;
		return;
	}
	if (r->in_done) {
		r->free_pending = true;
		return;
	}
	shell_free(r);
}

static void
deliver(struct shell_run *r)
{
	ev_timer_disarm(r->loop, &r->timer);
	r->finished = true;
	r->in_done = true;
	r->done(&r->res, r->ctx);
	r->in_done = false;
	if (r->free_pending)
		shell_free(r);
}

/*
 * Output: head and tail for the model, the whole in the session, live events
 */

/* Bytes of s[0, n) to skip so that s + skip starts a UTF-8 sequence. */
static size_t
utf8_start(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < 4 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static void
store_write(struct shell_run *r, const char *p, size_t n)
{
	if (r->store_fd < 0)
		return;
	if (n > TOOL_OUTPUT_STORE_MAX - r->stored)
		n = TOOL_OUTPUT_STORE_MAX - r->stored;
	while (n > 0) {
		ssize_t w = write(r->store_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r->store_err = xasprintf("%s: %s", r->store_path,
						 w < 0 ? strerror(errno) : "short write");
			close(r->store_fd);
			r->store_fd = -1;
			/* Not left behind: a part would read as the whole output,
			 * and on a full disk it keeps the disk full. */
			if (unlink(r->store_path) < 0 && errno != ENOENT)
				log_warn("%s: %s", r->store_path, strerror(errno));
			return;
		}
		p += w;
		n -= (size_t)w;
		r->stored += (size_t)w;
	}
}

/* The output just grew past cap: open the file that keeps it whole and
 * write what came so far (head holds all of it). A regular file takes these
 * writes at page-cache speed: they stay on the loop. */
static void
store_open(struct shell_run *r)
{
	struct tool_env *env = r->env;

	if (!env->store) {
		r->store_err = xstrdup("no session to store it in");
		return;
	}
	if (env->store(&r->store_fd, &r->store_path, env->hook_ctx) < 0) {
		r->store_fd = -1;
		r->store_err = xstrdup(err_msg());
		return;
	}
	store_write(r, r->head.ptr, r->head.len);
}

/* Send what waits in live as one tool_output event: valid UTF-8, at most
 * LIVE_KEEP bytes after a line saying how much was skipped. */
static void
live_flush(struct shell_run *r, bool final)
{
	struct tool_env *env = r->env;
	struct buf t = BUF_INIT;

	/* shell_output() lets live grow to twice LIVE_KEEP before it cuts: an
	 * event never carries more than the latest LIVE_KEEP. */
	if (r->live.len > LIVE_KEEP) {
		r->live_skipped += r->live.len - LIVE_KEEP;
		buf_consume(&r->live, r->live.len - LIVE_KEEP);
	}
	size_t start = 0, end = final ? r->live.len : utf8_end(r->live.ptr, r->live.len);

	if (!env->on_output || (end == 0 && !r->live_skipped))
		return;
	if (r->live_skipped) {
		start = utf8_start(r->live.ptr, end);
		const char *nl = memchr(r->live.ptr + start, '\n', end - start);

		if (nl && (size_t)(nl - r->live.ptr) < end / 2)
			start = (size_t)(nl - r->live.ptr) + 1;
		buf_printf(&t, "[… %zu bytes …]\n", r->live_skipped + start);
	}
	utf8_scrub(&t, r->live.ptr + start, end - start);
	buf_consume(&r->live, end);
	r->live_skipped = 0;
	r->live_last = ev_now_ms();
	if (t.len)
		env->on_output(t.ptr, t.len, env->hook_ctx);
	buf_fini(&t);
}

static void
on_live_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	live_flush(ctx, false);
}

static void
shell_output(struct proc *p, const char *data, size_t n, void *ctx)
{
	struct shell_run *r = ctx;
	bool was_short = r->total <= r->cap;

	(void)p;
	r->total += n;
	if (r->head.len < r->cap)
		buf_add(&r->head, data, n < r->cap - r->head.len ? n : r->cap - r->head.len);
	buf_add(&r->tail, data, n);
	if (r->tail.len > 2 * r->cap)
		buf_consume(&r->tail, r->tail.len - r->cap);
	if (was_short && r->total > r->cap) {
		size_t in_head = n - (r->total - r->cap); /* of this chunk, already in head */

		store_open(r);
		store_write(r, data + in_head, n - in_head);
	} else if (!was_short) {
		store_write(r, data, n);
	}

	if (!r->env->on_output)
		return;
	buf_add(&r->live, data, n);
	if (r->live.len > 2 * LIVE_KEEP) {
		r->live_skipped += r->live.len - LIVE_KEEP;
		buf_consume(&r->live, r->live.len - LIVE_KEEP);
	}
	if (!ev_timer_is_armed(&r->live_timer)) {
		uint64_t now = ev_now_ms(), due = r->live_last + TOOL_OUTPUT_FLUSH_MS;

		ev_timer_arm(r->loop, &r->live_timer, due > now ? due - now : 0);
	}
}

/* Append the output for the model: all of it, or (past cap) its first and
 * last halves cut at line ends where a line end is near, with a line naming
 * what was left out and where the whole is. */
static void
add_output(struct shell_run *r)
{
	struct buf *t = &r->res.text;
	size_t half = r->cap / 2;

	if (r->total <= r->cap) {
		utf8_scrub(t, r->head.ptr ? r->head.ptr : "", r->head.len);
	} else {
		size_t hl = utf8_end(r->head.ptr, half);
		const char *nl = memrchr(r->head.ptr, '\n', hl);

		if (nl && (size_t)(nl - r->head.ptr) + 1 >= hl / 2)
			hl = (size_t)(nl - r->head.ptr) + 1;
		const char *tp = r->tail.ptr + r->tail.len - half;
		size_t tl = half - utf8_start(tp, half);

		tp += half - tl;
		nl = memchr(tp, '\n', tl / 2);
		if (nl) {
			tl -= (size_t)(nl - tp) + 1;
			tp = nl + 1;
		}
		utf8_scrub(t, r->head.ptr, hl);
		if (t->len && t->ptr[t->len - 1] != '\n')
			buf_putc(t, '\n');
		buf_printf(t, "[… %zu bytes omitted: the first %zu and the last %zu of %zu bytes "
			      "are shown. ",
			   r->total - hl - tl, hl, tl, r->total);
		if (r->store_path && !r->store_err)
			buf_printf(t, "The whole output%s is stored in the session as %s "
				      "(read_tool_output with that id reads any part of it) …]\n",
				   r->stored < r->total ? " (its first 64 MB)" : "", r->store_path);
		else
			buf_printf(t, "The whole output could not be stored: %s …]\n",
				   r->store_err ? r->store_err : "unknown error");
		utf8_scrub(t, tp, tl);
		if (r->store_path && !r->store_err) {
			r->res.output_file = r->store_path;
			r->store_path = NULL;
		}
	}
	if (r->store_fd >= 0) {
		close(r->store_fd);
		r->store_fd = -1;
	}
	if (t->len && t->ptr[t->len - 1] != '\n')
		buf_putc(t, '\n');
}

static int trial_start(struct shell_run *r, struct tool_run **out);

/* Worker thread (or the loop, without a worker): what the command did to
 * the protected paths the sandbox could not bind, or, without the sandbox,
 * to all it would have kept read-only (protected_after), into r->res. */
static int
guard_after(void *ctx)
{
	protected_after(ctx);
	return 0;
}

static void
guard_after_done(int rc, const char *errmsg, void *ctx)
{
	struct shell_run *r = ctx;

	(void)rc;
	(void)errmsg;
	r->queued = false;
	if (r->cancelled)
		shell_free(r);
	else
		deliver(r);
}

/* The command's result for the model: its output, then how it ended, then
 * what it did to the protected paths (guard_after: stat()s, and without the
 * sandbox a read of each protected file kept, up to 1 MiB; on the worker
 * when there is one). */
static void
shell_finish(struct shell_run *r, int wstatus)
{
	struct buf *t = &r->res.text;

	ev_timer_disarm(r->loop, &r->live_timer);
	ev_timer_disarm(r->loop, &r->timer);
	live_flush(r, true);
	add_output(r);
	if (r->stop_why) {
		buf_printf(t, "%s was interrupted: %s", r->what, r->stop_why);
		r->res.is_error = true;
	} else if (WIFEXITED(wstatus)) {
		int code = WEXITSTATUS(wstatus);

		/* In exec mode 124 and 125 are the command's own: we time out
		 * ourselves, and a failed setup is known by the missing ready byte. */
		if (code == EXIT_TIMEOUT && !r->exec)
			buf_printf(t, "timed out after %d s", r->timeout_s);
		else if (code == EXIT_SETUP && r->setup_wstatus >= 0)
			buf_printf(t, "exit status %d (the sandbox could not be set up: bwrap %s %d; "
			              "the command did not run)",
			           code, WIFSIGNALED(r->setup_wstatus) ? "killed by signal" : "exit",
			           WIFSIGNALED(r->setup_wstatus) ? WTERMSIG(r->setup_wstatus)
			                                         : WEXITSTATUS(r->setup_wstatus));
		else if (code == EXIT_SETUP && !r->exec)
			buf_printf(t, "exit status %d (the sandbox could not be set up)", code);
		else if (code > 128 && code < 128 + 65)
			buf_printf(t, "killed by signal %d", code - 128);
		else
			buf_printf(t, "exit status %d", code);
		r->res.is_error = code != 0;
	} else if (r->timed_out) {
		buf_printf(t, "timed out after %d s", r->timeout_s);
		r->res.is_error = true;
	} else {
		buf_printf(t, "killed by signal %d", WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
		r->res.is_error = true;
	}
	if (r->env->worker) {
		r->queued = true;
		worker_post(r->env->worker, guard_after, guard_after_done, r);
		return;
	}
	protected_after(r);
	deliver(r);
}

static void
shell_exited(struct proc *p, int wstatus, struct buf *output, bool truncated, void *ctx)
{
	struct shell_run *r = ctx;
	struct tool_run *ignored;

	(void)p;
	(void)output;
	(void)truncated;
	char c;
	/* Without the sandbox nothing stands between: the command ran. */
	bool ran = r->env->unsandboxed || (r->ready_r >= 0 && read(r->ready_r, &c, 1) == 1);

	if (!ran && !r->timed_out && !r->stop_why) {
		/* The exec stage never sent its byte: bwrap (or the helper before it) failed
		 * to set the sandbox up, and the command did not run. The helper's 125 says
		 * that in its supervising mode; say it the same way. */
		r->setup_wstatus = wstatus;
		wstatus = EXIT_SETUP << 8; /* waitpid-style: exited 125 */
	}
	if (r->first && r->env->sandbox_trial == 0 && !r->stop_why) {
		if (ran) {
			r->env->sandbox_trial = 1; /* the command ran: its 125 is its own */
		} else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != EXIT_SETUP) {
			r->env->sandbox_trial = 1; /* the sandbox was set up: the trial passed */
		} else {
			/* Setup failed, or the command itself exited 125: the trial tells. */
			r->first_wstatus = wstatus;
			(void)trial_start(r, &ignored); /* failures arrive through done */
			return;
		}
	}
	shell_finish(r, wstatus);
}

static void
on_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct shell_run *r = ctx;

	(void)l;
	(void)t;
	if (r->repo_wait) {
		struct tool_run *ignored;

		/* failures arrive through done */
		(void)guard_start(r, &ignored);
		return;
	}
	if (r->proc && proc_is_running(r->proc)) {
		/* The timeout: kill the group (bwrap, which the helper became); its
		 * --die-with-parent and the PID namespace take the sandbox down. The
		 * exit arrives through shell_exited. */
		r->timed_out = true;
		proc_kill(r->proc, SIGKILL);
		return;
	}
	if (!r->finished && !r->proc)
		deliver(r); /* an error set up in start */
}

/* The listener deskhand-sandbox made inside the sandbox (SCM_RIGHTS), once. */
static void
on_proxy_sock(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct shell_run *r = ctx;

	(void)fd;
	(void)revents;
	/* No listener (the helper failed, and says so in the output): the command
	 * has no network at all. */
	proxy_take_listener(l, &r->psock, r->egress, &r->proxy);
}

/* Report an error from start through done, on the next loop iteration. */
static int
fail_later(struct shell_run *r, struct tool_run **out)
{
	r->res.is_error = true;
	ev_timer_arm(r->loop, &r->timer, 0);
	*out = &r->base;
	return 0;
}

/* The trial ran: remember its verdict for the session, then report the
 * result of the command that asked for it, or refuse that command with the
 * explanation. Only the session's first command asks for a trial, after
 * it ran and exited 125 (shell_exited, trial_start's one caller, under
 * r->first, which nothing clears): the command is never run again here. */
static void
trial_exited(struct proc *p, int wstatus, struct buf *output, bool truncated, void *ctx)
{
	struct shell_run *r = ctx;
	struct tool_env *env = r->env;

	(void)p;
	(void)truncated;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
		env->sandbox_trial = 1;
	} else if (env->sandbox_trial == 0) {
		struct buf b = BUF_INIT;

		probe_explain(&b, env->sandbox_path, r->bwrap, wstatus, buf_cstr(output));
		buf_puts(&b, ". 'deskhand doctor' runs every check. Commands never run "
		             "unsandboxed unless deskhand is started with "
		             "--dangerously-run-commands-unsandboxed.");
		snprintf(env->sandbox_refusal, sizeof env->sandbox_refusal, "%s", buf_cstr(&b));
		buf_fini(&b);
		env->sandbox_trial = -1;
	}
	if (env->sandbox_trial > 0) {
		shell_finish(r, r->first_wstatus); /* the 125 was the command's own */
		return;
	}
	tool_result_errorf(&r->res, "%s: refused, nothing was run: this machine "
	                            "cannot sandbox commands: %s",
	                   r->what, env->sandbox_refusal);
	deliver(r);
}

/* `deskhand-sandbox -- /bin/true` decides whether commands can run at all (a
 * child process, off the loop): run when the session's first command exited
 * 125 (its setup failed, or the command returned 125 itself). */
static int
trial_start(struct shell_run *r, struct tool_run **out)
{
	const char *argv[8];

	probe_trial_argv(argv, r->env->sandbox_path, r->bwrap);
	struct proc_spec spec = {
		.argv = argv,
		.envp = sandbox_envp,
		.stdin_fd = -1,
		.output_cap = 16 << 10,
	};

	if (proc_spawn(&r->trial, r->loop, &spec, trial_exited, r) < 0) {
		r->trial = NULL;
		tool_result_errorf(&r->res, "%s: sandbox trial: %s", r->what, err_msg());
		return fail_later(r, out);
	}
	*out = &r->base;
	return 0;
}

/* Worker thread (or the loop, without a worker): the protected paths as
 * they are before the command, to be checked after it (guard_after): which
 * are missing, in the grants and in the git directories of r->repos
 * (nested_repos) and of the submodules (protected_before: stat()s and up to
 * GITDIR_SUBMODULES_MAX directory reads, each as long as the directory);
 * without the sandbox also a copy of what it would keep read-only (up to
 * KEPT_TOTAL_MAX bytes read). */
static int
guard_before(void *ctx)
{
	struct shell_run *r = ctx;

	protected_before(r, &r->repos);
	if (r->unsandboxed) {
		kept_before(r);
		rules_before(r); /* from kept's copies */
		kept_save(r);
	}
	return 0;
}

/* Spawn the unsandboxed command, once guard_before has run. */
static int
unsandboxed_spawn(struct shell_run *r, struct tool_run **out)
{
	const char *root = grant_get(r->env->grants, 0)->path;
	char *home = xasprintf("HOME=%s", root);
	const char *envp[] = { sandbox_envp[0], sandbox_envp[1], home, "TMPDIR=/tmp", NULL };
	struct proc_spec spec = {
		.argv = (const char *const *)r->cmd.v,
		.envp = envp,
		.cwd = root,
		.stdin_fd = r->stdin_fd,
		.on_output = shell_output,
	};
	int rc = proc_spawn(&r->proc, r->loop, &spec, shell_exited, r);

	free(home);
	if (rc < 0) {
		r->proc = NULL;
		tool_result_errorf(&r->res, "%s: %s", r->what, err_msg());
		return fail_later(r, out);
	}
	ev_timer_arm(r->loop, &r->timer, (uint64_t)r->timeout_s * 1000);
	*out = &r->base;
	return 0;
}

/* Spawn the command in the sandbox or without it, once guard_before ran. */
static int
guard_spawn(struct shell_run *r, struct tool_run **out)
{
	return r->unsandboxed ? unsandboxed_spawn(r, out) : sandbox_spawn(r, out);
}

static void
guard_before_done(int rc, const char *errmsg, void *ctx)
{
	struct shell_run *r = ctx;
	struct tool_run *ignored;

	(void)rc;
	(void)errmsg;
	r->queued = false;
	if (r->cancelled)
		shell_free(r);
	else
		(void)guard_spawn(r, &ignored); /* failures arrive through done */
}

/* Once the nested repositories are known (nested_repos: waiting for the
 * watcher's first walk of the grants, looking again every REPO_POLL_MS for
 * at most REPO_WAIT_MS), note the protected paths as they are
 * (guard_before), on the worker when there is one, then spawn. */
static int
guard_start(struct shell_run *r, struct tool_run **out)
{
	strv_free(&r->res.repos_before);
	strv_free(&r->repos);
	r->res.repos_known = r->env->watch != NULL;
	if (!nested_repos(r->env, &r->repos, &r->res.repos_before) &&
	    r->repo_waited_ms < REPO_WAIT_MS) {
		r->repo_wait = true;
		r->repo_waited_ms += REPO_POLL_MS;
		ev_timer_arm(r->loop, &r->timer, REPO_POLL_MS);
		*out = &r->base;
		return 0;
	}
	if (r->repo_wait && r->repo_waited_ms >= REPO_WAIT_MS)
		log_warn("%s: the watcher has not finished reading the grants after %d ms; the "
		         "protected paths of the %zu nested repositories it found so far are "
		         "guarded", r->what, REPO_WAIT_MS, r->repos.n);
	r->repo_wait = false;
	if (!r->env->worker) {
		(void)guard_before(r);
		return guard_spawn(r, out);
	}
	r->queued = true;
	worker_post(r->env->worker, guard_before, guard_before_done, r);
	*out = &r->base;
	return 0;
}

/* --dangerously-run-commands-unsandboxed: plain /bin/sh -c in grant 0 with a
 * scrubbed environment and the timeout (its own process group is killed);
 * the result says so on its first line. The protected paths are copied
 * first (guard_start). */
static int
unsandboxed_start(struct shell_run *r, struct tool_run **out)
{
	buf_puts(&r->res.text, TOOL_UNSANDBOXED_MARK "\n");
	r->exec = true; /* no helper: its status is the command's own */
	r->unsandboxed = true;
	r->call_id = r->env->call_id ? xstrdup(r->env->call_id) : NULL;
	r->copies_path = r->env->session_dir
	                         ? xasprintf("%s/%s", r->env->session_dir, TOOL_PROTECTED_COPIES)
	                         : NULL;
	return guard_start(r, out);
}

/* tool_run_stop: kill the command; its result comes through shell_exited
 * and shell_finish as for a command that ended, protected paths checked. */
static bool
shell_stop(struct tool_run *base, const char *why)
{
	struct shell_run *r = (struct shell_run *)base;

	if (r->finished || r->cancelled)
		return false;
	if (r->stop_why)
		return true;
	if (r->queued) /* the checks before it (nothing ran: cancel) or after it */
		return r->proc != NULL;
	if (!r->proc || r->trial || !proc_is_running(r->proc))
		return false;
	r->stop_why = xstrdup(why ? why : "interrupted");
	proc_kill(r->proc, SIGKILL);
	return true;
}

/* Start cmd (NULL-terminated) in the sandbox as run_command does; stdin_fd is
 * taken over (closed by the run). */
static int
sandbox_start(struct tool_env *env, const char *what, const char *const *cmd, int stdin_fd,
              int timeout_s, struct tool_run **out, tool_done_fn *done, void *ctx)
{
	struct shell_run *r = xcalloc(1, sizeof *r);

	*out = NULL;
	size_t ngrants = env->grants ? grant_count(env->grants) : 0;

	r->base.cancel = shell_cancel;
	r->base.stop = shell_stop;
	r->loop = env->loop;
	r->done = done;
	r->ctx = ctx;
	r->cap = env->output_cap ? env->output_cap : TOOL_OUTPUT_CAP_DEF;
	r->egress = env->egress;
	r->psock = -1;
	r->ready_r = -1;
	r->setup_wstatus = -1;
	r->store_fd = -1;
	r->stdin_fd = stdin_fd;
	tool_result_init(&r->res);
	ev_timer_init(&r->timer, on_timer, r);
	ev_timer_init(&r->live_timer, on_live_timer, r);
	r->timeout_s = timeout_s;
	r->env = env;
	r->what = what;
	for (size_t i = 0; cmd[i]; i++)
		strv_add(&r->cmd, cmd[i]);
	ARRAY_GROW(r->cmd.v, r->cmd.n, r->cmd.cap, 1);
	r->cmd.v[r->cmd.n] = NULL; /* not counted */
	if (env->unsandboxed && ngrants > 0)
		return unsandboxed_start(r, out);

	if (!env->sandbox_path || !*env->sandbox_path) {
		tool_result_errorf(&r->res, "%s: the sandbox helper deskhand-sandbox was "
		                            "not found (no path configured); commands never run "
		                            "unsandboxed", what);
		return fail_later(r, out);
	}
	if (access(env->sandbox_path, X_OK) < 0) {
		tool_result_errorf(&r->res,
		                   "%s: the sandbox helper deskhand-sandbox was "
		                   "not found (%s: %s); commands never run unsandboxed",
		                   what, env->sandbox_path, strerror(errno));
		return fail_later(r, out);
	}
	if (ngrants == 0) {
		tool_result_errorf(&r->res, "%s: no folder is granted", what);
		return fail_later(r, out);
	}

	r->bwrap = env->bwrap_path ? xstrdup(env->bwrap_path) : probe_bwrap_path();
	if (env->sandbox_trial == 0) {
		r->first = true; /* no separate trial: this command is it */
		return guard_start(r, out);
	}
	if (env->sandbox_trial < 0) {
		tool_result_errorf(&r->res, "%s: refused, nothing was run: this machine "
		                            "cannot sandbox commands: %s",
		                   what, env->sandbox_refusal);
		return fail_later(r, out);
	}
	return guard_start(r, out);
}

int
tool_sandbox_start(struct tool_env *env, const char *what, const char *const *cmd, int stdin_fd,
                   int timeout_s, struct tool_run **out, tool_done_fn *done, void *ctx)
{
	if (timeout_s <= 0)
		timeout_s = env->default_timeout_s > 0 ? env->default_timeout_s : TOOL_TIMEOUT_DEF;
	if (timeout_s > TOOL_TIMEOUT_MAX)
		timeout_s = TOOL_TIMEOUT_MAX;
	return sandbox_start(env, what, cmd, stdin_fd, timeout_s, out, done, ctx);
}

static int
shell_start(const cJSON *in, struct tool_env *env, struct tool_run **out, tool_done_fn *done,
            void *ctx)
{
	const char *command = json_str(in, "command");
	const char *cmd[] = { "/bin/sh", "-c", command ? command : "", NULL };
	long long to = json_int(in, "timeout_s", 0);

	return tool_sandbox_start(env, "run_command", cmd, -1,
	                          (int)(to > TOOL_TIMEOUT_MAX ? TOOL_TIMEOUT_MAX : to), out, done,
	                          ctx);
}

/* The git repositories below the grants, whose git directories the sandbox
 * protects (those one folder down it finds itself; the others it is given,
 * --repo) and whose missing entries protected_before() notes, appended to
 * `out`: at most TOOL_SANDBOX_REPOS_MAX, nearest first, grant 0's first.
 * Grant i is the watcher's grant i (engine_open). Every one the watcher lists
 * (up to WATCH_REPOS_MAX a grant) goes into `all`, uniq'ed: the checkpoint
 * after the command tells the ones it made (tool_result.repos_before).
 * Returns false while the watcher's first walk of a grant still runs (more
 * may come), else true (no watcher: nothing to wait for). */
static bool
nested_repos(struct tool_env *env, struct strv *out, struct strv *all)
{
	size_t n = env->grants ? grant_count(env->grants) : 0;
	bool whole = true;

	for (size_t i = 0; env->watch && i < n; i++) {
		size_t from = all->n;
		int rc = watch_repos(env->watch, i, 1, WATCH_REPOS_MAX, all);

		if (rc < 0)
			log_warn("run_command: %s", err_msg());
		for (size_t k = from; k < all->n && out->n < TOOL_SANDBOX_REPOS_MAX; k++)
			strv_add(out, all->v[k]);
		whole &= rc != 0;
	}
	strv_uniq(all);
	return whole;
}

/* Build deskhand-sandbox's argv and spawn it, once the nested repositories
 * are known and the protected paths noted (guard_start). */
static int
sandbox_spawn(struct shell_run *r, struct tool_run **out)
{
	struct tool_env *env = r->env;
	size_t ngrants = grant_count(env->grants);
	int pair[2] = { -1, -1 }, ready[2] = { -1, -1 };

	if (r->egress && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		tool_result_errorf(&r->res, "run_command: socketpair: %s", strerror(errno));
		return fail_later(r, out);
	}
	/* The exec stage's byte on it, read after the exit, says the command ran. */
	r->setup_wstatus = -1;
	r->timed_out = false;
	r->exec = true;
	if (pipe2(ready, O_CLOEXEC | O_NONBLOCK) < 0) {
		tool_result_errorf(&r->res, "run_command: pipe: %s", strerror(errno));
		if (pair[0] >= 0) {
			close(pair[0]);
			close(pair[1]);
		}
		return fail_later(r, out);
	}

	const char **rw = xcalloc(ngrants + 1, sizeof *rw);
	struct strv argv = ARRAY_INIT, deeper = ARRAY_INIT;

	for (size_t i = 0; i < ngrants; i++)
		rw[i] = grant_get(env->grants, i)->path;
	/* The helper finds those one folder down itself: --repo for the others. */
	for (size_t k = 0; k < r->repos.n; k++) {
		const char *rp = r->repos.v[k], *slash = strrchr(rp, '/');
		bool top = false;

		for (size_t i = 0; slash && i < ngrants && !top; i++)
			top = strlen(rw[i]) == (size_t)(slash - rp) &&
			      !strncmp(rw[i], rp, (size_t)(slash - rp));
		if (!top)
			strv_add(&deeper, rp);
	}
	tool_sandbox_argv(&argv, &(struct tool_sandbox_spec){
		.sandbox = env->sandbox_path, .bwrap = r->bwrap, .host_paths = env->host_paths,
		.repos = &deeper, .rw = rw, .nrw = ngrants,
		.chdir = grant_get(env->grants, 0)->path, .timeout_s = r->timeout_s,
		.proxy_fd = pair[1], .exec_ready_fd = ready[1],
		.cmd = (const char *const *)r->cmd.v });
	free(rw);
	strv_free(&deeper);
	const int keep[] = { ready[1], pair[1] };

	struct proc_spec spec = {
		.argv = (const char *const *)argv.v,
		.envp = sandbox_envp, /* never ours: it holds the API key */
		.cwd = NULL,
		.stdin_fd = r->stdin_fd,
		.on_output = shell_output,
		.keep_fds = keep,
		.nkeep_fds = pair[1] >= 0 ? 2 : 1,
	};
	int rc = proc_spawn(&r->proc, r->loop, &spec, shell_exited, r);

	strv_free(&argv);
	close(ready[1]);
	if (r->ready_r >= 0)
		close(r->ready_r); /* an earlier spawn's */
	r->ready_r = ready[0];
	if (pair[1] >= 0)
		close(pair[1]);
	if (pair[0] >= 0) {
		r->psock = pair[0];
		if (rc == 0 && ev_io_set(r->loop, r->psock, POLLIN, on_proxy_sock, r) < 0)
			rc = DH_EFAIL;
	}
	if (rc < 0) {
		r->proc = NULL;
		tool_result_errorf(&r->res, "%s: %s", r->what, err_msg());
		return fail_later(r, out);
	}
	ev_timer_arm(r->loop, &r->timer, (uint64_t)r->timeout_s * 1000);
	*out = &r->base;
	return 0;
}

const struct tool_entry tool_shell_entries[] = {
	{
		.name = "run_command",
		.description =
			"Run a shell command (/bin/sh -c) in a sandbox, with the first granted "
			"folder as the working directory. Inside the sandbox only the granted "
			"folders are writable (git hooks, git config, shell startup files and "
			"editor or agent settings in them stay read-only); the rest of the "
			"system is read-only, /tmp is private and empty, the home directory is "
			"not visible, and there is no direct network access: HTTP and HTTPS "
			"go through a proxy (HTTP_PROXY/HTTPS_PROXY are set) that reaches only "
			"hosts on the person's egress allowlist, and there is no DNS. Standard input is "
			"empty, so interactive programs cannot be used. stdout and stderr are "
			"returned together, then a last line with the exit status; a long output "
			"keeps its first and last 16 KB with a note of how much was left out "
			"in between (narrow the command, e.g. with grep, to see that part). The command and everything it started "
			"are killed after `timeout_s` seconds (default 120, at most 1800). Use "
			"the file tools, not shell commands, to read, write or edit files.",
		.input_schema = "{\"type\":\"object\",\"properties\":{"
				"\"command\":{\"type\":\"string\",\"description\":"
				"\"The shell command line.\"},"
				"\"timeout_s\":{\"type\":\"integer\",\"minimum\":1,\"description\":"
				"\"Seconds before the command is killed (default 120).\"}},"
				"\"required\":[\"command\"]}",
		.flags = TOOL_F_MUTATES,
		.start = shell_start,
	},
	{ .name = NULL },
};

/* SPDX-License-Identifier: MIT */
/*
 * The watcher: raw inotify (<sys/inotify.h>) on a thread of its own, one
 * watch per directory of each grant, turned into per-grant sets of dirty
 * paths that the loop is told about through an eventfd. It does not read
 * file contents or touch snapshots: checkpoints (snap/) consume the sets.
 */
#include "watch/watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/ignore.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/xalloc.h"

#define GRANTS_MAX 64
#define WATCH_MASK                                                                            \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |    \
	 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/*
 * A set of strings (open addressing, linear probing; never shrinks).
 */
struct strset {
	char **slots;
	size_t cap, n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void
strset_insert_slot(struct strset *ss, char *s)
{
	size_t i = hash_str(s) & (ss->cap - 1);

	while (ss->slots[i])
		i = (i + 1) & (ss->cap - 1);
	ss->slots[i] = s;
}

/* Add a copy of `s`; false if it was already there. */
static bool
strset_add(struct strset *ss, const char *s)
{
	if ((ss->n + 1) * 2 > ss->cap) {
		struct strset old = *ss;

		ss->cap = ss->cap ? ss->cap * 2 : 64;
		ss->slots = xcalloc(ss->cap, sizeof *ss->slots);
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i])
				strset_insert_slot(ss, old.slots[i]);
		free(old.slots);
	}
	size_t i = hash_str(s) & (ss->cap - 1);
	for (; ss->slots[i]; i = (i + 1) & (ss->cap - 1))
		if (!strcmp(ss->slots[i], s))
			return false;
	ss->slots[i] = xstrdup(s);
	ss->n++;
	return true;
}

static void
strset_clear(struct strset *ss)
{
	for (size_t i = 0; i < ss->cap; i++)
		free(ss->slots[i]);
	free(ss->slots);
	memset(ss, 0, sizeof *ss);
}

/*
 * Watch descriptors → (grant, directory path). Open addressing keyed by wd;
 * removed slots become tombstones, cleaned when the table is rebuilt.
 */
#define WD_EMPTY (-1)
#define WD_TOMB	 (-2)

struct wdent {
	int wd;
	unsigned grant;
	char *rel; /* "" for the grant root */
};

struct wdmap {
	struct wdent *slots;
	size_t cap, n, used; /* used = live + tombstones */
};

static size_t
wd_hash(int wd, size_t cap)
{
	return ((uint32_t)wd * 2654435761u) & (cap - 1);
}

static struct wdent *
wd_find(struct wdmap *m, int wd)
{
	if (!m->cap)
		return NULL;
	for (size_t i = wd_hash(wd, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].wd == wd)
			return &m->slots[i];
		if (m->slots[i].wd == WD_EMPTY)
			return NULL;
	}
}

static void
wd_rebuild(struct wdmap *m, size_t cap)
{
	struct wdmap old = *m;

	m->cap = cap;
	m->slots = xmalloc(cap * sizeof *m->slots);
	for (size_t i = 0; i < cap; i++)
		m->slots[i].wd = WD_EMPTY;
	m->n = m->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].wd < 0)
			continue;
		size_t j = wd_hash(old.slots[i].wd, cap);
		while (m->slots[j].wd != WD_EMPTY)
			j = (j + 1) & (cap - 1);
		m->slots[j] = old.slots[i];
		m->n++;
		m->used++;
	}
	free(old.slots);
}

/* Record (or re-point: inotify returns the same wd for an inode already
 * watched) wd's directory. */
static void
wd_set(struct wdmap *m, int wd, unsigned grant, const char *rel)
{
	struct wdent *e = wd_find(m, wd);

	if (e) {
		free(e->rel);
		e->rel = xstrdup(rel);
		e->grant = grant;
		return;
	}
	if ((m->used + 1) * 2 > m->cap) {
		size_t cap = 256;

		while (cap < (m->n + 1) * 4)
			cap *= 2;
		wd_rebuild(m, cap);
	}
	size_t i = wd_hash(wd, m->cap);
	while (m->slots[i].wd >= 0)
		i = (i + 1) & (m->cap - 1);
	if (m->slots[i].wd == WD_EMPTY)
		m->used++;
	m->slots[i] = (struct wdent){ wd, grant, xstrdup(rel) };
	m->n++;
}

static void
wd_remove(struct wdmap *m, struct wdent *e)
{
	free(e->rel);
	e->rel = NULL;
	e->wd = WD_TOMB;
	m->n--;
}

static void
wd_clear(struct wdmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].wd >= 0)
			free(m->slots[i].rel);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/*
 * The watcher
 */

struct wgrant {
	bool used;
	char *root;	     /* absolute folder path */
	char *skip_rel;	     /* the state dir relative to root, or NULL */
	struct ignore *ign;  /* .deskhandignore (watcher thread only) */
	bool walked;	     /* its first walk began (watcher thread only) */
	/* under mu: */
	bool walk_pending;   /* the thread must (re)walk the whole tree */
	bool ready;	     /* the first walk finished */
	bool full;	     /* everything is dirty */
	struct strset dirty; /* dirty paths (when !full) */
	struct strv repos;   /* folders (relative) holding a .git (a directory or a
	                      * "gitdir:" file), below the root; unsorted, unique, at
	                      * most WATCH_REPOS_MAX */
	bool repos_capped;   /* one more was found (logged once) */
};

struct watch {
	struct ev_loop *loop;
	watch_change_fn *fn;
	void *ctx;
	int ifd;		/* inotify */
	int cfd;		/* eventfd: loop/worker → watcher thread (requests) */
	int nfd;		/* eventfd: watcher thread → loop (something changed) */
	pthread_t thread;
	bool started;
	struct ev_timer debounce;
	struct wgrant g[GRANTS_MAX];
	struct wdmap map;	/* watcher thread only */

	pthread_mutex_t mu;	/* guards everything below and wgrant's "under mu" */
	pthread_cond_t cv;
	bool stop, paused;
	bool exited;		/* the thread is done with the watcher */
	bool orphaned;		/* watch_free() left the rest to the thread */
	unsigned long sync_req, sync_done;
	char *degraded;		/* reason, or NULL */
	unsigned long overflows;
	size_t nwatches;
};

static void
wake(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof one);

	(void)n; /* a full counter still wakes the reader */
}

/* True once watch_free() told the thread to stop: walks and event reading
 * end at the next directory. */
static bool
stopping(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	bool stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static void
set_degraded(struct watch *w, const char *why)
{
	pthread_mutex_lock(&w->mu);
	if (!w->degraded) {
		w->degraded = xstrdup(why);
		log_warn("watcher degraded: %s", why);
	}
	pthread_mutex_unlock(&w->mu);
	wake(w->nfd);
}

static void
mark_full(struct watch *w, unsigned gi)
{
	pthread_mutex_lock(&w->mu);
	w->g[gi].full = true;
	strset_clear(&w->g[gi].dirty);
	pthread_mutex_unlock(&w->mu);
}

static void
mark_dirty(struct watch *w, unsigned gi, const char *rel)
{
	struct wgrant *g = &w->g[gi];

	pthread_mutex_lock(&w->mu);
	if (!g->full && strset_add(&g->dirty, rel) && g->dirty.n > WATCH_DIRTY_MAX) {
		g->full = true;
		strset_clear(&g->dirty);
	}
	pthread_mutex_unlock(&w->mu);
}

/* A nested repository seen (the walk or an event found `rel`/.git) or gone
 * (`rel`/.git, or a folder holding `rel`, removed or moved away). */
static void
repo_seen(struct watch *w, unsigned gi, const char *rel)
{
	struct strv *r = &w->g[gi].repos;

	pthread_mutex_lock(&w->mu);
	size_t i = 0;
	while (i < r->n && strcmp(r->v[i], rel))
		i++;
	if (i == r->n && r->n < WATCH_REPOS_MAX)
		strv_add(r, rel);
	else if (i == r->n && !w->g[gi].repos_capped) {
		w->g[gi].repos_capped = true;
		log_warn("watcher: more than %d repositories in %s; %s/%s and others are not "
		         "listed", WATCH_REPOS_MAX, w->g[gi].root, w->g[gi].root, rel);
	}
	pthread_mutex_unlock(&w->mu);
}

static void
repos_gone(struct watch *w, unsigned gi, const char *prefix)
{
	struct strv *r = &w->g[gi].repos;
	size_t len = strlen(prefix);

	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < r->n;) {
		if (!strncmp(r->v[i], prefix, len) && (!r->v[i][len] || r->v[i][len] == '/')) {
			free(r->v[i]);
			r->v[i] = r->v[--r->n];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&w->mu);
}

static char *
join(const char *dir, const char *name)
{
	return *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

/* Paths that never produce work: `.git` entries (any case, as snap_scan), the
 * state dir, and .deskhandignore matches. */
static bool
is_skipped(const struct wgrant *g, const char *rel, const char *name, bool is_dir)
{
	return !strcasecmp(name, ".git") || (g->skip_rel && !strcmp(rel, g->skip_rel)) ||
	       ignore_match(g->ign, rel, is_dir);
}

/* Add watches on directory `rel` of grant gi and every directory below it.
 * Runs on the watcher thread; events keep queueing in the kernel meanwhile.
 * A stop (watch_free) ends it at the next directory, or within
 * WALK_STOP_EVERY entries of a big one: the first walk of a big folder takes
 * seconds, and the loop must not wait for it. Returns false when it stopped
 * so, with directories left unwatched. */
#define WALK_STOP_EVERY 4096
static bool
walk(struct watch *w, unsigned gi, const char *rel)
{
	struct wgrant *g = &w->g[gi];
	ARRAY(char *) stack = ARRAY_INIT; /* directories still to watch, heap */
	bool stopped = false;
	size_t seen = 0;

	ARRAY_PUSH(&stack, xstrdup(rel));
	while (stack.n) {
		if ((stopped = stopping(w)))
			break;
		char *cur = stack.v[--stack.n];
		char *abs = *cur ? xasprintf("%s/%s", g->root, cur) : xstrdup(g->root);
		int wd = inotify_add_watch(w->ifd, abs, WATCH_MASK);

		if (wd < 0) {
			if (errno == ENOSPC || errno == ENOMEM) {
				char why[256];

				snprintf(why, sizeof why,
				         "inotify watch limit reached (fs.inotify.max_user_watches) "
				         "in %s; checkpoints use full scans",
				         g->root);
				set_degraded(w, why);
				mark_full(w, gi);
				free(abs);
				free(cur);
				while (stack.n)
					free(stack.v[--stack.n]);
				break;
			}
			/* vanished, not a directory (any more), unreadable: skip */
			free(abs);
			free(cur);
			continue;
		}
		wd_set(&w->map, wd, gi, cur);
		int dfd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;

		if (!d && dfd >= 0)
			close(dfd);
		while (!stopped && d && (de = readdir(d))) {
			bool isdir = de->d_type == DT_DIR;
			struct stat st;

			if (++seen % WALK_STOP_EVERY == 0 && (stopped = stopping(w)))
				break;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			bool isreg = de->d_type == DT_REG;

			if (de->d_type == DT_UNKNOWN &&
			    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				isdir = S_ISDIR(st.st_mode);
				isreg = S_ISREG(st.st_mode);
			}
			/* a .git directory, or a worktree's or submodule checkout's file */
			if (*cur && (isdir || isreg) && !strcmp(de->d_name, ".git"))
				repo_seen(w, gi, cur);
			if (!isdir)
				continue;
			char *child = join(cur, de->d_name);
			if (is_skipped(g, child, de->d_name, true)) {
				free(child);
				continue;
			}
			ARRAY_PUSH(&stack, child);
		}
		if (d)
			closedir(d);
		free(abs);
		free(cur);
	}
	while (stack.n)
		free(stack.v[--stack.n]);
	ARRAY_FREE(&stack);
	pthread_mutex_lock(&w->mu);
	w->nwatches = w->map.n;
	pthread_mutex_unlock(&w->mu);
	return !stopped;
}

/* Stop watching directory `rel` and everything below it (it was moved away;
 * if it reappears inside the grant, IN_MOVED_TO walks it again). */
static void
unwatch_prefix(struct watch *w, unsigned gi, const char *rel)
{
	size_t len = strlen(rel);

	for (size_t i = 0; i < w->map.cap; i++) {
		struct wdent *e = &w->map.slots[i];

		if (e->wd < 0 || e->grant != gi || strncmp(e->rel, rel, len) ||
		    (e->rel[len] && e->rel[len] != '/'))
			continue;
		inotify_rm_watch(w->ifd, e->wd);
		wd_remove(&w->map, e);
	}
}

static void
reload_rules(struct watch *w, unsigned gi)
{
	struct wgrant *g = &w->g[gi];

	ignore_free(g->ign);
	if (ignore_load(&g->ign, g->root) < 0)
		log_warn("watcher: %s", err_msg());
}

/* Every event was possibly lost: rescan all grants, re-walk for new dirs. */
static void
overflow(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	w->overflows++;
	pthread_mutex_unlock(&w->mu);
	log_warn("watcher: inotify queue overflow; every grant is rescanned");
	for (unsigned gi = 0; gi < GRANTS_MAX; gi++) {
		if (!w->g[gi].used)
			continue;
		mark_full(w, gi);
		if (!walk(w, gi, ""))
			return;
	}
}

/* `dir` (absolute) relative to grant g's root: "" for the root itself, NULL
 * when it is not inside the grant. */
static const char *
grant_rel(const struct wgrant *g, const char *dir)
{
	size_t len = strlen(g->root);

	if (len == 1)
		return dir + 1;
	if (strncmp(dir, g->root, len) || (dir[len] && dir[len] != '/'))
		return NULL;
	return dir[len] ? dir + len + 1 : dir + len;
}

/* Event e in directory `rel` of grant gi. */
static void
grant_event(struct watch *w, unsigned gi, const char *rel, const struct inotify_event *e)
{
	struct wgrant *g = &w->g[gi];

	if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		/* The parent's IN_DELETE/IN_MOVED_FROM covers a subdirectory; the
		 * grant root itself has no watched parent. */
		if (!rel[0]) {
			char *why = xasprintf("the folder %s was moved or deleted", g->root);
			set_degraded(w, why);
			free(why);
			mark_full(w, gi);
		}
		return;
	}
	if ((!e->len || !e->name[0]) && !rel[0] && (e->mask & IN_ATTRIB))
		mark_dirty(w, gi, "."); /* the folder's own mode: checkpoints record it */
	if (!e->len || !e->name[0])
		return; /* about a directory itself: its parent's event names it */
	bool isdir = (e->mask & IN_ISDIR) != 0;
	char *child = join(rel, e->name);

	if (rel[0] && !strcmp(e->name, ".git")) { /* a directory or a "gitdir:" file */
		if (e->mask & (IN_CREATE | IN_MOVED_TO))
			repo_seen(w, gi, rel);
		else if (e->mask & (IN_DELETE | IN_MOVED_FROM))
			repos_gone(w, gi, rel);
	}
	if (!rel[0] && !strcmp(e->name, IGNORE_FILE)) {
		/* New rules change what is watched and what snapshots hold; even
		 * rules that name the file itself, or the file's removal would go
		 * unseen and theirs stay in force. */
		reload_rules(w, gi);
		mark_full(w, gi);
		walk(w, gi, "");
		goto out;
	}
	if (is_skipped(g, child, e->name, isdir))
		goto out;
	/* Renames need no pairing by cookie here: each side is marked on its
	 * own (both paths dirty), a directory moved away loses its watches and
	 * one moved in is walked afresh. */
	if (isdir && (e->mask & (IN_MOVED_FROM | IN_DELETE)))
		repos_gone(w, gi, child);
	if (isdir && (e->mask & IN_MOVED_FROM))
		unwatch_prefix(w, gi, child);
	if (isdir && (e->mask & (IN_CREATE | IN_MOVED_TO)))
		walk(w, gi, child);
	mark_dirty(w, gi, child);
out:
	free(child);
}

/* One inotify event. A directory has one watch however many grants hold
 * it (inotify hands out one wd per inode), so with one grant inside another
 * the event is every such grant's, each under its own relative path. */
static void
handle_event(struct watch *w, const struct inotify_event *e)
{
	if (e->wd < 0) {
		if (e->mask & IN_Q_OVERFLOW)
			overflow(w);
		return;
	}
	struct wdent *d = wd_find(&w->map, e->wd);
	if (!d)
		return; /* a watch we already dropped */
	if (e->mask & IN_IGNORED) {
		wd_remove(&w->map, d);
		return;
	}
	/* a copy: walks below may move the map's entries */
	const struct wgrant *owner = &w->g[d->grant];
	char *dir = !d->rel[0]                ? xstrdup(owner->root)
	            : !strcmp(owner->root, "/") ? xasprintf("/%s", d->rel)
	                                        : xasprintf("%s/%s", owner->root, d->rel);

	for (unsigned gi = 0; gi < GRANTS_MAX; gi++) {
		const char *rel = w->g[gi].walked ? grant_rel(&w->g[gi], dir) : NULL;

		if (rel)
			grant_event(w, gi, rel, e);
	}
	free(dir);
}

/* Read and handle every queued event. Returns true if any was read. */
static bool
drain(struct watch *w)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (!stopping(w)) {
		ssize_t n = read(w->ifd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		any = true;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			handle_event(w, e);
			p += sizeof *e + e->len;
		}
	}
	return any;
}

/* Free the watcher, once its thread is gone or is the caller. */
static void
release(struct watch *w)
{
	if (w->nfd >= 0)
		close(w->nfd);
	if (w->cfd >= 0)
		close(w->cfd);
	if (w->ifd >= 0)
		close(w->ifd); /* drops every watch */
	for (unsigned gi = 0; gi < GRANTS_MAX; gi++) {
		free(w->g[gi].root);
		free(w->g[gi].skip_rel);
		ignore_free(w->g[gi].ign);
		strset_clear(&w->g[gi].dirty);
		strv_free(&w->g[gi].repos);
	}
	wd_clear(&w->map);
	free(w->degraded);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

static void *
thread_main(void *arg)
{
	struct watch *w = arg;
	bool walks[GRANTS_MAX];

	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (w->stop) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		unsigned long target = w->sync_req;
		bool paused = w->paused, anywalk = false;
		for (unsigned gi = 0; gi < GRANTS_MAX; gi++) {
			walks[gi] = w->g[gi].walk_pending;
			w->g[gi].walk_pending = false;
			anywalk |= walks[gi];
		}
		pthread_mutex_unlock(&w->mu);

		for (unsigned gi = 0; gi < GRANTS_MAX; gi++) {
			if (!walks[gi])
				continue;
			reload_rules(w, gi);
			w->g[gi].walked = true;
			if (!walk(w, gi, ""))
				break; /* told to stop: the top of the loop ends it */
			pthread_mutex_lock(&w->mu);
			w->g[gi].ready = true;
			w->g[gi].full = true; /* anything before the walk may be unseen */
			pthread_mutex_unlock(&w->mu);
		}
		bool any = !paused && drain(w);
		pthread_mutex_lock(&w->mu);
		if (!paused) {
			w->sync_done = target;
			pthread_cond_broadcast(&w->cv);
		}
		pthread_mutex_unlock(&w->mu);
		if (any || anywalk)
			wake(w->nfd);

		struct pollfd p[2] = { { .fd = w->cfd, .events = POLLIN },
			               { .fd = w->ifd, .events = paused ? 0 : POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			log_warn("watcher: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents & POLLIN) {
			uint64_t v;
			ssize_t r = read(w->cfd, &v, sizeof v);
			(void)r;
		}
	}
	/* Closing the inotify fd drops every watch, which takes the kernel a
	 * grace period and 0.1 s or more for 100,000 watches: here, not on the
	 * loop. */
	close(w->ifd);
	w->ifd = -1;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	w->exited = true;
	bool orphaned = w->orphaned;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (orphaned)
		release(w);
	return NULL;
}

/*
 * Loop side
 */

static void
on_debounce(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct watch *w = ctx;

	(void)l;
	(void)t;
	if (w->fn)
		w->fn(w, w->ctx);
}

static void
on_notify(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct watch *w = ctx;
	uint64_t v;

	(void)revents;
	while (read(fd, &v, sizeof v) == (ssize_t)sizeof v)
		;
	if (!ev_timer_is_armed(&w->debounce))
		ev_timer_arm(l, &w->debounce, WATCH_DEBOUNCE_MS);
}

int
watch_new(struct watch **out, struct ev_loop *loop, watch_change_fn *fn, void *ctx)
{
	struct watch *w = xcalloc(1, sizeof *w);
	int rc;

	*out = NULL;
	w->loop = loop;
	w->fn = fn;
	w->ctx = ctx;
	w->cfd = w->nfd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	ev_timer_init(&w->debounce, on_debounce, w);
	w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ifd < 0) {
		rc = err_set("inotify_init1: %s%s", strerror(errno),
		             errno == EMFILE ? " (fs.inotify.max_user_instances reached)" : "");
		goto fail;
	}
	w->cfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->nfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->cfd < 0 || w->nfd < 0) {
		rc = err_set("eventfd: %s", strerror(errno));
		goto fail;
	}
	if ((rc = ev_io_set(loop, w->nfd, POLLIN, on_notify, w)) < 0)
		goto fail;
	if ((rc = pthread_create(&w->thread, NULL, thread_main, w)) != 0) {
		rc = err_set("pthread_create: %s", strerror(rc));
		goto fail;
	}
	w->started = true;
	*out = w;
	return 0;
fail:
	watch_free(w);
	return rc;
}

/* The loop's part is done at once; a thread still walking or reading stops
 * at its next directory, drops the watches and frees the rest itself
 * (detached), so the loop waits for neither. */
void
watch_free(struct watch *w)
{
	if (!w)
		return;
	ev_timer_disarm(w->loop, &w->debounce);
	if (w->nfd >= 0)
		ev_io_del(w->loop, w->nfd);
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		bool exited = w->exited;
		if (!exited) {
			/* under mu: the thread frees w only after taking it */
			w->orphaned = true;
			pthread_cond_broadcast(&w->cv);
			wake(w->cfd);
			pthread_detach(w->thread);
		}
		pthread_mutex_unlock(&w->mu);
		if (!exited)
			return;
		pthread_join(w->thread, NULL); /* it has returned, or is returning */
	}
	release(w);
}

int
watch_add_tree(struct watch *w, size_t grant, const char *path, const char *state_dir)
{
	struct stat st;
	char *sreal = NULL;

	if (grant >= GRANTS_MAX)
		return err_set("watcher: grant number %zu out of range", grant);
	if (!path || path[0] != '/' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set("watcher: %s is not a folder", path ? path : "");
	pthread_mutex_lock(&w->mu);
	struct wgrant *g = &w->g[grant];
	if (g->used) {
		pthread_mutex_unlock(&w->mu);
		return err_set("watcher: grant %zu is already watched", grant);
	}
	g->used = true;
	g->root = xstrdup(path);
	size_t len = strlen(g->root);
	while (len > 1 && g->root[len - 1] == '/')
		g->root[--len] = '\0';
	if (state_dir && (sreal = realpath(state_dir, NULL))) {
		if (len == 1 && sreal[1])
			g->skip_rel = xstrdup(sreal + 1);
		else if (!strncmp(sreal, g->root, len) && sreal[len] == '/')
			g->skip_rel = xstrdup(sreal + len + 1);
	}
	g->full = true;
	g->walk_pending = true;
	pthread_mutex_unlock(&w->mu);
	free(sreal);
	wake(w->cfd);
	return 0;
}

/* Grant `grant` with w->mu held, or NULL (mu not held, DH_ENOTFOUND set)
 * when it was never added. */
static struct wgrant *
lock_grant(struct watch *w, size_t grant)
{
	if (grant < GRANTS_MAX) {
		pthread_mutex_lock(&w->mu);
		if (w->g[grant].used)
			return &w->g[grant];
		pthread_mutex_unlock(&w->mu);
	}
	err_setc(DH_ENOTFOUND, "watcher: no grant %zu", grant);
	return NULL;
}

int
watch_take_dirty(struct watch *w, size_t grant, struct watch_dirty *out)
{
	memset(out, 0, sizeof *out);
	struct wgrant *g = lock_grant(w, grant);
	if (!g)
		return DH_ENOTFOUND;
	struct strset set = g->dirty;
	memset(&g->dirty, 0, sizeof g->dirty);
	out->full = g->full || !g->ready || w->degraded;
	if (g->ready)
		g->full = false;
	pthread_mutex_unlock(&w->mu);

	if (!out->full && set.n) {
		out->paths = xmalloc(set.n * sizeof *out->paths);
		for (size_t i = 0; i < set.cap; i++) {
			if (set.slots[i]) {
				out->paths[out->n++] = set.slots[i];
				set.slots[i] = NULL;
			}
		}
		qsort(out->paths, out->n, sizeof *out->paths, strv_cmp);
	}
	strset_clear(&set);
	return 0;
}

void
watch_dirty_fini(struct watch_dirty *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	memset(d, 0, sizeof *d);
}

void
watch_sync(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	unsigned long mine = ++w->sync_req;
	pthread_mutex_unlock(&w->mu);
	wake(w->cfd);
	pthread_mutex_lock(&w->mu);
	while (w->sync_done < mine && !w->stop)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

bool
watch_is_degraded(const struct watch *w)
{
	struct watch *mw = (struct watch *)w; /* the mutex is not part of the value */
	bool d;

	pthread_mutex_lock(&mw->mu);
	d = w->degraded != NULL;
	pthread_mutex_unlock(&mw->mu);
	return d;
}

void
watch_status(const struct watch *w, struct buf *out)
{
	struct watch *mw = (struct watch *)w;

	pthread_mutex_lock(&mw->mu);
	buf_printf(out, "inotify, %zu director%s watched", w->nwatches,
	           w->nwatches == 1 ? "y" : "ies");
	if (w->degraded)
		buf_printf(out, "; degraded: %s", w->degraded);
	if (w->overflows)
		buf_printf(out, "; %lu overflow%s (rescanned)", w->overflows,
		           w->overflows == 1 ? "" : "s");
	pthread_mutex_unlock(&mw->mu);
}

void
watch_pause(struct watch *w, bool paused)
{
	pthread_mutex_lock(&w->mu);
	w->paused = paused;
	pthread_mutex_unlock(&w->mu);
	wake(w->cfd);
}

static int
repo_nearer(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t dx = 0, dy = 0;

	for (const char *p = x; *p; p++)
		dx += *p == '/';
	for (const char *p = y; *p; p++)
		dy += *p == '/';
	return dx != dy ? (dx < dy ? -1 : 1) : strcmp(x, y);
}

int
watch_repos(struct watch *w, size_t grant, size_t min_depth, size_t max, struct strv *out)
{
	struct wgrant *g = lock_grant(w, grant);
	if (!g)
		return DH_ENOTFOUND;
	struct strv rel = ARRAY_INIT;
	int done = g->ready;

	for (size_t i = 0; max && i < g->repos.n; i++)
		strv_add(&rel, g->repos.v[i]);
	char *root = xstrdup(g->root);
	pthread_mutex_unlock(&w->mu);

	if (rel.n)
		qsort(rel.v, rel.n, sizeof *rel.v, repo_nearer);
	for (size_t i = 0, taken = 0; i < rel.n && taken < max; i++) {
		size_t depth = 1;

		for (const char *p = rel.v[i]; *p; p++)
			depth += *p == '/';
		if (depth < min_depth)
			continue;
		char *abs = strcmp(root, "/") ? xasprintf("%s/%s", root, rel.v[i])
		                              : xasprintf("/%s", rel.v[i]);
		strv_add(out, abs);
		free(abs);
		taken++;
	}
	strv_free(&rel);
	free(root);
	return done;
}

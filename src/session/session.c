/* SPDX-License-Identifier: MIT */
/*
 * Session persistence: the append-only transcript, meta.json, listing and
 * resolution of ids, and rebuilding the model conversation for --resume.
 * It stores what the agent hands it; it does not interpret events.
 */
#include "session/session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"

struct session {
	char *id;
	char *dir;
	int fd;		    /* transcript.jsonl, O_APPEND, flock(LOCK_EX) held while open */
	bool fresh;	    /* made by session_create(), its files and directories not
			       yet fsynced: the first session_sync() does it */
	long long started; /* ns since the epoch, see session_create() */
	struct buf notes;   /* what opening and loading repaired or skipped */
};

/* The prefix of in-progress session directories under STATE/sessions: they
 * become a session by rename(2), and listings skip dot names. */
#define NEW_PREFIX ".new-"
/* Seconds after which an unlocked in-progress directory is taken for dead. */
#define SWEEP_AGE_S 60
/* STATE/LATEST_INDEX: the latest start under STATE/sessions, kept by
 * session_create() so that a launch need not look through every session
 * (latest_index_read()). Beside that directory: it holds sessions only. */
#define LATEST_INDEX "sessions.latest"

/* Open dir/transcript.jsonl for appending and take its lock: the lock says the
 * session's owner is alive (a reader that can take it knows the owner died). */
static int
open_transcript(struct session *s, int flags)
{
	char *path = xasprintf("%s/transcript.jsonl", s->dir);
	int rc = 0;

	s->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | flags, 0600);
	if (s->fd < 0)
		rc = err_set("%s: %s", path, strerror(errno));
	else if (flock(s->fd, LOCK_EX | LOCK_NB) < 0)
		rc = errno == EWOULDBLOCK
			     ? err_set("session %s is open in another deskhand process", s->id)
			     : err_set("%s: lock: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* Whether a process holds the session's lock (its owner is alive). */
static bool
owner_alive(const char *dir)
{
	char *path = xasprintf("%s/transcript.jsonl", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool alive = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;

	if (fd >= 0)
		close(fd);
	free(path);
	return alive;
}

/* Cut a partial last line (a machine crash mid-record, or a full disk with a
 * version whose appends were not all-or-nothing) so that the next record
 * starts on a line of its own instead of fusing with the fragment. */
static int
repair_tail(struct session *s)
{
	struct stat st;
	char chunk[4096];

	if (fstat(s->fd, &st) < 0)
		return err_set("%s/transcript.jsonl: %s", s->dir, strerror(errno));
	off_t end = st.st_size, keep = 0;
	for (off_t pos = end; pos > 0;) {
		size_t n = pos < (off_t)sizeof chunk ? (size_t)pos : sizeof chunk;
		ssize_t got = pread(s->fd, chunk, n, pos - (off_t)n);

		if (got != (ssize_t)n)
			return err_set("%s/transcript.jsonl: read: %s", s->dir,
				       got < 0 ? strerror(errno) : "short read");
		char *nl = memrchr(chunk, '\n', n);
		if (nl) {
			keep = pos - (off_t)n + (nl - chunk) + 1;
			break;
		}
		pos -= (off_t)n;
	}
	if (keep == end)
		return 0;
	if (ftruncate(s->fd, keep) < 0 || fdatasync(s->fd) < 0)
		return err_set("%s/transcript.jsonl: cutting a partial last line: %s", s->dir,
			       strerror(errno));
	buf_printf(&s->notes, "%s/transcript.jsonl: cut a partial last line (%lld bytes)\n",
		   s->dir, (long long)(end - keep));
	log_warn("%s/transcript.jsonl: cut a partial last line (%lld bytes)", s->dir,
		 (long long)(end - keep));
	return 0;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A session's start time in ns: meta.json's "started_ns" (a decimal string:
 * a JSON number would round it), else its "created" seconds, else its id's
 * timestamp (sessions from before the field). 0 when none of these parse or
 * the time is before 1970; a time after 2262, which has no ns in a long
 * long, is the last one that has (and a session started after it still
 * has a later one). */
static long long
meta_started(const cJSON *meta, const char *id)
{
	const long long last_s = LLONG_MAX / 1000000000LL - 1;
	const char *ns = json_str(meta, "started_ns");
	char *end;

	if (ns) {
		errno = 0;
		long long v = strtoll(ns, &end, 10);
		if (!errno && end != ns && !*end && v > 0)
			return v < last_s * 1000000000LL ? v : last_s * 1000000000LL;
	}
	long long s = json_int(meta, "created", 0);
	if (s <= 0)
		s = session_id_time(id);
	return s <= 0 ? 0 : s < last_s ? s * 1000000000LL : last_s * 1000000000LL;
}

/* Remove an in-progress directory whose creator died: its lock is free and it
 * is older than a creation takes (a creator that has made the directory but
 * not yet locked its transcript must not lose it). `force` skips the age. */
static void
sweep_new(const char *sessions, const char *name, bool force)
{
	static const char *const files[] = { "transcript.jsonl", "meta.json" };
	char *dir = xasprintf("%s/%s", sessions, name);
	struct stat st;

	if (!force && (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
		       time(NULL) - st.st_mtime < SWEEP_AGE_S)) {
		free(dir);
		return;
	}
	if (!owner_alive(dir)) {
		for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
			char *f = xasprintf("%s/%s", dir, files[i]);
			unlink(f);
			free(f);
		}
		if (rmdir(dir) == 0)
			log_info("removed %s, left by a session start that did not finish", dir);
	}
	free(dir);
}

/* Make the directory entry of `path` durable (fsync its parent). */
static int
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) < 0 ? err_set("fsync %s: %s", path, strerror(errno)) : 0;

	if (fd >= 0)
		close(fd);
	return rc;
}

struct listed {
	char *id;
	long long started;
};

static int
cmp_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	if (x->started != y->started)
		return x->started < y->started ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The start (ns) of the session of STATE/sessions/`id`, or -1 when it has no
 * meta.json (not a whole session: see session_list_all()). */
static long long
started_of(const char *state_dir, const char *id)
{
	char *mp = xasprintf("%s/sessions/%s/meta.json", state_dir, id);
	bool has_meta = access(mp, F_OK) == 0;
	cJSON *meta = NULL;

	free(mp);
	if (!has_meta)
		return -1;
	if (session_meta_read(state_dir, id, &meta) < 0)
		meta = NULL; /* listed, ordered by its id; the reader reports it */
	long long v = meta_started(meta, id);
	cJSON_Delete(meta);
	return v;
}

/* Whether STATE/sessions/`name` is a directory (a stray file is no session). */
static bool
is_dir_entry(const char *sessions, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	char *p = xasprintf("%s/%s", sessions, e->d_name);
	bool dir = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return dir;
}

/* Sessions under STATE/sessions in start order; with `all`, directories
 * without meta.json too, ordered by their id's second (0 when the name has
 * none: first). Caller frees each id and the array. */
static int
list_started(const char *state_dir, bool all, struct listed **out, size_t *n)
{
	char *path = xasprintf("%s/sessions", state_dir);
	DIR *d = opendir(path);
	struct listed *v = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		int rc = errno == ENOENT ? 0 : err_set("%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		long long started = started_of(state_dir, e->d_name);
		if (started < 0 && !(all && is_dir_entry(path, e)))
			continue;
		if (started < 0)
			started = meta_started(NULL, e->d_name);
		ARRAY_GROW(v, cnt, cap, 1);
		v[cnt].id = xstrdup(e->d_name);
		v[cnt].started = started;
		cnt++;
	}
	closedir(d);
	free(path);
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_listed);
	*out = v;
	*n = cnt;
	return 0;
}

/* The length of an id's start second, "YYYYmmdd-HHMMSS" (session_create). */
#define STAMP_LEN 15

long long
session_id_time(const char *id)
{
	struct tm tm = { 0 };
	const char *end = strptime(id, "%Y%m%d-%H%M%S", &tm);

	return end == id + STAMP_LEN ? (long long)timegm(&tm) : 0;
}

/* Whether `name` begins with a start second, as every id session_create
 * makes does. */
static bool
stamped(const char *name)
{
	return session_id_time(name) != 0;
}

/* Read the sessions of the start second `sec` (its first STAMP_LEN bytes)
 * among ids[0..n): *best = the latest start among them and what it was.
 * Returns whether one of them had a meta.json. */
static bool
read_second(const char *state_dir, const char *const *ids, size_t n, const char *sec,
	    long long *best)
{
	bool hit = false;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(ids[i], sec, STAMP_LEN) != 0)
			continue;
		long long v = started_of(state_dir, ids[i]);

		hit |= v >= 0;
		if (v > *best)
			*best = v;
	}
	return hit;
}

/* *out = the latest start (ns) of a session under STATE/sessions, 0 when
 * there is none, as list_started() orders them, without reading every
 * meta.json: an id begins with the UTC second of its start, so the latest
 * start is among the ids of the greatest such second that have a meta.json
 * (and ids that do not begin with a second, read all). Sweeps dead
 * in-progress directories on the way. One scan of the directory keeps only
 * the greatest second's ids; only when none of them has a meta.json (a
 * directory an old version left) is it read again, every stamped id kept
 * and sorted, to go down the seconds below. Returns 0 or DH_EFAIL naming
 * the directory. */
static int
latest_started(const char *state_dir, long long *out)
{
	char *path = xasprintf("%s/sessions", state_dir);
	DIR *d = opendir(path);
	struct strv top = { 0 }; /* the ids of the greatest second so far */
	long long best = 0;

	*out = 0;
	if (!d) {
		int rc = errno == ENOENT ? 0 : err_set("%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.') {
			if (!strncmp(e->d_name, NEW_PREFIX, strlen(NEW_PREFIX)))
				sweep_new(path, e->d_name, false);
		} else if (stamped(e->d_name)) {
			int c = top.n ? strncmp(e->d_name, top.v[0], STAMP_LEN) : 1;

			if (c > 0)
				strv_free(&top);
			if (c >= 0)
				strv_add(&top, e->d_name);
		} else {
			long long v = started_of(state_dir, e->d_name);

			if (v > best)
				best = v;
		}
	}
	if (top.n && !read_second(state_dir, (const char *const *)top.v, top.n, top.v[0], &best)) {
		struct strv all = { 0 };
		const char *done = top.v[0];

		rewinddir(d);
		for (struct dirent *e; (e = readdir(d));)
			if (e->d_name[0] != '.' && stamped(e->d_name))
				strv_add(&all, e->d_name);
		if (all.n)
			qsort(all.v, all.n, sizeof *all.v, strv_cmp);
		/* From the next second down, until one of a second's ids has a
		 * meta.json. */
		for (size_t i = all.n; i-- > 0;) {
			if (strncmp(all.v[i], done, STAMP_LEN) >= 0)
				continue;
			done = all.v[i];
			if (read_second(state_dir, (const char *const *)all.v, i + 1, done, &best))
				break;
		}
		strv_free(&all);
	}
	closedir(d);
	free(path);
	strv_free(&top);
	*out = best;
	return 0;
}

/* The index of the latest start: "STARTED_NS DEV INO NLINK MTIME_S
 * MTIME_NS ID\n", the latest start (ns) among the sessions, the sessions
 * directory as it was once that session was in it, and its id. It holds while the
 * directory is as it says: anything that adds, removes or renames a
 * session there since (another version of deskhand, a copy, a removal,
 * the sweep of a dead creation) changes its mtime or link count (one per
 * subdirectory), and the directory is then looked through again. */

/* *latest and, if ID, the session's id (ID_SIZE bytes) from the index on
 * FD (locked) for the directory SESSIONS, if it holds. */
static bool
latest_index_read(int fd, const char *sessions, long long *latest, char *id, size_t id_size)
{
	char text[160], got[SESSION_ID_LEN + 1];
	unsigned long long dev, ino, nlink;
	long long v, sec, nsec;
	struct stat st;
	ssize_t n = pread(fd, text, sizeof text - 1, 0);

	if (n <= 0 || stat(sessions, &st) < 0)
		return false;
	text[n] = '\0';
	if (sscanf(text, "%lld %llu %llu %llu %lld %lld %20s\n", &v, &dev, &ino, &nlink, &sec,
		   &nsec, got) != 7 ||
	    v < 0 || strlen(got) != SESSION_ID_LEN || dev != (unsigned long long)st.st_dev || ino != (unsigned long long)st.st_ino ||
	    nlink != (unsigned long long)st.st_nlink || sec != (long long)st.st_mtim.tv_sec ||
	    nsec != (long long)st.st_mtim.tv_nsec)
		return false;
	*latest = v;
	if (id)
		snprintf(id, id_size, "%s", got);
	return true;
}

/* The latest whole session's id (heap) from STATE's index, if it holds
 * and that session has its meta.json; else NULL (look through them). */
static char *
latest_index_id(const char *state_dir)
{
	char *index = xasprintf("%s/" LATEST_INDEX, state_dir);
	char *sessions = xasprintf("%s/sessions", state_dir), id[SESSION_ID_LEN + 1], *out = NULL;
	long long latest;
	int fd = open(index, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	free(index);
	if (fd >= 0) {
		/* (Shared: not while a creation rewrites it; one that does
		 * now, or a stopped one, is not waited for.) */
		if (flock(fd, LOCK_SH | LOCK_NB) == 0 &&
		    latest_index_read(fd, sessions, &latest, id, sizeof id)) {
			char *meta = xasprintf("%s/%s/meta.json", sessions, id);

			if (access(meta, F_OK) == 0)
				out = xstrdup(id);
			free(meta);
		}
		close(fd);
	}
	free(sessions);
	return out;
}

/* Write the index on FD (locked): LATEST, the directory SESSIONS as it is
 * now, and ID, the session of that start. A failure leaves one that does not hold, or none: the next
 * launch looks through the directory. */
static void
latest_index_write(int fd, const char *sessions, long long latest, const char *id)
{
	char text[160];
	struct stat st;

	if (stat(sessions, &st) < 0)
		return;
	int n = snprintf(text, sizeof text, "%lld %llu %llu %llu %lld %lld %s\n", latest,
			 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			 (unsigned long long)st.st_nlink, (long long)st.st_mtim.tv_sec,
			 (long long)st.st_mtim.tv_nsec, id);
	if (n < 0 || (size_t)n >= sizeof text)
		return;
	if (pwrite(fd, text, (size_t)n, 0) != n || ftruncate(fd, n) < 0)
		log_warn("%s.latest: %s", sessions, strerror(errno));
}

static int write_new_meta(struct session *s, const cJSON *meta);

int
session_create(struct session **out, const char *state_dir, const cJSON *meta)
{
	char stamp[32];
	unsigned char rnd[2] = { 0, 0 };
	struct tm tm;
	long long latest;
	int rc;

	*out = NULL;
	char *sessions = xasprintf("%s/sessions", state_dir);
	char *index = xasprintf("%s/" LATEST_INDEX, state_dir);
	int ifd = -1;
	if ((rc = fsutil_mkdir_p(sessions, 0700)) < 0) {
		free(index);
		free(sessions);
		return rc;
	}
	/* Held till the new session is in place: creations one at a time,
	 * each later than the one before. Never waited for (this runs on an
	 * engine's loop, and the holder may be stopped): while another
	 * creation holds it, this one goes without it, as before it. */
	if ((ifd = open(index, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0 &&
	    flock(ifd, LOCK_EX | LOCK_NB) < 0) {
		close(ifd);
		ifd = -1;
	}
	free(index);
	if ((ifd < 0 || !latest_index_read(ifd, sessions, &latest, NULL, 0)) &&
	    (rc = latest_started(state_dir, &latest)) < 0) {
		if (ifd >= 0)
			close(ifd);
		free(sessions);
		return rc;
	}
	struct session *s = xcalloc(1, sizeof *s);
	s->fd = -1;
	/* Later than every session already there, even if the clock went back. */
	s->started = now_ns();
	if (s->started <= latest)
		s->started = latest + 1;
	time_t secs = (time_t)(s->started / 1000000000LL);
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	char *tmp = NULL;
	for (int tries = 0;; tries++) {
		if (tries == 16) {
			rc = err_set("%s: no free session id for %s", sessions, stamp);
			goto fail;
		}
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			rnd[0] = (unsigned char)tries, rnd[1] = (unsigned char)getpid();
		free(s->id);
		free(s->dir);
		free(tmp);
		s->id = xasprintf("%s-%02x%02x", stamp, rnd[0], rnd[1]);
		s->dir = xasprintf("%s/%s", sessions, s->id);
		tmp = xasprintf("%s/" NEW_PREFIX "%s", sessions, s->id);
		if (access(s->dir, F_OK) == 0)
			continue;
		if (mkdir(tmp, 0700) == 0)
			break;
		if (errno != EEXIST) {
			rc = err_set("mkdir %s: %s", tmp, strerror(errno));
			goto fail;
		}
	}
	/* Built under the temporary name, then renamed: a session directory
	 * always has its meta.json and a locked transcript. */
	char *final = s->dir;
	s->dir = tmp;
	cJSON *m = meta ? json_dup(meta) : json_new_obj();
	if (!cJSON_GetObjectItemCaseSensitive(m, "status"))
		json_add_str(m, "status", "running");
	if (!cJSON_GetObjectItemCaseSensitive(m, "created"))
		json_add_num(m, "created", (double)secs);
	if ((rc = open_transcript(s, O_CREAT | O_EXCL)) == 0 && (rc = write_new_meta(s, m)) == 0 &&
	    rename(tmp, final) < 0)
		rc = err_set("rename %s to %s: %s", tmp, final, strerror(errno));
	cJSON_Delete(m);
	s->dir = final;
	if (rc < 0) {
		close(s->fd); /* unlocked, so that the sweep takes it away */
		s->fd = -1;
		sweep_new(sessions, tmp + strlen(sessions) + 1, true);
		goto fail;
	}
	if (ifd >= 0) {
		latest_index_write(ifd, sessions, s->started, s->id);
		close(ifd);
	}
	free(tmp);
	free(sessions);
	s->fresh = true; /* durable at the first session_sync(), off the loop */
	*out = s;
	return 0;
fail:
	if (ifd >= 0)
		close(ifd);
	free(tmp);
	free(sessions);
	session_close(s);
	return rc;
}

int
session_open(struct session **out, const char *state_dir, const char *spec)
{
	char *id;
	int rc;

	*out = NULL;
	if ((rc = session_resolve(state_dir, spec, &id)) < 0)
		return rc;
	struct session *s = xcalloc(1, sizeof *s);
	cJSON *meta = NULL;
	s->id = id;
	s->dir = xasprintf("%s/sessions/%s", state_dir, id);
	s->fd = -1;
	/* meta.json first: a damaged session (none) is reported as such, and
	 * its transcript is left as it is. */
	if ((rc = session_meta_read(state_dir, id, &meta)) < 0 ||
	    (rc = open_transcript(s, 0)) < 0 || (rc = repair_tail(s)) < 0) {
		cJSON_Delete(meta);
		session_close(s);
		return rc;
	}
	s->started = meta_started(meta, id);
	cJSON_Delete(meta);
	*out = s;
	return 0;
}

void
session_close(struct session *s)
{
	if (!s)
		return;
	if (s->fd >= 0 && session_sync(s) < 0) /* what came after the last session_sync() */
		log_warn("%s", err_msg());
	if (s->fd >= 0)
		close(s->fd); /* releases the lock */
	buf_fini(&s->notes);
	free(s->id);
	free(s->dir);
	free(s);
}

const char *
session_id(const struct session *s)
{
	return s->id;
}

const char *
session_dir(const struct session *s)
{
	return s->dir;
}

char *
session_take_notes(struct session *s)
{
	if (!s->notes.len)
		return NULL;
	char *t = xstrndup(s->notes.ptr, s->notes.len - 1); /* without the last '\n' */
	buf_clear(&s->notes);
	return t;
}

int
session_append(struct session *s, const cJSON *record)
{
	char *line = json_print(record);
	size_t len = strlen(line);

	/* The time goes in as the printed object's last member, spliced into the
	 * line rather than added to a copy of the record: a record can hold a
	 * whole long assistant text, and a copy of it would double the peak. */
	if (cJSON_IsObject(record) && !cJSON_GetObjectItemCaseSensitive(record, "ts") && len >= 2) {
		struct timespec ts;
		char tail[40];

		clock_gettime(CLOCK_REALTIME, &ts);
		int n = snprintf(tail, sizeof tail, "%s\"ts\":%lld}", len > 2 ? "," : "",
		                 (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		line = xrealloc(line, len + (size_t)n + 1);
		memcpy(line + len - 1, tail, (size_t)n + 1); /* over the closing brace */
		len += (size_t)n - 1;
	}
	line[len] = '\n'; /* replaces the NUL: one write per record */
	int rc = 0;
	/* All or nothing: the lock makes this process the only writer, so the
	 * record starts at the current end; a failed or short write is cut off
	 * there again, and the file keeps ending in a whole line. */
	off_t start = lseek(s->fd, 0, SEEK_END);
	for (size_t off = 0; start >= 0 && off < len + 1;) {
		ssize_t n = write(s->fd, line + off, len + 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = err_set("%s/transcript.jsonl: %s", s->dir,
				     n < 0 ? strerror(errno) : "short write (disk full?)");
			break;
		}
		off += (size_t)n;
	}
	if (start < 0)
		rc = err_set("%s/transcript.jsonl: seek: %s", s->dir, strerror(errno));
	if (rc < 0 && start >= 0 && ftruncate(s->fd, start) < 0)
		log_warn("%s/transcript.jsonl: cutting a failed record: %s", s->dir, strerror(errno));
	free(line);
	return rc;
}

/* What session_create() wrote without waiting for the disk: meta.json, then
 * the session directory's entries, then its own entry in STATE/sessions. */
static int
sync_fresh(struct session *s)
{
	char *path = xasprintf("%s/meta.json", s->dir);
	char *sessions = xstrndup(s->dir, strlen(s->dir) - strlen(s->id) - 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) < 0 ? err_set("fsync %s: %s", path, strerror(errno)) : 0;

	if (fd >= 0)
		close(fd);
	if (rc == 0 && (rc = sync_dir(s->dir)) == 0)
		rc = sync_dir(sessions);
	free(sessions);
	free(path);
	return rc;
}

int
session_sync(struct session *s)
{
	if (fdatasync(s->fd) < 0)
		return err_set("%s/transcript.jsonl: fsync: %s", s->dir, strerror(errno));
	if (s->fresh) {
		int rc = sync_fresh(s);

		if (rc < 0)
			return rc;
		s->fresh = false;
	}
	return 0;
}

/* meta.json's text: `meta` plus the session's own "id" and "started_ns",
 * whatever the writer rebuilt, and "task" cut to SESSION_TASK_MAX bytes (on a
 * character boundary, with "…"): it is there for the listings, the transcript
 * holds it whole, and a long pasted task would make meta.json too big to read.
 * A cut task is marked "task_cut": its length cannot tell (cut before a
 * 4-byte character, it is SESSION_TASK_MAX bytes with its "…", as an uncut
 * task may be). Caller frees with cJSON_free(). */
static char *
meta_text(const struct session *s, const cJSON *meta)
{
	cJSON *m = json_dup(meta);
	char ns[24];
	const char *task = json_str(m, "task");

	if (task && strlen(task) > SESSION_TASK_MAX) {
		char *cut = xasprintf("%.*s…", (int)utf8_end(task, SESSION_TASK_MAX), task);

		cJSON_ReplaceItemInObjectCaseSensitive(m, "task", cJSON_CreateString(cut));
		cJSON_DeleteItemFromObjectCaseSensitive(m, "task_cut");
		json_add_bool(m, "task_cut", true);
		free(cut);
	}

	/* The session's own fields, whatever the writer rebuilt. */
	snprintf(ns, sizeof ns, "%lld", s->started);
	cJSON_DeleteItemFromObjectCaseSensitive(m, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "started_ns");
	json_add_str(m, "id", s->id);
	json_add_str(m, "started_ns", ns);
	char *text = cJSON_Print(m);
	cJSON_Delete(m);

	if (!text)
		die("out of memory (meta.json)");
	return text;
}

/* The first meta.json, in session_create()'s own new directory: nobody can
 * see it before the directory is renamed into place, so no temporary file;
 * no fsync either (sync_fresh()). */
static int
write_new_meta(struct session *s, const cJSON *meta)
{
	char *path = xasprintf("%s/meta.json", s->dir);
	char *text = meta_text(s, meta);
	FILE *f = fopen(path, "wxe");
	int rc = 0;

	if (!f || fputs(text, f) == EOF)
		rc = err_set("write %s: %s", path, strerror(errno));
	if (f && fclose(f) == EOF && rc == 0)
		rc = err_set("write %s: %s", path, strerror(errno));
	cJSON_free(text);
	free(path);
	return rc;
}

int
session_meta_write(struct session *s, const cJSON *meta)
{
	char *path = xasprintf("%s/meta.json", s->dir);
	char *text = meta_text(s, meta);
	size_t len = strlen(text);
	int rc = len > SESSION_META_MAX
			 ? err_set("%s: not written: %zu bytes, over the %zu its readers take", path,
				   len, SESSION_META_MAX)
			 : fsutil_write_atomic(path, text, len);

	cJSON_free(text);
	free(path);
	return rc;
}

/* session_meta_read()'s error when STATE/sessions/ID/meta.json does not
 * exist: a session directory without it is damage, said as such with what
 * the person can do (DH_EFAIL); no directory at all is DH_ENOTFOUND. */
static int
meta_missing(const char *state_dir, const char *id)
{
	char *dir = xasprintf("%s/sessions/%s", state_dir, id);
	struct stat st;
	int rc;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = err_setc(DH_ENOTFOUND, "no session '%s' in %s/sessions", id, state_dir);
	} else {
		char *tr = xasprintf("%s/transcript.jsonl", dir);
		bool has_tr = access(tr, F_OK) == 0;

		free(tr);
		rc = has_tr ? err_set("session %s is damaged: %s/meta.json is missing (a start that "
				      "did not finish, or the file was removed), so its folders and "
				      "status are unknown; its transcript.jsonl is still there. Put "
				      "meta.json back from a backup, or move the directory out of "
				      "%s/sessions",
				      id, dir, state_dir)
			    : err_set("session %s is damaged: %s/meta.json is missing, and so is its "
				      "transcript.jsonl (a start that did not finish): there is "
				      "nothing to resume or review; remove the directory",
				      id, dir);
	}
	free(dir);
	return rc;
}

int
session_meta_read(const char *state_dir, const char *id, cJSON **out)
{
	char *path = xasprintf("%s/sessions/%s/meta.json", state_dir, id);
	struct buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = fsutil_read_file(path, SESSION_META_MAX, &b)) == 0)
		rc = json_parse(out, b.ptr, b.len, path);
	else if (rc == DH_ENOTFOUND)
		rc = meta_missing(state_dir, id);
	const char *st = rc == 0 ? json_str(*out, "status") : NULL;
	if (st && !strcmp(st, "running")) {
		char *dir = xasprintf("%s/sessions/%s", state_dir, id);
		if (!owner_alive(dir))
			cJSON_ReplaceItemInObjectCaseSensitive(*out, "status",
							       cJSON_CreateString("interrupted"));
		free(dir);
	}
	buf_fini(&b);
	free(path);
	return rc;
}

bool
session_lost(const char *state_dir, const char *id)
{
	char *path = xasprintf("%s/sessions/%s/meta.json", state_dir, id);
	struct buf b = BUF_INIT;
	cJSON *meta = NULL;
	bool lost = false;

	if (fsutil_read_file(path, SESSION_META_MAX, &b) == 0 &&
	    json_parse(&meta, b.ptr, b.len, path) == 0 && json_str(meta, "status") &&
	    !strcmp(json_str(meta, "status"), "running")) {
		char *dir = xasprintf("%s/sessions/%s", state_dir, id);

		lost = !owner_alive(dir);
		free(dir);
	}
	cJSON_Delete(meta);
	buf_fini(&b);
	free(path);
	return lost;
}

/* A history_compact record: what was sent before it becomes `note` followed
 * by the last `keep` messages (all of them when keep is larger). */
static void
compact_loaded(cJSON *msgs, const cJSON *note, long long keep)
{
	int n = cJSON_GetArraySize(msgs);
	int drop = keep < 0 ? n : keep >= n ? 0 : n - (int)keep;

	for (int i = 0; i < drop; i++)
		cJSON_DeleteItemFromArray(msgs, 0);
	cJSON_InsertItemInArray(msgs, 0, json_dup(note));
}

/* {"type": TYPE, "text": TEXT} appended. */
static int
append_text(struct session *s, const char *type, const char *text)
{
	cJSON *rec = json_new_obj();

	json_add_str(rec, "type", type);
	json_add_str(rec, "text", text);
	int rc = session_append(s, rec);
	cJSON_Delete(rec);
	return rc;
}

int
session_append_task(struct session *s, const char *task)
{
	return append_text(s, "task", task);
}

int
session_append_task_failed(struct session *s, const char *why, size_t tasks)
{
	cJSON *rec = json_new_obj();

	json_add_str(rec, "type", "task_failed");
	json_add_str(rec, "text", why);
	json_add_num(rec, "tasks", (double)tasks);
	int rc = session_append(s, rec);
	cJSON_Delete(rec);
	return rc;
}

/* The user message of the "task" records no history record followed: a
 * text block each, in the order they were written. */
static cJSON *
pending_message(const struct strv *texts)
{
	cJSON *m = json_new_obj(), *content = json_new_arr();

	for (size_t i = 0; i < texts->n; i++) {
		cJSON *t = json_new_obj();

		json_add_str(t, "type", "text");
		json_add_str(t, "text", texts->v[i]);
		json_add(content, NULL, t);
	}
	json_add_str(m, "role", "user");
	json_add(m, "content", content);
	json_add_bool(m, "task_pending", true);
	return m;
}

int
session_history_load(struct session *s, cJSON **out)
{
	char *path = xasprintf("%s/transcript.jsonl", s->dir);
	struct buf b = BUF_INIT;
	/* The "task" records' texts since the last user-role history record,
	 * but those a "task_failed" answered: every task whose engine died
	 * before its agent was made, every steer whose engine died before a
	 * message carried it, each still to reach the history. */
	struct strv pending = ARRAY_INIT;
	int rc;

	*out = NULL;
	if ((rc = fsutil_read_file(path, (size_t)1 << 30, &b)) < 0)
		goto out;
	cJSON *msgs = json_new_arr();
	size_t lineno = 0;
	/* By length, not as a string: a NUL byte in a record (a damaged disk block) costs
	 * that line, not every line after it. */
	for (char *p = b.ptr, *end = b.ptr + b.len; p && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		bool last = nl == NULL;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cJSON *rec;

		lineno++;
		if (len > 0 && json_parse(&rec, p, len, "record") < 0) {
			if (last)
				break; /* a record being written, or torn (cut at open) */
			/* One bad line costs that record, not the session. */
			buf_printf(&s->notes, "%s:%zu: %s; line skipped\n", path, lineno, err_msg());
			log_warn("%s:%zu: %s; line skipped", path, lineno, err_msg());
			p = nl + 1;
			continue;
		}
		if (len > 0) {
			const char *type = json_str(rec, "type");
			cJSON *m = json_obj(rec, "message");

			if (type && !strcmp(type, "task") && json_str(rec, "text")) {
				strv_add(&pending, json_str(rec, "text"));
			} else if (type && !strcmp(type, "task_failed")) {
				/* the last never started: those before them are still pending */
				long long k = json_int(rec, "tasks", 1);

				for (; k > 0 && pending.n > 0; k--)
					free(pending.v[--pending.n]);
			} else if (type && !strcmp(type, "history") && m &&
				   json_str(m, "role") && !strcmp(json_str(m, "role"), "user")) {
				/* the person's message that carries them: a task's,
				 * or the results or turn a steer went with (not the
				 * model's answer, written after a steer it did not see) */
				strv_free(&pending);
			}
			if (type && strcmp(type, "history") == 0 && m) {
				if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "replace_last")) &&
				    cJSON_GetArraySize(msgs) > 0)
					cJSON_DeleteItemFromArray(msgs, cJSON_GetArraySize(msgs) - 1);
				json_add(msgs, NULL, json_dup(m));
			} else if (type && strcmp(type, "history_replace_last") == 0 &&
				 cJSON_GetArraySize(msgs) > 0)
				cJSON_DeleteItemFromArray(msgs, cJSON_GetArraySize(msgs) - 1);
			else if (type && strcmp(type, "history_compact") == 0 && m)
				compact_loaded(msgs, m, json_int(rec, "keep", 0));
			cJSON_Delete(rec);
		}
		if (last)
			break;
		p = nl + 1;
	}
	if (pending.n > 0)
		json_add(msgs, NULL, pending_message(&pending));
	*out = msgs;
out:
	strv_free(&pending);
	buf_fini(&b);
	free(path);
	return rc;
}

/* session_list() or, with `all`, session_list_all(). */
static int
list_ids(const char *state_dir, bool all, char ***out, size_t *n)
{
	struct listed *v;
	size_t cnt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = list_started(state_dir, all, &v, &cnt)) < 0)
		return rc;
	char **ids = cnt ? xcalloc(cnt, sizeof *ids) : NULL;
	for (size_t i = 0; i < cnt; i++)
		ids[i] = v[i].id;
	free(v);
	*out = ids;
	*n = cnt;
	return 0;
}

int
session_list(const char *state_dir, char ***out, size_t *n)
{
	return list_ids(state_dir, false, out, n);
}

int
session_list_all(const char *state_dir, char ***out, size_t *n)
{
	return list_ids(state_dir, true, out, n);
}

/* session_resolve()'s DH_ENOTFOUND for `latest` when there is no whole
 * session: damaged ones are not "no sessions yet". */
static int
no_latest(const char *state_dir)
{
	char **ids = NULL;
	size_t n = 0;

	if (list_ids(state_dir, true, &ids, &n) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	if (n)
		return err_setc(DH_ENOTFOUND,
				"no readable session in %s/sessions: %zu damaged ('deskhand sessions' "
				"names them)",
				state_dir, n);
	return err_setc(DH_ENOTFOUND, "no sessions yet in %s/sessions", state_dir);
}

/* Whether `spec` is, as it is written, the id of an entry session_list_all()
 * lists (list_started(): a directory, or a name with meta.json), found
 * without reading every session's meta.json to order them. An exact id wins
 * over the ids it is a prefix of, so this is session_resolve()'s answer. */
static bool
is_listed_id(const char *state_dir, const char *spec)
{
	struct stat st;

	if (!spec[0] || spec[0] == '.' || strchr(spec, '/'))
		return false; /* no directory entry is named so */
	char *p = xasprintf("%s/sessions/%s", state_dir, spec);
	char *mp = xasprintf("%s/meta.json", p);
	bool listed = (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) || access(mp, F_OK) == 0;

	free(mp);
	free(p);
	return listed;
}

int
session_spec_empty(void)
{
	return err_setc(DH_EPARSE, "session '': an empty id names no session "
				   "(give an id, a unique prefix of one, or latest)");
}

int
session_resolve(const char *state_dir, const char *spec, char **out)
{
	char **ids;
	size_t n, hit = SIZE_MAX, nhits = 0;
	bool latest = !spec || strcmp(spec, "latest") == 0;
	int rc;

	*out = NULL;
	/* "" is a prefix of every id: it would name the only session, or say
	 * that several match, when it names none. */
	if (!latest && !*spec)
		return session_spec_empty();
	if (!latest && is_listed_id(state_dir, spec)) {
		*out = xstrdup(spec);
		return 0;
	}
	/* The index of the latest start, which names its session, while it
	 * holds (session_create()): every meta.json is not read. */
	if (latest && (*out = latest_index_id(state_dir)))
		return 0;
	/* `latest` is the latest whole session; an id or prefix names any
	 * directory, so that one without meta.json is reported as such (by
	 * session_meta_read()) rather than as no session at all. */
	if ((rc = list_ids(state_dir, !latest, &ids, &n)) < 0)
		return rc;
	if (latest) {
		if (n > 0)
			hit = n - 1, nhits = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(ids[i], spec) == 0) {
				hit = i, nhits = 1;
				break;
			}
			if (strncmp(ids[i], spec, strlen(spec)) == 0)
				hit = i, nhits++;
		}
	}
	struct buf shown = BUF_INIT; /* spec as names are shown: it is an argument */

	if (nhits == 1)
		*out = xstrdup(ids[hit]);
	else if (nhits == 0 && !latest)
		rc = err_setc(DH_ENOTFOUND, "no session '%s' in %s/sessions",
		              utf8_sanitized(&shown, spec), state_dir);
	else if (nhits == 0)
		rc = no_latest(state_dir);
	else
		rc = err_setc(DH_ENOTFOUND, "session '%s' is ambiguous (%zu match)",
		              utf8_sanitized(&shown, spec), nhits);
	buf_fini(&shown);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* Bytes of the transcript session_totals() reads at a time, from its end. */
#define TOTALS_CHUNK ((size_t)64 << 10)

/* What the transcript's tail says of the totals. */
struct tail_totals {
	long long turn;	   /* the last turn_started's turn; -1: none found yet */
	cJSON *usage;	   /* the last usage record after it or before it, or NULL */
	bool usage_after;  /* that usage record came after the last turn_started */
};

/* Take one complete transcript line (newest first); returns true when the
 * records seen are all session_totals() needs: the last turn_started, and a
 * usage record unless meta.json (`meta_turns`) already counts that turn. */
static bool
tail_line(struct tail_totals *t, const char *line, size_t len, long long meta_turns)
{
	static const char *const keys[] = { "\"turn_started\"", "\"usage\"" };
	bool maybe = false;

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		maybe |= memmem(line, len, keys[i], strlen(keys[i])) != NULL;
	if (maybe) {
		cJSON *rec = cJSON_ParseWithLength(line, len);
		const char *type = json_str(rec, "type");

		if (type && !strcmp(type, "usage") && !t->usage) {
			t->usage = rec;
			t->usage_after = t->turn < 0;
			rec = NULL;
		} else if (type && !strcmp(type, "turn_started") && t->turn < 0) {
			t->turn = json_int_clamp(rec, "turn", 0, SESSION_TURNS_MAX, 0);
		}
		cJSON_Delete(rec);
	}
	return t->turn >= 0 && (t->usage || t->turn <= meta_turns);
}

/* Read `path` backwards a chunk at a time, each complete line to tail_line()
 * until it has what it needs. DH_EFAIL naming the file; none is no error. */
static int
tail_read(const char *path, struct tail_totals *t, long long meta_turns)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct buf win = BUF_INIT; /* bytes from pos on not yet taken */
	bool seen_nl = false, done = false;
	int rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = err_set("%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	char *chunk = xmalloc(TOTALS_CHUNK);
	off_t pos = st.st_size;

	while (pos > 0 && !done) {
		size_t n = (size_t)pos < TOTALS_CHUNK ? (size_t)pos : TOTALS_CHUNK;
		ssize_t r;

		pos -= (off_t)n;
		if ((r = pread(fd, chunk, n, pos)) != (ssize_t)n) {
			rc = err_set("%s: read: %s", path, r < 0 ? strerror(errno) : "short read");
			break;
		}
		if (!seen_nl) {
			/* a partial last line (being written, or torn) is no record */
			char *nl = memrchr(chunk, '\n', n);
			if (!nl)
				continue;
			n = (size_t)(nl - chunk) + 1;
			seen_nl = true;
		}
		struct buf joined = BUF_INIT;
		buf_add(&joined, chunk, n);
		buf_add(&joined, win.ptr, win.len);
		buf_fini(&win);
		win = joined;
		/* the lines that begin in this window: after its first '\n', or
		 * all of them at the start of the file */
		char *first = memchr(win.ptr, '\n', win.len);
		size_t start = pos == 0 ? 0 : first ? (size_t)(first - win.ptr) + 1 : win.len;
		size_t end = win.len;

		while (end > start && !done) {
			size_t ls = end - 1; /* end - 1 is the line's '\n' */
			while (ls > start && win.ptr[ls - 1] != '\n')
				ls--;
			done = tail_line(t, win.ptr + ls, end - 1 - ls, meta_turns);
			end = ls;
		}
		win.len = start;
	}
	free(chunk);
	buf_fini(&win);
	close(fd);
	return rc;
}

int
session_totals(const char *state_dir, const char *id, const cJSON *meta,
	       struct session_totals *out)
{
	static const struct {
		const char *meta, *usage;
		size_t off;
	} tokens[] = {
		{ "input_tokens", "total_input_tokens",
		  offsetof(struct session_totals, input_tokens) },
		{ "output_tokens", "total_output_tokens",
		  offsetof(struct session_totals, output_tokens) },
		{ "cache_read_tokens", "total_cache_read_tokens",
		  offsetof(struct session_totals, cache_read_tokens) },
		{ "cache_creation_tokens", "total_cache_creation_tokens",
		  offsetof(struct session_totals, cache_creation_tokens) },
	};
	const cJSON *cost = cJSON_GetObjectItemCaseSensitive(meta, "cost_usd");
	struct tail_totals t = { .turn = -1 };

	*out = (struct session_totals){ .turns = json_int_clamp(meta, "turns", 0,
							       SESSION_TURNS_MAX, 0),
					.cost_usd = cJSON_IsNumber(cost) ? cost->valuedouble : 0,
					.cost_unknown = json_bool(meta, "cost_unknown", false) };
	for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
		*(long long *)((char *)out + tokens[i].off) =
			json_int_clamp(meta, tokens[i].meta, 0, SESSION_TOKENS_MAX, 0);

	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", state_dir, id);
	int rc = tail_read(path, &t, out->turns);

	free(path);
	/* Each figure only grows: the further along of the two. */
	if (t.turn > out->turns)
		out->turns = t.turn;
	if (t.usage) {
		const cJSON *tc = cJSON_GetObjectItemCaseSensitive(t.usage, "total_cost_usd");
		if (cJSON_IsNumber(tc) && tc->valuedouble > out->cost_usd)
			out->cost_usd = tc->valuedouble;
		out->cost_unknown |= cJSON_IsNull(tc); /* an unpriced request's total */
		for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
			long long *v = (long long *)((char *)out + tokens[i].off);
			long long u = json_int_clamp(t.usage, tokens[i].usage, 0,
						     SESSION_TOKENS_MAX, 0);
			if (u > *v)
				*v = u;
		}
	}
	cJSON_Delete(t.usage);
	return rc;
}

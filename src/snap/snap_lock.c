/* SPDX-License-Identifier: MIT */
/*
 * The writer lock of a shadow repository (snap.h "One writer per shadow
 * repository"): flock on REPO/deskhand-owner plus a line naming the holder.
 */
#include "snap/snap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "snap/snap_int.h"

#define OWNER_FILE "deskhand-owner"
#define OWNER_MAX  256

static const char *const kind_names[] = {
	[SNAP_LOCK_ENGINE] = "engine",
	[SNAP_LOCK_RUN] = "run",
	[SNAP_LOCK_VERB] = "verb",
};

/* The owner line of the lock file `fd` (write_owner's "KIND SESSION PID"):
 * kind[16], session[128] ("-" while the holder has none) and *pid; all empty
 * and 0 when the line is missing (a holder that has not written it yet, or
 * a released lock) or malformed. */
static void
read_owner(int fd, char *kind, char *session, long *pid)
{
	char line[OWNER_MAX + 1];
	ssize_t n = pread(fd, line, OWNER_MAX, 0);

	line[n > 0 ? n : 0] = '\0';
	if (sscanf(line, "%15s %127s %ld", kind, session, pid) != 3)
		kind[0] = session[0] = '\0', *pid = 0;
}

/* The refusal, from what the holder wrote (maybe nothing yet), to a taker
 * for session `mine` (NULL: none yet). */
static int
refuse(const struct snap_store *s, int fd, const char *mine)
{
	char kind[16] = "", session[128] = "";
	long pid = 0;
	struct buf who = BUF_INIT;
	int rc;

	read_owner(fd, kind, session, &pid);
	fsutil_path_tilde(&who, s->workdir);
	if (!strcmp(kind, kind_names[SNAP_LOCK_VERB]))
		rc = err_setc(DH_EDENIED,
		              "folder %s is being changed by a review command on session %s "
		              "(pid %ld); try again",
		              buf_cstr(&who), session, pid);
	else if (!strcmp(kind, kind_names[SNAP_LOCK_RUN]) && session[0] && mine &&
		 !strcmp(session, mine))
		rc = err_setc(DH_EDENIED,
		              "session %s is live: deskhand run (pid %ld) runs it in the "
		              "foreground; interrupt it there, or wait for it: deskhand wait %s",
		              session, pid, session);
	else if (!strcmp(kind, kind_names[SNAP_LOCK_RUN]) && session[0] && strcmp(session, "-"))
		rc = err_setc(DH_EDENIED,
		              "folder %s is in use by session %s, which deskhand run (pid %ld) "
		              "runs in the foreground; wait for it: deskhand wait %s",
		              buf_cstr(&who), session, pid, session);
	else if (session[0] && mine && !strcmp(session, mine))
		rc = err_setc(DH_EDENIED,
		              "session %s is live: its engine (pid %ld) runs it now; reach it "
		              "with: deskhand attach %s",
		              session, pid, session);
	else if (session[0] && strcmp(session, "-"))
		rc = err_setc(DH_EDENIED,
		              "folder %s is in use by live session %s (pid %ld); attach with: "
		              "deskhand attach %s",
		              buf_cstr(&who), session, pid, session);
	else if (pid)
		rc = err_setc(DH_EDENIED,
		              "folder %s is in use by another deskhand engine (pid %ld) that has "
		              "no session yet",
		              buf_cstr(&who), pid);
	else
		rc = err_setc(DH_EDENIED, "folder %s is in use by another deskhand process",
		              buf_cstr(&who));
	buf_fini(&who);
	return rc;
}

/* Rewrite the owner line of the held lock. */
static int
write_owner(struct snap_store *s, enum snap_lock_kind kind, const char *session)
{
	char line[OWNER_MAX];
	int n = snprintf(line, sizeof line, "%s %s %ld\n", kind_names[kind],
	                 session && *session ? session : "-", (long)getpid());

	if (n < 0 || (size_t)n >= sizeof line)
		return err_set("snapshot lock: session id too long");
	if (ftruncate(s->lock_fd, 0) < 0 || pwrite(s->lock_fd, line, (size_t)n, 0) != n)
		return err_set("snapshot lock: %s%s: %s", s->repo_path, OWNER_FILE,
		               strerror(errno));
	return 0;
}

/* The lock files libgit2 makes (git_filebuf: PATH.lock, renamed over PATH)
 * for the refs and the index every writer updates, relative to the
 * repository. Not the config's or HEAD's: a process without the writer
 * lock may be creating the repository. Each session's own refs are cleared when it is next used
 * (snap_clear_stale_locks). */
static const char *const shared_locks[] = {
	SNAP_NOTES_REF ".lock", /* every checkpoint's note */
	"packed-refs.lock",	/* deleting or packing refs */
	"index.lock",		/* every scan's (only the writer writes it) */
};

/* Called with the writer lock just taken: no other writer runs, so a lock
 * file of git's found now was left by one that was killed while it wrote
 * (SIGKILL, a crash, the machine going down). Left in place, it failed
 * every later update of its ref ("failed to lock file ... for writing"):
 * each later session on the folder, at its first checkpoint. */
static void
clear_shared_locks(const struct snap_store *s)
{
	for (size_t i = 0; i < sizeof shared_locks / sizeof *shared_locks; i++) {
		char *path = xasprintf("%s%s", s->repo_path, shared_locks[i]);

		if (unlink(path) == 0)
			log_warn("snapshot: removed %s, left by a process that was killed", path);
		else if (errno != ENOENT)
			log_warn("snapshot: %s: %s", path, strerror(errno));
		free(path);
	}
}

int
snap_lock(struct snap_store *s, enum snap_lock_kind kind, const char *session)
{
	char *path;
	int fd, rc;

	if (s->lock_fd >= 0)
		return write_owner(s, kind, session);
	path = xasprintf("%s%s", s->repo_path, OWNER_FILE);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = err_set("snapshot lock: %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? refuse(s, fd, session)
		                          : err_set("snapshot lock: %s: %s", s->repo_path,
		                                    strerror(errno));
		close(fd);
		return rc;
	}
	s->lock_fd = fd;
	if ((rc = write_owner(s, kind, session)) < 0) {
		snap_unlock(s);
		return rc;
	}
	clear_shared_locks(s);
	return 0;
}

void
snap_unlock(struct snap_store *s)
{
	if (!s || s->lock_fd < 0)
		return;
	/* Empty it first: a reader that opens the file after we close it sees
	 * no stale owner. */
	if (ftruncate(s->lock_fd, 0) < 0) {
		/* harmless: the next holder rewrites it */
	}
	close(s->lock_fd);
	s->lock_fd = -1;
}

int
snap_lock_holder(const char *workdir, const char *state_dir, struct snap_holder *out)
{
	char kind[16] = "", session[128] = "", *path, *sreal;
	char *real = realpath(workdir, NULL);
	long pid = 0;
	int fd, rc = 0;

	memset(out, 0, sizeof *out);
	if (!real)
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "snapshot lock: %s: %s",
		                workdir, strerror(errno));
	if (!(sreal = realpath(state_dir, NULL))) { /* none: no repository, no holder */
		rc = errno == ENOENT ? 0
		                     : err_set("snapshot lock: %s: %s", state_dir, strerror(errno));
		free(real);
		return rc;
	}
	char *repo = snap_repo_path_for(sreal, real);
	path = xasprintf("%s%s", repo, OWNER_FILE);
	free(repo);
	free(real);
	free(sreal);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : err_set("snapshot lock: %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	read_owner(fd, kind, session, &pid);
	close(fd);
	for (size_t k = 0; pid && k < sizeof kind_names / sizeof *kind_names; k++) {
		if (strcmp(kind, kind_names[k]) != 0)
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
			break; /* a holder that was killed: its line stayed */
		out->kind = (enum snap_lock_kind)k;
		out->session = strcmp(session, "-") ? xstrdup(session) : NULL;
		out->pid = pid;
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Cgroups for deskhand-sandbox: find a writable pids controller in
 * /proc/self/mountinfo (cgroup v2 first, then the v1 pids hierarchy; an
 * --exec caller's later commands find its cgroup at the usual mounts), create
 * <mount>/deskhand/cmd-<pid>-<n> per supervised command (removed after it) or
 * <mount>/deskhand/sess-<caller> shared by an --exec caller's commands (swept
 * once the caller is gone), and set the limits. It does not decide the
 * limits: the caller passes them.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

struct mnt {
	char dir[PATH_MAX];
	int version;
};

/* statfs() f_type of each version (linux/magic.h). */
#define CGROUP_SUPER_MAGIC  0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270

/* Where systemd and most hosts mount them, in find_mount()'s order of preference: an --exec
 * caller's session cgroup made there by its first command is found again without reading
 * /proc/self/mountinfo (session_again). */
static const struct {
	const char *dir;
	long magic;
	int version;
} usual_mounts[] = {
	{ "/sys/fs/cgroup", CGROUP2_SUPER_MAGIC, 2 },
	{ "/sys/fs/cgroup/pids", CGROUP_SUPER_MAGIC, 1 },
};

static int
write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	int e = errno;

	close(fd);
	errno = e;
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Does the whitespace- or comma-separated list in `list` hold `word`? */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		int start = p == list || p[-1] == ' ' || p[-1] == ',';
		int end = p[n] == '\0' || p[n] == ' ' || p[n] == ',' || p[n] == '\n';

		if (start && end)
			return 1;
	}
	return 0;
}

static int
file_has_word(const char *path, const char *word)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return has_word(buf, word);
}

/* The v2 mount whose root offers pids, else a v1 mount of the pids
 * controller; only read-write ones we may write to. 0 when found. */
static int
find_mount(struct mnt *out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	struct mnt v1 = { .version = 0 };

	out->version = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char dir[PATH_MAX], opts[256], fstype[64], super[512];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep + 3, "%63s %*s %511s", fstype, super) != 2 ||
		    strncmp(fstype, "cgroup", 6) != 0 ||
		    sscanf(line, "%*s %*s %*s %*s %4095s %255s", dir, opts) != 2)
			continue;
		/* (a cgroup mount: only those are worth an access() each) */
		if (strncmp(opts, "rw", 2) != 0 || access(dir, W_OK) != 0)
			continue;
		if (!strcmp(fstype, "cgroup2") && !out->version) {
			char ctl[PATH_MAX + 32];

			snprintf(ctl, sizeof ctl, "%s/cgroup.controllers", dir);
			if (file_has_word(ctl, "pids")) {
				snprintf(out->dir, sizeof out->dir, "%s", dir);
				out->version = 2;
			}
		} else if (!strcmp(fstype, "cgroup") && has_word(super, "pids") && !v1.version) {
			snprintf(v1.dir, sizeof v1.dir, "%s", dir);
			v1.version = 1;
		}
	}
	fclose(f);
	if (!out->version && v1.version)
		*out = v1;
	return out->version ? 0 : -1;
}

int
cgroup_probe(char *why, size_t whylen)
{
	struct mnt m;

	if (find_mount(&m) != 0) {
		snprintf(why, whylen, "no writable cgroup with the pids controller%s",
		         geteuid() == 0 ? "" : " (not root)");
		return 0;
	}
	snprintf(why, whylen, "cgroup v%d pids (%s/deskhand)", m.version, m.dir);
	return m.version;
}

/* Enable the controllers for children of dir (v2); errors ignored when the
 * controller is already on. */
static int
enable(const char *dir, const char *what)
{
	char p[PATH_MAX + 128];

	snprintf(p, sizeof p, "%s/cgroup.subtree_control", dir);
	if (file_has_word(p, what + 1))
		return 0;
	return write_str(p, what);
}

/* SIGKILL every pid listed in DIR/cgroup.procs; returns how many. */
static int
kill_procs(const char *dir)
{
	char p[PATH_MAX + 128];
	int n = 0;

	snprintf(p, sizeof p, "%s/cgroup.procs", dir);
	FILE *f = fopen(p, "re");
	long pid;

	if (!f)
		return 0;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	fclose(f);
	return n;
}

/* The cgroups swept once their owner is gone: "<prefix><pid><end>…". */
static const struct {
	const char *prefix;
	char end;
} owned_names[] = {
	{ "cmd-", '-' },  /* cmd-<helper pid>-<n>: one supervised command */
	{ "sess-", '\0' }, /* sess-<caller pid>: an --exec caller's commands */
};

/* The owner pid of a cgroup named like owned_names, or 0. */
static long
owner_of(const char *name)
{
	for (size_t i = 0; i < sizeof owned_names / sizeof *owned_names; i++) {
		size_t n = strlen(owned_names[i].prefix);
		char *end;

		if (strncmp(name, owned_names[i].prefix, n) != 0)
			continue;
		long pid = strtol(name + n, &end, 10);

		return end != name + n && *end == owned_names[i].end && pid > 0 ? pid : 0;
	}
	return 0;
}

/* Remove the cgroups whose owner died without cleaning up (a SIGKILLed
 * helper cannot; an --exec caller never does): cmd-<pid>-* and sess-<pid>
 * whose pid is gone. Whatever still runs in one is killed first: bwrap
 * 0.8.0 arms its child's parent-death signal without re-checking its parent,
 * so a sandbox whose helper or caller was killed during start-up can outlive
 * it, and only its cgroup still knows its processes. */
static void
sweep_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid = owner_of(e->d_name);

		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[PATH_MAX + 300];

		snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
		/* Killed tasks leave the cgroup once reaped: bounded at about 200 ms;
		 * a later command sweeps again if they have not left by then. */
		for (int i = 0; i < 40; i++) {
			if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0 || errno != EBUSY)
				break;
			kill_procs(path);
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	closedir(d);
}

/* The session cgroup of `caller` that an earlier command of the caller made at one of the
 * usual mounts, with the stale cgroups beside it swept and pids.max set again; 0, or -1 when
 * there is none (then create() makes it, reading the mounts). The earlier command found that
 * mount best; one that is not a cgroup of that version any more, or not writable, is passed
 * over. */
static int
session_again(struct cgroup_cmd *c, long caller, long pids_max, char *why, size_t whylen)
{
	char p[PATH_MAX + 128], v[32];
	struct statfs sf;

	for (size_t i = 0; i < sizeof usual_mounts / sizeof *usual_mounts; i++) {
		snprintf(c->path, sizeof c->path, "%s/deskhand/sess-%ld", usual_mounts[i].dir, caller);
		if (statfs(usual_mounts[i].dir, &sf) != 0 || (long)sf.f_type != usual_mounts[i].magic ||
		    access(c->path, W_OK) != 0)
			continue;
		snprintf(p, sizeof p, "%s/deskhand", usual_mounts[i].dir);
		sweep_stale(p);
		snprintf(p, sizeof p, "%s/pids.max", c->path);
		snprintf(v, sizeof v, "%ld", pids_max);
		if (write_str(p, v) != 0)
			break;
		c->version = usual_mounts[i].version;
		snprintf(why, whylen, "cgroup v%d %s: pids.max %ld", c->version, c->path, pids_max);
		return 0;
	}
	c->path[0] = '\0';
	return -1;
}

/* cgroup_create (caller 0: cmd-<our pid>-<n>, new) or cgroup_session (sess-<caller>, an
 * existing one reused). */
static int
create(struct cgroup_cmd *c, long caller, long pids_max, unsigned long long mem_max, char *why,
       size_t whylen)
{
	struct mnt m;
	char parent[PATH_MAX + 16], p[PATH_MAX + 128], v[32];
	int mem = 0;

	c->path[0] = '\0';
	c->version = 0;
	if (caller > 0 && session_again(c, caller, pids_max, why, whylen) == 0)
		return 0;
	if (find_mount(&m) != 0) {
		snprintf(why, whylen, "no writable cgroup with the pids controller");
		return -1;
	}
	snprintf(parent, sizeof parent, "%s/deskhand", m.dir);
	if (mkdir(parent, 0755) != 0 && errno != EEXIST)
		goto fail;
	sweep_stale(parent);
	if (m.version == 2) {
		snprintf(p, sizeof p, "%s/cgroup.controllers", m.dir);
		mem = mem_max > 0 && file_has_word(p, "memory");
		if (enable(m.dir, "+pids") != 0 || enable(parent, "+pids") != 0)
			goto fail;
		if (mem && (enable(m.dir, "+memory") != 0 || enable(parent, "+memory") != 0))
			mem = 0;
	}
	if (caller > 0) {
		snprintf(c->path, sizeof c->path, "%s/sess-%ld", parent, caller);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(c->path, sizeof c->path, "%s/cmd-%d-%ld", parent, (int)getpid(),
		         (long)(ts.tv_nsec / 1000));
	}
	if (mkdir(c->path, 0755) != 0 && (caller <= 0 || errno != EEXIST))
		goto fail;
	c->version = m.version;
	snprintf(p, sizeof p, "%s/pids.max", c->path);
	snprintf(v, sizeof v, "%ld", pids_max);
	if (write_str(p, v) != 0)
		goto fail_rm;
	if (mem) {
		snprintf(p, sizeof p, "%s/memory.max", c->path);
		snprintf(v, sizeof v, "%llu", mem_max);
		if (write_str(p, v) != 0)
			goto fail_rm;
	}
	snprintf(why, whylen, "cgroup v%d %s: pids.max %ld%s", m.version, c->path, pids_max,
	         mem ? ", memory.max set" : "");
	return 0;
fail_rm:
	snprintf(why, whylen, "cgroup %s: %s", p, strerror(errno));
	rmdir(c->path); /* a session's: only when nothing runs in it */
	c->path[0] = '\0';
	c->version = 0;
	return -1;
fail:
	snprintf(why, whylen, "cgroup under %s: %s", m.dir, strerror(errno));
	c->path[0] = '\0';
	c->version = 0;
	return -1;
}

int
cgroup_create(struct cgroup_cmd *c, long pids_max, unsigned long long mem_max, char *why,
              size_t whylen)
{
	return create(c, 0, pids_max, mem_max, why, whylen);
}

int
cgroup_session(struct cgroup_cmd *c, long caller, long pids_max, unsigned long long mem_max,
               char *why, size_t whylen)
{
	return create(c, caller > 0 ? caller : 1, pids_max, mem_max, why, whylen);
}

/* How the calling process enters a cgroup, by version. On v1, "0" written to
 * `tasks` moves the calling thread (the whole process: the helper is single-
 * threaded here) without the kernel's global threadgroup lock, whose write
 * side waits for an RCU grace period: measured on this 2-core VM under load,
 * 0.6 ms instead of 21 ms (median; cgroup.procs). v2 refuses a thread move
 * into another domain cgroup: there, our pid goes to cgroup.procs. */
static const struct {
	const char *file;
	int by_pid;
} enter_by[] = {
	[1] = { "/tasks", 0 },
	[2] = { "/cgroup.procs", 1 },
};

int
cgroup_enter(const struct cgroup_cmd *c)
{
	char p[PATH_MAX + 128], num[24], *s = num + sizeof num;
	unsigned long pid = (unsigned long)getpid();

	if (!c->path[0] || c->version < 1 || c->version > 2)
		return 0;
	*--s = '\0';
	if (!enter_by[c->version].by_pid)
		pid = 0;
	do
		*--s = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	size_t n = strlen(c->path), f = strlen(enter_by[c->version].file);

	memcpy(p, c->path, n);
	memcpy(p + n, enter_by[c->version].file, f + 1);
	return write_str(p, s);
}

/* SIGKILL every pid listed in c's cgroup.procs; returns how many. */
static int
kill_members(const struct cgroup_cmd *c)
{
	return kill_procs(c->path);
}
void
cgroup_remove(struct cgroup_cmd *c)
{
	if (!c->path[0])
		return;
	/* Tasks leave the cgroup only once reaped; bounded at about 2 s. */
	for (int i = 0; i < 400; i++) {
		if (rmdir(c->path) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY)
			break;
		kill_members(c);
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	c->path[0] = '\0';
}

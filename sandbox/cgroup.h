/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_CGROUP_H
#define DH_SANDBOX_CGROUP_H

#include <limits.h>
#include <stddef.h>

/*
 * A per-command cgroup for deskhand-sandbox: the pids controller (and, on
 * cgroup v2, memory) limits the whole sandbox tree, also when the caller is
 * root, which RLIMIT_NPROC does not. Prefers cgroup v2, falls back to the v1
 * pids hierarchy (hybrid hosts); without a writable one the caller keeps
 * RLIMIT_NPROC only.
 */

struct cgroup_cmd {
	char path[PATH_MAX + 64]; /* <mount>/deskhand/cmd-<pid>-<n> or sess-<caller>; "" = none */
	int version;              /* 1 or 2; 0 = none */
};

/* Find a writable pids controller and describe it into why (always set):
 * "cgroup v2 pids (/sys/fs/cgroup/deskhand)" or the reason there is none.
 * Returns 1 or 2 (the version) or 0. Creates nothing but the "deskhand"
 * parent directory. */
int cgroup_probe(char *why, size_t whylen);

/* Create the command's cgroup with pids.max = pids_max and, on v2 when the
 * memory controller is there, memory.max = mem_max bytes (0: none).
 * Returns 0, or -1 with why filled; c->path is then "". */
int cgroup_create(struct cgroup_cmd *c, long pids_max, unsigned long long mem_max, char *why,
                  size_t whylen);

/* The cgroup shared by the --exec commands of one caller (pid `caller`):
 * <mount>/deskhand/sess-<caller>, created when missing, reused when there,
 * with pids.max = pids_max (all of the caller's commands together) and, on
 * v2 with the memory controller, memory.max = mem_max bytes. Never removed by
 * the helper: cgroup_create and cgroup_session sweep those whose caller is
 * gone. Returns 0, or -1 with why filled; c->path is then "". */
int cgroup_session(struct cgroup_cmd *c, long caller, long pids_max, unsigned long long mem_max,
                   char *why, size_t whylen);

/* Move the calling process, single-threaded, into c (before exec).
 * 0, or -1 with errno. No-op when c has no path. Async-signal-safe. */
int cgroup_enter(const struct cgroup_cmd *c);

/* SIGKILL whatever is still in c, then remove it (retrying while the kernel
 * still counts exiting tasks). No-op when c has no path. */
void cgroup_remove(struct cgroup_cmd *c);

#endif

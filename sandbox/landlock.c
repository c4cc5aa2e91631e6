/* SPDX-License-Identifier: MIT */
/*
 * Landlock ruleset of deskhand-sandbox's in-sandbox exec stage: builds one
 * ruleset from the ABI the kernel reports, masking rights it does not know
 * (the kernel doc's best-effort switch), and restricts the caller. It does
 * not decide which directories are writable: the caller passes the grants.
 */
#include "landlock.h"
#include "direct.h"
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Newer than Debian 12's <linux/landlock.h> (kernel 6.1 headers, ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL               (1ULL << 1)
#endif

#define LL_READ                                                                                    \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_ABI1                                                                                    \
	(LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                 \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                           \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                               \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                             \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)
#define LL_DEV                                                                                     \
	(LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                   \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The kernel copies the prefix it knows: pass only the fields of the ABI. */
struct ll_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4; left 0: the netns does networking */
	uint64_t scoped;             /* ABI 6 */
};

/* Every filesystem right the given ABI knows. */
static uint64_t
fs_rights(int abi)
{
	uint64_t r = LL_ABI1;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

int
landlock_abi_version(const char **why)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (v >= 1)
		return (int)v;
	if (why)
		*why = errno == EOPNOTSUPP
		               ? "EOPNOTSUPP: Landlock is built in but disabled at boot "
		                 "(add landlock to the lsm= kernel parameter)"
		       : errno == ENOSYS ? "ENOSYS: the kernel was built without Landlock"
		                         : "the kernel refused the version query";
	return 0;
}

/* Allow `access` (masked to what the ruleset handles) beneath path; a missing
 * path is skipped. */
static int
allow(int rfd, const char *path, uint64_t access, uint64_t handled)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access & handled };
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	pb.parent_fd = fd;
	long r = syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	int e = errno;

	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

int
landlock_apply(const char *const *rw, size_t nrw, const char **what)
{
	const char *dummy;
	int abi = landlock_abi_version(&dummy);

	if (abi == 0)
		return 0;
	struct ll_attr attr = { .handled_access_fs = fs_rights(abi) };
	size_t size = sizeof attr.handled_access_fs;

	if (abi >= 4)
		size += sizeof attr.handled_access_net;
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		size += sizeof attr.scoped;
	}
	uint64_t h = attr.handled_access_fs;
	int rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);

	*what = "landlock_create_ruleset";
	if (rfd < 0)
		return -1;
	*what = "landlock_add_rule";
	int bad = allow(rfd, "/", LL_READ, h) || allow(rfd, "/dev", LL_DEV, h) ||
	          allow(rfd, "/dev/shm", h, h);
	for (size_t i = 0; !bad && i < nrw; i++)
		bad = allow(rfd, rw[i], h, h);
	if (!bad) {
		*what = "PR_SET_NO_NEW_PRIVS";
		bad = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0;
	}
	if (!bad) {
		*what = "landlock_restrict_self";
		bad = syscall(SYS_landlock_restrict_self, rfd, 0) != 0;
	}
	int e = errno;

	close(rfd);
	errno = e;
	return bad ? -1 : abi;
}

/* Exits like the outer helper's setup failures; _exit: no atexit handlers
 * (a sanitizer's leak check would ptrace, which seccomp refuses). */
static void __attribute__((noreturn)) stage_fail(int code, const char *what, const char *arg, int e)
{
	dprintf(2, "deskhand-sandbox: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
	        strerror(e));
	_exit(code);
}

void
landlock_exec_main(int argc, char **argv, unsigned long long as_limit, int ready_fd,
                   int proxy_port)
{
	const char **rw = calloc((size_t)argc + 1, sizeof *rw);
	size_t nrw = 0;
	int i = 2, proxy_fd = -1;
	char *end;

	if (!rw)
		stage_fail(125, "--landlock-exec", NULL, ENOMEM);
	if (i + 1 < argc && !strcmp(argv[i], "--proxy-fd")) {
		long fd = strtol(argv[i + 1], &end, 10);

		if (*end || end == argv[i + 1] || fd < 3 || fd > 1 << 20)
			stage_fail(125, "--landlock-exec --proxy-fd", argv[i + 1], EINVAL);
		proxy_fd = (int)fd;
		i += 2;
	}
	rw[nrw++] = "/tmp";
	for (; i + 1 < argc && !strcmp(argv[i], "--rw"); i += 2)
		rw[nrw++] = argv[i + 1];
	if (i >= argc - 1 || strcmp(argv[i], "--") != 0)
		stage_fail(125, "--landlock-exec", "usage", EINVAL);
	char **cmd = argv + i + 1;
	const char *what = NULL, *why = "unknown";
	char mark[160];

	/* First, while nothing of the command runs: the listener in this network namespace
	 * goes to the engine, and the socket it went over is closed before the exec. */
	if (proxy_fd >= 0) {
		char err[200];

		if (netns_send_listener(proxy_port, proxy_fd, err, sizeof err) != 0) {
			dprintf(2, "deskhand-sandbox: proxy listener: %s\n", err);
			_exit(125);
		}
		close(proxy_fd);
	}
	int abi = landlock_apply(rw, nrw, &what);

	if (abi < 0)
		stage_fail(125, "landlock", what, errno);
	if (abi > 0) {
		snprintf(mark, sizeof mark, "abi-%d", abi);
	} else {
		landlock_abi_version(&why);
		snprintf(mark, sizeof mark, "off: %s", why);
	}
	free(rw);
	char **words = direct_words(cmd); /* NULL: the shell is needed */

	if (setenv("DESKHAND_LANDLOCK", mark, 1) != 0)
		stage_fail(125, "setenv", NULL, errno);
	/* Last, right before exec: a sanitizer build of this stage cannot map
	 * anything once its shadow reservation counts against the limit. */
	struct rlimit rl;

	if (getrlimit(RLIMIT_AS, &rl) == 0 &&
	    (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)as_limit)) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)as_limit;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			stage_fail(125, "setrlimit", "RLIMIT_AS", errno);
	}
	/* The helper tells bwrap's setup failures from the command's exit status by this byte.
	 * The fd is open only when the helper put it there; nothing else may see it. */
	if (fcntl(ready_fd, F_GETFD) >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			stage_fail(125, "ready pipe", NULL, errno);
		close(ready_fd);
	}
	if (words)
		execvp(words[0], words); /* returns when it failed: the shell reports it */
	execvp(cmd[0], cmd);
	stage_fail(errno == ENOENT ? 127 : 126, "exec", cmd[0], errno);
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_LANDLOCK_H
#define DH_SANDBOX_LANDLOCK_H

#include <stddef.h>

/*
 * Landlock for deskhand-sandbox (SANDBOX.md §4.4): a second, mount-independent
 * layer applied INSIDE the sandbox, after bwrap built the view, by the helper's
 * in-sandbox exec stage. Read and execute everywhere; write, remove and create
 * only beneath the given directories; devices writable but not creatable.
 * Linux only, no libc wrappers (raw syscall()).
 */

/* The kernel's Landlock ABI version (>= 1), or 0 when it has none; then *why
 * (may be NULL) is a static explanation ("ENOSYS: kernel built without
 * Landlock", "EOPNOTSUPP: disabled at boot"). Never fails otherwise. */
int landlock_abi_version(const char **why);

/* Restrict the calling process and everything it execs, irreversibly:
 * handled = every filesystem right the ABI knows (newer rights masked away,
 * best effort), plus signal and abstract-socket scoping on ABI >= 6.
 * Allowed: read/read-dir/execute beneath "/"; every right beneath each of
 * rw[0..nrw) (missing paths are skipped); read/write/truncate/ioctl (no
 * create or remove) beneath "/dev". Sets PR_SET_NO_NEW_PRIVS.
 * Returns the ABI applied (> 0), 0 when the kernel has no Landlock (nothing
 * was done), or -1 with errno set and *what naming the failing step. */
int landlock_apply(const char *const *rw, size_t nrw, const char **what);

/* The in-sandbox exec stage, `deskhand-sandbox --landlock-exec [--proxy-fd FD]
 * [--rw DIR]... -- COMMAND [ARG]...`, run by bwrap in place of COMMAND. With
 * --proxy-fd it first listens on 127.0.0.1:proxy_port in the sandbox's network
 * namespace, sends the listener over the AF_UNIX socket FD and closes FD
 * (netns.h). Then it sets RLIMIT_AS to
 * as_limit (here, not before bwrap, so that bwrap and this stage are not
 * bound by it), applies Landlock with DIR... and /tmp writable, sets
 * DESKHAND_LANDLOCK ("abi-N" or "off: why"), writes one byte to ready_fd
 * and closes it when that fd is open (the helper's sign that bwrap's setup
 * is done and COMMAND starts) and execvp()s COMMAND (the words of a simple
 * `/bin/sh -c STRING` without the shell: direct.h). Never
 * returns: on failure it _exits 125 after one "deskhand-sandbox: ..." line on
 * stderr (126/127 when COMMAND cannot be executed). Never runs COMMAND
 * unrestricted when the kernel has Landlock but applying it failed. */
void landlock_exec_main(int argc, char **argv, unsigned long long as_limit, int ready_fd,
                        int proxy_port) __attribute__((noreturn));

#endif

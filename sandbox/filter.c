/* The seccomp policy of deskhand-sandbox (sandbox/README.md, "Seccomp"): the tables of refused
 * syscalls and arguments, and their compilation with libseccomp into a BPF program. It runs
 * when deskhand-sandbox is built (gen_filter.c writes the program into a C array), not per
 * command: the helper passes those bytes to bwrap as they are. The program is for the
 * architecture it is built on.
 */
#include "filter.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

/* Syscalls refused outright: EPERM for "not allowed", ENOSYS where libc/runtimes fall back. */
static const struct { int nr; int err; } denied_syscalls[] = {
    /* reading or modifying other processes */
    { SCMP_SYS(ptrace), EPERM }, { SCMP_SYS(process_vm_readv), EPERM },
    { SCMP_SYS(process_vm_writev), EPERM }, { SCMP_SYS(process_madvise), EPERM },
    { SCMP_SYS(pidfd_getfd), EPERM },
    /* kernel keyrings */
    { SCMP_SYS(keyctl), EPERM }, { SCMP_SYS(add_key), EPERM }, { SCMP_SYS(request_key), EPERM },
    /* large kernel attack surface, rarely needed by a dev shell */
    { SCMP_SYS(userfaultfd), EPERM }, { SCMP_SYS(bpf), EPERM }, { SCMP_SYS(perf_event_open), EPERM },
    { SCMP_SYS(io_uring_setup), EPERM }, { SCMP_SYS(io_uring_enter), EPERM },
    { SCMP_SYS(io_uring_register), EPERM }, /* io_uring opens sockets/files without syscalls */
    /* namespaces and mounts: the view bwrap built must stay as it is */
    { SCMP_SYS(unshare), EPERM }, { SCMP_SYS(setns), EPERM }, { SCMP_SYS(mount), EPERM },
    { SCMP_SYS(umount2), EPERM }, { SCMP_SYS(pivot_root), EPERM }, { SCMP_SYS(chroot), EPERM },
    { SCMP_SYS(open_by_handle_at), EPERM },
    /* host administration */
    { SCMP_SYS(syslog), EPERM }, { SCMP_SYS(acct), EPERM }, { SCMP_SYS(quotactl), EPERM },
    { SCMP_SYS(kexec_load), EPERM }, { SCMP_SYS(kexec_file_load), EPERM },
    { SCMP_SYS(init_module), EPERM }, { SCMP_SYS(finit_module), EPERM },
    { SCMP_SYS(delete_module), EPERM }, { SCMP_SYS(reboot), EPERM },
    { SCMP_SYS(swapon), EPERM }, { SCMP_SYS(swapoff), EPERM },
    /* Flatpak's list: old or NUMA interfaces with a history of bugs */
    { SCMP_SYS(modify_ldt), EPERM }, { SCMP_SYS(uselib), EPERM }, { SCMP_SYS(move_pages), EPERM },
    { SCMP_SYS(mbind), EPERM }, { SCMP_SYS(migrate_pages), EPERM },
    { SCMP_SYS(get_mempolicy), EPERM }, { SCMP_SYS(set_mempolicy), EPERM },
    /* clone3's flags sit behind a pointer seccomp cannot read; glibc falls back to clone */
    { SCMP_SYS(clone3), ENOSYS },
    /* the new mount API */
    { SCMP_SYS(open_tree), ENOSYS }, { SCMP_SYS(move_mount), ENOSYS }, { SCMP_SYS(fsopen), ENOSYS },
    { SCMP_SYS(fsconfig), ENOSYS }, { SCMP_SYS(fsmount), ENOSYS }, { SCMP_SYS(fspick), ENOSYS },
    { SCMP_SYS(mount_setattr), ENOSYS },
};

/* clone(flags) with any of these → EPERM (flags are arg0 on x86_64 and aarch64). */
static const unsigned long clone_ns_flags[] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWCGROUP,
};

/* ioctl requests → EPERM: typing into the terminal (TIOCSTI) and the console (TIOCLINUX). */
static const unsigned long denied_ioctls[] = { TIOCSTI, TIOCLINUX };

/* Socket families allowed; every other one → EAFNOSUPPORT (no netlink, packet, vsock...).
 * AF_UNIX is refused too: a host socket in a path the view shows read-only is still
 * connectable (a read-only mount does not stop connect(2) on a socket inode, and
 * Landlock only scopes pathname sockets from ABI 9), and seccomp cannot see the path.
 * socketpair(2) stays allowed for stream and seqpacket ends, which reach nothing but each
 * other; a datagram end is refused (EPERM): sendto(2) and sendmsg(2) take it to any host
 * datagram socket by its path. */
static const int allowed_families[] = { AF_UNSPEC, AF_INET, AF_INET6 };

/* -EFAULT: syscall unknown on this arch (Flatpak's convention) — it cannot be called anyway. */
static int rule(scmp_filter_ctx c, int err, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
    int r = seccomp_rule_add_array(c, SCMP_ACT_ERRNO(err), nr, n, cmp);
    return r == -EFAULT ? 0 : r;
}

int filter_export_bpf(int fd)
{
    /* Denylist: default ALLOW. Only the native arch is in the filter, so i386 (int 0x80) and
     * x32 syscalls hit the bad-arch action and kill the process. The syscall numbers are
     * tested as a binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2), not one after another: the same
     * rules, but attaching the program, which the kernel does twice per command (bwrap's init
     * and the command) and which runs it for every syscall number to cache the ones it always
     * allows, took 150 us instead of 210 (median of 200 attaches each). */
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
    int bad = !c || seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0 ||
              seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0;

    for (size_t i = 0; !bad && i < sizeof denied_syscalls / sizeof *denied_syscalls; i++)
        bad = rule(c, denied_syscalls[i].err, denied_syscalls[i].nr, 0, NULL) != 0;
    for (size_t i = 0; !bad && i < sizeof clone_ns_flags / sizeof *clone_ns_flags; i++) {
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]);
        bad = rule(c, EPERM, SCMP_SYS(clone), 1, &a) != 0;
    }
    /* ioctl's request and socket's family are 32-bit in the kernel: compare the low 32 bits
     * only, or a value with garbage in the upper half slips past (CVE-2019-10063). */
    for (size_t i = 0; !bad && i < sizeof denied_ioctls / sizeof *denied_ioctls; i++) {
        struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, denied_ioctls[i]);
        bad = rule(c, EPERM, SCMP_SYS(ioctl), 1, &a) != 0;
    }
    /* personality: only PER_LINUX (0) and the 0xffffffff query (no ASLR-off, no fake uname).
     * libseccomp 2.5 allows one comparison per argument in a rule, so "x is neither all-zero
     * nor all-one" is spelled as: bits 0 and i differ, for some i in 1..31; or upper bits set. */
    for (unsigned i = 1; !bad && i < 32; i++) {
        scmp_datum_t m = 1u | (1u << i);
        struct scmp_arg_cmp lo = SCMP_A0(SCMP_CMP_MASKED_EQ, m, 1u), hi = SCMP_A0(SCMP_CMP_MASKED_EQ, m, 1u << i);
        bad = rule(c, EPERM, SCMP_SYS(personality), 1, &lo) || rule(c, EPERM, SCMP_SYS(personality), 1, &hi);
    }
    struct scmp_arg_cmp upper = SCMP_A0(SCMP_CMP_GT, 0xffffffffu);
    if (!bad) bad = rule(c, EPERM, SCMP_SYS(personality), 1, &upper) != 0;
    /* socket: every family below AF_MAX not in the allowed list, and anything >= AF_MAX. The
     * last rule compares all 64 bits, so upper-half garbage is refused too (fails closed). */
    for (int f = 0; !bad && f < AF_MAX; f++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof allowed_families / sizeof *allowed_families; k++)
            ok |= allowed_families[k] == f;
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)f);
        if (!ok) bad = rule(c, EAFNOSUPPORT, SCMP_SYS(socket), 1, &a) != 0;
    }
    struct scmp_arg_cmp hi = SCMP_A0(SCMP_CMP_GE, AF_MAX);
    if (!bad) bad = rule(c, EAFNOSUPPORT, SCMP_SYS(socket), 1, &hi) != 0;
    /* socketpair(SOCK_DGRAM): the type's low 4 bits (SOCK_TYPE_MASK); the high ones are the
     * SOCK_NONBLOCK and SOCK_CLOEXEC flags. */
    struct scmp_arg_cmp dgram = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM);
    if (!bad) bad = rule(c, EPERM, SCMP_SYS(socketpair), 1, &dgram) != 0;

    if (!bad) bad = seccomp_export_bpf(c, fd) != 0;
    if (c) seccomp_release(c);
    return bad ? -1 : 0;
}

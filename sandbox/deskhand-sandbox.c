/* deskhand-sandbox: run ONE command under bubblewrap with a seccomp filter.
 *
 *   deskhand-sandbox [--rw DIR]... [--ro PATH]... [--chdir DIR] [--timeout SECONDS]
 *                    [--env NAME=VALUE]... [--proxy-fd FD] [--bwrap PATH] [--pids-max N]
 *                    [--protect PATH]... [--repo DIR]... [--find-repos] [--exec --ready-fd FD]
 *                    [--print-argv]
 *                    -- COMMAND [ARG]...
 *   deskhand-sandbox --status
 * Inside the sandbox bwrap runs this binary again as the exec stage (landlock.c):
 *   deskhand-sandbox --landlock-exec [--proxy-fd 4] [--rw DIR]... -- COMMAND [ARG]...
 *
 * Exit status: the command's; 124 wall-clock timeout (whole tree killed); 125 setup failed
 * (one "deskhand-sandbox: ..." line on stderr); 128+N when killed by signal N.
 * --exec (run_command): no supervisor; the helper becomes bwrap, and its caller enforces the
 * timeout and reads the ready byte (README, "Exec mode").
 * The policy (what is mounted how, which syscalls are refused and why) is in sandbox/README.md;
 * every policy choice is a table at the top of this file, except the seccomp rules, which are
 * tables at the top of filter.c, compiled into BPF when this binary is built (gen_filter.c).
 * Self-contained: links only libc at run time, shares no code with deskhand.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "filter.h"
#include "landlock.h"
#include "protected_paths.h"

enum { EXIT_TIMEOUT = 124, EXIT_SETUP = 125 };
#define SECCOMP_FD 3 /* fixed fd number the filter is passed at */
#define SECCOMP_FD_STR "3"
/* --proxy-fd only: the caller's socket, at this number inside the sandbox until the exec stage
 * has sent the proxy listener over it and closed it (netns.h). */
#define PROXY_FD_STR "4"
enum { PROXY_FD = 4 };
/* The exec stage writes one byte here right before it execs the command (landlock.c): bwrap
 * exiting without it means bwrap's own setup failed, which then exits 125, not bwrap's 1. */
enum { READY_FD = 6 };

/* The proxy listener inside the sandbox (--proxy-fd) and the variables that point at it. */
enum { PROXY_PORT = 3128 };
static const char *const proxy_env[] = {
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
};
#define PROXY_URL "http://127.0.0.1:3128"

static const char DEFAULT_BWRAP[] = "/usr/bin/bwrap";
/* Where this binary is bound inside (a tmpfs there) to run as the exec stage: landlock.c. */
#define INNER_PATH "/run/deskhand-sandbox"
enum { PIDS_MAX_DEF = 1024 };                     /* cgroup pids.max per command */
#define MEMORY_MAX_DEF ((unsigned long long)8 << 30) /* cgroup v2 memory.max per command */
#define SANDBOX_PATH "/usr/local/bin:/usr/bin:/bin" /* PATH inside, and bwrap's own */

/* ---- policy tables ---------------------------------------------------------------------- */

/* Fixed bwrap flags: every namespace new, no nested user namespaces, own session (TIOCSTI),
 * tree dies with us, empty environment, and no capabilities even when started as root. */
static const char *const base_flags[] = {
    "--unshare-all", "--unshare-user", "--disable-userns", "--new-session",
    "--die-with-parent", "--clearenv", "--cap-drop", "ALL",
};

/* Host directories replaced by an empty tmpfs (user data, sockets, scratch), when they exist. */
static const char *const hidden_dirs[] = {
    "/home", "/root", "/run", "/tmp", "/var/tmp", "/mnt", "/media", "/srv",
};

/* Paths inside every --rw grant that change what runs later (protected_paths.h): re-bound
 * read-only when they exist, the directories on the way to them pinned. Missing ones are
 * skipped (no placeholder files are created on the host). */
#define DENY_PATH(path, dir) path,
static const char *const deny_paths[] = { SANDBOX_PROTECTED_PATHS(DENY_PATH) };
/* The same in a nested repository's or a submodule's git directory. */
static const char *const git_dir_entries[] = { SANDBOX_GIT_DIR_ENTRIES(DENY_PATH) };
#undef DENY_PATH

/* Grants that would void the policy: "/" itself and anything under these. */
static const char *const refused_grants[] = { "/proc", "/sys", "/dev" };

static const struct { int res; rlim_t max; } limits[] = {
    { RLIMIT_CORE, 0 },
    { RLIMIT_NPROC, 4096 },            /* see README: counts all of the user's tasks when not root */
    { RLIMIT_FSIZE, (rlim_t)1 << 30 }, /* 1 GiB per file */
    { RLIMIT_AS, (rlim_t)4 << 30 },    /* 4 GiB address space per process; set by the exec
                                        * stage inside, so bwrap is not bound by it */
};


/* ---- small helpers ---------------------------------------------------------------------- */

struct vec { const char **v; size_t n, cap; };

/* Globals so that every allocation stays reachable until exit (LeakSanitizer-clean on die()). */
static struct vec bw;     /* the bwrap argv */
static struct vec owned;  /* strings we allocated */
static struct cgroup_cmd cg; /* this command's cgroup, if any (cgroup.c) */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("deskhand-sandbox: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_SETUP);
}

static void push(struct vec *v, const char *s)
{
    if (v->n + 1 >= v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        const char **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) die("out of memory");
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = s;
    v->v[v->n] = NULL;
}

static void push2(const char *a, const char *b) { push(&bw, a); push(&bw, b); }
static void push3(const char *a, const char *b, const char *c) { push(&bw, a); push2(b, c); }

static const char *keep(char *s)
{
    if (!s) die("out of memory");
    push(&owned, s);
    return s;
}

static const char *join(const char *dir, const char *rel)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s", dir, rel) < 0) s = NULL;
    return keep(s);
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- options ---------------------------------------------------------------------------- */

/* deny: for a --rw grant, a bit per deny path that may be in it (scan_top), the others are
 * not looked up. */
struct grant { const char *path; int rw, pin; unsigned long long deny; };

static struct {
    struct grant *grants;
    size_t ngrants, cgrants;
    const char *chdir, *bwrap;
    char **env;
    size_t nenv;
    const char **protect; /* --protect */
    size_t nprotect;
    const char **repo;    /* --repo */
    size_t nrepo;
    int find_repos;       /* --find-repos */
    double timeout;
    int print_argv;
    int status;     /* --status */
    long pids_max;  /* --pids-max */
    int proxy_fd; /* -1: no network at all */
    int exec;     /* --exec: become bwrap instead of supervising it */
    int ready_fd; /* --ready-fd: where the exec stage's ready byte goes (--exec); -1 */
    char **cmd;
} opt;

static void usage(FILE *f)
{
    fputs("usage: deskhand-sandbox [OPTION]... -- COMMAND [ARG]...\n"
          "Run COMMAND under bubblewrap with a seccomp filter (see sandbox/README.md).\n"
          "  --rw DIR          grant DIR read-write (repeatable; the first is HOME and the default cwd)\n"
          "  --ro PATH         grant PATH read-only (repeatable)\n"
          "  --chdir DIR       working directory inside the sandbox\n"
          "  --timeout SECS    wall-clock limit; the whole process tree is killed, exit 124\n"
          "  --env NAME=VALUE  set a variable in the command's environment (repeatable)\n"
          "  --proxy-fd FD     send a TCP listener on the sandbox's 127.0.0.1:3128 over the\n"
          "                    AF_UNIX socket FD (SCM_RIGHTS) and point HTTP(S)_PROXY at it\n"
          "  --bwrap PATH      bubblewrap binary (default /usr/bin/bwrap)\n"
          "  --pids-max N      processes in the sandbox's cgroup (default 1024; see --status)\n"
          "  --protect PATH    a file or directory the host runs or reads later (the caller's own\n"
          "                    program, its configuration): when a --rw grant holds it, the command\n"
          "                    can neither change, move nor replace it (repeatable; this binary and\n"
          "                    bwrap always are)\n"
          "  --repo DIR        a git repository deeper in a --rw grant than one folder down\n"
          "                    (those the helper finds itself): its hooks and config, and its\n"
          "                    submodules', are read-only like the grant's own (repeatable; at\n"
          "                    most 32 repositories besides the grants' own, nearest first)\n"
          "  --find-repos      find those repositories here instead, by a walk of each --rw grant\n"
          "                    (for a long-lived command, such as a connector's server, whose\n"
          "                    caller has no list: at most 6 folders down and 4096 folders read)\n"
          "  --exec            no supervisor: become bwrap (the caller kills it to stop the sandbox);\n"
          "                    the caller enforces --timeout and reads the ready byte (--ready-fd)\n"
          "  --ready-fd FD     with --exec: one byte is written to FD right before the command runs\n"
          "  --print-argv      print the bwrap argv, one argument per line, and exit 0\n"
          "  --status          print which layers this machine gives (Landlock, cgroup) and exit\n"
          "  --help            print this text\n"
          "Exit status: the command's; 124 timeout; 125 sandbox setup failed; 128+N killed by signal N.\n",
          f);
}

static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "deskhand-sandbox: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    usage(stderr);
    exit(EXIT_SETUP);
}

static void parse(int argc, char **argv)
{
    opt.cgrants = 2 * (size_t)argc; /* add_entry() grows it for the pins and protected paths */
    opt.grants = calloc(opt.cgrants, sizeof *opt.grants);
    opt.env = calloc((size_t)argc, sizeof *opt.env);
    opt.protect = calloc((size_t)argc + 2, sizeof *opt.protect); /* + this binary and bwrap */
    opt.repo = calloc((size_t)argc, sizeof *opt.repo);
    if (!opt.grants || !opt.env || !opt.protect || !opt.repo) die("out of memory");
    opt.bwrap = DEFAULT_BWRAP;
    opt.pids_max = PIDS_MAX_DEF;
    opt.proxy_fd = -1;
    opt.ready_fd = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            opt.cmd = argv + i + 1;
            break;
        }
        if (!strcmp(a, "--help")) { usage(stdout); exit(0); }
        if (!strcmp(a, "--print-argv")) { opt.print_argv = 1; continue; }
        if (!strcmp(a, "--exec")) { opt.exec = 1; continue; }
        if (!strcmp(a, "--status")) { opt.status = 1; continue; }
        if (!strcmp(a, "--find-repos")) { opt.find_repos = 1; continue; }
        if (strncmp(a, "--", 2) != 0) usage_error("expected -- before the command", a);
        if (i + 1 >= argc) usage_error("option needs a value", a);
        char *v = argv[++i];
        if (!strcmp(a, "--rw") || !strcmp(a, "--ro")) {
            opt.grants[opt.ngrants++] = (struct grant){ .path = v, .rw = !strcmp(a, "--rw") };
        } else if (!strcmp(a, "--chdir")) {
            opt.chdir = v;
        } else if (!strcmp(a, "--protect")) {
            opt.protect[opt.nprotect++] = v;
        } else if (!strcmp(a, "--repo")) {
            opt.repo[opt.nrepo++] = v;
        } else if (!strcmp(a, "--bwrap")) {
            opt.bwrap = v;
        } else if (!strcmp(a, "--env")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) usage_error("--env needs NAME=VALUE", v);
            opt.env[opt.nenv++] = v;
        } else if (!strcmp(a, "--proxy-fd")) {
            char *end;
            long fd = strtol(v, &end, 10);
            int type = 0;
            socklen_t tl = sizeof type;
            if (*end || end == v || fd < 3 || fd > 1 << 20 ||
                getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
                usage_error("--proxy-fd needs an open socket fd above 2", v);
            opt.proxy_fd = (int)fd;
        } else if (!strcmp(a, "--ready-fd")) {
            char *end;
            long fd = strtol(v, &end, 10);
            if (*end || end == v || fd < 3 || fd > 1 << 20 || fcntl((int)fd, F_GETFD) < 0)
                usage_error("--ready-fd needs an open fd above 2", v);
            opt.ready_fd = (int)fd;
        } else if (!strcmp(a, "--pids-max")) {
            char *end;
            opt.pids_max = strtol(v, &end, 10);
            if (*end || end == v || opt.pids_max < 8 || opt.pids_max > 1 << 22)
                usage_error("--pids-max needs a number from 8 to 4194304", v);
        } else if (!strcmp(a, "--timeout")) {
            char *end;
            errno = 0;
            opt.timeout = strtod(v, &end);
            if (errno || *end || !(opt.timeout > 0 && opt.timeout <= 1e7))
                usage_error("--timeout needs a positive number of seconds", v);
        } else {
            usage_error("unknown option", a);
        }
    }
    if (!opt.status && (!opt.cmd || !opt.cmd[0])) usage_error("no command given (put it after --)", NULL);
    if (opt.exec != (opt.ready_fd >= 0)) usage_error("--exec and --ready-fd go together", NULL);
    if (opt.find_repos && opt.nrepo)
        usage_error("--find-repos finds what --repo names: give one or the other", NULL);
}

/* ---- the bwrap argv --------------------------------------------------------------------- */

static const char *canonical(const char *path, const char *what, int want_dir)
{
    char *r = realpath(path, NULL);
    struct stat st;
    if (!r) die("%s %s: %s", what, path, strerror(errno));
    keep(r);
    if (want_dir && (stat(r, &st) < 0 || !S_ISDIR(st.st_mode)))
        die("%s %s: not a directory", what, path);
    return r;
}

static void check_grant(const char *r, const char *what)
{
    int bad = !strcmp(r, "/");
    for (size_t i = 0; i < sizeof refused_grants / sizeof *refused_grants; i++)
        bad |= under(r, refused_grants[i]);
    if (bad) die("%s %s: refusing to grant this path", what, r);
}

/* After a lookup of p failed: NULL when p is not there (or not reachable by the command
 * either), exit 125 when it could be there and the helper cannot tell: a path too long for
 * one lookup, which the command can still reach step by step (relative to a directory on
 * the way). */
static const char *checked_missing(const char *p)
{
    if (errno == ENAMETOOLONG) die("%.200s...: %s: a protected path there cannot be checked", p, strerror(errno));
    return NULL;
}

/* realpath of G/rel if it exists and lies inside a --rw grant (else NULL: nothing to protect,
 * or a symlink pointing out of the writable area, which is read-only or hidden already). */
static const char *protected_path(const char *grant, const char *rel)
{
    const char *p = join(grant, rel);
    struct stat st;
    /* Most do not exist: one lstat instead of realpath's readlink per component. */
    if (lstat(p, &st) != 0) return checked_missing(p);
    char *r = realpath(p, NULL);
    if (!r) return checked_missing(p);
    keep(r);
    for (size_t i = 0; i < opt.ngrants; i++)
        if (opt.grants[i].rw && under(r, opt.grants[i].path)) return r;
    return NULL;
}

/* Our own binary's path (for the --ro-bind of the exec stage). */
static const char *self_exe(void)
{
    char *p = realpath("/proc/self/exe", NULL);
    if (!p) die("/proc/self/exe: %s", strerror(errno));
    return keep(p);
}

/* Adds an entry to the grants (see protect_git_dir): a pin (a --rw grant of path
 * onto itself) or a read-only bind, unless path is one already. A read-only entry turns a --rw
 * grant of that very path read-only. */
static void add_entry(const char *path, int rw)
{
    for (size_t i = 0; i < opt.ngrants; i++)
        if (!strcmp(opt.grants[i].path, path)) {
            if (!rw) opt.grants[i].rw = 0;
            return;
        }
    if (opt.ngrants == opt.cgrants) {
        struct grant *g = realloc(opt.grants, 2 * opt.cgrants * sizeof *g);
        if (!g) die("out of memory");
        opt.grants = g;
        opt.cgrants *= 2;
    }
    opt.grants[opt.ngrants++] = (struct grant){ .path = path, .rw = rw, .pin = 1 };
}

/* The innermost grant (or entry) holding path, a realpath; NULL when none does. */
static const struct grant *innermost(const char *path)
{
    const struct grant *in = NULL;
    for (size_t g = 0; g < opt.ngrants; g++)
        if (under(path, opt.grants[g].path) && (!in || strlen(opt.grants[g].path) > strlen(in->path)))
            in = &opt.grants[g];
    return in;
}

/* Pins each directory between r (a realpath) and its innermost grant, when that grant is
 * --rw. Returns whether it is. */
static int pin_the_way(const char *r)
{
    const struct grant *in = innermost(r);
    if (!in || !in->rw) return 0;
    size_t base = strlen(in->path);
    for (const char *slash = strchr(r + base, '/'); slash; slash = strchr(slash + 1, '/'))
        if (slash > r + base) add_entry(keep(strndup(r, (size_t)(slash - r))), 1);
    return 1;
}

/* What the host runs or reads later: this binary, bwrap and each --protect (deskhand, its
 * configuration and state). One that lies inside a --rw grant could be replaced or changed by
 * the command, and the host would then run the replacement outside any sandbox. So each is
 * bound read-only onto itself, and each directory between its innermost grant and it is pinned
 * like .git: a mount point, which cannot be renamed or removed (EBUSY), so the path keeps
 * naming that file or directory. Both go in with the grants, sorted parents first, so a
 * nested grant inside a protected directory (a connector's HOME in the state) stays writable.
 * One in a --ro grant, or in no grant, is read-only or hidden already. */
static void protect_host_paths(void)
{
    for (size_t i = 0; i < opt.nprotect; i++) {
        char *r = realpath(opt.protect[i], NULL);
        if (!r) continue; /* nothing there for the host to run or read */
        keep(r);
        if (pin_the_way(r)) add_entry(r, 0);
    }
}

/* The submodules' git directories under a --rw grant's .git/modules (git keeps them there and
 * runs their hooks and reads their config as it does .git's own): found before the grants are
 * sorted, each pinned with the directories it is in, so none can be renamed away; their hooks
 * and config are bound read-only last, with the deny paths. A directory there without hooks,
 * config or HEAD is part of a submodule's name ("vendor/lib"). Nested submodules and names
 * are followed SUBMODULE_DEPTH levels down, and at most SUBMODULES_MAX directories are taken
 * (README, "Known gaps"). */
enum { SUBMODULE_DEPTH = 4, SUBMODULES_MAX = 64 };
static struct vec sub_deny;
static size_t nsubmodules;

static int is_dir_entry(const char *dir, const struct dirent *e)
{
    struct stat st;
    if (e->d_name[0] == '.') return 0; /* ".", "..", or not git's */
    if (e->d_type != DT_UNKNOWN) return e->d_type == DT_DIR;
    return lstat(join(dir, e->d_name), &st) == 0 && S_ISDIR(st.st_mode);
}

/* A nested or a submodule's git directory: what git runs or reads in it (git_dir_entries), to
 * be bound read-only with the deny paths. */
static void push_git_dir_entries(const char *gd)
{
    const char *p;
    for (size_t i = 0; i < sizeof git_dir_entries / sizeof *git_dir_entries; i++)
        if ((p = protected_path(gd, git_dir_entries[i]))) push(&sub_deny, p);
}

static void find_submodules(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return;
    add_entry(dir, 1);
    for (struct dirent *e; nsubmodules < SUBMODULES_MAX && (e = readdir(d));) {
        if (!is_dir_entry(dir, e)) continue;
        const char *gd = join(dir, e->d_name), *hooks, *config, *m;
        const struct grant *in = innermost(gd);
        struct stat st;
        if (!in || !in->rw) continue; /* a --ro grant of its own: read-only already */
        nsubmodules++;
        add_entry(gd, 1);
        hooks = protected_path(gd, "hooks");
        config = protected_path(gd, "config");
        push_git_dir_entries(gd);
        if (depth + 1 >= SUBMODULE_DEPTH) continue;
        if (hooks || config || lstat(join(gd, "HEAD"), &st) == 0) {
            if ((m = protected_path(gd, "modules"))) find_submodules(m, depth + 1);
        } else {
            find_submodules(gd, depth + 1);
        }
    }
    closedir(d);
}

/* A git repository's directory: its .git pinned with a bind onto itself (and the repository's
 * folder, when it is not the grant): a mount point cannot be renamed (EBUSY), so `mv .git x`
 * cannot carry the read-only hooks and config away and a new one take its place. Its hooks and
 * config are bound read-only last (the grant's own as deny paths), with its submodules'. `git`
 * is the realpath of a .git (a directory, or a worktree's .git file, pinned all the same). */
static void protect_git_dir(const char *repo, const char *git)
{
    const char *p;
    struct stat st;
    const struct grant *in = innermost(git);
    if (!in || !in->rw) return; /* in a --ro grant of its own: read-only already */
    if (repo) add_entry(repo, 1);
    if (lstat(git, &st) == 0 && !S_ISDIR(st.st_mode)) {
        add_entry(git, 0); /* "gitdir: PATH": where git takes config and hooks from */
        return;
    }
    add_entry(git, 1);
    if (repo) push_git_dir_entries(git);
    if ((p = protected_path(git, "modules"))) find_submodules(p, 0);
}

/* The repositories nested in a --rw grant (a folder of projects): git runs their hooks and
 * reads their config as it does the grant's own. Those one folder down are found here (one
 * readdir the deny paths need anyway); deeper ones only when the caller names them (--repo:
 * deskhand's watcher sees every .git; a walk here would cost every command). At most
 * NESTED_REPOS_MAX in all, the ones found here first, each costing four mounts per command, and
 * a deeper one a mount more per folder on the way; node_modules is not looked in (README,
 * "Known gaps"). */
enum { NESTED_REPOS_MAX = 32 };
static size_t nrepos;

/* repo is a realpath, or a path in a grant (realpath'd, then it must still be in a --rw one). */
static void nested_repo(const char *repo)
{
    const char *git = join(repo, ".git");
    struct stat st;
    /* A .git directory, or the file of a worktree or a submodule checkout (protect_git_dir
     * binds it read-only: its "gitdir:" line says where git takes config and hooks from). */
    if (lstat(git, &st) != 0) {
        checked_missing(git);
        return;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return;
    if (lstat(repo, &st) != 0 || !S_ISDIR(st.st_mode)) return;
    const struct grant *in = innermost(repo);
    if (!in || !in->rw || !strcmp(in->path, repo)) return; /* a grant or an entry of its own: done */
    nrepos++;
    pin_the_way(repo);
    protect_git_dir(repo, git);
}

static void protect_named_repos(void)
{
    for (size_t i = 0; i < opt.nrepo && nrepos < NESTED_REPOS_MAX; i++) {
        char *r = realpath(opt.repo[i], NULL);
        if (r) nested_repo(keep(r));
    }
}

/* --find-repos: the repositories two or more folders down in each --rw grant, found by the
 * helper itself for a caller that cannot name them (a connector's server: it starts before
 * deskhand's watcher has walked, and runs for the whole session, so the walk is paid once, not
 * per command). Breadth first, so nearest first as the caller's list would be; not into .git
 * or node_modules (as scan_top), nor through a symlink; at most FIND_REPOS_DEPTH folders down
 * and FIND_REPOS_DIRS folders read in all, and NESTED_REPOS_MAX repositories with those one
 * folder down (README, "Known gaps"). */
enum { FIND_REPOS_DEPTH = 6, FIND_REPOS_DIRS = 4096 };

static int is_walked_dir(const char *dir, const struct dirent *e)
{
    const char *n = e->d_name;
    struct stat st;
    if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, ".git") || !strcmp(n, "node_modules"))
        return 0;
    if (e->d_type != DT_UNKNOWN) return e->d_type == DT_DIR;
    return lstat(join(dir, n), &st) == 0 && S_ISDIR(st.st_mode);
}

static void find_repos(size_t ngrants)
{
    const char **level = calloc(FIND_REPOS_DIRS + 1, sizeof *level);
    const char **next = calloc(FIND_REPOS_DIRS + 1, sizeof *next);
    size_t nlevel = 0, read = 0;
    if (!level || !next) die("out of memory");
    for (size_t i = 0; i < ngrants && nlevel < FIND_REPOS_DIRS; i++)
        if (opt.grants[i].rw && !opt.grants[i].pin) level[nlevel++] = opt.grants[i].path;
    /* level: the folders `depth` folders down, to be read. A folder read is a repository when
     * a .git is among its entries (two or more down: those one down are scan_top's); one in
     * the last level, which is not read, is looked for with an lstat of its .git. */
    for (int depth = 0; depth <= FIND_REPOS_DEPTH && nlevel && nrepos < NESTED_REPOS_MAX; depth++) {
        size_t nnext = 0;
        for (size_t i = 0; i < nlevel && nrepos < NESTED_REPOS_MAX; i++) {
            if (depth == FIND_REPOS_DEPTH || read >= FIND_REPOS_DIRS) {
                nested_repo(level[i]);
                continue;
            }
            DIR *d = opendir(level[i]);
            if (!d) continue;
            read++;
            for (struct dirent *e; (e = readdir(d));) {
                if (depth >= 2 && !strcmp(e->d_name, ".git")) nested_repo(level[i]);
                else if (nnext < FIND_REPOS_DIRS && is_walked_dir(level[i], e))
                    next[nnext++] = join(level[i], e->d_name);
            }
            closedir(d);
        }
        const char **t = level;
        level = next;
        next = t;
        nlevel = nnext;
    }
    free(level);
    free(next);
}

#define NDENY (sizeof deny_paths / sizeof *deny_paths)
_Static_assert(NDENY <= 64, "a grant's deny mask has a bit per deny path");

/* One read of a --rw grant's top folder: the deny paths whose first component is there (bit
 * k: deny_paths[k]; all of them when the folder cannot be read), and the repositories one
 * folder down (nested_repo). Every deny path begins with a dot. */
static unsigned long long scan_top(const char *grant)
{
    unsigned long long mask = 0;
    DIR *d = opendir(grant);
    if (!d) return ~0ULL;
    for (struct dirent *e; (e = readdir(d));) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (!strcmp(n, ".") || !strcmp(n, "..")) continue;
        if (n[0] == '.')
            for (size_t k = 0; k < NDENY; k++)
                if (!strncmp(deny_paths[k], n, len) && (!deny_paths[k][len] || deny_paths[k][len] == '/'))
                    mask |= 1ULL << k;
        if (nrepos < NESTED_REPOS_MAX && strcmp(n, ".git") && strcmp(n, "node_modules") &&
            (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN))
            nested_repo(join(grant, n));
    }
    closedir(d);
    return mask;
}

/* A deny path below a directory of the grant (.claude/commands, .config/systemd/user): that
 * directory could be renamed away with the read-only bind inside it, and a new one made in
 * its place. So it is pinned as .git is, like the way to a protected host path. And the git
 * directories the grant's own .git does not cover: its submodules' and nested repositories'. */
static void pin_deny_parents(size_t ngrants)
{
    for (size_t i = 0; i < ngrants; i++) {
        if (!opt.grants[i].rw || opt.grants[i].pin) continue;
        const char *grant = opt.grants[i].path;
        unsigned long long mask = scan_top(grant); /* it may move opt.grants (add_entry) */
        opt.grants[i].deny = mask;
        for (size_t k = 0; k < NDENY; k++) {
            if (!(mask >> k & 1) || !strchr(deny_paths[k], '/')) continue;
            const char *p = protected_path(grant, deny_paths[k]);
            if (p) pin_the_way(p);
        }
        int has_git = 0;
        for (size_t k = 0; k < NDENY; k++)
            has_git |= (mask >> k & 1) && !strncmp(deny_paths[k], ".git/", 5);
        const char *git = has_git ? protected_path(grant, ".git") : NULL;
        if (git) protect_git_dir(NULL, git);
    }
}

static void build_argv(void)
{
    struct stat st;
    const char *first_rw = NULL;
    size_t n = opt.ngrants;

    for (size_t i = 0; i < n; i++) {
        struct grant *g = &opt.grants[i];
        const char *what = g->rw ? "--rw" : "--ro";
        g->path = canonical(g->path, what, g->rw);
        check_grant(g->path, what);
        if (g->rw && !first_rw) first_rw = g->path;
    }
    pin_deny_parents(n);
    if (opt.find_repos) find_repos(n);
    protect_named_repos();
    const char *self = self_exe();
    opt.protect[opt.nprotect++] = self;
    opt.protect[opt.nprotect++] = opt.bwrap;
    protect_host_paths();
    n = opt.ngrants;
    /* Parents before children, so a nested mount lands on top of its parent's. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strlen(opt.grants[j - 1].path) > strlen(opt.grants[j].path); j--) {
            struct grant t = opt.grants[j];
            opt.grants[j] = opt.grants[j - 1];
            opt.grants[j - 1] = t;
        }

    push(&bw, opt.bwrap);
    for (size_t i = 0; i < sizeof base_flags / sizeof *base_flags; i++) push(&bw, base_flags[i]);
    /* No --as-pid-1, in either mode: the command as pid 1 could clear its own PDEATHSIG
     * (prctl) and outlive bwrap's death, the timeout's kill. bwrap's init holds it instead,
     * out of the command's reach (README, "Exec mode"). */
    push3("--setenv", "PATH", SANDBOX_PATH);
    push3("--setenv", "HOME", first_rw ? first_rw : "/tmp");
    push3("--setenv", "TMPDIR", "/tmp");
    push3("--setenv", "LANG", "C.UTF-8");
    if (opt.proxy_fd >= 0) {
        for (size_t i = 0; i < sizeof proxy_env / sizeof *proxy_env; i++)
            push3("--setenv", proxy_env[i], PROXY_URL);
        push3("--setenv", "NO_PROXY", "");
        push3("--setenv", "no_proxy", "");
    }
    for (size_t i = 0; i < opt.nenv; i++) {
        char *eq = strchr(opt.env[i], '=');
        push3("--setenv", keep(strndup(opt.env[i], (size_t)(eq - opt.env[i]))), eq + 1);
    }
    push3("--ro-bind", "/", "/");
    for (size_t i = 0; i < sizeof hidden_dirs / sizeof *hidden_dirs; i++) {
        if (lstat(hidden_dirs[i], &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            push2("--tmpfs", hidden_dirs[i]);
            continue;
        }
        /* A symlink (/home -> var/home on image-based systems): what it names is hidden. */
        char *r = S_ISLNK(st.st_mode) ? realpath(hidden_dirs[i], NULL) : NULL;
        if (!r) continue; /* dangling: nothing to hide */
        keep(r);
        if (!strcmp(r, "/")) die("%s is a symlink to /: nothing would be hidden", hidden_dirs[i]);
        if (stat(r, &st) == 0 && S_ISDIR(st.st_mode)) push2("--tmpfs", r);
    }
    /* This binary runs inside as the exec stage, always bound read-only at one fixed
     * path on the /run tmpfs: the argv (and what the command sees) does not depend on
     * where deskhand is installed or whether a hidden directory covers it. */
    const char *inner = self;
    if (lstat("/run", &st) != 0 || !S_ISDIR(st.st_mode)) die("no /run to bind %s at", inner);
    push3("--ro-bind", inner, INNER_PATH);
    inner = INNER_PATH;
    push2("--proc", "/proc");
    /* bwrap leaves /proc/sys writable by mode; sysctl checks the euid, not capabilities, so a
     * sandbox running as host root could set kernel.core_pattern and escape. Read-only it is. */
    push3("--ro-bind", "/proc/sys", "/proc/sys");
    push2("--dev", "/dev");
    for (size_t i = 0; i < n; i++)
        push3(opt.grants[i].rw ? "--bind" : "--ro-bind", opt.grants[i].path, opt.grants[i].path);
    /* The deny paths last, so they win over any rw mount. */
    for (size_t i = 0; i < n; i++) {
        if (!opt.grants[i].rw || opt.grants[i].pin) continue;
        for (size_t k = 0; k < NDENY; k++) {
            if (!(opt.grants[i].deny >> k & 1)) continue;
            const char *p = protected_path(opt.grants[i].path, deny_paths[k]);
            if (p) push3("--ro-bind", p, p);
        }
    }
    for (size_t i = 0; i < sub_deny.n; i++) push3("--ro-bind", sub_deny.v[i], sub_deny.v[i]);
    push2("--chdir", opt.chdir ? canonical(opt.chdir, "--chdir", 1) : first_rw ? first_rw : "/");
    push2("--seccomp", SECCOMP_FD_STR);
    push(&bw, "--");
    /* The exec stage (landlock.c) sends the proxy listener, restricts writes to the rw grants
     * and /tmp, then execs. */
    push2(inner, "--landlock-exec");
    if (opt.proxy_fd >= 0) push2("--proxy-fd", PROXY_FD_STR);
    for (size_t i = 0; i < n; i++)
        if (opt.grants[i].rw && !opt.grants[i].pin) push2("--rw", opt.grants[i].path);
    push(&bw, "--");
    for (char **c = opt.cmd; *c; c++) push(&bw, *c);
}

/* ---- seccomp ---------------------------------------------------------------------------- */

/* A memfd holding the BPF program compiled when this binary was built (filter.c), positioned
 * at 0; -1 on error. */
static int seccomp_filter_fd(void)
{
    int fd = memfd_create("deskhand-seccomp", MFD_CLOEXEC);
    size_t off = 0;

    while (fd >= 0 && off < filter_bpf_len) {
        ssize_t w = write(fd, filter_bpf + off, filter_bpf_len - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* ---- running bwrap ---------------------------------------------------------------------- */

/* Lowers (never raises) a limit; soft = hard so the command cannot raise it back. */
static void set_limit(int res, rlim_t max)
{
    struct rlimit rl;
    if (getrlimit(res, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < max) max = rl.rlim_max;
    rl.rlim_cur = rl.rlim_max = max;
    if (setrlimit(res, &rl) != 0) {
        dprintf(2, "deskhand-sandbox: setrlimit: %s\n", strerror(errno));
        _exit(EXIT_SETUP);
    }
}

/* The signals our caller left ignored, as a mask (bit N-1: signal N): an ignored disposition
 * survives exec, a handler does not. SigIgn of /proc/self/status; all of them when it cannot be
 * read. Async-signal-safe. */
static unsigned long long ignored_signals(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    unsigned long long mask = 0;

    if (fd >= 0) close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *p = strstr(buf, "\nSigIgn:");
    if (!p) return ~0ULL;
    for (p += sizeof "\nSigIgn:" - 1; *p == '\t' || *p == ' '; p++) {}
    int digits = 0;
    for (;; p++, digits++) {
        int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (v < 0) break;
        mask = mask << 4 | (unsigned long long)v;
    }
    return digits == 16 ? mask : ~0ULL;
}

/* In the forked child: limits, fds, signals, then exec bwrap with an environment holding only
 * PATH — inside the sandbox /proc/1/environ is bwrap's own environment, so --clearenv is not
 * enough to keep secrets such as ANTHROPIC_API_KEY out. */
static void __attribute__((noreturn)) exec_bwrap(int filter_fd, int ready_w, pid_t parent)
{
    static char env_path[] = "PATH=" SANDBOX_PATH;
    char *const envp[] = { env_path, NULL };
    sigset_t none;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(EXIT_SETUP);
    if (cgroup_enter(&cg) != 0) {
        dprintf(2, "deskhand-sandbox: cgroup %s: %s\n", cg.path, strerror(errno));
        _exit(EXIT_SETUP);
    }
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        if (limits[i].res != RLIMIT_AS) set_limit(limits[i].res, limits[i].max);
    if (opt.timeout > 0) set_limit(RLIMIT_CPU, (rlim_t)opt.timeout + 6); /* CPU s: ceil(timeout) + 5 or so */
    /* Only 0, 1, 2, the filter, (--proxy-fd) the caller's socket and the ready pipe survive
     * into bwrap. Each is first copied above the fixed numbers, so no source can be clobbered
     * by an earlier placement; dup2 then clears CLOEXEC on the copy. Every other fd is closed,
     * the numbers below the last one included: an unused fixed one, and 5, between them, which
     * the caller's own socket could be (or any fd it left open there). */
    int src[3] = { filter_fd, opt.proxy_fd, ready_w };
    const int dst[3] = { SECCOMP_FD, PROXY_FD, READY_FD };
    int last = SECCOMP_FD;
    for (int i = 0; i < 3; i++)
        if (src[i] >= 0 && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 16)) < 0) {
            dprintf(2, "deskhand-sandbox: fd: %s\n", strerror(errno));
            _exit(EXIT_SETUP);
        }
    for (int i = 0; i < 3; i++) {
        if (src[i] < 0) continue;
        if (dup2(src[i], dst[i]) < 0) {
            dprintf(2, "deskhand-sandbox: fd: %s\n", strerror(errno));
            _exit(EXIT_SETUP);
        }
        last = dst[i];
    }
    for (int fd = 3; fd < last; fd++) {
        int placed = 0;
        for (int i = 0; i < 3; i++) placed |= src[i] >= 0 && dst[i] == fd;
        if (!placed) close(fd);
    }
    syscall(SYS_close_range, (unsigned)last + 1, ~0u, 0); /* musl 1.2.3 has no wrapper */
    /* Default dispositions and an empty mask: nothing ignored or blocked by our caller leaks in.
     * Only ignored ones need resetting (exec resets handlers): a syscall each, not 64. The raw
     * rt_sigaction, because glibc refuses to touch the two real-time signals it reserves (32,
     * 33), which a caller may still have ignored; an all-zero kernel sigaction is SIG_DFL with
     * no flags and an empty mask on every architecture. */
    unsigned long long ign = ignored_signals();
    for (int sig = 1; sig < NSIG && sig <= 64; sig++)
        if (ign >> (sig - 1) & 1) {
            unsigned long kact[8] = { 0 };
            syscall(SYS_rt_sigaction, sig, kact, NULL, (size_t)(NSIG / 8));
        }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(opt.bwrap, (char *const *)bw.v, envp);
    dprintf(2, "deskhand-sandbox: exec %s: %s\n", opt.bwrap, strerror(errno));
    _exit(EXIT_SETUP);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* bwrap is gone. --die-with-parent kills its pid-1 init, which takes the PID namespace down,
 * and as a subreaper we inherit that init: reaping it means every sandboxed process is dead.
 * But bwrap 0.8.0's init arms its PDEATHSIG without re-checking its parent, so an init whose
 * bwrap died early can live on: SIGKILL whatever is left. They are our children, so their
 * pids cannot be reused before we reap them. */
static void reap_leftovers(void)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    for (;;) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0) close(fd);
        buf[n > 0 ? n : 0] = '\0';
        for (char *p = buf, *end;; p = end) {
            long pid = strtol(p, &end, 10);
            if (end == p) break;
            kill((pid_t)pid, SIGKILL);
        }
        if (waitpid(-1, NULL, 0) < 0 && errno != EINTR) break;
    }
}

/* Did the exec stage get to its command (one byte on the ready pipe's read end, O_NONBLOCK)? */
static int stage_started(int ready_r)
{
    char c;
    return read(ready_r, &c, 1) == 1;
}

/* Waits for bwrap, killing it on timeout or on SIGTERM/SIGINT/SIGHUP. Returns our exit status:
 * EXIT_SETUP when bwrap exited before the exec stage started the command (its own setup
 * failed: it printed a "bwrap: ..." line and exits 1, which would pass for the command's). */
static int supervise(pid_t child, const sigset_t *set, int ready_r)
{
    double deadline = opt.timeout > 0 ? now() + opt.timeout : 0;
    int status = 0, killed_by = 0, timed_out = 0;

    for (;;) {
        pid_t w = waitpid(child, &status, WNOHANG);
        if (w == child) break;
        if (w < 0 && errno != EINTR) die("waitpid: %s", strerror(errno));
        siginfo_t si;
        int sig;
        if (deadline > 0 && !timed_out && !killed_by) {
            double left = deadline - now();
            if (left < 0) left = 0;
            struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
            sig = sigtimedwait(set, &si, &ts);
        } else {
            sig = sigwaitinfo(set, &si);
        }
        if (sig < 0 && errno == EAGAIN) {
            timed_out = 1;
            kill(child, SIGKILL);
        } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
            killed_by = killed_by ? killed_by : sig;
            kill(child, SIGKILL);
        }
    }
    reap_leftovers();
    if (timed_out) return EXIT_TIMEOUT;
    if (killed_by) return 128 + killed_by;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    if (!stage_started(ready_r)) {
        dprintf(2, "deskhand-sandbox: bwrap could not set up the sandbox (exit %d); the command "
                   "did not run\n", WEXITSTATUS(status));
        return EXIT_SETUP;
    }
    return WEXITSTATUS(status);
}

/* --exec: become bwrap (never returns). The caller's commands share one cgroup; the caller
 * enforces the wall-clock timeout (SIGKILL to bwrap ends the tree through --die-with-parent and
 * the PID namespace) and tells setup failures by the ready byte at opt.ready_fd. */
static void __attribute__((noreturn)) exec_mode(pid_t caller)
{
    char cgwhy[PATH_MAX + 64];

    if (access(opt.bwrap, X_OK) != 0) die("bwrap not found at %s: %s", opt.bwrap, strerror(errno));
    int filter_fd = seccomp_filter_fd();
    if (filter_fd < 0) die("seccomp filter export failed");
    (void)cgroup_session(&cg, (long)caller, opt.pids_max, MEMORY_MAX_DEF, cgwhy, sizeof cgwhy);
    exec_bwrap(filter_fd, opt.ready_fd, caller);
}

static rlim_t limit_of(int res)
{
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        if (limits[i].res == res) return limits[i].max;
    return RLIM_INFINITY;
}

/* --status: one line per layer whose presence depends on this machine. */
static int print_status(void)
{
    const char *why = "";
    char cgwhy[PATH_MAX + 64];
    struct stat st;
    int abi = landlock_abi_version(&why), fd = seccomp_filter_fd();

    printf("bwrap: %s%s\n", opt.bwrap, access(opt.bwrap, X_OK) == 0 ? "" : " (not executable)");
    if (abi > 0)
        printf("landlock: ABI %d, applied inside the sandbox\n", abi);
    else
        printf("landlock: unavailable (%s); mount view and seccomp only\n", why);
    if (cgroup_probe(cgwhy, sizeof cgwhy) > 0)
        printf("processes: %s, pids.max %ld per command (per session with --exec)\n", cgwhy, opt.pids_max);
    else if (geteuid() == 0)
        printf("processes: NOT LIMITED: %s, and RLIMIT_NPROC does not bind root\n", cgwhy);
    else
        printf("processes: RLIMIT_NPROC %llu (%s)\n", (unsigned long long)limit_of(RLIMIT_NPROC), cgwhy);
    if (fd >= 0 && fstat(fd, &st) == 0)
        printf("seccomp: filter builds (%lld bytes of BPF, compiled with deskhand-sandbox)\n",
               (long long)st.st_size);
    else
        printf("seccomp: filter export FAILED\n");
    if (fd >= 0) close(fd);
    return fflush(stdout) == 0 && fd >= 0 ? 0 : EXIT_SETUP;
}

/* Frees what parse() and build_argv() allocated. */
static void release(void)
{
    for (size_t i = 0; i < owned.n; i++) free((void *)owned.v[i]);
    free(owned.v);
    free(bw.v);
    free(opt.grants);
    free(opt.env);
    free(opt.protect);
}

int main(int argc, char **argv)
{
    pid_t caller = getppid();

    /* Make sure 0, 1, 2 are open, so nothing we open lands on them. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) die("cannot open /dev/null");

    /* Inside the sandbox, as bwrap's command (see build_argv): never returns. */
    if (argc > 1 && !strcmp(argv[1], "--landlock-exec"))
        landlock_exec_main(argc, argv, (unsigned long long)limit_of(RLIMIT_AS), READY_FD,
                           PROXY_PORT);
    parse(argc, argv);
    if (opt.status) {
        int rc = print_status();
        free(opt.grants);
        free(opt.env);
        free(opt.protect);
        return rc;
    }
    build_argv();
    if (opt.print_argv) {
        for (size_t i = 0; i < bw.n; i++) printf("%s\n", bw.v[i]);
        return fflush(stdout) == 0 ? 0 : EXIT_SETUP;
    }
    if (opt.exec) exec_mode(caller);
    /* The caller dying, by SIGKILL too, stops the command as a SIGTERM does (supervise() takes
     * it once it is blocked; before that it ends us, and nothing has started): nobody is left
     * to read the output or to checkpoint what the command goes on changing. A caller gone
     * already is one that is no longer our parent. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) die("PR_SET_PDEATHSIG: %s", strerror(errno));
    if (getppid() != caller) {
        release();
        return 128 + SIGTERM;
    }
    if (access(opt.bwrap, X_OK) != 0) die("bwrap not found at %s: %s", opt.bwrap, strerror(errno));
    int filter_fd = seccomp_filter_fd();
    if (filter_fd < 0) die("seccomp filter export failed");

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    signal(SIGCHLD, SIG_DFL); /* SIG_IGN would auto-reap and hide bwrap's status */
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

    /* A cgroup bounds the tree's processes also for root (RLIMIT_NPROC does not); without
     * one, RLIMIT_NPROC is all there is (--status says which). */
    char cgwhy[PATH_MAX + 64];
    (void)cgroup_create(&cg, opt.pids_max, MEMORY_MAX_DEF, cgwhy, sizeof cgwhy);

    int ready[2] = { -1, -1 };
    if (pipe2(ready, O_CLOEXEC | O_NONBLOCK) != 0) die("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t parent = getpid(), child = fork();
    if (child < 0) die("fork: %s", strerror(errno));
    if (child == 0) exec_bwrap(filter_fd, ready[1], parent);
    close(filter_fd);
    close(ready[1]);
    /* The exec stage sends the listener; our copy would keep the caller from seeing the end of
     * a sandbox that never sent one. */
    if (opt.proxy_fd >= 0) close(opt.proxy_fd);
    int rc = supervise(child, &set, ready[0]);
    close(ready[0]);
    cgroup_remove(&cg);
    release();
    return rc;
}

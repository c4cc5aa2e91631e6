/* SPDX-License-Identifier: MIT */
/*
 * Sandbox readiness checks (`deskhand doctor`) and the explanation of a failed
 * trial run (run_command's refusal). Reads sysctls and /proc, calls openat2
 * and Landlock's version query, and runs bwrap --version, deskhand-sandbox
 * --status and the trial through core/proc on a private loop. Not the
 * sandbox policy: that is deskhand-sandbox's.
 */
#include "sandbox/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/array.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/proc.h"
#include "core/strv.h"
#include "core/xalloc.h"

#define DEFAULT_BWRAP   "/usr/bin/bwrap"
#define CHILD_TIMEOUT   10000 /* ms for each child process of a check */
#define TRIAL_TIMEOUT_S "10"

static const char *const probe_envp[] = {
	"PATH=" PROBE_SANDBOX_PATH,
	"LANG=C.UTF-8",
	NULL,
};

#define FIX_BWRAP "install bubblewrap: apt-get install bubblewrap (or point DH_BWRAP at it)"
#define FIX_APPARMOR                                                                               \
	"keep the AppArmor restriction and allow bwrap alone: put 'abi <abi/4.0>, include "        \
	"<tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }' in "       \
	"/etc/apparmor.d/bwrap and run 'apparmor_parser -r /etc/apparmor.d/bwrap' (Ubuntu's "      \
	"apparmor package ships one as /usr/share/apparmor/extra-profiles/bwrap-userns-restrict)"

/*
 * Small readers
 */

/* A sysctl or /proc number; false when absent or unreadable. */
static bool
read_long(const char *path, long *out)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fscanf(f, "%ld", out) == 1;

	if (f)
		fclose(f);
	return ok;
}

/* The first line of s, at most 160 bytes, into a heap string. */
static char *
first_line(const char *s)
{
	size_t n = strcspn(s ? s : "", "\n");

	return xasprintf("%.*s", (int)(n > 160 ? 160 : n), s ? s : "");
}

static void add(struct probe_report *r, const char *name, enum probe_level l, const char *fix,
                const char *fmt, ...) DH_PRINTF(5, 6);

static void
add(struct probe_report *r, const char *name, enum probe_level l, const char *fix, const char *fmt,
    ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	buf_puts(&b, s ? s : "?");
	free(s);
	ARRAY_GROW(r->checks, r->n, r->cap, 1);
	r->checks[r->n++] = (struct probe_check){
		.name = name,
		.level = l,
		.detail = buf_detach(&b),
		.fix = fix ? xstrdup(fix) : NULL,
	};
}

/*
 * Child processes on a private loop
 */

/* Run argv to completion (killed after CHILD_TIMEOUT ms) with out's text
 * collected; *wstatus waitpid-style. envp NULL inherits ours. */
static int
capture(struct ev_loop *l, const char *const *argv, const char *const *envp, int *wstatus,
        struct buf *out)
{
	struct proc_spec spec = {
		.argv = argv, .envp = envp, .stdin_fd = -1, .output_cap = 64 * 1024
	};

	return proc_run(l, &spec, CHILD_TIMEOUT, wstatus, out);
}

/*
 * Shared with run_command
 */

char *
probe_bwrap_path(void)
{
	const char *env = getenv("DH_BWRAP");

	if (env && *env)
		return xstrdup(env);
	if (access(DEFAULT_BWRAP, X_OK) == 0)
		return xstrdup(DEFAULT_BWRAP);
	char *found = fsutil_which("bwrap");

	return found ? found : xstrdup(DEFAULT_BWRAP);
}

void
probe_trial_argv(const char *argv[8], const char *sandbox, const char *bwrap)
{
	size_t a = 0;

	argv[a++] = sandbox;
	argv[a++] = "--bwrap";
	argv[a++] = bwrap;
	argv[a++] = "--timeout";
	argv[a++] = TRIAL_TIMEOUT_S;
	argv[a++] = "--";
	argv[a++] = "/bin/true";
	argv[a] = NULL;
}

/* Why user namespaces fail for us, from the sysctls; NULL if they look fine.
 * *fix gets the matching fix (static). */
static const char *
userns_problem(const char **fix)
{
	long v;

	if (read_long("/proc/sys/user/max_user_namespaces", &v) && v == 0) {
		*fix = "sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)";
		return "user namespaces are disabled (user.max_user_namespaces = 0)";
	}
	if (geteuid() == 0)
		return NULL; /* the unprivileged restrictions below do not apply to root */
	if (read_long("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0) {
		*fix = "sysctl -w kernel.unprivileged_userns_clone=1 (persist it in "
		       "/etc/sysctl.d/)";
		return "unprivileged user namespaces are disabled "
		       "(kernel.unprivileged_userns_clone = 0)";
	}
	if (read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) && v == 1) {
		*fix = FIX_APPARMOR;
		return "AppArmor restricts unprivileged user namespaces "
		       "(kernel.apparmor_restrict_unprivileged_userns = 1) and bwrap has no "
		       "profile that allows them";
	}
	return NULL;
}

void
probe_explain(struct buf *out, const char *sandbox, const char *bwrap, int wstatus,
              const char *output)
{
	int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	char *line = first_line(output);
	const char *fix = NULL, *why;

	if (access(sandbox, X_OK) != 0 || (code == 127 && !*line)) {
		buf_printf(out,
		           "the sandbox helper %s cannot be run (%s). fix: build it (make) "
		           "or install it next to deskhand, or set DH_SANDBOX to its path",
		           sandbox, access(sandbox, X_OK) != 0 ? strerror(errno) : "exit 127");
	} else if (access(bwrap, X_OK) != 0 || strstr(output, "bwrap not found")) {
		buf_printf(out, "bubblewrap (bwrap) is not installed: %s: %s. fix: " FIX_BWRAP,
		           bwrap, strerror(ENOENT));
	} else if ((why = userns_problem(&fix))) {
		buf_printf(out, "%s; bwrap said: %s. fix: %s", why, line, fix);
	} else if (code == 124) {
		buf_printf(out,
		           "the trial run (/bin/true in the sandbox) timed out. fix: check the "
		           "machine's load, then run 'deskhand doctor'");
	} else if (strstr(output, "namespace") || strstr(output, "uid map")) {
		buf_printf(out,
		           "bwrap cannot create namespaces here: %s. fix: inside a container, "
		           "allow nested user namespaces or run deskhand on the host",
		           line);
	} else {
		buf_printf(out,
		           "the trial run (/bin/true in the sandbox) failed with exit %d: %s. "
		           "fix: run 'deskhand doctor' for details",
		           code, line);
	}
	free(line);
}

/*
 * The checks
 */

static void
check_bwrap(struct probe_report *r, struct ev_loop *l, const char *bwrap)
{
	const char *argv[] = { bwrap, "--version", NULL };
	struct buf out = BUF_INIT;
	int ws = 0, maj = 0, min = 0, pat = 0;
	const char *env = getenv("DH_BWRAP");

	if (access(bwrap, X_OK) != 0) {
		add(r, "bwrap", PROBE_FAIL, FIX_BWRAP, "bwrap not found: %s: %s%s", bwrap,
		    strerror(errno), env && *env ? " (from DH_BWRAP)" : " (nor on PATH)");
		return;
	}
	if (capture(l, argv, NULL, &ws, &out) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 ||
	    sscanf(buf_cstr(&out), "bubblewrap %d.%d.%d", &maj, &min, &pat) < 2) {
		char *line = first_line(buf_cstr(&out));

		add(r, "bwrap", PROBE_FAIL, FIX_BWRAP, "bwrap %s --version failed: %s", bwrap,
		    line);
		free(line);
	} else if (maj == 0 && min < 8) {
		add(r, "bwrap", PROBE_FAIL,
		    "install bubblewrap 0.8.0 or newer (Debian 12: apt-get install bubblewrap)",
		    "bwrap %d.%d.%d (%s) is too old: --disable-userns needs 0.8.0", maj, min, pat,
		    bwrap);
	} else {
		add(r, "bwrap", PROBE_OK, NULL, "bwrap %d.%d.%d (%s)", maj, min, pat, bwrap);
	}
	buf_fini(&out);
}

static void
check_userns(struct probe_report *r, bool trial_ok)
{
	long clone = -1, max = -1, aa = -1;
	const char *fix = NULL, *why = userns_problem(&fix);
	struct buf b = BUF_INIT;

	read_long("/proc/sys/kernel/unprivileged_userns_clone", &clone);
	read_long("/proc/sys/user/max_user_namespaces", &max);
	read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &aa);
	buf_printf(&b, "max_user_namespaces %ld", max);
	if (clone >= 0)
		buf_printf(&b, ", unprivileged_userns_clone %ld", clone);
	if (aa >= 0)
		buf_printf(&b, ", apparmor_restrict_unprivileged_userns %ld", aa);
	if (geteuid() == 0)
		buf_puts(&b, "; running as root");
	if (!why)
		add(r, "userns", PROBE_OK, NULL, "user namespaces: %s", buf_cstr(&b));
	else if (trial_ok) /* e.g. an AppArmor profile for bwrap is in place */
		add(r, "userns", PROBE_OK, NULL,
		    "user namespaces: %s (restricted, but bwrap may "
		    "use them)",
		    buf_cstr(&b));
	else
		add(r, "userns", PROBE_FAIL, fix, "user namespaces: %s: %s", why, buf_cstr(&b));
	buf_fini(&b);
}

/* The line of `deskhand-sandbox --status` starting with key, or NULL. */
static char *
status_line(const char *status, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = status; p && *p;) {
		if (!strncmp(p, key, k))
			return first_line(p + k);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static void
check_from_status(struct probe_report *r, const char *status, bool ran)
{
	char *ll = status_line(status, "landlock: "), *pr = status_line(status, "processes: ");
	char *sc = status_line(status, "seccomp: ");
	long mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);

	if (mode < 0)
		add(r, "seccomp", PROBE_FAIL, "use a kernel built with CONFIG_SECCOMP_FILTER",
		    "seccomp: not supported by this kernel (%s)", strerror(errno));
	else if (!sc || strncmp(sc, "filter builds", 13) != 0)
		add(r, "seccomp", PROBE_FAIL, "rebuild deskhand-sandbox (make; it needs libseccomp-dev)",
		    "seccomp: the filter did not build: %s",
		    sc    ? sc
		    : ran ? "no answer"
		          : "helper did not run");
	else
		add(r, "seccomp", PROBE_OK, NULL, "seccomp: %s%s", sc,
		    mode == 2 ? " (deskhand itself already runs under a filter)" : "");
	if (!ll)
		add(r, "landlock", PROBE_WARN, NULL,
		    "landlock: unknown (the helper did not answer)");
	else if (!strncmp(ll, "ABI", 3))
		add(r, "landlock", PROBE_OK, NULL, "landlock: %s", ll);
	else
		add(r, "landlock", PROBE_WARN,
		    "use a kernel >= 5.13 with Landlock enabled (lsm= boot parameter including "
		    "landlock); the sandbox works without it, with one layer fewer",
		    "landlock: %s", ll);
	if (!pr)
		add(r, "processes", PROBE_WARN, NULL, "process limit: unknown");
	else if (!strncmp(pr, "cgroup", 6))
		add(r, "processes", PROBE_OK, NULL, "process limit: %s", pr);
	else if (!strncmp(pr, "RLIMIT", 6))
		add(r, "processes", PROBE_INFO, NULL, "process limit: %s", pr);
	else
		add(r, "processes", PROBE_WARN,
		    "run deskhand as a normal user (RLIMIT_NPROC then applies), or give root a "
		    "writable cgroup with the pids controller",
		    "process limit: %s", pr);
	free(ll);
	free(pr);
	free(sc);
}

static void
check_openat2(struct probe_report *r)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		                           RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);

	if (fd < 0 && errno != EXDEV) {
		add(r, "openat2", PROBE_FAIL, "use Linux 5.6 or newer (Debian 12's 6.1 has it)",
		    "openat2: %s: the file tools cannot resolve paths safely", strerror(errno));
		return;
	}
	if (fd >= 0)
		close((int)fd);
	add(r, "openat2", PROBE_OK, NULL, "openat2 with RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS");
}

static void
check_inotify(struct probe_report *r)
{
	long w = -1, q = -1, inst = -1;

	read_long("/proc/sys/fs/inotify/max_user_watches", &w);
	read_long("/proc/sys/fs/inotify/max_queued_events", &q);
	read_long("/proc/sys/fs/inotify/max_user_instances", &inst);
	if (w < 0)
		add(r, "inotify", PROBE_WARN, NULL, "inotify: limits unreadable");
	else if (w < 65536 || q < 16384 || inst < 128)
		add(r, "inotify", PROBE_WARN,
		    "sysctl -w fs.inotify.max_user_watches=524288 "
		    "fs.inotify.max_queued_events=65536 "
		    "fs.inotify.max_user_instances=512 (persist them in /etc/sysctl.d/)",
		    "inotify: max_user_watches %ld, max_queued_events %ld, max_user_instances %ld: "
		    "large folders may not be watched completely",
		    w, q, inst);
	else
		add(r, "inotify", PROBE_OK, NULL,
		    "inotify: max_user_watches %ld, max_queued_events %ld, max_user_instances %ld",
		    w, q, inst);
}

static const char *
fs_name(unsigned long t, bool *remote)
{
	static const struct {
		unsigned long magic;
		const char *name;
		bool remote;
	} fs[] = {
		{ EXT4_SUPER_MAGIC, "ext4", false },
		{ 0x58465342UL, "xfs", false },
		{ BTRFS_SUPER_MAGIC, "btrfs", false },
		{ TMPFS_MAGIC, "tmpfs", false },
		{ OVERLAYFS_SUPER_MAGIC, "overlayfs", false },
		{ 0x2fc12fc1UL, "zfs", false },
		{ F2FS_SUPER_MAGIC, "f2fs", false },
		{ NFS_SUPER_MAGIC, "nfs", true },
		{ V9FS_MAGIC, "9p", true },
		{ FUSE_SUPER_MAGIC, "fuse", true },
		{ 0xFF534D42UL, "cifs", true },
		{ 0xFE534D42UL, "smb2", true },
		{ SMB_SUPER_MAGIC, "smb", true },
		{ ECRYPTFS_SUPER_MAGIC, "ecryptfs", false },
	};

	for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
		if (fs[i].magic == t) {
			*remote = fs[i].remote;
			return fs[i].name;
		}
	*remote = false;
	return NULL;
}

static void
check_state_fs(struct probe_report *r, const char *state_dir)
{
	char *p = xstrdup(state_dir ? state_dir : "/");
	struct statfs st;

	/* The directory may not exist yet: its nearest existing ancestor decides. */
	while (statfs(p, &st) != 0) {
		char *slash = strrchr(p, '/');

		if (!slash || slash == p) {
			strcpy(p, "/");
			if (statfs(p, &st) != 0) {
				add(r, "statefs", PROBE_WARN, NULL, "state directory: statfs: %s",
				    strerror(errno));
				free(p);
				return;
			}
			break;
		}
		*slash = '\0';
	}
	bool remote;
	const char *name = fs_name((unsigned long)st.f_type, &remote);
	char hex[24];

	snprintf(hex, sizeof hex, "0x%lx", (unsigned long)st.f_type);
	if (remote)
		add(r, "statefs", PROBE_WARN,
		    "set XDG_STATE_HOME to a directory on a local file system",
		    "state directory %s is on %s: inotify misses remote changes and fsync may "
		    "not mean durable",
		    state_dir, name);
	else
		add(r, "statefs", PROBE_OK, NULL, "state directory %s on %s", state_dir,
		    name ? name : hex);
	free(p);
}

char *
probe_pandoc_path(void)
{
	const char *env = getenv("DH_PANDOC");

	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	return fsutil_which_in("pandoc", PROBE_SANDBOX_PATH);
}

const char *
probe_pdf_engine(void)
{
	static const char *const engines[] = {
		"pdflatex", "xelatex", "lualatex", "tectonic", "wkhtmltopdf",
		"weasyprint", "prince", "context", "pdfroff",
	};

	for (size_t i = 0; i < sizeof engines / sizeof *engines; i++) {
		char *p = fsutil_which_in(engines[i], PROBE_SANDBOX_PATH);

		free(p);
		if (p)
			return engines[i];
	}
	return NULL;
}

/* pandoc, for write_document: neither good nor bad when it is missing. */
static void
check_pandoc(struct probe_report *r, struct ev_loop *l)
{
	char *pandoc = probe_pandoc_path();
	const char *engine = probe_pdf_engine();

	if (!pandoc) {
		add(r, "pandoc", PROBE_INFO, PROBE_PANDOC_INSTALL,
		    "pandoc: not installed: write_document cannot write .docx, .odt, .pptx, .html "
		    "or .pdf (write_spreadsheet and write_file still work)");
		return;
	}
	const char *argv[] = { pandoc, "--version", NULL };
	struct buf out = BUF_INIT;
	int ws = -1;
	char *line = capture(l, argv, probe_envp, &ws, &out) == 0 && WIFEXITED(ws) &&
	                             WEXITSTATUS(ws) == 0
	                     ? first_line(buf_cstr(&out))
	                     : xstrdup("pandoc (its --version failed)");

	if (engine)
		add(r, "pandoc", PROBE_OK, NULL, "%s (%s) for write_document; PDF engine %s", line,
		    pandoc, engine);
	else
		add(r, "pandoc", PROBE_INFO,
		    "apt-get install --no-install-recommends texlive-latex-recommended (or "
		    "weasyprint)",
		    "%s (%s) for write_document; no PDF engine: it writes no .pdf", line, pandoc);
	free(line);
	buf_fini(&out);
	free(pandoc);
}

/*
 * Public
 */

int
probe_run(struct probe_report *r, const char *sandbox, const char *state_dir)
{
	struct ev_loop *l = NULL;
	char *bwrap = probe_bwrap_path();
	struct buf status = BUF_INIT, trial = BUF_INIT;
	const char *argv[8];
	int ws = -1, trial_ws = -1;
	bool helper_ok = false;

	memset(r, 0, sizeof *r);
	if (ev_new(&l) < 0) {
		free(bwrap);
		return DH_EFAIL;
	}
	check_bwrap(r, l, bwrap);

	const char *sargv[] = { sandbox, "--bwrap", bwrap, "--status", NULL };

	if (access(sandbox, X_OK) != 0) {
		add(r, "helper", PROBE_FAIL,
		    "build it (make) or install it next to deskhand, or set DH_SANDBOX",
		    "sandbox helper %s: %s", sandbox, strerror(errno));
	} else if (capture(l, sargv, probe_envp, &ws, &status) == 0 && WIFEXITED(ws) &&
	           WEXITSTATUS(ws) == 0) {
		helper_ok = true;
		add(r, "helper", PROBE_OK, NULL, "sandbox helper %s", sandbox);
	} else {
		char *line = first_line(buf_cstr(&status));

		add(r, "helper", PROBE_FAIL, "rebuild it (make)", "sandbox helper %s --status: %s",
		    sandbox, line);
		free(line);
	}

	uint64_t t0 = ev_now_ms();

	probe_trial_argv(argv, sandbox, bwrap);
	r->can_sandbox = helper_ok && capture(l, argv, probe_envp, &trial_ws, &trial) == 0 &&
	                 WIFEXITED(trial_ws) && WEXITSTATUS(trial_ws) == 0;
	check_userns(r, r->can_sandbox);
	if (r->can_sandbox) {
		add(r, "trial", PROBE_OK, NULL,
		    "sandbox trial: /bin/true ran in the sandbox (%llu ms)",
		    (unsigned long long)(ev_now_ms() - t0));
	} else {
		struct buf why = BUF_INIT;

		probe_explain(&why, sandbox, bwrap, trial_ws, buf_cstr(&trial));
		char *fix = strstr(buf_cstr(&why), " fix: ");

		if (fix)
			*fix = '\0';
		add(r, "trial", PROBE_FAIL, fix ? fix + 6 : NULL,
		    "sandbox trial: commands cannot run sandboxed: %s", buf_cstr(&why));
		buf_fini(&why);
	}
	check_from_status(r, buf_cstr(&status), helper_ok);
	check_openat2(r);
	check_inotify(r);
	check_pandoc(r, l);
	check_state_fs(r, state_dir);
	buf_fini(&status);
	buf_fini(&trial);
	ev_free(l);
	free(bwrap);
	return 0;
}

void
probe_report_fini(struct probe_report *r)
{
	for (size_t i = 0; r && i < r->n; i++) {
		free(r->checks[i].detail);
		free(r->checks[i].fix);
	}
	if (r) {
		free(r->checks);
		memset(r, 0, sizeof *r);
	}
}

const char *
probe_level_name(enum probe_level l)
{
	switch (l) {
	case PROBE_OK:
		return "ok";
	case PROBE_INFO:
		return "info";
	case PROBE_WARN:
		return "warn";
	case PROBE_FAIL:
		return "FAIL";
	}
	return "?";
}

void
probe_host_paths(struct strv *out, const char *sandbox, const char *bwrap)
{
	char *found = bwrap ? NULL : probe_bwrap_path(), *config = NULL, *state = NULL;

	if (fsutil_config_dir(&config) < 0)
		config = NULL;
	if (fsutil_state_dir(&state) < 0)
		state = NULL;
	const char *paths[] = { "/proc/self/exe", sandbox, bwrap ? bwrap : found, config, state };

	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char *r = paths[i] ? realpath(paths[i], NULL) : NULL;
		bool seen = false;

		for (size_t k = 0; r && k < out->n; k++)
			seen |= !strcmp(out->v[k], r);
		if (r && !seen)
			strv_add(out, r);
		free(r);
	}
	free(found);
	free(config);
	free(state);
}

bool
probe_is_host_path(const struct strv *host, const char *path)
{
	for (size_t i = 0; i < host->n; i++)
		if (fsutil_path_within(host->v[i], path) || fsutil_path_within(path, host->v[i]))
			return true; /* it, a directory on the way to it, or in it */
	return false;
}

char *
probe_sandbox_path(void)
{
	const char *env = getenv("DH_SANDBOX");
	char self[4096];

	if (env && *env)
		return xstrdup(env);
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *p = xasprintf("%s/deskhand-sandbox", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	char *found = fsutil_which("deskhand-sandbox");

	return found ? found : xstrdup("deskhand-sandbox");
}

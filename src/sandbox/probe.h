/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_PROBE_H
#define DH_SANDBOX_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * Can this machine sandbox commands? The checks behind `deskhand doctor`
 * (bwrap and its version, user namespaces and AppArmor's restriction, a real
 * trial run of deskhand-sandbox, seccomp, Landlock, openat2, inotify limits,
 * the state directory's file system, the cgroup pids controller), and the
 * explanation run_command gives when the trial fails. Each problem comes with
 * its fix. It never changes the machine.
 */

enum probe_level {
	PROBE_OK,
	PROBE_INFO, /* neither good nor bad: what applies here */
	PROBE_WARN, /* works, with a weaker layer or a limit that may bite */
	PROBE_FAIL, /* deskhand cannot sandbox commands (or use its file tools) */
};

struct probe_check {
	const char *name; /* stable key: "bwrap", "userns", "trial", … (static) */
	enum probe_level level;
	char *detail; /* one line, starts with what was checked (heap) */
	char *fix;    /* what to do, or NULL (heap) */
};

struct probe_report {
	struct probe_check *checks; /* heap array of n */
	size_t n;
	size_t cap; /* allocated */
	bool can_sandbox; /* the trial run succeeded */
};

/* The bubblewrap binary deskhand uses: $DH_BWRAP when set (even if it does
 * not exist: the override is respected and then reported), else
 * /usr/bin/bwrap when executable, else the first `bwrap` on PATH, else
 * "/usr/bin/bwrap". Heap string. */
char *probe_bwrap_path(void);
/* The path of deskhand-sandbox: $DH_SANDBOX, else next to our own executable
 * (/proc/self/exe), else the first on $PATH, as an absolute path found now
 * (the engine asks once: one that PATH found later could be a file the agent
 * made in a granted folder), else "deskhand-sandbox" (not found). Heap
 * string, never NULL. */
char *probe_sandbox_path(void);
/* What the host runs or reads later, outside any sandbox, that a granted
 * folder could hold: deskhand itself (/proc/self/exe), the sandbox helper at
 * `sandbox` (probe_sandbox_path()'s answer; NULL: none), bwrap at `bwrap`
 * (NULL: probe_bwrap_path()), and deskhand's configuration and state
 * directories (config_user_dir(), fsutil_state_dir()). The engine asks once
 * when it starts; they do not change while it runs. Appends to *out the
 * realpath of each that exists, once each (heap strings owned by *out). A
 * replaced helper or bwrap would run unsandboxed at the next command, a
 * replaced deskhand at the next start; the configuration names the
 * connectors deskhand starts (unsandboxed if it says so) and the state holds
 * the sessions, their checkpoints and the audit log. The file tools refuse
 * changing one, anything in one, or a folder on the way to one
 * (tools/tool_fs.c), and deskhand-sandbox binds those inside a --rw grant
 * read-only (its --protect; sandbox/README.md, "Host paths"). */
void probe_host_paths(struct strv *out, const char *sandbox, const char *bwrap);
/* Whether `path` (a realpath) is one of `host` (probe_host_paths), lies in
 * one or is a directory on the way to one. */
bool probe_is_host_path(const struct strv *host, const char *path);


/* PATH inside the sandbox (the system's /usr and /bin are there read-only). */
#define PROBE_SANDBOX_PATH "/usr/local/bin:/usr/bin:/bin"

/* The pandoc write_document runs in the sandbox: $DH_PANDOC when set (then
 * NULL unless it is executable), else the first `pandoc` in
 * PROBE_SANDBOX_PATH. Heap string, NULL when there is none. */
char *probe_pandoc_path(void);
/* The first PDF engine pandoc can drive found in PROBE_SANDBOX_PATH
 * (pdflatex, xelatex, lualatex, tectonic, wkhtmltopdf, weasyprint, prince,
 * context, pdfroff, in that order): its name (static), or NULL. */
const char *probe_pdf_engine(void);
/* The one-line answer to "how do I install pandoc" (static). */
#define PROBE_PANDOC_INSTALL                                                                       \
	"apt-get install --no-install-recommends pandoc (Debian, Ubuntu); for PDF also a "          \
	"LaTeX engine: apt-get install --no-install-recommends texlive-latex-recommended"

/* The trial: argv of `SANDBOX --bwrap BWRAP --timeout 10 -- /bin/true` into
 * argv[0..7) (NULL-terminated, borrowed strings). */
void probe_trial_argv(const char *argv[8], const char *sandbox, const char *bwrap);

/* Why the trial (exit `wstatus`, waitpid-style; merged output `output`)
 * failed and how to fix it, as "REASON fix: FIX" appended to out. Reads a few
 * sysctls to tell a missing bwrap from disabled or AppArmor-restricted user
 * namespaces. Does not block. */
void probe_explain(struct buf *out, const char *sandbox, const char *bwrap, int wstatus,
                   const char *output);

/* Run every check, blocking (each child process has a short timeout; the
 * whole report takes well under a second on a working machine). sandbox is
 * the deskhand-sandbox path, state_dir deskhand's state directory (may not
 * exist yet). *out is filled (probe_report_fini). Returns 0, or DH_EFAIL when
 * the checks themselves could not run (no event loop). */
int probe_run(struct probe_report *out, const char *sandbox, const char *state_dir) DH_MUST_CHECK;
void probe_report_fini(struct probe_report *r);

const char *probe_level_name(enum probe_level l); /* "ok", "info", "warn", "FAIL" */

#endif

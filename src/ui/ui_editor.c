/* SPDX-License-Identifier: MIT */
/*
 * $EDITOR: the terminal is the editor's until it exits; the loop runs on
 * (events, streamed tokens, timers update the models) but draws nothing and
 * reads no keys. The plan editor on top of it.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "agent/event.h"
#include "engine/client.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/screen_dump.h"
#include "ui/script.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

#define EDITOR_HUP_MS 2000  /* leaving with the editor open: its time to exit after SIGHUP */
#define EDITOR_TERM_MS 1000 /* then after SIGTERM */
#define EDITOR_PIDS_MAX 16  /* its processes signalled: the shell and its children */

static void
on_editor_exit(struct ev_loop *l, pid_t pid, int wstatus, void *ctx)
{
	struct ui *u = ctx;
	void (*done)(int, void *) = u->editor_done;
	void *dctx = u->editor_ctx;

	(void)pid;
	u->editor = 0;
	u->editor_done = NULL;
	u->editor_ctx = NULL;
	if (u->display) {
		reset_prog_mode();
		if (ev_io_set(l, fileno(u->in), POLLIN, ui_on_tty, u) < 0)
			ui_message(u, true, "terminal: %s", err_msg());
		ui_on_winch(l, SIGWINCH, u); /* the size may have changed meanwhile */
	}
	u->frame_all = true;
	/* Without a caller to judge its status, a program that failed says
	 * so: its own message went to the screen just redrawn. 127: the
	 * shell found no such program (an $EDITOR not installed). */
	if (!done && pid > 0 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
		ui_message(u, true, "%s: not found (set $VISUAL or $EDITOR)", u->editor_prog);
	else if (!done && pid > 0 && !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0))
		ui_message(u, true, "%s failed (%s %d)", u->editor_prog,
			   WIFEXITED(wstatus) ? "exit status" : "signal",
			   WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
	free(u->editor_prog);
	u->editor_prog = NULL;
	if (done)
		done(wstatus, dctx);
}

void
ui_run_on_tty(struct ui *u, const char *prog, const char *path,
	      void (*done)(int status, void *ctx), void *ctx)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid = 0;
	int fd, rc;

	if (u->editor) {
		ui_message(u, true, "a program already has the terminal");
		if (done)
			done(-1, ctx);
		return;
	}
	fd = u->display ? fileno(u->out) : open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ui_message(u, true, "%s: /dev/null: %s", prog, strerror(errno));
		if (done)
			done(-1, ctx);
		return;
	}
	/* As git runs it: the value is shell words, the file is "$1". */
	char *cmd = xasprintf("%s \"$1\"", prog);
	char sh[] = "/bin/sh", dash_c[] = "-c", arg0[] = "sh";
	char *const argv[] = { sh, dash_c, cmd, arg0, (char *)path, NULL };
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGQUIT);
	sigaddset(&def, SIGWINCH);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTSTP);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (u->display) {
		/* Hand the terminal over: its modes as the shell had them. */
		ev_io_del(u->loop, fileno(u->in));
		def_prog_mode();
		endwin();
		fflush(u->out);
	}
	extern char **environ;
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(cmd);
	if (!u->display)
		close(fd);
	if (rc == 0 && ev_child_watch(u->loop, pid, on_editor_exit, u) == 0) {
		u->editor = pid;
		u->editor_done = done;
		u->editor_ctx = ctx;
		u->editor_prog = xstrdup(prog);
		return;
	}
	if (rc == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	u->editor = 1; /* on_editor_exit restores the screen */
	u->editor_done = NULL;
	on_editor_exit(u->loop, 0, 0, u);
	ui_message(u, true, "%s: %s", prog, rc ? strerror(rc) : err_msg());
	if (done)
		done(-1, ctx);
}

/* The processes of the program on the terminal: the shell that runs it
 * (our child, `sh`) and that shell's children (the program itself, which
 * dash runs as a child rather than exec'ing it), as pidfds in fds[] with
 * their pids in pids[]; how many (at most EDITOR_PIDS_MAX). */
static size_t
editor_pidfds(pid_t sh, int *fds, pid_t *pids)
{
	struct buf b = BUF_INIT;
	size_t n = 0;
	char *path = xasprintf("/proc/%ld/task/%ld/children", (long)sh, (long)sh);

	if (fsutil_read_file(path, 4096, &b) < 0)
		buf_clear(&b);
	free(path);
	if ((fds[n] = pidfd_open(sh, 0)) >= 0)
		pids[n++] = sh;
	for (const char *s = buf_cstr(&b); n < EDITOR_PIDS_MAX;) {
		char *end;
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		if (pid > 0 && (fds[n] = pidfd_open((pid_t)pid, 0)) >= 0)
			pids[n++] = (pid_t)pid;
		s = end;
	}
	buf_fini(&b);
	return n;
}

/* Send `sig` and SIGCONT (a stopped process would not see it until
 * continued) to those of fds[0..n) still running. */
static void
editor_signal(const int *fds, const bool *gone, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++)
		if (!gone[i]) {
			pidfd_send_signal(fds[i], sig, NULL, 0);
			pidfd_send_signal(fds[i], SIGCONT, NULL, 0);
		}
}

/* Wait up to `ms` ms for the processes of fds[0..n) to exit, marking each
 * that has in gone[]: true once they all have. */
static bool
editor_gone_within(const int *fds, bool *gone, size_t n, int ms)
{
	uint64_t until = ev_now_ms() + (uint64_t)ms;
	struct pollfd p[EDITOR_PIDS_MAX];

	for (;;) {
		size_t live = 0;
		uint64_t now = ev_now_ms();

		for (size_t i = 0; i < n; i++) {
			p[i] = (struct pollfd){ .fd = gone[i] ? -1 : fds[i], .events = POLLIN };
			live += !gone[i];
		}
		if (live == 0 || now >= until)
			return live == 0;
		/* a pidfd turns readable once its process has exited */
		if (poll(p, n, (int)(until - now)) < 0 && errno != EINTR)
			return false;
		for (size_t i = 0; i < n; i++)
			gone[i] = gone[i] || p[i].revents; /* POLLIN, or nothing to wait on */
	}
}

char *
ui_editor_abandon(struct ui *u)
{
	struct buf note = BUF_INIT;
	int fds[EDITOR_PIDS_MAX];
	pid_t pids[EDITOR_PIDS_MAX];
	bool gone[EDITOR_PIDS_MAX] = { false };
	pid_t sh = u->editor;
	size_t n;

	if (sh <= 1)
		return buf_detach(&note);
	ev_child_forget(u->loop, sh);
	u->editor = 0;
	/* As the kernel tells a terminal's processes of its hangup. */
	n = editor_pidfds(sh, fds, pids);
	editor_signal(fds, gone, n, SIGHUP);
	if (!editor_gone_within(fds, gone, n, EDITOR_HUP_MS)) {
		editor_signal(fds, gone, n, SIGTERM);
		if (!editor_gone_within(fds, gone, n, EDITOR_TERM_MS)) {
			buf_printf(&note, "deskhand: %s (pid",
				   u->editor_prog ? u->editor_prog : "the editor");
			for (size_t i = 0; i < n; i++)
				if (!gone[i])
					buf_printf(&note, " %ld", (long)pids[i]);
			buf_puts(&note, ") did not exit on SIGHUP and SIGTERM: left running\n");
		}
	}
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	waitpid(sh, NULL, WNOHANG); /* reaped if it exited */
	if (u->plan_file)
		buf_printf(&note, "deskhand: the plan being edited was not sent; "
				  "its file is kept: %s\n",
			   u->plan_file);
	free(u->plan_file);
	u->plan_file = NULL;
	u->editor_done = NULL;
	u->editor_ctx = NULL;
	free(u->editor_prog);
	u->editor_prog = NULL;
	return buf_detach(&note);
}

void
ui_edit_file(struct ui *u, const char *path, void (*done)(int status, void *ctx), void *ctx)
{
	const char *ed = getenv("VISUAL");

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	ui_run_on_tty(u, ed, path, done, ctx);
}

/*
 * The pager: a command's whole output
 */

#define PAGE_OVERLAY_MAX ((size_t)256 << 10) /* bytes the overlay shows of a file: read
						      * on the loop, so kept small */

/* The file in the overlay (no pager on this system): its first
 * PAGE_OVERLAY_MAX bytes, said so when cut. */
static void
page_overlay(struct ui *u, const char *path, const char *title)
{
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, PAGE_OVERLAY_MAX, &b);

	if (rc < 0 && b.len == 0) {
		ui_message(u, true, "%s", err_msg());
	} else {
		if (rc < 0)
			buf_printf(&b, "\n[only the first %zu KB are shown: page %s with a pager]\n",
				   PAGE_OVERLAY_MAX >> 10, path);
		ui_show_overlay(u, title, buf_cstr(&b));
	}
	buf_fini(&b);
}

static void
page_done(int status, void *ctx)
{
	struct ui *u = ctx;

	/* -1: it could not start; 127: the shell found no such program (a
	 * $PAGER not installed). The overlay shows the file instead. */
	if (status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 127))
		page_overlay(u, u->page_path, u->page_title);
	free(u->page_path);
	free(u->page_title);
	u->page_path = u->page_title = NULL;
}

/* A program named `name` on $PATH. */
static bool
on_path(const char *name)
{
	const char *path = getenv("PATH");

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		char *f = xasprintf("%.*s/%s", (int)n, p, name);
		bool ok = n > 0 && access(f, X_OK) == 0;

		free(f);
		if (ok)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

void
ui_page_file(struct ui *u, const char *path, const char *title)
{
	const char *pager = getenv("PAGER");

	if (!pager || !*pager)
		pager = on_path("less") ? "less" : NULL;
	if (!pager) {
		page_overlay(u, path, title);
		return;
	}
	if (u->editor) {
		ui_message(u, true, "a program already has the terminal");
		return;
	}
	u->page_path = xstrdup(path);
	u->page_title = xstrdup(title);
	ui_run_on_tty(u, pager, path, page_done, u);
}

/* The plan as lines "N. title" in a temp file for $EDITOR. */
static void
plan_edited(int status, void *ctx)
{
	struct ui *u = ctx;
	char *path = u->plan_file;
	struct buf b = BUF_INIT;

	u->plan_file = NULL;
	if (status == -1)
		goto out;
	if (!u->pending_plan || !u->pending_id) {
		ui_message(u, true, "the plan is no longer waiting for approval: edit not sent");
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ui_message(u, true, "the editor failed (status %d): the plan is unchanged; "
				    "a approves, r rejects, e edits again",
			   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		goto out;
	}
	if (fsutil_read_file(path, 1 << 20, &b) < 0) {
		ui_message(u, true, "plan: %s", err_msg());
		goto out;
	}
	/* Not saved (:q!): the same bytes and the same mtime. No decision. */
	struct stat st;
	if (stat(path, &st) == 0 && st.st_mtim.tv_sec == u->plan_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == u->plan_mtime.tv_nsec && b.len == u->plan_text.len &&
	    (b.len == 0 || !memcmp(b.ptr, u->plan_text.ptr, b.len))) {
		ui_message(u, false, "the plan was not saved: a approve, r reject, e edit again");
		goto out;
	}
	cJSON *steps = json_new_arr();
	bool same = true;
	int i = 0;
	cJSON *old = json_arr(u->pending_input, "steps");
	for (char *line = b.ptr ? b.ptr : (char *)""; *line;) {
		char *nl = strchr(line, '\n');
		char *next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		char *t = line + strspn(line, " \t");
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r'))
			t[--len] = '\0';
		line = next;
		if (!*t || *t == '#')
			continue;
		/* Drop a leading "3." "3)" "-" "*" mark. */
		char *m = t + strspn(t, "0123456789");
		if (m > t && (*m == '.' || *m == ')'))
			t = m + 1;
		else if (*t == '-' || *t == '*')
			t++;
		t += strspn(t, " \t");
		if (!*t)
			continue;
		cJSON *o = json_new_obj();
		json_add_str(o, "title", t);
		json_add(steps, NULL, o);
		const char *ot = json_str(cJSON_GetArrayItem(old, i++), "title");
		same = same && ot && !strcmp(ot, t);
	}
	same = same && i == cJSON_GetArraySize(old);
	if (i == 0)
		ui_message(u, true, "the edited plan has no steps: nothing sent "
				    "(a approves the proposed plan, r rejects it)");
	else if (same)
		ui_approval_send(u, true, NULL);
	else
		ui_approval_send_steps(u, true, NULL, steps, false);
	cJSON_Delete(steps);
out:
	buf_fini(&b);
	if (path)
		unlink(path);
	free(path);
}

void
ui_edit_plan(struct ui *u)
{
	const char *tmp = getenv("TMPDIR");
	struct buf b = BUF_INIT;
	cJSON *s;
	int i = 0, fd;

	if (u->plan_file)
		return;
	u->plan_file = xasprintf("%s/deskhand-plan-XXXXXX.md", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemps(u->plan_file, 3)) < 0) {
		ui_message(u, true, "plan: %s: %s", u->plan_file, strerror(errno));
		free(u->plan_file);
		u->plan_file = NULL;
		return;
	}
	buf_puts(&b, "# The agent's plan: one step a line. Change, add, remove or reorder\n"
		     "# steps, then save and quit: the plan as saved is approved and the\n"
		     "# agent carries it out. Lines starting with '#' are ignored; save an\n"
		     "# empty plan to cancel.\n");
	cJSON_ArrayForEach(s, json_arr(u->pending_input, "steps"))
	{
		const char *t = json_str(s, "title");
		buf_printf(&b, "%d. %s\n", ++i, t ? t : "");
	}
	bool ok = write(fd, b.ptr, b.len) == (ssize_t)b.len;
	struct stat st;
	ok = ok && fstat(fd, &st) == 0;
	close(fd);
	buf_clear(&u->plan_text);
	buf_add(&u->plan_text, b.ptr, b.len);
	if (ok)
		u->plan_mtime = st.st_mtim;
	buf_fini(&b);
	if (!ok) {
		ui_message(u, true, "plan: %s: %s", u->plan_file, strerror(errno));
		unlink(u->plan_file);
		free(u->plan_file);
		u->plan_file = NULL;
		return;
	}
	ui_edit_file(u, u->plan_file, plan_edited, u);
}

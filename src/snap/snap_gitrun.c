/* SPDX-License-Identifier: MIT */
/*
 * What git runs from a repository's own git directory (snap.h,
 * snap_repo_runs): its hooks, and the entries of its config that name a
 * program or another config file. run_command reports them for a
 * repository that a command made: that command wrote its hooks and config
 * from inside the sandbox, and git runs them when the person uses git
 * there.
 */
#include "snap/snap.h"
#include "snap/snap_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/strv.h"
#include "core/xalloc.h"

/* Config keys whose value git runs as a command, or reads as more config,
 * from git-config(1): a glob over the name as libgit2 gives it (section and
 * key lowercase, a subsection as written). `bang`: only a value that starts
 * with '!' runs a command (an alias or a submodule's update). */
static const struct {
	const char *glob;
	bool bang;
} program_keys[] = {
	{ "alias.*", true },
	{ "browser.*.cmd", false },
	{ "core.alternaterefscommand", false },
	{ "core.askpass", false },
	{ "core.editor", false },
	{ "core.fsmonitor", false },
	{ "core.gitproxy", false },
	{ "core.hookspath", false },
	{ "core.pager", false },
	{ "core.sshcommand", false },
	{ "credential.helper", false },
	{ "credential.*.helper", false },
	{ "diff.external", false },
	{ "diff.*.command", false },
	{ "diff.*.textconv", false },
	{ "difftool.*.cmd", false },
	{ "filter.*.clean", false },
	{ "filter.*.process", false },
	{ "filter.*.smudge", false },
	{ "gpg.program", false },
	{ "gpg.*.program", false },
	{ "include.path", false },
	{ "includeif.*.path", false },
	{ "interactive.difffilter", false },
	{ "man.*.cmd", false },
	{ "merge.*.driver", false },
	{ "mergetool.*.cmd", false },
	{ "pager.*", false },
	{ "remote.*.receivepack", false },
	{ "remote.*.uploadpack", false },
	{ "remote.*.vcs", false },
	{ "sequence.editor", false },
	{ "submodule.*.update", true },
	{ "uploadpack.packobjectshook", false },
	{ "web.browser", false },
};

#define RUNS_VALUE_MAX 200 /* bytes of a value in a line */

struct runs {
	struct strv *out;
	size_t added;
};

static int
on_entry(const git_config_entry *e, void *payload)
{
	struct runs *r = payload;
	const char *v = e->value ? e->value : "";

	for (size_t i = 0; i < sizeof program_keys / sizeof *program_keys; i++) {
		if (fnmatch(program_keys[i].glob, e->name, 0) != 0 ||
		    (program_keys[i].bang && v[0] != '!'))
			continue;
		struct buf b = BUF_INIT;

		buf_printf(&b, "config %s = %.*s%s", e->name, RUNS_VALUE_MAX, v,
			   strlen(v) > RUNS_VALUE_MAX ? "..." : "");
		strv_add(r->out, buf_cstr(&b));
		buf_fini(&b);
		r->added++;
		break;
	}
	return 0;
}

/* The hooks git would run from `dir`: entries with an execute bit that are
 * files (or links to files), other than the *.sample ones git init writes,
 * in name order. A missing directory has none. */
static void
hooks_in(const char *dir, struct runs *r)
{
	DIR *d = opendir(dir);
	struct strv names = ARRAY_INIT;
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat st;

		if (e->d_name[0] == '.' || (n > 7 && !strcmp(e->d_name + n - 7, ".sample")))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			strv_add(&names, e->d_name);
	}
	closedir(d);
	strv_uniq(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *line = xasprintf("hooks/%s", names.v[i]);

		strv_add(r->out, line);
		free(line);
		r->added++;
	}
	strv_free(&names);
}

/* The git directory `.git` of `workdir` stands for: itself, or what a
 * "gitdir: PATH" file names (PATH relative to workdir unless absolute; then
 * *named is that path, heap); then the common directory when it has a
 * `commondir` file (a worktree's). Heap; NULL with err_set() when there is
 * none to read. */
static char *
git_dir_of(const char *workdir, char **named)
{
	char *dot = xasprintf("%s/.git", workdir), *dir = NULL;
	struct stat st;
	struct buf b = BUF_INIT;

	if (lstat(dot, &st) != 0) {
		err_set("%s: %s", dot, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		dir = xstrdup(dot);
	} else if (S_ISREG(st.st_mode) && fsutil_read_file(dot, 4096, &b) == 0) {
		const char *t = buf_cstr(&b);

		if (strncmp(t, "gitdir: ", 8) != 0) {
			err_set("%s: not a \"gitdir: PATH\" file", dot);
		} else {
			size_t n = strcspn(t + 8, "\r\n");

			dir = t[8] == '/' ? xasprintf("%.*s", (int)n, t + 8)
					  : xasprintf("%s/%.*s", workdir, (int)n, t + 8);
			*named = xstrdup(dir);
		}
	} else if (!S_ISREG(st.st_mode)) {
		err_set("%s: neither a directory nor a \"gitdir: PATH\" file", dot);
	}
	buf_fini(&b);
	free(dot);
	if (dir) {
		char *common = xasprintf("%s/commondir", dir);

		if (fsutil_read_file(common, 4096, &b) == 0) {
			size_t n = strcspn(buf_cstr(&b), "\r\n");
			char *c = buf_cstr(&b)[0] == '/'
					  ? xasprintf("%.*s", (int)n, buf_cstr(&b))
					  : xasprintf("%s/%.*s", dir, (int)n, buf_cstr(&b));

			free(dir);
			dir = c;
		}
		buf_fini(&b);
		free(common);
	}
	return dir;
}

int
snap_repo_runs(const char *workdir, struct strv *out)
{
	struct strv found = ARRAY_INIT;
	struct runs r = { &found, 0 };
	git_config *cfg = NULL;
	char *dir, *path, *named = NULL;
	struct stat st;
	int rc = 0;

	if (snap_git_load() < 0)
		return DH_EFAIL;
	if (!(dir = git_dir_of(workdir, &named)))
		return DH_EFAIL;
	path = xasprintf("%s/hooks", dir);
	hooks_in(path, &r);
	free(path);
	path = xasprintf("%s/config", dir);
	if (stat(path, &st) == 0) {
		if (G(git.git_config_open_ondisk(&cfg, path)) < 0 ||
		    G(git.git_config_foreach(cfg, on_entry, &r)) < 0)
			rc = err_set("%s: %s", path, err_msg());
		git.git_config_free(cfg);
	}
	free(path);
	free(dir);
	/* Where a .git file points matters only for what runs from there. */
	if (rc == 0 && r.added && named) {
		char *line = xasprintf("git directory %s", named);

		strv_add(out, line);
		free(line);
	}
	for (size_t i = 0; rc == 0 && i < found.n; i++)
		strv_add(out, found.v[i]);
	strv_free(&found);
	free(named);
	return rc < 0 ? rc : (int)r.added;
}

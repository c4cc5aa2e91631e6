/* SPDX-License-Identifier: MIT */
/*
 * Submodules' git directories (gitdir.h).
 */
#include "core/gitdir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/xalloc.h"

/* Whether directory `gd` looks like a git directory (hooks, config or HEAD
 * in it), as the sandbox tells a submodule's from a part of its name. */
static bool
looks_like_git_dir(const char *gd)
{
	static const char *const marks[] = { "hooks", "config", "HEAD" };
	bool is_git = false;

	for (size_t i = 0; i < sizeof marks / sizeof *marks && !is_git; i++) {
		char *q = xasprintf("%s/%s", gd, marks[i]);
		struct stat st;

		is_git = lstat(q, &st) == 0;
		free(q);
	}
	return is_git;
}

static void
submodules_at(const char *dir, int depth, size_t *budget, struct strv *out)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *e; *budget > 0 && (e = readdir(d));) {
		char *gd = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && lstat(gd, &st) == 0 && S_ISDIR(st.st_mode)) {
			--*budget;
			strv_add(out, gd);
			if (depth + 1 < GITDIR_SUBMODULE_DEPTH) {
				char *m = looks_like_git_dir(gd) ? xasprintf("%s/modules", gd)
				                                 : xstrdup(gd);

				submodules_at(m, depth + 1, budget, out);
				free(m);
			}
		}
		free(gd);
	}
	closedir(d);
}

void
gitdir_submodules(const char *modules, size_t *budget, struct strv *out)
{
	submodules_at(modules, 0, budget, out);
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_GITDIR_H
#define DH_CORE_GITDIR_H

#include <stddef.h>

#include "core/strv.h"

/*
 * Finding git directories whose hooks and config git runs: the submodules'
 * git directories below a repository's `.git/modules`, as the sandbox helper
 * finds them (find_submodules() in sandbox/deskhand-sandbox.c, whose bounds
 * these are). The protected entries in each are sandbox/protected_paths.h's
 * SANDBOX_GIT_DIR_ENTRIES. Plain paths, no openat2: the caller's paths are
 * its own (a grant's, a checkpointed folder's).
 */

#define GITDIR_SUBMODULE_DEPTH 4  /* levels below "modules" looked in */
#define GITDIR_SUBMODULES_MAX  64 /* directories per command or recovery */

/* Append to `out` (heap strings it owns) the submodules' git directories
 * below `modules` (a git directory's "modules", a path): every directory
 * there is one; one that looks like a git directory (hooks, config or HEAD
 * in it) has its own "modules" looked in, and another is a part of a
 * submodule's name ("lib/x") and is looked in itself. GITDIR_SUBMODULE_DEPTH
 * levels, at most *budget directories (decremented). Symlinks are not
 * followed; a directory that cannot be read has none. */
void gitdir_submodules(const char *modules, size_t *budget, struct strv *out);

#endif

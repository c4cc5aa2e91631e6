/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_IGNORE_H
#define DH_CORE_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Ignore rules in gitignore syntax, the common subset (our own matcher, not
 * libgit2's: libgit2 would also apply the folder's .gitignore files, which
 * snapshots must not honour). Supported: blank lines and `#` comments, `\#`
 * and `\!` escapes, trailing spaces trimmed, `!` negation (the last matching
 * rule wins), a trailing `/` (directories only), a `/` at the start or in the
 * middle anchoring the pattern to the folder root (otherwise it matches the
 * name at any depth), `*`, `?`, `[…]` within one component and `**` for any
 * number of whole components. Not supported: nested ignore files (only the
 * folder root's `.deskhandignore` is read) and re-including a path below an
 * excluded directory (git cannot either).
 *
 * ignore_load() puts built-in rules before the folder's own: office suites'
 * lock files (`.~lock.*#` of LibreOffice, `~$*` and `~WRL*.tmp` of Microsoft
 * Office) at any depth; a `!` rule in the folder's file re-includes them.
 *
 * Pure functions over an immutable rule set: safe to share between threads
 * once built.
 */

#define IGNORE_FILE ".deskhandignore"
#define IGNORE_FILE_MAX (1u << 20) /* bytes of it read, at most */

struct ignore; /* opaque */

/* Parse `len` bytes of rules. *out is owned by the caller (ignore_free); an
 * empty rule set is valid. Never fails. */
void ignore_parse(struct ignore **out, const char *text, size_t len);
/* The built-in rules followed by those of FOLDER/.deskhandignore (at most
 * 1 MiB). A missing file gives the built-in rules alone and 0; an unreadable
 * or oversized one DH_EFAIL (with *out holding the built-in rules). */
int ignore_load(struct ignore **out, const char *folder) DH_MUST_CHECK;
/* The built-in rules alone, as ignore_load() gives them for a folder without
 * the file. *out is owned by the caller (ignore_free). Never fails. */
void ignore_builtin(struct ignore **out);
/* The built-in rules followed by `text`, a .deskhandignore's content as it
 * was (NULL: none, as ignore_builtin()). *out as above. Never fails. */
void ignore_builtin_with(struct ignore **out, const char *text);
void ignore_free(struct ignore *ig);
/* Number of rules (0: nothing is ever ignored, callers may skip matching). */
size_t ignore_count(const struct ignore *ig);

/* Whether `rel` (relative to the folder, '/'-separated, no leading '/') is
 * ignored by a rule naming it; its parent directories are NOT checked (the
 * walkers never descend into an ignored directory). `is_dir` says whether it
 * is a directory. NULL ig matches nothing. */
bool ignore_match(const struct ignore *ig, const char *rel, bool is_dir);
/* Like ignore_match(), but also true when one of rel's parent directories is
 * ignored (for a path taken out of context, e.g. a watcher's dirty path). */
bool ignore_match_path(const struct ignore *ig, const char *rel, bool is_dir);

#endif

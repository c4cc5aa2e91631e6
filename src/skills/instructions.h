/* SPDX-License-Identifier: MIT */
#ifndef DH_SKILLS_INSTRUCTIONS_H
#define DH_SKILLS_INSTRUCTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * The person's standing instructions (docs/skills.md "Instructions"): the
 * global $XDG_CONFIG_HOME/deskhand/AGENTS.md and, in each granted folder,
 * AGENTS.md from its root down to the directories the agent works in, with
 * CLAUDE.md read in a directory that has no AGENTS.md. The global file and
 * the grant roots' are read when the agent starts and go in the system
 * prompt; a subdirectory's are read the first time a tool call names a path
 * in it (instructions_visit) and are added to the next request. Grant files
 * are read through policy/grant.h (no symlink leads out of a grant).
 *
 * Caps: INSTR_FILE_MAX bytes of one file, INSTR_TOTAL_MAX of all of them;
 * what is cut or left out is a warning naming the file, never dropped
 * silently. Loop-safe: bounded local reads only.
 */

struct grant_set;
struct instructions; /* opaque */

#define INSTR_FILE_MAX  ((size_t)32 << 10)
#define INSTR_TOTAL_MAX ((size_t)64 << 10)

enum instr_kind {
	INSTR_GLOBAL, /* $XDG_CONFIG_HOME/deskhand/AGENTS.md */
	INSTR_FOLDER, /* a grant's root */
	INSTR_NESTED, /* a directory below a grant's root, loaded when first touched */
};

struct instr_file {
	char *path;     /* absolute */
	char *text;     /* what the model gets (cut to the caps) */
	long long size; /* bytes of the file */
	bool cut;       /* text is less than the file */
	enum instr_kind kind;
};

/* Read the global file and each grant root's (g may be NULL). *out is the
 * caller's (instructions_free). Returns 0: unreadable files are warnings. */
int instructions_load(struct instructions **out, const struct grant_set *g) DH_MUST_CHECK;
/* NULL-safe. */
void instructions_free(struct instructions *in);

/* Every file loaded so far, in load order; borrowed. NULL-safe (0). */
size_t instructions_count(const struct instructions *in);
const struct instr_file *instructions_at(const struct instructions *in, size_t i);
/* Every warning so far ("instructions: PATH is N bytes; …"), borrowed. */
const struct strv *instructions_warnings(const struct instructions *in);

/* The system prompt's part (the global and grant-root files) appended to
 * out; nothing when there are none. */
void instructions_prompt(const struct instructions *in, struct buf *out);

/* A tool call named `path` (absolute, resolved into grant `gi` of g as
 * grant-relative `rel`, a file or a directory): load the instructions of
 * each directory from below the grant root down to the one it names (or
 * holds) that was not visited yet. Their text, framed for the model, is
 * appended to `out`; each warning is appended to `warn` as well. Returns
 * how many files were added. */
size_t instructions_visit(struct instructions *in, const struct grant_set *g, size_t gi,
                          const char *rel, struct buf *out, struct strv *warn);

/* [{path, kind ("global"|"folder"|"nested"), size, cut, text}]. Caller owns. */
cJSON *instructions_json(const struct instructions *in);

#endif

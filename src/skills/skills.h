/* SPDX-License-Identifier: MIT */
#ifndef DH_SKILLS_SKILLS_H
#define DH_SKILLS_SKILLS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * Agent Skills (the agentskills.io specification, docs/skills.md): a skill is
 * a directory NAME/ holding SKILL.md, YAML front matter (`name`, 1-64
 * lowercase letters, digits and single hyphens, equal to NAME; `description`,
 * 1-1024 characters; optional `license`, `compatibility` (at most 500
 * characters), `metadata` (a mapping), `allowed-tools`, each at most once;
 * other keys are allowed) followed by Markdown instructions. Progressive disclosure: the
 * system prompt lists only names and descriptions (skills_prompt); the body
 * is read when the model asks for it (skills_body, the load_skill tool).
 *
 * Roots, in precedence order (the first skill of a name wins, a later one of
 * the same name is reported): $XDG_CONFIG_HOME/deskhand/skills,
 * ~/.agents/skills, ~/.claude/skills, then .agents/skills in each granted
 * folder, whose skills count only once the person trusted them
 * (skills_trust(): the SHA-256 of every file of its skills is recorded
 * under $XDG_STATE_HOME/deskhand/; any change asks again). Every invalid skill is
 * a problem "FILE:LINE: what" (skills_problems), never skipped silently.
 * Files of a grant are read through policy/grant.h (no symlink leaves it).
 * Bounded (SKILLS_MAX skills, SKILL_FILE_MAX, the SKILL_TREE_ caps), but
 * skills_load(), skills_body() and skills_trust() hash every file of a
 * folder's skills, up to SKILL_TREE_BYTES a folder: not for the event loop.
 * They may run on another thread, the set (and the grants skills_load()
 * reads) neither changed nor freed meanwhile.
 */

struct grant_set;
struct skill_set; /* opaque */

#define SKILL_NAME_MAX    64
#define SKILL_DESC_MAX    1024
#define SKILL_COMPAT_MAX  500
#define SKILL_FILE_MAX    ((size_t)256 << 10) /* bytes of a SKILL.md read */
#define SKILLS_MAX        256                 /* skills per root looked at */
#define SKILL_FILES_SHOWN 50                  /* files beside SKILL.md that load_skill lists */
/* A folder's skills are trusted by the hash of everything in their
 * directories, which hold at most SKILL_TREE_ENTRIES files and directories
 * and SKILL_TREE_BYTES of files in all, each SKILL_TREE_DEPTH levels deep
 * (else they cannot be trusted, and that says so). */
#define SKILL_TREE_ENTRIES 1000
#define SKILL_TREE_BYTES   ((size_t)16 << 20)
#define SKILL_TREE_DEPTH   16

/* Where a skill came from (the `source` of `deskhand skills`). */
enum skill_source {
	SKILL_SRC_CONFIG, /* $XDG_CONFIG_HOME/deskhand/skills */
	SKILL_SRC_AGENTS, /* ~/.agents/skills */
	SKILL_SRC_CLAUDE, /* ~/.claude/skills */
	SKILL_SRC_FOLDER, /* GRANT/.agents/skills */
};

/* Why a folder's skill is or is not trusted (skill.trust). */
enum skill_trust {
	SKILL_TRUST_YES,     /* trusted as it is (and every skill not of a folder) */
	SKILL_TRUST_NEVER,   /* the person has not trusted the folder's skills */
	SKILL_TRUST_CHANGED, /* a file of them changed since they were trusted */
	SKILL_TRUST_OLDER,   /* trusted by an older deskhand, for SKILL.md alone */
};

struct skill {
	char *name;
	char *description;
	char *dir;  /* the skill's directory, absolute */
	char *file; /* dir/SKILL.md */
	enum skill_source source;
	size_t grant;  /* SKILL_SRC_FOLDER: the grant's index */
	bool trusted;  /* false only for a folder's skills the person has not trusted */
	enum skill_trust trust; /* why trusted is false (SKILL_TRUST_YES when true) */
	char tree[65]; /* SKILL_SRC_FOLDER: hex SHA-256 of every file of dir, as validated */
};

enum skills_flags {
	SKILLS_F_UNTRUSTED = 1 << 0, /* keep untrusted folder skills (trusted = false)
	                              * instead of one problem per folder */
};

/* Discover and validate every skill of the roots above (grants may be NULL:
 * the person's own roots only). *out is the caller's (skills_free). Returns
 * 0; problems are in skills_problems(), not return codes. */
int skills_load(struct skill_set **out, const struct grant_set *grants,
                unsigned flags) DH_MUST_CHECK;
/* skills_load() that gives up between two folders once *stop (set on
 * another thread; NULL: never) is true: the set is then incomplete, only
 * to be freed. One folder's skills (SKILL_TREE_BYTES) are hashed at most
 * after it is set. */
int skills_load_stoppable(struct skill_set **out, const struct grant_set *grants,
                          unsigned flags, const atomic_bool *stop) DH_MUST_CHECK;
/* NULL-safe. */
void skills_free(struct skill_set *s);

/* The usable skills (valid; trusted unless SKILLS_F_UNTRUSTED), sorted by
 * name; borrowed until skills_free. NULL-safe (0). */
size_t skills_count(const struct skill_set *s);
const struct skill *skills_at(const struct skill_set *s, size_t i);
/* The trusted skill `name`, or NULL. */
const struct skill *skills_find(const struct skill_set *s, const char *name);
/* "FILE:LINE: what is wrong" for every invalid skill, shadowed duplicate and
 * untrusted folder, in discovery order (borrowed). NULL-safe (NULL). */
const struct strv *skills_problems(const struct skill_set *s);
/* The personal skill directories (not the grants' own) that read_file may
 * read, never change: a grant set over them, borrowed; NULL when none. */
struct grant_set *skills_readable(const struct skill_set *s);

/* The system prompt's skills section ("" when there are none) appended to
 * out: each trusted skill's name, description and directory. */
void skills_prompt(const struct skill_set *s, struct buf *out);
/* load_skill's answer appended to out: the body of sk's SKILL.md (read
 * again, at most SKILL_FILE_MAX bytes; what follows its front matter as the
 * file is now), then the files beside it (at most
 * SKILL_FILES_SHOWN) as absolute paths for read_file. Both are read
 * through a grant on the skill's directory (a folder's, or the personal one
 * read_file uses), never through a symlink put in its place. A folder's skill
 * any file of whose directory is no longer as checked (and trusted) when the
 * set was loaded is refused (DH_EDENIED), and a SKILL.md whose front matter is
 * no longer there or closed fails (DH_EFAIL). Returns 0, or DH_EFAIL /
 * DH_EDENIED / DH_ENOTFOUND with err_msg() naming the file. */
int skills_body(const struct skill_set *s, const struct skill *sk, struct buf *out) DH_MUST_CHECK;
/* [{name, description, source, dir, file, trusted}] for `deskhand skills
 * --json` and the instructions reply. Caller owns it. */
cJSON *skills_json(const struct skill_set *s);
/* "config", "agents", "claude", "folder". */
const char *skills_source_name(enum skill_source src);

/* Record (trust true) or forget the person's trust in the skills of
 * `folder` (its .agents/skills): a SHA-256 over every skill's name and every
 * file beneath NAME/ (relative paths, kinds, modes, contents; symlinks as
 * links), in $XDG_STATE_HOME/deskhand/skills-trust.json (0600); a folder
 * that is gone is forgotten by its absolute path. Returns 0;
 * DH_ENOTFOUND when the folder has no .agents/skills (trust) or was not
 * trusted (untrust); DH_EFAIL naming the file otherwise, and naming a skill
 * past the SKILL_TREE_ caps. */
int skills_trust(const char *folder, bool trust) DH_MUST_CHECK;

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_CONFIG_MANAGED_H
#define DH_CONFIG_MANAGED_H

#include <stdbool.h>

#include "config/config.h"
#include "core/err.h"

/*
 * The managed policy (docs/policy.md): a file the machine's administrator
 * keeps, /etc/deskhand/policy ($DH_POLICY_FILE instead, for tests), in the
 * config line format, that the person's config, a folder's config and the
 * command line cannot loosen. Its lines:
 *
 *   set NAME = VALUE           the setting, locked at that value
 *   lock NAME                  a setting locked at the value it has (the
 *                              default when the policy does not set it);
 *                              NAME is any option of the table, `egress` or
 *                              `mcp`
 *   allow egress HOST[:PORT]   the egress allowlist, locked: nobody adds to
 *                              it and no host outside it is asked about
 *   allow mcp NAME             connectors allowed, by name (a glob) or by
 *   allow mcp-command COMMAND  command (a glob on the command or its base
 *                              name); with either, or `lock mcp`, no other
 *                              connector starts
 *   allow|ask|deny TOOL[(PATTERN)]  permission rules nobody may loosen
 *
 * Every refusal names the policy's "FILE:LINE". Nothing here blocks: the
 * file is read once per config_load().
 */

#define MANAGED_PATH "/etc/deskhand/policy"

/* The managed policy's path: $DH_POLICY_FILE when set and not empty, else
 * MANAGED_PATH. Borrowed (the environment's or static). */
const char *managed_path(void);

/* Is the policy at `path` there and to be trusted? 1 when it exists, is a
 * regular file owned by root and writable by nobody else; 0 when there is
 * none; DH_EPARSE "managed policy PATH: refused: …" naming what is wrong and
 * the fix otherwise. Reads nothing but its stat. */
int managed_check_file(const char *path) DH_MUST_CHECK;

/* Read the managed policy into `c` (the defaults already in it, before the
 * person's files: config_load calls it). No file: 0 with nothing changed. A
 * file not owned by root, or writable by its group or by others, is refused
 * whole: DH_EPARSE "managed policy FILE: …" saying which. A bad line is
 * DH_EPARSE "FILE:LINE: …". Sets c->policy, c->locks, c->policy_rules and
 * c->mcp_allow, and what its lines set as config_load_line does. */
int managed_load(struct config *c) DH_MUST_CHECK;
/* Free what managed_load added to `c` (config_fini calls it). */
void managed_fini(struct config *c);

/* The lock on NAME (an option, "egress" or "mcp"), borrowed from `c`; NULL
 * when it is not locked. */
const struct config_lock *managed_lock(const struct config *c, const char *name);

/* Is `where` ("FILE:LINE") a line of the policy `c` read? */
bool managed_sets(const struct config *c, const char *where);

/* May NAME be set to VALUE at `where`? 0 when NAME is not locked, when it is
 * given its locked value again, or while the policy itself is read;
 * otherwise DH_EPARSE "WHERE: 'NAME' is locked to 'V' by the managed policy
 * (FILE:LINE)". */
int managed_check_set(const struct config *c, const char *name, const char *value,
		      const char *where) DH_MUST_CHECK;
/* May rule `r` of the person's config stand? DH_EPARSE "WHERE: rule '…'
 * would loosen the managed policy's rule '…' (FILE:LINE)" when a rule of the
 * policy with a stricter verdict (deny over ask over allow) covers calls `r`
 * covers too (the same or an overlapping tool glob, and no pattern on one of
 * them or the same pattern, or the policy's pattern a glob matching `r`'s). */
int managed_check_rule(const struct config *c, const struct config_rule *r) DH_MUST_CHECK;
/* May an `allow egress` line at `where` be added? DH_EPARSE naming the
 * policy's line when the allowlist is locked. */
int managed_check_egress(const struct config *c, const char *where) DH_MUST_CHECK;
/* May the config line `line` (an "always allow" about to be saved) go into
 * the person's config? Reads the managed policy; DH_EPARSE naming its line
 * when the line would be refused on the next start (a rule it would loosen),
 * or when the policy itself is refused. */
int managed_check_line(const char *line) DH_MUST_CHECK;
/* Why the managed policy refuses line `s` of a folder's config (a `set`, an
 * `allow` rule, an `allow egress`) when it locks what the line would change:
 * "'mode' is locked to 'ask' by the managed policy (FILE:LINE)" (heap); NULL
 * when the policy says nothing about it. */
char *managed_folder_why(const struct config *c, const char *s);

/* May connector NAME, started with `command` (stdio; NULL for http) and
 * sandboxed or not, start? true when the policy allows it; false with *why
 * set (heap: "not allowed by the managed policy (FILE:LINE: allow mcp …)",
 * or the allow_unsandboxed lock) otherwise. */
bool managed_can_start_mcp(const struct config *c, const char *name, const char *command,
			   bool unsandboxed, char **why);
/* May --dangerously-run-commands-unsandboxed be used? 0, or DH_EPARSE
 * "--dangerously-run-commands-unsandboxed is refused: allow_unsandboxed is
 * off (WHERE)". */
int managed_check_unsandboxed(const struct config *c) DH_MUST_CHECK;

#endif

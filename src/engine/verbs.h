/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_VERBS_H
#define DH_ENGINE_VERBS_H

#include <stddef.h>

#include "core/strv.h"
#include "engine/client.h"

/*
 * The review and history verbs in this process, over a session's stores on
 * disk (engine/verbs_*.c): the in-process path behind client_verb_local().
 * Internal to src/engine/. Each takes the arguments after the verb and
 * CLIENT_VERB_* flags, prints its own output and returns the exit status
 * (0, 1 failed, 2 usage, 3 conflict).
 */

/* deskhand log [--session ID] [--json]: the checkpoints, newest first. */
int verbs_log(int argc, char **argv, unsigned flags);
/* deskhand diff [FROM [TO]] [PATH…]: a unified diff between checkpoints. */
int verbs_diff(int argc, char **argv, unsigned flags);
/* deskhand sessions [--json]: every session on disk with its status. */
int verbs_sessions(int argc, char **argv, unsigned flags);
/* deskhand usage [--by day|model|session] [--since DATE] [--json]: tokens and
 * cost from every session's transcript (engine/verbs_usage.c). */
int verbs_usage(int argc, char **argv, unsigned flags);
/* deskhand review [--stat] [PATH…]: pending files and numbered hunks;
 * records what changed on disk first unless CLIENT_VERB_READONLY. */
int verbs_review(int argc, char **argv, unsigned flags);
/* deskhand accept [PATH…]: move the accepted mark (all pending: no path). */
int verbs_accept(int argc, char **argv, unsigned flags);
/* deskhand accept-hunk PATH N: accept hunk N of PATH only. */
int verbs_accept_hunk(int argc, char **argv, unsigned flags);
/* deskhand reject [--force] PATH…: files back to their accepted state. */
int verbs_reject(int argc, char **argv, unsigned flags);
/* deskhand reject-hunk [--force] PATH N: revert hunk N of PATH. */
int verbs_reject_hunk(int argc, char **argv, unsigned flags);
/* deskhand undo [--steps N | --to CHECKPOINT] [--force]: undo agent steps. */
int verbs_undo(int argc, char **argv, unsigned flags);
/* deskhand redo [--force]: reapply what the last undo reverted. */
int verbs_redo(int argc, char **argv, unsigned flags);
/* deskhand restore [--force] CHECKPOINT: the folders back to a checkpoint. */
int verbs_restore(int argc, char **argv, unsigned flags);

/* deskhand mcp list|add|remove|tools|trust|untrust (engine/verbs_mcp_host.c):
 * the connector configuration. argv[0] is the verb; exit status 0, 1, 2. */
int verbs_mcp_list(int argc, char **argv);
int verbs_mcp_add(int argc, char **argv);
int verbs_mcp_remove(int argc, char **argv);
int verbs_mcp_tools(int argc, char **argv);
int verbs_mcp_trust(int argc, char **argv); /* trust and untrust (argv[0]) */
/* The folder .mcp.json a PATH names (the file, or the folder holding it):
 * absolute, resolved. Heap, or NULL with a message on stderr. */
char *verbs_mcp_json_of(const char *arg);
/* deskhand skills [--json] [--grant DIR]… | trust DIR | untrust DIR: the
 * installed skills and their problems (engine/verbs_skills.c). */
int verbs_skills(int argc, char **argv, unsigned flags);
/* deskhand models [--json] [--model NAME]: the providers, the model registry
 * and the provider and model a run would use (engine/verbs_models.c). */
int verbs_models(int argc, char **argv, unsigned flags);

/* deskhand audit verify [ID|--all] | export [--since DATE] [--format
 * jsonl|csv] [ID|--all] (engine/verbs_audit.c): argv[0] is "audit". Exit
 * status 0 ok, 1 a log is broken or unreadable, 2 usage. */
int verbs_audit(int argc, char **argv, unsigned flags);

/* A session's grants with their snapshot stores (the latest session when
 * `spec` is NULL). verbs_target_open() fills *t (also on failure: always call
 * verbs_target_fini()); errors are DH_ENOTFOUND / DH_EFAIL with err_msg().
 * A granted folder that no longer exists (moved or deleted since) is left
 * out of paths/stores and named in `gone`, for the caller to warn or refuse;
 * when every one is gone, that is the error (DH_ENOTFOUND, naming the first). */
struct snap_store;
struct verbs_target {
	char *state;		    /* $XDG_STATE_HOME/deskhand */
	char *id;		    /* session id */
	struct cJSON *meta;	    /* meta.json */
	size_t n;		    /* grants */
	char **paths;		    /* their real paths */
	char **shown;		    /* the same made printable (utf8_sanitized()), for
				     * the lines a command prints: a folder's name
				     * comes with it (an archive, a clone) */
	struct snap_store **stores; /* their shadow repositories */
	bool *history;		    /* per grant: its folder is gone, its store
				     * reads the history only (snap_open_gone) */
	struct strv gone;	    /* granted folders that no longer exist */
};
int verbs_target_open(struct verbs_target *t, const char *spec);
/* verbs_target_open() for the history verbs (log, diff): a granted folder
 * that is gone is still read, from its shadow repository (history[g] set;
 * it stays named in `gone`); one without a repository is left out. */
int verbs_target_open_history(struct verbs_target *t, const char *spec);
/* A warning on stderr naming each of t->gone: left out, or read from its
 * shadow repository (verbs_target_open_history). */
void verbs_target_warn_gone(const struct verbs_target *t);
void verbs_target_fini(struct verbs_target *t);

#endif

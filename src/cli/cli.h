/* SPDX-License-Identifier: MIT */
#ifndef DH_CLI_CLI_H
#define DH_CLI_CLI_H

#include <stddef.h>

/*
 * The headless front end: `deskhand run` and the review verbs over the
 * snapshot store. Like the workbench, it is a view over engine events and
 * commands; it adds no agent logic. Each entry point takes the arguments
 * after the verb and returns the process exit status:
 *   0 success, 1 the task or operation failed, 2 usage error,
 *   3 refused because of a conflict (undo, reject, redo, restore),
 *   130 interrupted.
 */

int cli_run(int argc, char **argv);
/* The full-screen workbench (cli/workbench.c): argv[0] is the program. */
int cli_workbench(int argc, char **argv);
/* `deskhand attach [ID|latest]`: the workbench on a live session, or on a
 * new engine resuming it (cli/workbench.c); argv[0] is "attach". */
int cli_attach(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_undo(int argc, char **argv);
int cli_sessions(int argc, char **argv);

/* The review verbs (cli/review.c, over snap/review_set.h); cli_undo() is
 * among them (its --to form is a restore). */
int cli_review(int argc, char **argv);
int cli_accept(int argc, char **argv);
int cli_accept_hunk(int argc, char **argv);
int cli_reject(int argc, char **argv);
int cli_reject_hunk(int argc, char **argv);
int cli_redo(int argc, char **argv);
int cli_restore(int argc, char **argv);

/* `deskhand doctor` (cli/doctor.c): sandbox readiness checks; exit 0 when
 * none failed, 1 when one did. */
int cli_doctor(int argc, char **argv);

/* A session's grants with their snapshot stores (the latest session when
 * `spec` is NULL). cli_target_open() fills *t (also on failure: always call
 * cli_target_fini()); errors are DH_ENOTFOUND / DH_EFAIL with err_msg(). */
struct snap_store;
struct cli_target {
	char *state;		    /* $XDG_STATE_HOME/deskhand */
	char *id;		    /* session id */
	struct cJSON *meta;	    /* meta.json */
	size_t n;		    /* grants */
	char **paths;		    /* their real paths */
	struct snap_store **stores; /* their shadow repositories */
};
int cli_target_open(struct cli_target *t, const char *spec);
void cli_target_fini(struct cli_target *t);


#endif

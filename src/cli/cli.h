/* SPDX-License-Identifier: MIT */
#ifndef DH_CLI_CLI_H
#define DH_CLI_CLI_H

/*
 * The headless front end: `deskhand run` and the review verbs over the
 * snapshot store. Like the workbench, it is a view over engine events and
 * commands; it adds no agent logic. Each entry point takes the arguments
 * after the verb and returns the process exit status:
 *   0 success, 1 the task or operation failed, 2 usage error,
 *   3 refused because of a conflict (undo), 130 interrupted.
 */

int cli_run(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_undo(int argc, char **argv);
int cli_sessions(int argc, char **argv);

/* Shared by the verbs: the path of deskhand-sandbox (DH_SANDBOX, else next to
 * our own executable, else "deskhand-sandbox" on PATH); heap string. */
char *cli_sandbox_path(void);

#endif

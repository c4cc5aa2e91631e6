/* SPDX-License-Identifier: MIT */
#ifndef DH_CLI_CLI_H
#define DH_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The headless front ends: `deskhand run`, `ls`, `attach`, `wait`, `stop`
 * and the review verbs. Each is a client of an engine (engine/client.h): a
 * view over its events that sends it commands, never a reader or writer of
 * its stores. Each entry point takes the arguments after the verb and
 * returns the process exit status:
 *   0 success, 1 the task or operation failed, 2 usage error,
 *   3 refused because of a conflict (undo, reject, redo, restore),
 *   4 (wait) the task waits for an approval, 130 interrupted.
 */

int cli_run(int argc, char **argv);
/* The full-screen workbench (cli/workbench.c): argv[0] is the program. */
int cli_workbench(int argc, char **argv);
/* `deskhand attach [ID|latest]`: the workbench on a live session, or on an
 * engine started on it (cli/workbench.c). */
int cli_attach(int argc, char **argv);

/* Live sessions (cli/front.c): ls, wait, stop. */
int cli_ls(int argc, char **argv);
int cli_wait(int argc, char **argv);
int cli_stop(int argc, char **argv);

/* The history and review verbs (cli/review.c): on a live session the writing
 * ones are commands to its engine; otherwise they run in this process
 * (client_verb_local()). */
int cli_log(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_sessions(int argc, char **argv);
/* deskhand usage: tokens and cost by day, model or session (docs/usage.md). */
int cli_usage(int argc, char **argv);
int cli_review(int argc, char **argv);
int cli_accept(int argc, char **argv);
int cli_accept_hunk(int argc, char **argv);
int cli_reject(int argc, char **argv);
int cli_reject_hunk(int argc, char **argv);
int cli_undo(int argc, char **argv);
int cli_redo(int argc, char **argv);
int cli_restore(int argc, char **argv);

/* `deskhand inbox [--json] | --dismiss ID` (cli/inbox.c). */
int cli_inbox(int argc, char **argv);

/* A task's end status → the exit status of `run` and `wait` (cli/front.c):
 * "done" 0, "blocked" 5 (approvals were needed and nobody could give them),
 * "expired" 6 (an approval waited past its deadline), "budget" 7 (the spend
 * cap was reached), "interrupted" 130, anything else and NULL 1. */
int cli_exit_status(const char *status);

/* `deskhand mcp COMMAND` (cli/mcp.c): connectors; a table of subcommands,
 * each with --help. */
int cli_mcp(int argc, char **argv);
/* `deskhand skills` (cli/skills.c): the installed skills, in this process
 * (client_verb_local()). */
int cli_skills(int argc, char **argv);
/* `deskhand models` (cli/skills.c): the model providers and the model
 * registry, in this process (client_verb_local()). */
int cli_models(int argc, char **argv);
/* `deskhand schedule COMMAND` (cli/schedule.c): add, list, run, pause,
 * resume, remove, log, fire. Exit statuses as above; `schedule run` exits 3
 * when the previous run is still live. */
int cli_schedule(int argc, char **argv);

struct buf;
struct cJSON;
/* doctor's scheduler lines: which installer `schedule add` uses and whether
 * lingering is enabled, as text lines appended to `human` and/or a
 * "scheduler" object {installer, why, linger} added to `json` (each may be
 * NULL). Runs loginctl. */
void cli_schedule_doctor(struct buf *human, struct cJSON *json);

/* `deskhand audit verify|export` (cli/audit.c): the sessions' audit logs,
 * in this process (client_verb_local()); 0 ok, 1 a log is broken, 2 usage. */
int cli_audit(int argc, char **argv);

/* `deskhand doctor` (cli/doctor.c): sandbox readiness checks; exit 0 when
 * none failed, 1 when one did. */
int cli_doctor(int argc, char **argv);

/* `deskhand rules` (cli/rules.c): the permission rules of the config files
 * in the order the agent checks them; exit 1 on a malformed file. */
int cli_rules(int argc, char **argv);

/* `deskhand config [--json] [KEY]` (cli/config.c): the settings in effect and
 * where each came from; exit 1 when a config file or the managed policy
 * cannot be read, 2 usage or an unknown KEY. */
int cli_config(int argc, char **argv);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_NOTIFY_H
#define DH_ENGINE_NOTIFY_H

#include <stddef.h>

#include "core/err.h"

/*
 * Notifications of an unattended run (issue 13, docs/inbox.md): when a
 * detached or scheduled run finishes, fails, expires, hits its spend cap or
 * starts waiting for an approval, the person is told three ways:
 *   - every other live engine gets a "notice" command on its socket (one
 *     non-blocking connect and write each; nothing is awaited), which it
 *     passes to its clients as a "notice" event: a line in the status line of
 *     every attached workbench (this engine's own clients get the event from
 *     the engine itself);
 *   - `notify-send` when a session bus is there (DBUS_SESSION_BUS_ADDRESS set
 *     and notify-send on PATH), as a child process;
 *   - the `notify_command` hook, run by /bin/sh -c with DESKHAND_SESSION,
 *     DESKHAND_STATUS, DESKHAND_SUMMARY and DESKHAND_SCHEDULE (the schedule's
 *     name, "" when none started it) in its environment.
 * Children are spawned through core/proc.h, never waited for on the loop;
 * one that fails (exit status, signal, no such program) is logged, never
 * fatal; one still running after NOTIFY_TIMEOUT_MS is killed. Loop thread.
 */

#define NOTIFY_TIMEOUT_MS 30000

struct ev_loop;
struct notify;

/* `command` (the notify_command setting, "" or NULL for none) is copied.
 * Never fails. */
void notify_new(struct notify **out, struct ev_loop *loop, const char *command);
/* Kill what still runs and free. NULL-safe. */
void notify_free(struct notify *n);

/* Tell about session `session` (its `status`: "done", "failed", "expired",
 * "budget", "waiting", …; `summary` one line; `origin` "detach",
 * "schedule:NAME", …, or NULL). `self_sock` is the socket path of this
 * engine (skipped by the broadcast), or NULL. */
void notify_send(struct notify *n, const char *session, const char *status, const char *summary,
		 const char *origin, const char *self_sock);

/* Children still running (the engine process stays until they end). */
size_t notify_pending(const struct notify *n);

#endif

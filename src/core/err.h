/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_ERR_H
#define DH_CORE_ERR_H

/*
 * Error codes and the last-error message (libgit2's contract, STYLE.md §3.8):
 * functions that can fail return 0 or a negative DH_E* code, and leave a
 * human-readable message retrievable with err_msg().
 */

#define DH_MUST_CHECK __attribute__((warn_unused_result))
#define DH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define DH_NORETURN __attribute__((noreturn))

enum dh_err {
	DH_OK = 0,
	DH_EFAIL = -1,	   /* generic: see err_msg() */
	DH_ENOTFOUND = -2, /* a named thing does not exist */
	DH_EAGAIN = -3,	   /* retryable (HTTP 429/5xx, EAGAIN) */
	DH_ECANCELED = -4, /* user or owner cancelled */
	DH_EPARSE = -5,	   /* config/JSON/protocol syntax; message says where */
	DH_EDENIED = -6,   /* refused by policy: path outside a grant, denied call */
	DH_ECONFLICT = -7, /* someone else changed what we were about to overwrite */
};

/* Record a printf-style message as this thread's last error; returns DH_EFAIL so
 * that `return err_set("…")` works. The message is kept per thread (the snapshot
 * worker has its own), whole whatever its length, and the arguments may include
 * err_msg() itself (`err_set("%s: %s", path, err_msg())` prefixes the reason).
 * Never fails (out of memory leaves an empty message). */
int err_set(const char *fmt, ...) DH_PRINTF(1, 2);

/* Same as err_set() but returns `code` (a DH_E* value). */
int err_setc(int code, const char *fmt, ...) DH_PRINTF(2, 3);

/* The calling thread's last error message; "" when none. Borrowed: valid until
 * the next err_set*() on this thread (or the thread's end). */
const char *err_msg(void);

/* Called by die() before it exits (the UI sets it to restore the terminal). */
typedef void err_die_fn(void);
void err_set_die_callback(err_die_fn *fn);

/* Fatal error for start-up failures and broken invariants only: runs the die
 * callback, prints "deskhand: MESSAGE" to stderr and exits with status 70. */
void die(const char *fmt, ...) DH_PRINTF(1, 2) DH_NORETURN;

#endif

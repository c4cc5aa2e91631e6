/* SPDX-License-Identifier: MIT */
#ifndef DH_POLICY_SPEND_H
#define DH_POLICY_SPEND_H

#include <stdbool.h>
#include <time.h>

#include "core/err.h"

/*
 * Spend caps (docs/usage.md): before a model request is sent, what it could
 * cost at most (its input tokens estimated from the body, its output at
 * max_tokens, priced from the model registry) is added to what was already
 * spent, and a request that could cross a cap is never sent. Pure
 * arithmetic: the estimate, the prices and the ledger are the callers'.
 */

/* The caps of one run, each 0 for none. */
struct spend_caps {
	double run_usd;     /* max_cost: this run (a resumed session's run starts at 0) */
	double session_usd; /* max_cost_per_session: the session, its earlier runs included */
	double day_usd;     /* max_cost_per_day: every session of the local day */
	long session_tokens; /* max_tokens_per_session: input, output and cache tokens */
};

/* What was spent so far, as the usage events counted it. */
struct spend_state {
	double run_usd;
	double session_usd;
	double day_usd; /* this session's share of the day included */
	long session_tokens;
};

/* Which cap stops a request: the spent amount, the cap and the estimate in
 * its unit (USD; tokens for max_tokens_per_session). */
struct spend_verdict {
	const char *limit; /* the setting's name, "max_cost", …; static storage */
	bool tokens;       /* the amounts are tokens, not USD */
	double spent, cap, estimate;
};

/* Could a request estimated at `est_usd` and `est_tokens` cross a cap? The
 * first cap crossed, in the order run, session, day, tokens, fills *out and
 * returns true: spent + estimate > cap, or spent already >= cap (est_usd 0:
 * a model without a price can still be stopped after the fact). False, *out
 * untouched, when the request may go. */
bool spend_would_cross(struct spend_verdict *out, const struct spend_caps *caps,
                       const struct spend_state *st, double est_usd, long est_tokens);

/*
 * The day's ledger, for max_cost_per_day: STATE/spend/YYYY-MM-DD (the local
 * day), one JSON line per priced model request of any session,
 * {"session", "cost_usd", "ts"} (ts: ms since the epoch).
 */

/* Append one request's cost to the ledger of the local day of ts_ms,
 * creating STATE/spend/ (0700) and the file (0600) as needed; the line is
 * written with one write(2) on an O_APPEND descriptor and fsynced, so
 * sessions appending at once never interleave. Blocking: run it on a worker
 * (core/worker.h), never on the loop. Returns 0 or DH_EFAIL naming the file. */
int spend_ledger_add(const char *state_dir, const char *session, double usd, long long ts_ms)
	DH_MUST_CHECK;

/* *out = the USD of every line of the ledger of the local day of `when`;
 * 0 when there is none. Lines that do not parse are skipped (a torn last
 * line of a crash). Reads a file of at most a few hundred KiB (a line per
 * request); returns 0 or DH_EFAIL naming the file. */
int spend_ledger_day(const char *state_dir, time_t when, double *out) DH_MUST_CHECK;

#endif

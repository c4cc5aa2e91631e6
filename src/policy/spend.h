/* SPDX-License-Identifier: MIT */
#ifndef DH_POLICY_SPEND_H
#define DH_POLICY_SPEND_H

#include <stdbool.h>

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

#endif

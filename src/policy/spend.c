/* SPDX-License-Identifier: MIT */
/*
 * Spend caps (spend.h): whether the next model request could cross one.
 * Not the estimate (llm/tokens.c), not the prices (llm/registry.c).
 */
#include "policy/spend.h"

#include <stddef.h>

static bool
crosses(double spent, double cap, double est)
{
	return cap > 0 && (spent >= cap || spent + est > cap);
}

bool
spend_would_cross(struct spend_verdict *out, const struct spend_caps *caps,
                  const struct spend_state *st, double est_usd, long est_tokens)
{
	const struct {
		const char *limit;
		bool tokens;
		double spent, cap, est;
	} checks[] = {
		{ "max_cost", false, st->run_usd, caps->run_usd, est_usd },
		{ "max_cost_per_session", false, st->session_usd, caps->session_usd, est_usd },
		{ "max_cost_per_day", false, st->day_usd, caps->day_usd, est_usd },
		{ "max_tokens_per_session", true, (double)st->session_tokens,
		  (double)caps->session_tokens, (double)est_tokens },
	};

	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		if (!crosses(checks[i].spent, checks[i].cap, checks[i].est))
			continue;
		*out = (struct spend_verdict){ .limit = checks[i].limit,
			                       .tokens = checks[i].tokens,
			                       .spent = checks[i].spent,
			                       .cap = checks[i].cap,
			                       .estimate = checks[i].est };
		return true;
	}
	return false;
}

/* SPDX-License-Identifier: MIT */
/* The engine's options (args.h), shared by the engine process and the
 * in-process client so they are parsed in one place. */
#include "engine/args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config/managed.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

enum {
	OPT_RESUME = 256,
	OPT_MODEL,
	OPT_MAXTURNS,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_UNSANDBOXED,
	OPT_FORCE,
	OPT_NO_ASK,
	OPT_MAXCOST,
	OPT_MAXTOKENS,
	OPT_DEADLINE,
	OPT_ORIGIN,
	OPT_THINKING,
};

static const struct option longopts[] = {
	{ "grant", required_argument, NULL, 'g' },
	{ "approve-plan", no_argument, NULL, 'y' },
	{ "mode", required_argument, NULL, 'm' },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "max-turns", required_argument, NULL, OPT_MAXTURNS },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "dangerously-run-commands-unsandboxed", no_argument, NULL, OPT_UNSANDBOXED },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-ask", no_argument, NULL, OPT_NO_ASK },
	{ "max-cost", required_argument, NULL, OPT_MAXCOST },
	{ "max-tokens", required_argument, NULL, OPT_MAXTOKENS },
	{ "approval-deadline", required_argument, NULL, OPT_DEADLINE },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "thinking", required_argument, NULL, OPT_THINKING },
	{ NULL, 0, NULL, 0 },
};

/* The options that are config settings. */
static const struct {
	int opt;
	const char *setting, *flag;
} config_opts[] = {
	{ 'm', "mode", "--mode" },
	{ OPT_MODEL, "model", "--model" },
	{ OPT_MAXTURNS, "max_turns", "--max-turns" },
	{ OPT_MAXCOST, "max_cost", "--max-cost" },
	{ OPT_MAXTOKENS, "max_tokens_per_session", "--max-tokens" },
	{ OPT_DEADLINE, "approval_deadline", "--approval-deadline" },
	{ OPT_THINKING, "thinking", "--thinking" },
};

/* --origin: who started the run, kept in the session's record (the inbox
 * lists the sessions nobody watched; a schedule names itself). */
static int
check_origin(const char *v)
{
	static const char *const words[] = { "run", "detach", "workbench" };
	const char *name = strncmp(v, "schedule:", 9) == 0 ? v + 9 : NULL;

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(v, words[i]) == 0)
			return 0;
	if (name && *name && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(name))
		return 0;
	struct buf shown = BUF_INIT;
	int rc = err_setc(DH_EPARSE,
	                  "--origin '%s': expected run, detach, workbench or "
	                  "schedule:NAME (NAME of a-z, 0-9, _ and -)",
	                  utf8_sanitized(&shown, v));

	buf_fini(&shown);
	return rc;
}

/* One option; 0 or a DH_E* code with the message set. */
static int
apply(struct engine_args *a, int opt, const char *arg)
{
	for (size_t i = 0; i < sizeof config_opts / sizeof *config_opts; i++) {
		if (config_opts[i].opt != opt)
			continue;
		if (opt == 'm')
			a->opts.mode_given = true;
		return config_set(&a->cfg, config_opts[i].setting, arg, config_opts[i].flag);
	}
	switch (opt) {
	case 'g': a->grants[a->opts.ngrants++] = arg; break;
	case 'y': a->opts.approve_plan = true; break;
	case OPT_RESUME: a->opts.resume = arg; break;
	case OPT_RECORD: a->opts.record_path = arg; break;
	case OPT_REPLAY: a->opts.replay_path = arg; break;
	case OPT_UNSANDBOXED:
		if (managed_check_unsandboxed(&a->cfg) < 0)
			return DH_EPARSE;
		a->opts.unsandboxed = true;
		break;
	case OPT_FORCE: a->opts.force = true; break;
	case OPT_NO_ASK: a->opts.can_ask = false; break;
	case OPT_ORIGIN:
		if (check_origin(arg) < 0)
			return DH_EPARSE;
		a->opts.origin = arg;
		break;
	default: return err_setc(DH_EPARSE, "engine: unknown option");
	}
	return 0;
}

int
engine_args_parse(struct engine_args *a, char *const *argv, size_t argc)
{
	/* getopt wants a program name first and may permute: parse a copy. */
	char **av = xcalloc(argc + 2, sizeof *av);
	int ac = (int)argc + 1, opt, rc = 0;

	memset(a, 0, sizeof *a);
	a->grants = xcalloc(argc + 1, sizeof *a->grants);
	a->opts.grants = a->grants;
	a->opts.can_ask = true;
	if (config_load(&a->cfg) < 0) {
		free(av);
		return DH_EFAIL;
	}
	av[0] = (char *)"deskhand";
	if (argc) /* `deskhand run` alone: argv may be NULL */
		memcpy(av + 1, argv, argc * sizeof *av);
	optind = 0; /* 0, not 1: getopt starts afresh (engine_args_operands' order) */
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(ac, av, ":g:ym:", longopts, NULL)) != -1) {
		struct buf shown = BUF_INIT;

		if (opt == '?')
			rc = err_setc(DH_EPARSE, "unknown option '%s'",
			              utf8_sanitized(&shown, av[optind - 1]));
		else if (opt == ':')
			rc = err_setc(DH_EPARSE, "option '%s' needs a value",
			              utf8_sanitized(&shown, av[optind - 1]));
		else
			rc = apply(a, opt, optarg);
		buf_fini(&shown);
	}
	if (rc == 0 && ac - optind > 1)
		rc = err_setc(DH_EPARSE, "expected at most one TASK argument (quote it), got %d",
			      ac - optind);
	if (rc == 0 && optind < ac && *av[optind]) {
		/* Text enters here: an argument that is not UTF-8 becomes U+FFFD. */
		struct buf t = BUF_INIT;

		utf8_scrub(&t, av[optind], strlen(av[optind]));
		a->task = buf_detach(&t);
	}
	free(av);
	return rc;
}

size_t
engine_args_operands(char *const *argv, size_t argc, size_t *idx)
{
	char **av = xcalloc(argc + 2, sizeof *av);
	int ac = (int)argc + 1, opt;
	size_t n = 0;

	av[0] = (char *)"deskhand";
	if (argc)
		memcpy(av + 1, argv, argc * sizeof *av);
	optind = 0;
	opterr = 0;
	/* "-": each operand is returned in its place (as 1), nothing permuted. */
	while ((opt = getopt_long(ac, av, "-:g:ym:", longopts, NULL)) != -1)
		if (opt == 1)
			idx[n++] = (size_t)optind - 2;
	for (int i = optind; i < ac; i++) /* after "--" */
		idx[n++] = (size_t)i - 1;
	free(av);
	return n;
}

void
engine_args_fini(struct engine_args *a)
{
	if (!a)
		return;
	config_fini(&a->cfg);
	free(a->grants);
	free(a->task);
	memset(a, 0, sizeof *a);
}

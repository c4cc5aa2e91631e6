/* SPDX-License-Identifier: MIT */
/* The engine's options (args.h), shared by the engine process and the
 * in-process client so they are parsed in one place. */
#include "engine/args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

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
};

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
	case OPT_UNSANDBOXED: a->opts.unsandboxed = true; break;
	case OPT_FORCE: a->opts.force = true; break;
	case OPT_NO_ASK: a->opts.can_ask = false; break;
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
	memcpy(av + 1, argv, argc * sizeof *av);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(ac, av, ":g:ym:", longopts, NULL)) != -1) {
		if (opt == '?')
			rc = err_setc(DH_EPARSE, "unknown option '%s'", av[optind - 1]);
		else if (opt == ':')
			rc = err_setc(DH_EPARSE, "option '%s' needs a value", av[optind - 1]);
		else
			rc = apply(a, opt, optarg);
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

/* SPDX-License-Identifier: MIT */
#ifndef DH_CONFIG_SETTINGS_H
#define DH_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "config/config.h"

/*
 * The settings in effect and where each came from (docs/config.md
 * "Where a setting comes from"): the built-in default, a config file's
 * FILE:LINE, a command-line flag, an environment variable that overrides the
 * config (ANTHROPIC_BASE_URL over base_url) or the managed policy
 * (config/managed.h), and whether the policy locks it. `deskhand config`,
 * `deskhand doctor` and the audit log's session_start record show them; the
 * engine takes an environment override only through settings_env(), so a
 * lock holds against it too.
 */

enum settings_from {
	SETTINGS_DEFAULT, /* the table's default */
	SETTINGS_FILE,	  /* a line of the person's config (or a session's meta.json) */
	SETTINGS_FLAG,	  /* a command-line flag ("--mode") */
	SETTINGS_ENV,	  /* an environment variable overriding the config */
	SETTINGS_POLICY,  /* a `set` line of the managed policy */
};

/* Option i's value in effect and its origin; every pointer borrowed from `c`,
 * the environment or static storage, valid until `c` changes. */
struct settings_origin {
	enum settings_from from;
	const char *value;  /* in effect: the environment's for SETTINGS_ENV */
	const char *where;  /* "FILE:LINE", "--mode", "ANTHROPIC_BASE_URL"; NULL: default */
	const char *locked; /* "FILE:LINE" of the policy line that locks it, or NULL */
};

/* The origin of option i (< CONFIG_NOPTIONS) in `c`. */
void settings_origin(struct settings_origin *out, const struct config *c, size_t i);
/* "default", "file", "flag", "env" or "policy" (static). */
const char *settings_from_name(enum settings_from f);
/* One phrase for people and the audit log: "default", "FILE:LINE", "flag
 * --mode", "env ANTHROPIC_BASE_URL", "managed policy FILE:LINE", followed by
 * ", locked" or ", locked by the managed policy (FILE:LINE)" when locked;
 * heap. */
char *settings_origin_text(const struct settings_origin *o);

/* The value of the environment variable that overrides option i (base_url:
 * $ANTHROPIC_BASE_URL, for the anthropic provider; otel_endpoint and
 * otel_protocol: $OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL), or NULL when none is set,
 * it is empty or the managed policy locks the option. *var (may be NULL) is
 * the variable's name whether set or not (NULL when option i has none). */
const char *settings_env(const struct config *c, size_t i, const char **var);

/* Check each value an environment variable sets in place of the config's
 * (settings_env()) as a config line's is checked (config_value_check()): 0,
 * or DH_EPARSE "VAR: 'NAME' must be ..., not 'VALUE'" for the first bad one.
 * A session does not start with one; `deskhand config` reports it. */
int settings_env_check(const struct config *c) DH_MUST_CHECK;

/* The value of option i in effect: its environment variable's (as
 * settings_env()) else the config's (borrowed from `c` or the environment).
 * *from (may be NULL) is that variable's or the option's name, for
 * messages. */
const char *settings_value(const struct config *c, size_t i, const char **from);

/* The base URL requests to provider p go to, as a session sends them: for
 * the provider named "anthropic", $ANTHROPIC_BASE_URL when set (and not
 * locked: settings_env()); else p's own base_url; else, for a provider of
 * kind anthropic, the base_url option; "" when none (the provider's
 * default, https://api.anthropic.com for anthropic). *env (may be NULL) is
 * set when the value is the environment's. Borrowed from c, p or the
 * environment. */
const char *settings_provider_url(const struct config *c, const struct config_provider *p,
                                  bool *env);

/* {name, value, default, from, where?, locked?, doc} for option i; new. */
cJSON *settings_json(const struct config *c, size_t i);
/* What the managed policy of `c` holds, for the audit log and doctor:
 * {file, locks: {NAME: "FILE:LINE"}, rules: [{rule, where}], egress: [{host,
 * where}], mcp: [{allow, where}]}; new. NULL when `c` has no policy. */
cJSON *settings_policy_json(const struct config *c);

#endif

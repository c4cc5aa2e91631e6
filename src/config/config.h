/* SPDX-License-Identifier: MIT */
#ifndef DH_CONFIG_CONFIG_H
#define DH_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/array.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * Settings (DESIGN.md "Data on disk", STYLE.md §3.16): the built-in defaults,
 * then $XDG_CONFIG_HOME/deskhand/config (or ~/.config/deskhand/config), then
 * $DH_CONFIG, then command-line flags. Line format: `set NAME = VALUE`,
 * `allow egress HOST`, `bind CONTEXT KEY ACTION`, `provider NAME KEY = VALUE`
 * (docs/providers.md), the permission rules
 * `allow|ask|deny TOOL[(PATTERN)]`, `# comment` lines and blank
 * lines; a ` #` (space, then #) after a value starts a comment too, unless
 * it is inside double quotes (`set model = "a #1"`); a `#` with no space
 * before it is part of the value. An unknown option or a bad value is an
 * error that names file:line.
 */

/* X(name, type, default, min, max, values, doc): CONFIG_INT values lie in
 * [min, max]; a CONFIG_ENUM value is one of `values` ("a|b|c"); a CONFIG_STR
 * is any text. `doc` is the one-line meaning (--dump-config, the example
 * config contrib/deskhandrc.example, docs/config.md: a test keeps them in
 * step). */
#define CONFIG_OPTIONS(X)                                                                          \
	X(model, CONFIG_STR, "claude-sonnet-4-5", 0, 0, NULL, "Model name sent to the provider")  \
	X(provider, CONFIG_STR, "anthropic", 0, 0, NULL,                                           \
	  "Model provider for a model named without one: anthropic, openai, openrouter, ollama, "  \
	  "llamacpp, vllm or a `provider NAME` of the config")                                     \
	X(base_url, CONFIG_URL, "https://api.anthropic.com", 0, 0, NULL,                           \
	  "Provider base URL (ANTHROPIC_BASE_URL overrides)")                                      \
	X(mode, CONFIG_ENUM, "ask", 0, 0, "ask|auto",                                              \
	  "Permission mode: ask (a yes for each change) or auto")                                  \
	X(max_turns, CONFIG_INT, "100", 1, 10000, NULL, "Most model turns in one run")            \
	X(max_tokens, CONFIG_INT, "8192", 1, 128000, NULL, "Output token limit per model turn")   \
	X(max_retries, CONFIG_INT, "4", 0, 20, NULL, "Retries of a failed model request")         \
	X(idle_timeout, CONFIG_INT, "120", 5, 3600, NULL, "Seconds a stream may stay silent")     \
	X(command_timeout, CONFIG_INT, "120", 1, 86400, NULL,                                      \
	  "Default run_command timeout, seconds")                                                  \
	X(large_file_limit, CONFIG_INT, "256", 1, 1048576, NULL,                                   \
	  "MiB: bigger files are not snapshotted and the agent may not change them")               \
	X(message_limit, CONFIG_INT, "16", 1, 1024, NULL,                                          \
	  "MiB: the most one model message may hold; a bigger one fails the turn")                 \
	X(compact_at, CONFIG_FRACTION, "0.8", 0, 0, NULL,                                          \
	  "Fraction of the model's context window past which older turns are summarised")          \
	X(context_window, CONFIG_INT, "0", 0, 10000000, NULL,                                     \
	  "Tokens of the model's context window, input and output (0 = the registry's; 200000 "  \
	  "for a model it lacks)")                                                                 \
	X(thinking, CONFIG_THINKING, "off", 0, 0, NULL,                                            \
	  "Extended thinking of Anthropic models: off, adaptive, or a budget of thinking tokens "  \
	  "(1024 or more)")                                                                        \
	X(watch, CONFIG_ENUM, "on", 0, 0, "on|off",                                                \
	  "on: watch grants with inotify (incremental checkpoints); off: full scans")              \
	X(theme, CONFIG_STR, "default", 0, 0, NULL,                                                \
	  "Workbench colour theme: a name (default, light, solarized-dark, high-contrast, mono) " \
	  "or a .theme file; --theme overrides")                                                   \
	X(max_cost, CONFIG_COST, "0", 0, 0, NULL,                                                  \
	  "USD one run may spend on the model; a request that could pass it is not sent (0 = no cap)")          \
	X(max_cost_per_session, CONFIG_COST, "0", 0, 0, NULL,                                      \
	  "USD one session may spend, its resumed runs included (0 = no cap)")                    \
	X(max_cost_per_day, CONFIG_COST, "0", 0, 0, NULL,                                          \
	  "USD all sessions may spend in one local day (0 = no cap)")                              \
	X(max_tokens_per_session, CONFIG_INT, "0", 0, 2000000000, NULL,                            \
	  "Tokens (input, output, cache) one session may use (0 = no cap)")                        \
	X(approval_deadline, CONFIG_DURATION, "0", 0, 0, NULL,                                     \
	  "How long a run waits for an approval before it ends as expired: 90s, 30m, 24h, 2d "     \
	  "(0 = no deadline)")                                                                     \
	X(notify_command, CONFIG_STR, "", 0, 0, NULL,                                              \
	  "Shell command run when a detached run finishes, fails, expires or waits "              \
	  "(DESKHAND_SESSION, DESKHAND_STATUS, DESKHAND_SUMMARY, DESKHAND_SCHEDULE)")             \
	X(audit, CONFIG_ENUM, "on", 0, 0, "on|off",                                                \
	  "on: each session keeps a tamper-evident audit log, audit.jsonl (docs/audit.md)")       \
	X(audit_journal, CONFIG_ENUM, "off", 0, 0, "on|off",                                       \
	  "on: audit records also go to the system journal (journalctl SYSLOG_IDENTIFIER=deskhand)") \
	X(audit_key, CONFIG_PATH, "", 0, 0, NULL,                                                  \
	  "File of the key that signs audit logs' heads (empty: STATE/audit.key, made on first use)") \
	X(otel_endpoint, CONFIG_URL, "", 0, 0, NULL,                                               \
	  "OpenTelemetry collector (OTLP over HTTP), e.g. http://localhost:4318; "                \
	  "OTEL_EXPORTER_OTLP_ENDPOINT overrides it; neither: no telemetry (docs/telemetry.md)")  \
	X(otel_protocol, CONFIG_ENUM, "http/protobuf", 0, 0, "http/protobuf|http/json",            \
	  "OTLP encoding; OTEL_EXPORTER_OTLP_PROTOCOL overrides it")                             \
	X(otel_headers, CONFIG_STR, "", 0, 0, NULL,                                                \
	  "Extra OTLP request headers, key=value,… (added to OTEL_EXPORTER_OTLP_HEADERS)")        \
	X(otel_log_content, CONFIG_ENUM, "off", 0, 0, "on|off",                                    \
	  "on: prompts, model text, tool arguments and output go into telemetry too")            \
	X(allow_unsandboxed, CONFIG_ENUM, "on", 0, 0, "on|off",                                    \
	  "off: --dangerously-run-commands-unsandboxed and connectors with \"sandbox\": false "   \
	  "are refused (a managed policy sets this)")

/* The options' positions in the table: c->set_at[CONFIG_I_mode]. */
enum config_index {
#define X(name, type, def, min, max, values, doc) CONFIG_I_##name,
	CONFIG_OPTIONS(X)
#undef X
	CONFIG_NOPTIONS
};

/* CONFIG_DURATION: a whole number with an optional unit s, m, h or d (no unit:
 * seconds); CONFIG_COST: a decimal number of US dollars, >= 0; CONFIG_FRACTION:
 * a decimal number above 0 and at most 1 (0.8); CONFIG_THINKING: off,
 * adaptive or a whole number of tokens from CONFIG_THINKING_MIN on. */
enum config_type {
	CONFIG_STR,
	CONFIG_INT,
	CONFIG_ENUM,
	CONFIG_DURATION,
	CONFIG_COST,
	CONFIG_FRACTION,
	CONFIG_THINKING,
	CONFIG_URL, /* http:// or https:// with a host, or "" (config_url_ok) */
	CONFIG_PATH /* an absolute path, or "": read the same from any directory */
};

/* One config line kept as text for another module to check: the text and
 * its "FILE:LINE", both heap, owned by the struct config. */
struct config_line {
	char *text;
	char *where;
};
ARRAY_HEAD(config_lines, struct config_line);

/* A permission rule's verdict, in the order the agent checks them (deny
 * first). */
enum config_verdict {
	CONFIG_DENY,
	CONFIG_ASK,
	CONFIG_ALLOW,
};

/* One permission rule line `allow|ask|deny TOOL[(PATTERN)]` as parsed: TOOL
 * is a tool name or an fnmatch(3) glob on names (mcp__drive__*); PATTERN the
 * text between the parentheses, NULL without them (what it means is the
 * agent's: agent/approval.h). Strings heap, owned by the array's owner. */
struct config_rule {
	enum config_verdict verdict;
	char *tool;
	char *pattern;
	char *where; /* "FILE:LINE" */
};
ARRAY_HEAD(config_rules, struct config_rule);

/* A setting the managed policy fixes (config/managed.h): NAME is an option
 * of the table, "egress" (the allowlist) or "mcp" (the connectors allowed);
 * `where` the policy's "FILE:LINE". Heap, owned by the struct config. */
struct config_lock {
	char *name;
	char *where;
};
ARRAY_HEAD(config_locks, struct config_lock);

/* A model provider (docs/providers.md): a built-in one (anthropic, openai,
 * openrouter, ollama, llamacpp, vllm), changed or defined by the config's
 * `provider NAME KEY = VALUE` lines. Strings heap, owned by the struct config. */
struct config_provider {
	char *name;        /* [A-Za-z0-9_.-]{1,64} */
	char *kind;        /* anthropic | openai | azure; "" until a line sets it */
	char *base_url;    /* http(s)://…; "" = the kind's default (anthropic: base_url) */
	char *key_env;     /* the environment variable holding the key; "" = no key */
	char *api_version; /* azure: the api-version of a deployment URL; "" = the v1 API */
	struct strv headers; /* `header` lines: "Name: value", sent with every request */
	char *where;       /* "built-in", or the FILE:LINE of its first line */
	bool configured;   /* a config line named it (--dump-config prints it) */
};
ARRAY_HEAD(config_providers, struct config_provider);

struct config {
#define X(name, type, def, min, max, values, doc) char *name;
	CONFIG_OPTIONS(X)
#undef X
	/* Where each option's value was set, by CONFIG_I_*: "FILE:LINE", a flag
	 * ("--mode"), NULL for the built-in default. Heap. */
	char *set_at[CONFIG_NOPTIONS];
	/* The managed policy (config/managed.h): its path when one was read
	 * (heap, else NULL), what it locks, a copy of its permission rules (they
	 * are in `rules` too) and its `allow mcp` / `allow mcp-command` lines
	 * (text: "mcp NAME" or "mcp-command COMMAND"). */
	char *policy;
	struct config_locks locks;
	struct config_rules policy_rules;
	struct config_lines mcp_allow;
	/* `allow egress HOST[:PORT] [allow-private]` lines, in order (text: what
	 * follows "allow egress"); the rule syntax is checked by sandbox/egress.c
	 * (egress_allow) with `where`. */
	struct config_lines egress;
	/* `bind CONTEXT KEY ACTION` lines, in order (text: what follows "bind");
	 * the workbench checks and applies them (ui/keymap.h keymap_bind_line). */
	struct config_lines binds;
	/* Permission rules, in file order (the person's config, then $DH_CONFIG). */
	struct config_rules rules;
	/* The providers: the built-in ones (config_load adds them first), then
	 * those the config defines, in order. */
	struct config_providers providers;
};

/* Fill `c` with the defaults, then the config files that exist. DH_EPARSE with
 * "FILE:LINE: message" on the first bad line. Free with config_fini(). */
int config_load(struct config *c) DH_MUST_CHECK;
/* Parse one file into `c`. Missing file: DH_ENOTFOUND (callers skip it). */
int config_load_file(struct config *c, const char *path) DH_MUST_CHECK;
/* One non-blank, non-comment line `s` (trimmed, writable) at `where`. */
typedef int config_line_fn(char *s, const char *where, void *ctx);
/* Call fn on each line of `path` (at most 1 MiB) that is not blank or a
 * comment, `where` being "PATH:LINE", stopping at the first error (its code
 * returned). Missing file: DH_ENOTFOUND. */
int config_each_line(const char *path, config_line_fn *fn, void *ctx) DH_MUST_CHECK;
/* Apply one line of the person's config format (`s` as config_each_line
 * gives it) to `c`; DH_EPARSE "WHERE: …" as config_load_file. */
int config_load_line(struct config *c, char *s, const char *where) DH_MUST_CHECK;
/* Set NAME to VALUE with the table's checks; `where` prefixes errors and is
 * kept as where the value came from (c->set_at). A setting the managed
 * policy locks keeps its value: another one is DH_EPARSE naming the policy's
 * file and line. A value no config line could hold (a newline; a '#' after a
 * blank both inside and outside double quotes) is DH_EPARSE. */
int config_set(struct config *c, const char *name, const char *value, const char *where)
	DH_MUST_CHECK;
/* Check VALUE against the table's type of option NAME (a number in range, a
 * URL, one of an enum's values, ...), as config_set() does before it sets it:
 * 0, or DH_EPARSE "WHERE: 'NAME' must be ..., not 'VALUE'", NAME and VALUE
 * made printable (utf8_sanitized()). `where` is "FILE:LINE", a flag or the
 * environment variable that gave the value. */
int config_value_check(const char *name, const char *value, const char *where) DH_MUST_CHECK;
/* Whether VALUE is a value the table allows the CONFIG_ENUM option NAME,
 * for a caller that checks a value it does not set (a schedule's `mode`).
 * `values` (may be NULL) gets the allowed values, "a|b" (static), or NULL
 * when NAME is no CONFIG_ENUM option, which is false. */
bool config_enum_ok(const char *name, const char *value, const char **values);
/* The table's option i (< CONFIG_NOPTIONS): its name and one-line meaning
 * (static), its value in `c` (borrowed). */
const char *config_option_name(size_t i);
const char *config_option_doc(size_t i);
/* The table's default value of option i (static). */
const char *config_option_default(size_t i);
const char *config_option_value(const struct config *c, size_t i);
/* The position of option NAME in the table, -1 when there is none. */
int config_option_index(const char *name);
/* Integer value of an option known to be CONFIG_INT. */
long config_int(const char *value);
/* A CONFIG_DURATION value in milliseconds ("90s", "30m", "24h", "2d", "0");
 * -1 when `value` is not one (the message names it). */
long long config_duration_ms(const char *value);
/* A CONFIG_COST value in US dollars; -1 when `value` is not one. */
double config_cost(const char *value);
/* A CONFIG_FRACTION value (0 < v <= 1); -1 when `value` is not one. */
double config_fraction(const char *value);
/* Whether `value` is a CONFIG_URL: "" (none), or http:// or https://, a host
 * (a name, an address, or [v6]), an optional port 1-65535, and any path,
 * query or fragment without white space. A check of the form only: the host
 * is not looked up. */
bool config_url_ok(const char *value);
/* Whether the URL `value` carries user information (RFC 3986 §3.2.1: a
 * user name, often "user:password", and '@' before the host). Such a
 * value is refused (config_value_check) without being repeated. */
bool config_url_userinfo(const char *value);
/* A CONFIG_THINKING value (PROTOCOLS.md §1.6): 0 for off,
 * CONFIG_THINKING_ADAPTIVE for adaptive, else the budget in tokens
 * (CONFIG_THINKING_MIN to CONFIG_THINKING_MAX); CONFIG_THINKING_BAD when
 * `value` is none of them. */
#define CONFIG_THINKING_ADAPTIVE (-1L)
#define CONFIG_THINKING_BAD	 (-2L)
#define CONFIG_THINKING_MIN	 1024L
#define CONFIG_THINKING_MAX	 1000000L
long config_thinking(const char *value);
void config_fini(struct config *c);
/* "set NAME = VALUE", a line that reads back as VALUE: as it is, or in
 * double quotes when a '#' in it would read as a comment, its leading or
 * trailing blanks would be lost or its own quotes dropped; heap. Every value
 * config_set() took has such a line. */
char *config_set_line(const char *name, const char *value);
/* Print the effective configuration in the file's own format (--dump-config). */
void config_dump(const struct config *c);

/*
 * Providers and models (docs/providers.md)
 */

/* The provider named `name`: one of c->providers, else a built-in one (added
 * to c->providers on the way). NULL when there is none. */
const struct config_provider *config_provider_find(struct config *c, const char *name);
/* Add every built-in provider missing from c->providers (config_load does). */
void config_providers_builtin(struct config *c);
/* Split a model name as `--model` and `set model` take it: "PROVIDER/MODEL"
 * when PROVIDER names a provider (*model_out points after the '/'), else
 * the whole name with the `provider` option's provider. DH_EPARSE naming the
 * provider and those there are when it is unknown, when its kind was never
 * set, when it is of kind azure without a base_url, or when no model
 * follows its name; each message starts with the FILE:LINE (or flag) that
 * set what is wrong, when one did. *model_out points into `model`. */
int config_model_resolve(struct config *c, const char *model, const struct config_provider **p,
                         const char **model_out) DH_MUST_CHECK;

/*
 * Permission rules (docs/config.md "Permission rules")
 */

/* "allow", "ask" or "deny". */
const char *config_verdict_name(enum config_verdict v);
/* Parse the text of one rule line ("deny write_file(*.env)", a trailing
 * " # comment" allowed after it) into *out (its strings heap; `where` copied
 * as out->where). DH_EPARSE "WHERE: …" naming what is wrong: an unknown
 * verdict, a tool name with characters other than letters, digits, _ - . and
 * the glob characters * ? [ ], an empty or unclosed pattern, text after the
 * ')'. Nothing is allocated on error. */
int config_rule_parse(struct config_rule *out, const char *text, const char *where)
	DH_MUST_CHECK;
/* The rule as a config line ("allow run_command(git status)"); heap. */
char *config_rule_format(const struct config_rule *r);
void config_rules_fini(struct config_rules *r);
/* Free the strings of a struct config_lines and empty it. */
void config_lines_fini(struct config_lines *l);

/* The person's configuration directory (fsutil_config_dir): heap, NULL
 * without either variable. */
char *config_user_dir(void);
/* The person's config file: config_user_dir()/config; heap, NULL without
 * either variable. */
char *config_user_path(void);

/* A granted folder's own rules, from FOLDER/.deskhand/config (the agent may
 * not write there: policy/grant.h protects .deskhand/). A folder may only
 * tighten the person's rules: its `ask` and `deny` lines are appended to
 * `out`; an `allow` line (a rule or `allow egress`), a `set` or a `bind` is
 * refused, with a warning "FILE:LINE: why: the line" added to `warnings`
 * (shown after "refused: "; heap strings, the caller's); when the line
 * tries to loosen what the managed policy of `c` (NULL: none) fixes, the
 * warning names the policy's file and line instead. A missing file is 0
 * with nothing added; a malformed line is DH_EPARSE "FILE:LINE: …" with
 * nothing of the file added. */
int config_load_folder_rules(struct config_rules *out, struct config_lines *warnings,
			     const char *folder, const struct config *c) DH_MUST_CHECK;

/* Append `line` (one rule line, no newline) to the person's config file
 * (refused, DH_EPARSE naming the policy's file and line, when the managed
 * policy fixes what it would loosen: config/managed.h),
 * creating it and its directory when missing, by replacing the file whole
 * (core/atomic.h): a reader never sees half a line; a config that is a
 * symlink stays one (its target is replaced). *path_out is the config's
 * path (heap, the caller's) on success. DH_EFAIL naming the file. */
int config_append_line(char **path_out, const char *line) DH_MUST_CHECK;

#endif

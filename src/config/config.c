/* SPDX-License-Identifier: MIT */
/* The options table, the config file parser and the load order. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "config/managed.h"
#include "core/fsutil.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "sandbox/egress.h"

struct option {
	const char *name;
	enum config_type type;
	const char *def;
	long min, max;
	const char *values; /* CONFIG_ENUM: "a|b" */
	const char *doc;
	size_t off;
};

static const struct option options[] = {
#define X(n, t, d, lo, hi, vals, doc) { #n, t, d, lo, hi, vals, doc, offsetof(struct config, n) },
	CONFIG_OPTIONS(X)
#undef X
};

static char **
slot(struct config *c, const struct option *o)
{
	return (char **)((char *)c + o->off);
}

/* True when `value` is one of the '|'-separated words of `values`. */
static bool
enum_has(const char *values, const char *value)
{
	size_t n = strlen(value);

	if (strchr(value, '|'))
		return false;
	for (const char *p = values; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (n && strncmp(p, value, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	return false;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cut a trailing comment off a value: a '#' after a blank, outside double
 * quotes (`auto # why` is `auto`; `"a #1"` and `a#1` keep their '#'). */
static char *
strip_comment(char *v)
{
	bool quoted = false;

	for (char *p = v; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && p > v && isspace((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	}
	return v;
}

/* The value of a `set` or `provider` line from the text after its '=' (cut
 * in place): the comment cut off, the blanks around trimmed, then one pair
 * of double quotes around the whole dropped. value_text() writes its
 * inverse. */
static char *
value_read(char *raw)
{
	char *value = trim(strip_comment(raw));
	size_t vl = strlen(value);

	if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
		value[vl - 1] = '\0';
		value++;
	}
	return value;
}

/* Does `text`, written after "= ", read back as `v`? (The blank before it
 * counts: there a '#' it starts with is a comment.) */
static bool
reads_as(const char *text, const char *v)
{
	char *copy = xasprintf(" %s", text);
	bool same = !strcmp(value_read(copy), v);

	free(copy);
	return same;
}

/* `v` as a line writes it so that value_read() gives `v` back: as it is
 * when it reads back so, else in double quotes (a quote flips which '#'
 * reads as a comment, and keeps the blanks and quotes at its ends); heap.
 * NULL when neither does (a newline; a '#' after a blank both inside and
 * outside double quotes): no line holds that value. */
static char *
value_text(const char *v)
{
	char *quoted;

	if (strpbrk(v, "\r\n"))
		return NULL;
	if (reads_as(v, v))
		return xstrdup(v);
	quoted = xasprintf("\"%s\"", v);
	if (reads_as(quoted, v))
		return quoted;
	free(quoted);
	return NULL;
}

bool
config_enum_ok(const char *name, const char *value, const char **values)
{
	int i = config_option_index(name);

	if (values)
		*values = NULL;
	if (i < 0 || options[i].type != CONFIG_ENUM)
		return false;
	if (values)
		*values = options[i].values;
	return enum_has(options[i].values, value);
}

/* config_value_check(), its messages quoting `name` and `value` as `sname`
 * and `svalue` (utf8_sanitized(): they come from a file, the environment or
 * a flag, and an error is printed on a terminal). */
static int
value_check(const char *name, const char *value, const char *sname, const char *svalue,
            const char *where)
{
	int i = config_option_index(name);

	if (i < 0)
		return err_setc(DH_EPARSE, "%s: unknown option '%s'", where, sname);
	const struct option *o = &options[i];

	if (o->type == CONFIG_INT) {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < o->min || v > o->max)
			return err_setc(DH_EPARSE, "%s: '%s' must be a whole number from %ld to %ld, not '%s'",
					where, sname, o->min, o->max, svalue);
	}
	if (o->type == CONFIG_DURATION && config_duration_ms(value) < 0)
		return err_setc(DH_EPARSE, "%s: '%s' must be a duration such as 90s, 30m, "
					   "24h or 2d (0 = none), not '%s'",
				where, sname, svalue);
	if (o->type == CONFIG_COST && config_cost(value) < 0)
		return err_setc(DH_EPARSE, "%s: '%s' must be an amount of US dollars such "
					   "as 0.50 (0 = no cap), not '%s'",
				where, sname, svalue);
	if (o->type == CONFIG_FRACTION && config_fraction(value) < 0)
		return err_setc(DH_EPARSE, "%s: '%s' must be a fraction above 0 and at most "
					   "1, such as 0.8, not '%s'",
				where, sname, svalue);
	if (o->type == CONFIG_THINKING && config_thinking(value) == CONFIG_THINKING_BAD)
		return err_setc(DH_EPARSE, "%s: '%s' must be off, adaptive or a budget of "
					   "thinking tokens from %ld to %ld, not '%s'",
				where, sname, CONFIG_THINKING_MIN, CONFIG_THINKING_MAX, svalue);
	if (o->type == CONFIG_URL && config_url_userinfo(value))
		/* the value is not repeated: it holds a password, and an error
		 * goes to the terminal and the engine's log */
		return err_setc(DH_EPARSE, "%s: '%s' must not hold a user name or password "
					   "(USER:PASSWORD@ before the host): credentials go in "
					   "otel_headers, or the provider's API key",
				where, sname);
	if (o->type == CONFIG_URL && !config_url_ok(value))
		return err_setc(DH_EPARSE, "%s: '%s' must be an http:// or https:// URL with "
					   "a host, not '%s'",
				where, sname, svalue);
	if (o->type == CONFIG_PATH && *value && *value != '/')
		return err_setc(DH_EPARSE, "%s: '%s' must be an absolute path (a relative "
					   "one would be found from wherever deskhand is "
					   "started), not '%s'",
				where, sname, svalue);
	if (o->type == CONFIG_ENUM && !enum_has(o->values, value))
		return err_setc(DH_EPARSE, "%s: '%s' must be one of %s, not '%s'", where, sname,
				o->values, svalue);
	return 0;
}

int
config_value_check(const char *name, const char *value, const char *where)
{
	struct buf bn = BUF_INIT, bv = BUF_INIT;
	int rc = value_check(name, value, utf8_sanitized(&bn, name), utf8_sanitized(&bv, value),
	                     where);

	buf_fini(&bn);
	buf_fini(&bv);
	return rc;
}

int
config_set(struct config *c, const char *name, const char *value, const char *where)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		const struct option *o = &options[i];

		if (strcmp(o->name, name) != 0)
			continue;
		if (config_value_check(name, value, where) < 0)
			return DH_EPARSE;
		char *text = value_text(value);

		if (!text) /* a flag's value: one read from a line always has one */
			return err_setc(DH_EPARSE, "%s: '%s' cannot hold a newline, nor a '#' after a "
					"blank both inside and outside double quotes: no config "
					"line could write it", where, name);
		free(text);
		if (managed_check_set(c, name, value, where) < 0)
			return DH_EPARSE;
		if (c->policy && managed_lock(c, name))
			return 0; /* its locked value, given again: still the policy's */
		free(*slot(c, o));
		*slot(c, o) = xstrdup(value);
		free(c->set_at[i]);
		c->set_at[i] = where ? xstrdup(where) : NULL;
		return 0;
	}
	return config_value_check(name, value, where); /* unknown option NAME */
}

const char *
config_option_name(size_t i)
{
	return i < CONFIG_NOPTIONS ? options[i].name : NULL;
}

const char *
config_option_doc(size_t i)
{
	return i < CONFIG_NOPTIONS ? options[i].doc : NULL;
}

const char *
config_option_default(size_t i)
{
	return i < CONFIG_NOPTIONS ? options[i].def : NULL;
}

const char *
config_option_value(const struct config *c, size_t i)
{
	return i < CONFIG_NOPTIONS ? *(char *const *)((const char *)c + options[i].off) : NULL;
}

int
config_option_index(const char *name)
{
	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		if (!strcmp(options[i].name, name))
			return (int)i;
	return -1;
}

long
config_int(const char *value)
{
	return strtol(value, NULL, 10);
}

long long
config_duration_ms(const char *value)
{
	static const struct {
		char unit;
		long long ms;
	} units[] = { { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 } };
	char *end;

	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || v < 0 || v > 366LL * 24 * 3600 || !isdigit((unsigned char)*value))
		return -1;
	if (!*end)
		return v * 1000;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (end[0] == units[i].unit && !end[1])
			return v * units[i].ms;
	return -1;
}

double
config_cost(const char *value)
{
	char *end;

	/* digits and one point: strtod() alone also takes 0x10, 1e3 and inf */
	if (strspn(value, "0123456789.") != strlen(value) || strchr(value, '.') != strrchr(value, '.'))
		return -1;
	errno = 0;
	double v = strtod(value, &end);
	if (errno || end == value || *end || !isdigit((unsigned char)*value) || !(v >= 0) ||
	    v > 1e9)
		return -1;
	return v;
}

bool
config_url_userinfo(const char *value)
{
	const char *p = strstr(value, "://");

	if (!p)
		return false;
	p += 3;
	return memchr(p, '@', strcspn(p, "/?#")) != NULL;
}

bool
config_url_ok(const char *value)
{
	size_t n = !strncmp(value, "http://", 7) ? 7 : !strncmp(value, "https://", 8) ? 8 : 0;

	if (!*value)
		return true; /* none: the default */
	if (!n || strcspn(value, " \t\r\n") != strlen(value))
		return false;
	/* a host (a name, an address or [v6]) before any port, path or query */
	const char *p = value + n;

	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (!close || close == p + 1)
			return false;
		p = close + 1;
	} else {
		if (strcspn(p, ":/?#") == 0)
			return false;
		p += strcspn(p, ":/?#");
	}
	if (*p == ':') { /* a port: 1-65535 (RFC 3986 allows it empty: the default) */
		long port = 0;
		size_t digits = strspn(++p, "0123456789");

		for (size_t i = 0; i < digits && i < 6; i++)
			port = port * 10 + (p[i] - '0');
		if ((digits && (digits > 5 || port < 1 || port > 65535)))
			return false;
		p += digits;
	}
	return !*p || strchr("/?#", *p);
}

double
config_fraction(const char *value)
{
	double v = config_cost(value);

	return v > 0 && v <= 1 ? v : -1;
}

long
config_thinking(const char *value)
{
	char *end;
	long v;

	if (!strcmp(value, "off"))
		return 0;
	if (!strcmp(value, "adaptive"))
		return CONFIG_THINKING_ADAPTIVE;
	if (!isdigit((unsigned char)*value))
		return CONFIG_THINKING_BAD;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || *end || v < CONFIG_THINKING_MIN || v > CONFIG_THINKING_MAX)
		return CONFIG_THINKING_BAD;
	return v;
}

/* What a config line starts with. */
static bool
starts_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && isspace((unsigned char)s[n]);
}

/* The number of the line of `text` (`len` bytes) holding its first NUL
 * byte, 0 when it holds none. */
static size_t
nul_line(const char *text, size_t len)
{
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	size_t lineno = 1;

	if (!nul)
		return 0;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(nul - p))); p++)
		lineno++;
	return lineno;
}

/* Call fn on each line of `path` that is not blank or a comment, stopping
 * at the first error. A NUL byte is an error naming its line: the lines
 * after it (a deny rule, a lock) would be lost without a word. So is such
 * a line that is not valid UTF-8: its value would be sent, stored and shown
 * with U+FFFD in place of the bytes, not as written. fn's error is made
 * printable (utf8_sanitized()): it quotes the line's words, and an escape
 * sequence or a control character in them must not reach the terminal. */
static int
each_line(const char *path, config_line_fn *fn, void *ctx)
{
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, 1 << 20, &b);
	size_t lineno = 0;

	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	lineno = nul_line(b.ptr, b.len);
	if (lineno) {
		buf_fini(&b);
		return err_setc(DH_EPARSE, "%s:%zu: a NUL byte: the file must be text (what "
		                "follows it would not be read)", path, lineno);
	}
	for (char *line = b.ptr, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (!utf8_valid(s, strlen(s))) {
			rc = err_setc(DH_EPARSE, "%s:%zu: not valid UTF-8: the file must be UTF-8 "
			              "text", path, lineno);
			break;
		}
		char *where = xasprintf("%s:%zu", path, lineno);
		rc = fn(s, where, ctx);
		free(where);
		if (rc < 0) {
			char *m = xstrdup(err_msg()); /* err_setc() writes where it is */
			struct buf shown = BUF_INIT;

			err_setc(rc, "%s", utf8_sanitized(&shown, m));
			buf_fini(&shown);
			free(m);
			break;
		}
	}
	buf_fini(&b);
	return rc;
}

int
config_each_line(const char *path, config_line_fn *fn, void *ctx)
{
	return each_line(path, fn, ctx);
}

static int
rule_line(struct config_rules *out, const char *s, const char *where)
{
	struct config_rule r;
	int rc = config_rule_parse(&r, s, where);

	if (rc == 0)
		ARRAY_PUSH(out, r);
	return rc;
}

/* The rule just added to the person's rules stays unless it would loosen
 * one of the managed policy's. */
static int
keep_user_rule(struct config *c)
{
	struct config_rule *r = &c->rules.v[c->rules.n - 1];

	if (managed_check_rule(c, r) == 0)
		return 0;
	free(r->tool);
	free(r->pattern);
	free(r->where);
	c->rules.n--;
	return DH_EPARSE;
}

/*
 * Providers
 */

static const struct {
	const char *name, *kind, *base_url, *key_env;
} builtin_providers[] = {
	{ "anthropic", "anthropic", "", "ANTHROPIC_API_KEY" },
	{ "openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY" },
	{ "openrouter", "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY" },
	{ "ollama", "openai", "http://localhost:11434/v1", "" },
	{ "llamacpp", "openai", "http://localhost:8080/v1", "" },
	{ "vllm", "openai", "http://localhost:8000/v1", "" },
};

static struct config_provider *
provider_get(struct config *c, const char *name)
{
	for (size_t i = 0; i < c->providers.n; i++)
		if (strcmp(c->providers.v[i].name, name) == 0)
			return &c->providers.v[i];
	return NULL;
}

/* Add provider `name`, from its built-in entry when it has one. */
static struct config_provider *
provider_add(struct config *c, const char *name, const char *where)
{
	struct config_provider p = { .name = xstrdup(name) };
	size_t i = 0;

	while (i < sizeof builtin_providers / sizeof *builtin_providers &&
	       strcmp(builtin_providers[i].name, name) != 0)
		i++;
	bool builtin = i < sizeof builtin_providers / sizeof *builtin_providers;
	p.kind = xstrdup(builtin ? builtin_providers[i].kind : "");
	p.base_url = xstrdup(builtin ? builtin_providers[i].base_url : "");
	p.key_env = xstrdup(builtin ? builtin_providers[i].key_env : "");
	p.api_version = xstrdup("");
	p.where = xstrdup(builtin ? "built-in" : where);
	ARRAY_PUSH(&c->providers, p);
	return &c->providers.v[c->providers.n - 1];
}

void
config_providers_builtin(struct config *c)
{
	for (size_t i = 0; i < sizeof builtin_providers / sizeof *builtin_providers; i++)
		if (!provider_get(c, builtin_providers[i].name))
			provider_add(c, builtin_providers[i].name, "built-in");
}

const struct config_provider *
config_provider_find(struct config *c, const char *name)
{
	struct config_provider *p = provider_get(c, name);

	for (size_t i = 0; !p && i < sizeof builtin_providers / sizeof *builtin_providers; i++)
		if (strcmp(builtin_providers[i].name, name) == 0)
			p = provider_add(c, name, "built-in");
	return p;
}

static void
provider_names(struct buf *b, struct config *c)
{
	config_providers_builtin(c);
	for (size_t i = 0; i < c->providers.n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", c->providers.v[i].name);
}

int
config_model_resolve(struct config *c, const char *model, const struct config_provider **p,
                     const char **model_out)
{
	const char *slash = strchr(model, '/');
	const struct config_provider *found = NULL;

	*p = NULL;
	*model_out = model;
	if (slash && slash > model) {
		char *name = xstrndup(model, (size_t)(slash - model));

		found = config_provider_find(c, name);
		free(name);
		if (found)
			*model_out = slash + 1;
	}
	if (!found)
		found = config_provider_find(c, c->provider);
	if (!found) {
		struct buf b = BUF_INIT;

		const char *at = c->set_at[CONFIG_I_provider];

		struct buf shown = BUF_INIT;

		provider_names(&b, c);
		int rc = err_setc(DH_EPARSE, "%s%sunknown provider '%s' (set provider; there are: %s)",
		                  at ? at : "", at ? ": " : "", utf8_sanitized(&shown, c->provider),
		                  buf_cstr(&b));
		buf_fini(&b);
		buf_fini(&shown);
		return rc;
	}
	if (!*found->kind)
		return err_setc(DH_EPARSE, "%s: provider '%s' has no kind (add 'provider %s kind = "
		                "openai', or anthropic or azure)", found->where, found->name,
		                found->name);
	/* Azure has no endpoint of its own to fall back on: said here, with the
	 * provider's line, not by the first request. */
	if (!strcmp(found->kind, "azure") && !*found->base_url)
		return err_setc(DH_EPARSE, "%s: provider '%s' of kind azure has no base_url (add "
		                "'provider %s base_url = https://RESOURCE.openai.azure.com')",
		                found->where, found->name, found->name);
	if (!**model_out) {
		const char *at = model == c->model ? c->set_at[CONFIG_I_model] : NULL;

		return err_setc(DH_EPARSE, "%s%sno model named after '%s/' (--model or set model)",
		                at ? at : "", at ? ": " : "", found->name);
	}
	/* "nope/x" with no provider nope went to Anthropic as the model
	 * "nope/x", which has no model with a '/' in its name: a typo of a
	 * provider's name, said as one. (An openai-kind server's models may
	 * hold one: openrouter's "vendor/model".) */
	if (*model_out == model && slash && !strcmp(found->kind, "anthropic")) {
		struct buf b = BUF_INIT, shown = BUF_INIT, prov = BUF_INIT;
		char *name = xstrndup(model, (size_t)(slash - model));

		provider_names(&b, c);
		int rc = err_setc(DH_EPARSE, "model '%s': no provider '%s' (there are: %s)",
		                  utf8_sanitized(&shown, model), utf8_sanitized(&prov, name),
		                  buf_cstr(&b));
		free(name);
		buf_fini(&b);
		buf_fini(&shown);
		buf_fini(&prov);
		return rc;
	}
	*p = found;
	return 0;
}

/* True when s is made only of `chars` and is 1 to max bytes long. */
static bool
all_of(const char *s, const char *chars, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, chars) == n;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* `provider NAME KEY = VALUE` (s: what follows "provider"). */
static int
provider_line(struct config *c, char *s, const char *where)
{
	static const char usage[] = "expected 'provider NAME KEY = VALUE' with KEY one of "
	                            "kind, base_url, key_env, header, api_version";
	size_t nn = strcspn(s, " \t");
	char *eq = strchr(s, '=');

	if (!nn || !eq || eq < s + nn)
		return err_setc(DH_EPARSE, "%s: %s", where, usage);
	char *name = xstrndup(s, nn);
	*eq = '\0';
	char *key = trim(s + nn), *value = value_read(eq + 1);
	int rc = 0;

	if (!all_of(name, NAME_CHARS "_.-", 64)) {
		rc = err_setc(DH_EPARSE, "%s: provider name '%s' may hold only letters, digits, "
		              "'_', '.' and '-' (at most 64)", where, name);
		goto out;
	}
	struct config_provider *p = provider_get(c, name);
	if (!p && !(p = (struct config_provider *)config_provider_find(c, name)))
		p = provider_add(c, name, where);
	char **slot = NULL;

	if (!strcmp(key, "kind")) {
		const struct config_lock *l = managed_lock(c, "base_url");

		if (!enum_has("anthropic|openai|azure", value))
			rc = err_setc(DH_EPARSE, "%s: provider %s: kind must be one of "
			              "anthropic|openai|azure, not '%s'", where, name, value);
		/* The kind says where a provider without a base_url sends (the
		 * base_url option, or the API's own endpoint): under a locked
		 * base_url it stays as it is, or the lock would be side-stepped. */
		else if (l && !managed_sets(c, where) && strcmp(value, p->kind))
			rc = err_setc(DH_EPARSE, "%s: provider %s: kind is locked with base_url by "
			              "the managed policy (%s)", where, name, l->where);
		slot = &p->kind;
	} else if (!strcmp(key, "base_url")) {
		const struct config_lock *l = managed_lock(c, "base_url");

		/* A locked base_url is the one model endpoint: no provider adds another. */
		if (l && !managed_sets(c, where))
			rc = err_setc(DH_EPARSE, "%s: provider %s: base_url is locked by the managed "
				      "policy (%s)", where, name, l->where);
		else if (*value && strncmp(value, "http://", 7) && strncmp(value, "https://", 8))
			rc = err_setc(DH_EPARSE, "%s: provider %s: base_url must start with http:// "
			              "or https://, not '%s'", where, name, value);
		slot = &p->base_url;
	} else if (!strcmp(key, "key_env")) {
		if (*value && (!all_of(value, NAME_CHARS "_", 128) || isdigit((unsigned char)*value)))
			rc = err_setc(DH_EPARSE, "%s: provider %s: key_env must name an environment "
			              "variable (letters, digits, '_'), not '%s'", where, name, value);
		slot = &p->key_env;
	} else if (!strcmp(key, "api_version")) {
		if (*value && !all_of(value, "abcdefghijklmnopqrstuvwxyz0123456789-", 64))
			rc = err_setc(DH_EPARSE, "%s: provider %s: api_version must be a version such "
			              "as 2024-10-21, not '%s'", where, name, value);
		slot = &p->api_version;
	} else if (!strcmp(key, "header")) {
		const char *colon = strchr(value, ':');
		char *hname = colon ? xstrndup(value, (size_t)(colon - value)) : NULL;

		if (!hname || !all_of(hname, NAME_CHARS "-_", 128) ||
		    strpbrk(value, "\r\n"))
			rc = err_setc(DH_EPARSE, "%s: provider %s: header must be 'Name: value', not "
			              "'%s'", where, name, value);
		else
			strv_add(&p->headers, value);
		free(hname);
	} else {
		rc = err_setc(DH_EPARSE, "%s: provider %s: unknown key '%s' (%s)", where, name, key,
		              usage + 9);
	}
	if (rc == 0 && slot) {
		free(*slot);
		*slot = xstrdup(value);
	}
	if (rc == 0)
		p->configured = true;
out:
	free(name);
	return rc;
}

static void
providers_fini(struct config_providers *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct config_provider *p = &ps->v[i];

		free(p->name);
		free(p->kind);
		free(p->base_url);
		free(p->key_env);
		free(p->api_version);
		strv_free(&p->headers);
		free(p->where);
	}
	ARRAY_FREE(ps);
}

/* A line of the person's config. */
static int
user_line(char *s, const char *where, void *ctx)
{
	struct config *c = ctx;

	if (starts_word(s, "allow") && starts_word(trim(s + 5), "egress")) {
		char *what = trim(s + 5);

		char *text = trim(strip_comment(what + 6));

		if (managed_check_egress(c, where) < 0)
			return DH_EPARSE;
		/* Checked here, by the rule parser the session uses, so that every
		 * command refuses the line as `run` does. */
		if (egress_rule_check(text, where) < 0)
			return DH_EPARSE;
		ARRAY_PUSH(&c->egress, (struct config_line){ .text = xstrdup(text),
							     .where = xstrdup(where) });
		return 0;
	}
	if (starts_word(s, "allow") && !strcmp(trim(s + 5), "egress"))
		return err_setc(DH_EPARSE, "%s: expected 'allow egress HOST[:PORT] [allow-private]'",
				where);
	if (starts_word(s, "allow") && rule_line(&c->rules, s, where) < 0) {
		/* "allow network x.org": an egress line mistyped, or a rule. */
		char *why = xstrdup(err_msg() + strlen(where) + 2);
		int rc = err_setc(DH_EPARSE, "%s: expected 'allow egress HOST[:PORT] "
				  "[allow-private]' or a rule 'allow TOOL[(PATTERN)]' (%s)", where, why);

		free(why);
		return rc;
	}
	if (starts_word(s, "allow"))
		return keep_user_rule(c);
	if (starts_word(s, "ask") || starts_word(s, "deny"))
		return rule_line(&c->rules, s, where) < 0 ? DH_EPARSE : keep_user_rule(c);
	if (starts_word(s, "bind")) {
		ARRAY_PUSH(&c->binds, (struct config_line){ .text = xstrdup(trim(s + 4)),
							    .where = xstrdup(where) });
		return 0;
	}
	if (starts_word(s, "provider"))
		return provider_line(c, trim(s + 8), where);
	if (!starts_word(s, "set")) {
		char *w = s;
		while (*w && !isspace((unsigned char)*w))
			w++;
		*w = '\0';
		return err_setc(DH_EPARSE, "%s: unknown command '%s' (expected 'set NAME = VALUE', "
				"'allow egress HOST', 'allow|ask|deny TOOL[(PATTERN)]', 'bind "
				"CONTEXT KEY ACTION' or 'provider NAME KEY = VALUE')", where, s);
	}
	char *eq = strchr(s + 3, '=');
	if (!eq)
		return err_setc(DH_EPARSE, "%s: expected 'set NAME = VALUE'", where);
	*eq = '\0';
	/* the comment cut before the blanks go: in `set x =   # note` the '#'
	 * follows a blank, and x is empty (as `config show` prints one) */
	return config_set(c, trim(s + 3), value_read(eq + 1), where);
}

int
config_load_file(struct config *c, const char *path)
{
	return each_line(path, user_line, c);
}

int
config_load_line(struct config *c, char *s, const char *where)
{
	return user_line(s, where, c);
}

int
config_load(struct config *c)
{
	int rc;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof options / sizeof *options; i++)
		*slot(c, &options[i]) = xstrdup(options[i].def);
	/* The managed policy is read first so that its locks hold against what
	 * follows; what it sets wins over the person's files all the same. */
	if ((rc = managed_load(c)) < 0)
		return rc;
	config_providers_builtin(c);

	char *path = config_user_path();
	if (path) {
		rc = config_load_file(c, path);
		free(path);
		if (rc < 0 && rc != DH_ENOTFOUND)
			return rc;
	}
	const char *extra = getenv("DH_CONFIG");
	if (extra && *extra) {
		rc = config_load_file(c, extra);
		if (rc < 0)
			return rc; /* named explicitly: a missing file is an error too */
	}
	return 0;
}

void
config_lines_fini(struct config_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].where);
	}
	ARRAY_FREE(l);
}

void
config_fini(struct config *c)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		free(*slot(c, &options[i]));
		*slot(c, &options[i]) = NULL;
		free(c->set_at[i]);
		c->set_at[i] = NULL;
	}
	managed_fini(c);
	config_lines_fini(&c->egress);
	config_lines_fini(&c->binds);
	config_rules_fini(&c->rules);
	providers_fini(&c->providers);
}

char *
config_set_line(const char *name, const char *v)
{
	char *text = value_text(v);
	/* config_set() takes no value without a line: never NULL here */
	char *line = xasprintf("set %s = %s", name, text ? text : v);

	free(text);
	return line;
}

/* "provider NAME KEY = VALUE", VALUE as value_text() writes it. */
static void
print_provider_value(const char *name, const char *key, const char *v)
{
	char *text = value_text(v);

	printf("provider %s %s = %s\n", name, key, text ? text : v);
	free(text);
}

void
config_dump(const struct config *c)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		const struct option *o = &options[i];

		char *line = config_set_line(o->name, *(char *const *)((const char *)c + o->off));

		printf("# %s\n%s\n", o->doc, line);
		free(line);
	}
	for (size_t i = 0; i < c->egress.n; i++)
		printf("allow egress %s\n", c->egress.v[i].text);
	for (size_t i = 0; i < c->binds.n; i++)
		printf("bind %s\n", c->binds.v[i].text);
	for (size_t i = 0; i < c->rules.n; i++) {
		char *line = config_rule_format(&c->rules.v[i]);

		printf("%s\n", line);
		free(line);
	}
	for (size_t i = 0; i < c->providers.n; i++) {
		const struct config_provider *p = &c->providers.v[i];

		if (!p->configured)
			continue;
		print_provider_value(p->name, "kind", p->kind);
		if (*p->base_url)
			print_provider_value(p->name, "base_url", p->base_url);
		print_provider_value(p->name, "key_env", p->key_env);
		if (*p->api_version)
			print_provider_value(p->name, "api_version", p->api_version);
		for (size_t k = 0; k < p->headers.n; k++)
			print_provider_value(p->name, "header", p->headers.v[k]);
	}
}

/*
 * Permission rules
 */

static const char *const verdict_names[] = {
	[CONFIG_DENY] = "deny",
	[CONFIG_ASK] = "ask",
	[CONFIG_ALLOW] = "allow",
};

const char *
config_verdict_name(enum config_verdict v)
{
	return (unsigned)v < sizeof verdict_names / sizeof *verdict_names ? verdict_names[v] : "?";
}

/* Characters of a tool name or a glob on names. */
#define TOOL_NAME_CHARS                                                                            \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.*?[]"

int
config_rule_parse(struct config_rule *out, const char *text, const char *where)
{
	size_t vn = strcspn(text, " \t");
	int verdict = -1;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof verdict_names / sizeof *verdict_names; i++)
		if (strlen(verdict_names[i]) == vn && !strncmp(text, verdict_names[i], vn))
			verdict = (int)i;
	if (verdict < 0)
		return err_setc(DH_EPARSE, "%s: a rule starts with allow, ask or deny, not '%.*s'",
				where, (int)vn, text);
	const char *tool = text + vn + strspn(text + vn, " \t");
	size_t tn = strspn(tool, TOOL_NAME_CHARS);
	const char *rest = tool + tn, *pattern = NULL;
	size_t pn = 0;

	if (!tn)
		return err_setc(DH_EPARSE, "%s: expected '%s TOOL[(PATTERN)]' (a tool name, a glob "
				"on names such as mcp__drive__*, or a group: write, read)", where, verdict_names[verdict]);
	if (*rest == '(') {
		/* The pattern runs to the last ')': it may hold parentheses and '#'. */
		const char *close = strrchr(rest, ')');

		if (!close)
			return err_setc(DH_EPARSE, "%s: the pattern of '%.*s(' has no closing ')'",
					where, (int)tn, tool);
		pattern = rest + 1 + strspn(rest + 1, " \t"); /* blanks inside the () dropped */
		pn = close > pattern ? (size_t)(close - pattern) : 0;
		while (pn && (pattern[pn - 1] == ' ' || pattern[pn - 1] == '\t'))
			pn--;
		if (!pn)
			return err_setc(DH_EPARSE, "%s: empty pattern '()': leave the parentheses out "
					"to match every call of %.*s", where, (int)tn, tool);
		rest = close + 1;
	}
	rest += strspn(rest, " \t");
	if (*rest && !(*rest == '#' && (rest > tool + tn) && isspace((unsigned char)rest[-1])))
		return err_setc(DH_EPARSE, "%s: unexpected '%s' after the tool name '%.*s' (a pattern "
				"goes in parentheses: %s %.*s(PATTERN))", where, rest, (int)tn, tool,
				verdict_names[verdict], (int)tn, tool);
	out->verdict = (enum config_verdict)verdict;
	out->tool = xstrndup(tool, tn);
	out->pattern = pattern ? xstrndup(pattern, pn) : NULL;
	out->where = xstrdup(where);
	return 0;
}

char *
config_rule_format(const struct config_rule *r)
{
	if (!r->pattern)
		return xasprintf("%s %s", config_verdict_name(r->verdict), r->tool);
	return xasprintf("%s %s(%s)", config_verdict_name(r->verdict), r->tool, r->pattern);
}

void
config_rules_fini(struct config_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].tool);
		free(r->v[i].pattern);
		free(r->v[i].where);
	}
	ARRAY_FREE(r);
}

char *
config_user_dir(void)
{
	char *dir;

	return fsutil_config_dir(&dir) < 0 ? NULL : dir;
}

char *
config_user_path(void)
{
	char *dir = config_user_dir(), *path = dir ? xasprintf("%s/config", dir) : NULL;

	free(dir);
	return path;
}

struct folder_ctx {
	struct config_rules rules;
	struct config_lines *warnings;
	const struct config *c; /* the managed policy's locks, or NULL */
};

/* A line of a folder's config: ask and deny rules only. */
static int
folder_line(char *s, const char *where, void *ctx)
{
	struct folder_ctx *f = ctx;
	const char *why = NULL;

	if (starts_word(s, "ask") || starts_word(s, "deny"))
		return rule_line(&f->rules, s, where);
	if (starts_word(s, "allow")) {
		struct config_rule r;

		/* Checked all the same: a typo is reported as one. */
		if (!starts_word(trim(s + 5), "egress")) {
			if (config_rule_parse(&r, s, where) < 0)
				return DH_EPARSE;
			free(r.tool);
			free(r.pattern);
			free(r.where);
		}
		why = "a folder's config may add ask and deny rules, never allow (allow rules "
		      "go in your own config)";
	} else if (starts_word(s, "set") || starts_word(s, "bind")) {
		why = "a folder's config holds only ask and deny rules (settings and bindings "
		      "go in your own config)";
	} else {
		s[strcspn(s, " \t")] = '\0';
		return err_setc(DH_EPARSE, "%s: unknown command '%s' (a folder's config holds "
				"'ask|deny TOOL[(PATTERN)]' lines)", where, s);
	}
	char *locked = f->c ? managed_folder_why(f->c, s) : NULL;
	struct buf shown = BUF_INIT;

	ARRAY_PUSH(f->warnings,
		   (struct config_line){ .text = xasprintf("%s: %s: %s", where, locked ? locked : why,
							   utf8_sanitized(&shown, s)),
					 .where = xstrdup(where) });
	buf_fini(&shown);
	free(locked);
	return 0;
}

int
config_load_folder_rules(struct config_rules *out, struct config_lines *warnings,
			 const char *folder, const struct config *c)
{
	char *path = xasprintf("%s/.deskhand/config", folder);
	struct folder_ctx f = { .warnings = warnings, .c = c };
	size_t nwarn = warnings->n;
	int rc = each_line(path, folder_line, &f);

	free(path);
	if (rc == DH_ENOTFOUND)
		rc = 0;
	if (rc < 0) {
		config_rules_fini(&f.rules);
		while (warnings->n > nwarn) {
			warnings->n--;
			free(warnings->v[warnings->n].text);
			free(warnings->v[warnings->n].where);
		}
		return rc;
	}
	for (size_t i = 0; i < f.rules.n; i++)
		ARRAY_PUSH(out, f.rules.v[i]);
	ARRAY_FREE(&f.rules);
	return 0;
}

int
config_append_line(char **path_out, const char *line)
{
	char *path = config_user_path();
	struct buf b = BUF_INIT;
	int rc;

	*path_out = NULL;
	if (managed_check_line(line) < 0) {
		free(path);
		return DH_EPARSE;
	}
	if (!path)
		return err_set("cannot save '%s': neither XDG_CONFIG_HOME nor HOME is set", line);
	rc = fsutil_read_file(path, 1 << 20, &b);
	if (rc == DH_ENOTFOUND) {
		char *dir = xstrdup(path);

		*strrchr(dir, '/') = '\0';
		rc = fsutil_mkdir_p(dir, 0700);
		free(dir);
	}
	if (rc < 0) {
		rc = err_set("cannot save '%s' to %s: %s", line, path, err_msg());
		goto out;
	}
	if (b.len && b.ptr[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	buf_printf(&b, "%s\n", line);
	/* A config that is a symlink (dotfiles kept elsewhere) stays one, and
	 * keeps its mode. */
	rc = fsutil_replace_file(path, b.ptr, b.len, -1);
	if (rc < 0) {
		rc = err_set("cannot save '%s' to %s: %s", line, path, err_msg());
		goto out;
	}
	*path_out = path;
	path = NULL;
out:
	free(path);
	buf_fini(&b);
	return rc;
}

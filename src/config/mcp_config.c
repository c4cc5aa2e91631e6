/* SPDX-License-Identifier: MIT */
/*
 * Connector configuration: mcp.json / .mcp.json in the mcpServers format,
 * ${VAR} expansion, and the trust record of folders' files (SHA-256 of the
 * exact bytes, core/crypto). See mcp_config.h.
 */
#include "config/mcp_config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#define TRUST_FILE "mcp-trust.json"

/* Parsing state: the file and the entry being read, for error messages. */
struct ctx {
	const char *file;
	const char *name;
	struct mcp_entry *e;
	bool raw; /* MCP_CONFIG_RAW: ${VAR} kept as written */
};

/* DH_EPARSE with the message `raw` made printable (utf8_sanitize(UTF8_NAME)):
 * it quotes names, keys and values of a folder's .mcp.json, which whoever
 * made the folder wrote, and is printed by mcp list, mcp trust and run: an
 * escape sequence in them must not reach the terminal, nor a newline forge
 * a line. */
static int
refuse(const char *raw)
{
	struct buf b = BUF_INIT;
	int rc = err_setc(DH_EPARSE, "%s", utf8_sanitized(&b, raw));

	buf_fini(&b);
	return rc;
}

static int
bad(const struct ctx *c, const char *key, const char *fmt, const char *value)
{
	char *raw = xasprintf("%s: mcpServers.%s%s%s: %s%s%s", c->file, c->name, key ? "." : "",
	                      key ? key : "", fmt, value ? ": " : "", value ? value : "");
	int rc = refuse(raw);

	free(raw);
	return rc;
}

/* ${VAR} and ${VAR:-default} expansion of s into *out (heap). */
static int
expand(const struct ctx *c, const char *key, const char *s, char **out)
{
	struct buf b = BUF_INIT;

	for (const char *p = s; *p;) {
		if (p[0] != '$' || p[1] != '{') {
			buf_putc(&b, *p++);
			continue;
		}
		const char *end = strchr(p + 2, '}');
		if (!end) {
			buf_fini(&b);
			return bad(c, key, "unterminated ${ in", s);
		}
		if (c->raw) { /* checked, not expanded */
			buf_add(&b, p, (size_t)(end + 1 - p));
			p = end + 1;
			continue;
		}
		char *var = xstrndup(p + 2, (size_t)(end - p - 2));
		char *def = strstr(var, ":-");
		if (def) {
			*def = '\0';
			def += 2;
		}
		const char *v = *var ? getenv(var) : NULL;
		if (!v && !def) {
			char *what = xasprintf("${%s} is not set (in \"%s\")", var, s);
			int rc = bad(c, key, what, NULL);

			free(what);
			free(var);
			buf_fini(&b);
			return rc;
		}
		buf_puts(&b, v ? v : def);
		free(var);
		p = end + 1;
	}
	*out = buf_detach(&b);
	return 0;
}

static int
want_str(const struct ctx *c, const cJSON *v, const char *key, char **out)
{
	if (!cJSON_IsString(v))
		return bad(c, key, "must be a string", NULL);
	return expand(c, key, v->valuestring, out);
}

/* An array of strings, each expanded (or not: `raw`). */
static int
want_strv(const struct ctx *c, const cJSON *v, const char *key, bool raw, struct strv *out)
{
	const cJSON *x;
	size_t i = 0;

	if (!cJSON_IsArray(v))
		return bad(c, key, "must be an array of strings", NULL);
	cJSON_ArrayForEach(x, v)
	{
		char k[96], *s;

		snprintf(k, sizeof k, "%s[%zu]", key, i++);
		if (!cJSON_IsString(x))
			return bad(c, k, "must be a string", NULL);
		if (raw) {
			strv_add(out, x->valuestring);
			continue;
		}
		if (expand(c, k, x->valuestring, &s) < 0)
			return DH_EPARSE;
		ARRAY_PUSH(out, s);
	}
	return 0;
}

/* An object of strings: "K<sep>value" each, values expanded. */
static int
want_map(const struct ctx *c, const cJSON *v, const char *key, const char *sep,
         struct strv *out)
{
	const cJSON *x;

	if (!cJSON_IsObject(v))
		return bad(c, key, "must be an object of strings", NULL);
	cJSON_ArrayForEach(x, v)
	{
		char k[160], *s;

		snprintf(k, sizeof k, "%s.%s", key, x->string);
		if (!cJSON_IsString(x))
			return bad(c, k, "must be a string", NULL);
		if (!*x->string || strpbrk(x->string, "=:\r\n"))
			return bad(c, key, "bad name", x->string);
		if (expand(c, k, x->valuestring, &s) < 0)
			return DH_EPARSE;
		ARRAY_PUSH(out, xasprintf("%s%s%s", x->string, sep, s));
		free(s);
	}
	return 0;
}

static int
k_command(const struct ctx *c, const cJSON *v)
{
	return want_str(c, v, "command", &c->e->command);
}

static int
k_args(const struct ctx *c, const cJSON *v)
{
	return want_strv(c, v, "args", false, &c->e->args);
}

static int
k_env(const struct ctx *c, const cJSON *v)
{
	return want_map(c, v, "env", "=", &c->e->env);
}

static int
k_type(const struct ctx *c, const cJSON *v)
{
	if (!cJSON_IsString(v))
		return bad(c, "type", "must be a string", NULL);
	if (!strcmp(v->valuestring, "http") || !strcmp(v->valuestring, "streamable-http"))
		c->e->http = true;
	else if (strcmp(v->valuestring, "stdio") != 0)
		return bad(c, "type", "must be \"stdio\" or \"http\", not", v->valuestring);
	return 0;
}

static int
k_url(const struct ctx *c, const cJSON *v)
{
	if (want_str(c, v, "url", &c->e->url) < 0)
		return DH_EPARSE;
	if (strncmp(c->e->url, "https://", 8) != 0 && strncmp(c->e->url, "http://", 7) != 0 &&
	    !(c->raw && !strncmp(c->e->url, "${", 2)))
		return bad(c, "url", "must be an http:// or https:// URL, not", c->e->url);
	return 0;
}

static int
k_headers(const struct ctx *c, const cJSON *v)
{
	return want_map(c, v, "headers", ": ", &c->e->headers);
}

/* Each of `v` absolute, with a leading ~ expanded; else an error naming `key`. */
static int
absolute_paths(const struct ctx *c, struct strv *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++) {
		char *p = v->v[i];

		if (p[0] == '~' && (p[1] == '/' || !p[1]) && getenv("HOME")) {
			v->v[i] = xasprintf("%s%s", getenv("HOME"), p + 1);
			free(p);
		} else if (p[0] != '/' && !(c->raw && !strncmp(p, "${", 2))) {
			return bad(c, key, "must be an absolute path, not", p);
		}
	}
	return 0;
}

static int
k_sandbox(const struct ctx *c, const cJSON *v)
{
	const cJSON *x;

	if (cJSON_IsFalse(v)) {
		c->e->unsandboxed = true;
		return 0;
	}
	if (!cJSON_IsObject(v))
		return bad(c, "sandbox", "must be false or an object {\"paths\": [...], "
		                         "\"read\": [...], \"egress\": [...]}", NULL);
	cJSON_ArrayForEach(x, v)
	{
		if (!strcmp(x->string, "paths")) {
			if (want_strv(c, x, "sandbox.paths", false, &c->e->paths) < 0)
				return DH_EPARSE;
		} else if (!strcmp(x->string, "read")) {
			if (want_strv(c, x, "sandbox.read", false, &c->e->read) < 0)
				return DH_EPARSE;
		} else if (!strcmp(x->string, "egress")) {
			if (want_strv(c, x, "sandbox.egress", true, &c->e->egress) < 0)
				return DH_EPARSE;
		} else {
			return bad(c, "sandbox", "unknown key (known: paths, read, egress)", x->string);
		}
	}
	if (absolute_paths(c, &c->e->paths, "sandbox.paths") < 0 ||
	    absolute_paths(c, &c->e->read, "sandbox.read") < 0)
		return DH_EPARSE;
	return 0;
}

/* "oauth": the client deskhand is at this server's authorization server. */
static int
k_oauth(const struct ctx *c, const cJSON *v)
{
	static const struct {
		const char *key;
		size_t off;
	} f[] = {
		{ "clientId", offsetof(struct mcp_entry, oauth_client_id) },
		{ "clientSecret", offsetof(struct mcp_entry, oauth_client_secret) },
		{ "scope", offsetof(struct mcp_entry, oauth_scope) },
		{ "clientMetadataUrl", offsetof(struct mcp_entry, oauth_client_metadata_url) },
		{ "redirectUri", offsetof(struct mcp_entry, oauth_redirect_uri) },
	};
	const cJSON *x;

	if (!cJSON_IsObject(v))
		return bad(c, "oauth", "must be an object", NULL);
	cJSON_ArrayForEach(x, v)
	{
		size_t i;
		char k[64];

		for (i = 0; i < sizeof f / sizeof *f; i++)
			if (!strcmp(f[i].key, x->string))
				break;
		if (i == sizeof f / sizeof *f)
			return bad(c, "oauth", "unknown key (known: clientId, clientSecret, scope, "
			                       "clientMetadataUrl, redirectUri)", x->string);
		snprintf(k, sizeof k, "oauth.%s", x->string);
		char **dst = (char **)((char *)c->e + f[i].off);
		free(*dst);
		*dst = NULL;
		if (want_str(c, x, k, dst) < 0)
			return DH_EPARSE;
	}
	return 0;
}

static int
k_timeout(const struct ctx *c, const cJSON *v)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 86400)) {
		char *t = cJSON_PrintUnformatted(v);
		int rc = bad(c, "timeout", "must be a number of seconds from 1 to 86400, not", t);

		cJSON_free(t);
		return rc;
	}
	c->e->timeout_ms = (long)(v->valuedouble * 1000);
	return 0;
}

/* The keys of one server entry. */
static const struct key {
	const char *name;
	int (*fn)(const struct ctx *c, const cJSON *v);
} keys[] = {
	{ "command", k_command }, { "args", k_args }, { "env", k_env },
	{ "type", k_type },       { "url", k_url },   { "headers", k_headers },
	{ "sandbox", k_sandbox }, { "timeout", k_timeout }, { "oauth", k_oauth },
};

static void
entry_fini(struct mcp_entry *e)
{
	free(e->name);
	free(e->command);
	strv_free(&e->args);
	strv_free(&e->env);
	free(e->url);
	strv_free(&e->headers);
	strv_free(&e->paths);
	strv_free(&e->read);
	strv_free(&e->egress);
	free(e->origin);
	free(e->oauth_client_id);
	free(e->oauth_client_secret);
	free(e->oauth_scope);
	free(e->oauth_client_metadata_url);
	free(e->oauth_redirect_uri);
	memset(e, 0, sizeof *e);
}

void
mcp_entries_fini(struct mcp_entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		entry_fini(&es->v[i]);
	ARRAY_FREE(es);
}

/* Append word w to b as a POSIX shell reads it back: bare when it is all
 * plain characters, else in single quotes (a ' as '\''). */
static void
shell_word(struct buf *b, const char *w)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                            "0123456789_-./:=@%+,";

	if (*w && w[strspn(w, plain)] == '\0') {
		buf_puts(b, w);
		return;
	}
	buf_putc(b, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *w);
	}
	buf_putc(b, '\'');
}

void
mcp_entry_login_command(struct buf *out, const struct mcp_entry *e, bool folder)
{
	buf_puts(out, "deskhand mcp login ");
	buf_puts(out, e->name);
	if (!folder || !e->origin)
		return;
	const char *slash = strrchr(e->origin, '/');
	char *dir = slash ? xstrndup(e->origin, (size_t)(slash - e->origin)) : xstrdup(".");

	buf_putc(out, ' ');
	shell_word(out, *dir ? dir : "/");
	free(dir);
}

void
mcp_entry_describe(struct buf *out, const struct mcp_entry *e)
{
	struct buf raw = BUF_INIT;

	if (e->http) {
		buf_puts(&raw, e->url ? e->url : "");
	} else {
		shell_word(&raw, e->command ? e->command : "");
		for (size_t i = 0; i < e->args.n; i++) {
			buf_putc(&raw, ' ');
			shell_word(&raw, e->args.v[i]);
		}
	}
	utf8_sanitize(out, raw.ptr ? raw.ptr : "", raw.len, UTF8_NAME);
	buf_fini(&raw);
}

const struct mcp_entry *
mcp_entries_find(const struct mcp_entries *es, const char *name)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return &es->v[i];
	return NULL;
}

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MCP_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int
parse_entry(struct mcp_entry *e, const cJSON *srv, const char *file, unsigned flags)
{
	struct ctx c = { .file = file, .name = srv->string, .e = e,
	                 .raw = (flags & MCP_CONFIG_RAW) != 0 };
	const cJSON *x;

	if (!name_ok(srv->string)) {
		char *raw = xasprintf("%s: mcpServers: server name \"%s\" must be 1-%d letters, "
		                      "digits, '_' or '-'", file, srv->string, MCP_NAME_MAX);
		int rc = refuse(raw);

		free(raw);
		return rc;
	}
	if (!cJSON_IsObject(srv))
		return bad(&c, NULL, "must be an object", NULL);
	e->name = xstrdup(srv->string);
	e->origin = xstrdup(file);
	cJSON_ArrayForEach(x, srv)
	{
		size_t i;

		for (i = 0; i < sizeof keys / sizeof *keys; i++)
			if (!strcmp(keys[i].name, x->string))
				break;
		if (i == sizeof keys / sizeof *keys)
			return bad(&c, NULL,
			           "unknown key (known: command, args, env, type, url, headers, "
			           "sandbox, timeout, oauth)", x->string);
		if (keys[i].fn(&c, x) < 0)
			return DH_EPARSE;
	}
	if (e->http && !e->url)
		return bad(&c, NULL, "a \"type\": \"http\" server needs \"url\"", NULL);
	if (!e->http && e->url)
		return bad(&c, "url", "needs \"type\": \"http\"", e->url);
	if (!e->http && (!e->command || !*e->command))
		return bad(&c, NULL, "needs \"command\" (or \"type\": \"http\" and \"url\")", NULL);
	if (!e->http && e->oauth_client_id)
		return bad(&c, "oauth", "needs \"type\": \"http\"", NULL);
	if (e->http && (e->command || e->args.n || e->env.n))
		return bad(&c, NULL, "an http server takes no command, args or env", NULL);
	return 0;
}

int
mcp_config_parse(struct mcp_entries *out, const char *text, size_t len, const char *file,
                 unsigned flags)
{
	cJSON *root;
	const cJSON *srv, *x;

	if (json_parse_config(&root, text, len, file) < 0)
		return err_setc(DH_EPARSE, "%s", err_msg());
	int rc = 0;
	if (!cJSON_IsObject(root)) {
		rc = err_setc(DH_EPARSE, "%s: must be a JSON object {\"mcpServers\": {...}}", file);
		goto out;
	}
	cJSON_ArrayForEach(x, root)
	{
		if (strcmp(x->string, "mcpServers") != 0) {
			char *raw = xasprintf("%s: unknown key \"%s\" (known: mcpServers)", file,
			                      x->string);

			rc = refuse(raw);
			free(raw);
			goto out;
		}
	}
	srv = cJSON_GetObjectItemCaseSensitive(root, "mcpServers");
	if (srv && !cJSON_IsObject(srv)) {
		rc = err_setc(DH_EPARSE, "%s: mcpServers must be an object", file);
		goto out;
	}
	cJSON_ArrayForEach(x, srv)
	{
		struct mcp_entry e = { 0 };

		if ((rc = parse_entry(&e, x, file, flags)) < 0) {
			entry_fini(&e);
			goto out;
		}
		for (size_t i = 0; i < out->n; i++) {
			if (!strcmp(out->v[i].name, e.name)) {
				entry_fini(&out->v[i]);
				memmove(&out->v[i], &out->v[i + 1], (out->n - i - 1) * sizeof e);
				out->n--;
				break;
			}
		}
		ARRAY_PUSH(out, e);
	}
out:
	cJSON_Delete(root);
	return rc;
}

int
mcp_config_load(struct mcp_entries *out, const char *path, unsigned flags)
{
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, MCP_CONFIG_MAX, &b);

	if (rc == 0)
		rc = mcp_config_parse(out, b.ptr ? b.ptr : "", b.len, path, flags);
	buf_fini(&b);
	return rc;
}

char *
mcp_config_user_path(void)
{
	char *dir, *path;

	if (fsutil_config_dir(&dir) < 0)
		return NULL;
	path = xasprintf("%s/mcp.json", dir);
	free(dir);
	return path;
}

/* Read a JSON object file; a missing file is an empty object. */
static int
read_obj(const char *path, cJSON **out)
{
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, MCP_CONFIG_MAX, &b);

	if (rc == DH_ENOTFOUND) {
		*out = json_new_obj();
		buf_fini(&b);
		return 0;
	}
	if (rc == 0 && (rc = json_parse_config(out, b.ptr ? b.ptr : "", b.len, path)) == 0 &&
	    !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		rc = err_setc(DH_EPARSE, "%s: must be a JSON object", path);
	}
	buf_fini(&b);
	return rc;
}

static int
write_obj(const char *path, const cJSON *o)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *text = cJSON_Print(o);
	int rc;

	if (slash && slash != dir) {
		*slash = '\0';
		if (fsutil_mkdir_p(dir, 0700) < 0) {
			free(dir);
			cJSON_free(text);
			return DH_EFAIL;
		}
	}
	struct buf b = BUF_INIT;
	buf_puts(&b, text);
	buf_putc(&b, '\n');
	/* 0600 when new: its headers and env may hold tokens */
	rc = fsutil_replace_file(path, b.ptr, b.len, 0600);
	buf_fini(&b);
	cJSON_free(text);
	free(dir);
	return rc;
}

int
mcp_config_edit(const char *path, const char *name, const char *server)
{
	cJSON *root, *srvs;
	int rc;

	if ((rc = read_obj(path, &root)) < 0)
		return rc;
	srvs = cJSON_GetObjectItemCaseSensitive(root, "mcpServers");
	if (!srvs)
		srvs = json_add(root, "mcpServers", json_new_obj());
	if (!cJSON_IsObject(srvs)) {
		cJSON_Delete(root);
		return err_setc(DH_EPARSE, "%s: mcpServers must be an object", path);
	}
	if (!server) {
		if (!cJSON_GetObjectItemCaseSensitive(srvs, name)) {
			cJSON_Delete(root);
			return err_setc(DH_ENOTFOUND, "%s: no server \"%s\"", path, name);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(srvs, name);
	} else {
		cJSON *v;

		if ((rc = json_parse(&v, server, strlen(server), name)) < 0) {
			cJSON_Delete(root);
			return rc;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(srvs, name);
		json_add(srvs, name, v);
	}
	/* What is written must load: check it as a whole. */
	char *text = json_print(root);
	struct mcp_entries es = ARRAY_INIT;

	/* raw: its ${VAR}s are read when a session starts, not now */
	rc = mcp_config_parse(&es, text, strlen(text), path, MCP_CONFIG_RAW);
	mcp_entries_fini(&es);
	free(text);
	if (rc == 0)
		rc = write_obj(path, root);
	cJSON_Delete(root);
	return rc;
}

/*
 * Trust
 */

void
mcp_sha256_hex(const void *data, size_t len, char hex[65])
{
	if (crypto_sha256_hex(data, len, hex) < 0)
		die("MCP trust: %s", err_msg());
}

static char *
trust_path(void)
{
	char *state, *p;

	if (fsutil_state_dir(&state) < 0)
		return NULL;
	p = xasprintf("%s/%s", state, TRUST_FILE);
	free(state);
	return p;
}

enum mcp_trust
mcp_trust_check(const char *path, const void *data, size_t len)
{
	char *tp = trust_path(), hex[65];
	cJSON *o = NULL;
	enum mcp_trust t = MCP_TRUST_NONE;

	if (!tp || read_obj(tp, &o) < 0) {
		free(tp);
		return MCP_TRUST_NONE;
	}
	const char *h = json_str(o, path);
	if (h) {
		mcp_sha256_hex(data, len, hex);
		t = !strcmp(h, hex) ? MCP_TRUST_YES : MCP_TRUST_CHANGED;
	}
	cJSON_Delete(o);
	free(tp);
	return t;
}

int
mcp_trust_set(const char *path, bool trust)
{
	char *tp = trust_path(), hex[65];
	cJSON *o = NULL;
	struct buf b = BUF_INIT;
	int rc;

	if (!tp)
		return DH_EFAIL;
	if ((rc = read_obj(tp, &o)) < 0)
		goto out;
	if (trust) {
		struct mcp_entries es = ARRAY_INIT;

		if ((rc = fsutil_read_file(path, MCP_CONFIG_MAX, &b)) < 0)
			goto out;
		/* Trusting a file that does not load would start nothing. */
		rc = mcp_config_parse(&es, b.ptr ? b.ptr : "", b.len, path, MCP_CONFIG_RAW);
		mcp_entries_fini(&es);
		if (rc < 0)
			goto out;
		mcp_sha256_hex(b.ptr ? b.ptr : "", b.len, hex);
		cJSON_DeleteItemFromObjectCaseSensitive(o, path);
		json_add_str(o, path, hex);
	} else {
		if (!cJSON_GetObjectItemCaseSensitive(o, path)) {
			rc = err_setc(DH_ENOTFOUND, "%s was not trusted", path);
			goto out;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(o, path);
	}
	rc = write_obj(tp, o);
out:
	buf_fini(&b);
	cJSON_Delete(o);
	free(tp);
	return rc;
}

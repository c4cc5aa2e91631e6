/* SPDX-License-Identifier: MIT */
#ifndef DH_CONFIG_MCP_CONFIG_H
#define DH_CONFIG_MCP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * Connector configuration (docs/mcp.md "Configuring connectors"): the
 * person's $XDG_CONFIG_HOME/deskhand/mcp.json and a granted folder's
 * .mcp.json, in the `mcpServers` format other hosts use:
 *
 *   {"mcpServers": {"NAME": {"command": "npx", "args": [...], "env": {...},
 *                            "sandbox": {"paths": [...], "read": [...],
 *                                        "egress": [...]} | false},
 *                   "NAME2": {"type": "http", "url": "https://…", "headers": {...}}}}
 *
 * `${VAR}` (and `${VAR:-default}`) in command, args, env values, url and
 * header values is replaced by the environment variable; an unset variable
 * without a default is an error. Every error names the file, the key and
 * the value at fault; an unknown key is an error that names it.
 *
 * A folder's .mcp.json starts nothing until the person trusts that exact
 * file: mcp_trust_*() record its SHA-256 under
 * $XDG_STATE_HOME/deskhand/mcp-trust.json. Only the person's commands
 * (`deskhand mcp trust`, the workbench's y/n) write that record; nothing the
 * agent runs can (it is outside every grant and the sandbox).
 */

#define MCP_CONFIG_MAX ((size_t)1 << 20) /* bytes of one mcp.json */
#define MCP_NAME_MAX 64                  /* bytes of a server name */

struct mcp_entry {
	char *name;       /* the key: [A-Za-z0-9_-]{1,64} */
	bool http;        /* type "http" (url, headers) rather than stdio (command) */
	char *command;    /* stdio: expanded */
	struct strv args; /* stdio: expanded */
	struct strv env;  /* stdio: "NAME=value", expanded */
	char *url;        /* http */
	struct strv headers; /* http: "Name: value", expanded */
	bool unsandboxed; /* "sandbox": false */
	struct strv paths;  /* sandbox.paths: absolute, as written (~ expanded) */
	struct strv read;   /* sandbox.read: read-only paths, likewise */
	struct strv egress; /* sandbox.egress: HOST[:PORT] */
	long timeout_ms;  /* "timeout": seconds a request may take (ms here); 0 = default */
	char *origin;     /* the file it came from (heap) */
	/* http: "oauth": {"clientId", "clientSecret", "scope", "clientMetadataUrl",
	 * "redirectUri"} (docs/mcp.md "Authorization"), expanded; NULL if absent */
	char *oauth_client_id, *oauth_client_secret, *oauth_scope, *oauth_client_metadata_url,
		*oauth_redirect_uri;
};
ARRAY_HEAD(mcp_entries, struct mcp_entry);

/* Flags of mcp_config_parse(). MCP_CONFIG_RAW: every ${VAR} is kept as
 * written (its syntax checked), for what shows or edits a file without
 * starting it: `mcp list`, the "would run" line of a file not trusted (whose
 * author must not get the person's secrets printed), `mcp add`/`remove`
 * (a variable is read when a session starts, and an entry whose variable is
 * unset now must not block editing the others), trust. */
#define MCP_CONFIG_RAW 0x1u

/* Parse `text` (len bytes) from `file` and append its servers to `out`
 * (entries already there with the same name are replaced: a later file
 * wins). Returns 0, or DH_EPARSE with err_msg() such as
 * "~/.mcp.json: mcpServers.fs.args[1]: ${NOPE} is not set". */
int mcp_config_parse(struct mcp_entries *out, const char *text, size_t len, const char *file,
                     unsigned flags) DH_MUST_CHECK;
/* Read and parse one file (flags as mcp_config_parse's); a missing file is
 * DH_ENOTFOUND (nothing added). */
int mcp_config_load(struct mcp_entries *out, const char *path, unsigned flags) DH_MUST_CHECK;
void mcp_entries_fini(struct mcp_entries *e);
/* How entry e runs, for a person to read, appended to `out`: its URL, or its
 * command and arguments, each shell-quoted when it is not a plain word (so
 * "a b" and a b differ), the whole made printable (utf8_sanitize
 * UTF8_NAME: an escape or CR in a file not trusted cannot redraw the line
 * that asks whether to trust it). */
void mcp_entry_describe(struct buf *out, const struct mcp_entry *e);
const struct mcp_entry *mcp_entries_find(const struct mcp_entries *e, const char *name);
/* The command that authorizes http connector e (docs/mcp.md
 * "Authorization"), appended to `out`: "deskhand mcp login NAME", and for a
 * folder's connector (`folder` true) the folder of e->origin after it,
 * shell-quoted when it is not a plain word. */
void mcp_entry_login_command(struct buf *out, const struct mcp_entry *e, bool folder);

/* The person's mcp.json path: mcp.json in fsutil_config_dir()
 * ($XDG_CONFIG_HOME/deskhand/, else ~/.config/deskhand/). Heap; NULL
 * (err_msg) if neither variable is set. */
char *mcp_config_user_path(void);

/* Add (or replace) server `name` in the JSON file `path` with `server` (a
 * JSON object text, checked as an entry), or remove it (`server` NULL),
 * keeping the rest of the file; written atomically. Returns 0, DH_ENOTFOUND
 * (remove: no such server) or DH_EPARSE/DH_EFAIL naming the problem. */
int mcp_config_edit(const char *path, const char *name, const char *server) DH_MUST_CHECK;

/* Trust of a folder's .mcp.json. `path` is the file (absolute). */
enum mcp_trust {
	MCP_TRUST_NONE,    /* never trusted */
	MCP_TRUST_YES,     /* trusted with this exact content */
	MCP_TRUST_CHANGED, /* trusted once, changed since: ask again */
};
/* Whether `path` is trusted with the content `data` (its bytes now). */
enum mcp_trust mcp_trust_check(const char *path, const void *data, size_t len);
/* Record (trust) or forget (untrust) the SHA-256 of `path`'s current
 * content. Returns 0 or DH_EFAIL naming the file. untrust of a file never
 * trusted is DH_ENOTFOUND. */
int mcp_trust_set(const char *path, bool trust) DH_MUST_CHECK;
/* The lowercase hex SHA-256 of len bytes into hex[65]. */
void mcp_sha256_hex(const void *data, size_t len, char hex[65]);

#endif

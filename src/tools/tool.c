/* SPDX-License-Identifier: MIT */
/*
 * Tool registry: the entry tables of the tool files, schemas for the model,
 * input validation and synchronous dispatch, plus the helpers the tool files
 * share (path display, base64, globs, directory walks).
 * Not the permission rules or checkpoints (agent/).
 */
#include "tools/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "sandbox/probe.h"
#include "tools/tool_priv.h"

static const struct tool_entry plan_entries[] = {
	{
		.name = "propose_plan",
		.description =
			"Propose the plan for the task before acting: an ordered list of short "
			"steps, each a title of a few words (\"Read the receipts in invoices/\", "
			"\"Write summary.csv\"). The user approves, edits or rejects it; wait "
			"for the answer in the tool result before doing the work. Call it again "
			"to propose a revised plan.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"array\","
			"\"description\":\"The steps in order.\",\"items\":{\"type\":\"object\","
			"\"properties\":{\"title\":{\"type\":\"string\",\"description\":"
			"\"What the step does, in a few words.\"}},\"required\":[\"title\"]}}},"
			"\"required\":[\"steps\"]}",
		.flags = TOOL_F_PLAN,
	},
	{
		.name = "update_plan",
		.description =
			"Report progress on the approved plan: send every step with its current "
			"status (pending, in_progress, done or skipped), in order. Mark a step "
			"in_progress when you start it and done when it is finished; keep the "
			"titles of the approved plan.",
		.input_schema =
			"{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"title\":{\"type\":"
			"\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"pending\","
			"\"in_progress\",\"done\",\"skipped\"]}},\"required\":[\"title\","
			"\"status\"]}}},\"required\":[\"steps\"]}",
		.flags = TOOL_F_PLAN,
	},
	{ .name = NULL },
};

/* In tool_at() order. */
static const struct tool_entry *const tables[] = {
	tool_fs_entries,
	tool_sheet_entries,
	tool_doc_entries,
	tool_search_entries,
	tool_shell_entries,
	tool_web_entries,
	tool_skill_entries,
	tool_output_entries,
	plan_entries,
};

/*
 * Registry
 */

size_t
tool_count(void)
{
	size_t n = 0;

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const struct tool_entry *e = tables[t]; e->name; e++)
			n++;
	return n;
}

const struct tool_entry *
tool_at(size_t i)
{
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const struct tool_entry *e = tables[t]; e->name; e++)
			if (i-- == 0)
				return e;
	return NULL;
}

const struct tool_entry *
tool_find(const char *name)
{
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const struct tool_entry *e = tables[t]; e->name; e++)
			if (!strcmp(e->name, name))
				return e;
	return NULL;
}

/* Our own schema text; a parse failure is a bug. */
static cJSON *
schema_of(const struct tool_entry *e)
{
	cJSON *s;

	if (json_parse(&s, e->input_schema, strlen(e->input_schema), e->name) < 0)
		die("tool %s: bad input_schema: %s", e->name, err_msg());
	return s;
}

cJSON *
tool_schemas(void)
{
	cJSON *arr = json_new_arr();

	for (size_t i = 0, n = tool_count(); i < n; i++) {
		const struct tool_entry *e = tool_at(i);
		cJSON *o = json_new_obj();

		json_add_str(o, "name", e->name);
		json_add_str(o, "description", e->description);
		json_add(o, "input_schema", schema_of(e));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

const struct tool_entry *
tool_env_find(const struct tool_env *env, const char *name)
{
	const struct tool_entry *e = tool_find(name);
	const struct tool_extra *x = env ? env->extra : NULL;

	for (size_t i = 0, n = x ? x->count(x->ctx) : 0; !e && i < n; i++) {
		const struct tool_entry *d = x->at(x->ctx, i);

		if (d && !strcmp(d->name, name))
			e = d;
	}
	return e;
}

cJSON *
tool_env_schemas(const struct tool_env *env)
{
	cJSON *arr = tool_schemas();
	const struct tool_extra *x = env ? env->extra : NULL;

	for (size_t i = 0, n = x ? x->count(x->ctx) : 0; i < n; i++) {
		const struct tool_entry *e = x->at(x->ctx, i);
		cJSON *o, *schema;

		if (!e || json_parse(&schema, e->input_schema, strlen(e->input_schema), e->name) < 0)
			continue; /* the owner checked it; never a reason to fail a request */
		o = json_new_obj();
		json_add_str(o, "name", e->name);
		json_add_str(o, "description", e->description);
		json_add(o, "input_schema", schema);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

bool
tool_is_async(const struct tool_entry *e)
{
	return e->start || e->start_entry;
}

int
tool_start(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
           struct tool_run **out, tool_done_fn *done, void *ctx)
{
	*out = NULL;
	if (e->start_entry)
		return e->start_entry(e, input, env, out, done, ctx);
	if (e->start)
		return e->start(input, env, out, done, ctx);
	return err_set("%s is not an asynchronous tool", e->name);
}

void
tool_sandbox_argv(struct strv *out, const struct tool_sandbox_spec *s)
{
	char num[24];

	strv_add(out, s->sandbox);
	if (s->bwrap && strcmp(s->bwrap, "/usr/bin/bwrap") != 0) { /* DH_BWRAP, or on PATH */
		strv_add(out, "--bwrap");
		strv_add(out, s->bwrap);
	}
	for (size_t i = 0; i < s->nrw; i++) {
		strv_add(out, "--rw");
		strv_add(out, s->rw[i]);
	}
	for (size_t i = 0; i < s->nro; i++) {
		strv_add(out, "--ro");
		strv_add(out, s->ro[i]);
	}
	/* The host paths a --rw grant holds (deskhand, its configuration and state;
	 * the helper protects itself and bwrap on its own): read-only inside. */
	struct strv own = { 0 }, rw = { 0 };
	const struct strv *host = s->host_paths;

	if (!host) {
		probe_host_paths(&own, s->sandbox, s->bwrap);
		host = &own;
	}
	for (size_t k = 0; host->n && k < s->nrw; k++) {
		char *r = realpath(s->rw[k], NULL); /* a connector's paths come as written */

		strv_add(&rw, r ? r : s->rw[k]);
		free(r);
	}
	for (size_t i = 0; i < host->n; i++)
		for (size_t k = 0; k < rw.n; k++)
			if (fsutil_path_within(host->v[i], rw.v[k])) {
				strv_add(out, "--protect");
				strv_add(out, host->v[i]);
				break;
			}
	strv_free(&own);
	strv_free(&rw);
	for (size_t i = 0; s->repos && i < s->repos->n && i < TOOL_SANDBOX_REPOS_MAX; i++) {
		strv_add(out, "--repo");
		strv_add(out, s->repos->v[i]);
	}
	if (s->find_repos && !s->repos)
		strv_add(out, "--find-repos");
	if (s->chdir) {
		strv_add(out, "--chdir");
		strv_add(out, s->chdir);
	}
	if (s->timeout_s > 0) {
		snprintf(num, sizeof num, "%d", s->timeout_s);
		strv_add(out, "--timeout");
		strv_add(out, num);
	}
	if (s->exec_ready_fd > 2) {
		snprintf(num, sizeof num, "%d", s->exec_ready_fd);
		strv_add(out, "--exec");
		strv_add(out, "--ready-fd");
		strv_add(out, num);
	}
	if (s->proxy_fd >= 0) {
		snprintf(num, sizeof num, "%d", s->proxy_fd);
		strv_add(out, "--proxy-fd");
		strv_add(out, num);
	}
	for (const char *const *e = s->env; e && *e; e++) {
		strv_add(out, "--env");
		strv_add(out, *e);
	}
	strv_add(out, "--");
	for (const char *const *c = s->cmd; *c; c++)
		strv_add(out, *c);
	ARRAY_PUSH(out, NULL);
}

/*
 * Validation
 */

static bool
type_ok(const cJSON *v, const char *type)
{
	if (!strcmp(type, "string"))
		return cJSON_IsString(v);
	if (!strcmp(type, "integer")) {
		double d = v->valuedouble; /* NaN fails every comparison */

		return cJSON_IsNumber(v) && d > -9e15 && d < 9e15 && d == (double)(long long)d;
	}
	if (!strcmp(type, "number"))
		return cJSON_IsNumber(v);
	if (!strcmp(type, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(type, "array"))
		return cJSON_IsArray(v);
	if (!strcmp(type, "object"))
		return cJSON_IsObject(v);
	return true; /* a type we do not check */
}

static const char *
type_article(const char *type)
{
	return (type[0] == 'a' || type[0] == 'i' || type[0] == 'o') ? "an" : "a";
}

/* Check v against schema s; `where` names v ("" for the input itself). */
static int
check(const char *tool, const cJSON *v, const cJSON *s, const char *where)
{
	const char *type = json_str(s, "type");
	int rc = 0;

	/* cJSON strings end at a NUL: json_parse holds one as JSON_NUL instead,
	 * and no tool takes it (a path would be cut, content silently changed). */
	if (cJSON_IsString(v) && strstr(v->valuestring, JSON_NUL))
		return err_setc(DH_EPARSE,
		                "%s: field '%s' holds a NUL character (\\u0000), which no tool "
		                "argument may hold; nothing was done",
		                tool, where);
	if (type && !type_ok(v, type)) {
		if (!*where)
			return err_setc(DH_EPARSE, "%s: input must be a JSON object", tool);
		return err_setc(DH_EPARSE, "%s: field '%s' must be %s %s", tool, where,
		                type_article(type), type);
	}
	const cJSON *en = json_arr(s, "enum");

	if (en && cJSON_IsString(v)) {
		const cJSON *x;
		bool found = false;

		cJSON_ArrayForEach(x, en) if (cJSON_IsString(x) &&
		                              !strcmp(x->valuestring, v->valuestring)) found = true;
		if (!found) {
			struct buf b = BUF_INIT;

			cJSON_ArrayForEach(x, en) if (cJSON_IsString(x))
				buf_printf(&b, "%s%s", b.len ? ", " : "", x->valuestring);
			rc = err_setc(DH_EPARSE, "%s: field '%s' must be one of: %s", tool, where,
			              buf_cstr(&b));
			buf_fini(&b);
			return rc;
		}
	}
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minimum");

	if (cJSON_IsNumber(min) && cJSON_IsNumber(v) && v->valuedouble < min->valuedouble)
		return err_setc(DH_EPARSE, "%s: field '%s' must be at least %g", tool, where,
		                min->valuedouble);
	if (cJSON_IsObject(v)) {
		const cJSON *req = json_arr(s, "required"), *props = json_obj(s, "properties");
		const cJSON *x;

		cJSON_ArrayForEach(x, req)
		{
			if (!cJSON_IsString(x) ||
			    cJSON_GetObjectItemCaseSensitive(v, x->valuestring))
				continue;
			return err_setc(DH_EPARSE, "%s: missing required field '%s%s%s'", tool,
			                where, *where ? "." : "", x->valuestring);
		}
		cJSON_ArrayForEach(x, props)
		{
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, x->string);

			if (!f || cJSON_IsNull(f))
				continue;
			char *sub = xasprintf("%s%s%s", where, *where ? "." : "", x->string);

			rc = check(tool, f, x, sub);
			free(sub);
			if (rc < 0)
				return rc;
		}
	}
	const cJSON *items = json_obj(s, "items");

	if (items && cJSON_IsArray(v)) {
		int i = 0;
		const cJSON *x;

		cJSON_ArrayForEach(x, v)
		{
			char *sub = xasprintf("%s[%d]", where, i++);

			rc = check(tool, x, items, sub);
			free(sub);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int
tool_validate(const struct tool_entry *e, const cJSON *input)
{
	cJSON *s = schema_of(e);
	int rc;

	if (!cJSON_IsObject(input))
		rc = err_setc(DH_EPARSE, "%s: input must be a JSON object", e->name);
	else
		rc = check(e->name, input, s, "");
	cJSON_Delete(s);
	return rc;
}

void
tool_invoke(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
            struct tool_result *out)
{
	int rc;

	if (!e->run) {
		tool_result_errorf(out, "%s: not a synchronous tool", e->name);
		return;
	}
	if ((rc = tool_validate(e, input)) < 0) {
		tool_result_from_err(out, rc);
		return;
	}
	if ((rc = e->run(input, env, out)) < 0)
		tool_result_from_err(out, rc);
}

void
tool_preview_init(struct tool_preview *p)
{
	memset(p, 0, sizeof *p);
	buf_init(&p->old);
	buf_init(&p->new);
	p->old_size = p->new_size = -1;
}

void
tool_preview_fini(struct tool_preview *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->old_path);
	buf_fini(&p->old);
	buf_fini(&p->new);
	tool_preview_init(p);
}

int
tool_preview_call(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
                  struct tool_preview *out)
{
	int rc;

	if (!e->preview)
		return err_setc(DH_ENOTFOUND, "%s: no preview", e->name);
	if ((rc = tool_validate(e, input)) < 0)
		return rc;
	return e->preview(input, env, out);
}

char *
tool_display_path(struct tool_env *env, const char *path)
{
	const struct grant *gr;
	char *rel = NULL, *shown = NULL;

	if (!path || tool_path(env, path, &gr, &rel, &shown) < 0)
		shown = NULL;
	free(rel);
	return shown;
}

void
tool_run_cancel(struct tool_run *r)
{
	if (r)
		r->cancel(r);
}

bool
tool_run_stop(struct tool_run *r, const char *why)
{
	return r && r->stop && r->stop(r, why);
}

/*
 * Results and environment
 */

void
tool_env_init(struct tool_env *env)
{
	memset(env, 0, sizeof *env);
	env->output_cap = TOOL_OUTPUT_CAP_DEF;
	env->default_timeout_s = TOOL_TIMEOUT_DEF;
}

void
tool_result_init(struct tool_result *r)
{
	r->is_error = false;
	buf_init(&r->text);
	r->content = NULL;
	r->denied = false;
	r->created_protected = (struct strv){ 0 };
	r->changed_rules = (struct strv){ 0 };
	r->rules_before = (struct strv){ 0 };
	r->changed_protected = (struct strv){ 0 };
	r->protected_was = NULL;
	r->output_file = NULL;
	r->repos_before = (struct strv){ 0 };
	r->repos_known = false;
}

void
tool_result_fini(struct tool_result *r)
{
	if (!r)
		return;
	buf_fini(&r->text);
	cJSON_Delete(r->content);
	strv_free(&r->created_protected);
	strv_free(&r->changed_rules);
	strv_free(&r->rules_before);
	for (size_t i = 0; r->protected_was && i < r->changed_protected.n; i++)
		grant_copy_fini(&r->protected_was[i]);
	free(r->protected_was);
	strv_free(&r->changed_protected);
	free(r->output_file);
	strv_free(&r->repos_before);
	tool_result_init(r);
}

void
tool_result_errorf(struct tool_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory (vasprintf)");
	va_end(ap);
	buf_clear(&r->text);
	buf_puts(&r->text, s);
	free(s);
	cJSON_Delete(r->content);
	r->content = NULL;
	r->is_error = true;
}

void
tool_result_from_err(struct tool_result *r, int rc)
{
	tool_result_errorf(r, "%s", *err_msg() ? err_msg() : "unknown error");
	if (rc == DH_EDENIED)
		r->denied = true;
}

/*
 * Helpers for the tool files
 */

char *
tool_shown(struct tool_env *env, size_t idx, const char *rel)
{
	struct buf b = BUF_INIT;
	const char *name = *rel || idx != 0 ? rel : ".";

	if (idx != 0) {
		const char *root = grant_get(env->grants, idx)->path;

		utf8_name_escape(&b, root, strlen(root));
		if (*rel)
			buf_putc(&b, '/');
	}
	utf8_name_escape(&b, name, strlen(name));
	return buf_detach(&b);
}

/* A long path as an error message shows it: its first and last
 * PATH_SHOWN_MAX / 2 bytes around "…", cut on UTF-8 boundaries. */
#define PATH_SHOWN_MAX 160

static void
path_capped(struct buf *out, const char *s)
{
	size_t n = strlen(s), head = PATH_SHOWN_MAX / 2, tail = n - PATH_SHOWN_MAX / 2;

	if (n <= PATH_SHOWN_MAX) {
		utf8_scrub(out, s, n);
		return;
	}
	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail < n && ((unsigned char)s[tail] & 0xc0) == 0x80)
		tail++;
	utf8_scrub(out, s, head);
	buf_puts(out, "…");
	utf8_scrub(out, s + tail, n - tail);
}

/* Refuse a path the file system would refuse anyway (ENAMETOOLONG), before a
 * tool creates any parent directory for it. `path` is what the model sent. */
static int
check_length(const char *path, const char *raw)
{
	size_t n = strlen(raw), longest = 0;
	struct buf b = BUF_INIT;
	int rc = 0;

	for (const char *p = raw; *p;) {
		size_t k = strcspn(p, "/");

		longest = k > longest ? k : longest;
		p += k + (p[k] == '/');
	}
	path_capped(&b, path);
	if (n >= PATH_MAX)
		rc = err_setc(DH_EFAIL, "path '%s' is too long: %zu bytes, the limit is %d",
		              buf_cstr(&b), n, PATH_MAX - 1);
	else if (longest > NAME_MAX)
		rc = err_setc(DH_EFAIL,
		              "path '%s' holds a name that is too long: %zu bytes, the limit "
		              "is %d",
		              buf_cstr(&b), longest, NAME_MAX);
	buf_fini(&b);
	return rc;
}

int
tool_path(struct tool_env *env, const char *path, const struct grant **out_gr, char **out_rel,
          char **out_shown)
{
	size_t idx;
	int rc;

	*out_gr = NULL;
	if (out_shown)
		*out_shown = NULL;
	if (!env->grants)
		return err_setc(DH_EDENIED, "path '%s' is refused: no folder is granted", path);
	char *raw;

	if ((rc = utf8_name_unescape(path, &raw)) < 0)
		return rc;
	if ((rc = check_length(path, raw)) == 0)
		rc = grant_resolve(env->grants, raw, &idx, out_rel);
	free(raw);
	if (rc < 0)
		return rc;
	*out_gr = grant_get(env->grants, idx);
	if (out_shown)
		*out_shown = tool_shown(env, idx, *out_rel);
	return 0;
}

int
tool_path_read(struct tool_env *env, const char *path, const struct grant **out_gr,
               char **out_rel, char **out_shown)
{
	int rc = tool_path(env, path, out_gr, out_rel, out_shown);
	size_t idx;
	char *raw;

	if (rc != DH_EDENIED || !env->readable || !path || path[0] != '/')
		return rc;
	if (utf8_name_unescape(path, &raw) < 0)
		return rc;
	if (check_length(path, raw) == 0 && grant_resolve(env->readable, raw, &idx, out_rel) == 0) {
		*out_gr = grant_get(env->readable, idx);
		if (out_shown)
			*out_shown = xstrdup(path);
		free(raw);
		return 0;
	}
	free(raw);
	/* the grants' refusal, which names them */
	return tool_path(env, path, out_gr, out_rel, out_shown);
}

void
tool_base64(struct buf *out, const void *data, size_t n)
{
	buf_add_base64(out, data, n);
}

/* Match pattern components [pat …] against path components [path …]
 * (fnmatch flags `fl`). */
static bool
glob_comps(const char *pat, const char *path, int fl)
{
	for (;;) {
		if (!*pat)
			return !*path;
		const char *pend = strchrnul(pat, '/');
		size_t pn = (size_t)(pend - pat);
		const char *pnext = *pend ? pend + 1 : pend;

		if (pn == 2 && pat[0] == '*' && pat[1] == '*') {
			/* Zero or more whole components. */
			for (const char *at = path;;) {
				if (glob_comps(pnext, at, fl))
					return true;
				if (!*at)
					return false;
				const char *e = strchrnul(at, '/');

				at = *e ? e + 1 : e;
			}
		}
		if (!*path)
			return false;
		const char *aend = strchrnul(path, '/');
		char *pc = xstrndup(pat, pn), *ac = xstrndup(path, (size_t)(aend - path));
		bool ok = fnmatch(pc, ac, fl) == 0;

		free(pc);
		free(ac);
		if (!ok)
			return false;
		pat = pnext;
		path = *aend ? aend + 1 : aend;
	}
}

static bool
glob_match(const char *pattern, const char *path, int fl)
{
	if (!strncmp(pattern, "./", 2)) /* at the top only: not "notes/x.md" */
		return glob_comps(pattern + 2, path, fl);
	if (!strchr(pattern, '/')) {
		const char *base = strrchr(path, '/');

		return fnmatch(pattern, base ? base + 1 : path, fl) == 0;
	}
	return glob_comps(pattern, path, fl);
}

bool
tool_glob_match(const char *pattern, const char *path)
{
	return glob_match(pattern, path, FNM_PERIOD);
}

bool
tool_glob_match_dots(const char *pattern, const char *path)
{
	return glob_match(pattern, path, 0);
}

/*
 * Synchronous tools run off the loop
 */

struct offloop_run {
	struct tool_run base; /* first: tool_run_cancel() */
	struct ev_loop *loop;
	struct ev_timer timer; /* the run without a worker, next iteration */
	tool_sync_fn *run;
	tool_stoppable_fn *run_stoppable; /* instead of run */
	int stop_fd;           /* eventfd written when the run is cancelled while its
	                        * job runs (run_stoppable on the worker); -1 */
	cJSON *input;          /* owned copy */
	struct tool_env *env;
	struct tool_result res;
	tool_done_fn *done;
	void *ctx;
	/* Cancelled while a worker job holds it: the job's end frees it, and
	 * a job not started yet does not run the tool. The one field both
	 * threads touch (set on the loop, read at the job's start); the bools
	 * below are the loop's alone. */
	atomic_bool cancelled;
	bool queued; /* a worker job holds the run */
	bool in_done, free_pending;
};

static void
offloop_free(struct offloop_run *r)
{
	ev_timer_disarm(r->loop, &r->timer);
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	cJSON_Delete(r->input);
	tool_result_fini(&r->res);
	free(r);
}

static void
offloop_cancel(struct tool_run *base)
{
	struct offloop_run *r = (struct offloop_run *)base;

	if (r->queued) {
		atomic_store(&r->cancelled, true);
		/* what the job waits for (a document's reader) ends now */
		if (r->stop_fd >= 0 && eventfd_write(r->stop_fd, 1) < 0)
			log_warn("stopping a tool's job: eventfd_write: %s", strerror(errno));
	} else if (r->in_done) {
		r->free_pending = true;
	} else {
		offloop_free(r);
	}
}

static int
offloop_job(void *ctx)
{
	struct offloop_run *r = ctx;
	int rc;

	/* Cancelled while queued: the call was reported interrupted, so the
	 * tool must not act (a write_file behind a checkpoint). */
	if (atomic_load(&r->cancelled))
		return 0;
	rc = r->run_stoppable ? r->run_stoppable(r->input, r->env, r->stop_fd, &r->res)
	                      : r->run(r->input, r->env, &r->res);
	if (rc < 0)
		tool_result_from_err(&r->res, DH_EFAIL);
	return 0;
}

static void
offloop_deliver(struct offloop_run *r)
{
	r->in_done = true;
	r->done(&r->res, r->ctx);
	r->in_done = false;
	if (r->free_pending)
		offloop_free(r);
}

static void
offloop_job_done(int rc, const char *errmsg, void *ctx)
{
	struct offloop_run *r = ctx;

	(void)rc;
	(void)errmsg;
	r->queued = false;
	if (atomic_load(&r->cancelled))
		offloop_free(r);
	else
		offloop_deliver(r);
}

static void
offloop_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	(void)offloop_job(ctx);
	offloop_deliver(ctx);
}

static int
start_offloop(tool_sync_fn *run, tool_stoppable_fn *run_stoppable, const cJSON *input,
              struct tool_env *env, bool on_worker, struct tool_run **out, tool_done_fn *done,
              void *ctx)
{
	struct offloop_run *r = xcalloc(1, sizeof *r);

	r->base.cancel = offloop_cancel;
	r->loop = env->loop;
	r->run = run;
	r->run_stoppable = run_stoppable;
	r->stop_fd = -1;
	atomic_init(&r->cancelled, false);
	r->input = json_dup(input);
	r->env = env;
	r->done = done;
	r->ctx = ctx;
	tool_result_init(&r->res);
	ev_timer_init(&r->timer, offloop_timer, r);
	*out = &r->base;
	if (!on_worker || !env->worker) {
		ev_timer_arm(r->loop, &r->timer, 0);
		return 0;
	}
	/* Without the eventfd the job still ends, at its own limits. */
	if (run_stoppable && (r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		log_warn("a tool's job that cannot be stopped: eventfd: %s", strerror(errno));
	r->queued = true;
	worker_post(env->worker, offloop_job, offloop_job_done, r);
	return 0;
}

int
tool_start_deferred(tool_sync_fn *run, const cJSON *input, struct tool_env *env, bool on_worker,
                    struct tool_run **out, tool_done_fn *done, void *ctx)
{
	return start_offloop(run, NULL, input, env, on_worker, out, done, ctx);
}

int
tool_start_deferred_stoppable(tool_stoppable_fn *run, const cJSON *input, struct tool_env *env,
                              bool on_worker, struct tool_run **out, tool_done_fn *done,
                              void *ctx)
{
	return start_offloop(NULL, run, input, env, on_worker, out, done, ctx);
}

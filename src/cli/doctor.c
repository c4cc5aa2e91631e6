/* SPDX-License-Identifier: MIT */
/*
 * `deskhand doctor`: prints the sandbox readiness checks of sandbox/probe.h,
 * one line each with the fix under it, or as JSON. The checks themselves
 * live in the probe module (run_command's refusal shares them).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/managed.h"
#include "config/mcp_config.h"
#include "config/settings.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "sandbox/probe.h"
#include "telemetry/otlp_export.h"

static const char doctor_usage[] =
	"usage: deskhand doctor [--json]\n"
	"\n"
	"Check that this machine can run the agent's commands in the sandbox:\n"
	"bubblewrap and its version, user namespaces (and AppArmor's restriction),\n"
	"a real trial run of deskhand-sandbox, seccomp, Landlock, the process limit,\n"
	"openat2, inotify limits and the state directory's file system; pandoc and a\n"
	"PDF engine for write_document (info only: nothing else needs them); that the\n"
	"config files load, and your mcp.json and this folder's trusted .mcp.json (a\n"
	"failure naming the file, its line and the error when one does not); which\n"
	"scheduler 'deskhand schedule' installs into and whether lingering is on; the\n"
	"connectors that run without the sandbox (\"sandbox\": false in your mcp.json\n"
	"or this folder's trusted .mcp.json); the managed policy (/etc/deskhand/policy):\n"
	"none, accepted (owned by root, writable by nobody else) or refused, and its\n"
	"locks, rules, egress hosts and connectors; where OpenTelemetry data goes\n"
	"(otel_endpoint or OTEL_EXPORTER_OTLP_ENDPOINT), or why it is off. Every problem\n"
	"comes with its fix.\n"
	"DH_BWRAP overrides the bubblewrap binary,\n"
	"DH_SANDBOX the sandbox helper, DH_PANDOC pandoc.\n"
	"\n"
	"      --json   print {\"ok\", \"can_sandbox\", \"checks\": [{name, status,\n"
	"               detail, fix}], \"scheduler\": {installer, why, linger},\n"
	"               \"policy\": {path, status, owner, mode, locks, rules,\n"
	"               egress, mcp}}; status is none, accepted or refused\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when every check passed or only warned, 1 when one failed\n"
	"(then run_command is refused), 2 usage.\n";

/* The managed policy as doctor sees it: a "managed-policy" check (info when
 * there is none, ok when accepted, fail when refused or unreadable: deskhand
 * does not start then), the lines under it for people and the "policy"
 * object for --json. */
struct policy_view {
	cJSON *json;
	struct buf lines;
};

static void
add_check(struct probe_report *r, enum probe_level level, char *detail, char *fix)
{
	ARRAY_GROW(r->checks, r->n, r->cap, 1);
	r->checks[r->n++] = (struct probe_check){
		.name = "managed-policy", .level = level, .detail = detail, .fix = fix
	};
}

static void
refuse_policy(struct probe_report *r, struct policy_view *v, char *why)
{
	json_add_str(v->json, "status", "refused");
	json_add_str(v->json, "error", why);
	add_check(r, PROBE_FAIL, why,
		  xstrdup("deskhand does not start until the administrator fixes it "
			  "(docs/policy.md)"));
}

static void
check_policy(struct probe_report *r, struct policy_view *v)
{
	const char *path = managed_path();
	struct stat st;
	int rc = managed_check_file(path);
	struct config c;

	v->json = json_new_obj();
	json_add_str(v->json, "path", path);
	if (rc == 0) {
		json_add_str(v->json, "status", "none");
		add_check(r, PROBE_INFO, xasprintf("managed policy: none (%s does not exist)", path),
			  NULL);
		return;
	}
	if (stat(path, &st) == 0) {
		json_add_num(v->json, "owner", (double)st.st_uid);
		char mode[8];

		snprintf(mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
		json_add_str(v->json, "mode", mode);
	}
	if (rc < 0) {
		refuse_policy(r, v, xstrdup(err_msg()));
		return;
	}
	if (config_load(&c) < 0) {
		char *why = xstrdup(err_msg());
		size_t n = strlen(path);

		config_fini(&c);
		/* A bad line of the policy refuses it; one of the person's does not. */
		if (!strncmp(why, path, n) && why[n] == ':') {
			refuse_policy(r, v, why);
			return;
		}
		json_add_str(v->json, "status", "accepted");
		add_check(r, PROBE_WARN,
			  xasprintf("managed policy %s: accepted, but your config does not load: %s",
				    path, why),
			  xstrdup("fix the line it names"));
		free(why);
		return;
	}
	cJSON *pol = settings_policy_json(&c);
	const cJSON *it;

	json_add_str(v->json, "status", "accepted");
	cJSON_ArrayForEach(it, pol)
	{
		if (strcmp(it->string, "file") != 0)
			json_add(v->json, it->string, json_dup(it));
	}
	add_check(r, PROBE_OK,
		  xasprintf("managed policy %s: accepted (owned by root, mode %s; locks %zu, "
			    "rules %zu, connector lines %zu)",
			    path, json_str(v->json, "mode") ? json_str(v->json, "mode") : "?",
			    c.locks.n, c.policy_rules.n, c.mcp_allow.n),
		  NULL);
	for (size_t i = 0; i < c.locks.n; i++) {
		int k = config_option_index(c.locks.v[i].name);

		if (k >= 0)
			buf_printf(&v->lines, "     lock %s = %s (%s)\n", c.locks.v[i].name,
				   config_option_value(&c, (size_t)k), c.locks.v[i].where);
		else
			buf_printf(&v->lines, "     lock %s (%s)\n", c.locks.v[i].name,
				   c.locks.v[i].where);
	}
	for (size_t i = 0; i < c.policy_rules.n; i++) {
		char *line = config_rule_format(&c.policy_rules.v[i]);

		buf_printf(&v->lines, "     %s (%s)\n", line, c.policy_rules.v[i].where);
		free(line);
	}
	for (size_t i = 0; i < c.egress.n; i++)
		if (managed_sets(&c, c.egress.v[i].where))
			buf_printf(&v->lines, "     allow egress %s (%s)\n", c.egress.v[i].text,
				   c.egress.v[i].where);
	for (size_t i = 0; i < c.mcp_allow.n; i++)
		buf_printf(&v->lines, "     allow %s (%s)\n", c.mcp_allow.v[i].text,
			   c.mcp_allow.v[i].where);
	cJSON_Delete(pol);
	config_fini(&c);
}

static void
print_human(const struct probe_report *r, bool ok, struct policy_view *v)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct probe_check *c = &r->checks[i];

		printf("%-4s %s\n", probe_level_name(c->level), c->detail);
		if (c->fix && c->level != PROBE_OK)
			printf("     fix: %s\n", c->fix);
		if (!strcmp(c->name, "managed-policy"))
			fputs(buf_cstr(&v->lines), stdout);
	}
	struct buf sched = BUF_INIT;

	cli_schedule_doctor(&sched, NULL);
	fputs(buf_cstr(&sched), stdout);
	buf_fini(&sched);
	if (ok && r->can_sandbox)
		printf("\ndeskhand can run commands in the sandbox.\n");
	else if (r->can_sandbox)
		printf("\nThe sandbox works, but see the failures above.\n");
	else
		printf("\ndeskhand cannot sandbox commands on this machine: run_command is refused "
		       "until the\nfailures above are fixed (deskhand run "
		       "--dangerously-run-commands-unsandboxed\nruns them without any sandbox, "
		       "at your own risk).\n");
}

static void
print_json(const struct probe_report *r, bool ok, struct policy_view *v)
{
	cJSON *o = json_new_obj(), *arr = json_new_arr();

	json_add_bool(o, "ok", ok);
	json_add_bool(o, "can_sandbox", r->can_sandbox);
	for (size_t i = 0; i < r->n; i++) {
		cJSON *c = json_new_obj();

		json_add_str(c, "name", r->checks[i].name);
		json_add_str(c, "status",
		             r->checks[i].level == PROBE_FAIL
		                     ? "fail"
		                     : probe_level_name(r->checks[i].level));
		json_add_str(c, "detail", r->checks[i].detail);
		if (r->checks[i].fix)
			json_add_str(c, "fix", r->checks[i].fix);
		cJSON_AddItemToArray(arr, c);
	}
	json_add(o, "checks", arr);
	cli_schedule_doctor(NULL, o);
	json_add(o, "policy", v->json);
	v->json = NULL;
	char *s = json_print(o);

	puts(s);
	free(s);
	cJSON_Delete(o);
}

/* A check named `name` of `level` (details and fixes heap, the report's). */
static void
add_named(struct probe_report *r, const char *name, enum probe_level level, char *detail,
	  char *fix)
{
	ARRAY_GROW(r->checks, r->n, r->cap, 1);
	r->checks[r->n++] = (struct probe_check){
		.name = name, .level = level, .detail = detail, .fix = fix
	};
}

/* The "config" check: the config files load (the person's, $DH_CONFIG, the
 * managed policy's), or the first bad line as "FILE:LINE: message", a
 * failure: no task starts while it is there. */
static void
check_config(struct probe_report *r)
{
	struct config c;

	if (config_load(&c) < 0)
		add_named(r, "config", PROBE_FAIL, xasprintf("config: %s", err_msg()),
			  xstrdup("correct or remove the line it names (docs/config.md): "
				  "deskhand starts no task until then"));
	else
		add_named(r, "config", PROBE_OK, xstrdup("config: the config files load"), NULL);
	config_fini(&c);
}

/* A connector file that does not load: an "mcp-config" failure naming it
 * and the error (none of its connectors starts, nor does a session). */
static void
mcp_file_failed(struct probe_report *r, struct mcp_entries *es)
{
	add_named(r, "mcp-config", PROBE_FAIL, xasprintf("connectors: %s", err_msg()),
		  xstrdup("correct the file (docs/mcp.md; deskhand mcp list shows what loads)"));
	mcp_entries_fini(es); /* a file that does not load starts nothing */
}

/* The person's mcp.json and the current folder's .mcp.json when trusted: a
 * failure for a file that does not load, and one "mcp-unsandboxed" warning
 * per connector that runs without the sandbox. */
static void
check_connectors(struct probe_report *r)
{
	struct mcp_entries es = ARRAY_INIT;
	char *user = mcp_config_user_path(), *folder = xstrdup("./.mcp.json");
	struct buf b = BUF_INIT;

	int rc = user ? mcp_config_load(&es, user, MCP_CONFIG_RAW) : DH_ENOTFOUND;

	if (rc < 0 && rc != DH_ENOTFOUND)
		mcp_file_failed(r, &es);
	if (fsutil_read_file(folder, MCP_CONFIG_MAX, &b) == 0) {
		char *real = realpath(folder, NULL);

		if (real && mcp_trust_check(real, b.ptr ? b.ptr : "", b.len) == MCP_TRUST_YES &&
		    mcp_config_parse(&es, b.ptr ? b.ptr : "", b.len, real, MCP_CONFIG_RAW) < 0)
			mcp_file_failed(r, &es);
		free(real);
	}
	for (size_t i = 0; i < es.n; i++) {
		if (!es.v[i].unsandboxed)
			continue;
		ARRAY_GROW(r->checks, r->n, r->cap, 1);
		r->checks[r->n++] = (struct probe_check){
			.name = "mcp-unsandboxed",
			.level = PROBE_WARN,
			.detail = xasprintf("connector %s runs WITHOUT the sandbox (\"sandbox\": false in %s)",
			                    es.v[i].name, es.v[i].origin),
			.fix = xasprintf("remove \"sandbox\": false from %s unless you trust %s with "
			                 "everything you can reach", es.v[i].origin, es.v[i].name),
		};
	}
	buf_fini(&b);
	mcp_entries_fini(&es);
	free(user);
	free(folder);
}

/* Where telemetry goes (docs/telemetry.md): the endpoint and the setting or
 * variable that named it, "off" and why, or the setting at fault. */
static void
check_telemetry(struct probe_report *r)
{
	struct config c;
	struct otlp_settings st = { 0 };
	char *detail, *fix = NULL;
	enum probe_level level = PROBE_INFO;

	if (config_load(&c) < 0) {
		/* the "config" check names the line */
		detail = xstrdup("telemetry: not known while the config does not load");
		level = PROBE_WARN;
		config_fini(&c);
		goto add;
	}
	struct otlp_settings_in in = {
		.headers = c.otel_headers,
		.locked = managed_lock(&c, "otel_endpoint") != NULL,
	};

	in.endpoint = settings_value(&c, CONFIG_I_otel_endpoint, &in.endpoint_from);
	in.protocol = settings_value(&c, CONFIG_I_otel_protocol, &in.protocol_from);

	if (otlp_export_settings(&st, &in) < 0) {
		detail = xasprintf("telemetry: %s", err_msg());
		fix = xstrdup("correct the setting or variable named (docs/telemetry.md); a task "
			      "does not start while it is wrong");
		level = PROBE_WARN;
	} else if (st.endpoint) {
		detail = xasprintf("telemetry: OpenTelemetry to %s (%s, from %s%s)", st.endpoint,
				   st.protocol == OTLP_JSON ? "http/json" : "http/protobuf",
				   st.endpoint_from,
				   strcmp(c.otel_log_content, "on")
					   ? ""
					   : "; otel_log_content = on: prompts and output too");
	} else {
		detail = xasprintf("telemetry: off (%s)", st.why_off);
	}
	otlp_export_settings_fini(&st);
	config_fini(&c);
add:
	ARRAY_GROW(r->checks, r->n, r->cap, 1);
	r->checks[r->n++] = (struct probe_check){
		.name = "telemetry", .level = level, .detail = detail, .fix = fix };
}

int
cli_doctor(int argc, char **argv)
{
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(doctor_usage, stdout);
			return 0;
		} else {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand doctor: unknown argument '%s'\n%s",
			        utf8_sanitized(&shown, argv[i]), doctor_usage);
			buf_fini(&shown);
			return 2;
		}
	}
	char *state = NULL, *sandbox = probe_sandbox_path();
	struct probe_report r;

	if (fsutil_state_dir(&state) < 0)
		state = xstrdup("/");
	if (probe_run(&r, sandbox, state) < 0) {
		fprintf(stderr, "deskhand doctor: %s\n", err_msg());
		free(state);
		free(sandbox);
		return 1;
	}
	check_config(&r);
	check_connectors(&r);
	check_telemetry(&r);
	struct policy_view pv = { .lines = BUF_INIT };

	check_policy(&r, &pv);
	bool ok = true;

	for (size_t i = 0; i < r.n; i++)
		ok &= r.checks[i].level != PROBE_FAIL;
	if (json)
		print_json(&r, ok, &pv);
	else
		print_human(&r, ok, &pv);
	fflush(stdout);
	cJSON_Delete(pv.json);
	buf_fini(&pv.lines);
	probe_report_fini(&r);
	free(state);
	free(sandbox);
	return ok ? 0 : 1;
}

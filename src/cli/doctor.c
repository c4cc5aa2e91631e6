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

#include "config/config.h"
#include "config/managed.h"
#include "config/mcp_config.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/fsutil.h"
#include "core/json.h"
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
	"PDF engine for write_document (info only: nothing else needs them); which\n"
	"scheduler 'deskhand schedule' installs into and whether lingering is on; the\n"
	"connectors that run without the sandbox (\"sandbox\": false in your mcp.json\n"
	"or this folder's trusted .mcp.json); where OpenTelemetry data goes (otel_endpoint\n"
	"or OTEL_EXPORTER_OTLP_ENDPOINT), or why it is off. Every problem comes with its fix.\n"
	"DH_BWRAP overrides the bubblewrap binary,\n"
	"DH_SANDBOX the sandbox helper, DH_PANDOC pandoc.\n"
	"\n"
	"      --json   print {\"ok\", \"can_sandbox\", \"checks\": [{name, status,\n"
	"               detail, fix}], \"scheduler\": {installer, why, linger}}\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when every check passed or only warned, 1 when one failed\n"
	"(then run_command is refused), 2 usage.\n";

static void
print_human(const struct probe_report *r, bool ok)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct probe_check *c = &r->checks[i];

		printf("%-4s %s\n", probe_level_name(c->level), c->detail);
		if (c->fix && c->level != PROBE_OK)
			printf("     fix: %s\n", c->fix);
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
print_json(const struct probe_report *r, bool ok)
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
	char *s = json_print(o);

	puts(s);
	free(s);
	cJSON_Delete(o);
}

/* One "mcp-unsandboxed" warning per connector that runs without the sandbox:
 * the person's mcp.json and the current folder's .mcp.json when trusted. */
static void
check_connectors(struct probe_report *r)
{
	struct mcp_entries es = ARRAY_INIT;
	char *user = mcp_config_user_path(), *folder = xstrdup("./.mcp.json");
	struct buf b = BUF_INIT;

	if (user && mcp_config_load(&es, user) < 0)
		mcp_entries_fini(&es); /* a file that does not load starts nothing */
	if (fsutil_read_file(folder, MCP_CONFIG_MAX, &b) == 0) {
		char *real = realpath(folder, NULL);

		if (real && mcp_trust_check(real, b.ptr ? b.ptr : "", b.len) == MCP_TRUST_YES &&
		    mcp_config_parse(&es, b.ptr ? b.ptr : "", b.len, real) < 0)
			mcp_entries_fini(&es);
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
		detail = xasprintf("telemetry: the config does not load: %s", err_msg());
		level = PROBE_WARN;
		config_fini(&c);
		goto add;
	}
	struct otlp_settings_in in = {
		.endpoint = c.otel_endpoint,
		.protocol = c.set_at[CONFIG_I_otel_protocol] ? c.otel_protocol : NULL,
		.headers = c.otel_headers,
		.locked = managed_lock(&c, "otel_endpoint") != NULL,
	};

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
			fprintf(stderr, "deskhand doctor: unknown argument '%s'\n%s", argv[i],
			        doctor_usage);
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
	check_connectors(&r);
	check_telemetry(&r);
	bool ok = true;

	for (size_t i = 0; i < r.n; i++)
		ok &= r.checks[i].level != PROBE_FAIL;
	if (json)
		print_json(&r, ok);
	else
		print_human(&r, ok);
	fflush(stdout);
	probe_report_fini(&r);
	free(state);
	free(sandbox);
	return ok ? 0 : 1;
}

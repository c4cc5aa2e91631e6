/* SPDX-License-Identifier: MIT */
/*
 * Audit log overhead per tool call: the events of one call (tool_call with a
 * 2 KiB file content, the rule's decision, tool_result with 4 KiB of output,
 * checkpoint) go through the engine's audit sink exactly as its fan-out does
 * (record, SHA-256 chain, write(2); fdatasync and keyed heads on the worker,
 * drained between runs and not counted: the loop does not wait for them).
 * The reference, in the same run, serialises the same events as every sink
 * does anyway (event_to_json, json_print) without the audit sink; the
 * overhead is the difference, per call. Prints median, min and max over
 * RUNS runs of CALLS calls each, in milliseconds, of wall time and of the
 * loop thread's CPU time (on a loaded machine the wall time mostly measures
 * the scheduler).
 *   usage: bench-audit [RUNS [CALLS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "agent/event.h"
#include "config/config.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "engine/audit_sink.h"

/* One call's events, serialised as the transcript and the clients do; with
 * `s`, recorded by the audit sink first, as fan_out() does. */
static void
one_call(struct audit_sink *s, int i, const cJSON *input, const char *output)
{
	char id[32], commit[41];

	snprintf(id, sizeof id, "toolu_%d", i);
	snprintf(commit, sizeof commit, "%040d", i);
	const struct event evs[] = {
		{ .type = EVENT_TOOL_CALL, .id = id, .name = "write_file", .input = input },
		{ .type = EVENT_APPROVAL_DECIDED, .id = id, .approved = true,
		  .text = "rule 'allow write_file' (/home/u/.config/deskhand/config:1)" },
		{ .type = EVENT_TOOL_RESULT, .id = id, .name = "write_file", .output = output,
		  .duration_ms = 3 },
		{ .type = EVENT_CHECKPOINT, .id = commit, .short_id = "0000000", .grant = "/w",
		  .tool_call = id, .turn = i, .files_changed = 1, .text = "1 file" },
	};

	for (size_t k = 0; k < sizeof evs / sizeof *evs; k++) {
		if (s && audit_sink_event(s, &evs[k]) < 0)
			die("audit: %s", err_msg());
		cJSON *j = event_to_json(&evs[k]);
		char *line = json_print(j);

		free(line);
		cJSON_Delete(j);
	}
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 25;
	int calls = argc > 2 ? atoi(argv[2]) : 200;
	char tmpl[] = "/tmp/dhbenchauditXXXXXX";
	char *root = mkdtemp(tmpl);
	struct ev_loop *loop;
	struct worker *w;
	struct config cfg;

	if (!root || ev_new(&loop) < 0 || worker_new(&w, loop) < 0)
		die("bench-audit: setup: %s", err_msg());
	if (config_load(&cfg) < 0)
		die("bench-audit: %s", err_msg());
	char *key = xasprintf("%s/audit.key", root);

	free(cfg.audit_key);
	cfg.audit_key = key;
	cJSON *input = json_new_obj();
	char *content = xmalloc(2049), *output = xmalloc(4097);

	memset(content, 'c', 2048);
	content[2048] = '\0';
	memset(output, 'o', 4096);
	output[4096] = '\0';
	json_add_str(input, "path", "notes/summary.md");
	json_add_str(input, "content", content);
	double *over = xcalloc((size_t)runs, sizeof *over);
	double *over_cpu = xcalloc((size_t)runs, sizeof *over_cpu);
	double ref_total = 0, aud_total = 0;

	for (int r = 0; r < runs; r++) {
		char *dir = xasprintf("%s/20261204-120000-%04d", root, r);
		struct audit_sink *s;

		if (mkdir(dir, 0700) < 0 || audit_sink_open(&s, w, &cfg, dir, dir + strlen(root) + 1) < 0)
			die("bench-audit: %s", err_msg());
		/* alternate which goes first, so neither always gets the warm cache */
		double ref = 0, aud = 0, ref_cpu = 0, aud_cpu = 0;

		for (int half = 0; half < 2; half++) {
			bool audited = (half == 0) == (r % 2 == 0);
			double t0 = bench_now_ms(), c0 = bench_cpu_ms();

			for (int i = 0; i < calls; i++)
				one_call(audited ? s : NULL, i, input, output);
			double t = bench_now_ms() - t0, c = bench_cpu_ms() - c0;

			if (audited) {
				aud = t;
				aud_cpu = c;
			} else {
				ref = t;
				ref_cpu = c;
			}
			worker_drain(w); /* the syncs, off the clock */
		}
		audit_sink_close(s);
		over[r] = (aud - ref) / calls;
		over_cpu[r] = (aud_cpu - ref_cpu) / calls;
		ref_total += ref;
		aud_total += aud;
		free(dir);
	}
	bench_sort(over, (size_t)runs);
	bench_sort(over_cpu, (size_t)runs);
	printf("audit overhead per tool call (4 records; %d runs x %d calls; target < 0.2 ms "
	       "median)\n", runs, calls);
	printf("  wall time:        median %.4f ms, min %.4f ms, max %.4f ms\n", over[runs / 2],
	       over[0], over[runs - 1]);
	printf("  loop thread CPU:  median %.4f ms, min %.4f ms, max %.4f ms\n",
	       over_cpu[runs / 2], over_cpu[0], over_cpu[runs - 1]);
	printf("  per call, mean of all runs: reference (events serialised, no audit) %.4f ms, "
	       "with the audit sink %.4f ms\n",
	       ref_total / ((double)runs * calls), aud_total / ((double)runs * calls));
	char *cmd = xasprintf("rm -rf '%s'", root);

	if (system(cmd) != 0)
		fprintf(stderr, "bench-audit: could not remove %s\n", root);
	free(cmd);
	free(over);
	free(over_cpu);
	free(content);
	free(output);
	cJSON_Delete(input);
	config_fini(&cfg);
	worker_free(w);
	ev_free(loop);
	return 0;
}

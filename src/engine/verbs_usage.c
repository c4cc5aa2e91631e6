/* SPDX-License-Identifier: MIT */
/*
 * deskhand usage: tokens and cost summed from the sessions' transcripts
 * (their `usage` records, as the provider reported them), by day, model or
 * session. Reads only; not the spend caps (policy/spend.h).
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "llm/llm.h"
#include "session/session.h"

static const char usage_usage[] =
	"usage: deskhand usage [--by day|model|session] [--since DATE] [--json]\n"
	"\n"
	"Tokens and cost of the model requests of every session, from the sessions'\n"
	"transcripts (what the provider reported), one row per day (local time, the\n"
	"default), model or session, then the total. Days and models are sorted;\n"
	"sessions come in the order they started, as in `deskhand sessions`.\n"
	"\n"
	"      --by KEY          day, model or session\n"
	"      --since DATE      only requests on or after DATE (YYYY-MM-DD, local)\n"
	"      --json            {by, rows: [{key, requests, input_tokens,\n"
	"                        output_tokens, cache_read_tokens,\n"
	"                        cache_creation_tokens, cost_usd, unpriced}], total}\n"
	"  -h, --help            show this help\n"
	"\n"
	"cost_usd counts the requests whose model has a price; unpriced is how many\n"
	"had none (shown as '+?' after the cost).\n"
	"Exit status: 0; 1 when a transcript could not be read, or is missing while\n"
	"its meta.json records requests (a warning names it; the rest are summed),\n"
	"or when the report could not be written (a full disk); 2 usage.\n";

enum usage_by { BY_DAY, BY_MODEL, BY_SESSION };

static const char *const by_names[] = {
	[BY_DAY] = "day",
	[BY_MODEL] = "model",
	[BY_SESSION] = "session",
};

struct row {
	char *key;
	long requests;
	long long input, output, cache_read, cache_creation;
	double cost_usd;
	long unpriced;
};

struct scan {
	enum usage_by by;
	long long since_ms; /* 0: all */
	const char *session;
	char *model; /* of the latest session_started record */
	ARRAY(struct row) rows;
};

static void
row_add(struct row *r, const cJSON *rec)
{
	const cJSON *cost = cJSON_GetObjectItemCaseSensitive(rec, "cost_usd");

	r->requests++;
	/* a request's counts as a provider reads them (llm.h), whatever the
	 * transcript holds: their sums cannot overflow */
	r->input += json_int_clamp(rec, "input_tokens", 0, LLM_TOKENS_MAX, 0);
	r->output += json_int_clamp(rec, "output_tokens", 0, LLM_TOKENS_MAX, 0);
	r->cache_read += json_int_clamp(rec, "cache_read_tokens", 0, LLM_TOKENS_MAX, 0);
	r->cache_creation += json_int_clamp(rec, "cache_creation_tokens", 0, LLM_TOKENS_MAX, 0);
	if (cJSON_IsNumber(cost) && cost->valuedouble >= 0)
		r->cost_usd += cost->valuedouble;
	else
		r->unpriced++;
}

static struct row *
row_get(struct scan *s, const char *key)
{
	for (size_t i = 0; i < s->rows.n; i++)
		if (!strcmp(s->rows.v[i].key, key))
			return &s->rows.v[i];
	ARRAY_GROW(s->rows.v, s->rows.n, s->rows.cap, 1);
	struct row *r = &s->rows.v[s->rows.n++];

	*r = (struct row){ .key = xstrdup(key) };
	return r;
}

static void
day_of(char out[16], long long ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(out, 16, "?");
}

static void
on_record(const cJSON *rec, void *ctx)
{
	struct scan *s = ctx;
	const char *type = json_str(rec, "type");
	char day[16];

	if (!type)
		return;
	if (!strcmp(type, "session_started")) {
		free(s->model);
		s->model = xstrdup(json_str(rec, "model") ? json_str(rec, "model") : "?");
		return;
	}
	if (strcmp(type, "usage") != 0)
		return;
	long long ts = json_int(rec, "ts", 0);

	if (s->since_ms && ts < s->since_ms)
		return;
	const char *key = s->session;

	if (s->by == BY_DAY) {
		day_of(day, ts);
		key = day;
	} else if (s->by == BY_MODEL) {
		key = s->model ? s->model : "?";
	}
	row_add(row_get(s, key), rec);
}

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key, ((const struct row *)b)->key);
}

/* Local midnight of YYYY-MM-DD in ms; -1 when `v` is not such a date. */
static long long
parse_date(const char *v)
{
	struct tm tm = { 0 };
	char *end = strptime(v, "%Y-%m-%d", &tm);

	if (!end || *end || strlen(v) != 10)
		return -1;
	tm.tm_isdst = -1;
	struct tm want = tm;
	time_t t = mktime(&tm);

	/* a day the calendar has: mktime() makes 2026-02-30 March 2nd */
	if (t == (time_t)-1 || tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
	    tm.tm_mday != want.tm_mday)
		return -1;
	return (long long)t * 1000;
}

/* Session `id` has no transcript: true, said on stderr, when its
 * meta.json records requests all the same (their spending is not
 * counted); false for one that made none (killed before its first). */
static bool
transcript_gone(const char *state, const char *id)
{
	cJSON *meta = NULL;
	struct session_totals t = { 0 };
	bool gone = false;

	if (session_meta_read(state, id, &meta) == 0 &&
	    session_totals(state, id, meta, &t) >= 0 &&
	    (t.input_tokens || t.output_tokens || t.cost_usd > 0)) {
		fprintf(stderr, "deskhand: warning: session %s: %s/sessions/%s/transcript.jsonl is "
		                "missing: the %lld input and %lld output tokens ($%.4f) its "
		                "meta.json records are not counted\n",
		        id, state, id, t.input_tokens, t.output_tokens, t.cost_usd);
		gone = true;
	}
	cJSON_Delete(meta);
	return gone;
}

static cJSON *
row_json(const struct row *r, bool with_key)
{
	cJSON *o = json_new_obj();

	if (with_key)
		json_add_str(o, "key", r->key);
	json_add_num(o, "requests", (double)r->requests);
	json_add_num(o, "input_tokens", (double)r->input);
	json_add_num(o, "output_tokens", (double)r->output);
	json_add_num(o, "cache_read_tokens", (double)r->cache_read);
	json_add_num(o, "cache_creation_tokens", (double)r->cache_creation);
	json_add_num(o, "cost_usd", r->cost_usd);
	json_add_num(o, "unpriced", (double)r->unpriced);
	return o;
}

/* One row; its key printable (utf8_sanitized()): a model's name is what
 * the session was given. */
static void
row_print(const struct row *r, const char *key)
{
	struct buf b = BUF_INIT;

	printf("%-28s %8ld %12lld %12lld %12lld %12lld  $%.4f%s\n", utf8_sanitized(&b, key),
	       r->requests, r->input, r->output, r->cache_read, r->cache_creation, r->cost_usd,
	       r->unpriced ? " +?" : "");
	buf_fini(&b);
}

int
verbs_usage(int argc, char **argv, unsigned flags)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan s = { .by = BY_DAY };
	bool json = false, by_ok;
	int opt;

	(void)flags;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			by_ok = false;
			for (size_t i = 0; i < sizeof by_names / sizeof *by_names; i++)
				if (!strcmp(optarg, by_names[i])) {
					s.by = (enum usage_by)i;
					by_ok = true;
				}
			if (!by_ok) {
				struct buf shown = BUF_INIT;

				fprintf(stderr,
				        "deskhand usage: --by '%s': expected day, model or "
				        "session\n",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				return 2;
			}
			break;
		case 's':
			s.since_ms = parse_date(optarg);
			if (s.since_ms < 0) {
				struct buf shown = BUF_INIT;

				fprintf(stderr,
				        "deskhand usage: --since '%s': expected a date "
				        "YYYY-MM-DD\n",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'h': fputs(usage_usage, stdout); return 0;
		default:
			client_verb_bad_option("usage", opt, argv);
			fputs(usage_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand usage: unexpected argument '%s'\n%s",
		        utf8_sanitized(&shown, argv[optind]), usage_usage);
		buf_fini(&shown);
		return 2;
	}
	char *state = NULL, **ids = NULL;
	size_t n = 0;

	/* Damaged sessions too (no meta.json): what their transcripts record
	 * was spent all the same. */
	if (fsutil_state_dir(&state) < 0 || session_list_all(state, &ids, &n) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		free(state);
		return 1;
	}
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		s.session = ids[i];
		free(s.model);
		s.model = NULL;
		int trc = engine_transcript_each(state, ids[i], on_record, &s);

		if (trc == DH_ENOTFOUND && transcript_gone(state, ids[i])) {
			rc = 1;
		} else if (trc == DH_EFAIL) {
			fprintf(stderr, "deskhand: session %s: %s\n", ids[i], err_msg());
			rc = 1;
		}
	}
	/* Days and models in key order; sessions as `deskhand sessions` lists
	 * them, in the order they started (session_list_all(), whose order the rows
	 * were made in): ids of one second differ only by a random suffix. */
	if (s.rows.n && s.by != BY_SESSION)
		qsort(s.rows.v, s.rows.n, sizeof *s.rows.v, row_cmp);
	struct row total = { .key = (char *)"total" };

	for (size_t i = 0; i < s.rows.n; i++) {
		const struct row *r = &s.rows.v[i];

		total.requests += r->requests;
		total.input += r->input;
		total.output += r->output;
		total.cache_read += r->cache_read;
		total.cache_creation += r->cache_creation;
		total.cost_usd += r->cost_usd;
		total.unpriced += r->unpriced;
	}
	if (json) {
		cJSON *o = json_new_obj(), *rows = json_new_arr();

		json_add_str(o, "by", by_names[s.by]);
		for (size_t i = 0; i < s.rows.n; i++)
			json_add(rows, NULL, row_json(&s.rows.v[i], true));
		json_add(o, "rows", rows);
		json_add(o, "total", row_json(&total, false));
		char *text = json_print(o);

		puts(text);
		free(text);
		cJSON_Delete(o);
	} else {
		printf("%-28s %8s %12s %12s %12s %12s  %s\n", by_names[s.by], "requests", "input",
		       "output", "cache read", "cache write", "cost");
		for (size_t i = 0; i < s.rows.n; i++)
			row_print(&s.rows.v[i], s.rows.v[i].key);
		row_print(&total, "total");
	}
	if (fsutil_stdout_flush() < 0) {
		fprintf(stderr, "deskhand usage: %s\n", err_msg());
		rc = 1;
	}
	for (size_t i = 0; i < s.rows.n; i++)
		free(s.rows.v[i].key);
	free(s.rows.v);
	free(s.model);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(state);
	return rc;
}

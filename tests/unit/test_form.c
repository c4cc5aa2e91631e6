/* SPDX-License-Identifier: MIT */
/* Unit tests for core/form.h (MCP elicitation forms: fields, SEP-1034 defaults,
 * checks naming the field), engine/elicit.h (waiting elicitations, never
 * answered by the engine) and the elicit command's wire form. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/event.h"
#include "core/form.h"
#include "core/json.h"
#include "engine/elicit.h"

static cJSON *
parse(const char *s)
{
	cJSON *j = NULL;

	cr_assert_eq(json_parse(&j, s, strlen(s), "test"), 0, "%s", s);
	return j;
}

/* Every kind the spec allows, with defaults on each (SEP-1034). */
static const char schema_all[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"name\":{\"type\":\"string\",\"title\":\"Name\",\"minLength\":2,\"maxLength\":5,"
	"\"default\":\"Ann\"},"
	"\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150,\"default\":30},"
	"\"ratio\":{\"type\":\"number\",\"default\":0.5},"
	"\"ok\":{\"type\":\"boolean\",\"default\":true},"
	"\"color\":{\"type\":\"string\",\"enum\":[\"red\",\"green\"],"
	"\"enumNames\":[\"Red\",\"Green\"],\"default\":\"green\"},"
	"\"size\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"s\",\"title\":\"Small\"},"
	"{\"const\":\"l\",\"title\":\"Large\"}]},"
	"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"a\",\"b\",\"c\"]},"
	"\"maxItems\":2,\"default\":[\"a\"]},"
	"\"mail\":{\"type\":\"string\",\"format\":\"email\"}},"
	"\"required\":[\"name\",\"color\"]}";

Test(form, fields_kinds_and_defaults)
{
	cJSON *s = parse(schema_all);
	struct form fm;

	cr_assert_eq(form_from_schema(&fm, s), 0, "%s", err_msg());
	cr_assert_eq(fm.n, 8);
	cr_assert_str_eq(fm.f[0].name, "name");
	cr_assert_str_eq(fm.f[0].title, "Name");
	cr_assert(fm.f[0].required);
	cr_assert_str_eq(fm.f[0].text, "Ann");
	cr_assert_eq(fm.f[1].kind, FORM_INTEGER);
	cr_assert_str_eq(fm.f[1].text, "30");
	cr_assert_str_eq(fm.f[2].text, "0.5");
	cr_assert_eq(fm.f[3].kind, FORM_BOOLEAN);
	cr_assert_str_eq(fm.f[3].text, "yes");
	cr_assert_eq(fm.f[4].kind, FORM_ENUM);
	cr_assert(fm.f[4].required);
	cr_assert_str_eq(fm.f[4].text, "green");
	cr_assert_eq(fm.f[5].kind, FORM_ENUM);
	cr_assert_eq(fm.f[5].noptions, 2);
	cr_assert_str_eq(fm.f[5].labels[1], "Large");
	cr_assert_eq(fm.f[6].kind, FORM_MULTI);
	cr_assert_str_eq(fm.f[6].text, "a");
	cr_assert_str_eq(fm.f[7].text, "");

	/* The defaults alone make a valid answer, of the right JSON types. */
	cJSON *c = NULL;
	cr_assert_eq(form_content(&fm, &c, NULL), 0, "%s", err_msg());
	char *out = json_print(c);
	cr_assert_str_eq(out, "{\"name\":\"Ann\",\"age\":30,\"ratio\":0.5,\"ok\":true,"
			      "\"color\":\"green\",\"tags\":[\"a\"]}");
	free(out);
	cr_assert_eq(form_validate(s, c), 0, "%s", err_msg());
	cJSON_Delete(c);
	form_fini(&fm);
	cJSON_Delete(s);
}

Test(form, typed_text_is_checked_and_the_error_names_the_field)
{
	cJSON *s = parse(schema_all), *c = NULL;
	struct form fm;
	size_t bad = 99;

	cr_assert_eq(form_from_schema(&fm, s), 0);
	form_set_text(&fm, 1, "151");
	cr_assert_eq(form_check(&fm, 1), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "age: must be an integer 0–150");
	form_set_text(&fm, 1, "2.5");
	cr_assert_eq(form_check(&fm, 1), DH_EPARSE);
	form_set_text(&fm, 1, "");
	cr_assert_eq(form_check(&fm, 1), 0, "optional and empty: left out");
	form_set_text(&fm, 0, "");
	cr_assert_eq(form_content(&fm, &c, &bad), DH_EPARSE);
	cr_assert_null(c);
	cr_assert_eq(bad, 0);
	cr_assert_str_eq(err_msg(), "name: required");
	form_set_text(&fm, 0, "Annabel");
	cr_assert_eq(form_check(&fm, 0), DH_EPARSE);
	cr_assert(strstr(err_msg(), "name: must be a text of 2–5 characters"), "%s", err_msg());
	form_set_text(&fm, 0, "Bo");
	form_set_text(&fm, 3, "maybe");
	cr_assert_eq(form_check(&fm, 3), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "ok: must be yes or no");
	form_set_text(&fm, 3, "N");
	form_set_text(&fm, 4, "Red"); /* a title stands for its value */
	form_set_text(&fm, 5, "purple");
	cr_assert_eq(form_check(&fm, 5), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "size: must be one of s (Small), l (Large)");
	form_set_text(&fm, 5, "l");
	form_set_text(&fm, 6, "a, b, c");
	cr_assert_eq(form_check(&fm, 6), DH_EPARSE);
	cr_assert(strstr(err_msg(), "tags: must be a list of"), "%s", err_msg());
	form_set_text(&fm, 6, "b,c");
	form_set_text(&fm, 7, "not-an-address");
	cr_assert_eq(form_check(&fm, 7), DH_EPARSE);
	cr_assert(strstr(err_msg(), "mail: not a valid email"), "%s", err_msg());
	form_set_text(&fm, 7, "a@b.org");
	cr_assert_eq(form_content(&fm, &c, &bad), 0, "%s", err_msg());
	char *out = json_print(c);
	cr_assert_str_eq(out, "{\"name\":\"Bo\",\"ratio\":0.5,\"ok\":false,\"color\":\"red\","
			      "\"size\":\"l\",\"tags\":[\"b\",\"c\"],\"mail\":\"a@b.org\"}");
	free(out);
	cJSON_Delete(c);
	form_fini(&fm);
	cJSON_Delete(s);
}

Test(form, cycle_steps_through_options_and_booleans)
{
	cJSON *s = parse(schema_all);
	struct form fm;

	cr_assert_eq(form_from_schema(&fm, s), 0);
	cr_assert(form_cycle(&fm, 4, 1));
	cr_assert_str_eq(fm.f[4].text, "red");
	cr_assert(form_cycle(&fm, 4, -1));
	cr_assert_str_eq(fm.f[4].text, "green");
	cr_assert(form_cycle(&fm, 5, 1));
	cr_assert_str_eq(fm.f[5].text, "s");
	cr_assert(form_cycle(&fm, 3, 1));
	cr_assert_str_eq(fm.f[3].text, "no");
	cr_assert_not(form_cycle(&fm, 0, 1));
	form_fini(&fm);
	cJSON_Delete(s);
}

Test(form, validate_answers_from_clients)
{
	cJSON *s = parse(schema_all);
	static const struct {
		const char *content, *error; /* NULL: valid */
	} cases[] = {
		{ "{\"name\":\"Bo\",\"color\":\"red\"}", NULL },
		{ "{\"color\":\"red\"}", "name: required" },
		{ "{\"name\":\"Bo\",\"color\":\"Red\"}", "color: must be one of red (Red), green (Green)" },
		{ "{\"name\":\"Bo\",\"color\":\"red\",\"age\":\"3\"}", "age: must be an integer 0–150" },
		{ "{\"name\":\"Bo\",\"color\":\"red\",\"ok\":1}", "ok: must be yes or no" },
		{ "{\"name\":\"Bo\",\"color\":\"red\",\"x\":1}", "x: the form has no such field" },
		{ "{\"name\":\"Bo\",\"color\":\"red\",\"tags\":[\"z\"]}",
		  "tags: each item must be one of a, b, c" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cJSON *c = parse(cases[i].content);
		int rc = form_validate(s, c);

		if (!cases[i].error)
			cr_assert_eq(rc, 0, "%s: %s", cases[i].content, err_msg());
		else
			cr_assert(rc == DH_EPARSE && !strcmp(err_msg(), cases[i].error), "%s: %s",
				  cases[i].content, err_msg());
		cJSON_Delete(c);
	}
	cJSON_Delete(s);
}

Test(form, unsupported_schemas_name_the_property)
{
	static const struct {
		const char *schema, *error;
	} cases[] = {
		{ "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\"}}}",
		  "schema: 'a': unsupported type 'object'" },
		{ "{\"type\":\"object\",\"properties\":{\"b\":{}}}",
		  "schema: 'b': unsupported type '(none)'" },
		{ "{\"type\":\"object\",\"properties\":{\"c\":{\"type\":\"array\",\"items\":{}}}}",
		  "schema: 'c': an array needs \"items\" with \"enum\" or \"anyOf\"" },
		{ "{\"type\":\"string\"}", "schema: not an object schema" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cJSON *s = parse(cases[i].schema);
		struct form fm;

		cr_assert_eq(form_from_schema(&fm, s), DH_EPARSE);
		cr_assert_str_eq(err_msg(), cases[i].error);
		cr_assert_null(fm.f);
		cJSON_Delete(s);
	}
}

/* engine/elicit.h: what reaches the clients and the server. */
struct seen {
	char log[2048];
};

static void
emit(const struct event *ev, void *ctx)
{
	struct seen *s = ctx;
	cJSON *j = event_to_json(ev);
	char *t = json_print(j);

	strncat(s->log, t, sizeof s->log - strlen(s->log) - 2);
	strcat(s->log, "\n");
	free(t);
	cJSON_Delete(j);
}

static void
answered(const char *action, const cJSON *content, void *ctx)
{
	struct seen *s = ctx;
	char *t = content ? json_print(content) : NULL;

	snprintf(s->log + strlen(s->log), sizeof s->log - strlen(s->log), "ANSWER %s %s\n",
		 action, t ? t : "-");
	free(t);
}

Test(elicit, form_waits_for_a_valid_answer)
{
	struct seen ev = { "" }, srv = { "" };
	struct elicit_set *set = elicit_set_new(emit, &ev);
	cJSON *p = parse("{\"mode\":\"form\",\"message\":\"Who?\",\"requestedSchema\":"
			 "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\"}},"
			 "\"required\":[\"n\"]}}");
	const char *id = elicit_post(set, "every", p, answered, &srv);

	cr_assert_str_eq(id, "el-1");
	cr_assert_str_eq(ev.log, "{\"type\":\"elicitation_needed\",\"id\":\"el-1\",\"server\":"
				 "\"every\",\"mode\":\"form\",\"message\":\"Who?\",\"schema\":"
				 "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\"}},"
				 "\"required\":[\"n\"]}}\n");
	cr_assert_eq(elicit_count(set), 1);
	cr_assert_str_eq(srv.log, "", "nothing is answered by itself");
	cJSON *bad = parse("{\"m\":\"x\"}");
	cr_assert_eq(elicit_answer(set, "el-1", "accept", bad), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "elicit: m: the form has no such field");
	cr_assert_eq(elicit_answer(set, "el-1", "accept", NULL), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "elicit: n: required");
	cr_assert_eq(elicit_answer(set, "el-1", "maybe", NULL), DH_EPARSE);
	cr_assert_eq(elicit_answer(set, "el-9", "decline", NULL), DH_ENOTFOUND);
	cr_assert_str_eq(srv.log, "");
	cJSON *good = parse("{\"n\":\"x\"}");
	ev.log[0] = 0;
	cr_assert_eq(elicit_answer(set, "el-1", "accept", good), 0);
	cr_assert_str_eq(srv.log, "ANSWER accept {\"n\":\"x\"}\n");
	cr_assert_str_eq(ev.log, "{\"type\":\"elicitation_decided\",\"id\":\"el-1\",\"server\":"
				 "\"every\",\"action\":\"accept\"}\n");
	cr_assert_eq(elicit_count(set), 0);
	cr_assert_eq(elicit_answer(set, "el-1", "accept", good), DH_ENOTFOUND, "answered once");
	cJSON_Delete(bad);
	cJSON_Delete(good);
	cJSON_Delete(p);
	elicit_set_free(set);
}

Test(elicit, url_mode_end_and_unshowable_forms)
{
	struct seen ev = { "" }, srv = { "" };
	struct elicit_set *set = elicit_set_new(emit, &ev);
	cJSON *u = parse("{\"mode\":\"url\",\"message\":\"Log in\",\"url\":\"https://x.test/a\","
			 "\"elicitationId\":\"q\"}");
	cJSON *f = parse("{\"message\":\"m\",\"requestedSchema\":{\"type\":\"object\","
			 "\"properties\":{\"o\":{\"type\":\"object\"}}}}");

	cr_assert_str_eq(elicit_post(set, "s", u, answered, &srv), "el-1");
	cr_assert(strstr(ev.log, "\"mode\":\"url\",\"message\":\"Log in\",\"schema\":null,"
				 "\"url\":\"https://x.test/a\""),
		  "%s", ev.log);
	cJSON *j = elicit_pending_json(set);
	cr_assert_eq(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);
	elicit_end(set, "el-1");
	cr_assert_str_eq(srv.log, "", "an ended request is not answered");
	cr_assert(strstr(ev.log, "\"action\":\"cancel\""));
	cr_assert_eq(elicit_count(set), 0);
	/* A form that cannot be shown is declined, never accepted. */
	ev.log[0] = 0;
	cr_assert_null(elicit_post(set, "s", f, answered, &srv));
	cr_assert_str_eq(srv.log, "ANSWER decline -\n");
	cr_assert(strstr(ev.log, "\"type\":\"error\""), "%s", ev.log);
	cr_assert(strstr(ev.log, "'o': unsupported type 'object'"), "%s", ev.log);
	cJSON_Delete(u);
	cJSON_Delete(f);
	elicit_set_free(set);
}

Test(elicit, the_end_of_the_task_cancels_what_waits)
{
	struct seen ev = { "" }, srv = { "" };
	struct elicit_set *set = elicit_set_new(emit, &ev);
	cJSON *u = parse("{\"mode\":\"url\",\"message\":\"m\",\"url\":\"https://x.test/\"}");

	cr_assert_not_null(elicit_post(set, "a", u, answered, &srv));
	cr_assert_not_null(elicit_post(set, "b", u, answered, &srv));
	ev.log[0] = 0;
	elicit_cancel_all(set);
	cr_assert_str_eq(srv.log, "ANSWER cancel -\nANSWER cancel -\n");
	cr_assert_str_eq(ev.log, "{\"type\":\"elicitation_decided\",\"id\":\"el-1\",\"server\":"
				 "\"a\",\"action\":\"cancel\"}\n{\"type\":\"elicitation_decided\","
				 "\"id\":\"el-2\",\"server\":\"b\",\"action\":\"cancel\"}\n");
	cr_assert_eq(elicit_count(set), 0);
	cJSON_Delete(u);
	elicit_set_free(set);
}

Test(elicit, command_wire_form)
{
	struct command c;
	const char *line = "{\"type\":\"elicit\",\"id\":\"r1\",\"elicitation\":\"el-2\","
			   "\"action\":\"accept\",\"content\":{\"n\":\"x\"}}";

	cr_assert_eq(command_parse(&c, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_eq(c.type, COMMAND_ELICIT);
	cr_assert_str_eq(c.id, "el-2");
	cr_assert_str_eq(c.req, "r1");
	cr_assert_str_eq(c.action, "accept");
	cr_assert_str_eq(json_str(c.content, "n"), "x");
	command_fini(&c);
	/* The brief form: "id" names the elicitation. */
	line = "{\"type\":\"elicit\",\"id\":\"el-3\",\"action\":\"decline\"}";
	cr_assert_eq(command_parse(&c, line, strlen(line)), 0);
	cr_assert_str_eq(c.id, "el-3");
	cr_assert_null(c.req);
	command_fini(&c);
	line = "{\"type\":\"elicit\",\"id\":\"el-3\"}";
	cr_assert_eq(command_parse(&c, line, strlen(line)), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "command: elicit needs a non-empty \"action\"");
	line = "{\"type\":\"elicit\",\"id\":\"el-3\",\"action\":\"accept\",\"content\":[1]}";
	cr_assert_eq(command_parse(&c, line, strlen(line)), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "command: \"content\" of elicit must be an object");
	line = "{\"type\":\"deny\",\"content\":{}}";
	cr_assert_eq(command_parse(&c, line, strlen(line)), DH_EPARSE);
}

/* SPDX-License-Identifier: MIT */
/*
 * Elicitation forms (form.h): the restricted schema of MCP's
 * elicitation/create (modelcontextprotocol.io/specification/2025-11-25/
 * client/elicitation, "Supported Schema Types"; defaults per SEP-1034), its
 * fields as text, and one value checker used for typed text and for answers
 * that come as JSON.
 */
#include "core/form.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"

static const char *const formats[] = { "email", "uri", "date", "date-time" };

/* The JSON types a property may declare, and the field kind each gives. */
static const struct {
	const char *type;
	enum form_kind kind;
} kinds[] = {
	{ "string", FORM_STRING },   { "number", FORM_NUMBER }, { "integer", FORM_INTEGER },
	{ "boolean", FORM_BOOLEAN }, { "array", FORM_MULTI },
};

static void
field_fini(struct form_field *f)
{
	free(f->name);
	free(f->title);
	free(f->description);
	for (size_t i = 0; i < f->noptions; i++) {
		free(f->options[i]);
		free(f->labels[i]);
	}
	free(f->options);
	free(f->labels);
	free(f->format);
	free(f->text);
}

void
form_fini(struct form *fm)
{
	if (!fm)
		return;
	for (size_t i = 0; i < fm->n; i++)
		field_fini(&fm->f[i]);
	free(fm->f);
	fm->f = NULL;
	fm->n = 0;
}

static void
add_option(struct form_field *f, const char *value, const char *label)
{
	f->options = xrealloc(f->options, (f->noptions + 1) * sizeof *f->options);
	f->labels = xrealloc(f->labels, (f->noptions + 1) * sizeof *f->labels);
	f->options[f->noptions] = xstrdup(value);
	f->labels[f->noptions] = xstrdup_or_null(label);
	f->noptions++;
}

/* The options of an enum (or of a multi-select's items): `enum` with
 * optional `enumNames`, or `oneOf`/`anyOf` [{const, title}]. */
static int
read_options(struct form_field *f, const cJSON *p)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(p, "enum"), *v;
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(p, "enumNames");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(p, "oneOf");
	int i = 0;

	if (!one)
		one = cJSON_GetObjectItemCaseSensitive(p, "anyOf");
	if (cJSON_IsArray(en)) {
		cJSON_ArrayForEach(v, en)
		{
			const cJSON *nm = cJSON_IsArray(names) ? cJSON_GetArrayItem(names, i) : NULL;

			if (!cJSON_IsString(v))
				return err_setc(DH_EPARSE, "schema: '%s': enum values must be strings",
						f->name);
			add_option(f, v->valuestring, cJSON_IsString(nm) ? nm->valuestring : NULL);
			i++;
		}
	} else if (cJSON_IsArray(one)) {
		cJSON_ArrayForEach(v, one)
		{
			const char *c = json_str(v, "const");

			if (!c)
				return err_setc(DH_EPARSE, "schema: '%s': each choice needs a string "
							   "\"const\"",
						f->name);
			add_option(f, c, json_str(v, "title"));
		}
	}
	return 0;
}

/* A number or an integer as text, without a needless ".0". */
static void
num_text(struct buf *b, double d)
{
	if (d == floor(d) && fabs(d) < 1e15)
		buf_printf(b, "%.0f", d);
	else
		buf_printf(b, "%.15g", d);
}

/* The text a JSON value (a default) stands for in field f. */
static char *
value_text(const struct form_field *f, const cJSON *v)
{
	struct buf b = BUF_INIT;
	const cJSON *e;

	if (cJSON_IsString(v)) {
		buf_puts(&b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		num_text(&b, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		buf_puts(&b, cJSON_IsTrue(v) ? "yes" : "no");
	} else if (cJSON_IsArray(v) && f->kind == FORM_MULTI) {
		cJSON_ArrayForEach(e, v)
		{
			if (cJSON_IsString(e))
				buf_printf(&b, "%s%s", b.len ? ", " : "", e->valuestring);
		}
	}
	char *s = xstrdup(buf_cstr(&b));
	buf_fini(&b);
	return s;
}

static int
read_field(struct form_field *f, const cJSON *p, const cJSON *required)
{
	const char *type = json_str(p, "type");
	const cJSON *r, *bound;
	size_t k;

	if (!cJSON_IsObject(p))
		return err_setc(DH_EPARSE, "schema: '%s': not an object", f->name);
	for (k = 0; type && k < sizeof kinds / sizeof *kinds; k++)
		if (!strcmp(kinds[k].type, type))
			break;
	if (!type || k == sizeof kinds / sizeof *kinds)
		return err_setc(DH_EPARSE, "schema: '%s': unsupported type '%s'", f->name,
				type ? type : "(none)");
	f->kind = kinds[k].kind;
	f->title = xstrdup_or_null(json_str(p, "title"));
	f->description = xstrdup_or_null(json_str(p, "description"));
	cJSON_ArrayForEach(r, required)
	{
		if (cJSON_IsString(r) && !strcmp(r->valuestring, f->name))
			f->required = true;
	}
	if (f->kind == FORM_MULTI) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(p, "items");
		int rc = read_options(f, items);

		if (rc < 0)
			return rc;
		if (!f->noptions)
			return err_setc(DH_EPARSE, "schema: '%s': an array needs \"items\" with "
						   "\"enum\" or \"anyOf\"",
					f->name);
	} else if (f->kind == FORM_STRING) {
		int rc = read_options(f, p);

		if (rc < 0)
			return rc;
		if (f->noptions)
			f->kind = FORM_ENUM;
	}
	/* Bounds: a number's value, a string's length, a multi-select's count. */
	static const char *const lo[] = { [FORM_STRING] = "minLength", [FORM_NUMBER] = "minimum",
					  [FORM_INTEGER] = "minimum", [FORM_MULTI] = "minItems" };
	static const char *const hi[] = { [FORM_STRING] = "maxLength", [FORM_NUMBER] = "maximum",
					  [FORM_INTEGER] = "maximum", [FORM_MULTI] = "maxItems" };
	if (f->kind < sizeof lo / sizeof *lo && lo[f->kind]) {
		if (cJSON_IsNumber(bound = cJSON_GetObjectItemCaseSensitive(p, lo[f->kind]))) {
			f->has_min = true;
			f->min = bound->valuedouble;
		}
		if (cJSON_IsNumber(bound = cJSON_GetObjectItemCaseSensitive(p, hi[f->kind]))) {
			f->has_max = true;
			f->max = bound->valuedouble;
		}
	}
	const char *fmt = json_str(p, "format");
	if (fmt && f->kind == FORM_STRING) {
		for (k = 0; k < sizeof formats / sizeof *formats; k++)
			if (!strcmp(formats[k], fmt))
				f->format = xstrdup(fmt);
	}
	f->text = value_text(f, cJSON_GetObjectItemCaseSensitive(p, "default"));
	return 0;
}

int
form_from_schema(struct form *out, const cJSON *schema)
{
	const cJSON *props = json_obj(schema, "properties"), *p;
	const cJSON *required = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const char *type = json_str(schema, "type");
	int rc;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(schema) || (type && strcmp(type, "object")))
		return err_setc(DH_EPARSE, "schema: not an object schema");
	cJSON_ArrayForEach(p, props)
	{
		struct form_field *f;

		out->f = xrealloc(out->f, (out->n + 1) * sizeof *out->f);
		f = &out->f[out->n++];
		memset(f, 0, sizeof *f);
		f->name = xstrdup(p->string);
		if ((rc = read_field(f, p, required)) < 0) {
			form_fini(out);
			return rc;
		}
	}
	return 0;
}

void
form_set_text(struct form *fm, size_t i, const char *text)
{
	free(fm->f[i].text);
	fm->f[i].text = xstrdup(text ? text : "");
}

bool
form_cycle(struct form *fm, size_t i, int dir)
{
	struct form_field *f = &fm->f[i];

	if (f->kind == FORM_BOOLEAN) {
		form_set_text(fm, i, !strcasecmp(f->text, "yes") ? "no" : "yes");
		return true;
	}
	if (f->kind != FORM_ENUM || !f->noptions)
		return false;
	size_t at = f->noptions; /* none chosen: the first (or the last) */
	for (size_t k = 0; k < f->noptions; k++)
		if (!strcmp(f->options[k], f->text))
			at = k;
	if (at == f->noptions)
		at = dir > 0 ? 0 : f->noptions - 1;
	else
		at = (at + (dir > 0 ? 1 : f->noptions - 1)) % f->noptions;
	form_set_text(fm, i, f->options[at]);
	return true;
}

/* "a, b" or, with titles, "hero-1 (Superman), hero-2 (Green Lantern)". */
static void
options_list(struct buf *b, const struct form_field *f)
{
	for (size_t k = 0; k < f->noptions; k++) {
		buf_printf(b, "%s%s", k ? ", " : "", f->options[k]);
		if (f->labels[k] && strcmp(f->labels[k], f->options[k]))
			buf_printf(b, " (%s)", f->labels[k]);
	}
}

static void
range_text(struct buf *b, const struct form_field *f, const char *unit)
{
	if (f->has_min && f->has_max) {
		buf_puts(b, " ");
		num_text(b, f->min);
		buf_puts(b, "–");
		num_text(b, f->max);
	} else if (f->has_min) {
		buf_puts(b, " ≥ ");
		num_text(b, f->min);
	} else if (f->has_max) {
		buf_puts(b, " ≤ ");
		num_text(b, f->max);
	}
	if ((f->has_min || f->has_max) && unit)
		buf_printf(b, " %s", unit);
}

char *
form_field_hint(const struct form_field *f)
{
	struct buf b = BUF_INIT;

	switch (f->kind) {
	case FORM_STRING:
		buf_puts(&b, f->format ? f->format : "text");
		range_text(&b, f, "characters");
		break;
	case FORM_NUMBER:
	case FORM_INTEGER:
		buf_puts(&b, f->kind == FORM_NUMBER ? "number" : "integer");
		range_text(&b, f, NULL);
		break;
	case FORM_BOOLEAN:
		buf_puts(&b, "yes/no");
		break;
	case FORM_ENUM:
		buf_puts(&b, "one of ");
		options_list(&b, f);
		break;
	case FORM_MULTI:
		buf_puts(&b, "some of ");
		options_list(&b, f);
		range_text(&b, f, "items");
		break;
	}
	char *s = xstrdup(buf_cstr(&b));
	buf_fini(&b);
	return s;
}

/* The label's option (an enum answered by its title), or NULL. */
static const char *
option_of(const struct form_field *f, const char *s, size_t n)
{
	for (size_t k = 0; k < f->noptions; k++)
		if (strlen(f->options[k]) == n && !strncmp(f->options[k], s, n))
			return f->options[k];
	for (size_t k = 0; k < f->noptions; k++)
		if (f->labels[k] && strlen(f->labels[k]) == n && !strncasecmp(f->labels[k], s, n))
			return f->options[k];
	return NULL;
}

static bool
format_ok(const char *fmt, const char *s)
{
	if (!fmt)
		return true;
	if (!strcmp(fmt, "email")) {
		const char *at = strchr(s, '@');
		return at && at > s && strchr(at + 1, '.') && !strchr(s, ' ');
	}
	if (!strcmp(fmt, "uri"))
		return strstr(s, ":") && isalpha((unsigned char)s[0]) && !strchr(s, ' ');
	if (!strcmp(fmt, "date"))
		return strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	return strlen(s) >= 19 && s[4] == '-' && s[10] == 'T'; /* date-time */
}

/* Code points in a UTF-8 string (a JSON Schema length). */
static size_t
cp_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
bound_error(const struct form_field *f, const char *what, const char *unit)
{
	struct buf b = BUF_INIT;

	range_text(&b, f, unit);
	int rc = err_setc(DH_EPARSE, "%s: must be %s%s", f->name, what, buf_cstr(&b));
	buf_fini(&b);
	return rc;
}

static bool
in_range(const struct form_field *f, double v)
{
	return (!f->has_min || v >= f->min) && (!f->has_max || v <= f->max);
}

/* `v` is a string equal to one of f's option values. */
static bool
is_option(const struct form_field *f, const cJSON *v)
{
	for (size_t k = 0; cJSON_IsString(v) && k < f->noptions; k++)
		if (!strcmp(f->options[k], v->valuestring))
			return true;
	return false;
}

static int
options_error(const struct form_field *f, const char *what)
{
	struct buf b = BUF_INIT;

	options_list(&b, f);
	int rc = err_setc(DH_EPARSE, "%s: %smust be one of %s", f->name, what, buf_cstr(&b));
	buf_fini(&b);
	return rc;
}

/* The one checker: value `v` for field f. */
static int
check_value(const struct form_field *f, const cJSON *v)
{
	const cJSON *e;

	switch (f->kind) {
	case FORM_STRING:
		if (!cJSON_IsString(v))
			return err_setc(DH_EPARSE, "%s: must be a string", f->name);
		if (!in_range(f, (double)cp_len(v->valuestring)))
			return bound_error(f, "a text of", "characters");
		if (!format_ok(f->format, v->valuestring))
			return err_setc(DH_EPARSE, "%s: not a valid %s: '%.60s'", f->name, f->format,
					v->valuestring);
		return 0;
	case FORM_NUMBER:
	case FORM_INTEGER:
		if (!cJSON_IsNumber(v) ||
		    (f->kind == FORM_INTEGER && v->valuedouble != floor(v->valuedouble)))
			return bound_error(f, f->kind == FORM_NUMBER ? "a number" : "an integer",
					   NULL);
		if (!in_range(f, v->valuedouble))
			return bound_error(f, f->kind == FORM_NUMBER ? "a number" : "an integer",
					   NULL);
		return 0;
	case FORM_BOOLEAN:
		return cJSON_IsBool(v) ? 0 : err_setc(DH_EPARSE, "%s: must be yes or no", f->name);
	case FORM_ENUM:
		return is_option(f, v) ? 0 : options_error(f, "");
	case FORM_MULTI:
		if (!cJSON_IsArray(v))
			return err_setc(DH_EPARSE, "%s: must be a list", f->name);
		cJSON_ArrayForEach(e, v)
		{
			if (!is_option(f, e))
				return options_error(f, "each item ");
		}
		if (!in_range(f, (double)cJSON_GetArraySize(v)))
			return bound_error(f, "a list of", "items");
		return 0;
	}
	return 0;
}

static bool
blank(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return !*s;
}

/* The JSON value field f's text stands for (caller owns), or DH_EPARSE. */
static int
text_value(const struct form_field *f, const char *s, cJSON **out)
{
	char *end;

	*out = NULL;
	switch (f->kind) {
	case FORM_STRING:
		*out = cJSON_CreateString(s);
		break;
	case FORM_NUMBER:
	case FORM_INTEGER: {
		errno = 0;
		double d = strtod(s, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end || errno || !isfinite(d))
			return bound_error(f, f->kind == FORM_NUMBER ? "a number" : "an integer",
					   NULL);
		*out = cJSON_CreateNumber(d);
		break;
	}
	case FORM_BOOLEAN: {
		static const char *const yes[] = { "yes", "y", "true", "on", "1" };
		static const char *const no[] = { "no", "n", "false", "off", "0" };

		for (size_t k = 0; k < sizeof yes / sizeof *yes && !*out; k++) {
			if (!strcasecmp(s, yes[k]))
				*out = cJSON_CreateTrue();
			else if (!strcasecmp(s, no[k]))
				*out = cJSON_CreateFalse();
		}
		if (!*out)
			return err_setc(DH_EPARSE, "%s: must be yes or no", f->name);
		break;
	}
	case FORM_ENUM: {
		const char *o = option_of(f, s, strlen(s));
		*out = cJSON_CreateString(o ? o : s);
		break;
	}
	case FORM_MULTI:
		*out = json_new_arr();
		for (const char *p = s; *p;) {
			size_t n = strcspn(p, ",");
			const char *a = p, *z = p + n;

			while (a < z && isspace((unsigned char)*a))
				a++;
			while (z > a && isspace((unsigned char)z[-1]))
				z--;
			if (z > a) {
				const char *o = option_of(f, a, (size_t)(z - a));
				char *t = xstrndup(a, (size_t)(z - a));

				json_add(*out, NULL, cJSON_CreateString(o ? o : t));
				free(t);
			}
			p += n + (p[n] == ',');
		}
		break;
	}
	int rc = check_value(f, *out);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
form_check(const struct form *fm, size_t i)
{
	const struct form_field *f = &fm->f[i];
	cJSON *v;
	int rc;

	if (blank(f->text))
		return f->required ? err_setc(DH_EPARSE, "%s: required", f->name) : 0;
	if ((rc = text_value(f, f->text, &v)) < 0)
		return rc;
	cJSON_Delete(v);
	return 0;
}

int
form_content(const struct form *fm, cJSON **out, size_t *bad)
{
	cJSON *o = json_new_obj();

	*out = NULL;
	for (size_t i = 0; i < fm->n; i++) {
		const struct form_field *f = &fm->f[i];
		cJSON *v;
		int rc;

		if ((rc = form_check(fm, i)) < 0 ||
		    (!blank(f->text) && (rc = text_value(f, f->text, &v)) < 0)) {
			if (bad)
				*bad = i;
			cJSON_Delete(o);
			return rc;
		}
		if (!blank(f->text))
			json_add(o, f->name, v);
	}
	*out = o;
	return 0;
}

int
form_validate(const cJSON *schema, const cJSON *content)
{
	struct form fm;
	const cJSON *v;
	int rc;

	if ((rc = form_from_schema(&fm, schema)) < 0)
		return rc;
	if (content && !cJSON_IsObject(content)) {
		form_fini(&fm);
		return err_setc(DH_EPARSE, "content: must be an object");
	}
	cJSON_ArrayForEach(v, content)
	{
		size_t i;

		for (i = 0; i < fm.n && strcmp(fm.f[i].name, v->string); i++)
			;
		if (i == fm.n)
			rc = err_setc(DH_EPARSE, "%s: the form has no such field", v->string);
		else
			rc = check_value(&fm.f[i], v);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; rc == 0 && i < fm.n; i++)
		if (fm.f[i].required && !cJSON_GetObjectItemCaseSensitive(content, fm.f[i].name))
			rc = err_setc(DH_EPARSE, "%s: required", fm.f[i].name);
	form_fini(&fm);
	return rc;
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_FORM_H
#define DH_CORE_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * A form from the restricted JSON Schema an MCP server sends with a form-mode
 * elicitation (elicitation/create's requestedSchema, 2025-11-25 and
 * 2026-07-28): a flat object whose properties are primitives only:
 *   string   {type: "string", title?, description?, minLength?, maxLength?,
 *             format? (email, uri, date, date-time), default?}
 *   number   {type: "number" | "integer", minimum?, maximum?, default?}
 *   boolean  {type: "boolean", default?}
 *   enum     {type: "string", enum: [...], enumNames?: [...]} or
 *            {type: "string", oneOf: [{const, title}]}, default?
 *   multi    {type: "array", items: {enum: [...]} | {anyOf: [{const, title}]},
 *             minItems?, maxItems?, default?: [...]}
 * and `required` [names]. Defaults are applied as SEP-1034 asks (every
 * primitive may carry one; the form starts from it).
 *
 * Both ends use it: the workbench edits each field as text (form_set_text)
 * and builds the answer (form_content); the engine checks an answer from any
 * client against the schema (form_validate) before it goes to the server.
 * Every error names the field ("age: must be an integer from 0 to 150").
 * No I/O; any thread.
 */

enum form_kind {
	FORM_STRING,
	FORM_NUMBER,
	FORM_INTEGER,
	FORM_BOOLEAN,
	FORM_ENUM,  /* one of options */
	FORM_MULTI, /* a subset of options, as text "a, b" */
};

struct form_field {
	char *name;	   /* the property's key */
	char *title;	   /* its title, or NULL */
	char *description; /* or NULL */
	enum form_kind kind;
	bool required;
	char **options;	   /* FORM_ENUM/MULTI: the values (noptions) */
	char **labels;	   /* their titles (enumNames, oneOf titles) or NULL each */
	size_t noptions;
	bool has_min, has_max;
	double min, max;   /* number: value; string: length; multi: items */
	char *format;	   /* string: email, uri, date, date-time, or NULL */
	char *text;	   /* the value being edited, as text ("" when empty); heap */
};

struct form {
	struct form_field *f;
	size_t n;
};

/* Build a form from `schema` (borrowed): one field per property in order,
 * each text set from its default ("" without one). DH_EPARSE naming the
 * property when the schema is not a flat object of the kinds above
 * ("schema: 'tags': unsupported type 'object'"). *out is zeroed on error.
 * Release with form_fini(). */
int form_from_schema(struct form *out, const cJSON *schema) DH_MUST_CHECK;
/* Free the fields. NULL-safe, idempotent. */
void form_fini(struct form *fm);

/* Replace field i's text with a copy of `text`. */
void form_set_text(struct form *fm, size_t i, const char *text);
/* Step field i's text to the next (dir > 0) or previous option: an enum's
 * option, a boolean's true/false. False when the field has no options. */
bool form_cycle(struct form *fm, size_t i, int dir);
/* What the field takes, for a prompt: "string", "integer 0–150", "one of
 * red, green", "yes/no". Heap. */
char *form_field_hint(const struct form_field *f);

/* Check field i's text: 0, or DH_EPARSE with a message naming the field. */
int form_check(const struct form *fm, size_t i) DH_MUST_CHECK;
/* The answer object from the texts: each non-empty text converted to its
 * type (a boolean from yes/no/true/false, a multi-select from "a, b"). 0 and
 * *out (caller owns), or DH_EPARSE naming the first field at fault, whose
 * index goes to *bad (may be NULL). */
int form_content(const struct form *fm, cJSON **out, size_t *bad) DH_MUST_CHECK;

/* Check an answer (`content`, a JSON object, borrowed) against `schema`:
 * every required field present, every value of its type and within its
 * bounds, no field the schema lacks. 0, or DH_EPARSE naming the field. */
int form_validate(const cJSON *schema, const cJSON *content) DH_MUST_CHECK;

#endif

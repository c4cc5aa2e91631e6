/* SPDX-License-Identifier: MIT */
/*
 * Event and command (de)serialization: the engine's stable wire format,
 * generated from the one declaration of each type in event.h (EVENT_TYPES,
 * COMMAND_TYPES). No type is spelled out here; a field kind's codec is.
 */
#include "agent/event.h"

#include <limits.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#define NO_FIELDS_(kind, m, key)

/*
 * Events
 */

#define EVENT_NAME_(e, s, fields) [e] = s,
static const char *const event_names[] = { EVENT_TYPES(EVENT_NAME_, NO_FIELDS_) };

const char *
event_type_name(enum event_type t)
{
	return (unsigned)t < EVENT__COUNT ? event_names[t] : NULL;
}

/* Encoders, one per field kind: null for an absent string or tree. */
static void
enc_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		json_add_str(o, k, v);
	else
		json_add(o, k, cJSON_CreateNull());
}

static void
enc_strv(cJSON *o, const char *k, const char *const *v, size_t n)
{
	cJSON *a = json_add(o, k, json_new_arr());

	for (size_t i = 0; i < n; i++)
		json_add(a, NULL, cJSON_CreateString(v[i]));
}

static void
enc_json(cJSON *o, const char *k, const cJSON *v)
{
	json_add(o, k, v ? json_dup(v) : cJSON_CreateNull());
}

static void
enc_int(cJSON *o, const char *k, int v)
{
	json_add_num(o, k, v);
}

static void
enc_long(cJSON *o, const char *k, long v)
{
	json_add_num(o, k, (double)v);
}

static void
enc_bool(cJSON *o, const char *k, bool v)
{
	json_add_bool(o, k, v);
}

static void
enc_num(cJSON *o, const char *k, double v)
{
	json_add_num(o, k, v);
}

/* A cost below 0 means "unknown" (an unpriced model): null on the wire. */
static void
enc_cost(cJSON *o, const char *k, double v)
{
	if (v >= 0)
		json_add_num(o, k, v);
	else
		json_add(o, k, cJSON_CreateNull());
}

#define ENC_STR(m, k)  enc_str(o, k, ev->m)
#define ENC_OPT(m, k)  do { if (ev->m) enc_str(o, k, ev->m); } while (0)
#define ENC_STRV(m, k) enc_strv(o, k, ev->m, ev->n##m)
#define ENC_JSON(m, k) enc_json(o, k, ev->m)
#define ENC_INT(m, k)  enc_int(o, k, ev->m)
#define ENC_LONG(m, k) enc_long(o, k, ev->m)
#define ENC_BOOL(m, k) enc_bool(o, k, ev->m)
#define ENC_FLAG(m, k) do { if (ev->m) enc_bool(o, k, true); } while (0)
#define ENC_NUM(m, k)  enc_num(o, k, ev->m)
#define ENC_COST(m, k) enc_cost(o, k, ev->m)
#define ENC_F_(kind, m, key) ENC_##kind(m, key);
#define ENC_X_(e, s, fields)                                                                       \
	case e:                                                                                    \
		fields break;

cJSON *
event_to_json(const struct event *ev)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "type", event_type_name(ev->type));
	switch (ev->type) {
		EVENT_TYPES(ENC_X_, ENC_F_)
	case EVENT__COUNT:
		break;
	}
	if (ev->re)
		json_add_str(o, "re", ev->re);
	return o;
}

/* Decoders, one per field kind: a missing field, or one of another JSON
 * type, is zero/NULL. Strings and trees are borrowed from `o`. */
static void
dec_str(const cJSON *o, const char *k, const char **m)
{
	*m = json_str(o, k);
}

/* Strings of o[k] into strv[*used…] (counted by strv_count before); left
 * empty without storage. */
static void
dec_strv(const cJSON *o, const char *k, const char *const **m, size_t *n, const char **strv,
	 size_t *used)
{
	const cJSON *a = json_arr(o, k);
	const cJSON *s;

	if (!strv || !a)
		return;
	*m = strv + *used;
	cJSON_ArrayForEach(s, a)
	{
		if (cJSON_IsString(s))
			strv[(*used)++] = s->valuestring;
	}
	*n = (size_t)(strv + *used - *m);
}

static size_t
strv_count(const cJSON *o, const char *k)
{
	const cJSON *s;
	size_t n = 0;

	cJSON_ArrayForEach(s, json_arr(o, k))
	{
		n += cJSON_IsString(s);
	}
	return n;
}

static void
dec_json(const cJSON *o, const char *k, const cJSON **m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*m = v && !cJSON_IsNull(v) ? v : NULL;
}

static void
dec_int(const cJSON *o, const char *k, int *m)
{
	long long v = json_int(o, k, 0);

	*m = v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : (int)v;
}

static void
dec_long(const cJSON *o, const char *k, long *m)
{
	long long v = json_int(o, k, 0);

	*m = v < LONG_MIN ? LONG_MIN : v > LONG_MAX ? LONG_MAX : (long)v;
}

static void
dec_bool(const cJSON *o, const char *k, bool *m)
{
	*m = json_bool(o, k, false);
}

static void
dec_num(const cJSON *o, const char *k, double *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*m = cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void
dec_cost(const cJSON *o, const char *k, double *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*m = cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : -1;
}

#define DEC_STR(m, k)  dec_str(obj, k, &out->m)
#define DEC_OPT(m, k)  dec_str(obj, k, &out->m)
#define DEC_STRV(m, k) dec_strv(obj, k, &out->m, &out->n##m, strv, &used)
#define DEC_JSON(m, k) dec_json(obj, k, &out->m)
#define DEC_INT(m, k)  dec_int(obj, k, &out->m)
#define DEC_LONG(m, k) dec_long(obj, k, &out->m)
#define DEC_BOOL(m, k) dec_bool(obj, k, &out->m)
#define DEC_FLAG(m, k) dec_bool(obj, k, &out->m)
#define DEC_NUM(m, k)  dec_num(obj, k, &out->m)
#define DEC_COST(m, k) dec_cost(obj, k, &out->m)
#define DEC_F_(kind, m, key) DEC_##kind(m, key);

/* How many strings the string-array fields of type t hold in obj. */
#define CNT_STRV(k)	      n += strv_count(obj, k);
#define CNT_STR(k)
#define CNT_OPT(k)
#define CNT_JSON(k)
#define CNT_INT(k)
#define CNT_LONG(k)
#define CNT_BOOL(k)
#define CNT_FLAG(k)
#define CNT_NUM(k)
#define CNT_COST(k)
#define CNT_F_(kind, m, key) CNT_##kind(key)

static size_t
event_strv_need(enum event_type t, const cJSON *obj)
{
	size_t n = 0;

	switch (t) {
		EVENT_TYPES(ENC_X_, CNT_F_)
	case EVENT__COUNT:
		break;
	}
	return n;
}

/* The type of event object obj, or DH_EPARSE. */
static int
event_lookup(enum event_type *t, const cJSON *obj)
{
	const char *type = json_str(obj, "type");

	if (!cJSON_IsObject(obj) || !type)
		return err_setc(DH_EPARSE, "event: expected an object with a \"type\" field");
	for (int i = 0; i < EVENT__COUNT; i++) {
		if (strcmp(event_names[i], type) == 0) {
			*t = (enum event_type)i;
			return 0;
		}
	}
	return err_setc(DH_EPARSE, "event: unknown type '%.40s'", type);
}

/* Fill the zeroed *out from obj; string arrays go into strv (sized by
 * event_strv_need) or stay empty when strv is NULL. */
static void
event_decode(struct event *out, enum event_type t, const cJSON *obj, const char **strv)
{
	size_t used = 0;

	(void)used;
	out->type = t;
	switch (t) {
		EVENT_TYPES(ENC_X_, DEC_F_)
	case EVENT__COUNT:
		break;
	}
	DEC_STR(re, "re");
}

int
event_from_json(struct event *out, const cJSON *obj)
{
	enum event_type t;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = event_lookup(&t, obj)) < 0)
		return rc;
	event_decode(out, t, obj, NULL);
	return 0;
}

int
event_msg_from_json(struct event_msg *out, const cJSON *obj)
{
	enum event_type t;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = event_lookup(&t, obj)) < 0)
		return rc;
	size_t n = event_strv_need(t, obj);

	out->strv = n ? xcalloc(n, sizeof *out->strv) : NULL;
	event_decode(&out->ev, t, obj, out->strv);
	return 0;
}

int
event_msg_parse(struct event_msg *out, const char *line, size_t len)
{
	cJSON *j;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = json_parse(&j, line, len, "event")) < 0)
		return rc;
	rc = event_msg_from_json(out, j);
	out->json = j;
	return rc;
}

void
event_msg_fini(struct event_msg *m)
{
	if (!m)
		return;
	cJSON_Delete(m->json);
	free(m->strv);
	memset(m, 0, sizeof *m);
}

/*
 * Commands
 */

#define COMMAND_NAME_(e, s, fields) [e] = s,
static const char *const command_names[] = { COMMAND_TYPES(COMMAND_NAME_, NO_FIELDS_) };

/* "approve, deny, …" for the unknown-type message, from the same table. */
#define COMMAND_LIST_(e, s, fields) s ", "
static const char command_list[] = COMMAND_TYPES(COMMAND_LIST_, NO_FIELDS_);

/* The wire keys each type takes, and every key some type takes. */
#define KEY_F_(kind, m, key)	    key,
#define COMMAND_KEYS_(e, s, fields) [e] = { fields NULL },
static const char *const command_keys[][8] = { COMMAND_TYPES(COMMAND_KEYS_, KEY_F_) };
#define ALL_KEYS_(e, s, fields) fields
static const char *const command_all_keys[] = { COMMAND_TYPES(ALL_KEYS_, KEY_F_) };

const char *
command_type_name(enum command_type t)
{
	return (unsigned)t < COMMAND__COUNT ? command_names[t] : NULL;
}

/* Encoders: absent values are left out. */
static void
cenc_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		json_add_str(o, k, v);
}

/* The tool call of approve/deny; "call": null when there is a request id
 * but no call, so that "id" is not read back as the call (older form). */
static void
cenc_call(cJSON *o, const char *k, const char *v, const char *req)
{
	if (v)
		json_add_str(o, k, v);
	else if (req)
		json_add(o, k, cJSON_CreateNull());
}

static void
cenc_json(cJSON *o, const char *k, const cJSON *v)
{
	if (v)
		json_add(o, k, json_dup(v));
}

static void
cenc_hunk(cJSON *o, const char *k, int v)
{
	if (v > 0)
		json_add_num(o, k, v);
}

static void
cenc_bool(cJSON *o, const char *k, bool v)
{
	if (v)
		json_add_bool(o, k, true);
}

/* A file or folder name: in utf8_name_escape()'s form, so that bytes that
 * are not UTF-8 survive the JSON (cdec_path() decodes it). */
static void
cenc_path(cJSON *o, const char *k, const char *v)
{
	if (v)
		json_add_name(o, k, v);
}

#define CENC_STR(m, k)	 cenc_str(o, k, c->m)
#define CENC_PATH(m, k)	 cenc_path(o, k, c->m)
#define CENC_NPATH(m, k) cenc_path(o, k, c->m)
#define CENC_NEED(m, k)	 cenc_str(o, k, c->m)
#define CENC_CALL(m, k)	 cenc_call(o, k, c->m, c->req)
#define CENC_STEPS(m, k) cenc_json(o, k, c->m)
#define CENC_HUNK(m, k)	 cenc_hunk(o, k, c->m)
#define CENC_BOOL(m, k)	 cenc_bool(o, k, c->m)
#define CENC_INT(m, k)	 json_add_num(o, k, c->m)
#define CENC_OBJ(m, k)	 cenc_json(o, k, c->m)
#define CENC_F_(kind, m, key) CENC_##kind(m, key);
#define CENC_X_(e, s, fields)                                                                      \
	case e:                                                                                    \
		fields break;

cJSON *
command_to_json(const struct command *c)
{
	cJSON *o = json_new_obj();
	const char *name = command_type_name(c->type);

	json_add_str(o, "type", name ? name : "");
	cenc_str(o, "id", c->req);
	switch (c->type) {
		COMMAND_TYPES(CENC_X_, CENC_F_)
	}
	return o;
}

/* Decoding state shared by the field decoders. */
struct cdec {
	const cJSON *o;
	struct command *out;
	const char *type;    /* for messages */
	bool id_is_call;     /* CALL took the tool call from "id" (older form) */
};

/* Decoders: 0 or DH_EPARSE with a message. Strings are copied. A field
 * that is absent (or null) takes its default; one that is there with the
 * wrong type is an error naming it, never taken as absent: a "path" of ""
 * or 123 meant "every pending change" to reject. */
static const cJSON *
cdec_field(struct cdec *d, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d->o, k);

	return v && !cJSON_IsNull(v) ? v : NULL;
}

static int
cdec_bad(struct cdec *d, const char *k, const char *what)
{
	return err_setc(DH_EPARSE, "command: %s: \"%s\" must be %s", d->type, k, what);
}

static int
cdec_str(struct cdec *d, const char *k, char **m)
{
	const cJSON *v = cdec_field(d, k);

	*m = NULL;
	if (v && !cJSON_IsString(v))
		return cdec_bad(d, k, "a string");
	*m = v ? xstrdup(v->valuestring) : NULL;
	return 0;
}

/* A name in utf8_name_escape()'s form (cenc_path), back to its bytes; need:
 * it must be there. */
static int
cdec_path(struct cdec *d, const char *k, char **m, bool need)
{
	const cJSON *f = cdec_field(d, k);
	const char *v = cJSON_IsString(f) ? f->valuestring : NULL;

	*m = NULL;
	if ((!f || !v || !*v) && need)
		return err_setc(DH_EPARSE, "command: %s needs a non-empty \"%s\"", d->type, k);
	if (!f)
		return 0;
	if (!v || !*v) /* left out, it means every file: given, it names one */
		return cdec_bad(d, k, "a non-empty string (leave it out for every file)");
	if (utf8_name_unescape(v, m) < 0)
		return err_setc(DH_EPARSE, "command: %s: \"%s\": %s", d->type, k, err_msg());
	return 0;
}

static int
cdec_need(struct cdec *d, const char *k, char **m)
{
	const char *v = json_str(d->o, k);

	if (!v || !*v)
		return err_setc(DH_EPARSE, "command: %s needs a non-empty \"%s\"", d->type, k);
	*m = xstrdup(v);
	return 0;
}

static int
cdec_call(struct cdec *d, const char *k, char **m)
{
	if (!cJSON_GetObjectItemCaseSensitive(d->o, k)) {
		d->id_is_call = true;
		k = "id";
	}
	return cdec_str(d, k, m);
}

static int
cdec_steps(struct cdec *d, const char *k, cJSON **m)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(d->o, k);
	const cJSON *s;

	if (!steps)
		return 0;
	bool ok = cJSON_IsArray(steps) && cJSON_GetArraySize(steps) > 0;

	cJSON_ArrayForEach(s, steps)
	{
		const char *t = json_str(s, "title");

		ok = ok && t && *t;
	}
	if (!ok)
		return err_setc(DH_EPARSE, "command: \"%s\" must be a non-empty array of "
					   "{\"title\": \"…\"}",
				k);
	*m = json_dup(steps);
	return 0;
}

/* A hunk number needs the path decoded before it (COMMAND_TYPES order). */
static int
cdec_hunk(struct cdec *d, const char *k, int *m)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(d->o, k);

	if (!h)
		return 0;
	if (!cJSON_IsNumber(h) || h->valuedouble < 1 || h->valuedouble > 1e6 || !d->out->path)
		return err_setc(DH_EPARSE, "command: \"%s\" must be a number from 1, with a "
					   "\"path\"",
				k);
	*m = (int)h->valuedouble;
	return 0;
}

static int
cdec_bool(struct cdec *d, const char *k, bool *m)
{
	const cJSON *v = cdec_field(d, k);

	*m = false;
	if (v && !cJSON_IsBool(v))
		return cdec_bad(d, k, "true or false");
	*m = v && cJSON_IsTrue(v);
	return 0;
}

static int
cdec_int(struct cdec *d, const char *k, int *m)
{
	const cJSON *f = cdec_field(d, k);
	long long v = json_int(d->o, k, 0);

	*m = 0;
	if (f && !cJSON_IsNumber(f))
		return cdec_bad(d, k, "a number");

	*m = v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : (int)v;
	return 0;
}

static int
cdec_obj(struct cdec *d, const char *k, cJSON **m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d->o, k);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return err_setc(DH_EPARSE, "command: \"%s\" of %s must be an object", k, d->type);
	*m = json_dup(v);
	return 0;
}

#define CDEC_STR(m, k)	 cdec_str(&d, k, &out->m)
#define CDEC_PATH(m, k)	 cdec_path(&d, k, &out->m, false)
#define CDEC_NPATH(m, k) cdec_path(&d, k, &out->m, true)
#define CDEC_NEED(m, k)	 cdec_need(&d, k, &out->m)
#define CDEC_CALL(m, k)	 cdec_call(&d, k, &out->m)
#define CDEC_STEPS(m, k) cdec_steps(&d, k, &out->m)
#define CDEC_HUNK(m, k)	 cdec_hunk(&d, k, &out->m)
#define CDEC_BOOL(m, k)	 cdec_bool(&d, k, &out->m)
#define CDEC_INT(m, k)	 cdec_int(&d, k, &out->m)
#define CDEC_OBJ(m, k)	 cdec_obj(&d, k, &out->m)
#define CDEC_F_(kind, m, key)                                                                      \
	if ((rc = CDEC_##kind(m, key)) < 0)                                                        \
		goto fail;

/* DH_EPARSE when obj has a key that another type takes and type t does not. */
static int
command_check_keys(enum command_type t, const cJSON *obj)
{
	for (size_t i = 0; i < sizeof command_all_keys / sizeof *command_all_keys; i++) {
		const char *k = command_all_keys[i];
		bool mine = false;

		if (!cJSON_GetObjectItemCaseSensitive(obj, k))
			continue;
		for (const char *const *p = command_keys[t]; *p && !mine; p++)
			mine = strcmp(*p, k) == 0;
		if (!mine)
			return err_setc(DH_EPARSE, "command: \"%s\" does not belong to %s", k,
					command_names[t]);
	}
	return 0;
}

int
command_from_json(struct command *out, const cJSON *obj)
{
	const char *type = json_str(obj, "type");
	struct cdec d = { .o = obj, .out = out };
	int rc, i;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(obj) || !type)
		return err_setc(DH_EPARSE, "command: expected an object with a \"type\" field");
	for (i = 0; i < COMMAND__COUNT; i++)
		if (strcmp(command_names[i], type) == 0)
			break;
	if (i == COMMAND__COUNT)
		return err_setc(DH_EPARSE, "command: unknown type '%.40s' (%.*s)", type,
				(int)sizeof command_list - 3, command_list);
	out->type = (enum command_type)i;
	d.type = command_names[i];
	if ((rc = command_check_keys(out->type, obj)) < 0)
		return rc;
	switch (out->type) {
		COMMAND_TYPES(CENC_X_, CDEC_F_)
	}
	if (!d.id_is_call && (rc = cdec_str(&d, "id", &out->req)) < 0)
		goto fail;
	return 0;
fail:
	command_fini(out);
	memset(out, 0, sizeof *out);
	return rc;
}

/* Parse a command line into a tree (DH_EPARSE on bad JSON). Text enters
 * here: invalid UTF-8 (in a steer, a deny message) becomes U+FFFD, so that
 * the history and the next request stay valid JSON. */
static int
command_json(cJSON **out, const char *line, size_t len)
{
	struct buf clean = BUF_INIT;
	int rc;

	if (!utf8_valid(line, len)) {
		utf8_scrub(&clean, line, len);
		line = clean.ptr;
		len = clean.len;
	}
	rc = json_parse(out, line, len, "command");
	buf_fini(&clean);
	return rc;
}

int
command_parse(struct command *out, const char *line, size_t len)
{
	cJSON *o;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = command_json(&o, line, len)) < 0)
		return rc;
	rc = command_from_json(out, o);
	cJSON_Delete(o);
	return rc;
}

char *
command_line_req(const char *line, size_t len)
{
	cJSON *o;

	if (command_json(&o, line, len) < 0)
		return NULL;
	const char *id = json_str(o, "id");
	char *req = id ? xstrdup(id) : NULL;

	cJSON_Delete(o);
	return req;
}

#define COMMAND_FINI_STR(m)  free(c->m), c->m = NULL;
#define COMMAND_FINI_JSON(m) cJSON_Delete(c->m), c->m = NULL;
#define COMMAND_FINI_INT(m)
#define COMMAND_FINI_BOOL(m)
#define COMMAND_FINI_(kind, m) COMMAND_FINI_##kind(m)

void
command_fini(struct command *c)
{
	COMMAND_MEMBERS(COMMAND_FINI_)
}

char *
command_always_pattern(const char *tool, const cJSON *input)
{
	const char *cmd = json_str(input, "command");

	if (tool && !strcmp(tool, "run_command")) {
		if (!cmd)
			return NULL;
		/* The first two words, before any shell control character. */
		const char *p = cmd + strspn(cmd, " \t"), *end = p;
		size_t lim = strcspn(p, ";&|<>`$()\n\r");

		for (int w = 0; w < 2 && (size_t)(end - p) < lim; w++) {
			const char *q = end + strspn(end, " \t");
			size_t n = strcspn(q, " \t;&|<>`$()\n\r");

			if (!n)
				break;
			end = q + n;
		}
		return end > p ? xstrndup(p, (size_t)(end - p)) : NULL;
	}
	const char *path = json_str(input, "path");

	/* A move must match with both its paths: a glob of its source alone
	 * would never allow one again; the whole tool (t) is offered. */
	if (!path && json_str(input, "destination"))
		return NULL;
	if (!path)
		path = json_str(input, "source");
	if (!path || !*path)
		return NULL;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	const char *ext = dot && dot != base ? dot : "";

	/* At the top of the first folder: "./" keeps it there (tool_glob_match),
	 * where "*.txt" would match any depth. */
	if (!slash)
		return *ext ? xasprintf("./*%s", ext) : xasprintf("./%s", base);
	return xasprintf("%.*s/*%s", (int)(slash - path), path, ext);
}

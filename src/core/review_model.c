/* SPDX-License-Identifier: MIT */
#include "core/review_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"

/*
 * Encoding
 */

static cJSON *
str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *
mode_or_null(unsigned mode)
{
	char m[16];

	if (!mode)
		return cJSON_CreateNull();
	snprintf(m, sizeof m, "%06o", mode);
	return cJSON_CreateString(m);
}

static cJSON *
size_or_null(long long n)
{
	return n >= 0 ? cJSON_CreateNumber((double)n) : cJSON_CreateNull();
}

static cJSON *
step_to_json(const struct review_step *st)
{
	cJSON *s;

	if (!st->id[0])
		return cJSON_CreateNull();
	s = json_new_obj();
	json_add_str(s, "id", st->id);
	json_add_str(s, "short_id", st->short_id);
	json_add(s, "label", str_or_null(st->label));
	json_add(s, "tool_call", str_or_null(st->tool_call));
	json_add_num(s, "turn", st->turn);
	json_add_num(s, "time", (double)st->time);
	json_add_bool(s, "external", st->external);
	return s;
}

static cJSON *
hunk_to_json(const struct review_hunk *rh)
{
	cJSON *x = json_new_obj(), *lines = json_new_arr();
	struct buf b = BUF_INIT;

	json_add_num(x, "n", rh->n);
	json_add(x, "header", str_or_null(rh->header));
	json_add_num(x, "old_start", rh->old_start);
	json_add_num(x, "old_lines", rh->old_lines);
	json_add_num(x, "new_start", rh->new_start);
	json_add_num(x, "new_lines", rh->new_lines);
	for (size_t i = 0; i < rh->nlines; i++) {
		buf_clear(&b);
		buf_putc(&b, rh->lines[i].origin);
		buf_puts(&b, rh->lines[i].text ? rh->lines[i].text : "");
		json_add(lines, NULL, cJSON_CreateString(buf_cstr(&b)));
	}
	buf_fini(&b);
	json_add(x, "lines", lines);
	return x;
}

cJSON *
review_model_file_to_json(const struct review_file *f, bool hunks)
{
	cJSON *o = json_new_obj(), *ha;
	char st[2] = {f->status, 0};

	json_add_str(o, "status", st);
	json_add_name(o, "path", f->path ? f->path : "");
	json_add_name(o, "old_path", f->old_path);
	json_add(o, "old_mode", mode_or_null(f->old_mode));
	json_add(o, "new_mode", mode_or_null(f->new_mode));
	json_add_bool(o, "binary", f->binary);
	json_add(o, "textconv", f->textconv ? cJSON_CreateString(f->textconv) : cJSON_CreateNull());
	json_add(o, "old_size", size_or_null(f->old_size));
	json_add(o, "new_size", size_or_null(f->new_size));
	json_add_name(o, "old_target", f->old_target);
	json_add_name(o, "new_target", f->new_target);
	json_add_num(o, "added", (double)f->added);
	json_add_num(o, "removed", (double)f->removed);
	json_add(o, "step", step_to_json(&f->step));
	ha = json_add(o, "hunks", json_new_arr());
	for (size_t h = 0; hunks && h < f->nhunks; h++)
		json_add(ha, NULL, hunk_to_json(&f->hunks[h]));
	return o;
}

cJSON *
review_model_to_json(const struct review *r)
{
	cJSON *o = json_new_obj(), *fa;

	json_add_str(o, "accepted", r->accepted_id);
	json_add_str(o, "head", r->head_id);
	fa = json_add(o, "files", json_new_arr());
	for (size_t i = 0; i < r->nfiles; i++)
		json_add(fa, NULL, review_model_file_to_json(&r->files[i], true));
	return o;
}

/*
 * Decoding. Every field is checked; `where` names the element for messages.
 */

static int
bad(const char *where, const char *key, const char *why)
{
	return err_setc(DH_EPARSE, "review: %s%s%s: %s", where, *where && key ? "." : "",
	                key ? key : "", why);
}

/* A commit id: 40 lowercase hex digits, or "" (none). */
static int
get_id(const cJSON *o, const char *key, const char *where, char out[41], bool empty_ok)
{
	const char *s = json_str(o, key);
	size_t n;

	if (!s)
		return bad(where, key, "missing or not a string");
	n = strlen(s);
	if (!(n == 40 || (empty_ok && n == 0)) || strspn(s, "0123456789abcdef") != n)
		return bad(where, key, "not a commit id");
	memcpy(out, s, n + 1);
	return 0;
}

/* A number that must be an integer in [lo, hi]. */
static int
get_int(const cJSON *o, const char *key, const char *where, long long lo, long long hi,
        long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		return bad(where, key, "missing or not a number");
	if (!(v->valuedouble >= (double)lo && v->valuedouble <= (double)hi) ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return bad(where, key, "out of range");
	*out = (long long)v->valuedouble;
	return 0;
}

/* An optional (null) or required string, copied (names unescaped). */
static int
get_str(const cJSON *o, const char *key, const char *where, bool null_ok, bool name, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (null_ok && (!v || cJSON_IsNull(v)))
		return 0;
	if (!cJSON_IsString(v))
		return bad(where, key, "missing or not a string");
	if (!name) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (utf8_name_unescape(v->valuestring, out) < 0)
		return bad(where, key, "a NUL byte in a name");
	return 0;
}

static int
get_mode(const cJSON *o, const char *key, const char *where, unsigned *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *end;
	unsigned long m;

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0] ||
	    strspn(v->valuestring, "01234567") != strlen(v->valuestring))
		return bad(where, key, "not an octal mode");
	m = strtoul(v->valuestring, &end, 8);
	if (m == 0 || m > 0177777)
		return bad(where, key, "not a file mode");
	*out = (unsigned)m;
	return 0;
}

static int
get_size(const cJSON *o, const char *key, const char *where, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = -1;
	if (!v || cJSON_IsNull(v))
		return 0;
	return get_int(o, key, where, 0, 1LL << 53, out);
}

static int
step_from_json(const cJSON *s, const char *file, struct review_step *st)
{
	long long turn, t;
	const char *sh;
	char where[96];
	int rc;

	snprintf(where, sizeof where, "%s.step", file);

	memset(st, 0, sizeof *st);
	st->turn = -1;
	if (!s || cJSON_IsNull(s))
		return 0;
	if (!cJSON_IsObject(s))
		return bad(where, NULL, "not an object");
	if ((rc = get_id(s, "id", where, st->id, false)) < 0)
		return rc;
	sh = json_str(s, "short_id");
	if (!sh || strlen(sh) >= sizeof st->short_id)
		return bad(where, "short_id", "missing or too long");
	strcpy(st->short_id, sh);
	if ((rc = get_int(s, "turn", where, -1, 1LL << 31, &turn)) < 0 ||
	    (rc = get_int(s, "time", where, -(1LL << 53), 1LL << 53, &t)) < 0 ||
	    (rc = get_str(s, "label", where, true, false, &st->label)) < 0 ||
	    (rc = get_str(s, "tool_call", where, true, false, &st->tool_call)) < 0)
		return rc;
	/* absent from an older engine's: an agent step, as it was shown */
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(s, "external");

	if (ext && !cJSON_IsBool(ext))
		return bad(where, "external", "not a boolean");
	st->turn = (int)turn;
	st->time = t;
	st->external = cJSON_IsTrue(ext);
	return 0;
}

static int
hunk_from_json(const cJSON *x, const char *where, struct review_hunk *h)
{
	long long n, os, ol, ns, nl;
	const cJSON *lines = json_arr(x, "lines"), *l;
	int rc;

	if (!cJSON_IsObject(x))
		return bad(where, NULL, "not an object");
	if ((rc = get_int(x, "n", where, 1, 1LL << 31, &n)) < 0 ||
	    (rc = get_int(x, "old_start", where, 0, 1LL << 31, &os)) < 0 ||
	    (rc = get_int(x, "old_lines", where, 0, 1LL << 31, &ol)) < 0 ||
	    (rc = get_int(x, "new_start", where, 0, 1LL << 31, &ns)) < 0 ||
	    (rc = get_int(x, "new_lines", where, 0, 1LL << 31, &nl)) < 0 ||
	    (rc = get_str(x, "header", where, false, false, &h->header)) < 0)
		return rc;
	h->n = (int)n;
	h->old_start = (int)os;
	h->old_lines = (int)ol;
	h->new_start = (int)ns;
	h->new_lines = (int)nl;
	if (!lines)
		return bad(where, "lines", "missing or not an array");
	h->nlines = 0;
	h->caplines = (size_t)cJSON_GetArraySize(lines);
	h->lines = h->caplines ? xcalloc(h->caplines, sizeof *h->lines) : NULL;
	cJSON_ArrayForEach(l, lines) {
		const char *s = cJSON_IsString(l) ? l->valuestring : NULL;

		if (!s || !strchr(" +-~\\", s[0]) || !s[0])
			return bad(where, "lines", "a line is not a string starting with ' ', '+', '-', '~' or '\\'");
		h->lines[h->nlines].origin = s[0];
		h->lines[h->nlines++].text = xstrdup(s + 1);
	}
	return 0;
}

static int
file_from_json(const cJSON *o, const char *where, struct review_file *f)
{
	const char *st = json_str(o, "status");
	const cJSON *bin = cJSON_GetObjectItemCaseSensitive(o, "binary");
	const cJSON *ha = json_arr(o, "hunks"), *x;
	long long add, del;
	char w[96];
	int rc;

	f->old_size = f->new_size = -1;
	f->step.turn = -1;
	if (!cJSON_IsObject(o))
		return bad(where, NULL, "not an object");
	if (!st || strlen(st) != 1 || !strchr("AMDRT", st[0]))
		return bad(where, "status", "not one of A, M, D, R, T");
	f->status = st[0];
	if ((rc = get_str(o, "path", where, false, true, &f->path)) < 0 ||
	    (rc = get_str(o, "old_path", where, true, true, &f->old_path)) < 0 ||
	    (cJSON_GetObjectItemCaseSensitive(o, "textconv") &&
	     (rc = get_str(o, "textconv", where, true, false, &f->textconv)) < 0) ||
	    (rc = get_mode(o, "old_mode", where, &f->old_mode)) < 0 ||
	    (rc = get_mode(o, "new_mode", where, &f->new_mode)) < 0 ||
	    (rc = get_size(o, "old_size", where, &f->old_size)) < 0 ||
	    (rc = get_size(o, "new_size", where, &f->new_size)) < 0 ||
	    (rc = get_str(o, "old_target", where, true, true, &f->old_target)) < 0 ||
	    (rc = get_str(o, "new_target", where, true, true, &f->new_target)) < 0 ||
	    (rc = get_int(o, "added", where, 0, 1LL << 53, &add)) < 0 ||
	    (rc = get_int(o, "removed", where, 0, 1LL << 53, &del)) < 0)
		return rc;
	if (!f->path[0])
		return bad(where, "path", "empty");
	if (!cJSON_IsBool(bin))
		return bad(where, "binary", "missing or not a boolean");
	f->binary = cJSON_IsTrue(bin);
	f->added = (size_t)add;
	f->removed = (size_t)del;
	if ((rc = step_from_json(cJSON_GetObjectItemCaseSensitive(o, "step"), where, &f->step)) < 0)
		return rc;
	if (!ha)
		return bad(where, "hunks", "missing or not an array");
	f->nhunks = 0;
	f->hunks = cJSON_GetArraySize(ha) ? xcalloc((size_t)cJSON_GetArraySize(ha), sizeof *f->hunks)
	                                  : NULL;
	cJSON_ArrayForEach(x, ha) {
		snprintf(w, sizeof w, "%s.hunks[%zu]", where, f->nhunks);
		rc = hunk_from_json(x, w, &f->hunks[f->nhunks++]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
review_model_from_json(const cJSON *j, struct review **out)
{
	const cJSON *fa, *x;
	struct review *r;
	char w[64];
	int rc;

	*out = NULL;
	if (!cJSON_IsObject(j))
		return bad("", NULL, "not an object");
	fa = json_arr(j, "files");
	if (!fa)
		return bad("", "files", "missing or not an array");
	r = xcalloc(1, sizeof *r);
	if ((rc = get_id(j, "accepted", "", r->accepted_id, true)) < 0 ||
	    (rc = get_id(j, "head", "", r->head_id, true)) < 0)
		goto fail;
	r->files = cJSON_GetArraySize(fa) ? xcalloc((size_t)cJSON_GetArraySize(fa), sizeof *r->files)
	                                  : NULL;
	cJSON_ArrayForEach(x, fa) {
		snprintf(w, sizeof w, "files[%zu]", r->nfiles);
		rc = file_from_json(x, w, &r->files[r->nfiles++]);
		if (rc < 0)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	review_model_free(r);
	return rc;
}

/*
 * Freeing
 */

void
review_model_step_fini(struct review_step *s)
{
	free(s->label);
	free(s->tool_call);
	s->label = s->tool_call = NULL;
}

void
review_model_file_fini(struct review_file *f)
{
	free(f->path);
	free(f->old_path);
	free(f->textconv);
	free(f->old_target);
	free(f->new_target);
	for (size_t h = 0; h < f->nhunks; h++) {
		for (size_t i = 0; i < f->hunks[h].nlines; i++)
			free(f->hunks[h].lines[i].text);
		free(f->hunks[h].lines);
		free(f->hunks[h].header);
	}
	free(f->hunks);
	review_model_step_fini(&f->step);
}

void
review_model_free(struct review *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		review_model_file_fini(&r->files[i]);
	free(r->files);
	free(r);
}

bool
review_model_link_text(const struct review_file *f, struct buf *out)
{
	if (f->old_target && f->new_target)
		buf_printf(out, "symlink: %s -> %s", f->old_target, f->new_target);
	else if (f->new_target)
		buf_printf(out, "symlink to %s", f->new_target);
	else if (f->old_target)
		buf_printf(out, "was a symlink to %s", f->old_target);
	return f->old_target || f->new_target;
}

void
review_model_digest(const struct review_file *f, int hunk, char out[17])
{
	struct buf b = BUF_INIT; /* the fields, each ended by a NUL byte */
	unsigned char md[CRYPTO_SHA1_BYTES];

	buf_printf(&b, "%c %o %o %lld %lld %d", f->status, f->old_mode, f->new_mode, f->old_size,
		   f->new_size, hunk);
	buf_add(&b, "", 1);
	buf_add(&b, f->path ? f->path : "", (f->path ? strlen(f->path) : 0) + 1);
	buf_add(&b, f->old_path ? f->old_path : "", (f->old_path ? strlen(f->old_path) : 0) + 1);
	review_model_link_text(f, &b);
	buf_add(&b, "", 1);
	for (size_t i = 0; i < f->nhunks; i++) {
		const struct review_hunk *k = &f->hunks[i];

		if (hunk > 0 && k->n != hunk)
			continue;
		buf_printf(&b, "%d %d %d %d", k->old_start, k->old_lines, k->new_start,
			   k->new_lines);
		buf_add(&b, "", 1);
		for (size_t l = 0; l < k->nlines; l++) {
			const char *t = k->lines[l].text ? k->lines[l].text : "";

			buf_add(&b, &k->lines[l].origin, 1);
			utf8_scrub(&b, t, strlen(t)); /* as the JSON form carries it */
			buf_add(&b, "", 1);
		}
	}
	crypto_sha1(b.ptr ? b.ptr : "", b.len, md);
	buf_fini(&b);
	crypto_hex(md, 8, out);
}

void
review_model_digest_all(struct review *const *rv, size_t n, char out[17])
{
	struct buf b = BUF_INIT; /* per grant: its index, then each file's digest */
	unsigned char md[CRYPTO_SHA1_BYTES];

	for (size_t g = 0; g < n; g++) {
		buf_printf(&b, "%zu", g);
		buf_add(&b, "", 1);
		for (size_t i = 0; rv[g] && i < rv[g]->nfiles; i++) {
			char one[17];

			review_model_digest(&rv[g]->files[i], 0, one);
			buf_add(&b, one, sizeof one);
		}
	}
	crypto_sha1(b.ptr ? b.ptr : "", b.len, md);
	buf_fini(&b);
	crypto_hex(md, 8, out);
}

/* SPDX-License-Identifier: MIT */
/* core/review_model: the review as JSON and back (what review_get carries). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/review_model.h"
#include "core/xalloc.h"

#define ID_A "0123456789abcdef0123456789abcdef01234567"
#define ID_H "89abcdef0123456789abcdef0123456789abcdef"
#define ID_S "fedcba9876543210fedcba9876543210fedcba98"

static void
add_line(struct review_hunk *h, char origin, const char *text)
{
	h->lines = xrealloc(h->lines, (h->nlines + 1) * sizeof *h->lines);
	h->lines[h->nlines].origin = origin;
	h->lines[h->nlines++].text = xstrdup(text);
	h->caplines = h->nlines;
}

static struct review_file *
add_file(struct review *r, char status, const char *path, const char *old_path)
{
	struct review_file *f;

	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
	f = &r->files[r->nfiles++];
	memset(f, 0, sizeof *f);
	f->status = status;
	f->path = xstrdup(path);
	f->old_path = old_path ? xstrdup(old_path) : NULL;
	f->old_size = f->new_size = -1;
	f->step.turn = -1;
	return f;
}

/* One file of each status: M with two hunks and a step, A (0755), D binary
 * with its size, R (edited, with a "\ No newline" line), T (mode only), an
 * empty directory, a link and a name that is not UTF-8. */
static struct review *
sample(void)
{
	struct review *r = xcalloc(1, sizeof *r);
	struct review_file *f;
	struct review_hunk *h;

	strcpy(r->accepted_id, ID_A);
	strcpy(r->head_id, ID_H);

	f = add_file(r, 'M', "a.txt", NULL);
	f->old_mode = f->new_mode = 0100644;
	f->old_size = 120;
	f->new_size = 121;
	f->added = 2;
	f->removed = 1;
	strcpy(f->step.id, ID_S);
	strcpy(f->step.short_id, "fedcba987654");
	f->step.label = xstrdup("turn 2: edit_file toolu_01");
	f->step.tool_call = xstrdup("toolu_01");
	f->step.turn = 2;
	f->step.time = 1735732800;
	f->nhunks = 2;
	f->hunks = xcalloc(2, sizeof *f->hunks);
	h = &f->hunks[0];
	h->n = 1;
	h->header = xstrdup("@@ -1,3 +1,3 @@");
	h->old_start = 1, h->old_lines = 3, h->new_start = 1, h->new_lines = 3;
	add_line(h, ' ', "alpha");
	add_line(h, '-', "beta");
	add_line(h, '+', "BETA");
	add_line(h, ' ', "");
	h = &f->hunks[1];
	h->n = 2;
	h->header = xstrdup("@@ -10,0 +11 @@ ctx");
	h->old_start = 10, h->old_lines = 0, h->new_start = 11, h->new_lines = 1;
	add_line(h, '+', "tail");

	f = add_file(r, 'A', "bin/run.sh", NULL);
	f->new_mode = 0100755;
	f->new_size = 10;
	f->added = 1;
	f->nhunks = 1;
	f->hunks = xcalloc(1, sizeof *f->hunks);
	f->hunks[0].n = 1;
	f->hunks[0].header = xstrdup("@@ -0,0 +1 @@");
	f->hunks[0].new_start = 1, f->hunks[0].new_lines = 1;
	add_line(&f->hunks[0], '+', "echo hi");

	f = add_file(r, 'D', "blob.bin", NULL);
	f->old_mode = 0100600;
	f->binary = true;
	f->old_size = 4096;
	strcpy(f->step.id, ID_S);
	strcpy(f->step.short_id, "fedcba987654");
	f->step.label = xstrdup("external change");
	f->step.time = 5;

	f = add_file(r, 'R', "new/name.txt", "old/name.txt");
	f->old_mode = f->new_mode = 0100644;
	f->old_size = 3;
	f->new_size = 4;
	f->added = f->removed = 1;
	f->nhunks = 1;
	f->hunks = xcalloc(1, sizeof *f->hunks);
	f->hunks[0].n = 1;
	f->hunks[0].header = xstrdup("@@ -1 +1 @@");
	f->hunks[0].old_start = f->hunks[0].old_lines = 1;
	f->hunks[0].new_start = f->hunks[0].new_lines = 1;
	add_line(&f->hunks[0], '-', "ab");
	add_line(&f->hunks[0], '\\', " No newline at end of file");
	add_line(&f->hunks[0], '+', "abc");

	f = add_file(r, 'T', "mode.sh", NULL);
	f->old_mode = 0100644;
	f->new_mode = 0100755;
	f->old_size = f->new_size = 7;

	f = add_file(r, 'A', "empty/", NULL);
	f->new_mode = 040000;

	f = add_file(r, 'T', "link", NULL);
	f->old_mode = 0100644;
	f->new_mode = 0120000;
	f->old_size = 2;
	f->new_size = 6;
	f->new_target = xstrdup("target");

	add_file(r, 'M', "caf\xff.txt", NULL)->old_mode = 0100644;
	r->files[r->nfiles - 1].new_mode = 0100644;

	f = add_file(r, 'M', "to", NULL);
	f->old_mode = f->new_mode = 0120000;
	f->old_size = 5;
	f->new_size = 2;
	f->old_target = xstrdup("a.txt");
	f->new_target = xstrdup("b\xff");
	return r;
}

static void
assert_same(const struct review *a, const struct review *b)
{
	cr_assert_str_eq(a->accepted_id, b->accepted_id);
	cr_assert_str_eq(a->head_id, b->head_id);
	cr_assert_eq(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		const struct review_file *x = &a->files[i], *y = &b->files[i];

		cr_assert_eq(x->status, y->status, "file %zu", i);
		cr_assert_str_eq(x->path, y->path);
		cr_assert_eq(!x->old_path, !y->old_path);
		if (x->old_path)
			cr_assert_str_eq(x->old_path, y->old_path);
		cr_assert_eq(x->old_mode, y->old_mode, "%s: %o %o", x->path, x->old_mode, y->old_mode);
		cr_assert_eq(x->new_mode, y->new_mode, "%s", x->path);
		cr_assert_eq(x->binary, y->binary);
		cr_assert_eq(x->old_size, y->old_size, "%s", x->path);
		cr_assert_eq(x->new_size, y->new_size, "%s", x->path);
		cr_assert_eq(!x->old_target, !y->old_target, "%s", x->path);
		if (x->old_target)
			cr_assert_str_eq(x->old_target, y->old_target);
		cr_assert_eq(!x->new_target, !y->new_target, "%s", x->path);
		if (x->new_target)
			cr_assert_str_eq(x->new_target, y->new_target);
		cr_assert_eq(x->added, y->added);
		cr_assert_eq(x->removed, y->removed);
		cr_assert_str_eq(x->step.id, y->step.id);
		cr_assert_str_eq(x->step.short_id, y->step.short_id);
		cr_assert_eq(!x->step.label, !y->step.label);
		if (x->step.label)
			cr_assert_str_eq(x->step.label, y->step.label);
		cr_assert_eq(!x->step.tool_call, !y->step.tool_call);
		if (x->step.tool_call)
			cr_assert_str_eq(x->step.tool_call, y->step.tool_call);
		cr_assert_eq(x->step.turn, y->step.turn);
		cr_assert_eq(x->step.time, y->step.time);
		cr_assert_eq(x->step.external, y->step.external);
		cr_assert_eq(x->nhunks, y->nhunks);
		for (size_t h = 0; h < x->nhunks; h++) {
			const struct review_hunk *p = &x->hunks[h], *q = &y->hunks[h];

			cr_assert_eq(p->n, q->n);
			cr_assert_str_eq(p->header, q->header);
			cr_assert_eq(p->old_start, q->old_start);
			cr_assert_eq(p->old_lines, q->old_lines);
			cr_assert_eq(p->new_start, q->new_start);
			cr_assert_eq(p->new_lines, q->new_lines);
			cr_assert_eq(p->nlines, q->nlines);
			for (size_t l = 0; l < p->nlines; l++) {
				cr_assert_eq(p->lines[l].origin, q->lines[l].origin);
				cr_assert_str_eq(p->lines[l].text, q->lines[l].text);
			}
		}
	}
}

/* Through text, as on the wire. */
static struct review *
round_trip(const struct review *r)
{
	cJSON *j = review_model_to_json(r), *back;
	char *s = json_print(j);
	struct review *out = NULL;

	cJSON_Delete(j);
	cr_assert_eq(json_parse(&back, s, strlen(s), "test"), 0);
	free(s);
	cr_assert_eq(review_model_from_json(back, &out), 0, "%s", err_msg());
	cJSON_Delete(back);
	return out;
}

Test(review_model, round_trip_every_status)
{
	struct review *r = sample(), *b = round_trip(r);

	assert_same(r, b);
	review_model_free(r);
	review_model_free(b);
}

Test(review_model, empty_review_round_trips)
{
	struct review r = {.accepted_id = ID_A, .head_id = ID_H};
	struct review *b = round_trip(&r);

	assert_same(&r, b);
	cr_assert_null(b->files);
	review_model_free(b);
}

/* The wire shape is the README's `review --json` one. */
Test(review_model, wire_shape)
{
	struct review *r = sample();
	cJSON *j = review_model_to_json(r);
	const cJSON *f0 = cJSON_GetArrayItem(json_arr(j, "files"), 0);
	const cJSON *f2 = cJSON_GetArrayItem(json_arr(j, "files"), 2);
	const cJSON *f7 = cJSON_GetArrayItem(json_arr(j, "files"), 7);
	const cJSON *h0 = cJSON_GetArrayItem(json_arr(f0, "hunks"), 0);

	cr_assert_str_eq(json_str(j, "head"), ID_H);
	cr_assert_str_eq(json_str(f0, "status"), "M");
	cr_assert_str_eq(json_str(f0, "old_mode"), "100644");
	cr_assert_str_eq(json_str(json_obj(f0, "step"), "tool_call"), "toolu_01");
	cr_assert_str_eq(cJSON_GetArrayItem(json_arr(h0, "lines"), 1)->valuestring, "-beta");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(f2, "new_size")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(f2, "new_mode")));
	cr_assert_eq(json_int(f2, "old_size", 0), 4096);
	cr_assert_str_eq(json_str(f7, "path"), "caf\\xff.txt");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(json_arr(j, "files"), 1),
	                                           "step")));
	cJSON *stat = review_model_file_to_json(&r->files[0], false);
	cr_assert_eq(cJSON_GetArraySize(json_arr(stat, "hunks")), 0);
	cJSON_Delete(stat);
	cJSON_Delete(j);
	review_model_free(r);
}

/* A link's targets, as the review says them; a new target is another
 * version to the digest. */
/* A step's "external" (changes made outside the agent) goes both ways; an
 * engine that does not send it gives an agent step; a non-boolean is refused. */
Test(review_model, step_external)
{
	struct review *r = sample(), *b;
	cJSON *j, *step;

	r->files[0].step.external = true;
	j = review_model_to_json(r);
	step = json_obj(cJSON_GetArrayItem(json_arr(j, "files"), 0), "step");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(step, "external")));
	cr_assert_eq(review_model_from_json(j, &b), 0, "%s", err_msg());
	cr_assert(b->files[0].step.external);
	review_model_free(b);
	cJSON_DeleteItemFromObject(step, "external");
	cr_assert_eq(review_model_from_json(j, &b), 0, "%s", err_msg());
	cr_assert_not(b->files[0].step.external);
	review_model_free(b);
	json_add_str(step, "external", "yes");
	cr_assert_eq(review_model_from_json(j, &b), DH_EPARSE);
	cJSON_Delete(j);
	review_model_free(r);
}

Test(review_model, link_targets_are_said_and_digested)
{
	struct review *r = sample();
	struct review_file *to = &r->files[r->nfiles - 1], *link = &r->files[6];
	struct buf b = BUF_INIT;
	char before[17], after[17];
	cJSON *j = review_model_file_to_json(to, false);

	cr_assert_str_eq(json_str(j, "old_target"), "a.txt");
	cr_assert_str_eq(json_str(j, "new_target"), "b\\xff");
	cJSON_Delete(j);
	cr_assert(review_model_link_text(to, &b));
	cr_assert_str_eq(buf_cstr(&b), "symlink: a.txt -> b\xff");
	buf_clear(&b);
	cr_assert(review_model_link_text(link, &b));
	cr_assert_str_eq(buf_cstr(&b), "symlink to target");
	buf_clear(&b);
	free(link->new_target);
	link->new_target = NULL;
	link->old_target = xstrdup("gone");
	cr_assert(review_model_link_text(link, &b));
	cr_assert_str_eq(buf_cstr(&b), "was a symlink to gone");
	buf_clear(&b);
	cr_assert_not(review_model_link_text(&r->files[0], &b));
	cr_assert_eq(b.len, 0);
	review_model_digest(to, 0, before);
	to->new_target[0] = 'c';
	review_model_digest(to, 0, after);
	cr_assert_str_neq(before, after);
	buf_fini(&b);
	review_model_free(r);
}

/* The digest of everything pending names the files of every grant: a file
 * more, a file's other version, or the same files in another grant is
 * another digest; NULL and an empty review are the same nothing. */
Test(review_model, digest_all_names_every_file)
{
	struct review *r = sample(), *empty = xcalloc(1, sizeof *empty);
	struct review *one[1] = { r }, *two[2] = { NULL, r }, *none[2] = { NULL, empty };
	struct review *nulls[2] = { NULL, NULL };
	char a[17], b[17], c[17], d[17];

	review_model_digest_all(one, 1, a);
	review_model_digest_all(one, 1, b);
	cr_assert_str_eq(a, b);
	cr_assert_eq(strlen(a), 16);
	review_model_digest_all(two, 2, c);
	cr_assert_str_neq(a, c);
	review_model_digest_all(none, 2, c);
	review_model_digest_all(nulls, 2, d);
	cr_assert_str_eq(c, d);
	r->nfiles--; /* the last file was not listed yet */
	review_model_digest_all(one, 1, b);
	r->nfiles++;
	cr_assert_str_neq(a, b);
	r->files[0].new_size++;
	review_model_digest_all(one, 1, b);
	cr_assert_str_neq(a, b);
	free(empty);
	review_model_free(r);
}

/* Each malformed document is refused with a message naming the field, and
 * nothing leaks (ASan). */
Test(review_model, malformed_input)
{
	static const struct {
		const char *json, *needle;
	} cases[] = {
		{"[]", "not an object"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\"}", "files"},
		{"{\"accepted\":\"xyz\",\"head\":\"" ID_H "\",\"files\":[]}", "accepted"},
		{"{\"accepted\":\"" ID_A "\",\"files\":[]}", "head"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[1]}", "files[0]"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"X\"}]}",
		 "files[0].status"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"old_mode\":\"9\",\"binary\":false,\"added\":0,\"removed\":0,"
		 "\"hunks\":[]}]}",
		 "old_mode"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":false,\"added\":-1,\"removed\":0,\"hunks\":[]}]}",
		 "added"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":1,\"added\":0,\"removed\":0,\"hunks\":[]}]}",
		 "binary"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\\\\x00\",\"binary\":false,\"added\":0,\"removed\":0,\"hunks\":[]}]}",
		 "path"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":false,\"added\":0,\"removed\":0,\"step\":{\"id\":\"1\"},"
		 "\"hunks\":[]}]}",
		 "step"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":false,\"added\":0,\"removed\":0,\"hunks\":[{\"n\":1,"
		 "\"header\":\"@@\",\"old_start\":1,\"old_lines\":1,\"new_start\":1,"
		 "\"new_lines\":1,\"lines\":[\" ok\",\"*bad\"]}]}]}",
		 "files[0].hunks[0].lines"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":false,\"added\":0,\"removed\":0,\"hunks\":[{\"n\":0,"
		 "\"header\":\"@@\",\"old_start\":1,\"old_lines\":1,\"new_start\":1,"
		 "\"new_lines\":1,\"lines\":[]}]}]}",
		 "hunks[0].n"},
		{"{\"accepted\":\"" ID_A "\",\"head\":\"" ID_H "\",\"files\":[{\"status\":\"M\","
		 "\"path\":\"a\",\"binary\":false,\"added\":0.5,\"removed\":0,\"hunks\":[]}]}",
		 "added"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *j = NULL;
		struct review *r = (struct review *)1;

		cr_assert_eq(json_parse(&j, cases[i].json, strlen(cases[i].json), "t"), 0, "case %zu",
		             i);
		cr_assert_eq(review_model_from_json(j, &r), DH_EPARSE, "case %zu", i);
		cr_assert_null(r);
		cr_assert(strstr(err_msg(), cases[i].needle), "case %zu: %s", i, err_msg());
		cJSON_Delete(j);
	}
	review_model_free(NULL);
}

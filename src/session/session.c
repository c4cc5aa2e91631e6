/* SPDX-License-Identifier: MIT */
/*
 * Session persistence: the append-only transcript, meta.json, listing and
 * resolution of ids, and rebuilding the model conversation for --resume.
 * It stores what the agent hands it; it does not interpret events.
 */
#include "session/session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

struct session {
	char *id;
	char *dir;
	int fd; /* transcript.jsonl, O_APPEND */
};

static int
open_transcript(struct session *s)
{
	char *path = xasprintf("%s/transcript.jsonl", s->dir);

	s->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int rc = s->fd < 0 ? err_set("%s: %s", path, strerror(errno)) : 0;
	free(path);
	return rc;
}

int
session_create(struct session **out, const char *state_dir)
{
	char stamp[32];
	unsigned char rnd[2] = { 0, 0 };
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	*out = NULL;
	char *sessions = xasprintf("%s/sessions", state_dir);
	rc = fsutil_mkdir_p(sessions, 0700);
	if (rc < 0) {
		free(sessions);
		return rc;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	struct session *s = xcalloc(1, sizeof *s);
	s->fd = -1;
	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			rnd[0] = (unsigned char)tries, rnd[1] = (unsigned char)getpid();
		free(s->id);
		free(s->dir);
		s->id = xasprintf("%s-%02x%02x", stamp, rnd[0], rnd[1]);
		s->dir = xasprintf("%s/%s", sessions, s->id);
		if (mkdir(s->dir, 0700) == 0)
			break;
		if (errno != EEXIST) {
			rc = err_set("mkdir %s: %s", s->dir, strerror(errno));
			goto fail;
		}
	}
	if ((rc = open_transcript(s)) < 0)
		goto fail;
	free(sessions);
	*out = s;
	return 0;
fail:
	free(sessions);
	session_close(s);
	return rc;
}

int
session_open(struct session **out, const char *state_dir, const char *spec)
{
	char *id;
	int rc;

	*out = NULL;
	if ((rc = session_resolve(state_dir, spec, &id)) < 0)
		return rc;
	struct session *s = xcalloc(1, sizeof *s);
	s->id = id;
	s->dir = xasprintf("%s/sessions/%s", state_dir, id);
	s->fd = -1;
	if ((rc = open_transcript(s)) < 0) {
		session_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
session_close(struct session *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->id);
	free(s->dir);
	free(s);
}

const char *
session_id(const struct session *s)
{
	return s->id;
}

const char *
session_dir(const struct session *s)
{
	return s->dir;
}

int
session_append(struct session *s, const cJSON *record)
{
	cJSON *r = json_dup(record);
	struct timespec ts;

	if (!cJSON_GetObjectItemCaseSensitive(r, "ts")) {
		clock_gettime(CLOCK_REALTIME, &ts);
		json_add_num(r, "ts", (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000));
	}
	char *line = json_print(r);
	cJSON_Delete(r);
	size_t len = strlen(line);
	line[len] = '\n'; /* replaces the NUL: one write per record */
	int rc = 0;
	ssize_t n = write(s->fd, line, len + 1);
	if (n != (ssize_t)(len + 1))
		rc = err_set("%s/transcript.jsonl: %s", s->dir,
			     n < 0 ? strerror(errno) : "short write (disk full?)");
	else if (fdatasync(s->fd) < 0)
		rc = err_set("%s/transcript.jsonl: fsync: %s", s->dir, strerror(errno));
	free(line);
	return rc;
}

int
session_meta_write(struct session *s, const cJSON *meta)
{
	char *path = xasprintf("%s/meta.json", s->dir);
	char *text = cJSON_Print(meta);

	if (!text)
		die("out of memory (meta.json)");
	int rc = fsutil_write_atomic(path, text, strlen(text));
	cJSON_free(text);
	free(path);
	return rc;
}

int
session_meta_read(const char *state_dir, const char *id, cJSON **out)
{
	char *path = xasprintf("%s/sessions/%s/meta.json", state_dir, id);
	struct buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = fsutil_read_file(path, 1 << 20, &b)) == 0)
		rc = json_parse(out, b.ptr, b.len, path);
	buf_fini(&b);
	free(path);
	return rc;
}

int
session_history_load(struct session *s, cJSON **out)
{
	char *path = xasprintf("%s/transcript.jsonl", s->dir);
	struct buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = fsutil_read_file(path, (size_t)1 << 30, &b)) < 0)
		goto out;
	cJSON *msgs = json_new_arr();
	size_t lineno = 0;
	for (char *p = b.ptr; p && *p;) {
		char *nl = strchr(p, '\n');
		bool last = nl == NULL;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cJSON *rec;

		lineno++;
		if (len > 0 && json_parse(&rec, p, len, "transcript") < 0) {
			if (last)
				break; /* torn final record from a crash */
			rc = err_setc(DH_EPARSE, "%s:%zu: %s", path, lineno, err_msg());
			cJSON_Delete(msgs);
			goto out;
		}
		if (len > 0) {
			const char *type = json_str(rec, "type");
			cJSON *m = json_obj(rec, "message");

			if (type && strcmp(type, "history") == 0 && m)
				json_add(msgs, NULL, json_dup(m));
			else if (type && strcmp(type, "history_replace_last") == 0 &&
				 cJSON_GetArraySize(msgs) > 0)
				cJSON_DeleteItemFromArray(msgs, cJSON_GetArraySize(msgs) - 1);
			cJSON_Delete(rec);
		}
		if (last)
			break;
		p = nl + 1;
	}
	*out = msgs;
out:
	buf_fini(&b);
	free(path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
session_list(const char *state_dir, char ***out, size_t *n)
{
	char *path = xasprintf("%s/sessions", state_dir);
	DIR *d = opendir(path);
	char **ids = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		int rc = errno == ENOENT ? 0 : err_set("%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		ids = xrealloc(ids, (cnt + 1) * sizeof *ids);
		ids[cnt++] = xstrdup(e->d_name);
	}
	closedir(d);
	free(path);
	if (cnt)
		qsort(ids, cnt, sizeof *ids, cmp_str);
	*out = ids;
	*n = cnt;
	return 0;
}

int
session_resolve(const char *state_dir, const char *spec, char **out)
{
	char **ids;
	size_t n, hit = SIZE_MAX, nhits = 0;
	int rc;

	*out = NULL;
	if ((rc = session_list(state_dir, &ids, &n)) < 0)
		return rc;
	if (!spec || strcmp(spec, "latest") == 0) {
		if (n > 0)
			hit = n - 1, nhits = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(ids[i], spec) == 0) {
				hit = i, nhits = 1;
				break;
			}
			if (strncmp(ids[i], spec, strlen(spec)) == 0)
				hit = i, nhits++;
		}
	}
	if (nhits == 1)
		*out = xstrdup(ids[hit]);
	else if (nhits == 0)
		rc = err_setc(DH_ENOTFOUND, spec ? "no session '%s' in %s/sessions"
						 : "no sessions yet in %s/sessions%s",
			      spec ? spec : state_dir, spec ? state_dir : "");
	else
		rc = err_setc(DH_ENOTFOUND, "session '%s' is ambiguous (%zu match)", spec, nhits);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * The audit log's file format: numbering, the SHA-256 chain over canonical
 * records, the HMAC-keyed head and its key, verification and export. It
 * decides nothing about what is recorded (engine/audit_sink.c does) and never
 * touches the event loop.
 */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

#define AUDIT_MAX_LISTENERS 4
#define AUDIT_FILE_MAX	    ((size_t)1 << 30) /* the most verify and open read */
#define HEAD_DOMAIN	    "deskhand-audit-head v1\n"

struct audit_log {
	int fd;
	char *dir;
	char *path;
	char *session;
	unsigned char key[AUDIT_KEY_BYTES];
	char key_id[17];
	long seq;		    /* of the last record written */
	char hash[AUDIT_HASH_HEX];  /* of the last record written ("" before one) */
	long keyed;		    /* seq of the last head taken */
	struct {
		audit_record_fn *fn;
		void *ctx;
	} listeners[AUDIT_MAX_LISTENERS];
	size_t nlisteners;
};

struct audit_flush {
	int fd;
	bool head;
	char *dir;
	char *session;
	long seq;
	char hash[AUDIT_HASH_HEX];
	char hmac[AUDIT_HASH_HEX];
	char key_id[17];
};

void
audit_sha256_hex(const void *data, size_t len, char out[AUDIT_HASH_HEX])
{
	if (crypto_sha256_hex(data, len, out) < 0)
		die("audit: %s", err_msg());
}

/* Sort an object's members by key, at every depth (in place). */
static void
sort_keys(cJSON *v)
{
	size_t n = 0;
	cJSON *c;

	for (c = v->child; c; c = c->next) {
		sort_keys(c);
		n++;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return;
	cJSON **a = xmalloc(n * sizeof *a);
	size_t i = 0;

	for (c = v->child; c; c = c->next)
		a[i++] = c;
	/* insertion sort: records have a dozen keys; stable for duplicates */
	for (i = 1; i < n; i++) {
		cJSON *x = a[i];
		size_t j = i;

		for (; j > 0 && strcmp(a[j - 1]->string, x->string) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
	for (i = 0; i < n; i++) {
		a[i]->prev = i ? a[i - 1] : a[n - 1]; /* cJSON: child->prev is the last */
		a[i]->next = i + 1 < n ? a[i + 1] : NULL;
	}
	v->child = a[0];
	free(a);
}

char *
audit_canonical(const cJSON *v)
{
	cJSON *d = json_dup(v);

	sort_keys(d);
	char *s = json_print(d);
	cJSON_Delete(d);
	return s;
}

static void
record_hash(const cJSON *rec, char out[AUDIT_HASH_HEX])
{
	char *s = audit_canonical(rec);

	audit_sha256_hex(s, strlen(s), out);
	free(s);
}

void
audit_now(char ts[25])
{
	struct timespec t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	char ms[8];

	strftime(ts, 25, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ms, sizeof ms, ".%03dZ", (int)(t.tv_nsec / 1000000) % 1000);
	strncat(ts, ms, 24 - strlen(ts));
}

bool
audit_record_warns(const cJSON *rec)
{
	static const char *const types[] = { "error", "refusal", "budget_stop" };
	const char *t = json_str(rec, "type");
	const char *d = json_str(rec, "decision");

	if (!t)
		return false;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcmp(t, types[i]))
			return true;
	return (d && !strcmp(d, "deny")) ||
	       (!strcmp(t, "egress") && !json_bool(rec, "allowed", true));
}

/*
 * The key
 */

static int
key_path_of(const char *key_path, char **out)
{
	char *state = NULL;

	if (key_path && *key_path) {
		*out = xstrdup(key_path);
		return 0;
	}
	if (fsutil_state_dir(&state) < 0)
		return DH_EFAIL;
	*out = xasprintf("%s/audit.key", state);
	free(state);
	return 0;
}

static int
key_parse(unsigned char key[AUDIT_KEY_BYTES], const char *text, size_t len, const char *path)
{
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if (len != 2 * AUDIT_KEY_BYTES)
		return err_set("audit key %s: expected %d hex digits, found %zu characters", path,
			       2 * AUDIT_KEY_BYTES, len);
	for (size_t i = 0; i < AUDIT_KEY_BYTES; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char c = text[2 * i + (size_t)k];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return err_set("audit key %s: '%c' is not a hex digit", path, c);
			v = v << 4 | (unsigned)d;
		}
		key[i] = (unsigned char)v;
	}
	return 0;
}

/* Create the key file with O_EXCL; EEXIST is not an error (another process
 * made it first: read that one). */
static int
key_create(const char *path)
{
	unsigned char k[AUDIT_KEY_BYTES];
	char text[2 * AUDIT_KEY_BYTES + 2];
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		if (fsutil_mkdir_p(dir, 0700) < 0) {
			free(dir);
			return DH_EFAIL;
		}
	}
	free(dir);
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k)
		return err_set("audit key %s: getrandom: %s", path, strerror(errno));
	crypto_hex(k, sizeof k, text);
	strcat(text, "\n");
	/* Whole or not at all (a temporary file renamed onto the name, which must not
	 * exist): a kill in the middle left an empty key before, which every later run
	 * then refused; and a second process starting at the same moment reads either
	 * no key or a whole one. EEXIST: that process made it first. */
	const char *leaf = strrchr(path, '/');
	char *kdir = leaf ? xstrndup(path, leaf == path ? 1 : (size_t)(leaf - path)) : xstrdup(".");
	int dfd = open(kdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (dfd < 0 || atomic_write_at(dfd, leaf ? leaf + 1 : path, text, strlen(text), 0600,
	                               ATOMIC_NOREPLACE) < 0)
		rc = errno == EEXIST ? 0 : err_set("audit key %s: %s", path, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	free(kdir);
	return rc;
}

/* Read (create = make it when missing) the key at `key_path`. */
static int
key_load(unsigned char key[AUDIT_KEY_BYTES], char id[17], const char *key_path, bool create)
{
	char *path = NULL;
	int rc = key_path_of(key_path, &path);

	if (rc < 0)
		return rc;
	if (create && access(path, F_OK) != 0 && (rc = key_create(path)) < 0)
		goto out;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		rc = err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "audit key %s: %s", path,
			      strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		rc = err_set("audit key %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		close(fd);
		rc = err_set("audit key %s: others may read it (mode %04o); it must be 0600 "
			     "(chmod 600 %s)", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	char text[256];
	ssize_t n = read(fd, text, sizeof text);

	close(fd);
	if (n < 0) {
		rc = err_set("audit key %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = key_parse(key, text, (size_t)n, path)) < 0)
		goto out;
	char kh[AUDIT_HASH_HEX];

	audit_sha256_hex(key, AUDIT_KEY_BYTES, kh);
	memcpy(id, kh, 16);
	id[16] = '\0';
out:
	free(path);
	return rc;
}

static void
head_hmac(const unsigned char key[AUDIT_KEY_BYTES], const char *session, long seq,
	  const char *hash, char out[AUDIT_HASH_HEX])
{
	char *msg = xasprintf(HEAD_DOMAIN "%s\n%ld\n%s", session, seq, hash);
	unsigned char md[CRYPTO_SHA256_BYTES];

	if (crypto_hmac_sha256(key, AUDIT_KEY_BYTES, msg, strlen(msg), md) < 0)
		die("audit: %s", err_msg());
	free(msg);
	crypto_hex(md, sizeof md, out);
}

/*
 * Writing
 */

static const char *
base_name(const char *dir)
{
	const char *s = strrchr(dir, '/');

	return s ? s + 1 : dir;
}

/* Find the chain's end in the existing file: the last complete line's seq and
 * hash; a torn tail is cut off. */
static int
resume_chain(struct audit_log *l)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	if (fsutil_read_file(l->path, AUDIT_FILE_MAX, &b) < 0) {
		buf_fini(&b);
		return DH_EFAIL;
	}
	size_t end = b.len;

	while (end && b.ptr[end - 1] != '\n')
		end--;
	if (end != b.len && ftruncate(l->fd, (off_t)end) < 0)
		rc = err_set("%s: cutting a torn last line: %s", l->path, strerror(errno));
	if (rc == 0 && end) {
		size_t start = end - 1;

		while (start && b.ptr[start - 1] != '\n')
			start--;
		cJSON *rec = NULL;

		if (json_parse(&rec, b.ptr + start, end - 1 - start, l->path) < 0) {
			rc = err_set("%s: the last record is not JSON; run deskhand audit verify %s",
				     l->path, l->session);
		} else {
			l->seq = (long)json_int(rec, "seq", 0);
			record_hash(rec, l->hash);
			l->keyed = l->seq; /* the previous writer's close keyed it, or verify says */
		}
		cJSON_Delete(rec);
	}
	buf_fini(&b);
	return rc;
}

int
audit_open(struct audit_log **out, const char *dir, const char *session, const char *key_path)
{
	struct audit_log *l = xcalloc(1, sizeof *l);
	int rc;

	*out = NULL;
	l->dir = xstrdup(dir);
	l->session = xstrdup(session ? session : base_name(dir));
	l->path = xasprintf("%s/audit.jsonl", dir);
	if ((rc = key_load(l->key, l->key_id, key_path, true)) < 0)
		goto fail;
	l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0) {
		rc = err_set("%s: %s", l->path, strerror(errno));
		goto fail;
	}
	if ((rc = resume_chain(l)) < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	if (l->fd > 0)
		close(l->fd);
	l->fd = -1;
	free(l->dir);
	free(l->path);
	free(l->session);
	free(l);
	return rc;
}

void
audit_add_listener(struct audit_log *l, audit_record_fn *fn, void *ctx)
{
	if (l->nlisteners < AUDIT_MAX_LISTENERS) {
		l->listeners[l->nlisteners].fn = fn;
		l->listeners[l->nlisteners].ctx = ctx;
		l->nlisteners++;
	}
}

int
audit_append(struct audit_log *l, cJSON *rec)
{
	char ts[25];

	audit_now(ts);
	/* seq and ts first, prev last, whatever the builder put in between */
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "seq");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "ts");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "prev");
	cJSON *o = json_new_obj(), *c;

	json_add_num(o, "seq", (double)(l->seq + 1));
	json_add_str(o, "ts", ts);
	while ((c = rec->child) != NULL)
		cJSON_AddItemToArray(o, cJSON_DetachItemViaPointer(rec, c)); /* keeps c->string */
	json_add_str(o, "prev", l->hash);
	rec->child = o->child;
	o->child = NULL;
	cJSON_Delete(o);

	char *line = json_print(rec);
	size_t len = strlen(line);
	off_t at = lseek(l->fd, 0, SEEK_END);

	line[len] = '\n';
	ssize_t n = write(l->fd, line, len + 1);
	line[len] = '\0';
	if (n != (ssize_t)len + 1) {
		int e = n < 0 ? errno : ENOSPC;

		if (n > 0 && at >= 0 && ftruncate(l->fd, at) < 0)
			e = errno;
		free(line);
		return err_set("the audit log %s could not be written: %s", l->path, strerror(e));
	}
	l->seq++;
	record_hash(rec, l->hash);
	for (size_t i = 0; i < l->nlisteners; i++)
		l->listeners[i].fn(rec, line, l->listeners[i].ctx);
	free(line);
	return 0;
}

unsigned
audit_unkeyed(const struct audit_log *l)
{
	return (unsigned)(l->seq - l->keyed);
}

const char *
audit_path(const struct audit_log *l)
{
	return l->path;
}

struct audit_flush *
audit_flush_take(struct audit_log *l, bool head)
{
	struct audit_flush *f = xcalloc(1, sizeof *f);

	f->fd = fcntl(l->fd, F_DUPFD_CLOEXEC, 3);
	f->head = head && l->seq > 0;
	f->dir = xstrdup(l->dir);
	f->session = xstrdup(l->session);
	f->seq = l->seq;
	memcpy(f->hash, l->hash, sizeof f->hash);
	memcpy(f->key_id, l->key_id, sizeof f->key_id);
	if (f->head) {
		head_hmac(l->key, l->session, l->seq, l->hash, f->hmac);
		l->keyed = l->seq;
	}
	return f;
}

int
audit_flush_run(struct audit_flush *f)
{
	if (f->fd < 0 || fdatasync(f->fd) < 0)
		return err_set("%s/audit.jsonl: sync: %s", f->dir, strerror(errno));
	if (!f->head)
		return 0;
	cJSON *h = json_new_obj();

	json_add_str(h, "session", f->session);
	json_add_num(h, "seq", (double)f->seq);
	json_add_str(h, "hash", f->hash);
	json_add_str(h, "hmac", f->hmac);
	json_add_str(h, "key", f->key_id);
	char *text = json_print(h);
	char *path = xasprintf("%s/audit.head", f->dir);
	size_t len = strlen(text);

	text = xrealloc(text, len + 2);
	memcpy(text + len, "\n", 2);
	int rc = atomic_write(path, text, len + 1, 0600);

	free(path);
	free(text);
	cJSON_Delete(h);
	return rc;
}

void
audit_flush_free(struct audit_flush *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->dir);
	free(f->session);
	free(f);
}

void
audit_close(struct audit_log *l)
{
	if (!l)
		return;
	if (l->seq > 0) {
		struct audit_flush *f = audit_flush_take(l, true);

		if (audit_flush_run(f) < 0)
			fprintf(stderr, "deskhand: audit: %s\n", err_msg());
		audit_flush_free(f);
	}
	close(l->fd);
	crypto_cleanse(l->key, sizeof l->key);
	free(l->dir);
	free(l->path);
	free(l->session);
	free(l);
}

/*
 * Reading
 */

const char *
audit_fault_name(enum audit_fault f)
{
	switch (f) {
	case AUDIT_OK:
		return "ok";
	case AUDIT_MODIFIED:
		return "modified";
	case AUDIT_DELETED:
		return "deleted";
	case AUDIT_REORDERED:
		return "reordered";
	case AUDIT_TRUNCATED:
		return "truncated";
	case AUDIT_BAD_HEAD:
		return "bad head";
	}
	return "?";
}

void
audit_report_fini(struct audit_report *r)
{
	free(r->why);
	r->why = NULL;
}

static int
fault(struct audit_report *r, enum audit_fault f, long seq, const char *fmt, ...)
	DH_PRINTF(4, 5);

static int
fault(struct audit_report *r, enum audit_fault f, long seq, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	r->fault = f;
	r->seq = seq;
	free(r->why);
	r->why = m;
	return 0;
}

/* One parsed line of the log. */
struct vrec {
	long seq;
	char hash[AUDIT_HASH_HEX];
	char *prev; /* heap, NULL when absent */
	bool bad;   /* not a JSON object */
};

/* The chain's checks over the complete lines; fills r on the first fault. */
static void
check_chain(struct audit_report *r, const struct vrec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long want = i ? v[i - 1].seq + 1 : 1;

		if (v[i].bad || v[i].seq < 1 || !v[i].prev) {
			fault(r, AUDIT_MODIFIED, want,
			      "line %zu (after record %ld) is not an audit record", i + 1, want - 1);
			return;
		}
		if (v[i].seq > want) {
			/* a missing record found further on was moved, not deleted */
			for (size_t j = i + 1; j < n; j++) {
				if (v[j].seq >= want && v[j].seq < v[i].seq) {
					fault(r, AUDIT_REORDERED, v[i].seq,
					      "record %ld comes where record %ld should: records "
					      "were moved", v[i].seq, want);
					return;
				}
			}
			if (v[i].seq == want + 1)
				fault(r, AUDIT_DELETED, want, "record %ld is missing (record %ld "
				      "follows record %ld)", want, v[i].seq, want - 1);
			else
				fault(r, AUDIT_DELETED, want, "records %ld to %ld are missing "
				      "(record %ld follows record %ld)", want, v[i].seq - 1,
				      v[i].seq, want - 1);
			return;
		}
		if (v[i].seq < want) {
			fault(r, AUDIT_REORDERED, v[i].seq,
			      "record %ld comes after record %ld: records were moved or repeated",
			      v[i].seq, want - 1);
			return;
		}
		const char *expect = i ? v[i - 1].hash : "";

		if (strcmp(v[i].prev, expect) != 0) {
			if (i)
				fault(r, AUDIT_MODIFIED, v[i - 1].seq,
				      "record %ld was modified: its hash is not the one record %ld "
				      "chains to", v[i - 1].seq, v[i].seq);
			else
				fault(r, AUDIT_MODIFIED, 1, "record 1 was modified: its prev is "
				      "not empty");
			return;
		}
	}
}

/* The head as read into b (head_err: why it could not be, or NULL; no_head:
 * there is no such file) against the records v[0..n). A live log with no
 * head file yet is not a fault: its writer has not written the first one. */
static void
check_head(struct audit_report *r, const char *dir, const struct buf *head, const char *head_err,
	   bool no_head, bool live, const struct vrec *v, size_t n, const unsigned char *key,
	   const char *key_id)
{
	char *path = xasprintf("%s/audit.head", dir);
	const struct buf b = *head;
	cJSON *h = NULL;

	if (no_head && live)
		goto out;
	if (head_err) {
		fault(r, AUDIT_BAD_HEAD, 0, "%s: no keyed head (%s)", path, head_err);
		goto out;
	}
	if (json_parse(&h, b.ptr, b.len, path) < 0 || !json_str(h, "hash") ||
	    !json_str(h, "hmac") || !json_str(h, "session") || json_int(h, "seq", 0) < 1) {
		fault(r, AUDIT_BAD_HEAD, 0, "%s: not a keyed head", path);
		goto out;
	}
	long seq = (long)json_int(h, "seq", 0);
	char mac[AUDIT_HASH_HEX];

	r->head_seq = seq;
	head_hmac(key, json_str(h, "session"), seq, json_str(h, "hash"), mac);
	if (strcmp(json_str(h, "session"), base_name(dir)) != 0) {
		fault(r, AUDIT_BAD_HEAD, 0, "%s is the head of session %s, not of %s", path,
		      json_str(h, "session"), base_name(dir));
		goto out;
	}
	if (strlen(json_str(h, "hmac")) != 64 || !crypto_equal(mac, json_str(h, "hmac"), 64)) {
		const char *id = json_str(h, "key");

		fault(r, AUDIT_BAD_HEAD, seq, "the keyed head (record %ld) does not match its HMAC: "
		      "it was rewritten%s%s%s", seq, id && strcmp(id, key_id) ? ", or made with "
		      "another key (" : "", id && strcmp(id, key_id) ? id : "",
		      id && strcmp(id, key_id) ? ")" : "");
		goto out;
	}
	long last = n ? v[n - 1].seq : 0;

	if (seq > last) {
		fault(r, AUDIT_TRUNCATED, last + 1, "the log ends at record %ld but its keyed head "
		      "is at record %ld: records %ld to %ld were cut off", last, seq, last + 1,
		      seq);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].seq != seq)
			continue;
		if (strcmp(v[i].hash, json_str(h, "hash")) != 0)
			fault(r, AUDIT_BAD_HEAD, seq, "record %ld is not the record the keyed head "
			      "holds: the log was rewritten", seq);
		goto out;
	}
	fault(r, AUDIT_BAD_HEAD, seq, "the keyed head's record %ld is not in the log", seq);
out:
	cJSON_Delete(h);
	free(path);
}

/* The log at `path` is gone while dir/audit.head is there: deleted, at the
 * record the head names when it can be read. */
static void
fault_log_gone(struct audit_report *r, const char *dir, const char *path)
{
	char *head = xasprintf("%s/audit.head", dir);
	struct buf b = BUF_INIT;
	cJSON *h = NULL;
	long seq = 0;

	if (fsutil_read_file(head, 1 << 16, &b) == 0 && json_parse(&h, b.ptr, b.len, head) == 0)
		seq = (long)json_int(h, "seq", 0);
	if (seq > 0)
		fault(r, AUDIT_DELETED, 1, "%s is gone but its keyed head (%s) holds record %ld: "
		      "the log was deleted", path, head, seq);
	else
		fault(r, AUDIT_DELETED, 1, "%s is gone but its keyed head (%s) is there: the log "
		      "was deleted", path, head);
	r->head_seq = seq;
	cJSON_Delete(h);
	buf_fini(&b);
	free(head);
}

int
audit_verify(struct audit_report *out, const char *dir, const char *key_path, bool live)
{
	char *path = xasprintf("%s/audit.jsonl", dir);
	struct buf b = BUF_INIT, hb = BUF_INIT;
	char *head_err = NULL;
	bool no_head = false;
	struct vrec *v = NULL;
	size_t n = 0, cap = 0;
	unsigned char key[AUDIT_KEY_BYTES];
	char key_id[17];
	int rc;

	memset(out, 0, sizeof *out);
	if (access(path, F_OK) != 0) {
		/* A keyed head with no log beside it: the log was there and was
		 * deleted whole (a session run with audit off has neither). */
		char *head = xasprintf("%s/audit.head", dir);
		bool headed = access(head, F_OK) == 0;

		free(head);
		if (!headed) {
			rc = err_setc(DH_ENOTFOUND, "%s: no audit log", path);
			goto out;
		}
		fault_log_gone(out, dir, path);
		rc = 0;
		goto out;
	}
	/* The head before the log: a running engine writes a record, then
	 * the head that holds it, so a head read first never names a record
	 * the log read after it lacks (read the other way round, a record and
	 * its head landing in between looked like a cut log). */
	char *head_path = xasprintf("%s/audit.head", dir);

	if ((rc = fsutil_read_file(head_path, 1 << 16, &hb)) < 0) {
		head_err = xstrdup(err_msg());
		no_head = rc == DH_ENOTFOUND;
	}
	free(head_path);
	if ((rc = fsutil_read_file(path, AUDIT_FILE_MAX, &b)) < 0)
		goto out;
	if ((rc = key_load(key, key_id, key_path, false)) < 0)
		goto out;
	size_t at = 0;

	while (at < b.len) {
		char *nl = memchr(b.ptr + at, '\n', b.len - at);

		if (!nl)
			break;
		cJSON *rec = NULL;

		if (n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		if (json_parse(&rec, b.ptr + at, (size_t)(nl - (b.ptr + at)), path) < 0 ||
		    !cJSON_IsObject(rec)) {
			v[n].bad = true;
		} else {
			v[n].seq = (long)json_int(rec, "seq", -1);
			v[n].prev = json_str(rec, "prev") ? xstrdup(json_str(rec, "prev")) : NULL;
			record_hash(rec, v[n].hash);
		}
		cJSON_Delete(rec);
		n++;
		at = (size_t)(nl - b.ptr) + 1;
	}
	out->records = (long)n;
	check_chain(out, v, n);
	if (out->fault == AUDIT_OK && at < b.len)
		fault(out, AUDIT_TRUNCATED, n ? v[n - 1].seq + 1 : 1,
		      "the last line is cut short (%zu bytes with no newline after record %ld)",
		      b.len - at, n ? v[n - 1].seq : 0);
	if (out->fault == AUDIT_OK)
		check_head(out, dir, &hb, head_err, no_head, live, v, n, key, key_id);
	crypto_cleanse(key, sizeof key);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(v[i].prev);
	free(v);
	buf_fini(&b);
	buf_fini(&hb);
	free(head_err);
	free(path);
	return rc;
}

/*
 * Export
 */

const char audit_csv_header[] = "session,seq,ts,type,name,decision,by,record\n";

static void
csv_field(struct buf *out, const char *s, bool last)
{
	s = s ? s : "";
	if (strpbrk(s, ",\"\r\n")) {
		buf_putc(out, '"');
		for (; *s; s++) {
			if (*s == '"')
				buf_putc(out, '"');
			buf_putc(out, *s);
		}
		buf_putc(out, '"');
	} else {
		buf_puts(out, s);
	}
	buf_puts(out, last ? "\n" : ",");
}

void
audit_export_line(struct buf *out, const cJSON *rec, const char *session, bool csv)
{
	cJSON *r = json_dup(rec);

	if (!cJSON_GetObjectItemCaseSensitive(r, "session"))
		json_add_str(r, "session", session);
	char *line = json_print(r);

	if (!csv) {
		buf_puts(out, line);
		buf_putc(out, '\n');
	} else {
		char seq[32];

		snprintf(seq, sizeof seq, "%lld", json_int(rec, "seq", 0));
		csv_field(out, session, false);
		csv_field(out, seq, false);
		csv_field(out, json_str(rec, "ts"), false);
		csv_field(out, json_str(rec, "type"), false);
		csv_field(out, json_str(rec, "name"), false);
		csv_field(out, json_str(rec, "decision"), false);
		csv_field(out, json_str(rec, "by"), false);
		csv_field(out, line, true);
	}
	free(line);
	cJSON_Delete(r);
}

/* SPDX-License-Identifier: MIT */
/*
 * Agent Skills: finding SKILL.md files in the skill roots, validating their
 * YAML front matter (libyaml) against the agentskills.io rules, the system
 * prompt's list, load_skill's body and the trust store of folder skills.
 * Not the tool itself (tools/tool_skill.c) nor what the agent sends.
 *
 * libyaml is loaded with dlopen() (core/dl.h) by the first SKILL.md read,
 * not linked: a launch without skills does not map it.
 */
#include "skills/skills.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "core/array.h"
#include "core/crypto.h"
#include "core/dl.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "policy/grant.h"

/* The functions used, as X(name). */
#define YAML_SYMS(X)                                                            \
	X(yaml_document_delete)                                                 \
	X(yaml_document_get_node)                                               \
	X(yaml_document_get_root_node)                                          \
	X(yaml_parser_delete)                                                   \
	X(yaml_parser_initialize)                                               \
	X(yaml_parser_load)                                                     \
	X(yaml_parser_set_input_string)

DL_LIBRARY(yaml, "libyaml-0.so.2", "libyaml-0-2", YAML_SYMS);

#define FOLDER_SKILLS ".agents/skills"
#define TRUST_FILE    "skills-trust.json"
/* How a trust value of every file of the skills begins; an older value
 * (a bare hash) covered their SKILL.md files alone. */
#define TRUST_TREE "files-sha256:"

struct skill_set {
	ARRAY(struct skill) v; /* usable skills, sorted by name */
	struct strv problems;
	struct grant_set *readable; /* personal skill directories, or NULL */
};

/* One personal root: where it is under $HOME or the config directory. */
static const struct {
	enum skill_source src;
	bool config; /* under $XDG_CONFIG_HOME/deskhand, else under $HOME */
	const char *sub;
} personal_roots[] = {
	{ .src = SKILL_SRC_CONFIG, .config = true, .sub = "skills" },
	{ .src = SKILL_SRC_AGENTS, .sub = ".agents/skills" },
	{ .src = SKILL_SRC_CLAUDE, .sub = ".claude/skills" },
};

static const char *const source_names[] = {
	[SKILL_SRC_CONFIG] = "config",
	[SKILL_SRC_AGENTS] = "agents",
	[SKILL_SRC_CLAUDE] = "claude",
	[SKILL_SRC_FOLDER] = "folder",
};

const char *
skills_source_name(enum skill_source src)
{
	return (size_t)src < sizeof source_names / sizeof *source_names ? source_names[src] : "?";
}

static void problem(struct skill_set *s, const char *file, int line, const char *fmt, ...)
	DH_PRINTF(4, 5);

static void
problem(struct skill_set *s, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	char *p =
		line > 0 ? xasprintf("%s:%d: %s", file, line, msg) : xasprintf("%s: %s", file, msg);
	strv_add(&s->problems, p);
	free(p);
	free(msg);
}

static void
skill_fini(struct skill *k)
{
	free(k->name);
	free(k->description);
	free(k->dir);
	free(k->file);
}

/*
 * Front matter
 */

/* The spec's name rule: 1-64 of [a-z0-9], hyphens only between them, never
 * two in a row. */
static bool
name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len < 1 || len > SKILL_NAME_MAX || n[0] == '-' || n[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (c == '-' && n[i + 1] == '-')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/* Characters (code points) of valid UTF-8 text. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Where the front matter of SKILL.md text (len bytes) is: *fm is the text
 * after the opening "---" line, *fmlen its bytes up to the closing "---" (or
 * "...") line, *body the first byte after that line (in text). NULL, or a
 * message saying what is missing (the problem is on line 1). */
static const char *
front_bounds(const char *text, size_t len, const char **fm, size_t *fmlen, const char **body)
{
	const char *p = text, *end = text + len;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	size_t first = strcspn(p, "\n");
	if (!(first >= 3 && !strncmp(p, "---", 3) && strspn(p + 3, " \t\r") == first - 3))
		return "no YAML front matter: SKILL.md must begin with a line '---', then "
		       "'name:' and 'description:', then '---'";
	p += first + (p[first] == '\n');
	*fm = p;
	while (p < end) {
		size_t n = strcspn(p, "\n");
		if (n >= 3 && (!strncmp(p, "---", 3) || !strncmp(p, "...", 3)) &&
		    strspn(p + 3, " \t\r") == n - 3) {
			*fmlen = (size_t)(p - *fm);
			*body = p + n + (p[n] == '\n');
			return NULL;
		}
		p += n + (p[n] == '\n');
	}
	return "the front matter is not closed by a line '---'";
}

/* front_bounds, a problem of s when there is no front matter. */
static bool
split_front(struct skill_set *s, const char *file, const char *text, size_t len, const char **fm,
            size_t *fmlen)
{
	const char *body, *why = front_bounds(text, len, fm, fmlen, &body);

	if (why)
		problem(s, file, 1, "%s", why);
	return !why;
}

/* A scalar node's text, or NULL. */
static const char *
scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The keys the specification defines; each may be given once (a YAML
 * mapping's keys are unique: libyaml keeps both and the last one read would
 * win without a word). */
static const struct {
	const char *key;
	bool string; /* its value must be a string */
} spec_keys[] = {
	{ "name", true },    { "description", true },   { "compatibility", true },
	{ "license", true }, { "allowed-tools", true }, { "metadata", false },
};
#define SPEC_KEYS (sizeof spec_keys / sizeof *spec_keys)

/* Parse and check the front matter of `file` (text in `fm`, beginning on
 * line 2); fill k's name and description. false after reporting what is
 * wrong (every problem found, not only the first). */
static bool
check_front(struct skill_set *s, const char *file, const char *dirname, const char *fm,
            size_t fmlen, struct skill *k)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	bool ok = true;
	int base = 2; /* libyaml lines are 0-based from the front matter's start */

	if (dl_load(&yaml_lib) < 0) {
		problem(s, file, 1, "reading the front matter needs libyaml: %s", err_msg());
		return false;
	}
	if (!yaml.yaml_parser_initialize(&parser))
		die("out of memory");
	yaml.yaml_parser_set_input_string(&parser, (const unsigned char *)fm, fmlen);
	if (!yaml.yaml_parser_load(&parser, &doc)) {
		problem(s, file, base + (int)parser.problem_mark.line, "YAML: %s%s%s",
		        parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
		        parser.context ? parser.context : "");
		yaml.yaml_parser_delete(&parser);
		return false;
	}
	yaml_node_t *root = yaml.yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		problem(s, file, root ? base + (int)root->start_mark.line : 1,
		        "the front matter is not a mapping of keys (name:, description:)");
		ok = false;
		goto out;
	}
	int name_line = 0, desc_line = 0;
	/* there, but given twice or not a string: reported already */
	bool name_bad = false, desc_bad = false;
	int seen[SPEC_KEYS] = { 0 }; /* the line each spec key was first given on */
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = yaml.yaml_document_get_node(&doc, pr->key);
		yaml_node_t *vn = yaml.yaml_document_get_node(&doc, pr->value);
		const char *key = scalar(kn), *val = scalar(vn);
		int line = base + (int)(kn ? kn->start_mark.line : 0);
		size_t sk = 0;

		if (!key)
			continue;
		while (sk < SPEC_KEYS && strcmp(key, spec_keys[sk].key) != 0)
			sk++;
		if (sk < SPEC_KEYS && seen[sk]) {
			problem(s, file, line, "'%s' is given twice (first on line %d)", key,
			        seen[sk]);
			ok = false;
			name_bad |= !strcmp(key, "name");
			desc_bad |= !strcmp(key, "description");
			continue;
		}
		if (sk < SPEC_KEYS)
			seen[sk] = line;
		if (sk < SPEC_KEYS && spec_keys[sk].string) {
			if (!val || !utf8_valid(val, strlen(val))) {
				problem(s, file, line,
				        val ? "'%s' is not valid UTF-8" : "'%s' must be a string",
				        key);
				ok = false;
				name_bad |= !strcmp(key, "name");
				desc_bad |= !strcmp(key, "description");
				continue;
			}
		}
		if (!strcmp(key, "name")) {
			free(k->name);
			k->name = xstrdup(val);
			name_line = line;
		} else if (!strcmp(key, "description")) {
			free(k->description);
			k->description = xstrdup(val);
			desc_line = line;
		} else if (!strcmp(key, "compatibility") && chars(val) > SKILL_COMPAT_MAX) {
			problem(s, file, line, "compatibility is %zu characters; at most %d",
			        chars(val), SKILL_COMPAT_MAX);
			ok = false;
		} else if (!strcmp(key, "metadata") && (!vn || vn->type != YAML_MAPPING_NODE)) {
			problem(s, file, line, "metadata must be a mapping of keys to strings");
			ok = false;
		}
	}
	if (!name_line && !name_bad) {
		problem(s, file, 1, "'name' is missing from the front matter");
		ok = false;
	} else if (name_line && !name_ok(k->name)) {
		problem(s, file, name_line,
		        "name '%s' is not 1-%d lowercase letters, digits and single hyphens "
		        "(no hyphen first or last)",
		        k->name, SKILL_NAME_MAX);
		ok = false;
	} else if (name_line && strcmp(k->name, dirname) != 0) {
		problem(s, file, name_line, "name '%s' does not match its directory '%s'", k->name,
		        dirname);
		ok = false;
	}
	if (!desc_line && !desc_bad) {
		problem(s, file, 1, "'description' is missing from the front matter");
		ok = false;
	} else if (desc_line && (!*k->description || chars(k->description) > SKILL_DESC_MAX)) {
		problem(s, file, desc_line, "description is %zu characters; it must be 1-%d",
		        chars(k->description), SKILL_DESC_MAX);
		ok = false;
	}
out:
	yaml.yaml_document_delete(&doc);
	yaml.yaml_parser_delete(&parser);
	return ok;
}

/* Check one skill whose SKILL.md text is in `text`; add it when valid. */
static void
consider(struct skill_set *s, struct skill *k, const char *dirname, const char *text, size_t len)
{
	const char *fm;
	size_t fmlen;

	if (memchr(text, '\0', len) || !utf8_valid(text, len)) {
		problem(s, k->file, 1, "SKILL.md is not UTF-8 text");
		goto bad;
	}
	if (!split_front(s, k->file, text, len, &fm, &fmlen) ||
	    !check_front(s, k->file, dirname, fm, fmlen, k))
		goto bad;
	for (size_t i = 0; i < s->v.n; i++) {
		if (!strcmp(s->v.v[i].name, k->name)) {
			problem(s, k->file, 1,
			        "skill '%s' is already defined by %s; this one is "
			        "not used",
			        k->name, s->v.v[i].file);
			goto bad;
		}
	}
	ARRAY_PUSH(&s->v, *k);
	return;
bad:
	skill_fini(k);
}

/* Sorted names of the entries of the directory fd (closed), dot-files left
 * out, at most SKILLS_MAX; returns how many more there were. */
static size_t
dir_names(int fd, struct strv *out)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	size_t more = 0;

	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			if (out->n < SKILLS_MAX)
				strv_add(out, de->d_name);
			else
				more++;
		}
	closedir(d);
	strv_uniq(out);
	return more;
}

/* Say that a root held more entries than are looked at. */
static void
too_many(struct skill_set *s, const char *root, size_t more)
{
	if (more)
		problem(s, root, 0, "%zu more entries not looked at: at most %d skills a directory",
			more, SKILLS_MAX);
}

/* A skill directory that is "/", $HOME or above it (a symlink gone wide):
 * read_file would then read all of it. */
static bool
too_broad(const char *dir)
{
	char *home = getenv("HOME") ? realpath(getenv("HOME"), NULL) : NULL;
	size_t n = strlen(dir);
	bool wide = !strcmp(dir, "/") ||
	            (home && !strncmp(home, dir, n) && (home[n] == '/' || home[n] == '\0'));

	free(home);
	return wide;
}

/* The person's own SKILL.md `name` beneath the directory dirfd (AT_FDCWD:
 * `name` is a path), a link allowed, read into out. Only a regular file of
 * at most SKILL_FILE_MAX bytes is opened: a FIFO or a device put there
 * would block the read (and the engine's loop) or never end. Returns 0,
 * DH_ENOTFOUND, or DH_EFAIL / DH_EDENIED with err_msg() saying what is
 * wrong without naming the file. */
static int
read_own(int dirfd, const char *name, struct buf *out)
{
	struct stat st;
	int fd, rc;

	if (fstatat(dirfd, name, &st, 0) < 0)
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "cannot read it: %s",
		                strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_setc(DH_EFAIL, "not a regular file: a skill's SKILL.md must be one");
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_setc(errno == ENOENT ? DH_ENOTFOUND : DH_EFAIL, "cannot read it: %s",
		                strerror(errno));
	/* swapped for something else since the fstatat */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = err_setc(DH_EFAIL, "not a regular file: a skill's SKILL.md must be one");
	else if ((rc = fsutil_read_fd(fd, SKILL_FILE_MAX, out)) == DH_EFAIL &&
	         (uintmax_t)st.st_size > SKILL_FILE_MAX)
		rc = err_setc(DH_EFAIL, "it is %jd bytes; a SKILL.md is read up to %zu KiB",
		              (intmax_t)st.st_size, SKILL_FILE_MAX >> 10);
	close(fd);
	return rc;
}

/* The skills of a personal root (plain files: the person's own). */
static void
scan_personal(struct skill_set *s, enum skill_source src, const char *root)
{
	struct strv names = { 0 };
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			problem(s, root, 0, "cannot read the skills directory: %s",
			        strerror(errno));
		return;
	}
	too_many(s, root, dir_names(fd, &names));
	for (size_t i = 0; i < names.n; i++) {
		char *dir = xasprintf("%s/%s", root, names.v[i]);
		struct skill k = { .source = src, .trusted = true };
		struct buf text = BUF_INIT;
		struct stat st;

		k.file = xasprintf("%s/SKILL.md", dir);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(dir);
			skill_fini(&k);
			continue; /* a file beside the skills: not a skill */
		}
		k.dir = realpath(dir, NULL);
		if (!k.dir)
			k.dir = xstrdup(dir);
		if (too_broad(k.dir)) {
			problem(s, k.file, 0,
			        "its directory is %s (a link?): too broad to offer "
			        "to read_file, so the skill is not used",
			        k.dir);
			free(dir);
			skill_fini(&k);
			continue;
		}
		int rc = read_own(AT_FDCWD, k.file, &text);
		if (rc < 0) {
			problem(s, k.file, 0, "%s",
			        rc == DH_ENOTFOUND ? "missing: a skill directory needs a SKILL.md"
			                           : err_msg());
			skill_fini(&k);
		} else {
			consider(s, &k, names.v[i], text.ptr ? text.ptr : "", text.len);
		}
		buf_fini(&text);
		free(dir);
	}
	strv_free(&names);
}

/* What the tree hashes of one folder's skills have taken so far: the
 * SKILL_TREE_ caps are on all of them. */
struct tree_caps {
	size_t entries, bytes;
};

/* One skill_tree_hash() under way. */
struct tree_walk {
	struct crypto_sha256 *c;
	const char *top; /* for messages: the skill directory, absolute */
	struct tree_caps *used;
	struct buf *md; /* the top SKILL.md's bytes as hashed, or NULL */
};

/* Hash one entry's header: its kind, permission bits, relative path, size. */
static void
tree_entry(struct tree_walk *w, char kind, mode_t mode, const char *rel, size_t size)
{
	char head[96];
	int n = snprintf(head, sizeof head, "%c %04o %zu %zu:", kind, (unsigned)(mode & 07777),
	                 size, strlen(rel));

	crypto_sha256_add(w->c, head, (size_t)n);
	crypto_sha256_add(w->c, rel, strlen(rel));
}

/* The regular file e (w->top/rel): header, then its bytes. */
static int
tree_file(struct tree_walk *w, const struct grant_walk_ent *e)
{
	size_t room = SKILL_TREE_BYTES - w->used->bytes;
	const char *rel = e->rel;
	struct buf b = BUF_INIT;
	int fd, rc;

	if ((uintmax_t)e->st->st_size > room)
		return err_setc(DH_EFAIL, "%s: past %zu MiB of files in its folder's skills: too "
		                "much to check for trust", w->top, SKILL_TREE_BYTES >> 20);
	fd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set("%s/%s: %s", w->top, rel, strerror(errno));
	rc = fsutil_read_fd(fd, room, &b);
	close(fd);
	if (rc < 0) {
		buf_fini(&b);
		return err_setc(rc, "%s/%s: %s", w->top, rel, err_msg());
	}
	w->used->bytes += b.len;
	tree_entry(w, 'f', e->st->st_mode, rel, b.len);
	if (b.len)
		crypto_sha256_add(w->c, b.ptr, b.len);
	if (w->md && !strcmp(rel, "SKILL.md") && b.len <= SKILL_FILE_MAX)
		buf_add(w->md, b.ptr ? b.ptr : "", b.len);
	buf_fini(&b);
	return 0;
}

/* grant_walk_fn of skill_tree_hash(): hash one entry. */
static int
tree_one(const struct grant_walk_ent *e, void *ctx)
{
	struct tree_walk *w = ctx;
	mode_t mode = e->st->st_mode;

	if (S_ISDIR(mode)) {
		if (e->depth >= SKILL_TREE_DEPTH)
			return err_setc(DH_EFAIL, "%s/%s: more than %d directories deep: too "
			                "deep to check for trust", w->top, e->rel, SKILL_TREE_DEPTH);
		tree_entry(w, 'd', mode, e->rel, 0);
	} else if (S_ISREG(mode)) {
		return tree_file(w, e);
	} else if (S_ISLNK(mode)) {
		char to[4096];
		ssize_t n = readlinkat(e->dirfd, e->name, to, sizeof to);

		if (n < 0)
			return err_set("%s/%s: %s", w->top, e->rel, strerror(errno));
		/* the link itself, never what it points at */
		tree_entry(w, 'l', 0, e->rel, (size_t)n);
		crypto_sha256_add(w->c, to, (size_t)n);
	} else {
		tree_entry(w, 'o', mode, e->rel, 0);
	}
	return GRANT_WALK_CONTINUE;
}

/* The SHA-256 (hex) of the skill directory rel beneath gr (absolute: top):
 * every entry's relative path, kind and permission bits, a regular file's
 * bytes, a symlink's target text (never followed), in name order. *md (may
 * be NULL) gets the bytes of its SKILL.md as hashed (none when it has none).
 * *used (NULL: this skill alone) counts toward the caps. DH_EFAIL naming the
 * path past SKILL_TREE_ENTRIES, SKILL_TREE_BYTES or SKILL_TREE_DEPTH, or
 * what could not be read; grant_open_dir()'s errors. */
static int
skill_tree_hash(const struct grant *gr, const char *rel, const char *top, char hex[65],
                struct buf *md, struct tree_caps *used)
{
	struct tree_caps alone = { 0 };
	struct tree_walk w = { .top = top, .md = md, .used = used ? used : &alone };
	struct grant_walk_limits lim = {
		.flags = GRANT_WALK_STRICT,
		.max_entries = w.used->entries < SKILL_TREE_ENTRIES
		                       ? SKILL_TREE_ENTRIES - w.used->entries : 0,
		.max_depth = SKILL_TREE_DEPTH,
	};
	unsigned char sum[CRYPTO_SHA256_BYTES];
	size_t n;
	int rc;

	if (crypto_sha256_begin(&w.c) < 0)
		die("skills: %s", err_msg());
	rc = grant_walk(gr, rel, &lim, &n, tree_one, &w);
	w.used->entries += n;
	if (rc == GRANT_WALK_CAPPED)
		rc = err_setc(DH_EFAIL, "%s: past %d files and directories in its folder's "
		              "skills: too many to check for trust", top, SKILL_TREE_ENTRIES);
	if (crypto_sha256_end(w.c, sum) < 0)
		die("skills: %s", err_msg());
	if (rc == 0)
		crypto_hex(sum, sizeof sum, hex);
	return rc;
}

/* The skills of a grant's .agents/skills, name by name (for the checks and
 * the trust hash): each one's tree hash and its SKILL.md as hashed. */
struct folder_skill {
	char *name;
	struct buf text;
	char tree[65]; /* skill_tree_hash(), "" when it failed */
	int rc;        /* of skill_tree_hash, else of reading SKILL.md */
	char *errmsg;  /* when rc < 0 */
};
ARRAY_HEAD(folder_skills, struct folder_skill);

static bool
read_folder(const struct grant *gr, struct folder_skills *out, size_t *more)
{
	struct strv names = { 0 };
	struct tree_caps used = { 0 };
	int fd;

	if (grant_open_dir(gr, FOLDER_SKILLS, &fd) < 0)
		return false;
	*more = dir_names(fd, &names);
	for (size_t i = 0; i < names.n; i++) {
		char *rel = xasprintf("%s/%s", FOLDER_SKILLS, names.v[i]);
		struct stat st;

		if (grant_lstat(gr, rel, &st) == 0 && S_ISDIR(st.st_mode)) {
			struct folder_skill *f = ARRAY_ADD(out);
			char *md = xasprintf("%s/SKILL.md", rel);

			char *top = xasprintf("%s/%s", gr->path, rel);

			memset(f, 0, sizeof *f);
			f->name = xstrdup(names.v[i]);
			f->rc = skill_tree_hash(gr, rel, top, f->tree, &f->text, &used);
			/* no SKILL.md hashed: reading it says why */
			if (f->rc == 0 && !f->text.len) {
				f->rc = grant_read(gr, md, SKILL_FILE_MAX, &f->text);
				buf_clear(&f->text);
			}
			if (f->rc < 0)
				f->errmsg = xstrdup(err_msg());
			free(top);
			free(md);
		}
		free(rel);
	}
	strv_free(&names);
	return true;
}

static void
folder_skills_free(struct folder_skills *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		buf_fini(&v->v[i].text);
		free(v->v[i].errmsg);
	}
	ARRAY_FREE(v);
}

/* The trust store's value for the folder: TRUST_TREE and the SHA-256 (hex)
 * over each skill's name and tree hash, in name order. */
static void
folder_hash(const struct folder_skills *v, char out[sizeof TRUST_TREE + 64])
{
	struct crypto_sha256 *c;
	unsigned char md[CRYPTO_SHA256_BYTES];

	if (crypto_sha256_begin(&c) < 0)
		die("skills: %s", err_msg());
	for (size_t i = 0; i < v->n; i++) {
		const char *tree = v->v[i].tree[0] ? v->v[i].tree : "-";
		char head[64];
		int n = snprintf(head, sizeof head, "%zu:%zu:", strlen(v->v[i].name), strlen(tree));
		crypto_sha256_add(c, head, (size_t)n);
		crypto_sha256_add(c, v->v[i].name, strlen(v->v[i].name));
		crypto_sha256_add(c, tree, strlen(tree));
	}
	if (crypto_sha256_end(c, md) < 0)
		die("skills: %s", err_msg());
	memcpy(out, TRUST_TREE, sizeof TRUST_TREE - 1);
	crypto_hex(md, sizeof md, out + sizeof TRUST_TREE - 1);
}

/* The trust store (heap path); NULL when no state directory. */
static char *
trust_path(void)
{
	char *state = NULL, *p;

	if (fsutil_state_dir(&state) < 0)
		return NULL;
	p = xasprintf("%s/%s", state, TRUST_FILE);
	free(state);
	return p;
}

/* The store's object {"FOLDER": "HASH"}; an empty one when there is none. */
static cJSON *
trust_read(const char *path)
{
	struct buf b = BUF_INIT;
	cJSON *o = NULL;

	if (path && fsutil_read_file(path, 1 << 20, &b) == 0 &&
	    json_parse(&o, buf_cstr(&b), b.len, path) == 0 && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	buf_fini(&b);
	return o ? o : json_new_obj();
}

static void
scan_folder(struct skill_set *s, const struct grant_set *g, size_t gi, cJSON *trust, unsigned flags)
{
	const struct grant *gr = grant_get(g, gi);
	struct folder_skills fs = { 0 };
	char hex[sizeof TRUST_TREE + 64];
	size_t more = 0;

	if (!read_folder(gr, &fs, &more))
		return;
	if (more) {
		char *root = xasprintf("%s/%s", gr->path, FOLDER_SKILLS);
		too_many(s, root, more);
		free(root);
	}
	folder_hash(&fs, hex);
	const char *want = json_str(trust, gr->path);
	bool trusted = want && !strcmp(want, hex);
	bool older = want && strncmp(want, TRUST_TREE, sizeof TRUST_TREE - 1);
	if (!trusted && !(flags & SKILLS_F_UNTRUSTED)) {
		if (fs.n)
			problem(s, gr->path, 0,
			        "%s holds %zu skill%s not used: the person %s "
			        "(deskhand skills trust %s, or :trust-skills in the workbench)",
			        FOLDER_SKILLS, fs.n, fs.n == 1 ? "" : "s",
			        older  ? "trusted them before deskhand checked every file of a "
			                 "skill (SKILL.md alone) and must trust them again"
			        : want ? "has not trusted them since they changed"
			               : "has not trusted them",
			        gr->path);
		folder_skills_free(&fs);
		return;
	}
	for (size_t i = 0; i < fs.n; i++) {
		struct folder_skill *f = &fs.v[i];
		struct skill k = { .source = SKILL_SRC_FOLDER, .grant = gi, .trusted = trusted };

		k.trust = trusted ? SKILL_TRUST_YES
		          : older ? SKILL_TRUST_OLDER
		          : want  ? SKILL_TRUST_CHANGED
		                  : SKILL_TRUST_NEVER;

		k.dir = xasprintf("%s/%s/%s", gr->path, FOLDER_SKILLS, f->name);
		k.file = xasprintf("%s/SKILL.md", k.dir);
		if (f->rc < 0 && f->rc != DH_ENOTFOUND && strstr(f->errmsg, k.file)) {
			/* the grant's message names the file already */
			strv_add(&s->problems, f->errmsg);
			skill_fini(&k);
			continue;
		}
		if (f->rc < 0) {
			problem(s, k.file, 0, "%s",
			        f->rc == DH_ENOTFOUND ? "missing: a skill "
			                                "directory needs a SKILL.md"
			                              : f->errmsg);
			skill_fini(&k);
			continue;
		}
		memcpy(k.tree, f->tree, sizeof k.tree);
		consider(s, &k, f->name, f->text.ptr ? f->text.ptr : "", f->text.len);
	}
	folder_skills_free(&fs);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct skill *)a)->name, ((const struct skill *)b)->name);
}

int
skills_load(struct skill_set **out, const struct grant_set *grants, unsigned flags)
{
	return skills_load_stoppable(out, grants, flags, NULL);
}

int
skills_load_stoppable(struct skill_set **out, const struct grant_set *grants, unsigned flags,
                      const atomic_bool *stop)
{
	struct skill_set *s = xcalloc(1, sizeof *s);
	const char *home = getenv("HOME");
	char *cfg = NULL;

	/* the directory config.toml is read from (a relative XDG_CONFIG_HOME
	 * is not one) */
	if (fsutil_config_dir(&cfg) < 0)
		cfg = NULL;
	for (size_t i = 0; i < sizeof personal_roots / sizeof *personal_roots; i++) {
		const char *base = personal_roots[i].config ? cfg : home;
		if (!base || !*base)
			continue;
		char *root = xasprintf("%s/%s", base, personal_roots[i].sub);
		scan_personal(s, personal_roots[i].src, root);
		free(root);
	}
	free(cfg);
	if (grants && grant_count(grants)) {
		char *tp = trust_path();
		cJSON *trust = trust_read(tp);

		for (size_t i = 0; i < grant_count(grants) && !(stop && atomic_load(stop)); i++)
			scan_folder(s, grants, i, trust, flags);
		cJSON_Delete(trust);
		free(tp);
	}
	if (s->v.n)
		qsort(s->v.v, s->v.n, sizeof *s->v.v, by_name);
	for (size_t i = 0; i < s->v.n; i++) {
		if (s->v.v[i].source == SKILL_SRC_FOLDER)
			continue;
		if (!s->readable && grant_set_new(&s->readable) < 0)
			break;
		if (grant_add(s->readable, s->v.v[i].dir) < 0)
			problem(s, s->v.v[i].file, 0,
			        "its directory cannot be offered to "
			        "read_file: %s",
			        err_msg());
	}
	*out = s;
	return 0;
}

void
skills_free(struct skill_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->v.n; i++)
		skill_fini(&s->v.v[i]);
	ARRAY_FREE(&s->v);
	strv_free(&s->problems);
	grant_set_free(s->readable);
	free(s);
}

size_t
skills_count(const struct skill_set *s)
{
	return s ? s->v.n : 0;
}

const struct skill *
skills_at(const struct skill_set *s, size_t i)
{
	return s && i < s->v.n ? &s->v.v[i] : NULL;
}

const struct skill *
skills_find(const struct skill_set *s, const char *name)
{
	for (size_t i = 0; name && i < skills_count(s); i++)
		if (s->v.v[i].trusted && !strcmp(s->v.v[i].name, name))
			return &s->v.v[i];
	return NULL;
}

const struct strv *
skills_problems(const struct skill_set *s)
{
	return s ? &s->problems : NULL;
}

struct grant_set *
skills_readable(const struct skill_set *s)
{
	return s ? s->readable : NULL;
}

void
skills_prompt(const struct skill_set *s, struct buf *out)
{
	bool any = false;

	for (size_t i = 0; i < skills_count(s); i++) {
		const struct skill *k = &s->v.v[i];
		if (!k->trusted)
			continue;
		if (!any)
			buf_puts(
				out,
				"\nSkills: instructions for particular kinds of work, installed by "
				"the person. When a task matches a skill's description, call "
				"load_skill with its name before doing that work, and follow what "
				"it says; read the files it names with read_file.\n");
		any = true;
		buf_printf(out, "- %s: ", k->name);
		/* one line each: a description's newlines become spaces */
		for (const char *p = k->description; *p; p++)
			buf_putc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
		buf_printf(out, " (%s)\n", k->dir);
	}
}

/* The grant through which sk's directory is read again: a new one on its
 * folder for a folder's skill (*owned, the caller's to free), the personal
 * directory's own (opened when the set was loaded) otherwise; *rel (heap) is
 * the directory beneath it. Either way a symlink put in the directory's
 * place since then leads nowhere. Errors as grant_add() / grant_resolve(). */
static int
skill_grant(const struct skill_set *s, const struct skill *sk, struct grant_set **owned,
            const struct grant **gr, char **rel)
{
	size_t idx;
	int rc;

	*owned = NULL;
	*rel = NULL;
	if (sk->source != SKILL_SRC_FOLDER) {
		if (!s->readable)
			return err_setc(DH_EFAIL, "%s cannot be read: its directory was not "
			                "offered to read_file", sk->file);
		if ((rc = grant_resolve(s->readable, sk->dir, &idx, rel)) < 0)
			return rc;
		*gr = grant_get(s->readable, idx);
		return 0;
	}
	size_t tail = strlen(FOLDER_SKILLS) + strlen(sk->name) + 2;
	char *root = xstrndup(sk->dir, strlen(sk->dir) - tail);

	if ((rc = grant_set_new(owned)) == 0 && (rc = grant_add(*owned, root)) == 0) {
		*gr = grant_get(*owned, 0);
		*rel = xasprintf("%s/%s", FOLDER_SKILLS, sk->name);
	}
	free(root);
	return rc;
}

struct listing {
	struct buf *out;
	const char *dir; /* the skill's directory, absolute */
	size_t n;
};

/* grant_walk_fn of skills_body(): list a skill's files (not its SKILL.md),
 * leaving out names that begin with '.'. */
static int
list_one(const struct grant_walk_ent *e, void *ctx)
{
	struct listing *L = ctx;

	if (e->name[0] == '.')
		return GRANT_WALK_SKIP;
	if (S_ISREG(e->st->st_mode) && (e->depth || strcmp(e->name, "SKILL.md")) &&
	    ++L->n <= SKILL_FILES_SHOWN)
		buf_printf(L->out, "- %s/%s\n", L->dir, e->rel);
	return GRANT_WALK_CONTINUE;
}

int
skills_body(const struct skill_set *s, const struct skill *sk, struct buf *out)
{
	struct buf text = BUF_INIT, files = BUF_INIT;
	struct listing L = { .out = &files, .dir = sk->dir };
	/* the files four directories down, at most */
	const struct grant_walk_limits lim = { .max_entries = SIZE_MAX, .max_depth = 4 };
	struct grant_set *owned = NULL;
	const struct grant *gr = NULL;
	char *rel = NULL;
	int rc, fd = -1;

	if ((rc = skill_grant(s, sk, &owned, &gr, &rel)) == 0 && sk->source == SKILL_SRC_FOLDER) {
		/* A folder's skill is offered as it was trusted: a file of it
		 * changed since (by the agent itself, say) waits for the
		 * person's trust. */
		char hex[65];

		rc = skill_tree_hash(gr, rel, sk->dir, hex, &text, NULL);
		if (rc == 0 && strcmp(hex, sk->tree) != 0)
			rc = err_setc(DH_EDENIED,
			              "%s changed after this task began (a file in it was "
			              "added, removed or changed); the person must trust it "
			              "again (deskhand skills trust %.*s) before it is used",
			              sk->dir, (int)(strlen(sk->dir) - strlen(FOLDER_SKILLS) -
			                             strlen(sk->name) - 2), sk->dir);
	} else if (rc == 0 && (rc = grant_open_dir(gr, rel, &fd)) == 0) {
		/* the person's own SKILL.md may be a link, as when it was found */
		if ((rc = read_own(fd, "SKILL.md", &text)) < 0)
			rc = err_setc(rc, "%s: %s", sk->file, err_msg());
		close(fd);
	}
	if (rc == 0)
		rc = grant_walk(gr, rel, &lim, NULL, list_one, &L);
	free(rel);
	grant_set_free(owned);
	if (rc < 0) {
		buf_fini(&text);
		buf_fini(&files);
		return rc;
	}
	/* The body is what follows the front matter in the text read now: the
	 * person may have edited it since the skills were loaded. */
	const char *fm, *p, *why;
	size_t fmlen;

	if ((why = front_bounds(buf_cstr(&text), text.len, &fm, &fmlen, &p))) {
		rc = err_setc(DH_EFAIL, "%s:1: %s", sk->file, why);
		buf_fini(&text);
		buf_fini(&files);
		return rc;
	}
	buf_printf(out, "Skill %s (%s):\n\n", sk->name, sk->file);
	utf8_scrub(out, p, strlen(p));
	if (out->len && out->ptr[out->len - 1] != '\n')
		buf_putc(out, '\n');
	buf_fini(&text);
	if (L.n) {
		buf_puts(out, "\nFiles beside it (read them with read_file, by these paths, "
		              "when the instructions call for them):\n");
		buf_add(out, files.ptr, files.len);
		if (L.n > SKILL_FILES_SHOWN)
			buf_printf(out, "… and %zu more\n", L.n - SKILL_FILES_SHOWN);
	}
	buf_fini(&files);
	return 0;
}

cJSON *
skills_json(const struct skill_set *s)
{
	cJSON *a = json_new_arr();

	for (size_t i = 0; i < skills_count(s); i++) {
		const struct skill *k = &s->v.v[i];
		cJSON *o = json_add(a, NULL, json_new_obj());

		json_add_str(o, "name", k->name);
		json_add_str(o, "description", k->description);
		json_add_str(o, "source", skills_source_name(k->source));
		json_add_str(o, "dir", k->dir);
		json_add_str(o, "file", k->file);
		json_add_bool(o, "trusted", k->trusted);
	}
	return a;
}

/* A folder that is not there (any more): the absolute path it was trusted
 * by, were it there still (the realpath of then, unless a link on the way
 * was resolved), made from `folder` lexically (heap); NULL when something
 * is there. */
static char *
gone_path(const char *folder)
{
	char cwd[PATH_MAX], *p;
	struct stat st;
	size_t n;

	if (lstat(folder, &st) == 0 || errno != ENOENT)
		return NULL;
	if (folder[0] != '/' && !getcwd(cwd, sizeof cwd))
		return NULL;
	p = fsutil_path_join(folder[0] == '/' ? "/" : cwd, folder);
	/* no trailing "/" or "/." (fsutil_path_join keeps them) */
	while ((n = strlen(p)) > 1 && (p[n - 1] == '/' || (p[n - 1] == '.' && p[n - 2] == '/')))
		p[n - 1] = '\0';
	return p;
}

int
skills_trust(const char *folder, bool trust)
{
	struct grant_set *g = NULL;
	struct folder_skills fs = { 0 };
	char *tp = trust_path(), *gone = NULL, *gone_why = NULL;
	int rc;

	if (!tp)
		return err_set("no state directory: set XDG_STATE_HOME or HOME");
	if ((rc = grant_set_new(&g)) < 0)
		goto out;
	if ((rc = grant_add(g, folder)) < 0 && !trust && (gone = gone_path(folder)))
		gone_why = xstrdup(err_msg());
	if (rc < 0 && !gone)
		goto out;
	const struct grant *gr = grant_get(g, 0);
	const char *key = gr ? gr->path : gone;
	cJSON *o = trust_read(tp);
	if (!gr && !cJSON_GetObjectItemCaseSensitive(o, key)) {
		/* gone, and not trusted by that path either: that it is gone */
		rc = err_setc(rc, "%s", gone_why);
		cJSON_Delete(o);
		goto out;
	}
	if (trust) {
		char hex[sizeof TRUST_TREE + 64];
		size_t more;

		if (!read_folder(gr, &fs, &more)) {
			rc = err_setc(DH_ENOTFOUND, "%s has no %s directory", gr->path,
			              FOLDER_SKILLS);
			cJSON_Delete(o);
			goto out;
		}
		/* a skill whose files cannot all be hashed cannot be trusted */
		for (size_t i = 0; i < fs.n; i++)
			if (!fs.v[i].tree[0]) {
				rc = err_setc(DH_EFAIL, "%s", fs.v[i].errmsg);
				cJSON_Delete(o);
				goto out;
			}
		folder_hash(&fs, hex);
		cJSON_DeleteItemFromObjectCaseSensitive(o, gr->path);
		json_add_str(o, gr->path, hex);
	} else if (!cJSON_GetObjectItemCaseSensitive(o, key)) {
		rc = err_setc(DH_ENOTFOUND, "the skills of %s were not trusted", key);
		cJSON_Delete(o);
		goto out;
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	}
	char *text = json_print(o);
	char *dir = xstrndup(tp, (size_t)(strrchr(tp, '/') - tp));
	mode_t old = umask(077);
	rc = fsutil_mkdir_p(dir, 0700);
	if (rc == 0)
		rc = fsutil_write_atomic(tp, text, strlen(text));
	umask(old);
	free(dir);
	free(text);
	cJSON_Delete(o);
out:
	folder_skills_free(&fs);
	grant_set_free(g);
	free(gone);
	free(gone_why);
	free(tp);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* The managed policy file (managed.h): its ownership check, its own lines
 * (lock, allow mcp), the locks it leaves in a struct config and the checks
 * that refuse what would loosen it. Its `set`, `allow egress` and rule lines
 * are parsed by config.c, as the person's are. */
#include "config/managed.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xalloc.h"

const char *
managed_path(void)
{
	const char *env = getenv("DH_POLICY_FILE");
	struct stat st;

	/* A machine's own policy cannot be swapped for another by the person's
	 * environment: the variable counts only where there is none. */
	if (!env || !*env || lstat(MANAGED_PATH, &st) == 0)
		return MANAGED_PATH;
	return env;
}

int
managed_check_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_setc(DH_EPARSE, "managed policy %s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return err_setc(DH_EPARSE, "managed policy %s: refused: not a regular file", path);
	if (st.st_uid != 0)
		return err_setc(DH_EPARSE, "managed policy %s: refused: owned by uid %u, not root "
				"(anyone who owns it could loosen it: chown root %s)",
				path, (unsigned)st.st_uid, path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_setc(DH_EPARSE, "managed policy %s: refused: writable by %s (mode %04o: "
				"chmod go-w %s)", path,
				st.st_mode & S_IWOTH ? "others" : "its group",
				(unsigned)(st.st_mode & 07777), path);
	return 1;
}

static void
rule_free(struct config_rule *r)
{
	free(r->tool);
	free(r->pattern);
	free(r->where);
}

bool
managed_sets(const struct config *c, const char *where)
{
	size_t n = c->policy ? strlen(c->policy) : 0;

	return n && where && strncmp(where, c->policy, n) == 0 && where[n] == ':';
}

const struct config_lock *
managed_lock(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->locks.n; i++)
		if (!strcmp(c->locks.v[i].name, name))
			return &c->locks.v[i];
	return NULL;
}

static void
add_lock(struct config *c, const char *name, const char *where)
{
	if (!managed_lock(c, name))
		ARRAY_PUSH(&c->locks, (struct config_lock){ .name = xstrdup(name),
							    .where = xstrdup(where) });
}

static bool
starts_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\t');
}

static const char *
skip_blanks(const char *s)
{
	return s + strspn(s, " \t");
}

/* The text of `s` after its first word and blanks, up to a " #" comment,
 * trailing blanks cut; heap. */
static char *
argument(const char *s)
{
	const char *a = skip_blanks(s + strcspn(s, " \t"));
	size_t n = strlen(a);

	for (const char *p = a; *p; p++)
		if (*p == '#' && p > a && (p[-1] == ' ' || p[-1] == '\t')) {
			n = (size_t)(p - a);
			break;
		}
	while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
		n--;
	return xstrndup(a, n);
}

/* A line of the policy. */
static int
policy_line(char *s, const char *where, void *ctx)
{
	struct config *c = ctx;

	if (starts_word(s, "lock")) {
		char *name = argument(s);
		int rc = 0;

		if (!strcmp(name, "egress") || !strcmp(name, "mcp") || config_option_index(name) >= 0)
			add_lock(c, name, where);
		else
			rc = err_setc(DH_EPARSE, "%s: cannot lock '%s': not an option of the config "
				      "(deskhand config lists them), egress or mcp", where, name);
		free(name);
		return rc;
	}
	if (starts_word(s, "allow") && (starts_word(skip_blanks(s + 5), "mcp") ||
					starts_word(skip_blanks(s + 5), "mcp-command"))) {
		char *what = argument(skip_blanks(s + 5)), *kind = argument(s);

		kind[strcspn(kind, " \t")] = '\0';
		if (!*what) {
			free(what);
			free(kind);
			return err_setc(DH_EPARSE, "%s: expected 'allow mcp NAME' or 'allow mcp-command "
					"COMMAND'", where);
		}
		ARRAY_PUSH(&c->mcp_allow, (struct config_line){ .text = xasprintf("%s %s", kind, what),
								.where = xstrdup(where) });
		free(what);
		free(kind);
		add_lock(c, "mcp", where);
		return 0;
	}
	if (starts_word(s, "bind"))
		return err_setc(DH_EPARSE, "%s: a managed policy holds set, lock, allow, ask and deny "
				"lines; key bindings are the person's", where);

	size_t negress = c->egress.n, nrules = c->rules.n;
	bool set = starts_word(s, "set");
	int rc = config_load_line(c, s, where);

	if (rc < 0)
		return rc;
	for (size_t i = 0; set && i < CONFIG_NOPTIONS; i++)
		if (c->set_at[i] && !strcmp(c->set_at[i], where))
			add_lock(c, config_option_name(i), where);
	if (c->egress.n > negress)
		add_lock(c, "egress", where);
	for (size_t i = nrules; i < c->rules.n; i++) {
		const struct config_rule *r = &c->rules.v[i];

		ARRAY_PUSH(&c->policy_rules,
			   (struct config_rule){ .verdict = r->verdict,
						 .tool = xstrdup(r->tool),
						 .pattern = r->pattern ? xstrdup(r->pattern) : NULL,
						 .where = xstrdup(r->where) });
	}
	return 0;
}

int
managed_load(struct config *c)
{
	const char *path = managed_path();
	int rc = managed_check_file(path);

	if (rc <= 0)
		return rc;
	free(c->policy);
	c->policy = xstrdup(path);
	rc = config_each_line(path, policy_line, c);
	if (rc == DH_ENOTFOUND) /* removed since the check: no policy */
		rc = 0;
	return rc < 0 ? DH_EPARSE : 0;
}

void
managed_fini(struct config *c)
{
	free(c->policy);
	c->policy = NULL;
	for (size_t i = 0; i < c->locks.n; i++) {
		free(c->locks.v[i].name);
		free(c->locks.v[i].where);
	}
	ARRAY_FREE(&c->locks);
	config_rules_fini(&c->policy_rules);
	config_lines_fini(&c->mcp_allow);
}

int
managed_check_set(const struct config *c, const char *name, const char *value, const char *where)
{
	const struct config_lock *l = managed_lock(c, name);
	int i = config_option_index(name);
	const char *cur = i >= 0 ? config_option_value(c, (size_t)i) : NULL;

	if (!l || !cur || !strcmp(cur, value))
		return 0;
	return err_setc(DH_EPARSE, "%s: '%s' is locked to '%s' by the managed policy (%s)", where,
			name, cur, l->where);
}

/* Does a pattern of one rule reach calls the other's reaches? NULL is every
 * call; a command prefix reaches the longer commands it begins; a glob the
 * paths it matches. */
static bool
patterns_meet(const char *a, const char *b)
{
	if (!a || !b || !strcmp(a, b))
		return true;
	size_t na = strlen(a), nb = strlen(b);

	if ((na < nb && !strncmp(a, b, na) && b[na] == ' ') ||
	    (nb < na && !strncmp(a, b, nb) && a[nb] == ' '))
		return true;
	return fnmatch(a, b, 0) == 0 || fnmatch(b, a, 0) == 0;
}

static bool
rules_meet(const struct config_rule *a, const struct config_rule *b)
{
	bool tools = !strcmp(a->tool, b->tool) || fnmatch(a->tool, b->tool, 0) == 0 ||
		     fnmatch(b->tool, a->tool, 0) == 0;

	return tools && patterns_meet(a->pattern, b->pattern);
}

/* The first rule of the policy that `r` would loosen, or NULL. */
static const struct config_rule *
loosened(const struct config *c, const struct config_rule *r)
{
	for (size_t i = 0; i < c->policy_rules.n; i++) {
		const struct config_rule *p = &c->policy_rules.v[i];

		/* deny < ask < allow: a greater verdict is a looser one. */
		if (p->verdict < r->verdict && rules_meet(p, r))
			return p;
	}
	return NULL;
}

/* "rule 'allow x' would loosen the managed policy's rule 'ask x' (FILE:LINE)"; heap. */
static char *
loosen_why(const struct config_rule *r, const struct config_rule *p)
{
	char *mine = config_rule_format(r), *theirs = config_rule_format(p);
	char *why = xasprintf("rule '%s' would loosen the managed policy's rule '%s' (%s)", mine,
			      theirs, p->where);

	free(mine);
	free(theirs);
	return why;
}

int
managed_check_rule(const struct config *c, const struct config_rule *r)
{
	const struct config_rule *p;

	if (!c->policy || managed_sets(c, r->where) || !(p = loosened(c, r)))
		return 0;
	char *why = loosen_why(r, p);
	int rc = err_setc(DH_EPARSE, "%s: %s", r->where, why);

	free(why);
	return rc;
}

int
managed_check_egress(const struct config *c, const char *where)
{
	const struct config_lock *l = managed_lock(c, "egress");

	if (!l || managed_sets(c, where))
		return 0;
	return err_setc(DH_EPARSE, "%s: the egress allowlist is locked by the managed policy "
			"(%s): only the hosts it allows may be reached", where, l->where);
}

/* A line of the policy, for its rules only. */
static int
rule_only_line(char *s, const char *where, void *ctx)
{
	struct config *c = ctx;
	struct config_rule r;

	if (!(starts_word(s, "allow") || starts_word(s, "ask") || starts_word(s, "deny")) ||
	    config_rule_parse(&r, s, where) < 0)
		return 0; /* everything else is managed_load's to check */
	ARRAY_PUSH(&c->policy_rules, r);
	return 0;
}

int
managed_check_line(const char *line)
{
	struct config t = { 0 };
	struct config_rule r;
	const char *path = managed_path();
	int rc = managed_check_file(path);

	if (rc <= 0)
		return rc;
	t.policy = xstrdup(path);
	rc = config_each_line(path, rule_only_line, &t);
	if (rc == 0 && config_rule_parse(&r, line, "the line to save") == 0) {
		const struct config_rule *p = loosened(&t, &r);

		if (p) {
			char *why = loosen_why(&r, p);

			rc = err_setc(DH_EPARSE, "not saved: %s", why);
			free(why);
		}
		rule_free(&r);
	}
	managed_fini(&t);
	return rc == DH_ENOTFOUND ? 0 : rc;
}

char *
managed_folder_why(const struct config *c, const char *s)
{
	if (!c->policy)
		return NULL;
	if (starts_word(s, "set")) {
		const char *name = skip_blanks(s + 3);
		char *n = xstrndup(name, strcspn(name, " \t="));
		const struct config_lock *l = managed_lock(c, n);
		int i = config_option_index(n);
		char *why = l && i >= 0 ? xasprintf("'%s' is locked to '%s' by the managed policy (%s)",
						    n, config_option_value(c, (size_t)i), l->where)
					: NULL;

		free(n);
		return why;
	}
	if (starts_word(s, "allow") && starts_word(skip_blanks(s + 5), "egress")) {
		const struct config_lock *l = managed_lock(c, "egress");

		return l ? xasprintf("the egress allowlist is locked by the managed policy (%s)",
				     l->where)
			 : NULL;
	}
	struct config_rule r;
	char *why = NULL;

	if (config_rule_parse(&r, s, "folder") < 0)
		return NULL; /* the folder's reader reports it */
	const struct config_rule *p = loosened(c, &r);

	if (p)
		why = loosen_why(&r, p);
	rule_free(&r);
	return why;
}

bool
managed_can_start_mcp(const struct config *c, const char *name, const char *command,
		      bool unsandboxed, char **why)
{
	*why = NULL;
	if (unsandboxed && !strcmp(c->allow_unsandboxed, "off")) {
		const char *w = c->set_at[CONFIG_I_allow_unsandboxed];

		*why = xasprintf("it would run without the sandbox (\"sandbox\": false) and "
				 "allow_unsandboxed is off (%s)", w ? w : "default");
		return false;
	}
	const struct config_lock *l = managed_lock(c, "mcp");

	if (!l)
		return true;
	const char *base = command && strrchr(command, '/') ? strrchr(command, '/') + 1 : command;

	for (size_t i = 0; i < c->mcp_allow.n; i++) {
		const char *t = c->mcp_allow.v[i].text;

		if (starts_word(t, "mcp") && fnmatch(skip_blanks(t + 3), name, 0) == 0)
			return true;
		if (starts_word(t, "mcp-command") && command &&
		    (fnmatch(skip_blanks(t + 11), command, 0) == 0 ||
		     fnmatch(skip_blanks(t + 11), base, 0) == 0))
			return true;
	}
	*why = xasprintf("not allowed by the managed policy (%s): only the connectors its "
			 "'allow mcp' and 'allow mcp-command' lines name may start", l->where);
	return false;
}

int
managed_check_unsandboxed(const struct config *c)
{
	const char *w = c->set_at[CONFIG_I_allow_unsandboxed];

	if (strcmp(c->allow_unsandboxed, "off") != 0)
		return 0;
	return err_setc(DH_EPARSE, "--dangerously-run-commands-unsandboxed is refused: "
			"allow_unsandboxed is off (%s)", w ? w : "default");
}

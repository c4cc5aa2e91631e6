/* SPDX-License-Identifier: MIT */
/*
 * direct: the exec stage runs a simple command's words without the shell
 * (see direct.h). Part of deskhand-sandbox; links nothing else.
 */
#include "direct.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Words that make the shell do something of its own when they come first:
 * the keywords and builtins of dash 0.5.12 (`type NAME` says "shell keyword"
 * or "shell builtin") and of bash in POSIX mode, for a /bin/sh that is bash.
 * `true` and `false` are handled apart (direct_is_simple). Sorted, for
 * bsearch. */
static const char *const shell_words[] = {
	".",        ":",        "alias",    "bg",      "bind",     "break",   "builtin",
	"caller",   "case",     "cd",       "chdir",   "command",  "compgen", "complete",
	"compopt",  "continue", "coproc",   "declare", "dirs",     "disown",  "do",
	"done",     "echo",     "elif",     "else",    "enable",   "esac",    "eval",
	"exec",     "exit",     "export",   "fc",      "fg",       "fi",      "for",
	"function", "getopts",  "hash",     "help",    "history",  "if",      "in",
	"jobs",     "kill",     "let",      "local",   "logout",   "mapfile", "popd",
	"printf",   "pushd",    "pwd",      "read",    "readarray", "readonly", "return",
	"select",   "set",      "shift",    "shopt",   "source",   "suspend", "test",
	"then",     "time",     "times",    "trap",    "type",     "typeset", "ulimit",
	"umask",    "unalias",  "unset",    "until",   "wait",     "while",
};

static int
cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A character the shell takes literally anywhere in a word; '=' only after
 * the first word (in it, it may make an assignment). */
static int
is_plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-_./,:+@%", c));
}

int
direct_is_simple(const char *string)
{
	const char *p = string, *first, *first_end;
	size_t len = strnlen(string, DIRECT_MAX + 1);

	if (len > DIRECT_MAX)
		return 0;
	while (is_blank(*p))
		p++;
	for (first = p; is_plain(*p); p++) {}
	first_end = p;
	if (first_end == first || (*p && !is_blank(*p)))
		return 0;
	for (; *p; p++)
		if (!is_blank(*p) && !is_plain(*p) && *p != '=')
			return 0;
	for (p = first_end; is_blank(*p); p++) {}
	size_t n = (size_t)(first_end - first);
	char word[16];

	if (n >= sizeof word)
		return 1; /* longer than any of them */
	memcpy(word, first, n);
	word[n] = '\0';
	if (!strcmp(word, "true") || !strcmp(word, "false"))
		return *p == '\0';
	return !bsearch(word, shell_words, sizeof shell_words / sizeof *shell_words,
	                sizeof *shell_words, cmp_word);
}

/* PWD as dash leaves it for the command (var.c, getpwd()): kept when it is an
 * absolute path naming the working directory, else the physical path. */
static void
export_pwd(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;
	char *cwd;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return;
	if ((cwd = getcwd(NULL, 0)))
		setenv("PWD", cwd, 1); /* cwd is not freed: an exec comes next */
}

char **
direct_words(char *const *argv)
{
	if (!argv[0] || strcmp(argv[0], "/bin/sh") != 0 || !argv[1] || strcmp(argv[1], "-c") != 0 ||
	    !argv[2] || argv[3] || !direct_is_simple(argv[2]))
		return NULL;
	size_t len = strlen(argv[2]), nwords = 0;

	for (size_t i = 0; i < len; i++)
		nwords += !is_blank(argv[2][i]) && (i == 0 || is_blank(argv[2][i - 1]));

	/* One block: the word pointers, then the copy they point into. */
	char **words = malloc((nwords + 1) * sizeof *words + len + 1);

	if (!words)
		return NULL;
	char *copy = (char *)(words + nwords + 1);

	memcpy(copy, argv[2], len + 1);
	size_t w = 0;

	for (char *p = copy; *p;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p)
			words[w++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
	words[w] = NULL;
	export_pwd();
	return words;
}

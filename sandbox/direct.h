/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_DIRECT_H
#define DH_SANDBOX_DIRECT_H

/*
 * The exec stage's shortcut past the shell. run_command's COMMAND is always
 * `/bin/sh -c STRING`; when STRING is a simple command that the shell would
 * only split into words and run, the stage runs those words itself and saves
 * a start of the shell (about 0.5 ms a command on the machine of
 * build/bench-sandbox). GNU make takes the same shortcut for recipe lines
 * (job.c, construct_command_argv_internal).
 */

/* STRING is simple when it is at most DIRECT_MAX bytes, holds only blanks
 * (space, tab) and the characters A-Z a-z 0-9 - _ . / , : + @ % and, after
 * the first word, =, and its first word is no shell keyword or builtin
 * (dash's and bash's both) other than `true` or `false` with no argument
 * (what /usr/bin/true and false do too; with an argument coreutils' read
 * --help). So nothing in it is quoted, expanded, redirected, assigned or
 * joined by an operator, and the words are the argv the shell would build.
 *
 * When argv is exactly { "/bin/sh", "-c", STRING, NULL } and STRING is
 * simple: exports PWD as dash does (kept when it already names the working
 * directory, else getcwd()) and returns STRING's words as a NULL-terminated
 * argv for execvp(), split from a copy (argv is not changed; one malloc()ed
 * block, not to be freed: an exec comes next). NULL when argv is anything
 * else (or out of memory). The caller execs the words and, when that fails,
 * argv as it was given, so a command that is not found (127), not executable
 * (126) or a script without a #! line meets the shell's own handling and
 * message. Everything that allocates happens here, before the caller lowers
 * RLIMIT_AS. */
enum { DIRECT_MAX = 4096 };
char **direct_words(char *const *argv);

/* Whether STRING (NUL-terminated) is simple, as above; changes nothing. */
int direct_is_simple(const char *string);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_DL_H
#define DH_CORE_DL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Libraries loaded with dlopen() the first time they are used, not linked:
 * a launch maps and relocates only what every launch needs, and a session
 * that never reads a PDF or renders Markdown never pays for those. The one
 * loader of the program: a module declares the symbols it uses as an X-macro
 * and the library once, includes the library's own header for the types, and
 * calls through the filled table:
 *
 *   #define YAML_SYMS(X) X(yaml_parser_initialize) X(yaml_parser_delete)
 *   DL_LIBRARY(yaml, "libyaml-0.so.2", "libyaml-0-2", YAML_SYMS);
 *
 *   if (dl_load(&yaml_lib) < 0)
 *           return err_set("%s: reading a skill: %s", path, err_msg());
 *   yaml.yaml_parser_initialize(&p);
 *
 * Each yaml.NAME is declared `__typeof__(NAME) *` from the header, so a call
 * is type-checked as a direct call is. A function is called through its
 * pointer as written above; a variable the library exports (libxml2's
 * xmlFree) is its address: (*xml.xmlFree)(p).
 *
 * The library is loaded once, by the first caller (others wait: any thread),
 * with RTLD_NOW | RTLD_LOCAL and never unloaded; its own dependencies come
 * with it, and their symbols can be listed too (glib's, through poppler-glib).
 */

struct dl_lib {
	const char *soname;       /* "libyaml-0.so.2": what dlopen() is given */
	const char *package;      /* the Debian package that installs it, for the error */
	const char *const *names; /* [n]: the symbols, in the order of the table */
	void *table;              /* the module's struct of n pointers, filled by dl_load */
	size_t n;
	void (*init)(void);       /* NULL, or run once after a successful load */
	/* private to dl.c */
	pthread_mutex_t lock;
	atomic_int state;         /* 0 not tried, 1 loaded, -1 could not be */
	char why[384];            /* the reason when state is -1 */
};

/* Load `l` if not done yet and fill its table. While a preload runs
 * (dl_preload_start) on another thread, a first load waits for it to end:
 * two dlopen()s take turns on glibc's loader lock anyway, and one made
 * while the preload's library sets itself up (libcurl's curl_global_init:
 * OpenSSL pins itself with a dlopen() of its own) would hold that set-up
 * up for its whole load. Returns 0 when every symbol
 * is there; DH_EFAIL when the library or one of its symbols is missing, every
 * time it is asked (one try, remembered), with err_msg() naming the library,
 * the Debian package and the reason ("libyaml-0.so.2 (Debian package
 * libyaml-0-2) could not be loaded: …"); the first failure is also logged.
 * The table is left untouched (all NULL) unless every symbol was found. */
int dl_load(struct dl_lib *l) DH_MUST_CHECK;

/* A thread that loads a library ahead of its first use (libcurl at start).
 * Zero-initialised: not running. */
struct dl_preload {
	pthread_t thread;
	bool running;
	/* private to dl.c */
	void *(*fn)(void *);
	int efd;          /* while running: an eventfd written once fn has returned */
	atomic_bool done; /* fn has returned */
};

/* Run fn(NULL) on a thread of its own, started with every signal blocked (so
 * that one sent during the load goes to another thread; the thread keeps that
 * mask). Other threads' first loads of other libraries wait until fn has
 * returned (dl_load). A no-op while `p` runs; when the thread cannot be
 * created, nothing runs and the first use loads the library itself. */
void dl_preload_start(struct dl_preload *p, void *(*fn)(void *));
/* Wait for p's thread, if it was started and not yet joined. */
void dl_preload_join(struct dl_preload *p);
/* Whether dl_preload_join(p) would wait: p runs and fn has not returned. */
bool dl_preload_pending(struct dl_preload *p);
/* For a caller that must not wait (an event loop): a new fd that becomes
 * readable (POLLIN, and stays so) once p's fn has returned, so that the
 * join then costs nothing. The caller owns it (close it; never read it);
 * -1 when p is not running, or with errno set when dup() fails. */
int dl_preload_watch_fd(struct dl_preload *p);

/* internal to DL_LIBRARY */
#define DL_PTR_(f) __typeof__(f) *f;
#define DL_NAME_(f) #f,

/* Declares, at file scope, `static struct {...} VAR` (one typed pointer per
 * symbol of SYMS) and `static struct dl_lib VAR##_lib` to pass to dl_load(). */
#define DL_LIBRARY(var, soname_, package_, SYMS) DL_LIBRARY_INIT(var, soname_, package_, SYMS, NULL)

/* The same with a function run once, by the loading thread under the lock,
 * after the table is filled (a library's own global set-up, e.g.
 * xmlInitParser); declare it before, define it after. */
#define DL_LIBRARY_INIT(var, soname_, package_, SYMS, init_)                   \
	static struct { SYMS(DL_PTR_) } var;                                    \
	DL_NAMES_(var, SYMS);                                                   \
	static struct dl_lib var##_lib = DL_LIB_(var, soname_, package_, init_)

/* A table the files of one module share: the module's private header
 * declares it with DL_SHARED_DECL (`extern struct VAR_syms VAR` and
 * `extern struct dl_lib VAR##_lib`), one of its files defines it with
 * DL_SHARED_INIT, taking the arguments of DL_LIBRARY_INIT. */
#define DL_SHARED_DECL(var, SYMS)                                               \
	extern struct var##_syms { SYMS(DL_PTR_) } var;                         \
	extern struct dl_lib var##_lib
#define DL_SHARED_INIT(var, soname_, package_, SYMS, init_)                    \
	struct var##_syms var;                                                  \
	DL_NAMES_(var, SYMS);                                                   \
	struct dl_lib var##_lib = DL_LIB_(var, soname_, package_, init_)

/* internal to the macros above */
#define DL_NAMES_(var, SYMS)                                                    \
	static const char *const var##_names_[] = { SYMS(DL_NAME_) };           \
	_Static_assert(sizeof var == sizeof var##_names_ / sizeof *var##_names_ \
	                             * sizeof(void *), "one pointer per symbol")
#define DL_LIB_(var, soname_, package_, init_)                                  \
	{                                                                       \
		.soname = (soname_),                                            \
		.package = (package_),                                          \
		.names = var##_names_,                                          \
		.table = &var,                                                  \
		.n = sizeof var##_names_ / sizeof *var##_names_,                \
		.init = (init_),                                                \
		.lock = PTHREAD_MUTEX_INITIALIZER,                              \
	}

#endif

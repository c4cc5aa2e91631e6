/* SPDX-License-Identifier: MIT */
/*
 * libcurl is loaded, not linked (net/http.h): http_global_init() starts the
 * load on a thread and the first use waits for it; without it the first
 * use loads it. GnuTLS, loaded with it, asks _gnutls_global_init_skip()
 * whether to initialise itself, and the program's answer is found by the
 * loader. Each test runs in a process of its own (criterion), so each
 * loads libcurl afresh.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/http.h"

int _gnutls_global_init_skip(void);

Test(http_load, init_then_first_use)
{
	struct http_url u;

	cr_assert_eq(http_global_init(), 0, "%s", err_msg());
	cr_assert_eq(http_global_init(), 0, "a second call is a no-op");
	cr_assert_eq(strncmp(http_version(), "libcurl/", 8), 0, "%s", http_version());
	cr_assert_eq(http_url_parse(&u, "http://127.0.0.1:8080/v1"), 0, "%s", err_msg());
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 8080);
	http_url_fini(&u);
	http_global_cleanup();
}

Test(http_load, without_init_the_first_use_loads_it)
{
	char *abs = NULL;

	cr_assert_eq(http_url_join(&abs, "https://example.com/a/b", "../c"), 0, "%s", err_msg());
	cr_assert_str_eq(abs, "https://example.com/c");
	free(abs);
	http_global_cleanup();
}

/* GnuTLS's constructor calls _gnutls_global_init_skip() through its PLT;
 * the loader binds that call to the program's definition only if the
 * program exports it (the Makefile's --export-dynamic-symbol). */
Test(http_load, the_gnutls_skip_is_exported_and_says_skip)
{
	void *f = dlsym(RTLD_DEFAULT, "_gnutls_global_init_skip");

	cr_assert_not_null(f, "not in the program's dynamic symbols: %s", dlerror());
	cr_assert_eq(f, (void *)_gnutls_global_init_skip);
	cr_assert_eq(_gnutls_global_init_skip(), 1);
}

/* SPDX-License-Identifier: MIT */
/*
 * libcurl is loaded, not linked (net/http.h): http_preload() on a thread,
 * http_global_init() after it; the GnuTLS switch it sets for the load is gone
 * afterwards, and a caller's own value of it is left alone. Each test runs in
 * a process of its own (criterion), so each loads libcurl afresh.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/http.h"

Test(http_load, preload_then_init_leaves_the_environment_as_it_was)
{
	struct http_url u;

	unsetenv("GNUTLS_NO_IMPLICIT_INIT");
	http_preload();
	cr_assert_eq(http_global_init(), 0, "%s", err_msg());
	cr_assert_null(getenv("GNUTLS_NO_IMPLICIT_INIT"));
	cr_assert_eq(strncmp(http_version(), "libcurl/", 8), 0, "%s", http_version());
	cr_assert_eq(http_url_parse(&u, "http://127.0.0.1:8080/v1"), 0, "%s", err_msg());
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 8080);
	http_url_fini(&u);
	http_global_cleanup();
}

Test(http_load, a_callers_own_gnutls_setting_is_kept)
{
	setenv("GNUTLS_NO_IMPLICIT_INIT", "0", 1);
	http_preload();
	cr_assert_eq(http_global_init(), 0, "%s", err_msg());
	cr_assert_str_eq(getenv("GNUTLS_NO_IMPLICIT_INIT"), "0");
	http_global_cleanup();
}

Test(http_load, without_preload_the_first_use_loads_it)
{
	char *abs = NULL;

	cr_assert_eq(http_url_join(&abs, "https://example.com/a/b", "../c"), 0, "%s", err_msg());
	cr_assert_str_eq(abs, "https://example.com/c");
	free(abs);
	cr_assert_eq(http_global_init(), 0, "%s", err_msg());
	http_global_cleanup();
}

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
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/ev.h"
#include "net/http.h"
#include "threads.h"

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

/* A one-connection HTTP server on loopback: reads the request's head and
 * answers 200 "ok". */
struct one_server {
	int fd, port;
	pthread_t thread;
	char head[2048];
};

static void *
serve_one(void *arg)
{
	struct one_server *sv = arg;
	int c = accept(sv->fd, NULL, NULL);
	size_t n = 0;

	if (c < 0)
		return NULL;
	while (n < sizeof sv->head - 1 && !strstr(sv->head, "\r\n\r\n")) {
		ssize_t k = read(c, sv->head + n, sizeof sv->head - 1 - n);

		if (k <= 0)
			break;
		n += (size_t)k;
		sv->head[n] = '\0';
	}
	static const char reply[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	ssize_t w = write(c, reply, sizeof reply - 1);

	(void)w;
	close(c);
	return NULL;
}

static void
one_server_start(struct one_server *sv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	memset(sv->head, 0, sizeof sv->head);
	sv->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(sv->fd, 0);
	cr_assert_eq(bind(sv->fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(sv->fd, 4), 0);
	cr_assert_eq(getsockname(sv->fd, (struct sockaddr *)&a, &len), 0);
	sv->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&sv->thread, NULL, serve_one, sv), 0);
}

struct seen {
	int ndone, rc;
	long status;
	struct buf body;
};

static void
seen_body(const char *p, size_t n, void *ctx)
{
	buf_add(&((struct seen *)ctx)->body, p, n);
}

static void
seen_done(const struct http_result *res, void *ctx)
{
	struct seen *s = ctx;

	s->ndone++;
	s->rc = res->rc;
	s->status = res->status;
}

/* The loop does not wait for the load: a request made while it runs is
 * held (http_start returns with the loading thread still there, where a
 * join would have waited for it), a held request can be cancelled with no
 * callback, and the other is sent once the load is over. */
Test(http_load, a_request_made_while_libcurl_loads_is_held_not_waited_for)
{
	struct one_server sv;
	struct ev_loop *l;
	struct http_client *c;
	struct http_request *r1, *r2;
	struct seen s1 = { .body = BUF_INIT }, s2 = { .body = BUF_INIT };
	static const struct http_callbacks cb = { .on_body = seen_body, .on_done = seen_done };
	char url[64];

	one_server_start(&sv);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/held", sv.port);
	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(http_client_new(&c, l), 0);
	int before = test_thread_count();

	cr_assert_eq(http_global_init(), 0);
	struct http_spec spec = { .method = "GET", .url = url };

	cr_assert_eq(http_start(&r1, c, &spec, &cb, &s1), 0, "%s", err_msg());
	cr_assert_eq(http_start(&r2, c, &spec, &cb, &s2), 0, "%s", err_msg());
	cr_assert_eq(test_thread_count(), before + 1,
	             "http_start() returned only after the loading thread had gone");
	http_cancel(r2);
	/* A client freed with a request held frees it, with no callback. */
	struct http_client *c2;
	struct http_request *r3;
	struct seen s3 = { .body = BUF_INIT };

	cr_assert_eq(http_client_new(&c2, l), 0);
	cr_assert_eq(http_start(&r3, c2, &spec, &cb, &s3), 0, "%s", err_msg());
	http_client_free(c2);
	for (int i = 0; i < 500 && s1.ndone == 0; i++)
		cr_assert_geq(ev_run_once(l, 20), 0);
	cr_assert_eq(s1.ndone, 1);
	cr_assert_eq(s1.rc, 0);
	cr_assert_eq(s1.status, 200);
	cr_assert_str_eq(buf_cstr(&s1.body), "ok");
	cr_assert_eq(strncmp(sv.head, "GET /held HTTP/1.1\r\n", 20), 0, "%s", sv.head);
	cr_assert_eq(s2.ndone, 0, "a cancelled request got a callback");
	cr_assert_eq(s3.ndone, 0, "a request of a freed client got a callback");
	pthread_join(sv.thread, NULL);
	close(sv.fd);
	http_client_free(c);
	ev_free(l);
	buf_fini(&s1.body);
	buf_fini(&s2.body);
	http_global_cleanup();
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_NET_HTTP_H
#define DH_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/err.h"

/*
 * HTTP over libcurl's multi interface, driven by the ev reactor (STYLE.md
 * §3.11, §3.13): curl's sockets become ev_io watches, curl's timer an
 * ev_timer, and completions are delivered after curl_multi_socket_action()
 * returns. One http_client per loop; curl_global_init() is main's job.
 */

struct ev_loop;
struct http_client;
struct http_request;

/* One piece of a lent body (http_spec.parts). */
struct http_part {
	const char *p;
	size_t n;
};

struct http_spec {
	const char *method; /* "POST" or "GET" */
	const char *url;
	const char *const *headers; /* "Name: value" lines, copied; "Name:" sends an
	                             * empty value */
	size_t nheaders;
	const char *body; /* copied (unless body_lent); NULL for none */
	size_t body_len;
	/* The body is lent, not copied (a long conversation's request is most
	 * of the heap): it must stay as it is until on_done has run or
	 * http_cancel() has returned; curl reads it through a callback that
	 * stops at the cancel. */
	bool body_lent;
	/* With body_lent and nparts > 0, the body is parts[0..nparts) sent one
	 * after another instead of body (a conversation's messages where they
	 * already are, not copied into one text): the array is copied, the
	 * bytes each part points at are lent as body's are. */
	const struct http_part *parts;
	size_t nparts;
	long connect_timeout_ms; /* 0: curl's default */
	long idle_timeout_ms;    /* fail when no byte arrives for this long; 0: never.
	                          * Also sets CURLOPT_LOW_SPEED_* (1 byte/s) as a backstop */
	/* Pinning (web_fetch): pin_host:pin_port resolves to exactly these
	 * checked addresses (CURLOPT_RESOLVE), no proxy is used, and a socket
	 * to any other address is refused before it is opened. Copied.
	 * npin_addrs 0: no pinning. */
	const char *pin_host;
	int pin_port;
	const struct sockaddr_storage *pin_addrs;
	size_t npin_addrs;
};

/* A URL split by curl's parser. */
struct http_url {
	char *scheme; /* lowercase: "http", "https", … */
	char *host;   /* as in the URL (an IPv6 literal keeps its brackets), an
	               * internationalized name in its ASCII form (xn--…) */
	int port;     /* explicit or the scheme's default */
	char *url;    /* normalized */
	bool userinfo; /* a user name or password is in it ("user:pw@host") */
};

/* Outcome of one transfer, borrowed for the on_done call. */
struct http_result {
	int rc;         /* 0: the transfer completed (whatever the status); DH_EFAIL: it did not */
	bool timed_out; /* connect timeout or idle limit */
	bool idle;      /* the idle limit in particular */
	long status;    /* final HTTP status; 0 if none was received */
	const char *error; /* one line when rc < 0 (curl's error buffer), else NULL */
	/* Nothing was sent: a request held while libcurl loaded could not be
	 * started once it had (the failures http_start() itself returns for
	 * the others; asking again cannot help). */
	bool not_started;
};

/* Callbacks. on_header and on_body run inside curl callbacks: they may call
 * http_cancel() (on any request) but not http_start() or http_client_free().
 * on_done runs outside curl and may do anything except free the client; the
 * request is freed when it returns (forget the pointer). Any may be NULL. */
struct http_callbacks {
	/* Each response header of the final response; name lowercased, value trimmed. */
	void (*on_header)(long status, const char *name, const char *value, void *ctx);
	/* Response body bytes (after content decoding), any status. */
	void (*on_body)(const char *p, size_t n, void *ctx);
	void (*on_done)(const struct http_result *res, void *ctx);
};

/* Start loading libcurl (and the thirty-odd libraries it needs) on a thread
 * of its own, so that it overlaps the caller's other start-up work; that
 * thread also runs curl_global_init(). Call it after starting the threads
 * that must not wait: while the load maps and relocates, glibc's
 * pthread_create() waits for it (both take the loader's TLS lock). The
 * thread has every signal blocked. GnuTLS, loaded with libcurl and unused
 * (curl's TLS is OpenSSL's), does not initialise itself: this module
 * defines _gnutls_global_init_skip(), which GnuTLS's constructor asks, and
 * the program exports it (the Makefile's --export-dynamic-symbol). Returns
 * 0: a library that cannot be loaded is told by the first request. A call
 * while the load runs, or once it is done, starts nothing. Requests made
 * while it runs are held and start once it is over (http_start): the loop
 * never waits for it. Other users of libcurl (http_url_parse) wait, as a
 * first dl_load() of any library does. */
int http_global_init(void) DH_MUST_CHECK;
/* The same load, waited for: libcurl loaded and curl_global_init() done
 * when it returns 0; DH_EFAIL with err_msg() naming the library or
 * curl_global_init()'s error. No thread of the load is left running (a
 * process that forks afterwards, engine/warm.h, hands its children a
 * loaded libcurl and no lock held). */
int http_global_load(void) DH_MUST_CHECK;
/* Wait for the load (a process may exit while it runs) and, if the first
 * request called curl_global_init(), curl_global_cleanup(). For main.c and
 * tests, so that only http.c includes <curl/curl.h>. */
void http_global_cleanup(void);
/* curl_version(): "libcurl/7.88.1 OpenSSL/3.0.11 zlib/1.2.13 ...", owned by
 * libcurl; when libcurl cannot be loaded, err_msg()'s text saying why. */
const char *http_version(void);

/* Split `url`. DH_EPARSE with curl's reason, DH_EFAIL when libcurl cannot be
 * loaded (err_msg() says why). Free with http_url_fini(). */
int http_url_parse(struct http_url *out, const char *url) DH_MUST_CHECK;
void http_url_fini(struct http_url *u);
/* Resolve `ref` (absolute or relative, as in a Location header or a link)
 * against `base`; *out is heap. DH_EPARSE when either does not parse, DH_EFAIL
 * when libcurl cannot be loaded. */
int http_url_join(char **out, const char *base, const char *ref) DH_MUST_CHECK;

/* A client on loop l; libcurl's part of it is made by its first request
 * (http_start), so a client costs nothing before then and does not wait
 * for http_global_init()'s load. Returns 0. *out is owned by the caller. */
int http_client_new(struct http_client **out, struct ev_loop *l) DH_MUST_CHECK;
/* Cancel every request (no callbacks) and free. NULL-safe. Not from a callback. */
void http_client_free(struct http_client *c);

/* Start a request. On success *out is a handle valid until on_done returns or
 * http_cancel(); `cb` is copied, `ctx` must outlive the request. Returns 0
 * or DH_EFAIL without calling any callback: libcurl cannot be loaded
 * (err_msg() names it and its Debian package), curl's set-up failed, or curl
 * refused the options. Not from inside on_header/on_body.
 * While http_global_init()'s load of libcurl still runs, the caller does not
 * wait for it: the spec is copied (a lent body's bytes stay lent), 0 is
 * returned, and the request starts from the loop once the load is over, in
 * the order the requests were made; if it cannot start then, on_done gets
 * rc DH_EFAIL with not_started and the reason. */
int http_start(struct http_request **out, struct http_client *c, const struct http_spec *spec,
               const struct http_callbacks *cb, void *ctx) DH_MUST_CHECK;
/* Drop the request (curl_multi_remove_handle, never a write-callback error):
 * no callback runs afterwards. Safe from inside on_header/on_body (removal is
 * deferred until curl returns). NULL-safe; not after on_done. */
void http_cancel(struct http_request *r);

#endif

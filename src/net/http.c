/* SPDX-License-Identifier: MIT */
/*
 * libcurl multi ↔ ev glue: the only file that includes <curl/curl.h>. It moves
 * bytes and reports outcomes; what the bytes mean is the caller's business.
 */
#include "net/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls go through the table filled by the loader (core/dl.h): curl's
 * type-checking macros would expand `lc.curl_easy_setopt(...)`. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "core/buf.h"
#include "core/dl.h"
#include "core/ev.h"
#include "core/xalloc.h"

/* libcurl is loaded, not linked (core/dl.h): with it come some thirty
 * libraries (OpenSSL's, GnuTLS's, Kerberos', LDAP's, ...) that a launch would
 * otherwise map and relocate before main(). http_global_init() starts that
 * on a thread of its own, beside the rest of the start-up. */
#define CURL_SYMS(X)                                                                   \
	X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_setopt)   \
	X(curl_easy_strerror) X(curl_free) X(curl_global_cleanup) X(curl_global_init)     \
	X(curl_multi_add_handle) X(curl_multi_cleanup) X(curl_multi_info_read)            \
	X(curl_multi_init) X(curl_multi_remove_handle) X(curl_multi_setopt)               \
	X(curl_multi_socket_action) X(curl_multi_strerror) X(curl_slist_append)           \
	X(curl_slist_free_all) X(curl_url) X(curl_url_cleanup) X(curl_url_get)            \
	X(curl_url_set) X(curl_url_strerror) X(curl_version)
static void curl_init_once(void);
DL_LIBRARY_INIT(lc, "libcurl.so.4", "libcurl4", CURL_SYMS, curl_init_once);

/* The thread http_global_init() started, until the first request (or
 * http_global_cleanup()) joins it. */
static struct dl_preload preload;
/* curl_global_init()'s result, set once by the thread that loads libcurl
 * (under lc_lib's lock, read after dl_load() returned); -1 before. */
static int global_code = -1;

struct http_request {
	struct http_client *client;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	struct http_part *parts; /* the caller's body (http_spec.body_lent): lent bytes */
	size_t nparts, lent_len;
	size_t part, part_off; /* where the next read starts: parts[part] at part_off */
	struct http_callbacks cb;
	void *ctx;
	char errbuf[CURL_ERROR_SIZE];
	long status;          /* of the last status line seen */
	struct buf hdr;       /* scratch for one header line */
	struct ev_timer idle; /* re-armed on every byte received */
	long idle_ms;
	struct curl_slist *resolve;	/* pinned addresses (CURLOPT_RESOLVE) */
	struct sockaddr_storage *pins; /* the only addresses a socket may be opened to */
	size_t npins;
	bool cancelled;            /* removal deferred: cancelled inside a curl callback */
	struct held *held;         /* waiting for libcurl's load: the spec, copied */
	struct http_request *prev; /* client's list of live requests, or of held ones */
	struct http_request *next;
};

/* A request's spec kept while libcurl loads (http_start): what the spec
 * points at, copied, except a lent body's bytes (lent until on_done or the
 * cancel, as always). spec points into the rest. */
struct held {
	struct http_spec spec;
	char *method, *url, *body, *pin_host;
	char **headers;
	struct http_part *parts;
	struct sockaddr_storage *pins;
};

struct http_client {
	struct ev_loop *loop;
	CURLM *multi;
	struct ev_timer timer; /* curl's CURLMOPT_TIMERFUNCTION deadline */
	int depth;             /* > 0 while curl may be running our callbacks */
	bool reap;             /* a request was cancelled at depth > 0 */
	struct http_request *reqs;
	/* Requests started while libcurl loads, oldest first, and the fd that
	 * says the load is over (dl_preload_watch_fd; -1: none watched). */
	struct http_request *held, *held_tail;
	int loaded_fd;
};

static void after_curl(struct http_client *c);
static void held_drop(struct http_request *r);

/* Take r off the client's list it is on: the live requests, or the held
 * ones (r->held). */
static void
request_unlink(struct http_request *r)
{
	struct http_client *c = r->client;

	if (r->prev)
		r->prev->next = r->next;
	else if (r->held)
		c->held = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else if (r->held)
		c->held_tail = r->prev;
	r->prev = r->next = NULL;
}

/* Free r and what it owns (its easy handle included), once it is in no
 * multi handle and no list. */
static void
request_free(struct http_request *r)
{
	/* A held request has none of curl's, and curl may not be loaded. */
	if (r->easy)
		lc.curl_easy_cleanup(r->easy);
	if (r->headers)
		lc.curl_slist_free_all(r->headers);
	if (r->resolve)
		lc.curl_slist_free_all(r->resolve);
	free(r->pins);
	free(r->parts);
	free(r->body);
	buf_fini(&r->hdr);
	free(r);
}

/* Remove from the multi and free. Must not run inside a curl callback. */
static void
request_destroy(struct http_request *r)
{
	struct http_client *c = r->client;

	ev_timer_disarm(c->loop, &r->idle);
	request_unlink(r);
	c->depth++; /* remove_handle may call the socket callback */
	lc.curl_multi_remove_handle(c->multi, r->easy);
	c->depth--;
	request_free(r);
}

static void
request_complete(struct http_request *r, int rc, bool timed_out, bool idle, const char *error)
{
	struct http_result res = { .rc = rc, .timed_out = timed_out, .idle = idle };
	long code = 0;

	if (lc.curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
		res.status = code;
	char *msg = error ? xstrdup(error) : NULL;
	res.error = msg;
	struct http_callbacks cb = r->cb;
	void *ctx = r->ctx;

	request_destroy(r);
	if (cb.on_done)
		cb.on_done(&res, ctx);
	free(msg);
}

/*
 * curl callbacks
 */

static size_t
on_write(char *p, size_t size, size_t nmemb, void *userp)
{
	struct http_request *r = userp;
	size_t n = size * nmemb;

	/* Returning anything but n would be a write error; cancellation never
	 * goes through here (STYLE.md §3.13). */
	if (r->cancelled)
		return n;
	if (r->idle_ms > 0)
		ev_timer_arm(r->client->loop, &r->idle, (uint64_t)r->idle_ms);
	if (r->cb.on_body && n > 0)
		r->cb.on_body(p, n, r->ctx);
	return n;
}

static size_t
on_header_line(char *p, size_t size, size_t nmemb, void *userp)
{
	struct http_request *r = userp;
	size_t n = size * nmemb;

	if (r->cancelled)
		return n;
	if (r->idle_ms > 0)
		ev_timer_arm(r->client->loop, &r->idle, (uint64_t)r->idle_ms);
	buf_clear(&r->hdr);
	buf_add(&r->hdr, p, n);
	char *s = r->hdr.ptr;
	size_t len = r->hdr.len;
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
		s[--len] = '\0';

	if (strncmp(s, "HTTP/", 5) == 0) {
		const char *sp = strchr(s, ' ');

		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return n;
	}
	/* Interim (1xx) responses' headers are not the response's. */
	if (r->status < 200 || len == 0 || !r->cb.on_header)
		return n;
	char *colon = strchr(s, ':');
	if (!colon)
		return n;
	*colon = '\0';
	for (char *q = s; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	char *e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	r->cb.on_header(r->status, s, v, r->ctx);
	return n;
}

static void
on_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct http_client *c = ctx;
	int flags = 0, running = 0;

	(void)l;
	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	c->depth++;
	lc.curl_multi_socket_action(c->multi, fd, flags, &running);
	c->depth--;
	after_curl(c);
}

/* The lent body (CURLOPT_READFUNCTION): never read after a cancel, whose
 * caller may free it at once even when the removal is deferred. */
static size_t
on_read(char *p, size_t size, size_t nitems, void *userp)
{
	struct http_request *r = userp;
	size_t room = size * nitems, n = 0;

	if (r->cancelled)
		return CURL_READFUNC_ABORT;
	while (n < room && r->part < r->nparts) {
		const struct http_part *pt = &r->parts[r->part];
		size_t k = pt->n - r->part_off;

		if (k > room - n)
			k = room - n;
		if (k)
			memcpy(p + n, pt->p + r->part_off, k);
		n += k;
		r->part_off += k;
		if (r->part_off == pt->n) {
			r->part++;
			r->part_off = 0;
		}
	}
	return n;
}

/* curl rewinds the body to send it again (a reused connection found dead). */
static int
on_seek(void *userp, curl_off_t offset, int origin)
{
	struct http_request *r = userp;

	if (origin != SEEK_SET || offset < 0 || (size_t)offset > r->lent_len)
		return CURL_SEEKFUNC_FAIL;
	size_t off = (size_t)offset;

	for (r->part = 0; r->part < r->nparts && off >= r->parts[r->part].n; r->part++)
		off -= r->parts[r->part].n;
	r->part_off = off;
	return CURL_SEEKFUNC_OK;
}

static int
on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http_client *c = userp;
	unsigned events = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		ev_io_del(c->loop, s);
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= POLLIN;
	if (what & CURL_POLL_OUT)
		events |= POLLOUT;
	return ev_io_set(c->loop, s, events, on_io, c) < 0 ? -1 : 0;
}

static void
on_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct http_client *c = ctx;
	int running = 0;

	(void)l;
	(void)t;
	c->depth++;
	lc.curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	c->depth--;
	after_curl(c);
}

/* curl only asks for a deadline here; it must not be called back from this
 * callback. 0 means "act on the next iteration", which ev_timer_arm(0) is;
 * -1 disarms. */
static int
on_curl_timer(CURLM *multi, long ms, void *userp)
{
	struct http_client *c = userp;

	(void)multi;
	if (ms < 0)
		ev_timer_disarm(c->loop, &c->timer);
	else
		ev_timer_arm(c->loop, &c->timer, (uint64_t)ms);
	return 0;
}

static void
on_idle(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct http_request *r = ctx;
	char msg[96];

	(void)l;
	(void)t;
	snprintf(msg, sizeof msg, "no data received for %ld ms", r->idle_ms);
	request_complete(r, DH_EFAIL, true, true, msg);
}

/* After curl returns: drop requests cancelled inside callbacks, then deliver
 * completions. Callbacks run here may start or cancel other requests. */
static void
after_curl(struct http_client *c)
{
	if (c->reap) {
		c->reap = false;
		for (struct http_request *r = c->reqs, *next; r; r = next) {
			next = r->next;
			if (r->cancelled)
				request_destroy(r);
		}
	}
	CURLMsg *m;
	int left = 0;
	while ((m = lc.curl_multi_info_read(c->multi, &left))) {
		struct http_request *r = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		lc.curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (!r)
			continue;
		CURLcode code = m->data.result;
		if (r->cancelled) {
			request_destroy(r);
			continue;
		}
		if (code == CURLE_OK) {
			request_complete(r, 0, false, false, NULL);
		} else {
			const char *e = r->errbuf[0] ? r->errbuf : lc.curl_easy_strerror(code);
			char *msg = xstrdup(e);

			request_complete(r, DH_EFAIL, code == CURLE_OPERATION_TIMEDOUT, false, msg);
			free(msg);
		}
	}
}

static bool
same_addr(const struct sockaddr_storage *pin, const struct sockaddr *a)
{
	if (pin->ss_family != a->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)pin, *y = (const void *)a;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)pin, *y = (const void *)a;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
	}
	return false;
}

/* Pinned transfers: a socket only to an address that was checked. */
static curl_socket_t
on_opensocket(void *userp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_request *r = userp;

	(void)purpose;
	for (size_t i = 0; i < r->npins; i++)
		if (same_addr(&r->pins[i], &a->addr))
			return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return CURL_SOCKET_BAD;
}

/* CURLOPT_RESOLVE entry "HOST:PORT:ADDR[,ADDR…]" for the pins. */
static int
pin(struct http_request *r, const struct http_spec *spec)
{
	struct buf b = BUF_INIT;
	char a[INET6_ADDRSTRLEN];

	r->pins = xcalloc(spec->npin_addrs, sizeof *r->pins);
	memcpy(r->pins, spec->pin_addrs, spec->npin_addrs * sizeof *r->pins);
	r->npins = spec->npin_addrs;
	struct in_addr v4;

	/* curl never resolves an IP literal; the socket check covers it. */
	if (spec->pin_host[0] == '[' || inet_pton(AF_INET, spec->pin_host, &v4) == 1)
		return 0;
	buf_printf(&b, "%s:%d:", spec->pin_host, spec->pin_port);
	for (size_t i = 0; i < r->npins; i++) {
		const struct sockaddr_storage *p = &r->pins[i];

		if (p->ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)p)->sin_addr, a, sizeof a);
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)p)->sin6_addr, a, sizeof a);
		buf_printf(&b, p->ss_family == AF_INET6 ? "%s[%s]" : "%s%s", i ? "," : "", a);
	}
	r->resolve = lc.curl_slist_append(NULL, buf_cstr(&b));
	buf_fini(&b);
	return r->resolve ? 0 : -1;
}

/*
 * URLs
 */

static int
url_part(CURLU *u, CURLUPart what, char **out, unsigned flags)
{
	char *v = NULL;

	*out = NULL;
	if (lc.curl_url_get(u, what, &v, flags) != CURLUE_OK) {
		/* curl 7.88 returns a host it could not convert to punycode
		 * (CURLU_PUNYCODE) along with the error. */
		lc.curl_free(v);
		return -1;
	}
	*out = xstrdup(v);
	lc.curl_free(v);
	return 0;
}

int
http_url_parse(struct http_url *out, const char *url)
{
	memset(out, 0, sizeof *out);
	if (dl_load(&lc_lib) < 0)
		return DH_EFAIL;

	CURLU *u = lc.curl_url();
	CURLUcode uc;
	char *port = NULL;
	int rc = 0;

	if (!u)
		die("out of memory (curl_url)");
	if ((uc = lc.curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK) {
		rc = err_setc(DH_EPARSE, "bad URL '%.200s': %s", url, lc.curl_url_strerror(uc));
		goto out;
	}
	/* An internationalized name as curl sends it, in DNS and in a proxy's
	 * CONNECT (xn--…): the form an allowlist names. Without IDN support in
	 * libcurl the name stays as written. */
	if (url_part(u, CURLUPART_HOST, &out->host, CURLU_PUNYCODE) < 0)
		url_part(u, CURLUPART_HOST, &out->host, 0);
	if (url_part(u, CURLUPART_SCHEME, &out->scheme, 0) < 0 || !out->host ||
	    url_part(u, CURLUPART_URL, &out->url, 0) < 0) {
		rc = err_setc(DH_EPARSE, "bad URL '%.200s': no scheme or host", url);
		goto out;
	}
	for (char *p = out->scheme; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	out->port = url_part(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == 0 ? atoi(port) : 0;
	for (size_t i = 0; i < 2 && !out->userinfo; i++) {
		char *part = NULL;

		out->userinfo = url_part(u, i ? CURLUPART_PASSWORD : CURLUPART_USER, &part, 0) == 0;
		free(part);
	}
out:
	free(port);
	lc.curl_url_cleanup(u);
	if (rc < 0)
		http_url_fini(out);
	return rc;
}

void
http_url_fini(struct http_url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->url);
	memset(u, 0, sizeof *u);
}

int
http_url_join(char **out, const char *base, const char *ref)
{
	*out = NULL;
	if (dl_load(&lc_lib) < 0)
		return DH_EFAIL;

	CURLU *u = lc.curl_url();
	CURLUcode uc;
	int rc = 0;

	if (!u)
		die("out of memory (curl_url)");
	if ((uc = lc.curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK ||
	    (uc = lc.curl_url_set(u, CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK)
		rc = err_setc(DH_EPARSE, "bad URL '%.200s': %s", ref, lc.curl_url_strerror(uc));
	else if (url_part(u, CURLUPART_URL, out, 0) < 0)
		rc = err_setc(DH_EPARSE, "bad URL '%.200s'", ref);
	lc.curl_url_cleanup(u);
	return rc;
}

/*
 * API
 */

static void *
preload_run(void *arg)
{
	(void)arg;
	/* The result is also remembered: http_ready() asks again. */
	return (void *)(intptr_t)dl_load(&lc_lib);
}

/* GnuTLS comes with libcurl (through librtmp) and would initialise itself
 * when loaded, p11-kit's modules with it: some 0.8 MB of heap and its
 * time, for a library this program never uses (librtmp initialises it
 * itself if it ever does). Its constructor first asks this function, weak
 * in libgnutls.so.30 and called through its PLT, so that a program can
 * say no (GnuTLS lib/global.c, lib_init()); the environment variable
 * GNUTLS_NO_IMPLICIT_INIT would too, but it would be seen by whatever the
 * start-up runs while the load goes on, and changing the environment then
 * races with the other threads' getenv(). */
int _gnutls_global_init_skip(void);

int
_gnutls_global_init_skip(void)
{
	return 1;
}

/* libcurl's global set-up, run by whichever thread loads it (dl_load):
 * the preload's, beside the rest of the start-up, before any other thread
 * uses libcurl (they wait for the load: core/dl.h). */
static void
curl_init_once(void)
{
	global_code = (int)lc.curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
http_global_init(void)
{
	if (global_code == -1) /* not loaded and set up yet */
		dl_preload_start(&preload, preload_run);
	return 0;
}

/* libcurl loaded and set up: 0, or DH_EFAIL with err_msg() saying why
 * (each time it is asked). */
static int
http_ready(void)
{
	/* Once the preload's fn has returned, its thread is left to exit on
	 * its own (http_global_cleanup joins it): the load is over. */
	if (dl_preload_pending(&preload))
		dl_preload_join(&preload);
	if (dl_load(&lc_lib) < 0)
		return DH_EFAIL;
	if (global_code != CURLE_OK)
		return err_set("curl_global_init: %s", lc.curl_easy_strerror((CURLcode)global_code));
	return 0;
}

int
http_global_load(void)
{
	if (http_global_init() < 0)
		return DH_EFAIL;
	return http_ready();
}

void
http_global_cleanup(void)
{
	dl_preload_join(&preload);
	if (global_code == CURLE_OK)
		lc.curl_global_cleanup();
	global_code = -1;
}

const char *
http_version(void)
{
	if (dl_load(&lc_lib) < 0)
		return err_msg();
	return lc.curl_version();
}

int
http_client_new(struct http_client **out, struct ev_loop *l)
{
	struct http_client *c = xcalloc(1, sizeof *c);

	c->loop = l;
	c->loaded_fd = -1;
	ev_timer_init(&c->timer, on_timer, c);
	*out = c;
	return 0;
}

/* The client's multi handle, made at its first request (libcurl waited for). */
static int
client_multi(struct http_client *c)
{
	if (c->multi)
		return 0;
	if (http_ready() < 0)
		return DH_EFAIL;

	CURLM *m = lc.curl_multi_init();
	if (!m)
		return err_set("http: curl_multi_init failed");
	c->multi = m;
	lc.curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	lc.curl_multi_setopt(m, CURLMOPT_SOCKETDATA, c);
	lc.curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	lc.curl_multi_setopt(m, CURLMOPT_TIMERDATA, c);
	return 0;
}

void
http_client_free(struct http_client *c)
{
	if (!c)
		return;
	while (c->held)
		held_drop(c->held);
	if (c->loaded_fd >= 0) {
		ev_io_del(c->loop, c->loaded_fd);
		close(c->loaded_fd);
	}
	while (c->reqs)
		request_destroy(c->reqs);
	c->depth++;
	if (c->multi)
		lc.curl_multi_cleanup(c->multi);
	c->depth--;
	ev_timer_disarm(c->loop, &c->timer);
	free(c);
}

#define SETOPT(e, opt, val)                                                                        \
	do {                                                                                       \
		if ((code = lc.curl_easy_setopt(e, opt, val)) != CURLE_OK)                            \
			goto fail;                                                                 \
	} while (0)

/* A request of client c for cb/ctx, with no part of curl's yet. */
static struct http_request *
request_new(struct http_client *c, const struct http_spec *spec,
            const struct http_callbacks *cb, void *ctx)
{
	struct http_request *r = xcalloc(1, sizeof *r);

	r->client = c;
	r->cb = *cb;
	r->ctx = ctx;
	r->idle_ms = spec->idle_timeout_ms;
	ev_timer_init(&r->idle, on_idle, r);
	return r;
}

/* Give r its easy handle, set from spec, and add it to the client's multi
 * (which exists). 0, or DH_EFAIL with r left to request_free(). */
static int
request_launch(struct http_request *r, const struct http_spec *spec)
{
	struct http_client *c = r->client;
	CURLcode code = CURLE_OK;

	r->easy = lc.curl_easy_init();
	if (!r->easy)
		return err_set("http: curl_easy_init failed");
	for (size_t i = 0; i < spec->nheaders; i++) {
		/* "Name:" alone would remove curl's own header of that name;
		 * curl sends an empty value for "Name;". */
		const char *line = spec->headers[i];
		size_t n = strlen(line);
		char *empty = NULL;
		while (n > 0 && line[n - 1] == ' ')
			n--;
		if (n > 1 && line[n - 1] == ':') {
			empty = xstrndup(line, n);
			empty[n - 1] = ';';
		}
		struct curl_slist *h = lc.curl_slist_append(r->headers, empty ? empty : line);
		free(empty);

		if (!h)
			die("out of memory (curl_slist_append)");
		r->headers = h;
	}
	/* No "Expect: 100-continue" round trip for large bodies. */
	r->headers = lc.curl_slist_append(r->headers, "Expect:");
	if (!r->headers)
		die("out of memory (curl_slist_append)");

	CURL *e = r->easy;
	SETOPT(e, CURLOPT_PRIVATE, (char *)r);
	SETOPT(e, CURLOPT_URL, spec->url);
	SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_NOSIGNAL, 1L);
	SETOPT(e, CURLOPT_ERRORBUFFER, r->errbuf);
	SETOPT(e, CURLOPT_HTTPHEADER, r->headers);
	SETOPT(e, CURLOPT_WRITEFUNCTION, on_write);
	SETOPT(e, CURLOPT_WRITEDATA, r);
	SETOPT(e, CURLOPT_HEADERFUNCTION, on_header_line);
	SETOPT(e, CURLOPT_HEADERDATA, r);
	SETOPT(e, CURLOPT_ACCEPT_ENCODING, ""); /* curl decodes; SSE never reaches us gzipped */
	SETOPT(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (spec->connect_timeout_ms > 0)
		SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, spec->connect_timeout_ms);
	if (spec->idle_timeout_ms > 0) {
		SETOPT(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		SETOPT(e, CURLOPT_LOW_SPEED_TIME, (spec->idle_timeout_ms + 999) / 1000);
	}
	if (spec->npin_addrs > 0) {
		if (pin(r, spec) < 0)
			die("out of memory (curl_slist_append)");
		if (r->resolve)
			SETOPT(e, CURLOPT_RESOLVE, r->resolve);
		SETOPT(e, CURLOPT_PROXY, ""); /* direct: the checked address is the peer */
		SETOPT(e, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
		SETOPT(e, CURLOPT_OPENSOCKETDATA, r);
		SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
	}
	if (spec->method && strcmp(spec->method, "POST") == 0 && spec->body_lent) {
		struct http_part whole = { spec->body ? spec->body : "",
					   spec->body ? spec->body_len : 0 };
		const struct http_part *from = spec->nparts ? spec->parts : &whole;

		r->nparts = spec->nparts ? spec->nparts : 1;
		r->parts = xcalloc(r->nparts, sizeof *r->parts);
		memcpy(r->parts, from, r->nparts * sizeof *from);
		for (size_t i = 0; i < r->nparts; i++)
			r->lent_len += r->parts[i].n;
		SETOPT(e, CURLOPT_POST, 1L);
		SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->lent_len);
		SETOPT(e, CURLOPT_READFUNCTION, on_read);
		SETOPT(e, CURLOPT_READDATA, r);
		SETOPT(e, CURLOPT_SEEKFUNCTION, on_seek);
		SETOPT(e, CURLOPT_SEEKDATA, r);
	} else if (spec->method && strcmp(spec->method, "POST") == 0) {
		r->body = xmalloc(spec->body_len + 1);
		if (spec->body_len)
			memcpy(r->body, spec->body, spec->body_len);
		r->body[spec->body_len] = '\0';
		SETOPT(e, CURLOPT_POST, 1L);
		SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)spec->body_len);
		SETOPT(e, CURLOPT_POSTFIELDS, r->body);
	} else if (spec->method && strcmp(spec->method, "GET") != 0) {
		SETOPT(e, CURLOPT_CUSTOMREQUEST, spec->method);
	}

	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	CURLMcode mc = lc.curl_multi_add_handle(c->multi, e);
	if (mc != CURLM_OK) {
		request_unlink(r);
		return err_set("http: %s", lc.curl_multi_strerror(mc));
	}
	if (r->idle_ms > 0)
		ev_timer_arm(c->loop, &r->idle, (uint64_t)r->idle_ms);
	return 0;

fail:
	return err_set("http: %s", lc.curl_easy_strerror(code));
}

/* r's copy of spec, to launch it once libcurl has loaded. */
static void
hold(struct http_request *r, const struct http_spec *spec)
{
	struct held *h = xcalloc(1, sizeof *h);

	h->spec = *spec;
	h->spec.method = h->method = xstrdup_or_null(spec->method);
	h->spec.url = h->url = xstrdup_or_null(spec->url);
	h->headers = xcalloc(spec->nheaders + 1, sizeof *h->headers);
	for (size_t i = 0; i < spec->nheaders; i++)
		h->headers[i] = xstrdup(spec->headers[i]);
	h->spec.headers = (const char *const *)h->headers;
	if (spec->body && !spec->body_lent) {
		h->body = xmalloc(spec->body_len + 1);
		memcpy(h->body, spec->body, spec->body_len);
		h->spec.body = h->body;
	}
	if (spec->nparts) {
		h->parts = xcalloc(spec->nparts, sizeof *h->parts);
		memcpy(h->parts, spec->parts, spec->nparts * sizeof *h->parts);
		h->spec.parts = h->parts;
	}
	h->spec.pin_host = h->pin_host = xstrdup_or_null(spec->pin_host);
	if (spec->npin_addrs) {
		h->pins = xcalloc(spec->npin_addrs, sizeof *h->pins);
		memcpy(h->pins, spec->pin_addrs, spec->npin_addrs * sizeof *h->pins);
		h->spec.pin_addrs = h->pins;
	}
	r->held = h;
}

static void
held_free(struct held *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->spec.nheaders; i++)
		free(h->headers[i]);
	free(h->headers);
	free(h->method);
	free(h->url);
	free(h->body);
	free(h->pin_host);
	free(h->parts);
	free(h->pins);
	free(h);
}

/* Cancel a held request: nothing of curl's to undo. */
static void
held_drop(struct http_request *r)
{
	request_unlink(r);
	held_free(r->held);
	r->held = NULL;
	request_free(r);
}

/* Launch the held requests, oldest first, now that libcurl's load is over;
 * one that cannot be started gets its on_done with the reason (on_done may
 * start or cancel others, held ones included). */
static void
launch_held(struct http_client *c)
{
	char *why = client_multi(c) < 0 ? xstrdup(err_msg()) : NULL;

	for (struct http_request *r; (r = c->held);) {
		struct held *h = r->held;

		request_unlink(r); /* from the held list: r->held says which */
		r->held = NULL;
		int rc = why ? DH_EFAIL : request_launch(r, &h->spec);

		held_free(h);
		if (rc == 0)
			continue;
		struct http_result res = { .rc = DH_EFAIL, .not_started = true,
					   .error = why ? why : err_msg() };
		char *msg = xstrdup(res.error);
		struct http_callbacks cb = r->cb;
		void *ctx = r->ctx;

		res.error = msg;
		request_free(r);
		if (cb.on_done)
			cb.on_done(&res, ctx);
		free(msg);
	}
	free(why);
}

static void
on_loaded(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct http_client *c = ctx;

	(void)revents;
	ev_io_del(l, fd);
	close(fd);
	c->loaded_fd = -1;
	launch_held(c);
}

/* While libcurl loads on the preload's thread, keep r's spec and launch it
 * when the load is over (on_loaded) rather than wait on the caller's thread,
 * a loop's. False when there is nothing to wait for (or no way to be told:
 * then the caller waits, as before). */
static bool
held_while_loading(struct http_client *c, struct http_request *r, const struct http_spec *spec)
{
	if (!c->held && (c->multi || !dl_preload_pending(&preload)))
		return false;
	if (c->loaded_fd < 0 && !c->held) {
		int fd = dl_preload_watch_fd(&preload);

		if (fd < 0)
			return false;
		if (ev_io_set(c->loop, fd, POLLIN, on_loaded, c) < 0) {
			close(fd);
			return false;
		}
		c->loaded_fd = fd;
	}
	hold(r, spec);
	r->prev = c->held_tail;
	if (c->held_tail)
		c->held_tail->next = r;
	else
		c->held = r;
	c->held_tail = r;
	return true;
}

int
http_start(struct http_request **out, struct http_client *c, const struct http_spec *spec,
           const struct http_callbacks *cb, void *ctx)
{
	struct http_request *r = request_new(c, spec, cb, ctx);

	*out = NULL;
	if (held_while_loading(c, r, spec)) {
		*out = r;
		return 0;
	}
	if (client_multi(c) < 0 || request_launch(r, spec) < 0) {
		request_free(r);
		return DH_EFAIL;
	}
	*out = r;
	return 0;
}

void
http_cancel(struct http_request *r)
{
	if (!r || r->cancelled)
		return;
	if (r->held) {
		held_drop(r);
		return;
	}
	if (r->client->depth > 0) {
		r->cancelled = true;
		r->client->reap = true;
		ev_timer_disarm(r->client->loop, &r->idle);
		return;
	}
	request_destroy(r);
}

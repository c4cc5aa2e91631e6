/* SPDX-License-Identifier: MIT */
/*
 * Egress policy: allowlist rules, the proxy request-head parser, address
 * classes, and the asynchronous check (allowlist → person → resolve on a
 * worker thread → address checks). Not the proxy's sockets (proxy.c) nor
 * the HTTP client of web_fetch.
 */
#include "sandbox/egress.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/worker.h"
#include "core/xalloc.h"

#define MAX_ADDRS 8
#define HOST_MAX  253

/*
 * Address classes
 */

static enum egress_addr_class
classify_v4(uint32_t a)
{
	static const struct {
		uint32_t net, mask;
		enum egress_addr_class c;
	} nets[] = {
		{ 0x00000000, 0xff000000, EGRESS_ADDR_UNSPECIFIED }, /* 0/8 "this network" */
		{ 0x7f000000, 0xff000000, EGRESS_ADDR_LOOPBACK },
		{ 0x0a000000, 0xff000000, EGRESS_ADDR_PRIVATE },
		{ 0xac100000, 0xfff00000, EGRESS_ADDR_PRIVATE },
		{ 0xc0a80000, 0xffff0000, EGRESS_ADDR_PRIVATE },
		{ 0xa9fe0000, 0xffff0000, EGRESS_ADDR_LINK_LOCAL }, /* incl. 169.254.169.254 */
		{ 0x64400000, 0xffc00000, EGRESS_ADDR_CGNAT },
		{ 0xe0000000, 0xf0000000, EGRESS_ADDR_MULTICAST },
		{ 0xf0000000, 0xf0000000, EGRESS_ADDR_RESERVED }, /* incl. 255.255.255.255 */
		{ 0xc0000000, 0xffffff00, EGRESS_ADDR_RESERVED }, /* 192.0.0/24 */
		{ 0xc0000200, 0xffffff00, EGRESS_ADDR_RESERVED }, /* TEST-NET-1 */
		{ 0xc6120000, 0xfffe0000, EGRESS_ADDR_RESERVED }, /* 198.18/15 */
		{ 0xc6336400, 0xffffff00, EGRESS_ADDR_RESERVED }, /* TEST-NET-2 */
		{ 0xcb007100, 0xffffff00, EGRESS_ADDR_RESERVED }, /* TEST-NET-3 */
	};

	for (size_t i = 0; i < sizeof nets / sizeof *nets; i++)
		if ((a & nets[i].mask) == nets[i].net)
			return nets[i].c;
	return EGRESS_ADDR_PUBLIC;
}

enum egress_addr_class
egress_addr_classify(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return classify_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return EGRESS_ADDR_RESERVED;

	const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const uint8_t zero[16] = { 0 };
	uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

	if (!memcmp(b, zero, 16))
		return EGRESS_ADDR_UNSPECIFIED;
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return EGRESS_ADDR_LOOPBACK;
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12))
		return classify_v4(v4);
	if (!memcmp(b, zero, 12)) /* IPv4-compatible (deprecated) */
		return classify_v4(v4) == EGRESS_ADDR_PUBLIC ? EGRESS_ADDR_RESERVED
		                                             : classify_v4(v4);
	if ((b[0] & 0xfe) == 0xfc)
		return EGRESS_ADDR_PRIVATE; /* fc00::/7 unique local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return EGRESS_ADDR_LINK_LOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return EGRESS_ADDR_PRIVATE; /* fec0::/10 site-local */
	if (b[0] == 0xff)
		return EGRESS_ADDR_MULTICAST;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return EGRESS_ADDR_RESERVED; /* 2001:db8::/32 documentation */
	if (b[0] == 0x20 && b[1] == 0x02)    /* 6to4: the embedded IPv4 decides */
		return classify_v4((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
		                   (uint32_t)b[4] << 8 | b[5]);
	if ((b[0] & 0xe0) != 0x20)
		return EGRESS_ADDR_RESERVED; /* outside 2000::/3 global unicast */
	return EGRESS_ADDR_PUBLIC;
}

const char *
egress_addr_class_name(enum egress_addr_class c)
{
	switch (c) {
	case EGRESS_ADDR_PUBLIC:
		return "public";
	case EGRESS_ADDR_LOOPBACK:
		return "loopback";
	case EGRESS_ADDR_PRIVATE:
		return "private";
	case EGRESS_ADDR_LINK_LOCAL:
		return "link-local";
	case EGRESS_ADDR_CGNAT:
		return "carrier-grade NAT";
	case EGRESS_ADDR_MULTICAST:
		return "multicast";
	case EGRESS_ADDR_UNSPECIFIED:
		return "unspecified";
	case EGRESS_ADDR_RESERVED:
		return "reserved";
	}
	return "reserved";
}

_Static_assert(EGRESS_ADDR_TEXT_MAX >= INET6_ADDRSTRLEN, "EGRESS_ADDR_TEXT_MAX");

char *
egress_addr_text(const struct sockaddr_storage *a, char out[EGRESS_ADDR_TEXT_MAX])
{
	out[0] = 0;
	if (a->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, out,
		          EGRESS_ADDR_TEXT_MAX);
	else if (a->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, out,
		          EGRESS_ADDR_TEXT_MAX);
	return out;
}

/*
 * Hosts and rules
 */

static bool
is_ipv6_literal(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

int
egress_host_normalize(char **out, const char *host, size_t n)
{
	*out = NULL;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		char *h = xstrndup(host + 1, n - 2);

		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!is_ipv6_literal(h)) {
			free(h);
			return err_setc(DH_EPARSE, "'%.*s' is not an IPv6 address", (int)n, host);
		}
		*out = h;
		return 0;
	}
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX)
		return err_setc(DH_EPARSE, "not a host name: '%.*s'", (int)(n > 80 ? 80 : n), host);
	char *h = xstrndup(host, n);

	if (is_ipv6_literal(h)) { /* bare, as in CONNECT ::1:443 would be ambiguous; allowed here */
		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		*out = h;
		return 0;
	}
	for (char *p = h; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isalnum(c) && c != '-' && c != '.' && c != '_') {
			free(h);
			return err_setc(DH_EPARSE, "not a host name: '%.*s'%s",
			                (int)(n > 80 ? 80 : n), host,
			                c >= 0x80 ? " (a name in another script is written as "
			                            "DNS has it: xn--…)"
			                          : "");
		}
		*p = (char)tolower(c);
	}
	if (h[0] == '.' || strstr(h, "..")) {
		free(h);
		return err_setc(DH_EPARSE, "not a host name: '%.*s'", (int)(n > 80 ? 80 : n), host);
	}
	*out = h;
	return 0;
}

/* Port text of n bytes: 1-65535, or -1. */
static int
parse_port(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

int
egress_rule_parse(struct egress_rule *out, const char *spec)
{
	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*spec))
		spec++;
	const char *end = spec + strcspn(spec, " \t");
	const char *rest = end;

	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest) {
		size_t wl = strcspn(rest, " \t");
		const char *after = rest + wl;

		while (isspace((unsigned char)*after))
			after++;
		if (wl != strlen("allow-private") || strncmp(rest, "allow-private", wl) != 0 ||
		    *after)
			return err_setc(DH_EPARSE,
			                "expected 'HOST[:PORT] [allow-private]', not '%s'", spec);
		out->allow_private = true;
	}
	if (end == spec)
		return err_setc(DH_EPARSE, "expected 'HOST[:PORT] [allow-private]'");
	if (memmem(spec, (size_t)(end - spec), "://", 3))
		return err_setc(DH_EPARSE, "'%.*s': expected HOST[:PORT], not a URL",
		                (int)(end - spec), spec);

	/* Split HOST and PORT: "[v6]:p", "[v6]", "name:p", "name". */
	const char *h = spec, *colon = NULL;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (!rb)
			return err_setc(DH_EPARSE, "'%.*s': unclosed '['", (int)(end - spec), spec);
		if (rb + 1 < end) {
			if (rb[1] != ':')
				return err_setc(DH_EPARSE, "'%.*s': expected ':' after ']'",
				                (int)(end - spec), spec);
			colon = rb + 1;
		}
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
	}
	const char *hend = colon ? colon : end;
	out->port = EGRESS_PORT_WEB;
	if (colon) {
		size_t pl = (size_t)(end - colon - 1);

		if (pl == 1 && colon[1] == '*')
			out->port = EGRESS_PORT_ANY;
		else if ((out->port = parse_port(colon + 1, pl)) < 0)
			return err_setc(DH_EPARSE, "'%.*s': the port must be 1-65535 or '*'",
			                (int)(end - spec), spec);
	}
	if (hend - h >= 2 && h[0] == '*' && h[1] == '.') {
		out->wildcard = true;
		h += 2;
	}
	if (egress_host_normalize(&out->host, h, (size_t)(hend - h)) < 0) {
		char *why = xstrdup(err_msg()); /* err_setc would format into its own buffer */
		int rc = err_setc(DH_EPARSE, "'%.*s': %s", (int)(end - spec), spec, why);

		free(why);
		return rc;
	}
	if (out->wildcard && strchr(out->host, ':')) {
		egress_rule_fini(out);
		return err_setc(DH_EPARSE, "'%.*s': a wildcard needs a host name",
		                (int)(end - spec), spec);
	}
	return 0;
}

void
egress_rule_fini(struct egress_rule *r)
{
	free(r->host);
	r->host = NULL;
}

bool
egress_rule_match(const struct egress_rule *r, const char *host, int port)
{
	if (r->port == EGRESS_PORT_WEB && port != 80 && port != 443)
		return false;
	if (r->port > 0 && r->port != port)
		return false;
	if (!r->wildcard)
		return strcmp(r->host, host) == 0;
	size_t hl = strlen(host), rl = strlen(r->host);

	/* Subdomains only: "*.example.com" matches a.example.com, not example.com
	 * nor badexample.com. */
	return hl > rl + 1 && host[hl - rl - 1] == '.' && strcmp(host + hl - rl, r->host) == 0;
}

/*
 * Proxy request heads
 */

size_t
egress_head_len(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i == 0 || p[i - 1] != '\r')
			return i + 1; /* a bare LF: complete, to be refused */
		if (i >= 3 && p[i - 2] == '\n' && p[i - 3] == '\r')
			return i + 1;
	}
	return 0;
}

void
egress_request_fini(struct egress_request *r)
{
	free(r->host);
	free(r->forward);
	memset(r, 0, sizeof *r);
}

/* Split an authority "host[:port]" of n bytes; default_port when none. */
static int
parse_authority(struct egress_request *out, const char *a, size_t n, int default_port)
{
	const char *colon = NULL;

	if (memchr(a, '@', n))
		return err_setc(DH_EPARSE, "user information in the target is not accepted");
	if (n > 0 && a[0] == '[') {
		const char *rb = memchr(a, ']', n);

		if (!rb)
			return err_setc(DH_EPARSE, "bad IPv6 literal in the target");
		if (rb + 1 < a + n) {
			if (rb[1] != ':')
				return err_setc(DH_EPARSE, "bad target");
			colon = rb + 1;
		}
	} else {
		colon = memrchr(a, ':', n);
	}
	out->port = default_port;
	if (colon && (out->port = parse_port(colon + 1, (size_t)(a + n - colon - 1))) < 0)
		return err_setc(DH_EPARSE, "bad port in the target");
	if (out->port == 0)
		return err_setc(DH_EPARSE, "CONNECT needs host:port");
	return egress_host_normalize(&out->host, a, (size_t)((colon ? colon : a + n) - a));
}

static bool
header_is(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

/* Is the Content-Length value v[0..n) zero: blanks, one or more '0', blanks
 * (RFC 9110 §8.6)? "01" or "0?" is a body. */
static bool
zero_length(const char *v, size_t n)
{
	size_t i = 0, zeros = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (; i < n && v[i] == '0'; i++)
		zeros++;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return zeros > 0 && i == n;
}

int
egress_request_parse(struct egress_request *out, const char *p, size_t n)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return err_setc(DH_EPARSE, "a line of the request head ends in LF without CR");
	const char *eol = memmem(p, n, "\r\n", 2);

	if (!eol)
		return err_setc(DH_EPARSE, "no request line");
	/* METHOD SP TARGET SP HTTP/1.x */
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;

	if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1 || (size_t)(sp1 - p) >= sizeof out->method ||
	    (size_t)(eol - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return err_setc(DH_EPARSE, "malformed request line");
	memcpy(out->method, p, (size_t)(sp1 - p));
	for (const char *q = p; q < eol; q++)
		if ((unsigned char)*q < 0x21 && *q != ' ')
			return err_setc(DH_EPARSE, "control character in the request line");

	const char *t = sp1 + 1;
	size_t tl = (size_t)(sp2 - t);
	int rc;

	if (!strcmp(out->method, "CONNECT")) {
		out->connect = true;
		return parse_authority(out, t, tl, 0);
	}
	bool get = !strcmp(out->method, "GET") || !strcmp(out->method, "HEAD");

	if (tl >= 8 && !strncasecmp(t, "https://", 8))
		return err_setc(DH_EPARSE, "https:// URLs go through CONNECT");
	if (tl < 7 || strncasecmp(t, "http://", 7) != 0)
		return err_setc(get ? DH_EPARSE : DH_EDENIED,
		                "only CONNECT and absolute-form http:// GET requests are served");
	const char *auth = t + 7, *tend = t + tl;
	const char *path = auth + strcspn(auth, "/?#");

	if (path > tend)
		path = tend;
	if ((rc = parse_authority(out, auth, (size_t)(path - auth), 80)) < 0)
		return rc;
	if (!get)
		return err_setc(DH_EDENIED, "method %s is not served (only GET, HEAD and CONNECT)",
		                out->method);

	/* The head to forward: origin-form request line, our Host, no proxy or
	 * connection headers, no body, one request per connection. A fragment
	 * is the client's own and never sent (RFC 9110 §4.2.5). */
	struct buf f = BUF_INIT;
	const char *frag = memchr(path, '#', (size_t)(tend - path));

	if (frag)
		tend = frag;

	buf_printf(&f, "%s %s%.*s HTTP/1.1\r\n", out->method,
	           path < tend && *path == '/' ? "" : "/", (int)(tend - path), path);
	if (strchr(out->host, ':'))
		buf_printf(&f, "Host: [%s]", out->host);
	else
		buf_printf(&f, "Host: %s", out->host);
	if (out->port != 80)
		buf_printf(&f, ":%d", out->port);
	buf_puts(&f, "\r\n");
	for (const char *line = eol + 2; line < p + n;) {
		const char *le = memmem(line, (size_t)(p + n - line), "\r\n", 2);

		if (!le || le == line)
			break;
		size_t ll = (size_t)(le - line);

		const char *colon = memchr(line, ':', ll);

		/* No whitespace in or after the name (RFC 9112 §5.1: a server must
		 * reject it), else "Content-Length : 5" would pass unseen. */
		if (!colon || colon == line || memchr(line, '\n', ll) || memchr(line, '\r', ll) ||
		    memchr(line, ' ', (size_t)(colon - line)) ||
		    memchr(line, '\t', (size_t)(colon - line))) {
			buf_fini(&f);
			return err_setc(DH_EPARSE, "malformed header line");
		}
		if (header_is(line, ll, "content-length") ||
		    header_is(line, ll, "transfer-encoding")) {
			if (!header_is(line, ll, "content-length") ||
			    !zero_length(colon + 1, (size_t)(le - colon - 1))) {
				buf_fini(&f);
				return err_setc(DH_EPARSE, "a %s request cannot have a body",
				                out->method);
			}
		}
		if (!header_is(line, ll, "host") && !header_is(line, ll, "proxy-connection") &&
		    !header_is(line, ll, "proxy-authorization") &&
		    !header_is(line, ll, "connection") && !header_is(line, ll, "keep-alive")) {
			buf_add(&f, line, ll);
			buf_puts(&f, "\r\n");
		}
		line = le + 2;
	}
	buf_puts(&f, "Connection: close\r\n\r\n");
	out->forward_len = f.len;
	out->forward = buf_detach(&f);
	return 0;
}

/*
 * The policy object
 */

struct question {
	char id[32];
	char *host;
	int port;
	const char *source;
	unsigned waiters;
	struct question *next;
};

enum check_state {
	CHECK_ASKING,
	CHECK_RESOLVING,
	CHECK_DONE
};

struct resolve_job {
	struct egress *eg;
	struct egress_check *chk; /* NULL once the check was cancelled */
	char *host;
	int gai;
	struct sockaddr_storage addrs[MAX_ADDRS];
	size_t naddrs;
	struct resolve_job *next; /* eg->jobs */
};

struct egress_check {
	struct egress *eg;
	char *host;
	int port;
	const char *source;
	const struct egress_rule *rule; /* NULL: approved by the person */
	bool allow_private;
	enum check_state state;
	struct question *q;
	struct resolve_job *job;
	struct ev_timer timer; /* delivers a decision on the next iteration */
	bool allowed;
	char *reason;
	struct sockaddr_storage addrs[MAX_ADDRS];
	size_t naddrs;
	egress_done_fn *done;
	void *ctx;
	struct egress_check *prev, *next; /* eg->checks */
};

struct session_entry {
	char *host;
	int port;
	bool allowed;
};

struct egress {
	struct ev_loop *loop;
	ARRAY(struct egress_rule) rules;
	ARRAY(struct session_entry) session; /* the person's answers */
	struct egress_hooks hooks;
	void *hooks_ctx;
	struct worker *resolver;  /* started on the first lookup */
	struct resolve_job *jobs; /* posted, not yet completed */
	struct question *questions;
	unsigned next_question;
	struct egress_check *checks;
	char *locked; /* "FILE:LINE" of the managed policy's lock, or NULL */
};

int
egress_new(struct egress **out, struct ev_loop *l)
{
	struct egress *eg = xcalloc(1, sizeof *eg);

	eg->loop = l;
	*out = eg;
	return 0;
}

static void check_free(struct egress_check *c);

void
egress_free(struct egress *eg)
{
	if (!eg)
		return;
	while (eg->checks)
		check_free(eg->checks);
	worker_free(eg->resolver); /* runs queued lookups; their done callbacks are not called */
	for (struct resolve_job *j = eg->jobs, *next; j; j = next) {
		next = j->next;
		free(j->host);
		free(j);
	}
	for (struct question *q = eg->questions, *next; q; q = next) {
		next = q->next;
		free(q->host);
		free(q);
	}
	for (size_t i = 0; i < eg->rules.n; i++)
		egress_rule_fini(&eg->rules.v[i]);
	ARRAY_FREE(&eg->rules);
	for (size_t i = 0; i < eg->session.n; i++)
		free(eg->session.v[i].host);
	ARRAY_FREE(&eg->session);
	free(eg->locked);
	free(eg);
}

/* egress_rule_parse() with the error prefixed "WHERE: allow egress: ". */
static int
parse_at(struct egress_rule *out, const char *spec, const char *where)
{
	if (egress_rule_parse(out, spec) < 0) {
		char *why = xstrdup(err_msg());
		int rc = err_setc(DH_EPARSE, "%s: allow egress: %s", where, why);

		free(why);
		return rc;
	}
	return 0;
}

int
egress_rule_check(const char *spec, const char *where)
{
	struct egress_rule r;
	int rc = parse_at(&r, spec, where);

	if (rc == 0)
		egress_rule_fini(&r);
	return rc;
}

int
egress_allow(struct egress *eg, const char *spec, const char *where)
{
	struct egress_rule r;
	int rc = parse_at(&r, spec, where);

	if (rc == 0)
		ARRAY_PUSH(&eg->rules, r);
	return rc;
}

void
egress_set_locked(struct egress *eg, const char *where)
{
	free(eg->locked);
	eg->locked = xstrdup(where);
}

size_t
egress_rule_count(const struct egress *eg)
{
	return eg->rules.n + eg->session.n;
}

void
egress_set_hooks(struct egress *eg, const struct egress_hooks *h, void *ctx)
{
	eg->hooks = *h;
	eg->hooks_ctx = ctx;
}

static void
decided(struct egress *eg, const char *host, int port, bool allowed, const char *reason,
        const struct sockaddr_storage *addr, const char *source)
{
	char a[EGRESS_ADDR_TEXT_MAX] = "";

	if (addr)
		egress_addr_text(addr, a);
	struct egress_decision d = {
		.host = host,
		.port = port,
		.allowed = allowed,
		.reason = reason,
		.address = a[0] ? a : NULL,
		.source = source,
	};

	if (eg->hooks.decided)
		eg->hooks.decided(&d, eg->hooks_ctx);
}

void
egress_report(struct egress *eg, const char *host, int port, const char *reason, const char *source)
{
	decided(eg, host, port, false, reason, NULL, source);
}

static void
question_release(struct egress *eg, struct question *q, bool withdraw)
{
	if (--q->waiters > 0)
		return;
	for (struct question **pp = &eg->questions; *pp; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	if (withdraw && eg->hooks.withdrawn)
		eg->hooks.withdrawn(q->id, eg->hooks_ctx);
	free(q->host);
	free(q);
}

static void
check_free(struct egress_check *c)
{
	struct egress *eg = c->eg;

	ev_timer_disarm(eg->loop, &c->timer);
	if (c->job)
		c->job->chk = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		eg->checks = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->q)
		question_release(eg, c->q, true);
	free(c->host);
	free(c->reason);
	free(c);
}

void
egress_check_cancel(struct egress_check *c)
{
	if (c)
		check_free(c);
}

/* Decide now; deliver on the next loop iteration. */
static void
conclude(struct egress_check *c, bool allowed, char *reason)
{
	free(c->reason);
	c->reason = reason;
	c->allowed = allowed;
	c->state = CHECK_DONE;
	decided(c->eg, c->host, c->port, allowed, reason, allowed ? &c->addrs[0] : NULL, c->source);
	ev_timer_arm(c->eg->loop, &c->timer, 0);
}

static void
on_deliver(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct egress_check *c = ctx;
	struct egress_result res = {
		.allowed = c->allowed,
		.reason = c->reason,
		.addrs = c->allowed ? c->addrs : NULL,
		.naddrs = c->allowed ? c->naddrs : 0,
	};

	(void)l;
	(void)t;
	c->done(&res, c->ctx);
	check_free(c);
}

static char *
show(const struct egress_check *c)
{
	return strchr(c->host, ':') ? xasprintf("[%s]:%d", c->host, c->port)
	                            : xasprintf("%s:%d", c->host, c->port);
}

/* Every address must be public unless the rule says allow-private. */
static void
check_addresses(struct egress_check *c, bool literal)
{
	char *hp = show(c);

	for (size_t i = 0; i < c->naddrs; i++) {
		enum egress_addr_class k = egress_addr_classify((struct sockaddr *)&c->addrs[i]);
		char a[EGRESS_ADDR_TEXT_MAX];

		if (k == EGRESS_ADDR_PUBLIC || c->allow_private)
			continue;
		egress_addr_text(&c->addrs[i], a);
		char *why =
			literal ? xasprintf("%s is a %s address (only `allow egress %s "
		                            "allow-private` reaches it)",
		                            a, egress_addr_class_name(k), hp)
				: xasprintf("%s resolves to %s address %s (only `allow egress %s "
		                            "allow-private` reaches it)",
		                            c->host, egress_addr_class_name(k), a, hp);
		free(hp);
		conclude(c, false, why);
		return;
	}
	char *why;
	/* The rule as written: an IPv6 literal in brackets, else "::1:8080"
	 * would read as the address ::1:8080. */
	bool v6 = c->rule && strchr(c->rule->host, ':');

	if (c->rule && c->rule->port > 0)
		why = xasprintf("allowlisted (%s%s%s%s:%d)", c->rule->wildcard ? "*." : "",
		                v6 ? "[" : "", c->rule->host, v6 ? "]" : "", c->rule->port);
	else if (c->rule)
		why = xasprintf("allowlisted (%s%s%s%s%s)", c->rule->wildcard ? "*." : "",
		                v6 ? "[" : "", c->rule->host, v6 ? "]" : "",
		                c->rule->port == EGRESS_PORT_ANY ? ":*" : "");
	else
		why = xasprintf("approved for this session (%s)", hp);
	free(hp);
	conclude(c, true, why);
}

static int
resolve_run(void *ctx)
{
	struct resolve_job *j = ctx;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;

	j->gai = getaddrinfo(j->host, NULL, &hints, &res);
	for (struct addrinfo *ai = res; ai && j->naddrs < MAX_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof j->addrs[0])
			continue;
		bool dup = false;

		for (size_t i = 0; i < j->naddrs; i++)
			dup |= !memcmp(&j->addrs[i], ai->ai_addr, ai->ai_addrlen);
		if (!dup) {
			memset(&j->addrs[j->naddrs], 0, sizeof j->addrs[0]);
			memcpy(&j->addrs[j->naddrs++], ai->ai_addr, ai->ai_addrlen);
		}
	}
	if (res)
		freeaddrinfo(res);
	return 0;
}

static void
set_port(struct sockaddr_storage *a, int port)
{
	if (a->ss_family == AF_INET)
		((struct sockaddr_in *)a)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)a)->sin6_port = htons((uint16_t)port);
}

static void
resolve_done(int rc, const char *msg, void *ctx)
{
	struct resolve_job *j = ctx;
	struct egress_check *c = j->chk;
	struct egress *eg = j->eg;

	(void)rc;
	(void)msg;
	for (struct resolve_job **pp = &eg->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	if (c) {
		c->job = NULL;
		if (j->gai != 0 || j->naddrs == 0) {
			conclude(c, false,
			         xasprintf("%s does not resolve: %s", c->host,
			                   j->gai ? gai_strerror(j->gai) : "no address"));
		} else {
			memcpy(c->addrs, j->addrs, sizeof c->addrs);
			c->naddrs = j->naddrs;
			for (size_t i = 0; i < c->naddrs; i++)
				set_port(&c->addrs[i], c->port);
			check_addresses(c, false);
		}
	}
	free(j->host);
	free(j);
}

/* Allowed by a rule or the person: the addresses next. */
static void
resolve(struct egress_check *c)
{
	struct egress *eg = c->eg;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&c->addrs[0];
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&c->addrs[0];

	memset(&c->addrs[0], 0, sizeof c->addrs[0]);
	if (inet_pton(AF_INET, c->host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, c->host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
	} else {
		struct resolve_job *j = xcalloc(1, sizeof *j);

		if (!eg->resolver && worker_new(&eg->resolver, eg->loop) < 0) {
			free(j);
			conclude(c, false, xasprintf("cannot resolve %s: %s", c->host, err_msg()));
			return;
		}
		j->eg = eg;
		j->chk = c;
		j->host = xstrdup(c->host);
		j->next = eg->jobs;
		eg->jobs = j;
		c->job = j;
		c->state = CHECK_RESOLVING;
		worker_post(eg->resolver, resolve_run, resolve_done, j);
		return;
	}
	c->naddrs = 1;
	set_port(&c->addrs[0], c->port);
	check_addresses(c, true);
}

static const struct egress_rule *
match_rule(const struct egress *eg, const char *host, int port)
{
	for (size_t i = 0; i < eg->rules.n; i++)
		if (egress_rule_match(&eg->rules.v[i], host, port))
			return &eg->rules.v[i];
	return NULL;
}

static const struct session_entry *
match_session(const struct egress *eg, const char *host, int port)
{
	for (size_t i = 0; i < eg->session.n; i++)
		if (eg->session.v[i].port == port && !strcmp(eg->session.v[i].host, host))
			return &eg->session.v[i];
	return NULL;
}

void
egress_check_start(struct egress_check **out, struct egress *eg, const char *host, int port,
                   const char *source, egress_done_fn *done, void *ctx)
{
	struct egress_check *c = xcalloc(1, sizeof *c);

	c->eg = eg;
	c->port = port;
	c->source = source;
	c->done = done;
	c->ctx = ctx;
	ev_timer_init(&c->timer, on_deliver, c);
	c->next = eg->checks;
	if (eg->checks)
		eg->checks->prev = c;
	eg->checks = c;
	*out = c;

	if (egress_host_normalize(&c->host, host, strlen(host)) < 0) {
		c->host = xstrdup(host);
		conclude(c, false, xstrdup(err_msg()));
		return;
	}
	if (port < 1 || port > 65535) {
		conclude(c, false, xasprintf("bad port %d", port));
		return;
	}
	if ((c->rule = match_rule(eg, c->host, port))) {
		c->allow_private = c->rule->allow_private;
		resolve(c);
		return;
	}
	const struct session_entry *s = match_session(eg, c->host, port);

	if (s && s->allowed) {
		resolve(c);
		return;
	}
	if (s) {
		conclude(c, false,
		         xstrdup("not on the egress allowlist, and the person denied it "
		                 "earlier in this session"));
		return;
	}
	if (eg->locked) {
		conclude(c, false, xasprintf("not on the egress allowlist, which the managed "
					     "policy locks (%s)", eg->locked));
		return;
	}
	/* One question per host:port; later requests wait for the same answer. */
	for (struct question *q = eg->questions; q; q = q->next) {
		if (q->port == port && !strcmp(q->host, c->host)) {
			q->waiters++;
			c->q = q;
			c->state = CHECK_ASKING;
			return;
		}
	}
	struct question *q = xcalloc(1, sizeof *q);

	snprintf(q->id, sizeof q->id, "egress-%u", ++eg->next_question);
	q->host = xstrdup(c->host);
	q->port = port;
	q->source = source;
	q->waiters = 1;
	if (!eg->hooks.ask || !eg->hooks.ask(q->id, q->host, port, source, eg->hooks_ctx)) {
		free(q->host);
		free(q);
		conclude(c, false, xstrdup("not on the egress allowlist"));
		return;
	}
	q->next = eg->questions;
	eg->questions = q;
	c->q = q;
	c->state = CHECK_ASKING;
}

static struct question *
find_question(const struct egress *eg, const char *id)
{
	struct question *oldest = NULL;

	for (struct question *q = eg->questions; q; q = q->next) {
		if (id && !strcmp(q->id, id))
			return q;
		oldest = q; /* new questions are pushed at the head */
	}
	return id ? NULL : oldest;
}

const char *
egress_question(const struct egress *eg, const char *id)
{
	const struct question *q = find_question(eg, id);

	return q ? q->id : NULL;
}

int
egress_answer(struct egress *eg, const char *id, bool approve)
{
	struct question *q = find_question(eg, id);

	if (!q)
		return DH_ENOTFOUND;
	ARRAY_PUSH(&eg->session, (struct session_entry){ xstrdup(q->host), q->port, approve });

	/* Every check waiting on q continues; the last release frees q. */
	q->waiters++; /* keep it alive while iterating */
	for (struct egress_check *c = eg->checks, *next; c; c = next) {
		next = c->next;
		if (c->q != q || c->state != CHECK_ASKING)
			continue;
		c->q = NULL;
		question_release(eg, q, false);
		if (approve)
			resolve(c);
		else
			conclude(c, false,
			         xstrdup("not on the egress allowlist; the person denied it"));
	}
	question_release(eg, q, false);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* The egress policy's pure parts: proxy request heads, address classes,
 * allowlist rules; and one check through the loop with IP literals. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/ev.h"
#include "sandbox/egress.h"

/*
 * Request heads
 */

static int
parse(struct egress_request *r, const char *head)
{
	cr_assert_eq(egress_head_len(head, strlen(head)), strlen(head), "head: %s", head);
	return egress_request_parse(r, head, strlen(head));
}

Test(egress, head_len)
{
	cr_assert_eq(egress_head_len("GET http://a/ HTTP/1.1\r\nHost: a\r\n", 33), 0);
	cr_assert_eq(egress_head_len("GET http://a/ HTTP/1.1\r\n\r\nXYZ", 29), 26);
}

/* A head whose lines end in a bare LF is complete at the first such LF, and
 * refused saying why: it used to wait for CRLF CRLF, 30 s, then answer 408. */
Test(egress, bare_lf_refused_at_once)
{
	static const char *const heads[] = {
		"GET http://a/ HTTP/1.1\nHost: a\n\n",
		"GET http://a/ HTTP/1.1\r\nHost: a\n\n",
		"GET http://a/ HTTP/1.1\r\nHost: a\r\n\n",
		"\n",
	};
	static const size_t lens[] = { 23, 32, 34, 1 };
	struct egress_request r;

	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		cr_assert_eq(egress_head_len(heads[i], strlen(heads[i])), lens[i], "head %zu", i);
		cr_assert_eq(egress_request_parse(&r, heads[i], lens[i]), DH_EPARSE, "head %zu", i);
		cr_assert_str_eq(err_msg(), "a line of the request head ends in LF without CR");
		egress_request_fini(&r);
	}
}

Test(egress, connect)
{
	struct egress_request r;

	cr_assert_eq(parse(&r, "CONNECT Example.COM:443 HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	cr_assert(r.connect);
	cr_assert_str_eq(r.host, "example.com");
	cr_assert_eq(r.port, 443);
	cr_assert_null(r.forward);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "CONNECT [::1]:8443 HTTP/1.1\r\n\r\n"), 0);
	cr_assert_str_eq(r.host, "::1");
	cr_assert_eq(r.port, 8443);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "CONNECT example.com HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "CONNECT example.com:0 HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "CONNECT user@example.com:443 HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "CONNECT exa$mple.com:443 HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
}

Test(egress, absolute_get_is_rewritten)
{
	struct egress_request r;

	cr_assert_eq(parse(&r, "GET http://Example.com:8080/a/b?c=1 HTTP/1.1\r\n"
	                       "Host: evil.example\r\nProxy-Connection: Keep-Alive\r\n"
	                       "Proxy-Authorization: x\r\nAccept: */*\r\n\r\n"),
	             0);
	cr_assert_not(r.connect);
	cr_assert_str_eq(r.host, "example.com");
	cr_assert_eq(r.port, 8080);
	cr_assert_str_eq(r.forward, "GET /a/b?c=1 HTTP/1.1\r\nHost: example.com:8080\r\n"
	                            "Accept: */*\r\nConnection: close\r\n\r\n");
	cr_assert_eq(r.forward_len, strlen(r.forward));
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "HEAD http://[2001:db8::1] HTTP/1.0\r\n\r\n"), 0);
	cr_assert_str_eq(r.host, "2001:db8::1");
	cr_assert_eq(r.port, 80);
	cr_assert_str_eq(r.forward,
	                 "HEAD / HTTP/1.1\r\nHost: [2001:db8::1]\r\nConnection: close\r\n\r\n");
	egress_request_fini(&r);
}

/* A URL's fragment was forwarded in the request line; it is the client's
 * alone (RFC 9110 §4.2.5). */
Test(egress, fragment_not_forwarded)
{
	struct egress_request r;

	cr_assert_eq(parse(&r, "GET http://example.com/a?b=1#part HTTP/1.1\r\n\r\n"), 0);
	cr_assert_str_eq(r.forward,
	                 "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com#top HTTP/1.1\r\n\r\n"), 0);
	cr_assert_str_eq(r.host, "example.com");
	cr_assert_str_eq(r.forward,
	                 "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
	egress_request_fini(&r);
}

/* Found by tests/fuzz/fuzz_proxy: a blank before the colon hid a header
 * from the checks (RFC 9112 §5.1: reject it). */
Test(egress, header_name_with_blank_refused)
{
	struct egress_request r;

	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nContent-Length : 5\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nHost\t: evil\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nno colon\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
}

Test(egress, refused_requests)
{
	struct egress_request r;

	/* any other method: 405, but the host is known for the event */
	cr_assert_eq(parse(&r, "POST http://evil.example/x HTTP/1.1\r\nContent-Length: 3\r\n\r\n"),
	             DH_EDENIED);
	cr_assert_str_eq(r.host, "evil.example");
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET https://example.com/ HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET /origin-form HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://u:p@example.com/ HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(
		parse(&r, "GET http://example.com/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
		DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nContent-Length: 5\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
	/* Found by tests/fuzz/fuzz_proxy: only a zero length is no body. */
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nContent-Length: 0?\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nContent-Length: 01\r\n\r\n"),
	             DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/1.1\r\nContent-Length: 00 \r\n\r\n"),
	             0);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/ HTTP/2.0\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "GET http://example.com/\x01 HTTP/1.1\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
	cr_assert_eq(parse(&r, "garbage\r\n\r\n"), DH_EPARSE);
	egress_request_fini(&r);
}

/*
 * Address classes
 */

static enum egress_addr_class
cls(const char *a)
{
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, a, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, a, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		cr_assert_fail("bad address %s", a);
	return egress_addr_classify((struct sockaddr *)&ss);
}

Test(egress, ipv4_classes)
{
	cr_assert_eq(cls("8.8.8.8"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("127.0.0.1"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("127.255.0.9"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("10.1.2.3"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("172.15.255.255"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("172.16.0.1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("172.31.255.255"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("172.32.0.1"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("192.168.1.1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("169.254.169.254"), EGRESS_ADDR_LINK_LOCAL);
	cr_assert_eq(cls("100.64.0.1"), EGRESS_ADDR_CGNAT);
	cr_assert_eq(cls("100.127.255.255"), EGRESS_ADDR_CGNAT);
	cr_assert_eq(cls("100.128.0.1"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("224.0.0.1"), EGRESS_ADDR_MULTICAST);
	cr_assert_eq(cls("0.0.0.0"), EGRESS_ADDR_UNSPECIFIED);
	cr_assert_eq(cls("255.255.255.255"), EGRESS_ADDR_RESERVED);
	cr_assert_str_eq(egress_addr_class_name(EGRESS_ADDR_LINK_LOCAL), "link-local");
}

Test(egress, ipv6_classes)
{
	cr_assert_eq(cls("2606:4700::1111"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("::1"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("::"), EGRESS_ADDR_UNSPECIFIED);
	cr_assert_eq(cls("fc00::1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("fd12:3456::1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("fe80::1"), EGRESS_ADDR_LINK_LOCAL);
	cr_assert_eq(cls("ff02::1"), EGRESS_ADDR_MULTICAST);
	/* IPv4-mapped, NAT64 and 6to4 carry the IPv4 address's class */
	cr_assert_eq(cls("::ffff:127.0.0.1"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("::ffff:10.0.0.1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("::ffff:169.254.169.254"), EGRESS_ADDR_LINK_LOCAL);
	cr_assert_eq(cls("::ffff:8.8.8.8"), EGRESS_ADDR_PUBLIC);
	cr_assert_eq(cls("64:ff9b::7f00:1"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("2002:c0a8:0101::1"), EGRESS_ADDR_PRIVATE);
	cr_assert_eq(cls("::127.0.0.1"), EGRESS_ADDR_LOOPBACK);
	cr_assert_eq(cls("2001:db8::1"), EGRESS_ADDR_RESERVED);
}

/*
 * Rules
 */

static bool
match(const char *spec, const char *host, int port)
{
	struct egress_rule r;

	cr_assert_eq(egress_rule_parse(&r, spec), 0, "%s: %s", spec, err_msg());
	bool m = egress_rule_match(&r, host, port);

	egress_rule_fini(&r);
	return m;
}

Test(egress, rules_match_hosts_and_ports)
{
	cr_assert(match("example.com", "example.com", 443));
	cr_assert(match("example.com", "example.com", 80));
	cr_assert_not(match("example.com", "example.com", 8080));
	cr_assert_not(match("example.com", "www.example.com", 443));
	cr_assert(match("EXAMPLE.com.", "example.com", 443));
	cr_assert(match("example.com:8080", "example.com", 8080));
	cr_assert_not(match("example.com:8080", "example.com", 443));
	cr_assert(match("example.com:*", "example.com", 22));
	/* wildcards: subdomains only */
	cr_assert(match("*.example.com:443", "a.example.com", 443));
	cr_assert(match("*.example.com:443", "b.a.example.com", 443));
	cr_assert_not(match("*.example.com:443", "example.com", 443));
	cr_assert_not(match("*.example.com:443", "badexample.com", 443));
	cr_assert_not(match("*.example.com:443", "a.example.com.evil.org", 443));
	/* IP literals are matched literally */
	cr_assert(match("127.0.0.1:8080 allow-private", "127.0.0.1", 8080));
	cr_assert_not(match("127.0.0.1:8080", "127.0.0.2", 8080));
	cr_assert(match("[::1]:80", "::1", 80));
}

Test(egress, rule_syntax)
{
	struct egress_rule r;

	cr_assert_eq(egress_rule_parse(&r, "  db.internal:5432   allow-private "), 0);
	cr_assert_str_eq(r.host, "db.internal");
	cr_assert_eq(r.port, 5432);
	cr_assert(r.allow_private);
	cr_assert_not(r.wildcard);
	egress_rule_fini(&r);
	cr_assert_eq(egress_rule_parse(&r, "*.Example.org"), 0);
	cr_assert(r.wildcard);
	cr_assert_str_eq(r.host, "example.org");
	cr_assert_eq(r.port, EGRESS_PORT_WEB);
	cr_assert_not(r.allow_private);
	egress_rule_fini(&r);
	static const char *const bad[] = {
		"",
		"example.com:0",
		"example.com:65536",
		"example.com:http",
		"exa mple.com",
		"example.com allow-public",
		"*.[::1]:80",
		"[::1",
		"[::1]80",
		"a..b",
		"ex/ample",
		"example.com allow-private extra",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_eq(egress_rule_parse(&r, bad[i]), DH_EPARSE, "accepted '%s'", bad[i]);
}

/*
 * A check through the loop (IP literals: no DNS)
 */

struct outcome {
	bool called, allowed;
	char reason[256];
	size_t naddrs;
};

static void
on_done(const struct egress_result *res, void *ctx)
{
	struct outcome *o = ctx;

	o->called = true;
	o->allowed = res->allowed;
	snprintf(o->reason, sizeof o->reason, "%s", res->reason);
	o->naddrs = res->naddrs;
}

static int ndecided;

static void
on_decided(const struct egress_decision *d, void *ctx)
{
	(void)d;
	(void)ctx;
	ndecided++;
}

static void
run_check(struct ev_loop *l, struct egress *eg, const char *host, int port, struct outcome *o)
{
	struct egress_check *c;

	memset(o, 0, sizeof *o);
	egress_check_start(&c, eg, host, port, "test", on_done, o);
	cr_assert_not(o->called, "done must not run inside start");
	for (int i = 0; i < 50 && !o->called; i++)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert(o->called);
}

Test(egress, checks_with_literals)
{
	struct ev_loop *l;
	struct egress *eg;
	struct outcome o;
	static const struct egress_hooks hooks = { .decided = on_decided };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(egress_new(&eg, l), 0);
	egress_set_hooks(eg, &hooks, NULL);
	cr_assert_eq(egress_allow(eg, "127.0.0.1:9 allow-private", "t:1"), 0);
	cr_assert_eq(egress_allow(eg, "10.0.0.1:9", "t:2"), 0);
	cr_assert_eq(egress_allow(eg, "[::ffff:127.0.0.1]:9", "t:3"), 0);
	cr_assert_eq(egress_allow(eg, "nope nope", "cfg:7"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "cfg:7: allow egress:"), "%s", err_msg());

	run_check(l, eg, "127.0.0.1", 9, &o);
	cr_assert(o.allowed, "%s", o.reason);
	cr_assert_eq(o.naddrs, 1);
	run_check(l, eg, "10.0.0.1", 9, &o);
	cr_assert_not(o.allowed);
	cr_assert(strstr(o.reason, "10.0.0.1 is a private address"), "%s", o.reason);
	run_check(l, eg, "[::ffff:127.0.0.1]", 9, &o);
	cr_assert_not(o.allowed);
	cr_assert(strstr(o.reason, "loopback"), "%s", o.reason);
	run_check(l, eg, "127.0.0.1", 10, &o); /* no ask hook: refused */
	cr_assert_not(o.allowed);
	cr_assert_str_eq(o.reason, "not on the egress allowlist");
	cr_assert_eq(ndecided, 4);

	/* a cancelled check never calls back */
	struct egress_check *c;

	memset(&o, 0, sizeof o);
	egress_check_start(&c, eg, "127.0.0.1", 9, "test", on_done, &o);
	egress_check_cancel(c);
	cr_assert_eq(ev_run_once(l, 10), 0);
	cr_assert_not(o.called);
	egress_free(eg);
	ev_free(l);
}

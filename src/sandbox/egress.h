/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_EGRESS_H
#define DH_SANDBOX_EGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/err.h"

/*
 * Egress policy (DESIGN.md "Sandbox model", SANDBOX.md §4.6): the allowlist
 * of HOST[:PORT] rules, the per-session answers of the person, host-side DNS
 * resolution (on a worker thread, never on the loop) and the address checks
 * that follow it. One decision path for the sandbox's proxy (proxy.h) and
 * for web_fetch. Every decision is reported through the hooks as one
 * `egress` event. Deny by default: an empty allowlist reaches nothing.
 *
 * The pure parts (rule syntax and matching, address classes, the proxy's
 * request-head parser) are exported for the unit tests.
 */

struct ev_loop;
struct egress;
struct egress_check;

/*
 * Pure parts
 */

enum egress_addr_class {
	EGRESS_ADDR_PUBLIC = 0,
	EGRESS_ADDR_LOOPBACK,    /* 127/8, ::1 */
	EGRESS_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
	EGRESS_ADDR_LINK_LOCAL,  /* 169.254/16 (cloud metadata), fe80::/10 */
	EGRESS_ADDR_CGNAT,       /* 100.64/10 */
	EGRESS_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
	EGRESS_ADDR_UNSPECIFIED, /* 0/8, :: */
	EGRESS_ADDR_RESERVED,    /* 240/4, broadcast, 192.0.0/24, 198.18/15, docs, other v6 */
};

/* Class of an AF_INET or AF_INET6 address; IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible and NAT64 (64:ff9b::/96) IPv6 addresses are classified by
 * their embedded IPv4 address. Other families: EGRESS_ADDR_RESERVED. */
enum egress_addr_class egress_addr_classify(const struct sockaddr *sa);
/* "public", "loopback", "private", "link-local", "carrier-grade NAT",
 * "multicast", "unspecified", "reserved". Static. */
const char *egress_addr_class_name(enum egress_addr_class c);
/* The numeric text of an AF_INET or AF_INET6 address ("192.0.2.1",
 * "2001:db8::1", no brackets, no port) into out; "" for another family.
 * Returns out. */
#define EGRESS_ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN */
char *egress_addr_text(const struct sockaddr_storage *a, char out[EGRESS_ADDR_TEXT_MAX]);

#define EGRESS_PORT_WEB 0  /* rule without a port: 80 and 443 */
#define EGRESS_PORT_ANY -1 /* HOST:* */

/* One allowlist rule: `HOST[:PORT] [allow-private]`. HOST is a name
 * (case-insensitive), `*.NAME` (subdomains of NAME, not NAME itself), an IPv4
 * literal or a bracketed IPv6 literal; PORT is 1-65535 or `*`. */
struct egress_rule {
	char *host;         /* lowercase, no brackets, no trailing dot; for *.x: "x" */
	bool wildcard;      /* *.host */
	int port;           /* 1-65535, EGRESS_PORT_WEB or EGRESS_PORT_ANY */
	bool allow_private; /* may resolve to a non-public address */
};

/* Parse `spec`. DH_EPARSE with a message naming the problem. On success the
 * caller owns out->host (egress_rule_fini). */
int egress_rule_parse(struct egress_rule *out, const char *spec) DH_MUST_CHECK;
void egress_rule_fini(struct egress_rule *r);
/* Whether `spec` is a rule, as egress_allow() would take it (the config
 * reader checks each `allow egress` line with it): 0, or DH_EPARSE
 * "WHERE: allow egress: …" as egress_allow() says it. */
int egress_rule_check(const char *spec, const char *where) DH_MUST_CHECK;
/* Does `r` cover normalized `host` and `port`? */
bool egress_rule_match(const struct egress_rule *r, const char *host, int port);

/* Normalize a host as it appears in a URL or request (n bytes): brackets of
 * an IPv6 literal and one trailing dot removed, lowercased; only letters,
 * digits, '-', '_', '.' (names) or an IPv6 literal are accepted, at most 253
 * bytes. *out is heap. DH_EPARSE when it is not a host. */
int egress_host_normalize(char **out, const char *host, size_t n) DH_MUST_CHECK;

/* A proxy request head, parsed. */
struct egress_request {
	bool connect;    /* CONNECT host:port; otherwise an absolute-form GET/HEAD */
	char method[16]; /* as sent */
	char *host;      /* normalized (egress_host_normalize) */
	int port;
	char *forward; /* GET/HEAD: the head to send upstream, in origin form with
	                * Host set to the URL's, proxy headers removed and
	                * "Connection: close"; NULL for CONNECT */
	size_t forward_len;
};

/* Length of the request head in p[0..n) including its blank line, or 0 if
 * the blank line has not arrived yet. A line ended by a bare LF ends the head
 * there: RFC 9112 §2.2 lets a server refuse it, and the proxy does, at once
 * (egress_request_parse), rather than wait for a CRLF CRLF that may never
 * come. */
size_t egress_head_len(const char *p, size_t n);
/* Parse a complete head (egress_head_len bytes). Errors: DH_EPARSE (answer
 * 400: malformed, a bare LF line end, https:// in absolute form, userinfo, a
 * GET with a body),
 * DH_EDENIED (answer 405: any method but CONNECT, GET and HEAD). The message
 * says why; for DH_EDENIED out->host is still filled when the target parsed.
 * out is always initialized; free with egress_request_fini(). */
int egress_request_parse(struct egress_request *out, const char *p, size_t n) DH_MUST_CHECK;
void egress_request_fini(struct egress_request *r);

/*
 * The policy object
 */

/* One decision, borrowed for the hook call. */
struct egress_decision {
	const char *host;
	int port;
	bool allowed;
	const char *reason;  /* "allowlisted (HOST:PORT)", "not on the egress allowlist", … */
	const char *address; /* the pinned address when allowed, else NULL */
	const char *source;  /* "run_command" (the proxy) or "web_fetch" */
};

/* How the agent takes part; every hook is called on the loop thread. */
struct egress_hooks {
	/* Each decision (the `egress` event). */
	void (*decided)(const struct egress_decision *d, void *ctx);
	/* A host:port not on the allowlist: return true after asking the person
	 * (an approval_needed with this id); the answer comes back through
	 * egress_answer(). false refuses at once (auto mode, nobody to ask). */
	bool (*ask)(const char *id, const char *host, int port, const char *source, void *ctx);
	/* Nobody waits for the answer to question `id` any more. */
	void (*withdrawn)(const char *id, void *ctx);
};

/* The outcome of one check, borrowed for the callback. */
struct egress_result {
	bool allowed;
	const char *reason;                   /* as in the decision */
	const struct sockaddr_storage *addrs; /* allowed: the checked addresses, port set */
	size_t naddrs;                        /* allowed: >= 1 */
};
typedef void egress_done_fn(const struct egress_result *res, void *ctx);

/* Create an empty (deny-all) policy for loop `l`. Starts no thread until the
 * first lookup. *out is owned by the caller. */
int egress_new(struct egress **out, struct ev_loop *l) DH_MUST_CHECK;
/* Cancel every check (no callbacks), stop the resolver thread, free. NULL-safe. */
void egress_free(struct egress *eg);
/* Add an allowlist rule (egress_rule_parse syntax); `where` ("FILE:LINE")
 * prefixes the DH_EPARSE message. */
int egress_allow(struct egress *eg, const char *spec, const char *where) DH_MUST_CHECK;
/* Lock the allowlist (the managed policy's, config/managed.h): a host:port
 * outside it is refused at once, never asked about, the reason naming
 * `where` ("FILE:LINE", copied). */
void egress_set_locked(struct egress *eg, const char *where);
/* Number of rules (config and session). */
size_t egress_rule_count(const struct egress *eg);
void egress_set_hooks(struct egress *eg, const struct egress_hooks *h, void *ctx);

/* Decide whether `host` (as in a URL: brackets allowed) and `port` may be
 * reached: the allowlist before any DNS lookup, then the person (ask hook),
 * then the resolution on the host and the address checks. `done` is called
 * exactly once, always later from the loop (never from inside this call),
 * unless the check is cancelled first; the check is freed after done
 * returns. `source` names the caller in the event. Never fails. */
void egress_check_start(struct egress_check **out, struct egress *eg, const char *host, int port,
                        const char *source, egress_done_fn *done, void *ctx);
/* Drop a check before its callback ran. NULL-safe. */
void egress_check_cancel(struct egress_check *c);

/* Report a refusal decided outside a check (a malformed proxy request, a
 * method that is not served): one `egress` event. host may be NULL. */
void egress_report(struct egress *eg, const char *host, int port, const char *reason,
                   const char *source);

/* The person's answer to question `id` (NULL: the oldest open question).
 * Approval adds HOST:PORT to the session's allowlist (without
 * allow-private); a denial refuses it for the rest of the session. Returns
 * 0, or DH_ENOTFOUND when no such question is open. */
int egress_answer(struct egress *eg, const char *id, bool approve) DH_MUST_CHECK;
/* The id of open question `id` (NULL: the oldest), borrowed until it is
 * answered or withdrawn; NULL when there is none. */
const char *egress_question(const struct egress *eg, const char *id);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the egress proxy's request head parser (sandbox/egress.c
 * egress_head_len and egress_request_parse, SANDBOX.md §4.6), called as the
 * proxy does (proxy.c got_head) on what a sandboxed client sent. The head is
 * copied into a buffer of its exact length so that any read past it is
 * caught. Properties checked (egress.h): a refused head is DH_EPARSE or
 * DH_EDENIED with a message; an accepted one has a normalized host and a
 * port in 1..65535, and for GET/HEAD the head forwarded upstream is one
 * head (a single blank line, at its end) of well-formed header lines
 * carrying no request body.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "sandbox/egress.h"
#include "fuzz.h"

/* The proxy reads at most this much before answering 431 (proxy.c). */
#define HEAD_MAX (16u << 10)

/* Check the header lines of the head forwarded upstream (f[0..n), after its
 * request line): each is NAME ':' VALUE with no blank in NAME (RFC 9112
 * §5.1), and none announces a body: no Transfer-Encoding, no Content-Length
 * with anything but zeros and blanks (RFC 9110 §8.6). */
static void
check_forward(const char *f, size_t n)
{
	const char *line = memmem(f, n, "\r\n", 2);

	FUZZ_CHECK(line != NULL, "the forwarded head has a request line");
	for (line += 2; line < f + n;) {
		const char *le = memmem(line, (size_t)(f + n - line), "\r\n", 2);
		size_t ll = le ? (size_t)(le - line) : (size_t)(f + n - line);
		const char *colon = memchr(line, ':', ll);

		if (ll == 0)
			break; /* the blank line ending the head */
		FUZZ_CHECK(colon && colon > line && !memchr(line, ' ', (size_t)(colon - line)) &&
		                   !memchr(line, '\t', (size_t)(colon - line)),
		           "forwarded header names hold no blanks");
		FUZZ_CHECK(!(ll >= 18 && strncasecmp(line, "transfer-encoding:", 18) == 0),
		           "a forwarded GET/HEAD has no Transfer-Encoding");
		if (ll >= 15 && strncasecmp(line, "content-length:", 15) == 0)
			for (size_t i = 15; i < ll; i++)
				FUZZ_CHECK(line[i] == '0' || line[i] == ' ' || line[i] == '\t',
				           "a forwarded GET/HEAD has no Content-Length but 0");
		if (!le)
			break;
		line = le + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hl = egress_head_len((const char *)data, size < HEAD_MAX ? size : HEAD_MAX);

	FUZZ_CHECK(hl <= size, "the head lies inside the input");
	if (hl == 0)
		return 0;
	char *head = xmalloc(hl);
	struct egress_request r;

	memcpy(head, data, hl);
	int rc = egress_request_parse(&r, head, hl);
	if (rc < 0) {
		FUZZ_CHECK((rc == DH_EPARSE || rc == DH_EDENIED) && *err_msg() != '\0',
		           "a refused head is DH_EPARSE or DH_EDENIED with a message");
	} else {
		FUZZ_CHECK(r.host && *r.host && r.port >= 1 && r.port <= 65535,
		           "an accepted head names a host and a port");
		if (r.connect) {
			FUZZ_CHECK(r.forward == NULL, "CONNECT forwards no head");
		} else {
			const char *end = memmem(r.forward, r.forward_len, "\r\n\r\n", 4);

			FUZZ_CHECK(end && end + 4 == r.forward + r.forward_len,
			           "the forwarded head has one blank line, at its end");
			check_forward(r.forward, r.forward_len);
		}
	}
	egress_request_fini(&r);
	free(head);
	return 0;
}

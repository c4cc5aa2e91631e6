/* SPDX-License-Identifier: MIT */
/*
 * bench-curl-client: the floor under "launch to the first model request"
 * and under a session's peak RSS (issue 17 items 2 and 4). The least any
 * client built on Debian's libcurl can do: start, load libcurl (linked, as
 * the dynamic loader gives it), curl_global_init(), POST one streaming
 * Messages request to $ANTHROPIC_BASE_URL/v1/messages with
 * $ANTHROPIC_API_KEY, read the response to its end and exit. No config, no
 * session, no transcript, no checkpoint, no terminal.
 *
 *   ANTHROPIC_BASE_URL=http://127.0.0.1:PORT ANTHROPIC_API_KEY=K bench-curl-client
 *
 * Exit 0 when the response was HTTP 200, 1 otherwise (the reason on stderr).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

int
main(void)
{
	static const char body[] = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
	                           "\"messages\":[{\"role\":\"user\",\"content\":\"bench\"}]}";
	const char *base = getenv("ANTHROPIC_BASE_URL"), *key = getenv("ANTHROPIC_API_KEY");
	char url[512], auth[512];
	struct curl_slist *h = NULL;
	long code = 0;

	if (!base || !key || snprintf(url, sizeof url, "%s/v1/messages", base) >= (int)sizeof url ||
	    snprintf(auth, sizeof auth, "x-api-key: %s", key) >= (int)sizeof auth) {
		fprintf(stderr, "bench-curl-client: ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY are needed\n");
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	CURL *c = curl_easy_init();

	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "anthropic-version: 2023-06-01");
	h = curl_slist_append(h, "content-type: application/json");
	if (!c || !h)
		return 1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(c);

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK || code != 200)
		fprintf(stderr, "bench-curl-client: %s: %s (HTTP %ld)\n", url, curl_easy_strerror(rc), code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc == CURLE_OK && code == 200 ? 0 : 1;
}

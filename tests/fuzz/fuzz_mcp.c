/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: what the MCP client makes of a server's JSON (src/mcp/). The
 * input is a message's result (or a tool's inputSchema). Properties checked
 * (mcp.h, mcp_int.h): mcp_result_text() stays within its cap plus the cut
 * note, is NUL-terminated and adds only well-formed image blocks;
 * mcp_tool_headers_valid() says why whenever it refuses; every string the
 * input holds, encoded as an Mcp-Param header value, is printable ASCII
 * without CR or LF (nothing can split a header).
 */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "mcp/mcp_int.h"
#include "fuzz.h"

static void
check_values(const cJSON *v)
{
	const cJSON *it;

	if (cJSON_IsString(v)) {
		struct buf b = BUF_INIT;
		mcp_header_value(&b, v->valuestring);
		for (size_t i = 0; i < b.len; i++)
			FUZZ_CHECK(b.ptr[i] >= 0x20 && b.ptr[i] < 0x7f, "header value is printable ASCII");
		buf_fini(&b);
	}
	cJSON_ArrayForEach(it, v)
		check_values(it);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *v;

	if (json_parse(&v, (const char *)data, size, "fuzz") < 0)
		return 0;
	size_t cap = size % 512;
	cJSON *content = NULL;
	char *t = mcp_result_text(v, cap, &content);
	FUZZ_CHECK(t != NULL, "result text is never NULL");
	FUZZ_CHECK(strlen(t) <= cap + 100, "result text is bounded by its cap");
	free(t);
	const cJSON *img;
	cJSON_ArrayForEach(img, content)
		FUZZ_CHECK(json_str(json_obj(img, "source"), "data") != NULL, "image blocks carry data");
	cJSON_Delete(content);
	const char *why = NULL;
	if (!mcp_tool_headers_valid(v, &why))
		FUZZ_CHECK(why != NULL, "a refused schema says why");
	check_values(v);
	cJSON_Delete(v);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

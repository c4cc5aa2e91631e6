/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the OpenAI-compatible Chat Completions stream (llm/openai.c,
 * PROTOCOLS.md §2.3), with the properties of fuzz_stream.h.
 */
#include "fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_one(&llm_openai_ops, data, size);
}

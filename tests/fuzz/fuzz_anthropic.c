/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Anthropic stream (llm/anthropic.c, PROTOCOLS.md §1.9),
 * with the properties of fuzz_stream.h.
 */
#include "fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_one(&llm_anthropic_ops, data, size);
}

/* SPDX-License-Identifier: MIT */
#ifndef DH_LLM_TOKENS_H
#define DH_LLM_TOKENS_H

#include <stddef.h>

#include <cJSON.h>

/*
 * Token estimates for what is about to be sent, before it is sent: the
 * spend caps refuse a request that could cross them, and context management
 * measures a conversation. There is no tokenizer of the providers' to call
 * offline, so these count pieces of text the way byte-pair encodings split
 * them and round every piece up, so as to err high: meant to be at or above
 * what a provider bills for prose, code, JSON and CJK text. Measured on this
 * tree: README.md (Markdown) 2.6 bytes a token, src/agent/agent.c 2.0, where
 * Anthropic's tokenizer is usually quoted at about 3.5 bytes a token for
 * English: high by a third to a half, never far below.
 */

/* Tokens of an image block: Anthropic scales images down to at most
 * 1568 px on the long edge and about 1.15 megapixels, which costs at most
 * about 1,600 tokens (width × height / 750; Anthropic vision docs, checked
 * 2026-12-04). Counted whole whatever the image's size. */
#define LLM_TOKENS_IMAGE 1600
/* Tokens of one PDF page: its text plus its image, "typically 1,500 to
 * 3,000 tokens per page" (Anthropic PDF support docs, checked 2026-12-04). */
#define LLM_TOKENS_PDF_PAGE 3000
/* The system prompt the API adds when a request has tools: 346 tokens for
 * Claude 4 models with tool_choice auto (Anthropic tool use docs, checked
 * 2026-12-04), rounded up. */
#define LLM_TOKENS_TOOL_PREAMBLE 400

/* Tokens of s[0..len) as model input (len bytes, any bytes: invalid UTF-8
 * counts a token per byte). A run of ASCII letters is a token per 4 letters
 * (rounded up), a run of digits one per 3, other ASCII punctuation one each,
 * a newline one, spaces and tabs one per 4 except the single space before a
 * word, each other code point one (two above U+FFFF). Pure; 0 for len 0. */
size_t llm_tokens_text(const char *s, size_t len);

/* Input tokens of a whole request body as a provider sends it (Anthropic
 * Messages or OpenAI Chat Completions shaped; borrowed, not changed):
 * every string (keys too, so tool schemas and message structure count),
 * every number, LLM_TOKENS_IMAGE per image block (Anthropic "image",
 * OpenAI "image_url"/"input_image"), LLM_TOKENS_PDF_PAGE per page of a
 * base64 PDF "document" (pages counted in the decoded file; at least one),
 * and LLM_TOKENS_TOOL_PREAMBLE when "tools" is a non-empty array. Output
 * tokens are not part of it: the caller adds max_tokens. NULL: 0. Pure;
 * time linear in the body's size. */
size_t llm_tokens_estimate(const cJSON *request_body);

/* Tokens of one value of a request body as llm_tokens_estimate() counts it
 * there (a message: its strings, keys, numbers and media; no preamble):
 * llm_tokens_estimate() of a body is the sum of its members' and the
 * tool preamble. NULL: 0. Pure. */
size_t llm_tokens_value(const cJSON *v);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_COMPACT_H
#define DH_AGENT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"

/*
 * Compaction of a conversation that outgrows the model's context window
 * (docs/context.md): the older messages are summarised by the model into a
 * note, which replaces them in what is sent; the plan and the recent
 * messages stay verbatim. These are the pure parts (where to cut, what the
 * summariser reads, the note); the agent runs the request and records the
 * result (a history_compact record: session/session.h).
 */

/* The system prompt of the summarising request (static). */
extern const char compact_system_prompt[];

/* Where to cut `history` (an Anthropic [{role, content}] array): the index k
 * of the first message kept verbatim, so that messages [0, k) are
 * summarised. k is an assistant message's index, at least 1, whose
 * messages to the end weigh at most `keep_tokens` (llm_tokens_text of their
 * JSON) when possible, and never more than the last two messages are forced
 * in; an assistant message begins a kept run so that every kept tool_result
 * keeps its tool_use. 0 when there is nothing to summarise (two messages or
 * fewer, or no assistant message after the first). */
size_t compact_split(const cJSON *history, size_t keep_tokens);

/* Can summarising messages [0, k) of `history` make what is sent smaller?
 * false when k is 0, or when it is 1 and the first message is an earlier
 * note (the new one would read it whole) or a task of at most 4 KiB (the
 * note carries it verbatim, and a summary besides): such a compaction
 * would cost a request and send more after it. */
bool compact_useful(const cJSON *history, size_t k);

/* What the summariser reads of messages [0, k) of `history`, appended to
 * `out`: each message as a "## role" section, text whole, tool calls as
 * "→ name {input}", tool results as "← result"; every piece cut to a share
 * of `max_bytes` (head and tail around "[… N bytes …]", on a UTF-8
 * character) so that the whole stays near `max_bytes`. */
void compact_render(const cJSON *history, size_t k, size_t max_bytes, struct buf *out);

/* The user message that stands for the summarised messages: a bracketed
 * line saying what happened (`n` messages, about `tokens` tokens; the
 * transcript keeps them), the person's first task (the text of the first
 * user message of `history`, at most 4 KiB, kept verbatim), the model's
 * `summary`, the plan as it stands (`plan`: [{title, status}] or NULL) and
 * the files the summarised calls changed (write_file, edit_file,
 * move_file, delete_file, make_directory paths). A new {role, content}
 * object the caller owns. */
cJSON *compact_note(const cJSON *history, size_t n, size_t tokens, const char *summary,
                    const cJSON *plan);

#endif

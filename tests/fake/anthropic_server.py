#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Loopback fake of the Anthropic Messages API (PROTOCOLS.md §1.9, §1.10, §1.13).

Standard library only. Serves scripted turns, one per POST, in order:

  anthropic_server.py --script FILE.json --log FILE.jsonl --port-file FILE [--require-key KEY]
                      [--cursor-per-key] [--check-history] [--max-seconds N]
                      [--timing FILE]

--cursor-per-key: every x-api-key value walks the script from its first turn on
  its own, so one server can serve many independent runs of the same script.
--max-seconds: the server exits after N seconds (default 300), or when the
  process that started it is gone.
--timing FILE: append one line per request, {"n", "accept", "request",
  "first_byte", "end"} (time.time() seconds: the connection accepted, the
  request line read, the first and the last response byte written), so a
  benchmark can tell the server's own time from its client's.
--check-history: reject (400 invalid_request_error, as the real API does) a
  request whose messages break the API's rules: the first message is not the
  user's, an empty text block, a tool_use without its tool_result in the next
  message, a tool_result without its tool_use in the previous one, text before
  the tool_result blocks of a message.

The script is {"turns": [TURN, ...]}. A TURN is one of
  normal:  {"text": "...", "tool_calls": [{"name", "input", "id"?}], "stop_reason"?,
            "text_step"?: N (the text streams in deltas of N characters, not 4 pieces),
            "text_pause_ms"?: N (a pause of N ms after the text's first delta),
            "text_pause_file"?: PATH (after the first delta, wait until PATH exists,
                                60 s at most: a test lets the stream go on),
            "usage"?: {input_tokens, output_tokens, cache_read_input_tokens,
                       cache_creation_input_tokens}, "delay_ms"?: per-event delay}
  {"fault": "status", "status": 429, "retry_after"?, "retry_after_ms"?, "x_should_retry"?,
   "body"?: raw text, "content_type"?}
  {"fault": "cut_mid_tool", "tool_calls": [...]}   abrupt close inside the tool input
  {"fault": "max_tokens_mid_tool", "text"?, "tool_calls": [...]}
                                                   the text, then the first call's input
                                                   stops halfway with no content_block_stop:
                                                   stop_reason max_tokens, a clean end
  {"fault": "cut_mid_text", "text"?, "clean_end"?: bool}
                                                   the text streams, then the connection
                                                   closes abruptly (clean_end: the chunked
                                                   body ends properly) with no message_stop
  {"fault": "non_json", "status"?: 200, "content_type"?: "text/html", "body"?: "..."}
  {"fault": "bad_event_json"}                      an event whose data is not JSON
  {"fault": "mid_stream_error", "text"?, "error_type"?}
                                                   event: error after the text (error.type
                                                   error_type, default overloaded_error)
  {"fault": "slow", ...normal fields..., "delay_ms": N}
  a normal turn may generate big content instead of carrying it:
    "text_bytes": N            a text block of N bytes (a repeated 64-byte line)
    a tool call's "fill": {"field": F, "bytes": N}   input[F] = N such bytes
    "delta_bytes": D           generated content streams in deltas of D bytes
                               (default 8192), each event one write, no pauses
  {"fault": "hang"}                                message_start, then silence until the
                                                   client goes away
a normal turn may start with thinking (PROTOCOLS.md §1.6, §1.9):
    "thinking": TEXT           a thinking block streamed as thinking_delta pieces, then
                               an empty thinking_delta and a signature_delta;
                               "signature"?: its signature (default: one made up)
    "redacted_thinking": DATA  then a redacted_thinking block (no deltas)
--check-thinking: the thinking blocks of the fake's last response must come back
  unchanged (the same keys and the same strings, byte for byte) at the head of
  the next request's last assistant message (400 otherwise, as the real API
  answers a changed signature); LOG.thinking gets {"n", "checked": blocks compared}
  for each request.
and any TURN may carry "expect": {"last_user_contains": "substring"} (400 if not),
and "expect": {"body_contains": "substring"}: the whole request body, as JSON text.
Strings are sent as UTF-8, except that a lone surrogate U+DC80-U+DCFF in the script
("\\udcff") is sent as the raw byte 0x80-0xFF: invalid UTF-8, as a broken server might.
Any other lone surrogate in a streamed string ("\\ud800") is sent as its JSON escape,
as a JavaScript server writes one: valid JSON text, not valid Unicode.
A request whose body is not strict UTF-8 JSON gets 400 invalid_request_error, as the
real API answers.
A compaction request (deskhand's summarising request: its system prompt starts
with COMPACT_SYSTEM) does not take a turn: it is answered with the script's
"compaction" turn (a normal TURN; default: a text with the five sections that
names the request's number), so scripts need not know when compaction comes.
"window": N in the script makes every request whose token estimate (its JSON
text's bytes / 4) is over N fail as the real API does (400 "prompt is too long:
T tokens > N maximum"); each logged request carries its "tokens" estimate.
"window_output": true in the script counts the request's max_tokens against the
window too, as current models do (400 "input length and `max_tokens` exceed
context limit: T + M > N, ...").
"bytes_per_token": B in the script makes the estimate bytes / B instead (B < 4:
a provider that counts more tokens than deskhand's own estimate says).
"input_usage": "estimate" in the script reports that estimate as each answer's
input_tokens (as the real API reports its count), where a turn's "usage" does
not say otherwise.
After the last turn every request gets 500 "fake: script exhausted".
Every request is logged as {"n", "headers" (lowercased, x-api-key "<redacted>"), "body"}.
The usage each completed stream reported is logged to LOG.usage as {"n", "model",
"input_tokens", "output_tokens", "cache_read_input_tokens",
"cache_creation_input_tokens"}, once its message_stop is sent.
--cache: a prompt cache as PROTOCOLS.md §1.7 describes it. A request must
  carry at most 4 cache_control breakpoints, one of them on the last cacheable
  block (not thinking, not an empty text) of its last message (400 otherwise:
  the breakpoint must move with the conversation). The prefix up to each
  breakpoint (tools, system, messages in that order, cache_control left out,
  string content read as one text block) is hashed; its token estimate (JSON
  bytes / 4) is reported as cache_read_input_tokens when an earlier request
  stored the same prefix (the longest one counts), the rest up to the last
  breakpoint as cache_creation_input_tokens, and every breakpoint's prefix is
  stored. A turn's own "usage" cache fields win. Each logged request carries
  "breakpoints": [[message index, block index], ...] ([-1, i] for a tool or
  a system block) and "cache": {"read", "creation"}.
"""

import argparse
import json
import os
import re
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
ERROR_MESSAGES = {
    401: "invalid x-api-key",
    429: "Number of request tokens has exceeded your per-minute rate limit",
    500: "Internal server error",
    529: "Overloaded",
}


def error_body(status, message=None, n=0):
    etype = ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return json.dumps({
        "type": "error",
        "error": {"type": etype, "message": message or ERROR_MESSAGES.get(status, etype)},
        "request_id": "req_test_%d" % n,
    })


COMPACT_SYSTEM = "You summarise the earlier part of a working session"


def estimate_tokens(body, bytes_per_token=4):
    """The fake's token estimate of a request: its JSON text's UTF-8 bytes / 4
    (or / bytes_per_token)."""
    n = len(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    return int(n / bytes_per_token)


def escape_surrogates(text):
    """JSON text with each surrogate but U+DC80-U+DCFF (raw bytes, see above)
    written as its escape."""
    return re.sub("[\ud800-\udc7f\udd00-\udfff]", lambda m: "\\u%04x" % ord(m.group()), text)


def is_compaction(body):
    sysp = body.get("system") if isinstance(body, dict) else None
    if isinstance(sysp, list):
        sysp = "".join(b.get("text", "") for b in sysp if isinstance(b, dict))
    return isinstance(sysp, str) and sysp.startswith(COMPACT_SYSTEM)


FILL_LINE = "deskhand fill: the quick brown fox jumps over the lazy dog 0123\n"


def fill(n):
    """n bytes of generated text (FILL_LINE repeated)."""
    k = n // len(FILL_LINE) + 1
    return (FILL_LINE * k)[:n]


def split_points(n, parts):
    """`parts` pieces of a length-n sequence at fixed, uneven points."""
    if n < parts:
        return [(0, n)] if n else [(0, 0)]
    cuts = sorted(set([0, n] + [max(1, (n * (2 * k + 1)) // (2 * parts + 1)) for k in range(1, parts)]))
    return list(zip(cuts, cuts[1:]))


def history_problem(body):
    """The first way `body`'s messages break the Messages API's rules, or None."""
    msgs = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(msgs, list) or not msgs:
        return "messages: at least one message is required"

    def blocks(m):
        c = m.get("content")
        if isinstance(c, str):
            return [{"type": "text", "text": c}]
        return c if isinstance(c, list) else []

    def ids(m, kind, key):
        return [b.get(key) for b in blocks(m) if isinstance(b, dict) and b.get("type") == kind]

    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            return "messages.%d: role must be user or assistant" % i
        if i == 0 and m["role"] != "user":
            return "messages: first message must use the \"user\" role"
        seen_other = False
        for j, b in enumerate(blocks(m)):
            t = b.get("type") if isinstance(b, dict) else None
            if t == "text" and not b.get("text"):
                return "messages.%d.content.%d: text content blocks must be non-empty" % (i, j)
            if t == "tool_result" and seen_other:
                return ("messages.%d.content.%d: tool_result blocks must come first in the "
                        "content array" % (i, j))
            seen_other = seen_other or t != "tool_result"
        uses = ids(m, "tool_use", "id")
        if m["role"] == "assistant" and uses:
            nxt = msgs[i + 1] if i + 1 < len(msgs) else None
            got = ids(nxt, "tool_result", "tool_use_id") if nxt and nxt.get("role") == "user" else []
            missing = [u for u in uses if u not in got]
            if missing:
                return ("messages.%d: `tool_use` ids were found without `tool_result` blocks "
                        "immediately after: %s. Each `tool_use` block must have a corresponding "
                        "`tool_result` block in the next message." % (i, ", ".join(map(str, missing))))
        results = ids(m, "tool_result", "tool_use_id")
        if results:
            prev = msgs[i - 1] if i > 0 and msgs[i - 1].get("role") == "assistant" else None
            known = ids(prev, "tool_use", "id") if prev else []
            extra = [r for r in results if r not in known]
            if extra:
                return ("messages.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. "
                        "Each `tool_result` block must have a corresponding `tool_use` block in "
                        "the previous message." % (i, ", ".join(map(str, extra))))
    return None


def cache_blocks(body):
    """The request's blocks in cache order (tools, system, messages) as
    (position, block without cache_control, had cache_control)."""
    out = []
    for i, t in enumerate(body.get("tools") or []):
        out.append(((-1, i), "tool", t))
    sysp = body.get("system")
    if isinstance(sysp, str):
        sysp = [{"type": "text", "text": sysp}]
    for i, b in enumerate(sysp or []):
        out.append(((-2, i), "system", b))
    for i, m in enumerate(body.get("messages") or []):
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            c = [{"type": "text", "text": c}]
        for j, b in enumerate(c or []):
            out.append(((i, j), m.get("role"), b))
    res = []
    for pos, role, b in out:
        marked = isinstance(b, dict) and "cache_control" in b
        if marked:
            b = {k: v for k, v in b.items() if k != "cache_control"}
        res.append((pos, [role, b], marked))
    return res


def cache_problem(body):
    """Why the request's breakpoints break §1.7 or do not move with the
    conversation, or None."""
    blocks = cache_blocks(body)
    marks = [pos for pos, _, marked in blocks if marked]
    if len(marks) > 4:
        return "A maximum of 4 blocks with cache_control may be provided. Found %d." % len(marks)
    msgs = body.get("messages") or []
    last = len(msgs) - 1
    cands = [(pos, b) for pos, (_, b), _ in blocks if pos[0] == last and isinstance(b, dict)
             and b.get("type") not in ("thinking", "redacted_thinking")
             and not (b.get("type") == "text" and not b.get("text"))]
    if cands and cands[-1][0] not in marks:
        return ("fake: cache breakpoint expected on messages.%d.content.%d (the last message's "
                "last block); breakpoints at %s" % (cands[-1][0] + (marks,)))
    return None


def cache_account(st, body):
    """(read, creation, breakpoints) for a request under the fake cache."""
    blocks = cache_blocks(body)
    read, end, marks, prefixes = 0, 0, [], []
    for k, (pos, item, marked) in enumerate(blocks):
        if not marked:
            continue
        text = json.dumps([it for _, it, _ in blocks[:k + 1]], sort_keys=True, ensure_ascii=False)
        tokens = len(text.encode("utf-8", "surrogateescape")) // 4
        marks.append([pos[0] if pos[0] >= 0 else -1, pos[1]])
        prefixes.append(text)
        end = tokens
        with st.lock:
            if text in st.cache:
                read = max(read, tokens)
    with st.lock:
        st.cache.update(prefixes)
    return read, max(0, end - read), marks


class State:
    def __init__(self, script, log_path, require_key, cursor_per_key=False, check_history=False):
        self.turns = script.get("turns", [])
        self.compaction = script.get("compaction")
        self.window = script.get("window")
        self.window_output = script.get("window_output", False)
        self.bytes_per_token = script.get("bytes_per_token", 4)
        self.input_usage = script.get("input_usage")
        self.log_path = log_path
        self.require_key = require_key
        self.cursor_per_key = cursor_per_key
        self.check_history = check_history
        self.cache_on = False
        self.check_thinking = False
        self.last_thinking = {}  # cursor key -> thinking blocks of the last response
        self.cache = set()  # prefixes stored (§1.7 under --cache)
        self.lock = threading.Lock()
        self.timing_path = None
        self.n = 0
        self.next_turn = {}  # cursor key (None unless --cursor-per-key) -> next turn index


class Handler(BaseHTTPRequestHandler):
    # TCP_NODELAY: a response written in small pieces (an SSE event at a time)
    # goes out at once, not after the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "fake-anthropic/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    # ---- timing (--timing) ----

    def setup(self):
        self.t_accept = time.time()
        self.t_first = None
        super().setup()

    def parse_request(self):
        self.t_request = time.time()
        self.t_first = None
        return super().parse_request()

    def handle_one_request(self):
        super().handle_one_request()
        st = self.server.state
        if st.timing_path and self.t_first is not None:
            rec = {"n": self.n, "accept": self.t_accept, "request": self.t_request,
                   "first_byte": self.t_first, "end": time.time()}
            with st.lock:
                with open(st.timing_path, "a") as f:
                    f.write(json.dumps(rec) + "\n")
        self.t_first = None

    def send_response(self, *args, **kw):
        if self.t_first is None:
            self.t_first = time.time()
        super().send_response(*args, **kw)

    # ---- plumbing ----

    def send_json(self, status, text, extra=None, content_type="application/json"):
        data = text.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_test_%d" % self.n)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def start_stream(self):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("request-id", "req_test_%d" % self.n)
        self.end_headers()
        self.wfile.flush()

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def event(self, name, obj, delay_ms=0, raw=None):
        """One SSE event, written in several TCP writes; a multibyte UTF-8
        character, if any, is split across two of them."""
        if delay_ms:
            time.sleep(delay_ms / 1000.0)
        data = raw if raw is not None else escape_surrogates(json.dumps(obj, ensure_ascii=False))
        b = ("event: %s\ndata: %s\n\n" % (name, data)).encode("utf-8", "surrogateescape")
        cut = next((i for i, c in enumerate(b) if 0x80 <= c < 0xC0), None)
        pieces = [b] if len(b) < 8 else [b[: len(b) // 3], b[len(b) // 3:]]
        if cut is not None and 0 < cut < len(b):
            pieces = [b[:cut], b[cut:]]
        for p in pieces:
            self.write_chunk(p)
            time.sleep(0.0005)

    def turn_usage(self, turn):
        """The turn's usage, the fake cache's figures filled in (--cache), and
        input_tokens from the estimate where the script's "input_usage" is
        "estimate" and neither says otherwise."""
        u = dict(turn.get("usage") or {})
        for k, v in (getattr(self, "cache_usage", None) or {}).items():
            u.setdefault(k, v)
        if self.server.state.input_usage == "estimate":
            u.setdefault("input_tokens", self.tokens)
        return u

    def message_start(self, turn, delay):
        u = self.turn_usage(turn)
        self.event("message_start", {
            "type": "message_start",
            "message": {
                "id": "msg_test_%d" % self.n, "type": "message", "role": "assistant",
                "model": self.body.get("model", "fake"), "content": [],
                "stop_reason": None, "stop_sequence": None,
                "usage": {
                    "input_tokens": u.get("input_tokens", 10),
                    "cache_creation_input_tokens": u.get("cache_creation_input_tokens", 0),
                    "cache_read_input_tokens": u.get("cache_read_input_tokens", 0),
                    "output_tokens": 1,
                },
            },
        }, delay)

    def text_block(self, index, text, delay, step=None, pause_ms=0, pause_file=None):
        self.event("content_block_start", {"type": "content_block_start", "index": index,
                                           "content_block": {"type": "text", "text": ""}}, delay)
        pieces = ([(a, min(a + step, len(text))) for a in range(0, len(text), step)] if step
                  else split_points(len(text), 4))
        for a, b in pieces:
            self.event("content_block_delta", {"type": "content_block_delta", "index": index,
                                               "delta": {"type": "text_delta",
                                                         "text": text[a:b]}}, delay)
            if pause_ms:
                time.sleep(pause_ms / 1000.0)
                pause_ms = 0
            if pause_file:
                until = time.time() + 60
                while not os.path.exists(pause_file) and time.time() < until:
                    time.sleep(0.02)
                pause_file = None
        self.event("content_block_stop", {"type": "content_block_stop", "index": index}, delay)

    def quick_event(self, name, obj):
        """One SSE event in a single write (generated bulk content)."""
        self.write_chunk(("event: %s\ndata: %s\n\n" % (name, json.dumps(obj))).encode())

    def fill_text_block(self, index, n, step):
        self.event("content_block_start", {"type": "content_block_start", "index": index,
                                           "content_block": {"type": "text", "text": ""}})
        piece = fill(step) if step % len(FILL_LINE) == 0 else None
        for a in range(0, n, step):
            text = piece if piece is not None and a + step <= n else fill(min(step, n - a))
            self.quick_event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                     "delta": {"type": "text_delta", "text": text}})
        self.event("content_block_stop", {"type": "content_block_stop", "index": index})

    def tool_block(self, index, k, call, delay, cut=False, step=8192):
        tid = call.get("id") or "toolu_%d_%d" % (self.turn_no, k)
        self.event("content_block_start", {
            "type": "content_block_start", "index": index,
            "content_block": {"type": "tool_use", "id": tid, "name": call["name"], "input": {}},
        }, delay)
        inp = dict(call.get("input", {}))
        if call.get("fill"):
            inp[call["fill"]["field"]] = fill(call["fill"]["bytes"])
        js = json.dumps(inp, ensure_ascii=False)
        if call.get("fill"):
            for a in range(0, len(js), step):
                self.quick_event("content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": js[a:a + step]}})
            frags = []
        else:
            frags = [""] + [js[a:b] for a, b in split_points(len(js), 4)]
        if cut:
            frags = [js[: len(js) // 2]]
        for f in frags:
            self.event("content_block_delta", {"type": "content_block_delta", "index": index,
                                               "delta": {"type": "input_json_delta",
                                                         "partial_json": f}}, delay)
        if cut:
            return
        self.event("content_block_stop", {"type": "content_block_stop", "index": index}, delay)

    # ---- turns ----

    def normal(self, turn):
        delay = turn.get("delay_ms", 0)
        calls = turn.get("tool_calls") or []
        self.start_stream()
        self.message_start(turn, delay)
        self.event("ping", None, delay, raw='{"type": "ping"}')
        index = 0
        step = turn.get("delta_bytes", 8192)
        sent = []
        if turn.get("thinking") is not None:
            th = turn["thinking"]
            sig = turn.get("signature") or "EqQBCgIYAhIM+fake/sig%d==" % self.n
            self.event("content_block_start", {"type": "content_block_start", "index": index,
                                               "content_block": {"type": "thinking",
                                                                 "thinking": "", "signature": ""}},
                       delay)
            for a, b in split_points(len(th), 4) + [(len(th), len(th))]:
                self.event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                   "delta": {"type": "thinking_delta",
                                                             "thinking": th[a:b]}}, delay)
            self.event("content_block_delta", {"type": "content_block_delta", "index": index,
                                               "delta": {"type": "signature_delta",
                                                         "signature": sig}}, delay)
            self.event("content_block_stop", {"type": "content_block_stop", "index": index}, delay)
            sent.append({"type": "thinking", "thinking": th, "signature": sig})
            index += 1
        if turn.get("redacted_thinking") is not None:
            blk = {"type": "redacted_thinking", "data": turn["redacted_thinking"]}
            self.event("content_block_start", {"type": "content_block_start", "index": index,
                                               "content_block": blk}, delay)
            self.event("content_block_stop", {"type": "content_block_stop", "index": index}, delay)
            sent.append(blk)
            index += 1
        if not is_compaction(self.body):
            with self.server.state.lock:
                self.server.state.last_thinking[self.cursor] = sent
        if turn.get("text"):
            self.text_block(index, turn["text"], delay, turn.get("text_step"),
                            turn.get("text_pause_ms", 0), turn.get("text_pause_file"))
            index += 1
        elif turn.get("text_bytes"):
            self.fill_text_block(index, turn["text_bytes"], step)
            index += 1
        for k, call in enumerate(calls):
            self.tool_block(index, k, call, delay, step=step)
            index += 1
        u = self.turn_usage(turn)
        stop = turn.get("stop_reason") or ("tool_use" if calls else "end_turn")
        self.event("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": stop, "stop_sequence": None},
                                     "usage": {"output_tokens": u.get("output_tokens", 5)}}, delay)
        self.event("message_stop", {"type": "message_stop"}, delay)
        self.end_stream()
        st = self.server.state
        with st.lock:
            with open(st.log_path + ".usage", "a") as f:
                f.write(json.dumps({
                    "n": self.n, "model": self.body.get("model"),
                    "input_tokens": u.get("input_tokens", 10),
                    "output_tokens": u.get("output_tokens", 5),
                    "cache_read_input_tokens": u.get("cache_read_input_tokens", 0),
                    "cache_creation_input_tokens": u.get("cache_creation_input_tokens", 0),
                }) + "\n")

    def fault_status(self, turn):
        status = turn.get("status", 500)
        extra = {}
        for key, header in (("retry_after", "retry-after"), ("retry_after_ms", "retry-after-ms"),
                            ("x_should_retry", "x-should-retry")):
            if turn.get(key) is not None:
                extra[header] = str(turn[key])
        body = turn.get("body")
        if body is None:
            body = error_body(status, None, self.n)
        self.send_json(status, body, extra, turn.get("content_type", "application/json"))

    def cut_mid_tool(self, turn):
        self.start_stream()
        self.message_start(turn, 0)
        self.tool_block(0, 0, (turn.get("tool_calls") or [{"name": "t", "input": {"a": 1}}])[0],
                        0, cut=True)
        self.abrupt_close()

    def max_tokens_mid_tool(self, turn):
        self.start_stream()
        self.message_start(turn, 0)
        index = 0
        if turn.get("text"):
            self.text_block(0, turn["text"], 0)
            index = 1
        self.tool_block(index, 0, (turn.get("tool_calls") or [{"name": "t", "input": {"a": 1}}])[0],
                        0, cut=True)
        self.event("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
                                     "usage": {"output_tokens": 8192}})
        self.event("message_stop", {"type": "message_stop"})
        self.end_stream()

    def abrupt_close(self):
        """No terminating chunk: an abrupt end of a chunked body."""
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def cut_mid_text(self, turn):
        self.start_stream()
        self.message_start(turn, 0)
        text = turn.get("text", "Partial answer")
        self.event("content_block_start", {"type": "content_block_start", "index": 0,
                                           "content_block": {"type": "text", "text": ""}})
        self.event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                           "delta": {"type": "text_delta", "text": text}})
        if turn.get("clean_end"):
            self.end_stream()
            self.close_connection = True
        else:
            self.abrupt_close()

    def hang(self, turn):
        self.start_stream()
        self.message_start(turn, 0)
        deadline = time.time() + 60
        while time.time() < deadline:
            r, _, _ = select.select([self.connection], [], [], 0.05)
            if r:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break  # the client went away
                except OSError:
                    break
        self.close_connection = True

    def do_POST(self):
        st = self.server.state
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        with st.lock:
            st.n += 1
            self.n = st.n
        bad_body = False
        try:
            self.body = json.loads(raw.decode("utf-8") if raw else "null")
        except ValueError:
            self.body = {"unparsable": raw.decode("utf-8", "replace")}
            bad_body = True
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "x-api-key" in headers:
            headers["x-api-key"] = "<redacted>"
        tokens = self.tokens = estimate_tokens(self.body, st.bytes_per_token)
        entry = {"n": self.n, "path": self.path, "headers": headers, "tokens": tokens,
                 "body": self.body}
        self.cache_usage = None
        problem = None
        if st.cache_on and isinstance(self.body, dict) and not bad_body:
            problem = cache_problem(self.body)
            read, creation, marks = cache_account(st, self.body)
            entry["breakpoints"] = marks
            entry["cache"] = {"read": read, "creation": creation}
            self.cache_usage = {"cache_read_input_tokens": read,
                                "cache_creation_input_tokens": creation,
                                "input_tokens": max(1, tokens - read - creation)}
        with st.lock:
            with open(st.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

        key = self.headers.get("x-api-key")
        if not key or (st.require_key is not None and key != st.require_key):
            return self.send_json(401, error_body(401, "invalid x-api-key", self.n))
        if not self.headers.get("anthropic-version"):
            return self.send_json(400, error_body(400, "anthropic-version header is required",
                                                  self.n))
        if bad_body:
            return self.send_json(400, error_body(400, "fake: the request body is not valid "
                                                  "UTF-8 JSON", self.n))
        if self.path != "/v1/messages":
            return self.send_json(404, error_body(404, "no route " + self.path, self.n))
        if problem:
            return self.send_json(400, error_body(400, problem, self.n))
        self.cursor = key if st.cursor_per_key else None
        if st.check_thinking and not is_compaction(self.body):
            with st.lock:
                want = st.last_thinking.get(self.cursor) or []
            msgs = self.body.get("messages") or []
            asst = [m for m in msgs if isinstance(m, dict) and m.get("role") == "assistant"]
            got = asst[-1].get("content") if asst else None
            got = got[:len(want)] if isinstance(got, list) else []
            if want and got != want:
                return self.send_json(400, error_body(
                    400, "fake: the thinking blocks of the last response did not come back "
                    "unchanged: sent %s, got %s" % (json.dumps(want)[:300], json.dumps(got)[:300]),
                    self.n))
            with open(st.log_path + ".thinking", "a") as f:
                f.write(json.dumps({"n": self.n, "checked": len(want)}) + "\n")
        if st.check_history:
            problem = history_problem(self.body)
            if problem:
                return self.send_json(400, error_body(400, problem, self.n))

        if st.window is not None and tokens > st.window:
            return self.send_json(400, error_body(
                400, "prompt is too long: %d tokens > %d maximum" % (tokens, st.window), self.n))
        out = self.body.get("max_tokens", 0) if isinstance(self.body, dict) else 0
        if st.window is not None and st.window_output and tokens + out > st.window:
            return self.send_json(400, error_body(
                400, "input length and `max_tokens` exceed context limit: %d + %d > %d, "
                "decrease input length or `max_tokens` and try again" % (tokens, out, st.window),
                self.n))
        if is_compaction(self.body):
            turn = dict(st.compaction or {
                "text": ("Task:\n- the person's task (fake summary of request %d)\n"
                         "Decisions:\n- none\nPlan state:\n- as the plan says\n"
                         "Files changed:\n- see the list\nOpen questions:\n- none" % self.n)})
            self.turn_no = 0
            try:
                self.normal(turn)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return

        with st.lock:
            ck = key if st.cursor_per_key else None
            i = st.next_turn.get(ck, 0)
            turn = st.turns[i] if i < len(st.turns) else None
            if turn is not None:
                st.next_turn[ck] = i + 1
            self.turn_no = st.next_turn.get(ck, 0)
        if turn is None:
            return self.send_json(500, error_body(500, "fake: script exhausted", self.n))

        want = (turn.get("expect") or {}).get("last_user_contains")
        if want is not None:
            msgs = self.body.get("messages") if isinstance(self.body, dict) else None
            users = [m for m in (msgs or []) if isinstance(m, dict) and m.get("role") == "user"]
            last = json.dumps(users[-1], ensure_ascii=False) if users else ""
            if want not in last:
                return self.send_json(400, error_body(
                    400, "fake: expectation failed: last user message lacks %r" % want, self.n))

        want = (turn.get("expect") or {}).get("body_contains")
        if want is not None and want not in json.dumps(self.body, ensure_ascii=False):
            return self.send_json(400, error_body(
                400, "fake: expectation failed: the request lacks %r" % want, self.n))

        fault = turn.get("fault")
        try:
            if fault is None or fault == "slow":
                self.normal(turn)
            elif fault == "status":
                self.fault_status(turn)
            elif fault == "cut_mid_tool":
                self.cut_mid_tool(turn)
            elif fault == "max_tokens_mid_tool":
                self.max_tokens_mid_tool(turn)
            elif fault == "cut_mid_text":
                self.cut_mid_text(turn)
            elif fault == "non_json":
                self.send_json(turn.get("status", 200), turn.get("body", "<html>oops</html>"),
                               None, turn.get("content_type", "text/html"))
            elif fault == "bad_event_json":
                self.start_stream()
                self.message_start(turn, 0)
                self.event("content_block_delta", None, 0, raw='{"type": "content_block_delta", oops')
                self.event("message_stop", {"type": "message_stop"})
                self.end_stream()
            elif fault == "mid_stream_error":
                self.start_stream()
                self.message_start(turn, 0)
                self.event("content_block_start", {"type": "content_block_start", "index": 0,
                                                   "content_block": {"type": "text", "text": ""}})
                self.event("content_block_delta", {
                    "type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": turn.get("text", "Partial answer")}})
                etype = turn.get("error_type", "overloaded_error")
                self.event("error", {"type": "error", "error": {
                    "type": etype,
                    "message": "Overloaded" if etype == "overloaded_error" else "fake " + etype}})
                self.end_stream()
            elif fault == "hang":
                self.hang(turn)
            else:
                self.send_json(500, error_body(500, "fake: unknown fault %r" % fault, self.n))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def watchdog(parent, max_seconds):
    """Exit when the test that started us is gone (or after max_seconds)."""
    end = time.time() + max_seconds
    while time.time() < end and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--require-key")
    ap.add_argument("--cursor-per-key", action="store_true")
    ap.add_argument("--check-history", action="store_true")
    ap.add_argument("--cache", action="store_true")
    ap.add_argument("--check-thinking", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--timing")
    args = ap.parse_args()
    with open(args.script) as f:
        script = json.load(f)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(script, args.log, args.require_key, args.cursor_per_key,
                      args.check_history)
    srv.state.cache_on = args.cache
    srv.state.check_thinking = args.check_thinking
    srv.state.timing_path = args.timing
    open(args.log, "a").close()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    threading.Thread(target=watchdog, args=(os.getppid(), args.max_seconds), daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Loopback fake of an OpenAI-compatible Chat Completions server (PROTOCOLS.md §2).

Standard library only. Serves scripted turns, one per POST, in order:

  openai_server.py --script FILE.json --log FILE.jsonl --port-file FILE
                   [--require-key KEY] [--azure API_VERSION] [--check-history]
                   [--max-seconds N] [--non-streamed]

Routes: POST {base}/chat/completions with base /v1 (OpenAI, Ollama, vLLM,
llama.cpp), GET /v1/models; with --azure, POST
/openai/deployments/NAME/chat/completions?api-version=API_VERSION and the key in
the `api-key` header instead of `Authorization: Bearer`.
--non-streamed: a normal turn is answered as a server that ignores
  "stream": true does (older llama.cpp, some proxies): HTTP 200 with one
  chat.completion JSON body (§2.2), its usage always present.
--check-history: 400 for a request whose messages break the API's rules: a
  tool message that does not answer a tool_call of the assistant message
  before it (tool messages directly after it), a tool_call left unanswered,
  arguments that are not a JSON string.

The script is {"turns": [TURN, ...]}. A TURN is one of
  normal: {"text"?, "tool_calls"?: [{"name", "input", "id"?}], "finish_reason"?,
           "usage"?: {"prompt_tokens", "completion_tokens", "cached_tokens"},
           "no_usage"?: true   no usage chunk even when include_usage is asked
           "style"?: "fragments" (default: arguments in several chunks, vLLM and
                     llama.cpp) | "whole" (each call whole in one chunk, Ollama)
                     | "interleaved" (the calls' fragments alternate by index)
           "no_ids"?: true     tool calls without ids (some local servers)
           "no_done"?: true    the body ends after the last chunk, no [DONE]
           "reasoning"?: "..."  reasoning_content chunks before the text
           "text_step"?: N}     text in deltas of N characters (default: 4 pieces)
  {"fault": "status", "status": 429, "retry_after"?, "retry_after_ms"?,
   "shape"?: "openai" | "flat" (old vLLM) | "string" | "azure" | "llamacpp", "body"?: raw}
  {"fault": "cut_mid_text", "text"?}     text chunks, then an abrupt close
  {"fault": "cut_mid_tool", "tool_calls"} half the arguments, then an abrupt close
  {"fault": "mid_stream_error", "text"?, "done"?: bool, "error_type"?, "code"?}
                                         text, then data: {"error": {...}} (llama.cpp,
                                         vLLM; type server_error and code 500 unless
                                         given), then [DONE] when "done"
  {"fault": "length_mid_tool", "tool_calls"} half the arguments, finish_reason length
"window": N in the script makes every request whose token estimate (its JSON
bytes / 4, or / "bytes_per_token": B) plus its max_tokens (or
max_completion_tokens) passes N a 400 as a server with that context length
gives it ("This model's maximum context length is N tokens. However, you
requested T tokens ...", code context_length_exceeded).
A compaction request (deskhand's summarising request: its system message
starts "You summarise the earlier part of a working session") is answered
with a summary without taking a turn, as in the Anthropic fake.
Every request is logged as {"n", "method", "path", "headers" (lowercased; the key
"<redacted>"), "tokens" (POST: the estimate), "body"}. After the last turn every
request gets 500.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

import anthropic_server as base
from anthropic_server import COMPACT_SYSTEM, estimate_tokens, split_points

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
               404: "not_found_error", 429: "rate_limit_exceeded", 500: "server_error",
               503: "unavailable_error"}


def error_body(status, message, shape="openai"):
    etype = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    if shape == "flat":
        return json.dumps({"object": "error", "message": message, "type": "BadRequestError",
                           "param": None, "code": status})
    if shape == "string":
        return json.dumps({"error": message})
    if shape == "azure":
        return json.dumps({"error": {"code": str(status), "message": message}})
    if shape == "llamacpp":
        return json.dumps({"error": {"code": status, "message": message, "type": etype}})
    return json.dumps({"error": {"message": message, "type": etype, "param": None,
                                 "code": None}})


def history_problem(body):
    msgs = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(msgs, list) or not msgs:
        return "messages: at least one message is required"
    pending = []  # tool_call ids of the last assistant message not yet answered
    for i, m in enumerate(msgs):
        role = m.get("role") if isinstance(m, dict) else None
        if role not in ("system", "user", "assistant", "tool"):
            return "messages[%d]: unknown role %r" % (i, role)
        if role == "tool":
            tid = m.get("tool_call_id")
            if tid not in pending:
                return ("messages[%d]: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls' (%r)" % (i, tid))
            pending.remove(tid)
            if not isinstance(m.get("content"), str):
                return "messages[%d].content: a tool message holds a string here" % i
            continue
        if pending:
            return ("messages[%d]: an assistant message with 'tool_calls' must be followed "
                    "by tool messages responding to each 'tool_call_id': %s"
                    % (i, ", ".join(pending)))
        if role == "assistant":
            for j, c in enumerate(m.get("tool_calls") or []):
                args = (c.get("function") or {}).get("arguments")
                if not isinstance(args, str):
                    return "messages[%d].tool_calls[%d].function.arguments: not a string" % (i, j)
                try:
                    json.loads(args)
                except ValueError:
                    return "messages[%d].tool_calls[%d].function.arguments: not JSON" % (i, j)
                pending.append(c.get("id"))
    if pending:
        return "the last assistant message's tool_calls are unanswered: " + ", ".join(pending)
    return None


class State:
    def __init__(self, script, args):
        self.turns = script.get("turns", [])
        self.args = args
        self.lock = threading.Lock()
        self.n = 0
        self.next_turn = 0
        self.window = script.get("window")
        self.bytes_per_token = script.get("bytes_per_token", 4)


def is_compaction(body):
    msgs = body.get("messages") if isinstance(body, dict) else None
    first = msgs[0] if isinstance(msgs, list) and msgs and isinstance(msgs[0], dict) else {}
    text = first.get("content")
    if isinstance(text, list):
        text = "".join(b.get("text", "") for b in text if isinstance(b, dict))
    return first.get("role") == "system" and isinstance(text, str) and \
        text.startswith(COMPACT_SYSTEM)


class Handler(base.Handler):
    """The HTTP plumbing (send_json, start_stream, write_chunk, end_stream,
    abrupt_close) is the Anthropic fake's."""
    server_version = "fake-openai/1"

    def data(self, raw):
        """One `data:` event in two TCP writes (a UTF-8 character may be split)."""
        b = ("data: %s\n\n" % raw).encode("utf-8")
        k = len(b) // 2
        for p in (b[:k], b[k:]) if len(b) > 8 else (b,):
            self.write_chunk(p)
            time.sleep(0.0005)

    def chunk(self, delta, finish=None, choices=True, usage=False):
        obj = {"id": "chatcmpl-test%d" % self.n, "object": "chat.completion.chunk",
               "created": 1741570283, "model": self.body.get("model", "fake"),
               "system_fingerprint": "fp_fake"}
        obj["choices"] = ([{"index": 0, "delta": delta, "logprobs": None,
                            "finish_reason": finish}] if choices else [])
        if self.include_usage:
            obj["usage"] = usage or None
        self.data(json.dumps(obj, ensure_ascii=False))

    def text_chunks(self, text, step=None):
        pieces = ([(a, min(a + step, len(text))) for a in range(0, len(text), step)] if step
                  else split_points(len(text), 4))
        for a, b in pieces:
            self.chunk({"content": text[a:b]})

    def call_fragments(self, k, call, no_ids):
        """The chunks' tool_calls entries of call k, first to last."""
        cid = call.get("id") or "call_%d_%d" % (self.n, k)
        args = json.dumps(call.get("input", {}), ensure_ascii=False)
        head = {"index": k, "type": "function", "function": {"name": call["name"],
                                                             "arguments": ""}}
        if not no_ids:
            head["id"] = cid
        frags = [head] + [{"index": k, "function": {"arguments": args[a:b]}}
                          for a, b in split_points(len(args), 4)]
        return frags, args, head

    def turn_usage(self, turn):
        u = turn.get("usage") or {}
        usage = {"prompt_tokens": u.get("prompt_tokens", 10),
                 "completion_tokens": u.get("completion_tokens", 5)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if "cached_tokens" in u:
            usage["prompt_tokens_details"] = {"cached_tokens": u["cached_tokens"]}
        return usage

    def completion(self, turn):
        """The turn as one chat.completion body (--non-streamed)."""
        calls = turn.get("tool_calls") or []
        msg = {"role": "assistant", "content": turn.get("text") or None}
        if calls:
            msg["tool_calls"] = []
            for k, call in enumerate(calls):
                c = {"type": "function",
                     "function": {"name": call["name"],
                                  "arguments": json.dumps(call.get("input", {}),
                                                          ensure_ascii=False)}}
                if not turn.get("no_ids"):
                    c["id"] = call.get("id") or "call_%d_%d" % (self.n, k)
                msg["tool_calls"].append(c)
        obj = {"id": "chatcmpl-test%d" % self.n, "object": "chat.completion",
               "created": 1741570283, "model": self.body.get("model", "fake"),
               "choices": [{"index": 0, "message": msg, "logprobs": None,
                            "finish_reason": turn.get("finish_reason") or
                            ("tool_calls" if calls else "stop")}],
               "usage": self.turn_usage(turn)}
        self.send_json(200, json.dumps(obj, ensure_ascii=False))

    def normal(self, turn):
        if self.server.state.args.non_streamed:
            return self.completion(turn)
        self.start_stream()
        calls = turn.get("tool_calls") or []
        style = turn.get("style", "fragments")
        self.chunk({"role": "assistant", "content": ""})
        if turn.get("reasoning"):
            for a, b in split_points(len(turn["reasoning"]), 2):
                self.chunk({"reasoning_content": turn["reasoning"][a:b]})
        if turn.get("text"):
            self.text_chunks(turn["text"], turn.get("text_step"))
        frag_lists = []
        for k, call in enumerate(calls):
            frags, args, head = self.call_fragments(k, call, turn.get("no_ids"))
            if style == "whole":
                whole = dict(head)
                whole["function"] = {"name": call["name"], "arguments": args}
                frag_lists.append([whole])
            else:
                frag_lists.append(frags)
        if style == "interleaved":
            order = []
            for i in range(max((len(f) for f in frag_lists), default=0)):
                order += [f[i] for f in frag_lists if i < len(f)]
        else:
            order = [f for fl in frag_lists for f in fl]
        for f in order:
            self.chunk({"tool_calls": [f]})
        finish = turn.get("finish_reason") or ("tool_calls" if calls else "stop")
        self.chunk({}, finish)
        if self.include_usage and not turn.get("no_usage"):
            self.chunk(None, choices=False, usage=self.turn_usage(turn))
        if not turn.get("no_done"):
            self.data("[DONE]")
        self.end_stream()

    def fault_status(self, turn):
        status = turn.get("status", 500)
        extra = {}
        for key, header in (("retry_after", "retry-after"), ("retry_after_ms", "retry-after-ms")):
            if turn.get(key) is not None:
                extra[header] = str(turn[key])
        body = turn.get("body")
        if body is None:
            msg = {429: "Rate limit reached for requests", 503: "Loading model"}.get(
                status, "fake error %d" % status)
            body = error_body(status, msg, turn.get("shape", "openai"))
        self.send_json(status, body, extra)

    def do_GET(self):
        st = self.server.state
        with st.lock:
            st.n += 1
            self.n = st.n
        self.log_request_line("GET", None)
        if urlsplit(self.path).path.rstrip("/") == "/v1/models":
            return self.send_json(200, json.dumps({"object": "list", "data": [
                {"id": "fake-model", "object": "model", "created": 1, "owned_by": "fake"}]}))
        return self.send_json(404, error_body(404, "no route " + self.path))

    def log_request_line(self, method, body, tokens=None):
        st = self.server.state
        headers = {k.lower(): v for k, v in self.headers.items()}
        for k in ("authorization", "api-key"):
            if k in headers:
                headers[k] = "<redacted>"
        with st.lock:
            with open(st.args.log, "a") as f:
                entry = {"n": self.n, "method": method, "path": self.path,
                         "headers": headers, "body": body}
                if tokens is not None:
                    entry["tokens"] = tokens
                f.write(json.dumps(entry) + "\n")

    def do_POST(self):
        st = self.server.state
        args = st.args
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        with st.lock:
            st.n += 1
            self.n = st.n
        try:
            self.body = json.loads(raw.decode("utf-8") if raw else "null")
            bad = not isinstance(self.body, dict)
        except ValueError:
            self.body, bad = {"unparsable": raw.decode("utf-8", "replace")}, True
        self.log_request_line("POST", self.body, estimate_tokens(self.body, st.bytes_per_token))
        self.include_usage = bool((self.body.get("stream_options") or {}).get("include_usage")) \
            if not bad else False

        url = urlsplit(self.path)
        if args.azure:
            key = self.headers.get("api-key")
            if self.headers.get("authorization"):
                return self.send_json(401, error_body(401, "fake azure: use the api-key header",
                                                      "azure"))
            parts = url.path.split("/")
            ok = (len(parts) == 6 and parts[1:3] == ["openai", "deployments"]
                  and parts[4:] == ["chat", "completions"])
            if not ok:
                return self.send_json(404, error_body(404, "DeploymentNotFound: " + url.path,
                                                      "azure"))
            ver = parse_qs(url.query).get("api-version", [None])[0]
            if ver != args.azure:
                return self.send_json(400, error_body(400, "unsupported api-version %r" % ver,
                                                      "azure"))
        else:
            auth = self.headers.get("authorization") or ""
            key = auth[7:] if auth.startswith("Bearer ") else None
            if url.path != "/v1/chat/completions":
                return self.send_json(404, error_body(404, "no route " + self.path))
        if args.require_key is not None and key != args.require_key:
            return self.send_json(401, error_body(401, "Incorrect API key provided",
                                                  "azure" if args.azure else "openai"))
        if bad:
            return self.send_json(400, error_body(400, "fake: the body is not a JSON object"))
        if self.body.get("stream") is not True:
            return self.send_json(400, error_body(400, "fake: only streamed requests"))
        if args.check_history:
            problem = history_problem(self.body)
            if problem:
                return self.send_json(400, error_body(400, problem))
        if st.window is not None:
            tokens = estimate_tokens(self.body, st.bytes_per_token)
            out = self.body.get("max_completion_tokens") or self.body.get("max_tokens") or 0
            if tokens + out > st.window:
                body = json.loads(error_body(400, (
                    "This model's maximum context length is %d tokens. However, you requested "
                    "%d tokens (%d in the messages, %d in the completion). Please reduce the "
                    "length of the messages or completion." % (st.window, tokens + out, tokens,
                                                                out))))
                body["error"]["code"] = "context_length_exceeded"
                return self.send_json(400, json.dumps(body))
        if is_compaction(self.body):
            try:
                self.normal({"text": "Task:\n- the person's task (fake summary of request %d)\n"
                             "Decisions:\n- none\nPlan state:\n- as the plan says\n"
                             "Files changed:\n- see the list\nOpen questions:\n- none"
                             % self.n})
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return

        with st.lock:
            i = st.next_turn
            turn = st.turns[i] if i < len(st.turns) else None
            if turn is not None:
                st.next_turn = i + 1
        if turn is None:
            return self.send_json(500, error_body(500, "fake: script exhausted"))

        fault = turn.get("fault")
        try:
            if fault is None:
                self.normal(turn)
            elif fault == "status":
                self.fault_status(turn)
            elif fault == "cut_mid_text":
                self.start_stream()
                self.chunk({"role": "assistant", "content": ""})
                self.text_chunks(turn.get("text", "Partial answer"))
                self.abrupt_close()
            elif fault in ("cut_mid_tool", "length_mid_tool"):
                self.start_stream()
                self.chunk({"role": "assistant", "content": None})
                frags, js, head = self.call_fragments(0, turn["tool_calls"][0], False)
                self.chunk({"tool_calls": [head]})
                self.chunk({"tool_calls": [{"index": 0,
                                            "function": {"arguments": js[:len(js) // 2]}}]})
                if fault == "cut_mid_tool":
                    return self.abrupt_close()
                self.chunk({}, "length")
                self.data("[DONE]")
                self.end_stream()
            elif fault == "mid_stream_error":
                self.start_stream()
                self.chunk({"role": "assistant", "content": ""})
                self.text_chunks(turn.get("text", "Partial answer"))
                self.data(json.dumps({"error": {"code": turn.get("code", 500),
                                                "message": "fake: the model crashed",
                                                "type": turn.get("error_type",
                                                                 "server_error")}}))
                if turn.get("done"):
                    self.data("[DONE]")
                self.end_stream()
            else:
                self.send_json(500, error_body(500, "fake: unknown fault %r" % fault))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--require-key")
    ap.add_argument("--azure", metavar="API_VERSION")
    ap.add_argument("--check-history", action="store_true")
    ap.add_argument("--non-streamed", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=300)
    args = ap.parse_args()
    with open(args.script) as f:
        script = json.load(f)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(script, args)
    open(args.log, "a").close()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    threading.Thread(target=base.watchdog, args=(os.getppid(), args.max_seconds), daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()

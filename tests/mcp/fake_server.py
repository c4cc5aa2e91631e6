#!/usr/bin/env python3
# A scripted MCP server over stdio for deskhand's tests: it speaks 2025-11-25
# (initialize) and, with --discover, 2026-07-28 (server/discover). Its tools
# misbehave on purpose: "hang" never answers, "huge" answers with BYTES of
# text on one line, "badjson" answers with a line that is not JSON, "die"
# exits, "ask" elicits (a server request in 2025-11-25, an input_required
# result in 2026-07-28), "count" sends progress. Each line it receives is
# appended to --log FILE when given.
import json
import sys

args = sys.argv[1:]
discover = "--discover" in args
log = args[args.index("--log") + 1] if "--log" in args else None
pages = "--pages" in args
huge = int(args[args.index("--huge") + 1]) if "--huge" in args else 50 << 20

TOOLS = [
    {"name": "echo", "description": "Echo the text back.",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                     "required": ["text"]},
     "annotations": {"readOnlyHint": True}},
    {"name": "hang", "description": "Never answers.", "inputSchema": {"type": "object"}},
    {"name": "huge", "description": "Answers with a huge result.",
     "inputSchema": {"type": "object"}},
    {"name": "badjson", "description": "Answers with invalid JSON.",
     "inputSchema": {"type": "object"}},
    {"name": "ask", "description": "Asks the person for a name.",
     "inputSchema": {"type": "object"}},
    {"name": "count", "description": "Reports progress.", "inputSchema": {"type": "object"}},
    {"name": "die", "description": "Exits.", "inputSchema": {"type": "object"}},
]

pending_elicit = {}


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def result(mid, res):
    send({"jsonrpc": "2.0", "id": mid, "result": res})


def text(s):
    return {"content": [{"type": "text", "text": s}]}


def call_tool(mid, params, rev2026):
    name = params.get("name")
    a = params.get("arguments") or {}
    if name == "echo":
        result(mid, text("echo: " + str(a.get("text"))))
    elif name == "hang":
        pass
    elif name == "huge":
        sys.stdout.write('{"jsonrpc":"2.0","id":%d,"result":{"content":[{"type":"text","text":"'
                         % mid)
        chunk = "x" * 65536
        for _ in range(huge // len(chunk)):
            sys.stdout.write(chunk)
        sys.stdout.write('"}]}}\n')
        sys.stdout.flush()
    elif name == "badjson":
        sys.stdout.write('{"jsonrpc":"2.0","id":%d,"result":{nope\n' % mid)
        sys.stdout.flush()
    elif name == "die":
        sys.exit(3)
    elif name == "count":
        tok = (params.get("_meta") or {}).get("progressToken")
        if tok is not None:
            for i in range(1, 4):
                send({"jsonrpc": "2.0", "method": "notifications/progress",
                      "params": {"progressToken": tok, "progress": i, "total": 3}})
        result(mid, text("counted"))
    elif name == "ask":
        schema = {"type": "object", "properties": {
            "name": {"type": "string", "default": "Ada"}}}
        if rev2026:
            answers = params.get("inputResponses")
            if not answers:
                result(mid, {"resultType": "input_required", "requestState": "st-1",
                             "inputRequests": {"who": {"method": "elicitation/create",
                                                       "params": {"mode": "form",
                                                                  "message": "Your name?",
                                                                  "requestedSchema": schema}}}})
            else:
                who = answers["who"]
                result(mid, text("hello %s (%s, state %s)" % (
                    (who.get("content") or {}).get("name"), who.get("action"),
                    params.get("requestState"))))
        else:
            pending_elicit[1000 + mid] = mid
            send({"jsonrpc": "2.0", "id": 1000 + mid, "method": "elicitation/create",
                  "params": {"mode": "form", "message": "Your name?",
                             "requestedSchema": schema}})
    else:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32602,
                                                    "message": "unknown tool " + str(name)}})


def main():
    for line in sys.stdin:
        if log:
            with open(log, "a") as f:
                f.write(line)
        msg = json.loads(line)
        method = msg.get("method")
        mid = msg.get("id")
        params = msg.get("params") or {}
        rev2026 = "io.modelcontextprotocol/protocolVersion" in (params.get("_meta") or {})
        if method is None:
            if mid in pending_elicit:
                orig = pending_elicit.pop(mid)
                r = msg.get("result") or {}
                result(orig, text("hello %s (%s)" % ((r.get("content") or {}).get("name"),
                                                     r.get("action"))))
            continue
        if mid is None:
            continue
        if method == "server/discover":
            if discover:
                result(mid, {"resultType": "complete", "supportedVersions": ["2026-07-28"],
                             "capabilities": {"tools": {}},
                             "serverInfo": {"name": "fake", "version": "1"}})
            else:
                send({"jsonrpc": "2.0", "id": mid,
                      "error": {"code": -32601, "message": "Method not found"}})
        elif method == "initialize":
            result(mid, {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                         "serverInfo": {"name": "fake", "version": "1"}})
        elif method == "tools/list":
            if pages:
                cur = int(params.get("cursor") or 0)
                res = {"tools": TOOLS[cur:cur + 2]}
                if cur + 2 < len(TOOLS):
                    res["nextCursor"] = str(cur + 2)
                result(mid, res)
            else:
                result(mid, {"tools": TOOLS})
        elif method == "tools/call":
            call_tool(mid, params, rev2026)
        elif method == "ping":
            result(mid, {})
        else:
            send({"jsonrpc": "2.0", "id": mid,
                  "error": {"code": -32601, "message": "Method not found"}})


main()

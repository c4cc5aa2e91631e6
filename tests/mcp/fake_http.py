#!/usr/bin/env python3
# A scripted Streamable HTTP MCP server (2026-07-28) for deskhand's tests.
#   fake_http.py PORTFILE
# listens on 127.0.0.1 (a free port, written to PORTFILE) at /mcp. Tools:
# "ok" answers as JSON, "sse" as an event stream, "badjson" with a body that
# is not JSON, "huge" with 10 MB, "e500" with HTTP 500 and a text body,
# "hang" never answers, "gone" answers 401. Records each request's
# Mcp-Method and Mcp-Name headers on stderr. With --session it speaks
# 2025-11-25 only, with MCP-Session-Id: tool "expire" ends the session (404
# from then on to its id), tool "ok" answers.
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOOLS = [{"name": n, "inputSchema": {"type": "object"}}
         for n in ("ok", "sse", "badjson", "huge", "e500", "hang", "gone")]


SESSION = "--session" in sys.argv
state = {"n": 0, "dead": set()}


class H(BaseHTTPRequestHandler):
    # TCP_NODELAY: a response written in small pieces (an SSE event at a time)
    # goes out at once, not after the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send(405, "no GET stream", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        msg = json.loads(self.rfile.read(n))
        sys.stderr.write("%s %s %s\n" % (msg.get("method"), self.headers.get("Mcp-Method"),
                                         self.headers.get("Mcp-Name")))
        mid = msg.get("id")
        if SESSION:
            self.session(msg, mid)
            return
        if mid is None:
            self.send(202, "")
            return
        m = msg.get("method")
        if m == "server/discover":
            res = {"resultType": "complete", "supportedVersions": ["2026-07-28"],
                   "capabilities": {"tools": {}}, "serverInfo": {"name": "fakehttp", "version": "1"}}
        elif m == "tools/list":
            res = {"resultType": "complete", "tools": TOOLS}
        elif m == "tools/call":
            name = msg["params"]["name"]
            if name == "sse":
                ev = json.dumps({"jsonrpc": "2.0", "id": mid, "result": {
                    "content": [{"type": "text", "text": "streamed"}]}})
                self.send(200, "id: 1\nretry: 100\ndata: \n\nevent: message\ndata: %s\n\n" % ev,
                          "text/event-stream")
                return
            if name == "badjson":
                self.send(200, '{"jsonrpc":"2.0","id":%d,"result":{' % mid)
                return
            if name == "huge":
                self.send(200, '{"jsonrpc":"2.0","id":%d,"result":{"content":[{"type":"text","text":"%s"}]}}'
                          % (mid, "x" * (10 << 20)))
                return
            if name == "e500":
                self.send(500, "Internal trouble\nsecond line", "text/plain")
                return
            if name == "hang":
                time.sleep(30)
                return
            if name == "gone":
                self.send(401, "", "text/plain")
                return
            res = {"resultType": "complete", "content": [{"type": "text", "text": "fine"}]}
        else:
            res = {}
        self.send(200, json.dumps({"jsonrpc": "2.0", "id": mid, "result": res}))


    def session(self, msg, mid):
        sid = self.headers.get("MCP-Session-Id")
        m = msg.get("method")
        if m == "initialize":
            state["n"] += 1
            body = json.dumps({"jsonrpc": "2.0", "id": mid, "result": {
                "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                "serverInfo": {"name": "fakesession", "version": "1"}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("MCP-Session-Id", "s%d" % state["n"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if m == "server/discover":
            self.send(400, json.dumps({"jsonrpc": "2.0", "id": mid, "error": {
                "code": -32601, "message": "Method not found"}}))
            return
        if not sid or sid in state["dead"]:
            self.send(404, "no such session", "text/plain")
            return
        if mid is None:
            self.send(202, "")
            return
        if m == "tools/list":
            res = {"tools": [{"name": n, "inputSchema": {"type": "object"}}
                             for n in ("expire", "ok")]}
        elif m == "tools/call" and msg["params"]["name"] == "expire":
            state["dead"].add(sid)
            self.send(404, "no such session", "text/plain")
            return
        else:
            res = {"content": [{"type": "text", "text": "fine in " + sid}]}
        self.send(200, json.dumps({"jsonrpc": "2.0", "id": mid, "result": res}))


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open([a for a in sys.argv[1:] if not a.startswith("--")][0], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()

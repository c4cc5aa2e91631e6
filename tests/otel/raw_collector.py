#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A test OpenTelemetry collector on loopback that keeps each request's bytes
as they came, for what the decoding collector (collector.js, protobufjs)
would smooth over: its decoder turns bytes that are not UTF-8 into U+FFFD
where strict receivers (the protobuf runtimes of C++, Java, Python) refuse
the whole request. Standard library only.

  raw_collector.py --port-file F --out F

Each POST becomes one JSON line in --out: {"path", "content_type", "body"}
(body: base64 of the bytes). Every request is answered 200 {}.
"""
import argparse
import base64
import http.server
import json
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--out", required=True)
args = ap.parse_args()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        line = {"path": self.path, "content_type": self.headers.get("Content-Type", ""),
                "body": base64.b64encode(body).decode()}
        with lock, open(args.out, "a") as f:
            f.write(json.dumps(line) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file, "w") as f:
    f.write(str(server.server_address[1]))
threading.Timer(600, server.shutdown).start()
server.serve_forever()

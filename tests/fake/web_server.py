#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Loopback web server for the egress tests. Standard library only.

  web_server.py --port-file FILE --log FILE [--bind 127.0.0.1]
  web_server.py --print-big      (writes the /big.html body to stdout)

Every request line it receives is appended to --log ("METHOD PATH"), so a test
can assert that an attack never reached it. Routes:
  /page.html        an HTML page (title, headings, paragraphs, list, links, a script)
  /plain.txt        text/plain
  /latin.txt, /sjis.txt, /odd.txt  text/plain in windows-1252, Shift_JIS, an unknown charset
  /big.html         about 3 MB of HTML
  /bin              application/octet-stream
  /bare.bin, /bare.txt  no Content-Type: bytes of a PNG image, plain text
  /redirect?to=URL  302 to URL
  /loop             302 to itself
  /moved            301 without a Location header
  /notmodified      304, with a Location header to /plain.txt it must not follow
  /slow             text/plain: a first line, then a byte every 0.2 s, never ending
  /stall            no answer at all for a minute
  /deep.html?n=N    HTML: "top", then "deep" inside N nested divs, then "after"
  /typed?type=T&body=B&status=N  Content-Type T, body B (percent-encoded bytes,
                    default "caf\xc3\xa9"), status N (default 200)
  /echo?...         text/plain echo of the path (any other path too)
"""

import argparse
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BIG = b"<html><body>" + b"<p>filler paragraph</p>\n" * 130000 + b"</body></html>"

PAGE = b"""<!DOCTYPE html>
<html><head><title>Quarterly  report
</title><style>body { color: red }</style>
<script>document.write("SCRIPT-TEXT-MUST-NOT-APPEAR")</script></head>
<body>
<h1>Results</h1>
<p>Revenue grew by <b>12%</b> this quarter. See the
<a href="/details.html">detailed figures</a> and the
<a href="https://example.org/methodology">methodology</a>.</p>
<h2>Next steps</h2>
<ul><li>Hire two engineers</li><li>Ship version 2</li></ul>
<noscript>NOSCRIPT-TEXT</noscript>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    # TCP_NODELAY: a response written in small pieces (an SSE event at a time)
    # goes out at once, not after the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        with open(self.server.log_path, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))

    def send(self, status, ctype, body, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        self.record()
        u = urlsplit(self.path)
        if u.path == "/page.html":
            self.send(200, "text/html; charset=utf-8", PAGE)
        elif u.path == "/plain.txt":
            self.send(200, "text/plain", b"just plain text\nline two\n")
        elif u.path == "/latin.txt":
            self.send(200, "text/plain; charset=windows-1252", b"price \x80 5, caf\xe9\n")
        elif u.path == "/sjis.txt":
            self.send(200, "text/plain; charset=shift_jis", "日本語のテキスト\n".encode("shift_jis"))
        elif u.path == "/odd.txt":
            self.send(200, "text/plain; charset=x-no-such", b"plain caf\xc3\xa9\n")
        elif u.path == "/big.html":
            self.send(200, "text/html", BIG)
        elif u.path == "/bin":
            self.send(200, "application/octet-stream", b"\x00\x01\x02")
        elif u.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"the first line of a slow page\n")
            self.close_connection = True
            try:
                for _ in range(3000):
                    self.wfile.flush()
                    time.sleep(0.2)
                    self.wfile.write(b".")
            except OSError:  # the client gave up
                pass
        elif u.path == "/stall":
            time.sleep(60)
            self.close_connection = True
        elif u.path in ("/bare.bin", "/bare.txt"):
            body = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" if u.path == "/bare.bin"
                    else b"bare text without a type\n")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        elif u.path == "/moved":
            self.send(301, "text/plain", b"moved somewhere\n")
        elif u.path == "/notmodified":
            self.send(304, "text/plain", b"", {"Location": "/plain.txt"})
        elif u.path == "/loop":
            self.send(302, "text/plain", b"again\n", {"Location": "/loop"})
        elif u.path == "/deep.html":
            n = int(parse_qs(u.query).get("n", ["300"])[0])
            self.send(200, "text/html", b"<p>top</p>" + b"<div>" * n + b"deep" +
                      b"</div>" * n + b"<p>after</p>")
        elif u.path == "/typed":
            q = parse_qs(u.query, keep_blank_values=True, encoding="latin-1")
            body = q.get("body", ["caf\xc3\xa9\n"])[0].encode("latin-1")
            self.send(int(q.get("status", ["200"])[0]), q.get("type", ["text/plain"])[0], body)
        elif u.path == "/redirect":
            to = parse_qs(u.query).get("to", ["/plain.txt"])[0]
            self.send(302, "text/plain", b"moved\n", {"Location": to})
        else:
            self.send(200, "text/plain", ("echo " + self.path + "\n").encode())

    do_HEAD = do_GET

    def do_POST(self):
        self.record()
        n = int(self.headers.get("Content-Length", "0") or 0)
        self.rfile.read(n)
        self.send(200, "text/plain", b"posted\n")


def main():
    if sys.argv[1:] == ["--print-big"]:  # the /big.html body, for checksums
        sys.stdout.buffer.write(BIG)
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    a = ap.parse_args()
    srv = ThreadingHTTPServer((a.bind, 0), Handler)
    srv.log_path = a.log
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

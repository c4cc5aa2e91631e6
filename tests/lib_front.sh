# Helpers for the front_*.sh tests (source after lib.sh, which gives each
# test its own engines' socket directory and kills its engines at exit).
SOCKDIR=$XDG_RUNTIME_DIR/deskhand

# now_ms: wall clock in ms.
now_ms() { date +%s%3N; }


# slow_collector: an OTLP/HTTP collector that answers each export 400 ms
# after it came, exported to the engines (OTEL_EXPORTER_OTLP_*): an engine's
# last export is waited for, so every engine is slow to close.
slow_collector() {
  python3 - "$T/col.port" <<'PY' >"$T/col.err" 2>&1 &
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(0.4)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
  FAKE_PIDS="$FAKE_PIDS $!"
  for _ in $(seq 1 100); do [ -s "$T/col.port" ] && break; sleep 0.05; done
  [ -s "$T/col.port" ] || { cat "$T/col.err" >&2; fail "the collector did not start"; }
  export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$T/col.port")
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/json
}

#!/usr/bin/env bash
# `deskhand mcp client` over Streamable HTTP against a scripted server
# (tests/mcp/fake_http.py, 2026-07-28): a JSON answer and an SSE answer reach
# the model text; a body that is not JSON, a 10 MB body, HTTP 500, a server
# that never answers and a 401 each end their call with a clean, named error
# (the 401 leaves the server needing authorization); every POST carries
# Mcp-Method, and tools/call its Mcp-Name. A 2025-11-25 session the server ends
# (404) is initialized anew.
. "$(dirname "$0")/../lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
python3 "$DH_TESTS/mcp/fake_http.py" "$T/port" 2>"$T/srv.log" &
WEB_PID=$!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "the test server did not start"
url=http://127.0.0.1:$(cat "$T/port")/mcp

rc=0; out=$("$DESKHAND" mcp client --timeout 5000 "$url" 2>&1) || rc=$?
echo "$out" | cut -c1-200
assert_eq "$rc" 1 "failed steps fail the run"
assert_contains "$out" "(protocol 2026-07-28), 7 tools"
assert_contains "$out" $'tools/call ok:\nfine'
assert_contains "$out" $'tools/call sse:\nstreamed'
assert_contains "$out" "tools/call badjson: failed: client sent invalid JSON"
assert_contains "$out" "tools/call huge: failed: client sent a message larger than 8388608 bytes"
assert_contains "$out" "tools/call e500: failed: client answered HTTP 500: Internal trouble"
assert_not_contains "$out" "second line"
assert_contains "$out" "tools/call hang: failed: tools/call: no answer from client within 5000 ms"
assert_contains "$out" "tools/call gone: failed: HTTP 401 (authorization required): oauth: no protected resource metadata"
assert_file_contains "$T/srv.log" "server/discover server/discover None"
assert_file_contains "$T/srv.log" "tools/call tools/call sse"

# 2025-11-25 sessions: a 404 to our MCP-Session-Id fails the call in flight
# and a new session is initialized; the next call runs in it.
python3 "$DH_TESTS/mcp/fake_http.py" --session "$T/port2" 2>/dev/null &
FAKE_PID=$!
for _ in $(seq 1 100); do [ -s "$T/port2" ] && break; sleep 0.05; done
rc=0; out=$("$DESKHAND" mcp client --timeout 3000 "http://127.0.0.1:$(cat "$T/port2")/mcp" 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 1
assert_contains "$out" "(protocol 2025-11-25), 2 tools"
assert_contains "$out" "tools/call expire: failed: client ended the session (HTTP 404)"
assert_contains "$out" "initializing a new one"
assert_contains "$out" $'tools/call ok:\nfine in s2'

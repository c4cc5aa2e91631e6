#!/usr/bin/env bash
# `deskhand mcp client` over stdio against a scripted server (tests/mcp/fake_server.py)
# at both revisions: tools listed across pages, a call answered, and each
# misbehaviour a clean, named error while the session goes on: a server that
# hangs (the per-request timeout), answers 50 MB (the message bound), sends
# invalid JSON, or exits; an elicitation answered with the form's default
# (2025-11-25: a server request; 2026-07-28: input_required, retried with the
# request state); progress notifications. 2026-07-28 requests carry _meta.
. "$(dirname "$0")/../lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
srv=$DH_TESTS/mcp/fake_server.py

out=$("$DESKHAND" mcp --help); assert_contains "$out" "usage: deskhand mcp COMMAND"
out=$("$DESKHAND" mcp client --help); assert_contains "$out" "usage: deskhand mcp client"
rc=0; "$DESKHAND" mcp client >/dev/null 2>&1 || rc=$?; assert_eq "$rc" 2 "no operand"
rc=0; "$DESKHAND" mcp bogus >/dev/null 2>&1 || rc=$?; assert_eq "$rc" 2 "unknown command"

check() { # REVISION-LINE OUTPUT
  assert_contains "$2" "(protocol $1), 7 tools"
  assert_contains "$2" "tool echo (read-only)"
  assert_contains "$2" $'tools/call echo:\necho: test'
  assert_contains "$2" "tools/call hang: failed: tools/call: no answer from client within 5000 ms"
  assert_contains "$2" "tools/call huge: failed: client sent a message larger than 8388608 bytes"
  assert_contains "$2" "tools/call badjson: failed: client sent invalid JSON"
  assert_contains "$2" "progress 3/3"
  assert_contains "$2" $'tools/call count:\ncounted'
  assert_contains "$2" "tools/call die: failed: connector client exited with status 3"
}

start=$(date +%s)
rc=0; out=$("$DESKHAND" mcp client --timeout 5000 -- python3 "$srv" --huge 9000000 --log "$T/log25" 2>"$T/err25") || rc=$?
echo "$out" | cut -c1-200
assert_eq "$rc" 1 "a failed step fails the run"
check 2025-11-25 "$out"
assert_contains "$out" $'tools/call ask:\nhello Ada (accept)'
assert_file_contains "$T/err25" "server/discover failed"
grep -q '"method":"notifications/initialized"' "$T/log25" || fail "no notifications/initialized"

rc=0; out=$("$DESKHAND" mcp client --timeout 5000 -- python3 "$srv" --huge 9000000 --discover --pages --log "$T/log26" 2>&1) || rc=$?
echo "$out" | cut -c1-200
assert_eq "$rc" 1
check 2026-07-28 "$out"
assert_contains "$out" $'tools/call ask:\nhello Ada (accept, state st-1)'
# Every request carries its version, capabilities and client info; no initialize.
python3 - "$T/log26" <<'PY' || fail "a 2026-07-28 request without its _meta"
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if "id" in m and "method" in m:
        meta = m["params"]["_meta"]
        assert meta["io.modelcontextprotocol/protocolVersion"] == "2026-07-28", m
        assert meta["io.modelcontextprotocol/clientInfo"]["name"] == "deskhand", m
        assert "elicitation" in meta["io.modelcontextprotocol/clientCapabilities"], m
        assert m["method"] != "initialize", m
PY
grep -c '"method":"tools/list"' "$T/log26" | grep -qx 4 || fail "tools/list was not paged 4 times"
# Two hung calls at 3 s each, the rest immediate.
[ $(( $(date +%s) - start )) -lt 30 ] || fail "took too long"

# A command that does not exist: a clean failure, not a crash.
rc=0; out=$("$DESKHAND" mcp client --timeout 5000 -- "$T/nonexistent" 2>&1) || rc=$?
assert_eq "$rc" 1; assert_contains "$out" "nonexistent: No such file or directory"

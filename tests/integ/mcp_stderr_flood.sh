# A stdio connector that writes much to stderr, faster than deskhand reads it
# (a chatty server at debug level): its writes wait for room in the pipe as
# they would on a terminal, and it goes on. The pipe's write end was
# non-blocking, so such a server got EAGAIN and died of it (Python: exit 120,
# "BlockingIOError") before it could answer.
. "$DH_TESTS/lib.sh"
cat >"$T/chatty.py" <<'PY'
import json, sys
line = "debug: warming the cache " + "x" * 200 + "\n"
for _ in range(20000):            # ~4.5 MB, far more than a pipe holds
    sys.stderr.write(line)
sys.stderr.write("chatty: ready\n")
sys.stderr.flush()
def out(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for raw in sys.stdin:
    m = json.loads(raw)
    if m.get("id") is None:
        continue
    if m["method"] == "initialize":
        out({"jsonrpc": "2.0", "id": m["id"], "result": {"protocolVersion": "2025-11-25",
             "capabilities": {"tools": {}}, "serverInfo": {"name": "chatty", "version": "1"}}})
    elif m["method"] == "tools/list":
        out({"jsonrpc": "2.0", "id": m["id"], "result": {"tools": [{"name": "hello",
             "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}}]}})
    else:
        out({"jsonrpc": "2.0", "id": m["id"], "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"chatty": {"command": "python3", "args": ["$T/chatty.py"], "timeout": 20}}}
JSON
rc=0; out=$("$DESKHAND" mcp tools chatty 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_contains "$out" "chatty: ready, 1 tools"
assert_contains "$out" "mcp__chatty__hello"
log=$XDG_STATE_HOME/deskhand/mcp/chatty.log
assert_file_contains "$log" "chatty: ready"
assert_eq "$(grep -c 'debug: warming the cache' "$log")" 20000
echo ok

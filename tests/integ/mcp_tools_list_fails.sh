# A connector whose tools/list times out or fails has not started: `mcp
# tools` names it and the error and exits 1 (not "ready, 0 tools", exit
# 0), and a session tells the person instead of running without its tools.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
cat >"$T/srv.py" <<'PY'
import json, sys
mode = sys.argv[1]
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    m = json.loads(line)
    i, meth = m.get("id"), m.get("method")
    if meth == "initialize":
        send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": "2025-11-25",
              "capabilities": {"tools": {}}, "serverInfo": {"name": "s", "version": "1"}}})
    elif meth == "tools/list" and mode == "hang":
        pass
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32603, "message": "index offline"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"slow": {"command": "python3", "args": ["$T/srv.py", "hang"], "timeout": 3},
                "broken": {"command": "python3", "args": ["$T/srv.py", "error"]}}}
JSON

rc=0; out=$("$DESKHAND" mcp tools slow 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "slow: failed: connector slow could not list its tools: tools/list: no answer from slow within 3000 ms"
assert_not_contains "$out" "0 tools"
rc=0; out=$("$DESKHAND" mcp tools broken 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "broken: failed: connector broken could not list its tools: index offline"

echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || true
errs=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$errs" "connector slow could not list its tools: tools/list: no answer from slow within 3000 ms; its tools are not offered in this session"
assert_contains "$errs" "connector broken could not list its tools: index offline"
echo ok

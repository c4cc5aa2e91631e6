# A prompts or resources list the connector cannot give is named, not
# shown as an empty list: `mcp tools` says which list failed and why (the
# connector is still ready: exit 0), and a session tells the person once.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
cat >"$T/srv.py" <<'PY'
import json, sys
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    m = json.loads(line)
    i, meth = m.get("id"), m.get("method")
    if meth == "initialize":
        send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": "2025-11-25",
              "capabilities": {"tools": {}, "prompts": {}},
              "serverInfo": {"name": "s", "version": "1"}}})
    elif meth == "tools/list":
        send({"jsonrpc": "2.0", "id": i, "result": {"tools": [
            {"name": "echo", "inputSchema": {"type": "object"},
             "annotations": {"readOnlyHint": True}}]}})
    elif meth == "prompts/list":
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32603, "message": "prompt store offline"}})
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$T/srv.py"]}}}
JSON
rc=0; out=$("$DESKHAND" mcp tools s 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_contains "$out" "s: ready, 1 tools (2025-11-25); connector s could not list its prompts: prompt store offline (code -32603)"
assert_contains "$out" "mcp__s__echo"

echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || true
errs=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$errs" "connector s could not list its prompts: prompt store offline (code -32603); they are not offered in this session"
assert_eq "$(printf '%s\n' "$errs" | grep -c 'could not list its prompts')" 1 "told once: $errs"
echo ok

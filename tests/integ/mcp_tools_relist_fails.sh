# A connector that fails to list its tools again (after its
# notifications/tools/list_changed) has failed: the person gets an error
# event naming it and the error, and a call to one of its tools is
# answered with that, not "unknown tool" (its tool list was silently
# emptied, the connector still "ready").
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
cat >"$T/srv.py" <<'PY'
import json, sys
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
lists, pending = 0, None
for line in sys.stdin:
    m = json.loads(line)
    i, meth = m.get("id"), m.get("method")
    if meth == "initialize":
        send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": "2025-11-25",
              "capabilities": {"tools": {"listChanged": True}},
              "serverInfo": {"name": "s", "version": "1"}}})
    elif meth == "tools/list":
        lists += 1
        if lists == 1:
            send({"jsonrpc": "2.0", "id": i, "result": {"tools": [
                {"name": "change", "inputSchema": {"type": "object"},
                 "annotations": {"readOnlyHint": True}}]}})
        else:
            send({"jsonrpc": "2.0", "id": i, "error": {"code": -32603, "message": "index offline"}})
            if pending is not None:  # the call ends once the list failed
                send({"jsonrpc": "2.0", "id": pending,
                      "result": {"content": [{"type": "text", "text": "changed"}]}})
                pending = None
    elif meth == "tools/call":
        pending = i
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$T/srv.py"]}}}
JSON
cat >"$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "mcp__s__change", "input": {}}]},
 {"tool_calls": [{"name": "mcp__s__change", "input": {}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "use it" >"$T/out" 2>"$T/err" || true
errs=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$errs" "connector s could not list its tools again: index offline (code -32603); its tools are no longer offered in this session"
second=$(jq -r 'select(.type=="tool_result" and .name=="mcp__s__change") | .output' "$T/out" | tail -1)
assert_not_contains "$second" "unknown tool"
assert_contains "$second" "connector s could not list its tools again: index offline"
echo ok

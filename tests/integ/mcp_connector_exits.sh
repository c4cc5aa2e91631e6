# A connector that dies in the middle of a call (half a JSON line on stdout,
# a line on stderr, exit status 7): the call in flight fails with its exit
# status and its last stderr words (not "invalid JSON"), the person gets an
# error event naming the connector, and a later call to one of its tools is
# answered with the connector's fate, not "unknown tool".
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
cat >"$T/dies.py" <<'PY'
import json, sys
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    m = json.loads(line)
    i, meth = m.get("id"), m.get("method")
    if meth == "initialize":
        send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": "2025-11-25",
              "capabilities": {"tools": {}}, "serverInfo": {"name": "f", "version": "1"}}})
    elif meth == "tools/list":
        send({"jsonrpc": "2.0", "id": i, "result": {"tools": [
            {"name": n, "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}}
            for n in ("die", "echo")]}})
    elif meth == "tools/call":
        sys.stderr.write("fatal: the index is corrupt\n"); sys.stderr.flush()
        sys.stdout.write('{"jsonrpc": "2.0", "id": %d, "result": {"cont' % i); sys.stdout.flush()
        sys.exit(7)
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"f": {"command": "python3", "args": ["$T/dies.py"]}}}
JSON
cat >"$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "mcp__f__die", "input": {}}]},
 {"tool_calls": [{"name": "mcp__f__echo", "input": {}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "use it" >"$T/out" 2>"$T/err" || true
res() { jq -r --arg n "$1" 'select(.type=="tool_result" and .name==$n) | .output' "$T/out"; }
die=$(res mcp__f__die)
assert_contains "$die" "connector f exited with status 7"
assert_contains "$die" "its last words: fatal: the index is corrupt"
assert_not_contains "$die" "invalid JSON"
errs=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$errs" "connector f exited with status 7"
assert_contains "$errs" "its tools are no longer offered"
echo_=$(res mcp__f__echo)
assert_not_contains "$echo_" "unknown tool"
assert_contains "$echo_" "mcp__f__echo: not available: connector f exited with status 7"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" "done" "$(tail -3 "$T/err")"
echo ok

# A tools/call result whose "content" is not an array (a string here; the
# specification wants an array of blocks) is a tool error naming the
# connector and what is wrong, not an empty result the model takes for
# "nothing found". A well-formed result from the same server still reads.
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
              "capabilities": {"tools": {}}, "serverInfo": {"name": "s", "version": "1"}}})
    elif meth == "tools/list":
        send({"jsonrpc": "2.0", "id": i, "result": {"tools": [
            {"name": n, "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}}
            for n in ("stringy", "fine")]}})
    elif meth == "tools/call" and m["params"]["name"] == "stringy":
        send({"jsonrpc": "2.0", "id": i, "result": {"content": "the answer is 42"}})
    elif meth == "tools/call":
        send({"jsonrpc": "2.0", "id": i, "result": {"content": [{"type": "text", "text": "fine ran"}]}})
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$T/srv.py"]}}}
JSON
cat >"$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "mcp__s__stringy", "input": {}}]},
 {"tool_calls": [{"name": "mcp__s__fine", "input": {}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "use it" >"$T/out" 2>"$T/err" || true
res() { jq -r --arg n "$1" 'select(.type=="tool_result" and .name==$n) | .output' "$T/out"; }
err() { jq -r --arg n "$1" 'select(.type=="tool_result" and .name==$n) | .is_error' "$T/out"; }
assert_eq "$(res mcp__s__stringy)" \
	'mcp__s__stringy: connector s answered tools/call stringy with a "content" that is not an array' \
	"the result of stringy"
assert_eq "$(err mcp__s__stringy)" true "stringy is an error"
assert_eq "$(res mcp__s__fine)" "fine ran" "the result of fine"
assert_eq "$(err mcp__s__fine)" false "fine is no error"
echo ok

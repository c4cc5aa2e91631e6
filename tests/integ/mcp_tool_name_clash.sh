# Tools whose names clash once made fit for the model (get.item and get_item
# are both mcp__s__get_item; two long names equal once cut at 64): the first
# is offered, the others are named to the person (`mcp tools`, the session),
# and the count says what is offered, not what the server listed.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
L=$(printf 'a%.0s' $(seq 60))
cat >"$T/srv.py" <<'PY'
import json, sys
L = "a" * 60
NAMES = ["get.item", "get_item", "echo", L + "1", L + "2"]
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
            {"name": n, "description": "tool " + n, "inputSchema": {"type": "object"}}
            for n in NAMES]}})
    elif i is not None:
        send({"jsonrpc": "2.0", "id": i, "error": {"code": -32601, "message": "no"}})
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$T/srv.py"]}}}
JSON
cut=mcp__s__${L:0:56}

rc=0; out=$("$DESKHAND" mcp tools s 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
head=$(head -1 <<<"$out")
assert_contains "$head" "s: ready, 3 tools (2025-11-25); 2 not offered, their names clash:"
assert_contains "$head" "get_item (as mcp__s__get_item, the name of get.item)"
assert_contains "$head" "${L}2 (as $cut, the name of ${L}1)"
assert_eq "$(tail -n +2 <<<"$out" | wc -l)" 3 "$out"

echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || true
errs=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$errs" "connector s: 2 of its tools not offered, their names clash once made fit for the model: get_item (as mcp__s__get_item, the name of get.item)"
tools=$(head -1 "$FAKE_LOG" | jq -r '.body.tools[].name' | grep '^mcp__')
assert_eq "$(wc -l <<<"$tools")" 3 "$tools"
echo ok

# `deskhand mcp client` prints what a server sent made printable, as `mcp
# tools` does: a hostile server's name, tool names, results, error and log
# messages with escape sequences (a title, a screen clear, colours) or
# newlines cannot reach the terminal raw or forge a line of the report.
# They were printed as received.
. "$DH_TESTS/lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
cat > "$T/hostile.py" <<'PY'
import json, sys
E = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    m = json.loads(line)
    mid, method, p = m.get("id"), m.get("method"), m.get("params") or {}
    if mid is None:
        continue
    if method == "server/discover":
        send({"jsonrpc": "2.0", "id": mid,
              "error": {"code": -32601, "message": "Method not found"}})
    elif method == "initialize":
        send({"jsonrpc": "2.0", "id": mid, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}, "logging": {}},
            "serverInfo": {"name": "srv" + E, "version": "1\nforged: version"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": mid, "result": {"tools": [
            {"name": "t" + E, "description": "d" + E, "inputSchema": {"type": "object"}},
            {"name": "bad", "description": "fails", "inputSchema": {"type": "object"}}]}})
    elif method == "tools/call" and p.get("name") == "bad":
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32000,
              "message": "no" + E + "\nforged: error"}})
    elif method == "tools/call":
        send({"jsonrpc": "2.0", "method": "notifications/message",
              "params": {"level": "info", "data": "log" + E + "\nforged: log"}})
        tok = (p.get("_meta") or {}).get("progressToken")
        if tok is not None:
            send({"jsonrpc": "2.0", "method": "notifications/progress", "params": {
                "progressToken": tok, "progress": 1, "total": 1, "message": "p" + E}})
        send({"jsonrpc": "2.0", "id": mid, "result": {"content": [
            {"type": "text", "text": "line one" + E + "\nline two\x1b[0m"}]}})
    else:
        send({"jsonrpc": "2.0", "id": mid, "result": {}})
PY
rc=0
"$DESKHAND" mcp client --timeout 5000 -- python3 "$T/hostile.py" >"$T/out" 2>"$T/err" || rc=$?
cat -A "$T/out" | head -20
cat -A "$T/err" | head -5
for f in out err; do
	if grep -q $'[\033\a]' "$T/$f"; then fail "mcp client printed the server's escapes ($f)"; fi
	if grep -q '^forged' "$T/$f"; then fail "mcp client printed a forged line ($f)"; fi
done
out=$(cat "$T/out")
assert_contains "$out" 'connected: srv^[]0;owned^G^[[2J^[[31m 1^Jforged: version'
assert_contains "$out" '  tool t^[]0;owned^G^[[2J^[[31m'
assert_contains "$out" $'tools/call t^[]0;owned^G^[[2J^[[31m:\nline one^[]0;owned^G^[[2J^[[31m\nline two^[[0m'
assert_contains "$out" 'tools/call bad: error: no^[]0;owned^G^[[2J^[[31m^Jforged: error'
assert_contains "$out" 'progress 1/1 p^[]0;owned^G^[[2J^[[31m'
assert_contains "$(cat "$T/err")" 'mcp [info] log^[]0;owned^G^[[2J^[[31m^Jforged: log'
echo ok

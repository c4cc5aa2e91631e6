# `deskhand mcp client` with a stdio server prints what the server writes to
# its stderr a line at a time, as "mcp stderr: LINE", made printable: its
# escape sequences (a title, a screen clear, colours) and bytes that are not
# UTF-8 cannot reach the terminal raw. Before, the server's stderr was the
# terminal itself.
. "$DH_TESTS/lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
cat > "$T/noisy.py" <<'PY'
import json, sys
E = b"\x1b]0;owned\x07\x1b[2J\x1b[31m"
def say(b):
    sys.stderr.buffer.write(b); sys.stderr.flush()
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
say(b"starting" + E + b"\tred\xff\r\n")
for line in sys.stdin:
    m = json.loads(line)
    mid, method = m.get("id"), m.get("method")
    if mid is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": mid, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "noisy", "version": "1"}}})
    elif method == "tools/list":
        say(b"listing\n")
        send({"jsonrpc": "2.0", "id": mid, "result": {"tools": [
            {"name": "t", "description": "d", "inputSchema": {"type": "object"}}]}})
    elif method == "tools/call":
        say(b"called" + E)  # no newline: its last words, said at the end
        send({"jsonrpc": "2.0", "id": mid, "result": {"content": [
            {"type": "text", "text": "fine"}]}})
    elif method == "server/discover":
        send({"jsonrpc": "2.0", "id": mid,
              "error": {"code": -32601, "message": "Method not found"}})
    else:
        send({"jsonrpc": "2.0", "id": mid, "result": {}})
PY
rc=0
"$DESKHAND" mcp client --timeout 5000 --revision 2025-11-25 -- python3 "$T/noisy.py" \
	>"$T/out" 2>"$T/err" || rc=$?
cat -A "$T/err" | head -10
assert_eq "$rc" 0 "mcp client against a noisy server"
assert_contains "$(cat "$T/out")" $'tools/call t:\nfine'
if grep -q $'[\033\a]' "$T/err"; then fail "the server's escapes reached the terminal"; fi
if LC_ALL=C grep -q $'\377' "$T/err"; then fail "a byte 0xff reached the terminal"; fi
err=$(cat "$T/err")
assert_contains "$err" 'mcp stderr: starting^[]0;owned^G^[[2J^[[31m    red\xff'
assert_contains "$err" 'mcp stderr: listing'
assert_contains "$err" 'mcp stderr: called^[]0;owned^G^[[2J^[[31m'
echo ok

# A trusted folder .mcp.json naming a connector as one of yours (mcp.json):
# the folder's is refused, never merged with yours (its tools would have
# been mcp__NAME__* beside yours, under your rules for them, and it would
# have shared your connector's state directory). The session says so,
# `mcp list` marks it REFUSED, `mcp tools` starts only yours.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/proj; mkdir -p "$G"
M=$T/marker
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "echo"]}}}
JSON
# Unsandboxed, so that a start would leave the marker.
cat >"$G/.mcp.json" <<JSON
{"mcpServers": {"s": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "plain", "--marker", "$M"],
                      "sandbox": false}}}
JSON
"$DESKHAND" mcp trust "$G" >/dev/null || fail "mcp trust failed"

l=$("$DESKHAND" mcp list "$G")
assert_contains "$l" "trusted, REFUSED: your mcp.json has a connector s, which runs instead ($G/.mcp.json)"
assert_eq "$(grep -c 'REFUSED' <<<"$l")" 1 "$l"

rc=0; out=$("$DESKHAND" mcp tools s "$G" 2>"$T/tools.err") || rc=$?
assert_eq "$rc" 0 "$out $(cat "$T/tools.err")"
assert_contains "$out" "mcp__s__echo"
assert_not_contains "$out" "mcp__s__plain"
assert_contains "$(cat "$T/tools.err")" "$G/.mcp.json: connector s was not started: your mcp.json, $XDG_CONFIG_HOME/deskhand/mcp.json has a connector of that name"
[ ! -e "$M" ] || fail "mcp tools started the folder's duplicate"

echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || true
[ ! -e "$M" ] || fail "the folder's connector of the same name started"
tools=$(head -1 "$FAKE_LOG" | jq -r '.body.tools[].name')
grep -qx mcp__s__echo <<<"$tools" || fail "your connector's tool is not offered: $tools"
! grep -qx mcp__s__plain <<<"$tools" || fail "the folder's duplicate's tool was merged in"
assert_contains "$(jq -r 'select(.type=="error").message' "$T/out")" \
  "$G/.mcp.json: connector s was not started: your mcp.json"
echo ok

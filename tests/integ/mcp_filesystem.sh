# The official @modelcontextprotocol/server-filesystem (npm, pinned in
# tests/mcp) as a sandboxed stdio connector in a scripted session: its tools
# are listed and called, the results reach the model, its annotations decide
# (read-only tools run, write_file is asked for: refused with nobody to ask,
# run and checkpointed in auto mode).
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
MCPD=$DH_TESTS/mcp
FS=$MCPD/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js
if [ ! -e "$FS" ]; then
  (cd "$MCPD" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
    fail "cannot install the pinned npm packages of tests/mcp (make deps installs them)"
fi
[ -e "$FS" ] || fail "server-filesystem missing after npm ci in $MCPD"
NODE=$(command -v node) || NODE=$MCPD/node_modules/.bin/node
G=$T/work; mkdir -p "$G"; printf 'alpha\nbeta\n' > "$G/a.txt"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"fs": {"command": "$NODE", "args": ["$FS", "$G"], "sandbox": {"paths": ["$G"], "read": ["$MCPD/node_modules"]}}}}
JSON
"$DESKHAND" mcp tools fs > "$T/tools" || { cat "$T/tools"; fail "mcp tools fs failed"; }
assert_contains "$(cat "$T/tools")" "fs: ready"
grep -q "mcp__fs__read_text_file	read-only" "$T/tools" || fail "read_text_file not read-only: $(cat "$T/tools")"
grep -q "mcp__fs__write_file	asks" "$T/tools" || fail "write_file does not ask"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "look"}]}}]},
 {"tool_calls": [{"name": "mcp__fs__list_directory", "input": {"path": "$G"}}]},
 {"expect": {"last_user_contains": "[FILE] a.txt"},
  "tool_calls": [{"name": "mcp__fs__read_text_file", "input": {"path": "$G/a.txt"}}]},
 {"expect": {"last_user_contains": "alpha"},
  "tool_calls": [{"name": "mcp__fs__write_file", "input": {"path": "$G/b.txt", "content": "made by fs\n"}}]},
 {"expect": {"last_user_contains": "denied"}, "text": "could not write", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "mcp__fs__write_file", "input": {"path": "$G/b.txt", "content": "made by fs\n"}}]},
 {"expect": {"last_user_contains": "Successfully wrote"}, "text": "wrote it", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --json "look at my folder" >"$T/out" 2>"$T/err" || true
res() { jq -r --arg n "$1" 'select(.type=="tool_result" and .name==$n) | "\(.is_error) \(.output)"' "$T/out" | head -1; }
assert_contains "$(res mcp__fs__list_directory)" "false [FILE] a.txt"
assert_contains "$(res mcp__fs__read_text_file)" "alpha"
assert_contains "$(res mcp__fs__write_file)" "needs the person's approval"
[ ! -e "$G/b.txt" ] || fail "write_file ran without approval"
assert_eq "$(jq -r 'select(.type=="assistant_message").text' "$T/out" | tail -1)" "could not write"
# auto mode: it runs, and its change is a checkpoint of that call
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write" >"$T/out" 2>"$T/err" || true
assert_eq "$(cat "$G/b.txt")" "made by fs"
id=$(jq -r 'select(.type=="tool_call" and .name=="mcp__fs__write_file").id' "$T/out")
n=$(jq -r --arg id "$id" 'select(.type=="checkpoint" and .tool_call==$id).files_changed' "$T/out")
[ "${n:-0}" -ge 1 ] || fail "no checkpoint for the connector's write"
echo ok

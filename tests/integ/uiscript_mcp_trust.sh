# The workbench offers, once, to trust a granted folder's untrusted .mcp.json,
# saying what it would run; on y the file is trusted, its connector starts and
# its tools reach the model in the same task. A folder granted in the
# workbench (:grant) with a trusted .mcp.json brings its connector too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
cat > "$G/.mcp.json" <<JSON
{"mcpServers": {"notes": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "echo"]}}}
JSON
G2=$T/more; mkdir -p "$G2"
cat > "$G2/.mcp.json" <<JSON
{"mcpServers": {"more": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "echo"]}}}
JSON
"$DESKHAND" mcp trust "$G2" >/dev/null || fail "mcp trust failed"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "slow", "delay_ms": 150, "text": "Looking around first.", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"tool_calls": [{"name": "mcp__notes__echo", "input": {"text": "trusted now"}}]},
 {"expect": {"last_user_contains": "trusted now"},
  "tool_calls": [{"name": "mcp__more__echo", "input": {"text": "granted later"}}]},
 {"expect": {"last_user_contains": "granted later"}, "text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps "<Esc>
:type :grant $G2
<Enter>
:wait text 2 grants
i
:type look
<Enter>
:wait text Trust .*\.mcp\.json\?
:save-screen $T/ask.scr
y
:wait text task done
:quit"
UI_TIMEOUT_MS=60000 ui_run 160 40 --grant "$G"
assert_screen ask "Trust $G/\.mcp\.json\? y/n · it would run notes \(python3 .*mcp_fake_server\.py"
# (the task ended "done": the fake model got mcp__notes__echo's result, so
# the connector started after y and its tool reached the model)
h=$(sha256sum < "$G/.mcp.json" | cut -d' ' -f1)
grep -q "$h" "$XDG_STATE_HOME/deskhand/mcp-trust.json" || fail "the trust was not recorded"
echo ok

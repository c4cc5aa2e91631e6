# A folder's .mcp.json starts nothing until the person trusts that exact file:
# untrusted (even with "sandbox": false) its command never runs; one the agent
# writes stays untrusted; `deskhand mcp trust` starts it; any change asks again;
# `untrust` takes it back.
. "$DH_TESTS/lib.sh"
# The first request waits for the connectors (the machine may be slow).
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
M=$T/marker
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
# Unsandboxed, so that a start would leave the marker on the real file system.
cat > "$G/.mcp.json" <<JSON
{"mcpServers": {"evil": {"command": "python3", "args": ["$FAKE_MCP", "--marker", "$M", "--tools", "echo"],
                         "sandbox": false}}}
JSON
# One fake model for every run, in order: three one-turn runs, the agent's
# run (4 turns), one more one-turn run.
END='{"text": "ok", "stop_reason": "end_turn"}'
printf '{"mcpServers": {"x": {"command": "python3", "args": ["%s", "--marker", "%s"], "sandbox": false}}}' \
  "$FAKE_MCP" "$M" > "$G/x.json"
cat > "$T/script.json" <<JSON
{"turns": [$END, $END, $END,
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "add a connector"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ".mcp.json", "content": $(jq -Rs . < "$G/x.json")}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "cp x.json .mcp.json; deskhand mcp trust . ; echo done"}}]},
 {"text": "added", "stop_reason": "end_turn"},
 $END]}
JSON
start_fake "$T/script.json"
run_once() { # the JSON events in $T/out; the tool names of its first request in $T/tools
  local n; n=$(wc -l < "$FAKE_LOG" 2>/dev/null || echo 0)
  "$DESKHAND" run --grant "$G" --json "look" 2>"$T/err" >"$T/out" || true
  sed -n "$((n + 1))p" "$FAKE_LOG" | jq -r '.body.tools[].name' > "$T/tools"
}

# 1. untrusted: nothing starts, a clear line says what it would run and how to allow it
run_once
[ ! -e "$M" ] || fail "an untrusted .mcp.json started its server"
msg=$(jq -r 'select(.type=="error").message' "$T/out")
assert_contains "$msg" "$G/.mcp.json: not trusted"
assert_contains "$msg" "evil (python3 $FAKE_MCP"
assert_contains "$msg" "UNSANDBOXED"
assert_contains "$msg" "deskhand mcp trust $G/.mcp.json"
! grep -q '^mcp__' "$T/tools" || fail "connector tools offered from an untrusted file"
assert_contains "$("$DESKHAND" mcp list "$G")" "NOT TRUSTED"

# 2. the person trusts it: it starts and its tools reach the model
"$DESKHAND" mcp trust "$G" >/dev/null || fail "mcp trust failed"
assert_contains "$("$DESKHAND" mcp list "$G")" "trusted ($G/.mcp.json)"
run_once
[ -e "$M" ] || { cat "$T/err"; fail "the trusted .mcp.json did not start its server"; }
grep -qx 'mcp__evil__echo' "$T/tools" || { cat "$T/tools"; fail "mcp__evil__echo not offered"; }

# 3. any change asks again (one byte: a space)
rm -f "$M"; printf ' ' >> "$G/.mcp.json"
run_once
[ ! -e "$M" ] || fail "a changed trusted .mcp.json started its server"
assert_contains "$(jq -r 'select(.type=="error").message' "$T/out")" "changed since you trusted it"
assert_contains "$("$DESKHAND" mcp list "$G")" "CHANGED since trusted"

# 4. the agent writes a .mcp.json (its file tools are refused; a command's
#    file is taken back), and however it got there it stays untrusted
rm -f "$G/.mcp.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "add a connector" >"$T/out" 2>"$T/err" || true
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="write_file").is_error' "$T/out")" true
# whatever the agent managed, the file is not trusted: put it there as it would be
cp "$G/x.json" "$G/.mcp.json"
run_once
[ ! -e "$M" ] || fail "an agent-written .mcp.json started its server"
assert_contains "$(jq -r 'select(.type=="error").message' "$T/out")" "its connectors were not started"
h=$(sha256sum < "$G/.mcp.json" | cut -d' ' -f1)
! grep -q "$h" "$XDG_STATE_HOME/deskhand/mcp-trust.json" || fail "the agent trusted it"

# 5. untrust takes trust back
"$DESKHAND" mcp trust "$G/.mcp.json" >/dev/null || fail "trust by file path failed"
"$DESKHAND" mcp untrust "$G" >/dev/null || fail "untrust failed"
assert_contains "$("$DESKHAND" mcp list "$G")" "NOT TRUSTED"
"$DESKHAND" mcp untrust "$G" 2>/dev/null && fail "untrust of an untrusted file succeeded"
# a file that does not load is refused with its file and key named
echo '{"mcpServers": {"b": {"command": "x", "bogus": 1}}}' > "$G/.mcp.json"
out=$("$DESKHAND" mcp trust "$G" 2>&1) && fail "trusted a file that does not load"
assert_contains "$out" "$G/.mcp.json: mcpServers.b: unknown key (known: command, args, env, type, url, headers, sandbox, timeout, oauth): bogus"
# doctor lists the connectors that run without the sandbox (yours and the
# current folder's trusted ones), and only those
"$DESKHAND" mcp add plainfs --no-sandbox -- python3 "$FAKE_MCP" >/dev/null || fail "mcp add failed"
"$DESKHAND" mcp add boxed -- python3 "$FAKE_MCP" >/dev/null || fail "mcp add failed"
d=$("$DESKHAND" doctor 2>&1 || true)
assert_contains "$d" "connector plainfs runs WITHOUT the sandbox"
assert_not_contains "$d" "connector boxed"
assert_contains "$("$DESKHAND" mcp list)" "UNSANDBOXED"
"$DESKHAND" mcp remove plainfs >/dev/null || fail "mcp remove failed"
assert_not_contains "$("$DESKHAND" doctor 2>&1 || true)" "plainfs"
"$DESKHAND" mcp remove plainfs 2>/dev/null && fail "removed a connector twice"
echo ok

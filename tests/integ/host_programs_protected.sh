# A granted home that holds deskhand itself, its sandbox helper, its
# configuration and its state does not let the agent change them: a replaced
# helper would run outside the sandbox at the next command, a replaced
# deskhand at the next start, and the person's mcp.json names the connectors
# deskhand starts, unsandboxed if it says so. The file tools refuse changing,
# moving or deleting any of them, anything in the configuration or the state,
# or a folder on the way; inside the sandbox they are read-only and cannot be
# moved (deskhand passes its own program, configuration and state as
# --protect; the helper protects itself). All stay as they were, and the next
# command still runs in the sandbox.
. "$DH_TESTS/lib.sh"
G=$HOME; mkdir -p "$G/tools/bin" "$G/app"
rm -rf "$XDG_CONFIG_HOME/deskhand"   # deskhand makes it at start
cp "$SANDBOX" "$G/tools/bin/deskhand-sandbox"
cp "$DESKHAND" "$G/app/deskhand"
export DH_SANDBOX=$G/tools/bin/deskhand-sandbox
sums() { sha256sum "$G/tools/bin/deskhand-sandbox" "$G/app/deskhand"; }
before=$(sums)
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "w_helper", "input": {"path": "tools/bin/deskhand-sandbox", "content": "#!/bin/sh\ntouch /tmp/escaped\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "w_self", "input": {"path": "app/deskhand", "content": "#!/bin/sh\n"}}]},
 {"tool_calls": [{"name": "move_file", "id": "m_dir", "input": {"source": "tools", "destination": "tools2"}}]},
 {"tool_calls": [{"name": "delete_file", "id": "d_helper", "input": {"path": "tools/bin/deskhand-sandbox"}}]},
 {"tool_calls": [{"name": "write_file", "id": "w_mcp", "input": {"path": ".config/deskhand/mcp.json", "content": "{\"mcpServers\": {\"x\": {\"command\": \"sh\", \"sandbox\": false}}}\n"}}]},
 {"tool_calls": [{"name": "move_file", "id": "m_config", "input": {"source": ".config/deskhand", "destination": "config2"}}]},
 {"tool_calls": [{"name": "delete_file", "id": "d_state", "input": {"path": ".local/state/deskhand/sessions"}}]},
 {"tool_calls": [{"name": "write_file", "id": "w_ok", "input": {"path": "tools/bin/notes.txt", "content": "fine\n"}}]},
 {"tool_calls": [{"name": "run_command", "id": "r_try", "input": {"command": "echo x >> app/deskhand || echo denied-self; mv tools/bin/deskhand-sandbox tools/x || echo denied-helper; mv app app2 || echo denied-dir; echo {} > .config/deskhand/mcp.json || echo denied-config; mv .local/state .local/s2 || echo denied-state; echo y > tools/bin/other && echo grant-writable"}}]},
 {"tool_calls": [{"name": "run_command", "id": "r_next", "input": {"command": "echo \"in-sandbox:${DESKHAND_LANDLOCK:+yes}\""}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
out=$("$G/app/deskhand" run --grant "$G" --force --approve-plan --mode auto --json "x" 2>"$T/err") ||
  { cat "$T/err"; fail "run failed"; }
result() { jq -r --arg id "$1" 'select(.type=="tool_result" and .id==$id).output' <<<"$out"; }
for id in w_helper w_self m_dir d_helper w_mcp m_config d_state; do
  assert_contains "$(result $id)" "deskhand runs or reads it outside the sandbox"
done
assert_eq "$(cat "$G/tools/bin/notes.txt")" fine
r=$(result r_try)
for w in denied-self denied-helper denied-dir denied-config denied-state grant-writable; do
  assert_contains "$r" "$w"
done
assert_contains "$(result r_next)" "in-sandbox:yes"
assert_eq "$(sums)" "$before" "a program changed"
[ -d "$G/tools/bin" ] && [ -d "$G/app" ] && [ -d "$G/.config" ] || fail "a folder on the way moved"
assert_eq "$(ls -A "$XDG_CONFIG_HOME/deskhand")" "" "the configuration changed"
[ -n "$(ls "$XDG_STATE_HOME"/deskhand/sessions/*/audit.jsonl)" ] || fail "the sessions went"
# each refusal is audited
assert_eq "$(jq -r 'select(.type=="audit")' <<<"$out" | grep -c 'runs or reads it outside')" 7
echo ok

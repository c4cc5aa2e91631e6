# A granted folder that holds deskhand itself and its sandbox helper (an
# install under a granted home, a checkout of deskhand) does not let the
# agent replace them: a replaced helper would run outside the sandbox at the
# next command, a replaced deskhand at the next start. The file tools refuse
# changing, moving or deleting either, or a folder on the way to one; inside
# the sandbox both are read-only and cannot be moved (deskhand passes its own
# path as --protect, the helper protects itself). Both stay byte for byte,
# and the next command still runs in the sandbox.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/tools/bin" "$G/app"
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
 {"tool_calls": [{"name": "write_file", "id": "w_ok", "input": {"path": "tools/bin/notes.txt", "content": "fine\n"}}]},
 {"tool_calls": [{"name": "run_command", "id": "r_try", "input": {"command": "echo x >> app/deskhand || echo denied-self; mv tools/bin/deskhand-sandbox tools/x || echo denied-helper; mv app app2 || echo denied-dir; echo y > tools/bin/other && echo grant-writable"}}]},
 {"tool_calls": [{"name": "run_command", "id": "r_next", "input": {"command": "echo \"in-sandbox:${DESKHAND_LANDLOCK:+yes}\""}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
out=$("$G/app/deskhand" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") ||
  { cat "$T/err"; fail "run failed"; }
result() { jq -r --arg id "$1" 'select(.type=="tool_result" and .id==$id).output' <<<"$out"; }
for id in w_helper w_self m_dir d_helper; do
  assert_contains "$(result $id)" "is a program deskhand runs outside the sandbox"
done
assert_contains "$(result w_helper)" "$G/tools/bin/deskhand-sandbox is a program"
assert_contains "$(result w_self)" "$G/app/deskhand is a program"
assert_eq "$(cat "$G/tools/bin/notes.txt")" fine
r=$(result r_try)
for w in denied-self denied-helper denied-dir grant-writable; do assert_contains "$r" "$w"; done
assert_contains "$(result r_next)" "in-sandbox:yes"
assert_eq "$(sums)" "$before" "a program changed"
[ -d "$G/tools/bin" ] && [ -d "$G/app" ] || fail "a folder on the way moved"
# each refusal is audited
assert_eq "$(jq -r 'select(.type=="audit")' <<<"$out" | grep -c 'is a program deskhand runs')" 4
echo ok

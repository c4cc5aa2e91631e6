# A directory the undone steps made goes with them: one step makes hid/ and a
# file in it, a later one another file there, and `undo --steps 2` leaves the
# folder as it was before both (it used to leave hid/ behind, empty, which
# review then listed as pending, "A hid/"). A directory that was there before
# (old/), or that holds a file of the person's (mine/), stays. Rejecting all
# of the steps' files, and `undo --to`, do the same (as they did before).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/old"; echo keep > "$G/keep"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_1", "input": {"command": "mkdir hid mine; echo z > hid/y; echo z > old/y; echo z > mine/y"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_2", "input": {"command": "echo w > hid/w; echo w > old/w; echo w > mine/w"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" >"$T/run.out" 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
# the person's file in mine/, made after the steps
echo mine > "$G/mine/person.txt"
cd "$G"
listing() { (cd "$G" && find . | sort | tr '\n' ' '); }
pending() { "$DESKHAND" review --json | jq -r '[.grants[0].files[].path] | sort | join(" ")'; }
before=". ./keep ./mine ./mine/person.txt ./old "

out=$("$DESKHAND" undo --steps 2 2>&1) || fail "undo --steps 2: $out"
echo "$out"
assert_eq "$(listing)" "$before" "after undo --steps 2"
assert_eq "$(pending)" "mine/person.txt" "review after undo --steps 2"

# back to the steps' and the person's files, then reject the steps' files
ext=$("$DESKHAND" log --json | jq -r '[.[] | select(.label | startswith("external changes"))][0].id')
out=$("$DESKHAND" restore "$ext" 2>&1) || fail "restore: $out"
assert_eq "$(listing)" ". ./hid ./hid/w ./hid/y ./keep ./mine ./mine/person.txt ./mine/w ./mine/y ./old ./old/w ./old/y " "after the restore"
out=$("$DESKHAND" reject hid/y hid/w old/y old/w mine/y mine/w 2>&1) || fail "reject: $out"
assert_eq "$(listing)" "$before" "after the reject"
assert_eq "$(pending)" "mine/person.txt" "review after the reject"

out=$("$DESKHAND" restore "$ext" 2>&1) || fail "restore: $out"
out=$("$DESKHAND" undo --to baseline --force 2>&1) || fail "undo --to baseline: $out"
assert_eq "$(listing)" ". ./keep ./old " "after undo --to baseline"
echo ok

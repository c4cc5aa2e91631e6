# A live session whose head checkpoint becomes unreadable mid-run (its
# loose commit emptied while the model is still answering) goes on: the
# next step's checkpoint records the folder over the damaged head, as the
# recovery every verb runs first does, and says so once (an error event
# naming the head and the checkpoint, with 'deskhand log' for the rest);
# the later steps are recorded as usual and the run ends done. `log` then
# lists the baseline, the damaged checkpoint and the steps after it; the
# last step can be undone, and the step recorded over the damage cannot
# (what it changed is unknown), which undo says.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf 'line 1\n' > "$G/f1.txt"; printf 'line 2\n' > "$G/f2.txt"; printf 'line 3\n' > "$G/f3.txt"
# The third turn's text pauses: the head is emptied then, before its call.
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f1.txt", "old_string": "line 1", "new_string": "LINE 1"}}]},
 {"text": "Next, the second file.", "text_pause_ms": 4000,
  "tool_calls": [{"name": "edit_file", "input": {"path": "f2.txt", "old_string": "line 2", "new_string": "LINE 2"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f3.txt", "old_string": "line 3", "new_string": "LINE 3"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "task" >"$T/out" 2>"$T/err" &
run=$!
turn2=
for _ in $(seq 1 200); do
  turn2=$(jq -r 'select(.type=="checkpoint" and .turn==2).id' "$T/out" 2>/dev/null || true)
  [ -n "$turn2" ] && break
  sleep 0.05
done
[ -n "$turn2" ] || { kill "$run"; fail "no checkpoint of the first edit"; }
SID=$(jq -r 'select(.type=="session_started").session' "$T/out")
R=$(dirname "$(echo "$XDG_STATE_HOME"/deskhand/snapshots/*.git/config)")
assert_eq "$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")" "$turn2" "the head after the first edit"
obj=$(loose_object "$R" "$turn2")
chmod u+w "$obj"; : > "$obj"
rc=0; wait "$run" || rc=$?
[ "$rc" = 0 ] || { cat "$T/err"; fail "the run exited $rc with its head damaged"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done "the session's status"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt" "$G/f3.txt")" "LINE 1
LINE 2
LINE 3" "the folder after the run"
said=$(jq -r 'select(.type=="error").message' "$T/out")
turn3=$(jq -r 'select(.type=="checkpoint" and .turn==3).id' "$T/out")
assert_eq "$said" "$G: the head checkpoint ${turn2:0:12} of session $SID cannot be read (see 'deskhand log'): recorded the folder as it is now over it (checkpoint ${turn3:0:12})" "what the run said, once"
assert_eq "$(git --git-dir="$R" rev-parse "$turn3^")" "$turn2" "the parent of the step over the damage"
[ ! -s "$obj" ] || fail "the damaged object was rewritten"

set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the damaged checkpoint"
assert_contains "$(cat "$T/err")" "snapshot: $R/: cannot read checkpoint ${turn2:0:12}: failed to parse loose object: invalid header; its file $obj is empty"
assert_contains "$(cat "$T/log")" "${turn2:0:12}  ?                    (cannot be read: see above)"
assert_contains "$(cat "$T/log")" "turn 3: edit_file f2.txt"
assert_contains "$(cat "$T/log")" "turn 4: edit_file f3.txt
      M f3.txt"
"$DESKHAND" undo --session "$SID" >"$T/undo" 2>"$T/err" || { cat "$T/undo" "$T/err"; fail "undo of the last step"; }
assert_contains "$(cat "$T/undo")" "restored f3.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt" "$G/f3.txt")" "LINE 1
LINE 2
line 3" "the folder after undo"
set +e; "$DESKHAND" undo --session "$SID" >"$T/undo" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "undo of the step recorded over the damage"
assert_contains "$(cat "$T/err")" "no agent step to undo since a checkpoint that cannot be read: snapshot: $R/: cannot read checkpoint ${turn2:0:12}: "
assert_eq "$(cat "$G/f2.txt")" "LINE 2" "f2.txt after the refused undo"
echo ok

# A checkpoint object that cannot be read in the shadow repository (emptied
# by a crash, or corrupt) is named. With the session's head commit emptied,
# `log` lists the baseline and marks the head, its message on stderr naming
# the shadow repository, the checkpoint, its ref, the object's file and
# libgit2's own text, and saying what to do (exit 1); `diff head` names it
# the same way. With a corrupt checkpoint in the middle, `log` lists what
# it can read around it.
. "$DH_TESTS/lib.sh"
edits() { # DIR OUT: a session in DIR editing f1.txt, then f2.txt
  cat > "$T/edits.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f1.txt", "old_string": "line 1", "new_string": "LINE 1"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f2.txt", "old_string": "line 2", "new_string": "LINE 2"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
  mkdir -p "$1"; echo "line 1" > "$1/f1.txt"; echo "line 2" > "$1/f2.txt"
  G=$1 run_task "$T/edits.json" "$2"
  kill "$FAKE_PID" 2>/dev/null || true
  assert_eq "$(cat "$1/f1.txt" "$1/f2.txt")" "LINE 1
LINE 2" "the folder after the edits"
}
loose() { echo "$1/objects/${2:0:2}/${2:2}"; } # REPO ID: the object's file

# 1. The head commit emptied.
G=$T/work
edits "$G" "$T/one.out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/one.out")
R=$(echo "$XDG_STATE_HOME"/deskhand/snapshots/*.git)
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/baseline")
obj=$(loose "$R" "$head")
[ -f "$obj" ] || fail "the head is not a loose object: $obj"
chmod u+w "$obj"; : > "$obj"
damage="snapshot: $R/: cannot read checkpoint ${head:0:12}, the head of session $sid (refs/deskhand/$sid/head): failed to parse loose object: invalid header; its file $obj is empty. The folder itself is untouched"

set +e; "$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the head emptied"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
assert_contains "$(cat "$T/err")" "copy the object back from a backup of the repository"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log")" "session $sid (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
  ${head:0:12}  ?                    (cannot be read: see above)" "log with the head emptied"
set +e; "$DESKHAND" log --json --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log --json with the head emptied"
assert_eq "$(jq -r '.[0].label, .[1].id' "$T/log" | tr '\n' ' ')" "baseline $head " "log --json"
assert_contains "$(jq -r '.[1].damaged' "$T/log")" "$damage"
set +e; "$DESKHAND" diff --session "$sid" head >"$T/diff" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with the head emptied"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${head:0:12}"
assert_contains "$(cat "$T/err")" "its file $obj is empty"

# 2. A corrupt checkpoint in the middle (the first edit's).
G=$T/other
edits "$G" "$T/two.out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/two.out")
R=$(dirname "$(grep -l "$G" "$XDG_STATE_HOME"/deskhand/snapshots/*.git/config)")
mid=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head^")
obj=$(loose "$R" "$mid")
chmod u+w "$obj"; printf 'x\234 not zlib at all' > "$obj"
set +e; "$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with a corrupt checkpoint in the middle"
assert_contains "$(cat "$T/err")" "snapshot: $R/: cannot read checkpoint ${mid:0:12}: "
assert_contains "$(cat "$T/err")" "its file $obj has 18 bytes"
assert_eq "$(grep -c '^  [0-9a-f]' "$T/log")" 3 "checkpoints listed: baseline, the damaged one, the head"
assert_contains "$(cat "$T/log")" "${mid:0:12}  ?                    (cannot be read: see above)"
assert_contains "$(cat "$T/log")" "turn 3: edit_file"
echo ok

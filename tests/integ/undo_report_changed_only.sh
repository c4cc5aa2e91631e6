# undo reports only the paths it changes: after `deskhand reject b.txt` and
# `deskhand reject-hunk a.txt 2` on an agent step that changed both, undoing
# that step writes a.txt back and leaves b.txt, which already holds its
# content before the step; b.txt is neither reported as restored nor counted
# (text and --json). Before, undo printed "restored b.txt" and "undid steps
# on 2 paths".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 30); do echo "line $i"; done > "$G/a.txt"
echo b > "$G/b.txt"
cp "$G/a.txt" "$T/orig.txt"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command":
   "sed -i -e \"s/^line 2$/LINE 2/\" -e \"s/^line 28$/LINE 28/\" a.txt && echo B > b.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(sed -n 2p "$G/a.txt") $(sed -n 28p "$G/a.txt") $(cat "$G/b.txt")" \
  "LINE 2 LINE 28 B" "the folder after the session"
cd "$G"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
"$DESKHAND" reject b.txt >"$T/rj.out" 2>&1 || { cat "$T/rj.out"; fail "reject failed"; }
"$DESKHAND" reject-hunk a.txt 2 >"$T/rh.out" 2>&1 || { cat "$T/rh.out"; fail "reject-hunk failed"; }
assert_eq "$(sed -n 2p a.txt) $(sed -n 28p a.txt) $(cat b.txt)" "LINE 2 line 28 b" \
  "the folder after the rejects"

rc=0; "$DESKHAND" undo >"$T/undo.out" 2>"$T/undo.err" || rc=$?
assert_eq "$rc" 0 "exit status of undo"
cmp a.txt "$T/orig.txt" || fail "undo did not bring a.txt back"
assert_eq "$(cat b.txt)" b "b.txt after the undo"
out=$(cat "$T/undo.out")
assert_contains "$out" "restored a.txt"
assert_not_contains "$out" "b.txt"
assert_contains "$out" "$G: undid steps on 1 path (checkpoint "

# The same undo, --json: redo it, then undo again.
"$DESKHAND" redo >"$T/redo.out" 2>&1 || { cat "$T/redo.out"; fail "redo failed"; }
assert_not_contains "$(cat "$T/redo.out")" "b.txt"
assert_contains "$(cat "$T/redo.out")" "$G: redid steps on 1 path (checkpoint "
"$DESKHAND" undo --json >"$T/undo.json" 2>"$T/undo.err" || { cat "$T/undo.err"; fail "undo --json"; }
assert_eq "$(jq -r '.results[0].paths' "$T/undo.json")" 1 "paths in undo --json"
assert_eq "$(jq -c '.results[0].report' "$T/undo.json")" '["restored a.txt"]' "report in undo --json"
cmp a.txt "$T/orig.txt" || fail "the second undo did not bring a.txt back"
echo ok

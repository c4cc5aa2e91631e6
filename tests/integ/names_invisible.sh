# A name is shown with what shows nothing in it: a file the agent named
# "notes<U+200B>.txt" (a zero-width space) or "notes<U+200F>.txt" (a
# right-to-left mark) beside the real "notes.txt" looked the same in review
# and log, so the person could accept the one meaning the other. Text
# keeps them (a joiner inside an emoji). --json keeps the exact name.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo base > "$G/notes.txt"
python3 - "$T/script.json" <<'PY'
import json, sys
cmd = "printf x > \"$(printf 'notes\\342\\200\\213.txt')\" && printf y > \"$(printf 'notes\\342\\200\\217.txt')\" && echo more >> notes.txt"
json.dump({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Name"}]}}]},
    {"tool_calls": [{"name": "run_command", "id": "toolu_n", "input": {"command": cmd}}]},
    {"text": "Done.", "stop_reason": "end_turn"}]}, open(sys.argv[1], "w"))
PY
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --mode auto --approve-plan "name files" >"$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
[ "$(ls | wc -l)" = 3 ] || fail "the command made $(ls | wc -l) files"
out=$("$DESKHAND" review --stat 2>&1) || fail "review failed: $out"
assert_contains "$out" "A  notes<U+200B>.txt"
assert_contains "$out" "A  notes<U+200F>.txt"
assert_contains "$out" "M  notes.txt"
out=$("$DESKHAND" log 2>&1) || fail "log failed: $out"
assert_contains "$out" "notes<U+200B>.txt"
name=$("$DESKHAND" review --json 2>/dev/null | jq -r '.grants[0].files[] | select(.status=="A") | .path' | head -1)
assert_eq "$name" "$(printf 'notes\342\200\213.txt')" "the name in --json"
echo ok

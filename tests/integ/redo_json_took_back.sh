# `deskhand redo --json` says what the redo did, as its text does ("took
# back restore ID on G" or "redid steps on G"): each result's `took_back`
# is the restore (or undo --to) it took back, "restore SHORTID" as the log
# names it, or null when it reapplied the last undo's steps. The JSON did
# not say which, only the paths.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Two writes"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_a", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_b", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Two writes" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }

# an undo's steps reapplied: took_back null
"$DESKHAND" undo >/dev/null 2>&1 || fail "undo failed"
"$DESKHAND" redo --json >"$T/redo1.json" 2>"$T/err" || { cat "$T/err"; fail "redo --json failed"; }
cat "$T/redo1.json"
assert_eq "$(jq -r '.results[0] | has("took_back")' "$T/redo1.json")" true "took_back in redo --json"
assert_eq "$(jq -r '.results[0].took_back' "$T/redo1.json")" null "took_back after an undo"
assert_eq "$(cat b.txt)" b "b.txt after the redo"

# a restore taken back: took_back names it, as the text and the log do
"$DESKHAND" restore baseline >/dev/null 2>&1 || fail "restore baseline failed"
"$DESKHAND" redo --json >"$T/redo2.json" 2>"$T/err" || { cat "$T/err"; fail "redo --json failed"; }
cat "$T/redo2.json"
tb=$(jq -r '.results[0].took_back' "$T/redo2.json")
case $tb in "restore "[0-9a-f]*) ;; *) fail "took_back after a restore: '$tb'" ;; esac
assert_contains "$("$DESKHAND" log 2>/dev/null)" "redo (taking back $tb)"
"$DESKHAND" restore baseline >/dev/null 2>&1 || fail "second restore baseline failed"
out=$("$DESKHAND" redo 2>&1) || fail "redo failed: $out"
assert_contains "$out" "took back restore "
# the other verbs' results keep their shape
"$DESKHAND" undo --json >"$T/undo.json" 2>/dev/null || fail "undo --json failed"
assert_eq "$(jq -r '.results[0] | has("took_back")' "$T/undo.json")" false "took_back in undo --json"
echo ok

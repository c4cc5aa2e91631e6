# Keys typed ahead of a review action's answer: s (accept hunk 1), ] and x
# sent at once. x comes while the accept is on its way and does nothing (a
# hunk number of the old review could name another hunk now); once the
# accept's answer comes, the message line says so ("a key pressed
# meanwhile did nothing") with the answer, not the answer alone as if x had
# been done, and the hunk x was pressed on is still pending.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"; seq 1 40 | sed 's/^/l/' > "$G/m.txt"
old=$(seq 5 35 | sed 's/^/l/' | awk '{ printf "%s\\n", $0 }')
new=$(seq 5 35 | sed 's/^/l/; s/^l5$/L5/; s/^l20$/L20/; s/^l35$/L35/' | awk '{ printf "%s\\n", $0 }')
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "$old", "new_string": "$new"}}]},
 {"text": "All edited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
ui_start 80 40 --resume latest
ui_wait "All edited."
ui_keys Escape Tab
ui_wait "diff (1 file pending)"
ui_keys Enter
ui_wait "@@ -2,7 +2,7 @@"
ui_keys s ] x
ui_wait "accepted hunk 1 of m.txt"
ui_wait "a key pressed meanwhile did nothing · accepted hunk 1 of m.txt"
out=$("$DESKHAND" review 2>&1)
assert_not_contains "$out" "+L5"
assert_contains "$out" "+L20"
assert_contains "$out" "+L35"
ui_keys q
ui_wait "EXIT=0"
echo ok

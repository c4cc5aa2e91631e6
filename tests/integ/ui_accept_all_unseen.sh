# S (accept every pending change) accepts what the review lists, nothing
# more: a file changed after the list was shown (here the person's own edit,
# recorded when S is acted on) is refused with "what is pending changed
# since it was shown" and stays pending; R shows it, and S then takes both.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"; echo keep > "$G/b.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
ui_start 80 24 --resume latest
ui_wait "Written."
ui_keys Escape Tab
ui_wait "diff (1 file pending)"
echo "my edit" > "$G/b.txt"
ui_screen | grep -q "b\.txt" && fail "b.txt is listed before R"
ui_keys S
ui_wait "what is pending changed since it was shown: nothing accepted"
out=$("$DESKHAND" review 2>&1)
assert_contains "$out" "A  a.txt"
assert_contains "$out" "M  b.txt"
ui_keys R
ui_wait "M b.txt  +1 -1"
ui_keys S
ui_wait "diff (0 files pending)"
out=$("$DESKHAND" review 2>&1)
assert_contains "$out" "nothing pending"
assert_eq "$(cat "$G/b.txt")" "my edit"
echo ok

# Two workbenches at one approval: one presses A (always allow: what?), the
# other allows the call once. The question goes with the call it was about,
# saying no always rule was added; its answer must not become an "always
# allow" for the next call, which still waits.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
ui_two_at_approval "$G" write "Allow write_file a.txt? y allow"
UI_T=one ui_keys A
UI_T=one ui_wait "Always allow: t every write_file call"
UI_T=two ui_keys y
UI_T=one ui_wait "call approved elsewhere before your answer: no always rule was added" 10
UI_T=one ui_wait "Allow write_file b.txt? y allow" 15
# t and n answered the old question ("every write_file call", "this session
# only"): an always rule allowed b.txt unseen. Now t is no approval key.
UI_T=one ui_keys t
sleep 1
[ ! -e "$G/b.txt" ] || fail "b.txt was written without an answer about it"
assert_contains "$(UI_T=one ui_screen | tail -1)" "Allow write_file b.txt? y allow"
assert_contains "$(UI_T=two ui_screen | tail -1)" "Allow write_file b.txt? y allow"
UI_T=one ui_keys y
UI_T=one ui_wait "Written." 15
assert_eq "$(cat "$G/b.txt")" b
echo ok

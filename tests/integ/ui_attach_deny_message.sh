# Two workbenches at one approval: one starts a deny message (d), the other
# allows the call. The first's message is not silently dropped with its
# prompt: it says the call was approved elsewhere and the message not sent,
# and C-y in a line types the message again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn", "text_pause_file": "GO"}
]}
JSON
# the task's end (its own message) waits for the test: $T/go
sed -i "s|\"GO\"|\"$T/go\"|" "$T/script.json"
start_fake "$T/script.json"
ui_two_at_approval "$G" write "Allow write_file a.txt? y allow"
UI_T=one ui_keys d
UI_T=one ui_wait "deny, message to the agent:"
UI_T=one ui_type "use b.txt instead"
UI_T=one ui_wait "use b.txt instead"
UI_T=two ui_keys y
UI_T=one ui_wait "call approved elsewhere before your message went: not sent" 10
: > "$T/go"
UI_T=one ui_wait "Written." 15
assert_eq "$(cat "$G/a.txt")" a
# The message is back with C-y on the next line typed.
UI_T=one ui_keys i
UI_T=one ui_keys C-y
UI_T=one ui_wait "> use b.txt instead" 5
echo ok

# In process: an approval that comes while a steer is being typed does not
# take the keys already on their way: "please st|ay in docs" stays the
# line's text (its y does not allow the call, its a is no answer either),
# the status row says an approval waits; Enter sends the steer, then the
# prompt takes the keys and n denies the call.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write x"}]}}]},
 {"delay_ms": 150, "tool_calls": [{"name": "write_file", "input": {"path": "x.txt", "content": "x\n"}}]},
 {"text": "Did not write x.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
i
:type please st
:wait text Allow write_file x\.txt\?
:type ay in docs
:wait idle
:save-screen $T/typing.scr
<Enter>
:wait approval
:save-screen $T/asked.scr
n
:wait text task done
:save-screen $T/done.scr
:quit"
ui_run 100 30 --grant "$G" "write x"
assert_screen typing '^> please stay in docs$' \
  '^an approval waits once this line is sent or left: Allow write_file x\.txt$'
screen typing | grep -q 'call approved' && fail "a typed y allowed the call"
assert_screen asked 'Allow write_file x\.txt\? y allow'
assert_screen done '❯ please stay in docs' 'call denied|denied'
[ ! -e "$G/x.txt" ] || fail "x.txt was written: the call was allowed"
echo ok

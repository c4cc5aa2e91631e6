# In process: a message typed while the agent works is a steer the next turn
# carries; Esc interrupts a hanging stream at once (exit status 130).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Looking around first.", "tool_calls": [{"name": "list_files", "input": {"path": "."}}], "delay_ms": 250},
 {"expect": {"last_user_contains": "also check docs"}, "fault": "hang"}
]}
JSON
start_fake "$T/script.json"
steps ":wait text writing
i
:type also check docs
<Enter>
:wait text steer queued
:save-screen $T/steer.scr
:wait text ❯ also check docs
:wait text thinking
# The engine is another process: the idle gate no longer covers its request.
# The hanging turn waits forever; give the request time to reach the model.
:wait ms 500
<Esc>
:wait text task interrupted
:save-screen $T/int.scr elements
:quit"
UI_RC=130 ui_run 100 30 --grant "$G" "look around"
assert_screen steer 'steer queued'
assert_screen int 'task interrupted' 'list_files \.' '❯ also check docs'
grep -q "also check docs" "$FAKE_LOG" || fail "the steer did not reach the model"
echo ok

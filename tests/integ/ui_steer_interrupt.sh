# The workbench in tmux: a message typed while the agent works is a steer the
# next turn carries; Esc interrupts a hanging stream at once.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Looking around first.", "tool_calls": [{"name": "list_files", "input": {"path": "."}}], "delay_ms": 250},
 {"expect": {"last_user_contains": "also check docs"}, "fault": "hang"}
]}
JSON
start_fake "$T/script.json"
ui_start 100 30 --grant "$G" "look around"
ui_wait "writing"
ui_keys i; ui_type "also check docs"; ui_keys Enter
ui_wait "steer queued"
ui_wait "❯ also check docs"
ui_wait "thinking"
ui_keys Escape
ui_wait "task interrupted" 5
s=$(ui_screen); echo "$s"
assert_contains "$s" "list_files ."
grep -q "also check docs" "$FAKE_LOG" || fail "the steer did not reach the model"
ui_keys q
ui_wait "EXIT=130"
echo ok

# The workbench in tmux over TERM=vt100 at 80x24 with LANG=C: ASCII marks and
# borders, and a whole task (plan, an allowed write, the answer) completes.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "out.txt", "content": "caf\u00e9\n"}}]},
 {"text": "Wrote out.txt with caf\u00e9.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_TERM=vt100 UI_LC=C ui_start 80 24 --grant "$G" "write it"
ui_wait "Approve the plan?"
ui_wait "[ ] 1. Write a file"
ui_keys a
ui_wait "Allow write_file out.txt?"
ui_keys y
ui_wait "task done"
s=$(ui_screen); echo "$s"
assert_contains "$s" "Wrote out.txt with caf?."
assert_contains "$s" " | ask | 1 grant | "
assert_not_contains "$s" "│"
[ "$(cat "$G/out.txt")" = "café" ] || fail "out.txt not written"
ui_keys q
ui_wait "EXIT=0"
echo ok

# `:` typed first on the task line (where the cursor waits when the workbench
# starts without a task) opens the command line, as it does from the panes:
# `:grants` lists the grants and `:grant DIR` grants, and neither is sent to
# the model as a task. A `:` after other text is text ("fix: typo").
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G" "$T/more"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Fixed.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
ui_start 100 24 --grant "$G"
ui_wait "1 grant"
[ "$(ui_screen | tail -1)" = ">" ] || fail "the cursor does not wait in the task line"
ui_type ":grants"
ui_wait ":grants"
ui_keys Enter
ui_wait "grants  (q or Esc closes)"
s=$(ui_screen); echo "$s"
assert_contains "$s" "$G"
assert_not_contains "$s" "❯ :grants"
ui_keys q
ui_wait "i: type a task"
# Again from the task line the Enter key opens, with an argument.
ui_keys Enter
ui_type ":grant $T/more"
ui_keys Enter
ui_wait "2 grants"
assert_not_contains "$(ui_screen)" "❯ :grant"
[ ! -s "$FAKE_LOG" ] || fail "a : command went to the model: $(cat "$FAKE_LOG")"
# A colon after text is the task's text.
ui_keys i
ui_type "fix: typo"
ui_wait "> fix: typo"
ui_keys C-u Escape
ui_wait "i: type a task"
[ ! -s "$FAKE_LOG" ] || fail "something went to the model: $(cat "$FAKE_LOG")"
ui_keys q
ui_wait "EXIT=0"
echo ok

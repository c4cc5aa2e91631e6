# At 80x24 with LANG=C (no UTF-8 locale) nothing non-ASCII reaches the
# terminal. A command's folded output said "… 296 more lines · Enter:
# unfold" in UTF-8 bytes, which such a terminal shows as "??? 296 more
# lines ?? Enter: unfold"; it is now "... 296 more lines - Enter: unfold".
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Count"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "seq 1 300"}}]},
 {"text": "Counted \u2026 to 300 \u2192 done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_TERM=vt100 UI_LC=C ui_start 80 24 --mode auto --grant "$G" "count"
ui_wait "Approve the plan?"
ui_keys a
ui_wait "task done" 20
s=$(ui_screen); echo "$s"
assert_contains "$s" "    | ... 296 more lines - Enter: unfold"
assert_contains "$s" "Counted . to 300 > done."
! LC_ALL=C grep -q -P '[^\x00-\x7f]' <<<"$s" || fail "non-ASCII on the screen: $(LC_ALL=C grep -P '[^\x00-\x7f]' <<<"$s")"
assert_not_contains "$s" "??"
ui_keys Escape
ui_wait "i: type a task"
ui_keys q
ui_wait "EXIT=0"
echo ok

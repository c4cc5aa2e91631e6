# `deskhand run` prints what the model wrote made printable: its text, its
# plan's step titles, a tool call's summary and an error's message reached
# the terminal raw, so a page or document the agent read could have it set
# the terminal's title, clear the screen or (OSC 52) write the clipboard.
# --json keeps the exact text.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "step \u001b]0;TITLE\u0007one"}]}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "x\u001b[2J.txt"}}]},
 {"text": "hello \u001b]0;OWNED\u0007\u001b[2J\u001b[31mred\rover\nsecond line", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
grep -q $'[\e\a\r]' "$T/out" "$T/err" && { cat -v "$T/out" "$T/err"; fail "an escape, BEL or CR reached the terminal"; }
assert_contains "$(cat "$T/out")" "hello ^[]0;OWNED^G^[[2J^[[31mred^Mover
second line"
assert_contains "$(cat "$T/out")" "1. step ^[]0;TITLE^Gone"
assert_contains "$(cat "$T/out")" "read_file x^[[2J.txt"
echo ok

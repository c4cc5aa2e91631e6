# "Always allow" at 80 columns with a long path pattern: the pattern gives
# way in its middle, so that "p only write_file" (the key and what it
# allows) and ", Esc cancel" stay on the line. The whole question cut in
# its middle lost the p key ("t every wri...e documents/...").
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "documents/reports/quarterly/2026/summary-of-everything-we-did.md", "content": "x\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_TERM=vt100 UI_LC=C ui_start 80 24 --grant "$G" "write"
ui_wait "Approve the plan"
ui_keys a
ui_wait "Allow write_file"
ui_keys A
ui_wait "Always allow: t every write_file call, p only write_file do"
l=$(ui_screen | tail -1); echo "$l"
assert_contains "$l" "/*.md, Esc cancel"
ui_keys p
ui_wait "y save, n this session only, Esc cancel"
ui_keys n
ui_wait "Written." 15
[ -f "$G/documents/reports/quarterly/2026/summary-of-everything-we-did.md" ] || fail "not written"
echo ok

# `run --json --commands` whose input has ended: an approval can have no
# answer, and it is denied ("no answer (end of input)"), as the terminal
# path does; the run sat at it until killed. The same when the approval was
# already waiting when the input ended.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "w"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.md", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --cursor-per-key
rc=0
echo '{"type":"status"}' | timeout 30 "$DESKHAND" run --json --commands --grant "$G" --approve-plan "t" \
  > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 124 ] || fail "the run waited for an answer after the end of its input"
assert_eq "$(jq -r 'select(.type=="approval_decided")|"\(.approved) \(.message)"' "$T/out")" \
  "false no answer (end of input)" "the approval at the end of the input"
[ ! -e "$G/a.md" ] || fail "a.md was written without an answer"

# The input ends while the approval waits.
rc=0
{ sleep 2; } | ANTHROPIC_API_KEY=key-2 timeout 30 "$DESKHAND" run --json --commands --grant "$G" \
  --approve-plan "t" > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 124 ] || fail "the run waited for an answer after the end of its input"
assert_eq "$(jq -r 'select(.type=="approval_decided")|.message' "$T/out")" "no answer (end of input)"
echo ok

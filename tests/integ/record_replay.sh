# --record writes every exchange; --replay serves them back with no network
# (the fake server is gone) and gives the same session; a request that
# diverges from the recording fails clearly.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "one" > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "status", "status": 429, "retry_after_ms": "20"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"text": "Editing.", "tool_calls": [{"name": "edit_file", "input": {"path": "a.txt", "old_string": "one", "new_string": "two"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
cp -a "$G" "$T/pristine"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --record "$T/rec.jsonl" "edit a" > "$T/live" 2>"$T/err" || { cat "$T/err"; fail "live run failed"; }
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
! grep -q test-key-123 "$T/rec.jsonl" || fail "API key in the recording"
grep -q '\$GRANT0' "$T/rec.jsonl" || fail "grant path not normalized in the recording"
! grep -qF "$G" "$T/rec.jsonl" || fail "grant path leaked into the recording"
assert_eq "$(wc -l < "$T/rec.jsonl")" 4
# Replay on a fresh copy elsewhere (a different grant path), with no server and no key.
G2=$T/other/place; mkdir -p "$T/other"; cp -a "$T/pristine" "$G2"
unset ANTHROPIC_API_KEY; export ANTHROPIC_BASE_URL=http://127.0.0.1:9
"$DESKHAND" run --grant "$G2" --approve-plan --mode auto --json --replay "$T/rec.jsonl" "edit a" > "$T/replay" 2>"$T/err" || { cat "$T/err"; fail "replay failed"; }
assert_eq "$(cat "$G2/a.txt")" two
strip() { jq -c 'select(.type!="checkpoint" and .type!="session_started" and .type!="tool_result" and .type!="retry" and .type!="text_delta") ' "$1"; }
diff <(strip "$T/live") <(strip "$T/replay") || fail "replayed events differ"
# A different task diverges: clear error naming the place.
cp -a "$T/pristine" "$T/third"
set +e
"$DESKHAND" run --grant "$T/third" --approve-plan --mode auto --replay "$T/rec.jsonl" "something else" > /dev/null 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "diverges"
assert_contains "$(cat "$T/err")" "messages"
echo ok

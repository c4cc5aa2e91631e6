# --record and --replay with an OpenAI-compatible provider, as with Anthropic:
# the recording holds neither the key nor the grant path (split across
# chunks of text and of a call's arguments, merged before redaction), and a
# replay on a copy elsewhere, with no server and no key, gives the same session.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "one" > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "status", "status": 429, "retry_after_ms": "20"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"text": "Editing GRANT/a.txt now.", "text_step": 3,
  "tool_calls": [{"name": "edit_file", "input": {"path": "GRANT/a.txt", "old_string": "one", "new_string": "two"}}]},
 {"text": "Done."}
]}
JSON
sed -i "s|GRANT|$G|g" "$T/script.json"
start_fake_openai "$T/script.json"
cp -a "$G" "$T/pristine"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --record "$T/rec.jsonl" "edit a" > "$T/live" 2>"$T/err" || { cat "$T/err"; fail "live run failed"; }
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
assert_eq "$(cat "$G/a.txt")" two
! grep -q test-key-123 "$T/rec.jsonl" || fail "API key in the recording"
grep -q '\$GRANT0/a.txt' "$T/rec.jsonl" || fail "grant path not normalized in the recording"
! grep -qF "$G" "$T/rec.jsonl" || fail "grant path leaked into the recording"
assert_eq "$(wc -l < "$T/rec.jsonl")" 4
# Replay on a fresh copy elsewhere, with no server and no key.
G2=$T/other/place; mkdir -p "$T/other"; cp -a "$T/pristine" "$G2"
unset OPENAI_API_KEY
printf 'set model = openai/gpt-4o\nprovider openai base_url = http://127.0.0.1:9/v1\n' > "$T/openai.conf"
"$DESKHAND" run --grant "$G2" --approve-plan --mode auto --json --replay "$T/rec.jsonl" "edit a" > "$T/replay" 2>"$T/err" || { cat "$T/err"; fail "replay failed"; }
assert_eq "$(cat "$G2/a.txt")" two
strip() { jq -c 'select(.type!="checkpoint" and .type!="session_started" and .type!="tool_result" and .type!="retry" and .type!="text_delta") ' "$1" | sed "s|$2|GRANT|g"; }
diff <(strip "$T/live" "$G") <(strip "$T/replay" "$G2") || fail "replayed events differ"
echo ok

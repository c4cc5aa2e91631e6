# deskhand usage and a session whose transcript.jsonl is gone while its
# meta.json records requests: what it spent cannot be counted by day or
# model, so usage says so (a warning naming the session, the file and the
# tokens and cost meta.json records) and exits 1, the rest summed all the
# same; `deskhand sessions` still shows that session's cost. A session
# that made no request (killed before its first) has nothing to count: no
# warning, exit 0.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 1000, "output_tokens": 100}}
]}
JSON
start_fake "$T/script.json" --cursor-per-key
for k in a b; do
  ANTHROPIC_API_KEY=key-$k "$DESKHAND" run --grant "$G" --mode auto "task $k" >"$T/out-$k" 2>&1 \
    </dev/null || fail "run $k: $(cat "$T/out-$k")"
done
S=$XDG_STATE_HOME/deskhand/sessions
gone=$(ls "$S" | head -1); kept=$(ls "$S" | tail -1)
"$DESKHAND" usage --json >"$T/before" || fail "usage"
assert_eq "$(jq .total.requests "$T/before")" 2
cost=$(jq -r .cost_usd "$S/$gone/meta.json")

rm "$S/$gone/transcript.jsonl"
rc=0; "$DESKHAND" usage --by session --json >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "usage with a transcript gone: $(cat "$T/err")"
err=$(cat "$T/err")
assert_contains "$err" "deskhand: warning: session $gone: $S/$gone/transcript.jsonl is missing"
assert_contains "$err" \
  "the 1000 input and 100 output tokens (\$$(printf '%.4f' "$cost")) its meta.json records"
assert_eq "$(jq -r '.rows[].key' "$T/out")" "$kept" "the sessions summed"
assert_eq "$(jq .total.requests "$T/out")" 1
assert_contains "$("$DESKHAND" sessions 2>&1)" "$gone"

# a session with no request and no transcript: nothing to say
mkdir "$S/20200101-000000-0000"
printf '{"id": "20200101-000000-0000", "status": "interrupted", "task": "x", "grants": [],
 "created": 1577836800, "updated": 1577836800}\n' > "$S/20200101-000000-0000/meta.json"
rm -r "$S/$gone"
rc=0; "$DESKHAND" usage >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 0 "usage with a session that made no request: $(cat "$T/err")"
assert_eq "$(cat "$T/err")" ""
echo ok

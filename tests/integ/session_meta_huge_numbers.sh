# Figures in a session's files that no session has are read into a range,
# not into undefined arithmetic (each died of SIGILL under the sanitizers):
# a meta.json "created" of 1e12 seconds (times 1e9 ns overflowed: sessions,
# inbox and every listing), a session directory of the year 3000 (the same),
# an "updated" of -9.2e18 (inbox's age overflowed), and "turns" of 2^31-1
# with tokens of 9.2e18 (the resumed run's next turn and token sums
# overflowed).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Done.", "stop_reason": "end_turn",
            "usage": {"input_tokens": 100, "output_tokens": 10}}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --mode auto --json "task" >"$T/out" 2>"$T/err" </dev/null ||
  fail "the run failed: $(tail -5 "$T/err")"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
S=$XDG_STATE_HOME/deskhand/sessions
edit() { jq "$1" "$S/$sid/meta.json" >"$T/m" && cp "$T/m" "$S/$sid/meta.json"; }

edit 'del(.started_ns) | .created = 1e12 | .origin = "headless" | .status = "failed"
  | .updated = -9.2e18'
"$DESKHAND" sessions >"$T/o" 2>"$T/err" || fail "sessions: $(tail -5 "$T/err")"
assert_contains "$(cat "$T/o")" "$sid"
"$DESKHAND" inbox --json >"$T/o" 2>"$T/err" || [ $? = 1 ] || fail "inbox: $(tail -5 "$T/err")"
assert_eq "$(jq -r '.[].id' "$T/o")" "$sid" "the inbox"
"$DESKHAND" inbox >"$T/o" 2>"$T/err" || [ $? = 1 ] || fail "inbox: $(tail -5 "$T/err")"
assert_contains "$(cat "$T/o")" "$sid"

mkdir -p "$S/30000101-000000-abcd"
rc=0; "$DESKHAND" sessions >"$T/o" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "sessions with a directory of the year 3000 (no meta.json): $(tail -5 "$T/err")"
assert_contains "$(cat "$T/o")" "30000101-000000-abcd"
assert_contains "$(cat "$T/o")" "$sid"
rmdir "$S/30000101-000000-abcd"

edit '.turns = 2147483647 | .input_tokens = 9.2e18 | .output_tokens = 9.2e18 | .status = "done"'
start_fake "$T/script.json"
"$DESKHAND" run --resume "$sid" --mode auto --json "go on" >"$T/out2" 2>"$T/err" </dev/null ||
  fail "the resumed run failed: $(tail -5 "$T/err")"
assert_eq "$(jq -c 'select(.type=="turn_started") | .turn' "$T/out2")" "$(( (1 << 30) + 1 ))" \
  "the resumed run's turn"
assert_eq "$(jq -c 'select(.type=="usage") | [.total_input_tokens, .total_output_tokens]' "$T/out2")" \
  "[$(( (1 << 50) + 100 )),$(( (1 << 50) + 10 ))]" "the resumed run's totals"
echo ok

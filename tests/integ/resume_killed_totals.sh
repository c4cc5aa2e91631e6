# A session whose engine is killed (SIGKILL) during a tool call keeps the
# totals of that turn's request, which its meta.json (saved when a turn's
# tool calls end) does not have yet: `deskhand sessions` shows them from the
# transcript, and a resume goes on from them, so its turn numbers continue
# and max_cost_per_session counts the request. The fake model reports
# 100000 input and 10000 output tokens a turn ($0.45 at claude-sonnet-4-5's
# prices): two turns ran before the kill, $0.90.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "wait"}]}}]},
 {"usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "run_command",
                  "input": {"command": "echo started; touch ready; sleep 60"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "usage": {"input_tokens": 100000, "output_tokens": 10000}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" wait
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
D=$XDG_STATE_HOME/deskhand/sessions/$sid
jq -c 'select(.type=="usage")' "$D/transcript.jsonl"
jq -c '{turns, cost_usd, input_tokens}' "$D/meta.json"
assert_eq "$(jq -c 'select(.type=="turn_started") | .turn' "$D/transcript.jsonl" | tr '\n' ' ')" \
  "1 2 " "turns before the kill"

# Before any resume: the transcript's totals.
s=$("$DESKHAND" sessions --json)
assert_eq "$(jq -c --arg s "$sid" '.[] | select(.id==$s) |
  [.state, .turns, .cost_usd, .input_tokens, .output_tokens]' <<<"$s")" \
  '["interrupted",2,0.9,200000,20000]' "sessions --json of the killed session"
assert_contains "$("$DESKHAND" sessions)" "$sid  interrupted   2 turns  \$0.9000"

# max_cost_per_session counts the killed turn's request: $0.90 spent, and
# the next request could cost more than the $0.10 left.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_cost_per_session = 1' > "$XDG_CONFIG_HOME/deskhand/config"
: > "$FAKE_LOG"
rc=0
"$DESKHAND" run --resume "$sid" --json "go on" >"$T/out2" 2>"$T/err2" </dev/null || rc=$?
jq -c 'select(.type=="budget")' "$T/out2"
assert_eq "$rc" 7 "resume under max_cost_per_session: $(tail -3 "$T/err2")"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .limit]' "$T/out2")" \
  '[0.9,"max_cost_per_session"]'
assert_eq "$(wc -l < "$FAKE_LOG")" 0 "requests past max_cost_per_session"

# Without the cap the session goes on: turn 3, and its totals add to the
# killed turn's.
: > "$XDG_CONFIG_HOME/deskhand/config"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err3") ||
  { cat "$T/err3"; fail "resume failed"; }
assert_eq "$(jq -c 'select(.type=="turn_started") | .turn' <<<"$out" | tr '\n' ' ')" "3 " \
  "the resumed run's turns"
assert_eq "$(jq -c 'select(.type=="usage") | [.total_cost_usd, .total_input_tokens]' <<<"$out")" \
  '[1.35,300000]' "the resumed request's totals"
assert_eq "$(jq -c '[.turns, .cost_usd, .input_tokens, .output_tokens]' "$D/meta.json")" \
  '[3,1.35,300000,30000]' "meta.json after the resume"
assert_contains "$("$DESKHAND" sessions)" "$sid  done          3 turns  \$1.3500"
echo ok

# Spend caps are checked before a request is sent: the request's input tokens
# estimated from its body, its output at max_tokens, priced from the model
# registry. The fake model reports 100000 input and 10000 output tokens per
# turn ($0.45 at claude-sonnet-4-5's prices). With `run --max-cost 1`, two
# turns run ($0.90) and the third, which could cost about $0.14 more, is never
# sent: the fake server's logs show two requests and $0.90 of usage, never
# more than the cap (checking after the fact would have sent the third and
# spent $1.35). The run ends with status budget (exit 7) after a budget event
# {spent, cap, estimate, limit}, and a resume with a higher cap goes on.
# max_tokens_per_session (--max-tokens) and max_cost_per_session stop the same
# way; bad values name the option.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}]}}]},
 {"text": "First file.", "usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "Second file.", "usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "All done.", "stop_reason": "end_turn"}
]}
JSON
# served_usd: what the requests the fake answered cost, from its usage log.
served_usd() {
  jq -s 'map(.input_tokens * 3 + .output_tokens * 15) | add / 1000000' "$FAKE_LOG.usage"
}
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --max-cost 1 "two files" \
  >"$T/out" 2>"$T/err" </dev/null || rc=$?
jq -c 'select(.type=="budget" or .type=="session_finished")' "$T/out"
assert_eq "$rc" 7 "exit status of a run stopped by its spend cap"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap, .limit]' "$T/out")" '[0.9,1,"max_cost"]'
est=$(jq -r 'select(.type=="budget") | .estimate' "$T/out")
# output at max_tokens (8192 × $15/M = $0.12288) plus the input of the body
jq -e --argjson e "$est" -n '$e > 0.12288 and $e < 0.2' >/dev/null \
  || fail "estimate $est: not max_tokens' output plus a few thousand input tokens"
assert_eq "$(jq -r 'select(.type=="session_finished") | .status' "$T/out")" budget
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out")" \
  'spend cap: the next request could cost $0.1'
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out")" \
  '$0.9000 spent of $1.0000 (max_cost)'
# The refused request never reached the server, and what it served stays under the cap.
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests the fake model got"
assert_eq "$(served_usd)" 0.9 "USD of the usage the fake model reported"
assert_eq "$(jq -c 'select(.type=="turn_started") | .turn' "$T/out" | tr '\n' ' ')" "1 2 " \
  "a refused request is no turn"
[ -e "$G/a.txt" ] || fail "the second turn's file is missing"
[ ! -e "$G/b.txt" ] || fail "a turn past the cap ran"
sid=$(jq -r 'select(.type=="session_started") | .session' "$T/out")
assert_eq "$(jq -r .status "$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json")" budget
# The budget event is in the transcript, so attaching later shows it.
grep -q '"type":"budget"' "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl" \
  || fail "no budget record in the transcript"
# Human output names the cap.
"$DESKHAND" run --resume "$sid" --grant "$G" --approve-plan --mode auto --max-cost 0.1 "go on" \
  >"$T/human" 2>&1 </dev/null && fail "a resume under a too small cap finished"
assert_contains "$(cat "$T/human")" "spend cap: \$0.0000 spent of \$0.1000, the next request could cost"
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "a resume under a too small cap sent a request"

# Resumed with a higher cap, the session goes on: the third turn runs.
rc=0
"$DESKHAND" run --resume "$sid" --grant "$G" --approve-plan --mode auto --json --max-cost 5 \
  "go on" >"$T/out3" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 0 "resume with a higher cap: $(tail -3 "$T/err")"
[ -e "$G/b.txt" ] || fail "the resumed run did not go on"

# max_cost_per_session counts the session's earlier runs: $1.35 and a little
# spent so far.
: > "$FAKE_LOG"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_cost_per_session = 1.4' > "$XDG_CONFIG_HOME/deskhand/config"
rc=0
"$DESKHAND" run --resume "$sid" --grant "$G" --approve-plan --mode auto --json "more" \
  >"$T/out4" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 7 "max_cost_per_session"
assert_eq "$(jq -c 'select(.type=="budget") | [(.spent * 100 | floor), .cap, .limit]' "$T/out4")" \
  '[135,1.4,"max_cost_per_session"]'
assert_eq "$(wc -l < "$FAKE_LOG")" 0 "requests past max_cost_per_session"

# --max-tokens: the session's tokens (220000 so far in two turns of a new
# session) plus the next request's estimate may not pass it.
: > "$XDG_CONFIG_HOME/deskhand/config"
rm -rf "$G"; mkdir -p "$G"
start_fake "$T/script.json"
: > "$FAKE_LOG"
rc=0
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --max-tokens 225000 "two files" \
  >"$T/out5" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 7 "--max-tokens"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap, .limit]' "$T/out5")" \
  '[220000,225000,"max_tokens_per_session"]'
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests under --max-tokens"
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out5")" \
  "token cap: the next request could use"

# From the config, max_cost: a run without the flag stops the same way.
echo 'set max_cost = 0.4' > "$XDG_CONFIG_HOME/deskhand/config"
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "again" >"$T/out2" 2>"$T/err" \
  </dev/null || rc=$?
assert_eq "$rc" 7 "max_cost from the config"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap]' "$T/out2")" "[0.45,0.4]"

# A bad value names the option and the value.
echo 'set max_cost = lots' > "$XDG_CONFIG_HOME/deskhand/config"
rc=0; "$DESKHAND" --dump-config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "config:1: 'max_cost' must be an amount of US dollars"
echo 'set max_cost_per_session = -2' > "$XDG_CONFIG_HOME/deskhand/config"
rc=0; "$DESKHAND" --dump-config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "config:1: 'max_cost_per_session' must be an amount of US dollars"
: > "$XDG_CONFIG_HOME/deskhand/config"
rc=0; "$DESKHAND" run --grant "$G" --max-cost -1 "x" </dev/null >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "--max-cost -1"
assert_contains "$(cat "$T/err")" "--max-cost: 'max_cost' must be an amount"
rc=0; "$DESKHAND" run --grant "$G" --max-tokens lots "x" </dev/null >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "--max-tokens lots"
assert_contains "$(cat "$T/err")" "--max-tokens"
assert_contains "$(cat "$T/err")" "max_tokens_per_session"
echo ok

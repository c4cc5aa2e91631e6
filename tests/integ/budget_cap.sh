# Spend cap: `run --max-cost USD` stops before the request that would start
# past the cap. The fake model reports 100000 input and 10000 output tokens
# per turn ($0.45 at claude-sonnet-4-5's prices): with a cap of $0.50 the
# second turn runs ($0.90 spent), the third never starts. The run ends with
# status budget (exit 7) after a budget event {spent, cap}; the session's
# record says budget and it stays resumable. The config's max_cost does the
# same for a run without the flag; a bad value names the option.
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
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --max-cost 0.5 "two files" \
  >"$T/out" 2>"$T/err" </dev/null || rc=$?
cat "$T/out" | jq -c 'select(.type=="budget" or .type=="session_finished" or .type=="usage")'
assert_eq "$rc" 7 "exit status of a run stopped by its spend cap"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap]' "$T/out")" "[0.9,0.5]"
assert_eq "$(jq -r 'select(.type=="session_finished") | .status' "$T/out")" budget
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out")" \
  'spend cap reached: $0.9000 spent of $0.5000'
# Two requests went out, not three: the second turn's file is there, no later one.
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests the fake model got"
[ -e "$G/a.txt" ] || fail "the first turn's file is missing"
[ ! -e "$G/b.txt" ] || fail "a turn past the cap ran"
sid=$(jq -r 'select(.type=="session_started") | .session' "$T/out")
assert_eq "$(jq -r .status "$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json")" budget
# The budget event is in the transcript, so attaching later shows it.
grep -q '"type":"budget"' "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl" \
  || fail "no budget record in the transcript"

# From the config, and the cap is per run: a resumed run gets a fresh one.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
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
assert_eq "$rc" 2
assert_contains "$(cat "$T/err")" "config:1: 'max_cost' must be an amount of US dollars"
: > "$XDG_CONFIG_HOME/deskhand/config"
rc=0; "$DESKHAND" run --grant "$G" --max-cost -1 "x" </dev/null >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "--max-cost -1"
assert_contains "$(cat "$T/err")" "--max-cost: 'max_cost' must be an amount"
echo ok

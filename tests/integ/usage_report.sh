# deskhand usage sums the transcripts' usage records: its tokens match what
# the fake model reported (its usage log) exactly, by day, model and session,
# and its cost is those tokens at the registry's prices. --since and bad
# options.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "usage": {"input_tokens": 1234, "output_tokens": 56,
   "cache_read_input_tokens": 700, "cache_creation_input_tokens": 300},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a file"}]}}]},
 {"text": "Writing.", "usage": {"input_tokens": 2001, "output_tokens": 77,
   "cache_read_input_tokens": 1000},
  "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 3003, "output_tokens": 9}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "one file" >/dev/null 2>&1 </dev/null \
  || fail "the first session failed"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --model claude-haiku-4-5 "again" \
  >/dev/null 2>&1 </dev/null || fail "the second session failed"
usage=$FAKE_LOG.usage
assert_eq "$(wc -l < "$usage")" 6 "responses the fake model reported usage for"

# what the fake reported, summed: [requests, input, output, cache read, cache write]
want=$(jq -s -c '[length, (map(.input_tokens)|add), (map(.output_tokens)|add),
  (map(.cache_read_input_tokens)|add), (map(.cache_creation_input_tokens)|add)]' "$usage")
got() { jq -c '[.requests, .input_tokens, .output_tokens, .cache_read_tokens, .cache_creation_tokens]'; }

"$DESKHAND" usage --json >"$T/day.json" || fail "usage --json"
assert_eq "$(jq -r .by "$T/day.json")" day
assert_eq "$(jq '.rows | length' "$T/day.json")" 1 "one day"
assert_eq "$(jq -r '.rows[0].key' "$T/day.json")" "$(date +%F)"
assert_eq "$(jq -c .total "$T/day.json" | got)" "$want" "usage total vs the fake's reports"
assert_eq "$(jq -c '.rows[0]' "$T/day.json" | got)" "$want"

# by model: each model's rows match the fake's reports for that model
"$DESKHAND" usage --by model --json >"$T/model.json" || fail "usage --by model"
assert_eq "$(jq -c '[.rows[].key]' "$T/model.json")" '["claude-haiku-4-5","claude-sonnet-4-5"]'
for m in claude-haiku-4-5 claude-sonnet-4-5; do
  w=$(jq -s -c --arg m "$m" 'map(select(.model == $m)) | [length, (map(.input_tokens)|add),
    (map(.output_tokens)|add), (map(.cache_read_input_tokens)|add),
    (map(.cache_creation_input_tokens)|add)]' "$usage")
  assert_eq "$(jq -c --arg m "$m" '.rows[] | select(.key == $m)' "$T/model.json" | got)" "$w" "$m"
done
# the cost is those tokens at the registry's prices (sonnet 3/15, haiku 1/5 per
# million; cache reads at 0.1x input, writes at 1.25x)
cost=$(jq -s --arg m claude-sonnet-4-5 'map(select(.model == $m)) |
  map(.input_tokens * 3 + .output_tokens * 15 + .cache_read_input_tokens * 0.3
      + .cache_creation_input_tokens * 3.75) | add / 1000000' "$usage")
jq -e --argjson c "$cost" '.rows[] | select(.key == "claude-sonnet-4-5") | (.cost_usd - $c) | fabs < 1e-9' \
  "$T/model.json" >/dev/null || fail "sonnet cost: want $cost, got $(jq -c .rows "$T/model.json")"
assert_eq "$(jq '.total.unpriced' "$T/model.json")" 0

# by session: two sessions, three requests each, in the order they started,
# as `sessions` lists them, also when the later one's id sorts first (ids of
# one start second differ only by a random suffix: the later one is moved
# to such an id here, its directory and meta.json's id, so that each run
# checks it)
mapfile -t ids < <("$DESKHAND" sessions --json | jq -r '.[].id')
assert_eq "${#ids[@]}" 2 "sessions"
late=${ids[0]:0:15}-000
S=$XDG_STATE_HOME/deskhand/sessions
mv "$S/${ids[1]}" "$S/$late"
jq -c --arg id "$late" '.id = $id' "$S/$late/meta.json" >"$T/meta.json" && mv "$T/meta.json" "$S/$late/meta.json"
assert_eq "$("$DESKHAND" sessions --json | jq -c '[.[].id]')" "[\"${ids[0]}\",\"$late\"]"
"$DESKHAND" usage --by session --json >"$T/session.json" || fail "usage --by session"
assert_eq "$(jq -c '[.rows[].requests]' "$T/session.json")" "[3,3]"
assert_eq "$(jq -c '[.rows[].key]' "$T/session.json")" "[\"${ids[0]}\",\"$late\"]"

# the table
"$DESKHAND" usage >"$T/table" || fail "usage"
assert_contains "$(head -1 "$T/table")" "day"
assert_contains "$(tail -1 "$T/table")" "total"
assert_contains "$(tail -1 "$T/table")" " 6 "

# --since: tomorrow has nothing; today everything
tomorrow=$(date -d tomorrow +%F)
assert_eq "$("$DESKHAND" usage --since "$tomorrow" --json | jq -c '[(.rows|length), .total.requests]')" "[0,0]"
assert_eq "$("$DESKHAND" usage --since "$(date +%F)" --json | jq .total.requests)" 6

# bad options name themselves
rc=0; "$DESKHAND" usage --by week 2>"$T/err" || rc=$?
assert_eq "$rc" 2; assert_contains "$(cat "$T/err")" "--by 'week': expected day, model or session"
rc=0; "$DESKHAND" usage --since 12/04 2>"$T/err" || rc=$?
assert_eq "$rc" 2; assert_contains "$(cat "$T/err")" "--since '12/04': expected a date YYYY-MM-DD"
# a day the calendar does not have is not taken for the next month's
rc=0; "$DESKHAND" usage --since 2026-02-30 2>"$T/err" || rc=$?
assert_eq "$rc" 2; assert_contains "$(cat "$T/err")" "--since '2026-02-30': expected a date YYYY-MM-DD"
"$DESKHAND" usage --help | grep -q -- '--by KEY' || fail "usage --help"
echo ok

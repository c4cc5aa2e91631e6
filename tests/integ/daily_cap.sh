# max_cost_per_day across sessions: each priced request's cost goes to the
# day's ledger ($XDG_STATE_HOME/deskhand/spend/YYYY-MM-DD, written off the
# event loop), and a run starts from what every session spent that day. Each
# session here makes one request reported as $0.45 (100000 in, 10000 out at
# claude-sonnet-4-5's prices); with a day cap of $1 the first two go and the
# third session's request, which could take the day to about $1.04, is never
# sent. An unreadable ledger stops a capped run, naming the file, and what
# another session spends while a run waits counts before its next request.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 100000, "output_tokens": 10000}},
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 100000, "output_tokens": 10000}},
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 100000, "output_tokens": 10000}}
]}
JSON
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_cost_per_day = 1' > "$XDG_CONFIG_HOME/deskhand/config"
ledger=$XDG_STATE_HOME/deskhand/spend/$(date +%F)
start_fake "$T/script.json"
for i in 1 2; do
  "$DESKHAND" run --grant "$G" --json "task $i" >"$T/out$i" 2>"$T/err" </dev/null \
    || fail "session $i under the day cap: $(tail -3 "$T/err")"
done
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests of the first two sessions"
assert_eq "$(wc -l < "$ledger")" 2 "ledger lines"
assert_eq "$(jq -s -c 'map(.cost_usd)' "$ledger")" "[0.45,0.45]"
assert_eq "$(jq -s -r '.[1].session' "$ledger")" \
  "$(jq -r 'select(.type=="session_started") | .session' "$T/out2")"
[ "$(stat -c %a "$ledger")" = 600 ] || fail "the ledger is mode $(stat -c %a "$ledger")"

rc=0
"$DESKHAND" run --grant "$G" --json "task 3" >"$T/out3" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 7 "the third session, past the day's cap"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap, .limit]' "$T/out3")" \
  '[0.9,1,"max_cost_per_day"]'
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "the fake model got a request past the day's cap"
assert_eq "$(jq -s 'map(.input_tokens * 3 + .output_tokens * 15) | add / 1000000' "$FAKE_LOG.usage")" \
  0.9 "USD the fake model reported for the day"
# deskhand usage agrees with the ledger
assert_eq "$("$DESKHAND" usage --json | jq -c '[.total.requests, .total.cost_usd]')" "[2,0.9]"

# Tomorrow's ledger is another file: yesterday's spending does not count.
mv "$ledger" "$XDG_STATE_HOME/deskhand/spend/2000-01-01"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "task 4" >"$T/out4" 2>"$T/err" </dev/null \
  || fail "a new day: $(tail -3 "$T/err")"

# An unreadable ledger: a capped run does not start, and says which file.
rm -f "$ledger"; mkdir -p "$ledger"
rc=0
"$DESKHAND" run --grant "$G" "task 5" >"$T/out5" 2>"$T/err" </dev/null || rc=$?
[ "$rc" != 0 ] || fail "a run started with an unreadable ledger"
assert_contains "$(cat "$T/err" "$T/out5")" "max_cost_per_day: spend ledger: $ledger"

# Sessions at the same time: the ledger is read again before each request, so
# what another session spent while this one waited for an approval counts.
rmdir "$ledger"
cat > "$T/ask.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "c"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/ask.json"
: > "$FAKE_LOG"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands "write c" <"$fifo" >"$T/out6" \
  2>"$T/err6" &
pid=$!
exec 9>"$fifo"
for _ in $(seq 1 400); do grep -q '"approval_needed"' "$T/out6" && break; sleep 0.05; done
grep -q '"approval_needed"' "$T/out6" || { cat "$T/out6" "$T/err6"; fail "no approval asked"; }
echo '{"session":"another","cost_usd":0.9,"ts":0}' >> "$ledger"
echo '{"type":"approve"}' >&9
exec 9>&-
rc=0; wait $pid || rc=$?
assert_eq "$rc" 7 "a run past what another session spent meanwhile: $(tail -3 "$T/err6")"
[ -e "$G/c.txt" ] || fail "the approved call did not run"
assert_eq "$(jq -r 'select(.type=="budget") | .limit' "$T/out6")" max_cost_per_day
# another session's $0.90 and this run's two small requests
assert_eq "$(jq 'select(.type=="budget") | .spent * 1000 | floor' "$T/out6")" 900 "day spent"
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests sent past the day's cap"
echo ok

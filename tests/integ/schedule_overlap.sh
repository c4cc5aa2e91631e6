# Overlapping, missed and paused runs of a schedule, fired by the command its
# crontab line runs, with no terminal. Overlap: a fire while the previous run
# is live starts nothing, says so (exit 0) and `schedule list` shows the
# skip; `schedule run` then exits 3 (with --json, an object saying why).
# Missed: a fire long after its slot (the log set back 8 days, as if the
# machine was off) is on time, cron has no catch-up (a timer's:
# schedule_catch_up.sh), and so is the first after a long pause. Paused: the
# timer's fire starts nothing; resume puts the line back.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
slow_fake

DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md from this week's notes" >"$T/add.out" 2>&1 || { cat "$T/add.out"; fail "add"; }
cmd=$(cron_cmd digest)

# 1. overlap: a slow run is live; the timer's fire starts nothing
ANTHROPIC_BASE_URL=$(cat "$T/slow.url") ANTHROPIC_API_KEY=key-slow \
  fire_cmd "$cmd" || fail "fire (slow): $(cat "$T/fire.out")"
slow=$(tail -1 "$T/fire.out")
wait_state "$slow" working
ANTHROPIC_API_KEY=key-2 fire_cmd "$cmd" || fail "a skipped fire must exit 0: $(cat "$T/fire.out")"
assert_contains "$(cat "$T/fire.out")" "previous run $slow is still live: nothing started"
rc=0; ANTHROPIC_API_KEY=key-3 "$DESKHAND" schedule run digest >"$T/run.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "schedule run during a live run: $(cat "$T/run.out")"
# --json: the skip is a JSON object too, with the same exit status
rc=0; "$DESKHAND" schedule run digest --json >"$T/run.json" 2>"$T/run.err" || rc=$?
assert_eq "$rc" 3 "schedule run --json during a live run: $(cat "$T/run.json" "$T/run.err")"
jq -e . "$T/run.json" >/dev/null || fail "schedule run --json printed no JSON: $(cat "$T/run.json")"
assert_eq "$(jq -r '"\(.schedule) \(.session) \(.previous)"' "$T/run.json")" "digest null $slow"
assert_eq "$(jq -r .skipped "$T/run.json")" "previous run $slow still live"
assert_eq "$("$DESKHAND" ls --json | jq length)" 1 "only the slow run is live"
assert_contains "$("$DESKHAND" schedule list)" "skipped"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_skip_reason')" "previous run $slow still live"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_session')" "$slow"
# (the slow run streams for half a minute: these checks all fall inside it)
"$DESKHAND" stop "$slow" >/dev/null 2>&1 || fail "the slow run could not be stopped"
[ "$(grep -c . "$T/slow.log")" -ge 1 ] || fail "the slow server saw no request"

# 2. missed: the last run is set back 8 days (the machine was off): the
# crontab line's next fire is on time (cron has no catch-up), as is the one
# after.
log=$XDG_STATE_HOME/deskhand/schedules/digest.log
old=$(( $(date +%s) - 8 * 86400 ))
awk -F'\t' -v OFS='\t' -v t="$old" '{ if ($2 == "run" || $2 == "added" || $2 == "skip") $1 = t; print }' "$log" > "$log.new"
mv "$log.new" "$log"
ANTHROPIC_API_KEY=key-catch fire_cmd "$cmd" || fail "fire (catch-up): $(cat "$T/fire.out")"
c1=$(tail -1 "$T/fire.out")
"$DESKHAND" wait "$c1" >/dev/null 2>&1 || fail "the catch-up run failed"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_kind')" "timer"
ANTHROPIC_API_KEY=key-after fire_cmd "$cmd" || fail "fire (after): $(cat "$T/fire.out")"
c2=$(tail -1 "$T/fire.out")
"$DESKHAND" wait "$c2" >/dev/null 2>&1 || fail "the run after the catch-up failed"
assert_eq "$("$DESKHAND" schedule log --json digest | jq '[.[] | select(.event == "run" and (.detail | startswith("catch-up")))] | length')" 0
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_kind')" "timer"

# 3. paused: the timer's fire starts nothing; schedule run does
"$DESKHAND" schedule pause digest >/dev/null || fail "pause"
ANTHROPIC_API_KEY=key-p fire_cmd "$cmd" || fail "fire while paused"
assert_contains "$(cat "$T/fire.out")" "paused: nothing started"
assert_eq "$(grep -c 'deskhand-schedule digest$' "$T/crontab" || true)" 0 "pause removes the crontab line"
"$DESKHAND" schedule resume digest >/dev/null || fail "resume"
assert_eq "$(grep -c 'deskhand-schedule digest$' "$T/crontab")" 1 "resume puts the line back"
# a long pause is not a missed run: the first fire after resume is on time
awk -F'\t' -v OFS='\t' -v t="$old" '{ if ($2 != "resumed") $1 = t; print }' "$log" > "$log.new"
mv "$log.new" "$log"
ANTHROPIC_API_KEY=key-resumed fire_cmd "$cmd" || fail "fire (after resume): $(cat "$T/fire.out")"
"$DESKHAND" wait "$(tail -1 "$T/fire.out")" >/dev/null 2>&1 || fail "the run after resume failed"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "digest") | .last_kind')" "timer"

echo ok

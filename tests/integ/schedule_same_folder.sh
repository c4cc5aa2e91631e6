# A fire while another live engine holds one of its folders (here another
# schedule's run on the same folder) starts nothing and is no failure: it
# exits 0 for the timer, says which session has the folder, and is
# recorded as a skip naming it (`schedule list` NOTES and --json, the
# schedule's log), not as "failed to start". `schedule run` exits 3 and
# --json names the session in "previous".
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
slow_fake
for n in one two; do
  DH_SCHEDULER=cron "$DESKHAND" schedule add "$n" --at '0 8 * * 1' --grant "$G" --mode auto \
    "Write digest.md from this week's notes" >"$T/add.out" 2>&1 || fail "add $n: $(cat "$T/add.out")"
done
ANTHROPIC_BASE_URL=$(cat "$T/slow.url") ANTHROPIC_API_KEY=key-slow \
  fire_cmd "$(cron_cmd one)" || fail "fire one: $(cat "$T/fire.out")"
slow=$(tail -1 "$T/fire.out")
wait_state "$slow" working

# the timer's fire of the other schedule on the same folder
rc=0; ANTHROPIC_API_KEY=key-2 fire_cmd "$(cron_cmd two)" || rc=$?
assert_eq "$rc" 0 "a fire while the folder is in use is no failure: $(cat "$T/fire.out")"
assert_contains "$(cat "$T/fire.out")" \
  "schedule two: folder $G is in use by live session $slow: nothing started"
j=$("$DESKHAND" schedule list --json | jq '.[] | select(.name == "two")')
assert_eq "$(jq -r .last_skip_reason <<<"$j")" "folder $G in use by live session $slow"
assert_eq "$(jq -r .last_fail_reason <<<"$j")" null
row=$("$DESKHAND" schedule list | grep '^two ')
assert_contains "$row" "(folder $G in use by live session $slow)"
assert_not_contains "$row" "failed to start"
assert_eq "$("$DESKHAND" schedule log --json two | jq -r '.[0] | "\(.event) \(.session)"')" \
  "skip $slow"

# `schedule run`: nothing started, exit 3, the session in the way named
rc=0; "$DESKHAND" schedule run two --json >"$T/run.json" 2>"$T/run.err" || rc=$?
assert_eq "$rc" 3 "schedule run while the folder is in use: $(cat "$T/run.json" "$T/run.err")"
assert_eq "$(jq -r '"\(.session) \(.previous) \(.skipped)"' "$T/run.json")" \
  "null $slow folder $G in use by live session $slow"
assert_eq "$("$DESKHAND" ls --json | jq length)" 1 "only the slow run is live"
"$DESKHAND" stop "$slow" >/dev/null 2>&1 || fail "the slow run could not be stopped"
echo ok

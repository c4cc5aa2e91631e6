# A fire while a foreground `deskhand run` (its engine in the terminal's own
# process: no socket, so not among the live sessions) holds one of its
# folders is the same skip as for a live engine (schedule_same_folder): it
# exits 0 for the timer, names the session and that a foreground run has
# it, and is recorded as a skip, not as "failed to start" (cron mailed an
# error); `schedule run` exits 3 naming it in "previous". Nothing is left
# of the refused engines, and once the run has ended the next fire starts.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
DH_SCHEDULER=cron "$DESKHAND" schedule add one --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md from this week's notes" >"$T/add.out" 2>&1 || fail "add: $(cat "$T/add.out")"

# the foreground run, in this shell's background: it waits for its plan's
# approval on its command pipe (not in $T itself, where fail's look for a
# sanitizer's report would block on reading it)
mkdir "$T/pipe"; fifo=$T/pipe/cmd; mkfifo "$fifo"
ANTHROPIC_API_KEY=key-fg "$DESKHAND" run --grant "$G" --json --commands "Read the notes" \
  <"$fifo" >"$T/fg.out" 2>"$T/fg.err" &
fg=$!
exec 9>"$fifo"
stop_fg() { exec 9>&-; kill "$fg" 2>/dev/null || true; wait "$fg" 2>/dev/null || true; }
trap 'stop_fg; cleanup' EXIT
for _ in $(seq 1 300); do grep -q '"approval_needed"' "$T/fg.out" && break; sleep 0.05; done
grep -q '"approval_needed"' "$T/fg.out" || fail "no approval_needed: $(cat "$T/fg.out" "$T/fg.err")"
sid=$(jq -r 'select(.type == "session_started").session' "$T/fg.out")
[ -n "$sid" ] || fail "no session id"
assert_eq "$("$DESKHAND" ls --json | jq length)" 0 "a foreground run lists no socket"
held="folder $G in use by session $sid of a foreground deskhand run (pid $fg)"

# the timer's fire
rc=0; ANTHROPIC_API_KEY=key-2 fire_cmd "$(cron_cmd one)" || rc=$?
assert_eq "$rc" 0 "a fire while a foreground run has the folder is no failure: $(cat "$T/fire.out")"
assert_eq "$(cat "$T/fire.out")" \
  "schedule one: folder $G is in use by session $sid of a foreground deskhand run (pid $fg): nothing started"
j=$("$DESKHAND" schedule list --json | jq '.[] | select(.name == "one")')
assert_eq "$(jq -r .last_skip_reason <<<"$j")" "$held"
assert_eq "$(jq -r .last_fail_reason <<<"$j")" null
row=$("$DESKHAND" schedule list | grep '^one ')
assert_contains "$row" "($held)"
assert_not_contains "$row" "failed to start"
assert_eq "$("$DESKHAND" schedule log --json one | jq -r '.[0] | "\(.event) \(.session)"')" \
  "skip $sid"

# `schedule run`: nothing started, exit 3, the session in the way named
rc=0; "$DESKHAND" schedule run one --json >"$T/run.json" 2>"$T/run.err" || rc=$?
assert_eq "$rc" 3 "schedule run while a foreground run has the folder: $(cat "$T/run.json" "$T/run.err")"
assert_eq "$(jq -r '"\(.session) \(.previous) \(.skipped)"' "$T/run.json")" "null $sid $held"
assert_eq "$(cat "$T/run.err")" ""
# the refused engines left no session behind
assert_eq "$("$DESKHAND" sessions --json | jq -r '[.[].id] | join(" ")')" "$sid"
assert_eq "$("$DESKHAND" schedule log --json one | jq -r '[.[] | select(.event == "fail")] | length')" 0

# the foreground run ends: the folder is free, the next fire starts its run
echo '{"type":"deny","message":"stop"}' >&9
for _ in $(seq 1 300); do kill -0 "$fg" 2>/dev/null || break; sleep 0.05; done
stop_fg
rc=0; ANTHROPIC_API_KEY=key-2 fire_cmd "$(cron_cmd one)" || rc=$?
assert_eq "$rc" 0 "the fire once the folder is free: $(cat "$T/fire.out")"
id=$(tail -1 "$T/fire.out")
assert_eq "$("$DESKHAND" schedule log --json one | jq -r '.[0] | "\(.event) \(.session)"')" "run $id"
rc=0; "$DESKHAND" wait "$id" >"$T/wait.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "the scheduled run: $(cat "$T/wait.out")"
echo ok

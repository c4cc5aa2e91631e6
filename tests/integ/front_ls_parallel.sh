# `deskhand ls`, `inbox` and `sessions` asked the live engines one at a
# time, each with 10 s to answer: every stopped engine added 10 s (two
# stopped engines, 20 s; `inbox --dismiss` asked twice, 40 s; `schedule log`
# asked once for each run it lists). They are asked all at once now, with
# one deadline of 3 s for all of them: two stopped engines cost it once, not
# twice. Each is still listed "not responding", and the one that answers
# with its state.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
jq -n '{"turns": [{"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"}]}' > "$T/script.json"
start_fake "$T/script.json"
ids=()
for k in 1 2 3; do
  mkdir -p "$T/w$k"
  ids[k]=$("$DESKHAND" run --detach --grant "$T/w$k" --mode auto --approve-plan "task $k") \
    || fail "run --detach $k failed"
done
for k in 1 2 3; do wait_state "${ids[k]}" working; done
p1=$(cat "$SOCKDIR/${ids[1]}.pid"); p3=$(cat "$SOCKDIR/${ids[3]}.pid")
kill -STOP "$p1" "$p3"
trap 'kill -CONT "$p1" "$p3" 2>/dev/null; cleanup' EXIT

# timed NAME CMD...: runs CMD (output in $T/NAME, status in $rc) and fails
# unless it took less than two deadlines (6 s): one for every engine at once.
timed() {
  local name=$1 t0 ms; shift
  t0=$(now_ms)
  rc=0; timeout 60 "$@" > "$T/$name" 2>"$T/$name.err" || rc=$?
  ms=$(( $(now_ms) - t0 ))
  echo "$name: ${ms} ms, status $rc"
  [ "$ms" -lt 6000 ] || fail "$name took $ms ms with two stopped engines (one deadline is 3 s)"
}
st() { jq -r --arg s "$2" "$3" "$T/$1"; }

timed ls "$DESKHAND" ls --json
assert_eq "$rc" 0 "ls: $(cat "$T/ls.err")"
assert_eq "$(st ls "${ids[1]}" '.[] | select(.id == $s) | .state')" "not responding" "ls, engine 1"
assert_eq "$(st ls "${ids[2]}" '.[] | select(.id == $s) | .state')" working "ls, engine 2"
assert_eq "$(st ls "${ids[3]}" '.[] | select(.id == $s) | .state')" "not responding" "ls, engine 3"
assert_eq "$(st ls "${ids[3]}" '.[] | select(.id == $s) | .pid')" "$p3" "ls, engine 3's pid"
# the rows keep the order of the socket names, whoever answers first
assert_eq "$(jq -r '[.[].id] | join(" ")' "$T/ls")" "$(printf '%s\n' "${ids[@]}" | sort | xargs)" \
  "the order of the rows"

timed sessions "$DESKHAND" sessions --json
assert_eq "$rc" 0 "sessions: $(cat "$T/sessions.err")"
assert_eq "$(st sessions "${ids[1]}" '.[] | select(.id == $s) | .state')" "not responding" \
  "sessions, engine 1"
assert_eq "$(st sessions "${ids[2]}" '.[] | select(.id == $s) | .state')" working "sessions, engine 2"

timed inbox "$DESKHAND" inbox --json
assert_eq "$rc" 0 "inbox: $(cat "$T/inbox.err")"
# a run at work is not in the inbox: the dismissal is refused, once asked
timed dismiss "$DESKHAND" inbox --dismiss "${ids[2]}"
assert_contains "$(cat "$T/dismiss.err")" "not in the inbox"

# `schedule log` asked the engines once per run it lists
mkdir -p "$XDG_STATE_HOME/deskhand/schedules"
for k in 1 2 3; do printf '%s\trun\t%s\tscheduled\n' "$(date +%s)" "${ids[k]}"; done \
  > "$XDG_STATE_HOME/deskhand/schedules/digest.log"
timed schedule_log "$DESKHAND" schedule log digest --json
assert_eq "$rc" 0 "schedule log: $(cat "$T/schedule_log.err")"
assert_eq "$(st schedule_log "${ids[3]}" '.[] | select(.session == $s) | .status')" \
  "not responding" "schedule log, run 3"
assert_eq "$(st schedule_log "${ids[2]}" '.[] | select(.session == $s) | .status')" working \
  "schedule log, run 2"

kill -CONT "$p1" "$p3"
wait_state "${ids[1]}" working
echo ok

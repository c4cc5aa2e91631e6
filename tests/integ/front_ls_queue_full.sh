# An engine that accepts no connection keeps each one made to it in its
# listen queue (16), even once the client gave up and closed it: the 18th
# `deskhand ls` while it was stopped blocked in connect() until the engine
# went on, however long that was, and so did attach, stop, wait and the
# review commands of its session. They connect without waiting now: ls lists
# an engine whose queue is full as not responding, at once, and the others
# say its engine accepts no connection.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
jq -n '{"turns": [{"fault": "hang"}]}' > "$T/script.json"
start_fake "$T/script.json"
mkdir -p "$T/w"
id=$("$DESKHAND" run --detach --grant "$T/w" --mode auto --approve-plan "task") \
  || fail "run --detach failed"
wait_state "$id" working
pid=$(cat "$SOCKDIR/$id.pid")
kill -STOP "$pid"
trap 'kill -CONT "$pid" 2>/dev/null; cleanup' EXIT
# more at once than the queue holds: every one ends, within its deadline
pids=()
for k in $(seq 1 20); do
  timeout 30 "$DESKHAND" ls --json > "$T/ls$k" 2>"$T/ls$k.err" &
  pids+=($!)
done
for k in $(seq 1 20); do
  rc=0; wait "${pids[k-1]}" || rc=$?
  assert_eq "$rc" 0 "ls $k (124: it hung): $(cat "$T/ls$k.err")"
  assert_eq "$(jq -r --arg s "$id" '.[] | select(.id == $s) | .state' "$T/ls$k")" \
    "not responding" "ls $k: $(cat "$T/ls$k")"
done
# and one more now that the queue is full, in well under its deadline
t0=$(now_ms)
timeout 30 "$DESKHAND" ls --json > "$T/ls" 2>"$T/ls.err" || fail "ls: $(cat "$T/ls.err")"
ms=$(( $(now_ms) - t0 ))
assert_eq "$(jq -r --arg s "$id" '.[] | select(.id == $s) | .state' "$T/ls")" "not responding"
[ "$ms" -lt 2500 ] || fail "ls with the queue full took $ms ms"
# a command for that session says so, where it waited in connect() too
rc=0; timeout 30 "$DESKHAND" stop "$id" > "$T/stop" 2>&1 || rc=$?
assert_eq "$rc" 1 "stop of an engine whose queue is full (124: it hung): $(cat "$T/stop")"
assert_contains "$(cat "$T/stop")" "accepts no connection"
kill -CONT "$pid"
wait_state "$id" working
echo ok

# How long `ls`, `inbox` and `sessions` wait for the live engines' answers
# was a fixed 3 s: on a slow or loaded machine an engine that answers in 4 s
# was always "not responding". DH_LIST_WAIT_MS sets it (as DH_WARM_WAIT_MS
# sets the warm engine's): longer, the slow engine is listed with its
# state; shorter, a stopped one costs less.
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
state() { jq -r --arg s "$id" '.[] | select(.id == $s) | .state' "$1"; }

# shorter: the stopped engine is given up on at 0.5 s
t0=$(now_ms)
DH_LIST_WAIT_MS=500 "$DESKHAND" ls --json >"$T/ls1" 2>&1 || fail "ls failed: $(cat "$T/ls1")"
ms=$(( $(now_ms) - t0 )); echo "ls, DH_LIST_WAIT_MS=500: $ms ms"
assert_eq "$(state "$T/ls1")" "not responding" "ls with a short wait"
[ "$ms" -lt 2500 ] || fail "ls took $ms ms with DH_LIST_WAIT_MS=500"

# longer: an engine that answers after 4 s is listed with its state
(sleep 4; kill -CONT "$pid") & waker=$!
t0=$(now_ms)
DH_LIST_WAIT_MS=20000 "$DESKHAND" ls --json >"$T/ls2" 2>&1 || fail "ls failed: $(cat "$T/ls2")"
ms=$(( $(now_ms) - t0 )); echo "ls, DH_LIST_WAIT_MS=20000: $ms ms"
assert_eq "$(state "$T/ls2")" working "ls with a long wait, the engine answering at 4 s"
wait "$waker"
kill -STOP "$pid"
(sleep 4; kill -CONT "$pid") & waker=$!
DH_LIST_WAIT_MS=20000 "$DESKHAND" sessions --json >"$T/s" 2>&1 || fail "sessions failed: $(cat "$T/s")"
assert_eq "$(state "$T/s")" working "sessions with a long wait"
wait "$waker"
# a value that is not a number of ms is the default
kill -STOP "$pid"
t0=$(now_ms)
DH_LIST_WAIT_MS=soon "$DESKHAND" ls --json >"$T/ls3" 2>&1 || fail "ls failed: $(cat "$T/ls3")"
ms=$(( $(now_ms) - t0 )); echo "ls, DH_LIST_WAIT_MS=soon: $ms ms"
assert_eq "$(state "$T/ls3")" "not responding" "ls with a bad value"
[ "$ms" -ge 2900 ] || fail "ls took $ms ms with a bad DH_LIST_WAIT_MS (default 3000)"
kill -CONT "$pid"
echo ok

# test: serial (a loop of engines, each slow to close)
# A session whose task ended can be resumed at once: `deskhand wait ID &&
# deskhand run --detach --resume ID "…"` works every time (wait returns once
# the engine that ran the task has exited, when nobody else keeps it), as
# does `deskhand stop ID && deskhand run --resume ID "…"`, and resuming as
# soon as the session's socket is gone (an engine removes it
# only after it has let go of the folder and the session). A telemetry
# collector that answers each export late makes every engine slow to close
# (its last export is waited for): the old window between "socket gone" and
# "folder free" lasted that long.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
N=${WAIT_RESUME_CYCLES:-10}
# Two tasks a cycle (the first run and its resume), one turn each; then a
# slow one to stop, and its resume.
python3 - "$N" > "$T/script.json" <<'PY'
import json, sys
n = int(sys.argv[1])
turns = [{"text": "done %d" % i, "stop_reason": "end_turn"} for i in range(2 * n)]
turns.append({"fault": "slow", "text": "working on it, slowly", "delay_ms": 500,
              "stop_reason": "end_turn"})
turns.append({"text": "resumed after the stop", "stop_reason": "end_turn"})
print(json.dumps({"turns": turns}))
PY
start_fake "$T/script.json"
slow_collector

# resume ID CYCLE: run --detach --resume, which must succeed and print ID.
resume() {
  local out rc=0
  out=$("$DESKHAND" run --detach --resume "$1" "more $2" 2>"$T/resume.err") || rc=$?
  [ "$rc" = 0 ] || fail "cycle $2: run --detach --resume failed ($rc): $(cat "$T/resume.err")"
  assert_eq "$out" "$1" "cycle $2: the resumed session"
}

for i in $(seq 1 "$N"); do
  id=$("$DESKHAND" run --detach --grant "$G" --mode auto "task $i" 2>"$T/run.err") \
    || fail "cycle $i: run --detach failed: $(cat "$T/run.err")"
  if [ $((i % 2)) = 1 ]; then
    # wait, then resume at once
    "$DESKHAND" wait "$id" >"$T/w" 2>&1 || fail "cycle $i: wait: $(cat "$T/w")"
  else
    # no wait: resume as soon as the socket is gone
    for _ in $(seq 1 400); do [ -e "$SOCKDIR/$id.sock" ] || break; sleep 0.01; done
    [ ! -e "$SOCKDIR/$id.sock" ] || fail "cycle $i: the engine did not exit"
  fi
  resume "$id" "$i"
  rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
  assert_eq "$rc" 0 "cycle $i: wait on the resumed task: $(cat "$T/w")"
  assert_eq "$("$DESKHAND" sessions --json | jq -r --arg id "$id" \
    '.[] | select(.id == $id) | .status')" done "cycle $i: the resumed task's end"
done

# stop, then resume at once
id=$("$DESKHAND" run --detach --grant "$G" --mode auto "take long" 2>"$T/run.err") \
  || fail "run --detach (to stop) failed: $(cat "$T/run.err")"
wait_state "$id" working
"$DESKHAND" stop "$id" >"$T/s" 2>&1 || fail "stop: $(cat "$T/s")"
resume "$id" stop
rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
assert_eq "$rc" 0 "wait on the task resumed after a stop: $(cat "$T/w")"
echo ok

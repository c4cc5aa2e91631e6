# A warm engine stopped (SIGSTOP, a debugger) while a run it handed over
# goes on: the run's process is not the warm engine, and neither its work
# nor its client waits for it. The client has the run's exit status when
# the run ends (read from the kernel while the stopped warm engine has not
# reaped it), as it has from a warm engine that runs: its exit code, or
# the signal that killed it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
W=$XDG_RUNTIME_DIR/deskhand/warm
status_of() { "$DESKHAND" warm --status | sed -n "s/^$1 //p"; }
# The model's answer waits for $T/go once it started.
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "Thinking it over.", "text_pause_file": "$T/go", "stop_reason": "end_turn"},
 {"text": "Thinking it over.", "text_pause_file": "$T/go2", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
wpid=$(cat "$W.pid")

# (run_started: its one request is at the model, the warm engine stopped.)
run_started() {
  wait_requests "$1" || fail "no request $1 at the model"
  kill -STOP "$wpid"
}
(cd "$G" && exec "$DESKHAND" run --grant . --json "think" > "$T/run.out" 2> "$T/run.err") &
cpid=$!
run_started 1
touch "$T/go"
# The client ends with its run, the warm engine still stopped.
for _ in $(seq 1 200); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$cpid" 2>/dev/null; then
  kill -CONT "$wpid"
  wait "$cpid" || true
  fail "the client waited for the stopped warm engine: $(cat "$T/run.err")"
fi
rc=0; wait "$cpid" || rc=$?
assert_eq "$rc" 0 "the client's exit status: $(cat "$T/run.err")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/run.out")" done
assert_not_contains "$(cat "$T/run.err")" "did not answer"
kill -CONT "$wpid"
for _ in $(seq 1 100); do [ "$(status_of running)" = 0 ] && break; sleep 0.05; done
assert_eq "$(status_of runs)" 1 "runs the warm engine made"
assert_eq "$(status_of running)" 0 "runs it is making once continued"

# Killed with the warm engine stopped: the client ends as the run did.
(cd "$G" && exec "$DESKHAND" run --grant . --json "think again" > "$T/run2.out" \
  2> "$T/run2.err") &
cpid=$!
run_started 2
rpid=$(sed -n 's/.*run \([0-9]*\): think again$/\1/p' "$XDG_STATE_HOME/deskhand/warm.log")
[ -n "$rpid" ] || fail "the warm log names no run: $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
kill -KILL "$rpid"
for _ in $(seq 1 200); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$cpid" 2>/dev/null; then
  kill -CONT "$wpid"
  wait "$cpid" || true
  fail "the client of the killed run waited for the stopped warm engine"
fi
rc=0; wait "$cpid" || rc=$?
kill -CONT "$wpid"
assert_eq "$rc" 137 "the client's exit status, its run killed: $(cat "$T/run2.err")"
touch "$T/go2"
echo ok

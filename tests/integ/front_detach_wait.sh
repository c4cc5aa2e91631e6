# test: serial (asserts on elapsed time)
# `run --detach` prints the session id and returns while the task runs in an
# engine of its own; `ls` shows it working; `wait ID` exits with the task's
# status (0 done, 1 failed); `stop ID` interrupts a task, and `wait` then
# exits 130.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
# One slow turn (3.5 s of streaming: 10 events 350 ms apart), walked from its
# start by every API key.
cat > "$T/script.json" <<'JSON'
{"turns": [{"fault": "slow", "text": "working on it, slowly", "delay_ms": 350, "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json" --cursor-per-key
# A second fake whose only answer is a refusal (400): a failed task.
echo '{"turns": [{"fault": "status", "status": 400}]}' > "$T/fail.json"
python3 "$DH_TESTS/fake/anthropic_server.py" --script "$T/fail.json" --log "$T/fail.log" \
  --port-file "$T/fail.port" >/dev/null 2>&1 &
FAIL_PID=$!
for _ in $(seq 1 100); do [ -s "$T/fail.port" ] && break; sleep 0.05; done
[ -s "$T/fail.port" ] || fail "the second fake server did not start"

# 1. done: run --detach returns at once with the id
t0=$(now_ms)
id=$("$DESKHAND" run --detach --grant "$G" --mode auto "say something" 2>"$T/err1") \
  || { cat "$T/err1"; fail "run --detach failed"; }
t1=$(now_ms)
[ $((t1 - t0)) -lt 3000 ] || fail "run --detach took $((t1 - t0)) ms: it did not return at once"
[[ "$id" =~ ^[0-9A-Za-z._-]+$ ]] || fail "run --detach printed '$id', not a session id"
[ -S "$SOCKDIR/$id.sock" ] || fail "no socket $SOCKDIR/$id.sock for the detached session"
wait_state "$id" working
assert_contains "$("$DESKHAND" ls)" "$id"
assert_contains "$("$DESKHAND" ls)" "working"
assert_eq "$("$DESKHAND" ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .task')" "say something"
assert_eq "$("$DESKHAND" ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .clients')" 0
rc=0; "$DESKHAND" wait "$id" >"$T/w1" 2>&1 || rc=$?
t2=$(now_ms)
assert_eq "$rc" 0 "wait on a done task: $(cat "$T/w1")"
[ $((t2 - t1)) -gt 1500 ] || fail "wait returned after $((t2 - t1)) ms, before the slow task could end"
assert_eq "$("$DESKHAND" sessions --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" done
# not live any more: wait answers from the session's record
for _ in $(seq 1 100); do [ -e "$SOCKDIR/$id.sock" ] || break; sleep 0.05; done
rc=0; "$DESKHAND" wait "$id" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 0 "wait on a finished session"

# a second task on the same session (resumed in a new engine): its history
# holds the first task's end, yet wait follows the running one
t3=$(now_ms)
id1b=$(ANTHROPIC_API_KEY=key-1b "$DESKHAND" run --detach --resume "$id" "once more")
assert_eq "$id1b" "$id" "run --detach --resume prints the resumed session"
rc=0; "$DESKHAND" wait "$id" >"$T/w1b" 2>&1 || rc=$?
t4=$(now_ms)
assert_eq "$rc" 0 "wait on the resumed task: $(cat "$T/w1b")"
[ $((t4 - t3)) -gt 1500 ] || fail "wait on the resumed task returned after $((t4 - t3)) ms: the old task's end"

# 2. failed: the model refuses the request; --json prints the detached line
out=$(ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/fail.port") "$DESKHAND" run --detach --json --grant "$G" --mode auto "fail please")
assert_eq "$(jq -r .type <<<"$out")" detached
id2=$(jq -r .session <<<"$out")
[ -n "$id2" ] && [ "$id2" != "$id" ] || fail "bad detached line: $out"
rc=0; "$DESKHAND" wait "$id2" >"$T/w2" 2>&1 || rc=$?
assert_eq "$rc" 1 "wait on a failed task: $(cat "$T/w2")"

# 3. stop: a waiting `wait` returns 130 once `stop` interrupted the task
id3=$(ANTHROPIC_API_KEY=key-3 "$DESKHAND" run --detach --grant "$G" --mode auto "take long")
wait_state "$id3" working
"$DESKHAND" wait "$id3" >"$T/w3" 2>&1 &
wpid=$!
sleep 0.3
rc=0; "$DESKHAND" stop "$id3" >"$T/s3" 2>&1 || rc=$?
assert_eq "$rc" 0 "stop: $(cat "$T/s3")"
rc=0; wait "$wpid" || rc=$?
assert_eq "$rc" 130 "wait on a stopped task: $(cat "$T/w3")"
rc=0; "$DESKHAND" wait "$id3" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 130 "wait on a stopped session, not live"
# the engines exit by themselves once their task ended with nobody attached
for _ in $(seq 1 100); do ls "$SOCKDIR"/*.sock >/dev/null 2>&1 || break; sleep 0.05; done
! ls "$SOCKDIR"/*.sock >/dev/null 2>&1 || fail "engines still listening: $(ls "$SOCKDIR")"
# 4. a foreground run has its engine inside: wait follows its record
ANTHROPIC_API_KEY=key-4 "$DESKHAND" run --grant "$G" --mode auto "in the foreground" >"$T/fg" 2>&1 &
fg=$!
id4=
for _ in $(seq 1 200); do
  id4=$("$DESKHAND" sessions --json | jq -r '.[] | select(.task == "in the foreground" and .status == "running") | .id')
  [ -n "$id4" ] && break; sleep 0.05
done
[ -n "$id4" ] || { cat "$T/fg"; fail "the foreground run's session never showed running"; }
rc=0; "$DESKHAND" wait "$id4" >"$T/w5" 2>&1 || rc=$?
assert_eq "$rc" 0 "wait on a foreground run: $(cat "$T/w5")"
kill -0 "$fg" 2>/dev/null && sleep 1
! kill -0 "$fg" 2>/dev/null || fail "wait returned while the foreground run still ran"
wait "$fg" || fail "the foreground run failed: $(cat "$T/fg")"
# nothing live any more: ls says so, stop has nothing to stop
assert_eq "$("$DESKHAND" ls)" "no live session"
assert_eq "$("$DESKHAND" ls --json)" "[]"
rc=0; out=$("$DESKHAND" stop "$id" 2>&1) || rc=$?
assert_eq "$rc" 0 "stop on a finished session: $out"
assert_contains "$out" "nothing to stop"
# usage
rc=0; "$DESKHAND" wait a b >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "wait with two ids"
rc=0; "$DESKHAND" wait no-such-session >/dev/null 2>"$T/w4" || rc=$?
assert_eq "$rc" 1 "wait on no such session"
assert_contains "$(cat "$T/w4")" "no-such-session"
kill "$FAIL_PID" 2>/dev/null || true

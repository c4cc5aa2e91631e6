# A warm engine that does not answer (stopped by SIGSTOP or a debugger,
# hung, swapped out) does not hang `deskhand run`: after a second the
# client makes the run itself, once. The warm engine, continued, finds the
# client gone and makes nothing; a run's process it forked waits for its
# client's "go" and, given the end of the connection instead, runs nothing
# (engine/warm.h).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
W=$XDG_RUNTIME_DIR/deskhand/warm
cat > "$T/write.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "out.txt", "content": "made\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
# status_of KEY: a line of `deskhand warm --status`
status_of() { "$DESKHAND" warm --status | sed -n "s/^$1 //p"; }
sessions() { "$DESKHAND" sessions --json | jq length; }
requests() { wc -l < "$FAKE_LOG"; }

start_fake "$T/write.json"
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
wpid=$(cat "$W.pid")

# Stopped: the run is made here, within a few seconds, once.
kill -STOP "$wpid"
t0=$(date +%s%N)
rc=0
(cd "$G" && timeout 20 "$DESKHAND" run --grant . --approve-plan --mode auto --json \
  "write it" > "$T/run.out" 2> "$T/run.err") || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
requests_then=$(requests)
kill -CONT "$wpid"
assert_eq "$rc" 0 "the run with the warm engine stopped: $(cat "$T/run.err")"
[ "$ms" -lt 8000 ] || fail "the run took $ms ms"
assert_contains "$(cat "$T/run.err")" \
  "deskhand: the warm engine (pid $wpid) did not answer within 1000 ms; running without it"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/run.out")" done
assert_eq "$(cat "$G/out.txt")" "made" "the file the run wrote"
assert_eq "$requests_then" 3 "the model requests of the run"
# Continued, the warm engine reads the request and makes nothing of it.
for _ in $(seq 1 100); do [ "$(status_of abandoned)" = 1 ] && break; sleep 0.05; done
assert_eq "$(status_of abandoned)" 1 "runs abandoned: $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
sleep 1
assert_eq "$(requests)" 3 "the model requests once the warm engine went on"
assert_eq "$(sessions)" 1 "sessions once the warm engine went on"
assert_eq "$(status_of runs)" 0 "runs the warm engine made"
assert_eq "$(status_of running)" 0 "runs it is making"

# A run's process forked, its client gone before "go" (it gave up waiting
# just after the fork): the run's process waits for "go" without doing
# anything, and ends at the connection's end. Then one given "go" runs.
# hand_over MODE: a client that sends a run's request, waits for the run's
# "pid N", prints it, waits a second, then closes (MODE close) or sends
# "go" and prints the answer after it (MODE go; MODE stopped: once
# $T/stopped.go exists). The run's output: $T/MODE.run.
hand_over() {
  (cd "$G" && python3 - "$W" "$DESKHAND" "$1" "$T/$1" <<'PY'
import array, os, socket, sys, time
st = os.stat(sys.argv[2])
exe = b"%x:%x:%d:%d.%09d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns // 10**9,
                              st.st_mtime_ns % 10**9)
argv = [b"run", b"--grant", b".", b"--approve-plan", b"--mode", b"auto", b"--json",
        b"by hand"]
env = [b"%s=%s" % (k, v) for k, v in os.environb.items()]
req = b"\0".join([b"deskhand-warm", b"2", b"run", exe, b"22", b"%d" % len(argv)] + argv +
                 [b"%d" % len(env)] + env) + b"\0"
null = os.open(sys.argv[4] + ".run", os.O_RDWR | os.O_CREAT | os.O_TRUNC)
fds = array.array("i", [os.open(".", os.O_RDONLY), null, null, null])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
print(s.recv(600).decode(), flush=True)
time.sleep(1)
while sys.argv[3] == "stopped" and not os.path.exists(sys.argv[4] + ".go"):
    time.sleep(0.02)
if sys.argv[3] != "close":
    s.send(b"go")
    print(s.recv(600).decode(), flush=True)
s.close()
PY
  )
}
rm -f "$G/out.txt"
hand_over close > "$T/close.out" 2> "$T/close.err" || fail "the client exited $?: $(cat "$T/close.err")"
rpid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/close.out")
[ -n "$rpid" ] || fail "no pid from the run's process: $(cat "$T/close.out")"
for _ in $(seq 1 100); do [ "$(status_of abandoned)" = 2 ] && break; sleep 0.05; done
assert_eq "$(status_of abandoned)" 2 "runs abandoned after the fork"
grep -q "run $rpid abandoned" "$XDG_STATE_HOME/deskhand/warm.log" ||
  fail "the warm log does not say run $rpid was abandoned: $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
assert_eq "$(requests)" 3 "the model requests of a run abandoned after its fork"
assert_eq "$(sessions)" 1 "sessions after a run abandoned after its fork"
[ -e "$G/out.txt" ] && fail "a run abandoned after its fork wrote its file"

kill "$FAKE_PID"; rm -f "$FAKE_LOG"
start_fake "$T/write.json"
hand_over go > "$T/go.out" 2> "$T/go.err" || fail "the client exited $?: $(cat "$T/go.err")"
assert_eq "$(sed -n 2p "$T/go.out")" "exit 0" "the end of a run given go: $(cat "$T/go.out")"
assert_eq "$(requests)" 3 "the model requests of a run given go"
assert_eq "$(sessions)" 2 "sessions after a run given go"
assert_eq "$(cat "$G/out.txt")" "made" "the file the run given go wrote"
assert_eq "$(status_of runs)" 1 "runs the warm engine made"
assert_eq "$(status_of abandoned)" 2 "runs abandoned"

# The warm engine stopped after it forked a run's process, before "go":
# the run's process, which answered, makes the run, once; its exit status
# is told once the warm engine goes on.
kill "$FAKE_PID"; rm -f "$FAKE_LOG"
start_fake "$T/write.json"
rm -f "$G/out.txt"
hand_over stopped > "$T/stopped.out" 2> "$T/stopped.err" &
hpid=$!
for _ in $(seq 1 100); do [ -s "$T/stopped.out" ] && break; sleep 0.05; done
rpid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/stopped.out")
[ -n "$rpid" ] || fail "no pid from the run's process: $(cat "$T/stopped.out" "$T/stopped.err")"
kill -STOP "$wpid"
touch "$T/stopped.go"
for _ in $(seq 1 200); do
  grep -q session_finished "$T/stopped.run" 2>/dev/null && break; sleep 0.05
done
st=$(jq -r 'select(.type=="session_finished").status' "$T/stopped.run")
requests_then=$(requests)
kill -CONT "$wpid"
assert_eq "$st" done "the run given go with the warm engine stopped"
assert_eq "$requests_then" 3 "the model requests of the run given go with the warm engine stopped"
wait "$hpid" || fail "the client exited $?: $(cat "$T/stopped.err")"
assert_eq "$(sed -n 2p "$T/stopped.out")" "exit 0" "the end of the run, told once continued"
assert_eq "$(requests)" 3 "the model requests once the warm engine went on"
assert_eq "$(sessions)" 3 "sessions after the run given go with the warm engine stopped"
assert_eq "$(status_of runs)" 2 "runs the warm engine made"

# Answering, it is used as before, without a word.
kill "$FAKE_PID"
start_fake "$T/write.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" > "$T/warm.out" \
  2> "$T/warm.err" || fail "the run through the warm engine exited $?: $(cat "$T/warm.err")"
assert_not_contains "$(cat "$T/warm.err")" "did not answer"
assert_eq "$(status_of runs)" 3 "runs the warm engine made, the last"
echo "ok"

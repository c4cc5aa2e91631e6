# `deskhand warm` keeps a process with the libraries loaded; a `deskhand run`
# is then forked from it (engine/warm.h). The run must be the same run: the
# client's environment (the API key and base URL come only from it here),
# working directory (a relative grant), standard descriptors and exit
# status; the client's SIGINT reaches it, and a client killed outright is a
# SIGHUP to it, which detaches it as a closed terminal does. A warm engine
# of another build, or loaded with another OPENSSL_CONF, refuses: the run
# is made in the client's own process.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
W=$XDG_RUNTIME_DIR/deskhand/warm
cat > "$T/write.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "out.txt", "content": "warm\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
# status_of KEY: a line of `deskhand warm --status`
status_of() { "$DESKHAND" warm --status | sed -n "s/^$1 //p"; }

start_fake "$T/write.json" --require-key key-of-the-run
# The warm engine's own environment has no key and no base URL.
# A descriptor the shell left open (9) is not kept by the warm engine.
out=$(env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL "$DESKHAND" warm 9>"$T/held") ||
  fail "warm exited $?"
assert_contains "$out" "warm engine pid "
[ -S "$W" ] || fail "no socket at $W"
wpid=$(status_of pid)
held=$(find "/proc/$wpid/fd" -lname "$T/held" | wc -l)
assert_eq "$held" 0 "descriptors of the shell's the warm engine keeps"
assert_eq "$(cat "$W.pid")" "$wpid" "the pid file beside the socket"
assert_eq "$("$DESKHAND" warm 2>&1)" \
  "deskhand warm: a warm engine listens on $W already" "a second warm"

(cd "$G" && ANTHROPIC_API_KEY=key-of-the-run "$DESKHAND" run --grant . --approve-plan \
  --mode auto --json "write it" > "$T/run.out" 2> "$T/run.err") ||
  fail "the run through the warm engine exited $?: $(cat "$T/run.err")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/run.out")" done
assert_eq "$(cat "$G/out.txt")" "warm" "the file the run wrote, in the client's directory"
assert_eq "$(status_of runs)" 1 "runs the warm engine made"
assert_eq "$(status_of refused)" 0 "runs it refused"
grep -q "run [0-9]*: write it" "$XDG_STATE_HOME/deskhand/warm.log" ||
  fail "the warm log does not name the run: $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
kill "$FAKE_PID"

# An exit status and stderr come back as the run made them: a model that
# refuses the key is a failed run, exit 1, either way.
start_fake "$T/write.json" --require-key another-key
ANTHROPIC_API_KEY=key-of-the-run "$DESKHAND" run --grant "$G" --json "write it" \
  > "$T/bad.out" 2> "$T/bad.err" && fail "a refused key ended with 0"
warm_rc=$?
DH_WARM=0 ANTHROPIC_API_KEY=key-of-the-run "$DESKHAND" run --grant "$G" --json \
  "write it" > "$T/bad2.out" 2> "$T/bad2.err" && fail "a refused key ended with 0 (cold)"
assert_eq "$warm_rc" "$?" "the exit status through the warm engine and without"
assert_eq "$(status_of runs)" 2 "runs made (DH_WARM=0: not there)"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/bad.out")" failed
kill "$FAKE_PID"

# SIGINT to the client interrupts the run, which ends as a local one does.
cat > "$T/long.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "wait"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 30"}}]},
 {"text": "Never.", "stop_reason": "end_turn"}
]}
JSON
# long_run OUT: a run in the background (its client's pid: cpid), once its
# command runs
long_run() {
  start_fake "$T/long.json"
  rm -f "$G/ready"
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "wait" > "$1" 2>&1 &
  cpid=$!
  for _ in $(seq 1 200); do [ -e "$G/ready" ] && break; sleep 0.05; done
  [ -e "$G/ready" ] || fail "the command never started: $(cat "$1")"
}
long_run "$T/int.out"
# The run's process is the warm engine's child; the client never loaded
# libcurl (what the warm engine is for).
rpid=$(sed -n 's/.* run \([0-9]*\): wait$/\1/p' "$XDG_STATE_HOME/deskhand/warm.log" | tail -n 1)
[ -n "$rpid" ] || fail "the warm log does not name the run: $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
assert_eq "$(awk '/^PPid:/ {print $2}' "/proc/$rpid/status")" "$wpid" "the run's parent"
assert_eq "$(cat "/proc/$wpid/comm")" deskhand-warm "the warm engine's name"
grep -q libcurl "/proc/$cpid/maps" && fail "the client loaded libcurl"
grep -q libcurl "/proc/$rpid/maps" || fail "the run has no libcurl: is it the warm engine's?"
# It is named as a run made in its own process (`pkill -x deskhand-warm`
# stops the warm engine, not the runs).
assert_eq "$(cat "/proc/$rpid/comm")" "$(basename "$DESKHAND")" "the run's process name"
kill -INT "$cpid"
rc=0; wait "$cpid" || rc=$?
assert_eq "$rc" 130 "the exit status of an interrupted run"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/int.out")" interrupted
kill "$FAKE_PID"

# A client killed outright: its run gets SIGHUP, as from a closed
# terminal, and goes on, live on its session's socket (`deskhand ls`);
# `deskhand stop` interrupts it.
long_run "$T/kill.out"
kill -KILL "$cpid"; wait "$cpid" 2>/dev/null || true
ksid=$(jq -r 'select(.type=="session_started").session' "$T/kill.out")
wait_state "$ksid" working 20
assert_eq "$(status_of running)" 1 "runs still going after their client was killed"
"$DESKHAND" stop "$ksid" > /dev/null || fail "deskhand stop of the detached run failed"
for _ in $(seq 1 200); do [ "$(status_of running)" = 0 ] && break; sleep 0.05; done
assert_eq "$(status_of running)" 0 "runs still going once stopped"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/kill.out")" interrupted
kill "$FAKE_PID"

# A run killed by another signal: said by the client, which exits 128+N
# (a crash is not raised again in the client, whose core would mislead).
long_run "$T/usr1.out"
rpid=$(sed -n 's/.* run \([0-9]*\): wait$/\1/p' "$XDG_STATE_HOME/deskhand/warm.log" | tail -n 1)
kill -USR1 "$rpid"
rc=0; wait "$cpid" || rc=$?
assert_eq "$rc" 138 "the exit status of a run killed by SIGUSR1"
assert_contains "$(cat "$T/usr1.out")" "deskhand: the run (pid $rpid) was killed by signal 10 (User defined signal 1)"
kill "$FAKE_PID"

# A variable the libraries read when loaded differs: refused, made here.
start_fake "$T/write.json"
OPENSSL_CONF=/dev/null "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  "write it" > "$T/conf.out" 2> "$T/conf.err" || fail "the refused run exited $?"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/conf.out")" done
assert_eq "$(status_of refused)" "1 (last: OPENSSL_CONF differs from the warm engine's)"
kill "$FAKE_PID"

# Requests that are not a run's are refused, each with its reason, and
# the warm engine goes on making runs.
python3 - "$W" "$DESKHAND" > "$T/hostile.out" <<'PY'
import array, os, socket, sys
st = os.stat(sys.argv[2])
exe = b"%x:%x:%d:%d.%09d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns // 10**9,
                              st.st_mtime_ns % 10**9)
fds = array.array("i", [os.open("/", os.O_RDONLY), 0, 1, 2])
for payload, with_fds in [(b"garbage", False), (b"deskhand-warm\0" b"9\0run\0", False),
                          (b"deskhand-warm\0" b"2\0dance\0", False),
                          (b"deskhand-warm\0" b"2\0run\0" + exe + b"\0" b"22\0" b"99\0run\0", True),
                          (b"deskhand-warm\0" b"2\0run\0" + exe + b"\0" b"22\0" b"1\0run\0" b"0\0", False)]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    if with_fds:
        s.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    else:
        s.send(payload)
    print(s.recv(600).decode())
    s.close()
PY
assert_eq "$(cat "$T/hostile.out")" "refused a malformed request
refused another version of the warm engine's protocol
refused an unknown request
refused a malformed request
refused a malformed request" "the answers to requests that are not a run's"
assert_eq "$(status_of refused | cut -d' ' -f1)" 6 "runs refused"
start_fake "$T/write.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" > "$T/after.out" \
  2> "$T/after.err" || fail "a run after those exited $?: $(cat "$T/after.err")"
assert_eq "$(status_of runs)" 6 "runs made, the last after the refused requests"
kill "$FAKE_PID"

# --stop: the socket goes at once; then none runs.
assert_eq "$("$DESKHAND" warm --stop)" stopped
for _ in $(seq 1 100); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$wpid" 2>/dev/null && fail "the warm engine did not exit after --stop"
[ -e "$W" ] && fail "the socket is still there after --stop"
rc=0; "$DESKHAND" warm --status > "$T/st.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "--status with none running"
assert_contains "$(cat "$T/st.out")" "no warm engine is running"

# Another build (the release build's warm engine, when this is another):
# refused, the run made here, and the stale warm engine stops listening.
if [ -n "${DH_RELEASE_SANDBOX:-}" ] && [ -x "$(dirname "$DH_RELEASE_SANDBOX")/deskhand" ] &&
   ! cmp -s "$(dirname "$DH_RELEASE_SANDBOX")/deskhand" "$DESKHAND"; then
  "$(dirname "$DH_RELEASE_SANDBOX")/deskhand" warm > /dev/null || fail "release warm exited $?"
  start_fake "$T/write.json"
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" \
    > "$T/other.out" 2> "$T/other.err" || fail "the run of another build exited $?"
  assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/other.out")" done
  for _ in $(seq 1 100); do [ -e "$W" ] || break; sleep 0.05; done
  [ -e "$W" ] && fail "a warm engine of another build still listens"
fi

# Started from a shell whose stdin and stdout are closed: it says it
# started (the ready pipe is not one of the standard descriptors).
rc=0; timeout 20 "$DESKHAND" warm <&- >&- 2> "$T/closed.err" || rc=$?
assert_eq "$rc" 0 "warm with stdin and stdout closed: $(cat "$T/closed.err")"
assert_eq "$("$DESKHAND" warm --stop)" stopped

# --idle: it exits after that long without a run.
"$DESKHAND" warm --idle 1 > /dev/null || fail "warm --idle exited $?"
wpid=$(cat "$W.pid")
for _ in $(seq 1 100); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$wpid" 2>/dev/null && fail "the warm engine did not exit after --idle 1"

# A warm engine killed outright during a run: the run, nobody's child now,
# goes on; its client waits for its end (the shell's prompt does not come
# back under its output), then says its status is not known.
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
wpid=$(cat "$W.pid")
cat > "$T/short.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "wait"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 2"}}]},
 {"text": "Waited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/short.json"
rm -f "$G/ready"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "short" > "$T/orphan.out" \
  2> "$T/orphan.err" &
cpid=$!
for _ in $(seq 1 200); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || fail "the command never started: $(cat "$T/orphan.err")"
rpid=$(sed -n 's/.* run \([0-9]*\): short$/\1/p' "$XDG_STATE_HOME/deskhand/warm.log" | tail -n 1)
kill -KILL "$wpid"
rc=0; wait "$cpid" || rc=$?
# (ended: gone, or a zombie nobody reaps, where init does not)
state=$(awk '/^State:/ {print $2}' "/proc/$rpid/status" 2>/dev/null || true)
[ -z "$state" ] || [ "$state" = Z ] || fail "the client returned while its run still ran ($state)"
assert_eq "$rc" 1 "the exit status once the warm engine was killed"
assert_contains "$(cat "$T/orphan.err")" "the warm engine went away during the run (pid $rpid); its exit status is not known"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/orphan.out")" done
kill "$FAKE_PID"

# Usage errors name what is wrong.
rc=0; "$DESKHAND" warm --idle soon 2> "$T/use.err" || rc=$?
assert_eq "$rc" 2 "exit status of a bad --idle"
assert_contains "$(cat "$T/use.err")" "--idle soon: expected seconds"
rc=0; "$DESKHAND" warm --stop --status 2> "$T/use.err" || rc=$?
assert_eq "$rc" 2 "exit status of --stop --status"
echo "ok"

#!/usr/bin/env bash
# test: serial (asserts on elapsed time)
# Exec mode (--exec --ready-fd N), what run_command uses: the helper becomes bwrap, the caller
# enforces the timeout and tells a failed setup (no ready byte) from the command's own exit.
# - the command's status passes through (0, 3, its own 125) after the ready byte; a bwrap that
#   fails before running anything exits 1 with no byte and the command did not run;
# - killing the helper (bwrap) or its caller with SIGKILL leaves nothing running, also when the
#   command cleared its own parent-death signal;
# - the caller's commands share one cgroup, whose pids.max holds;
# - through the engine: a command past its timeout_s is reported as a timeout and nothing of it
#   survives; a bwrap that cannot set up the sandbox is told apart; a killed engine leaves
#   nothing behind.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap_or_skip
W=$T/work; mkdir -p "$W"
# A duration nobody else uses, so pgrep finds only ours.
d=$((300 + RANDOM % 600)).$$
survivors() { pgrep -f "^sleep $d" || true; }
wait_gone() { for _ in $(seq 1 100); do [ -z "$(survivors)" ] && return 0; sleep 0.05; done; }

# 1. Exit statuses and the ready byte (a regular file stands in for the pipe).
for c in 'exit 0' 'exit 3' 'exit 125'; do
  rc=0; "$SANDBOX" --exec --ready-fd 7 --rw "$W" -- sh -c "$c" 7>"$T/ready" || rc=$?
  assert_eq "$rc" "${c#exit }" "exit status of '$c'"
  assert_eq "$(cat "$T/ready")" R "ready byte for '$c'"
done
out=$("$SANDBOX" --exec --ready-fd 7 --rw "$W" -- sh -c 'ls /proc/self/fd | wc -l' 7>"$T/ready")
assert_eq "$out" 4 "the command holds only 0-2 (and ls its own dir fd)"
FB=$T/bin/bwrap; mkdir -p "$T/bin"
printf '#!/bin/sh\necho "bwrap: Creating new namespace failed: Operation not permitted" >&2\nexit 1\n' > "$FB"
chmod +x "$FB"
rc=0; "$SANDBOX" --exec --ready-fd 7 --bwrap "$FB" --rw "$W" -- sh -c 'echo ran > ran.txt' \
  7>"$T/ready" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "bwrap's own failure status"
assert_eq "$(cat "$T/ready")" "" "no ready byte when bwrap failed"
assert_contains "$(cat "$T/err")" "bwrap: Creating new namespace failed"
[ ! -e "$W/ran.txt" ] || fail "the command ran"
rc=0; "$SANDBOX" --exec --rw "$W" -- true 2>"$T/err" || rc=$?
assert_eq "$rc" 125 "--exec without --ready-fd"
assert_contains "$(cat "$T/err")" "--exec and --ready-fd go together"

# Signals the caller ignores are not ignored inside (an ignored disposition survives exec).
out=$(trap '' USR1 HUP TERM; "$SANDBOX" --exec --ready-fd 7 --rw "$W" -- grep SigIgn /proc/self/status 7>/dev/null)
assert_eq "$out" "$(printf 'SigIgn:\t0000000000000000')" "ignored signals leaked into the sandbox"
# The bwrap argv is the supervising mode's (bwrap's init stays pid 1: see section 3).
diff <("$SANDBOX" --rw "$W" --print-argv -- true) \
  <("$SANDBOX" --exec --ready-fd 7 --rw "$W" --print-argv -- true 7>/dev/null) \
  || fail "--exec changes the bwrap argv"

# 2. Background children end with the command (bwrap's init dies with bwrap, within ms).
rc=0; "$SANDBOX" --exec --ready-fd 7 --rw "$W" -- sh -c "sleep $d & exit 7" 7>/dev/null || rc=$?
assert_eq "$rc" 7
wait_gone
assert_eq "$(survivors)" "" "background process left after exit"

# 3. SIGKILL to the helper (bwrap now; what the engine does at the timeout), and to its caller.
"$SANDBOX" --exec --ready-fd 7 --rw "$W" -- sh -c "sleep $d & sleep $d" 7>/dev/null & h=$!
for _ in $(seq 1 100); do [ "$(survivors | wc -l)" = 2 ] && break; sleep 0.02; done
[ "$(survivors | wc -l)" = 2 ] || fail "sandboxed sleeps never started"
kill -KILL "$h"; wait "$h" 2>/dev/null || true
wait_gone
assert_eq "$(survivors)" "" "processes left after bwrap was SIGKILLed"
bash -c '"$1" --exec --ready-fd 7 --rw "$2" -- sh -c "sleep $3 & sleep $3; touch late" 7>/dev/null & wait' \
  caller "$SANDBOX" "$W" "$d" & caller=$!
for _ in $(seq 1 100); do [ "$(survivors | wc -l)" = 2 ] && break; sleep 0.02; done
[ "$(survivors | wc -l)" = 2 ] || fail "sandboxed sleeps never started"
kill -KILL "$caller"; wait "$caller" 2>/dev/null || true
wait_gone
assert_eq "$(survivors)" "" "processes left after the caller was SIGKILLed"
[ ! -e "$W/late" ] || fail "the command ran to its end"
# A command that clears its own parent-death signal (prctl) still dies with bwrap: the
# signal that matters is bwrap's init's, which the command cannot reach.
"$SANDBOX" --exec --ready-fd 7 --rw "$W" -- sh -c \
  "exec python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(1, 0, 0, 0, 0); time.sleep($d)'" \
  7>/dev/null & h2=$!
for _ in $(seq 1 200); do pgrep -f "time.sleep\($d\)" >/dev/null && break; sleep 0.02; done
pgrep -f "time.sleep\($d\)" >/dev/null || fail "sandboxed python never started"
sleep 0.3 # past the prctl
kill -KILL "$h2"; wait "$h2" 2>/dev/null || true
wait_gone
for _ in $(seq 1 100); do pgrep -f "time.sleep\($d\)" >/dev/null || break; sleep 0.05; done
assert_eq "$(survivors)$(pgrep -f "time.sleep\($d\)" || true)" "" \
  "a command that cleared its PDEATHSIG outlived bwrap"

# 4. One cgroup for the caller's commands; its pids.max holds (exec mode has no supervisor).
if "$SANDBOX" --status | grep -q '^processes: cgroup'; then
  # (run from this shell, not a $(...) subshell: the cgroup is named after the caller's pid)
  rc=0
  "$SANDBOX" --exec --ready-fd 7 --pids-max 24 --rw "$W" -- sh -c "
    sh -c 'for i in \$(seq 1 60); do sleep $d & done' 2>/dev/null
    set -- /proc/[0-9]*; echo procs=\$#" 7>/dev/null >"$T/out" 2>&1 || rc=$?
  procs=$(sed -n 's/.*procs=\([0-9]*\).*/\1/p' "$T/out" | tail -1)
  [ -n "$procs" ] || fail "no count (rc $rc): $(cat "$T/out")"
  [ "$procs" -le 24 ] || fail "pids.max 24 not in force: $procs processes"
  [ "$procs" -ge 10 ] || fail "too few processes ($procs): the test did not reach the limit"
  assert_eq "$(survivors)" "" "sleepers left"
  root=$("$SANDBOX" --status | sed -n 's/^processes: cgroup v[12] pids (\(.*\)),.*/\1/p')
  [ -d "$root/sess-$$" ] || fail "no session cgroup $root/sess-$$"
  assert_eq "$(cat "$root/sess-$$/cgroup.procs")" "" "processes left in the session cgroup"
  # A session cgroup whose caller is gone is swept by the next command.
  bash -c 'exit 0' & dead=$!; wait "$dead"
  mkdir "$root/sess-$dead"
  "$SANDBOX" --exec --ready-fd 7 --rw "$W" -- true 7>/dev/null
  [ ! -d "$root/sess-$dead" ] || fail "stale $root/sess-$dead was not swept"
fi

# 5. Through the engine: the timeout, bwrap's setup failure, the killed engine.
G=$T/g; mkdir -p "$G"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmd"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "sleep $d & sleep $d", "timeout_s": 1}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo after > after.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
start=$(date +%s%N)
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
assert_contains "$(head -1 <<<"$res")" "true timed out after 1 s"
assert_eq "$(cat "$G/after.txt")" after "the next command ran"
[ "$ms" -lt 15000 ] || fail "the session took ${ms} ms"
assert_eq "$(survivors)" "" "processes left after the engine's timeout"
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# bwrap's setup failure after the session's trial passed: 125, "did not run", told apart
# from the command's exit 1 (which the fake bwrap also returns).
cat > "$T/fb.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmd"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo one > one.txt"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo two > two.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
# A bwrap that works once (the first command, the session's trial), then fails.
printf '#!/bin/sh\nif [ -e "%s" ]; then echo "bwrap: setup failed" >&2; exit 1; fi\ntouch "%s"\nexec bwrap "$@"\n' \
  "$T/once" "$T/once" > "$T/bin/bwrap-once"
chmod +x "$T/bin/bwrap-once"
start_fake "$T/fb.json"
out=$(DH_BWRAP=$T/bin/bwrap-once "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
assert_eq "$(cat "$G/one.txt")" one
[ ! -e "$G/two.txt" ] || fail "the second command ran"
assert_contains "$res" "bwrap: setup failed"
assert_contains "$res" "exit status 125 (the sandbox could not be set up: bwrap exit 1; the command did not run)"
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

cat > "$T/kill.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmd"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "sleep $d & touch ready; sleep $d; touch late"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/kill.json"
run_killed_in_command "$G" "cmd"
wait_gone
assert_eq "$(survivors)" "" "processes left after the engine was SIGKILLed"
[ ! -e "$G/late" ] || fail "the command ran to its end"
echo ok

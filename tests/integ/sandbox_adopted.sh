#!/usr/bin/env bash
# run_command's sandbox (exec mode) leaves nothing to whoever started the engine: bwrap exits
# a moment before its pid-1 init, which the engine (a subreaper) adopts and reaps. A driver
# that is itself a subreaper, as crash_kill_random's is, runs `deskhand run` with several
# commands (ones leaving background children, a failing one, one past its timeout) and, once
# the run has exited, has adopted nothing (not even a zombie); every command's status is the
# command's own, and nothing of the sandboxes is left running.
. "$(dirname "$0")/../lib.sh"
bwrap_or_skip
G=$T/g; mkdir -p "$G"
# A duration nobody else uses, so pgrep finds only ours.
d=$((300 + RANDOM % 600)).$$
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmds"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo one"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "sleep $d & echo two"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "exit 3"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "sh -c 'sleep $d &'; echo four"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "sleep $d", "timeout_s": 1}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo six > six.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0
python3 - "$DESKHAND" "$G" "$T" <<'PY' || rc=$?
import ctypes, os, subprocess, sys

deskhand, grant, tmp = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed: errno %d" % ctypes.get_errno())
with open(os.path.join(tmp, "out"), "w") as out, open(os.path.join(tmp, "err"), "w") as err:
    p = subprocess.run([deskhand, "run", "--grant", grant, "--approve-plan", "--mode", "auto",
                        "--json", "cmds"], stdout=out, stderr=err)
if p.returncode != 0:
    sys.exit("deskhand run exited %d" % p.returncode)
kids = []
for tid in os.listdir("/proc/self/task"):
    with open("/proc/self/task/%s/children" % tid) as f:
        kids += f.read().split()
for pid in kids:
    try:
        with open("/proc/%s/stat" % pid) as f:
            desc = f.read().strip()
    except OSError:
        desc = "?"
    print("adopted: %s" % desc)
sys.exit(3 if kids else 0)
PY
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' \
  <"$T/out")
echo "$res"
[ "$rc" -eq 0 ] || { cat "$T/err"; fail "the driver adopted what the engine left (exit $rc)"; }
[ "$(wc -l <<<"$res")" -ge 6 ] || fail "not every command reported"
assert_contains "$res" "false one
exit status 0"
assert_contains "$res" "false two
exit status 0"
assert_contains "$res" "true exit status 3"
assert_contains "$res" "false four
exit status 0"
assert_contains "$res" "true timed out after 1 s"
assert_eq "$(cat "$G/six.txt")" six "the last command ran"
for _ in $(seq 1 100); do [ -z "$(pgrep -f "^sleep $d" || true)" ] && break; sleep 0.05; done
assert_eq "$(pgrep -f "^sleep $d" || true)" "" "sandboxed processes left running"
echo ok

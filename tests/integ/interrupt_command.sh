# SIGINT while run_command runs: the command's whole process tree dies, the
# call gets an "interrupted" result, what it changed is checkpointed, and the
# session ends interrupted and resumable.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
tag=dh-int-$$
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "long job"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo started > started.txt; sh -c 'sleep 7$$; echo $tag' & sleep 8$$"}}]},
 {"text": "ok after resume", "stop_reason": "end_turn", "expect": {"last_user_contains": "interrupted"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "long" > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 200); do [ -e "$G/started.txt" ] && break; sleep 0.05; done
[ -e "$G/started.txt" ] || { cat "$T/err"; fail "the command never started"; }
sleep 0.2
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "stopped ${ms} ms after SIGINT"
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
sleep 0.3
left=$(pgrep -f "sleep [78]$$|$tag" || true)
[ -z "$left" ] || { ps -o pid,ppid,args -p $left; fail "processes survived the interrupt"; }
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="run_command").is_error' "$T/out")" true
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' "$T/out")" "interrupted"
# what the command wrote before the interrupt is in a checkpoint
n=$(jq -r 'select(.type=="checkpoint" and .tool_call!=null).files_changed' "$T/out")
assert_eq "$n" 1
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
out2=$("$DESKHAND" run --resume "$sid" --json "continue" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
echo ok

# A foreground `deskhand run` whose terminal closes (its tmux session
# killed: SIGHUP) detaches instead of interrupting: its task goes on,
# `deskhand ls` lists it live, `deskhand wait ID` follows it to done, the
# transcript has every turn, and the process exits once the task ended with
# no client attached, as a detached engine does.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}, {"title": "Wait"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "before.txt", "content": "before\n"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready; i=0; while [ ! -e go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo after > after.txt"}}]},
 {"text": "Every turn done after the hangup.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
tm new-session -d -s keep "sleep 120" # the tmux server outlives the killed session
UI_T=run ui_start 100 30 run --grant "$G" --approve-plan --mode auto "survive the hangup"
wait_file "$G/ready" 30
sid=$(session_id)
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
# The terminal goes away mid-command.
tm kill-session -t run
wait_state "$sid" working 20
"$DESKHAND" ls > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "deskhand ls failed"; }
cat "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" "survive the hangup"
pid=$(cat "$XDG_RUNTIME_DIR/deskhand/$sid.pid")
[ ! -e "$G/after.txt" ] || fail "the command ended before the hangup: the test proves nothing"
: > "$G/go"
rc=0; timeout 60 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
cat "$T/wait.out"
assert_eq "$rc" 0 "deskhand wait: the task's status (0 = done)"
assert_eq "$(cat "$G/before.txt" "$G/after.txt")" "before
after" "the files of the turns before and after the hangup"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$tr")" done "the task's end"
assert_not_contains "$(cat "$tr")" interrupted
assert_file_contains "$tr" "Every turn done after the hangup."
wait_requests 4 || fail "the fake server saw $(wc -l < "$FAKE_LOG") requests, not 4"
# Done, and nobody attached: the process exits, its socket gone.
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the run (pid $pid) is still there after its task ended"
[ ! -e "$XDG_RUNTIME_DIR/deskhand/$sid.sock" ] || fail "its socket is left behind"
grep -q 'Sanitizer\|runtime error' "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log" 2>/dev/null &&
  { cat "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log"; fail "the run reported an error"; }
kill "$FAKE_PID"

# No terminal at all (nohup, a pipe): a SIGHUP detaches all the same, and
# output to a file goes on there; `deskhand stop` interrupts the task.
start_fake "$T/script.json"
rm -f "$G/ready" "$G/go" "$G/after.txt"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "no terminal" \
  < /dev/null > "$T/bg.out" 2> "$T/bg.err" &
bg=$!
wait_file "$G/ready" 30
kill -HUP "$bg"
sid2=$(jq -r 'select(.type=="session_started").session' "$T/bg.out")
wait_state "$sid2" working 20
kill -0 "$bg" || fail "the SIGHUP ended the run"
rc=0; "$DESKHAND" stop "$sid2" > "$T/stop.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "deskhand stop: $(cat "$T/stop.out")"
rc=0; wait "$bg" || rc=$?
assert_eq "$rc" 130 "the exit status of the detached run once stopped"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/bg.out")" interrupted \
  "its end, in the output file it kept"
echo ok

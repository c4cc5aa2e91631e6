# A foreground run through the warm engine whose terminal closes (its tmux
# session killed: SIGHUP): the client, the process in the dead terminal,
# forwards the hangup, which detaches the run, and exits at once instead of
# waiting for the run's end, so it no longer holds the hung-up terminal (and
# its shell's session) open while the task goes on. The run goes on, live
# (`deskhand ls`), to its end. Before, the client waited for the run.
# A SIGHUP sent by hand to a client with no terminal detaches the run as
# well, and the client still waits for its end and exits with its status,
# as a run made without the warm engine does.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready; i=0; while [ ! -e go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo after > after.txt"}}]},
 {"text": "Done after the hangup.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
trap '"$DESKHAND" warm --stop >/dev/null 2>&1; tm_stop; cleanup' EXIT
tm new-session -d -s keep "sleep 120" # the tmux server outlives the killed session
UI_T=run ui_start 100 30 run --grant "$G" --approve-plan --mode auto "survive the hangup"
wait_file "$G/ready" 30
sid=$(session_id)
assert_eq "$("$DESKHAND" warm --status | sed -n 's/^running //p')" 1 "runs the warm engine made"
# the client: the pane's deskhand (the run is the warm engine's child)
pane=$(tm list-panes -t run -F '#{pane_pid}')
cpid=$(pgrep -P "$pane" -x "$(basename "$DESKHAND")" | head -1)
[ -n "$cpid" ] || fail "no client in the pane: $(ps -o pid,ppid,comm --ppid "$pane")"
tm kill-session -t run
# gone, or a zombie its new parent has not reaped yet
state() { sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$cpid/stat" 2>/dev/null; }
gone=0
for _ in $(seq 1 20); do
  case $(state) in ""|Z|X) gone=1; break ;; esac
  sleep 0.05
done
[ "$gone" = 1 ] || fail "the client (pid $cpid, state $(state)) still waits a second after the hangup"
assert_contains "$(cat "$T/ui-run.err")" "deskhand: hangup: the run"
wait_state "$sid" working 20
"$DESKHAND" ls > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "deskhand ls failed"; }
cat "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" "survive the hangup"
[ ! -e "$G/after.txt" ] || fail "the command ended before the hangup: the test proves nothing"
: > "$G/go"
rc=0; timeout 60 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
cat "$T/wait.out"
assert_eq "$rc" 0 "deskhand wait: the task's status (0 = done)"
assert_eq "$(cat "$G/after.txt")" after

rm -f "$G/ready" "$G/go" "$G/after.txt"
kill "$FAKE_PID"; start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "no terminal" \
  < /dev/null > "$T/bg.out" 2> "$T/bg.err" &
bg=$!
wait_file "$G/ready" 30
assert_eq "$("$DESKHAND" warm --status | sed -n 's/^runs //p')" 2 "runs the warm engine made"
kill -HUP "$bg"
sid2=$(jq -r 'select(.type=="session_started").session' "$T/bg.out")
wait_state "$sid2" working 20
sleep 0.3
kill -0 "$bg" 2>/dev/null || fail "the client left on a SIGHUP with no terminal: $(cat "$T/bg.err")"
: > "$G/go"
rc=0; wait "$bg" || rc=$?
assert_eq "$rc" 0 "the client's exit status: the run's ($(cat "$T/bg.err"))"
assert_not_contains "$(cat "$T/bg.err")" "hangup"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/bg.out")" done "the run's end"
echo ok

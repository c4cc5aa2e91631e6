# A foreground `deskhand run` in ask mode whose terminal closes while it asks
# for an approval: the approval waits for a client (`deskhand ls` says
# waiting), `deskhand attach ID` shows it and answers it, and the task goes
# on to done; the process exits once the task ended and its client left.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file", "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote it once you said yes.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
tm new-session -d -s keep "sleep 120" # the tmux server outlives the killed session
UI_T=run ui_start 100 30 run --grant "$G" --approve-plan --mode ask "write the answer"
UI_T=run ui_wait "Allow write_file answer.txt? [y/n/a/d]" 20
sid=$(session_id)
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
tm kill-session -t run
wait_state "$sid" waiting 20
"$DESKHAND" ls > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "deskhand ls failed"; }
cat "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" waiting
pid=$(cat "$XDG_RUNTIME_DIR/deskhand/$sid.pid")
[ ! -e "$G/answer.txt" ] || fail "answer.txt written without an approval"
assert_not_contains "$(cat "$tr")" approval_decided
UI_T=att ui_start 120 30 attach "$sid"
UI_T=att ui_wait "Allow write_file answer.txt?" 20
UI_T=att ui_keys y
UI_T=att ui_wait "Wrote it once you said yes." 20
UI_T=att ui_wait "task done"
assert_eq "$(cat "$G/answer.txt")" yes
rc=0; timeout 30 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "deskhand wait after the answer: $(cat "$T/wait.out")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$tr")" done "the task's end"
# A client is attached: the process stays; it goes once the client left.
kill -0 "$pid" 2>/dev/null || fail "the run exited with a client attached"
tm kill-session -t att
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the run (pid $pid) is still there after its client left"
echo ok

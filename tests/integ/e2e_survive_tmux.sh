# A task started in the workbench inside tmux survives the terminal: after
# `tmux kill-server` (the client gets SIGHUP and is gone) its engine goes on,
# `deskhand ls` shows it working, it finishes (`deskhand wait` returns 0:
# done), and `deskhand attach ID` in a new tmux session shows its whole
# transcript, its plan and its pending review.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning the survival.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the survival file"}, {"title": "Run the slow command"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "survived.txt", "content": "alive\n"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready; i=0; while [ ! -e go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo finished > finished.txt"}}]},
 {"text": "All finished after the **slow** command.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
ui_start 120 40 --grant "$G" --mode auto "survive the terminal"
ui_wait "Approve the plan?"
ui_keys a
wait_file "$G/ready" 30
# The terminal goes away mid-command.
tm kill-server
for _ in $(seq 1 100); do tm has-session 2>/dev/null || break; sleep 0.05; done
sid=$(session_id)
engines=$(engine_pids)
[ -n "$engines" ] || fail "no engine process runs the task"
[ ! -e "$G/finished.txt" ] || fail "the command finished before the terminal was killed (make it slower)"
assert_eq "$(live_state "$sid")" working "ls while the command runs"
wait_no_client "$sid"
"$DESKHAND" ls > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "deskhand ls failed"; }
cat "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" "$sid"
assert_contains "$(cat "$T/ls.out")" working
assert_contains "$(cat "$T/ls.out")" "survive the terminal"
for p in $engines; do kill -0 "$p" 2>/dev/null || fail "engine $p died with the terminal"; done
# The command goes on until told (30 s at most): it outlives the checks
# above however slow the machine, and takes no longer than they do.
: > "$G/go"
# It finishes on its own, with no client.
rc=0; timeout 60 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
cat "$T/wait.out"
assert_eq "$rc" 0 "deskhand wait: the task's status (0 = done)"
assert_eq "$(cat "$G/finished.txt")" finished
assert_eq "$(cat "$G/survived.txt")" alive
assert_eq "$(jq -r 'select(.type=="session_finished").status' \
  "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl" | tail -1)" done
# A new terminal attaches to it and sees everything.
ui_start 120 40 attach "$sid"
ui_wait "All finished after the slow command." 20
ui_wait "A finished.txt" # the review arrives on its own, beside the transcript
s=$(ui_screen); echo "$s"
assert_contains "$s" "Write the survival file"
assert_contains "$s" "plan 0/2"
assert_contains "$s" "Run the slow command"
# The pending review is the engine's: the diff pane lists both new files.
assert_contains "$s" "A survived.txt"
assert_contains "$s" "A finished.txt"
ui_keys Escape
ui_keys :; ui_type "save $T/t.md"; ui_keys Enter
ui_wait "transcript saved"
for want in "survive the terminal" "Planning the survival." "survived.txt" "while [ ! -e go ]" \
  "All finished after the **slow** command." "plan approved"; do
  assert_file_contains "$T/t.md" "$want"
done
echo ok

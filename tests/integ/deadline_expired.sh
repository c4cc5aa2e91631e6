# Approval deadline: a detached run (ask mode) reaches an approval with
# nobody attached and waits; when `--approval-deadline 2s` passes it ends as
# status expired (wait exits 6) with nothing lost: the call was not run, the
# transcript keeps the request and the decision, the checkpoints are there,
# the inbox lists it as expired, and `run --resume` continues it to done.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"; echo keep > "$G/old.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file", "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Resumed and finished.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
t0=$(date +%s%N)
sid=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode ask --approval-deadline 2s \
  "write the answer" </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
wait_state "$sid" waiting 30
rc=0; timeout 10 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || rc=$?
# On a loaded machine the deadline may pass before `wait` asks: then it ends
# as expired (6), which the checks below cover; before it, it must say 4.
if [ "$rc" != 6 ] || [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ]; then
  assert_eq "$rc" 4 "wait while the approval waits"
fi
# The deadline ends it: wait until the engine has gone (the task ended, no client).
meta=$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json
for _ in $(seq 1 200); do [ "$(jq -r .status "$meta")" = expired ] && break; sleep 0.05; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$(jq -r .status "$meta")" expired "the session's record after the deadline"
[ "$ms" -ge 2000 ] || fail "expired after $ms ms, before the 2 s deadline"
rc=0; timeout 10 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 6 "wait on an expired session"
[ ! -e "$G/answer.txt" ] || fail "the unanswered call ran"
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
jq -c 'select(.type=="approval_needed" or .type=="approval_decided" or .type=="session_finished")' "$tr"
assert_eq "$(jq -r 'select(.type=="approval_needed") | .name' "$tr")" write_file
assert_eq "$(jq -r 'select(.type=="approval_decided") | .approved' "$tr")" false
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$tr")" \
  "nobody answered the approval of write_file within approval_deadline = 2s"
# Checkpoints kept: the baseline holds old.txt.
"$DESKHAND" log --session "$sid" > "$T/log" 2>&1 || { cat "$T/log"; fail "log failed"; }
assert_contains "$(cat "$T/log")" baseline
# The inbox says so.
"$DESKHAND" inbox --json > "$T/inbox" || fail "inbox failed"
assert_eq "$(jq -r --arg s "$sid" '.[] | select(.id==$s) | .state' "$T/inbox")" expired
# Resumable: the next turn of the script finishes it.
rc=0; "$DESKHAND" run --resume "$sid" --mode auto --json "go on" >"$T/resume" 2>&1 </dev/null || rc=$?
assert_eq "$rc" 0 "resume of the expired session"
assert_eq "$(jq -r 'select(.type=="session_finished") | .status' "$T/resume")" done
# A bad deadline names the option.
rc=0; "$DESKHAND" run --grant "$G" --approval-deadline soon "x" </dev/null >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2
assert_contains "$(cat "$T/err")" "'approval_deadline' must be a duration such as 90s"
echo ok

# test: serial (asserts on elapsed time)
# A task started with `run --detach` in ask mode reaches an approval with no
# client attached: it waits (`ls` says waiting; `wait` exits 4 at once, as
# nobody can answer headless); attaching the workbench (tmux) shows the
# prompt, after the history; answering y continues the task to done.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file", "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote it once you said yes.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
t0=$(date +%s%N)
out=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode ask --json "write the answer" \
  </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$out"
assert_eq "$(jq -r .type <<<"$out")" detached
sid=$(jq -r .session <<<"$out")
[ -n "$sid" ] && [ "$sid" != null ] || fail "no session id in: $out"
[ "$ms" -lt 15000 ] || fail "run --detach took $ms ms: it should return at once"
[ -n "$(engine_pids)" ] || fail "no engine runs the detached task"
wait_state "$sid" waiting 30
wait_no_client "$sid"
"$DESKHAND" ls > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "ls failed"; }
cat "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" waiting
[ ! -e "$G/answer.txt" ] || fail "answer.txt written without an approval"
rc=0; timeout 10 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
assert_eq "$rc" 4 "wait on a task waiting for an approval nobody can answer headless"
# Still waiting: nothing answered for us.
assert_eq "$(live_state "$sid")" waiting
ui_start 120 30 attach "$sid"
ui_wait "Allow write_file answer.txt?" 20
ui_wait "+yes"
s=$(ui_screen); echo "$s"
assert_contains "$s" "I need to write a file."
# the prompt comes after the history it is about, at the end, not above it
said=$(grep -n "I need to write a file." <<<"$s" | head -1 | cut -d: -f1)
asked=$(grep -n "Allow write_file answer.txt?" <<<"$s" | head -1 | cut -d: -f1)
[ "$asked" -gt "$said" ] || fail "the approval prompt (line $asked) is above the history (line $said)"
ui_keys y
ui_wait "Wrote it once you said yes." 20
ui_wait "task done"
assert_eq "$(cat "$G/answer.txt")" yes
rc=0; timeout 30 "$DESKHAND" wait "$sid" > "$T/wait2.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "wait after the task finished"
st=$(live_state "$sid")
[ -z "$st" ] || [ "$st" = done ] || [ "$st" = idle ] || fail "ls says '$st' after the task finished"
echo ok

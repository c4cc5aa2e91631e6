#!/usr/bin/env bash
# `deskhand run` takes its options before or after TASK, as the other verbs
# do: `run "fix it" --grant DIR` and `run -g DIR "fix it" --model M` run
# "fix it" on DIR with model M. The last argument used to be the TASK, so
# these said "option '--grant' needs a value" or took M for the task. Two
# operands are a usage error naming the second; "--" still ends the options.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat >"$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
# run_ok WANT-TASK WANT-MODEL ARGS...: one run, its exit status 0, the model
# asked with that task (the first user message) and that model.
run_ok() {
  local task=$1 model=$2; shift 2
  start_fake "$T/script.json"
  rc=0; "$DESKHAND" run "$@" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 0 "exit status of run $* ($(head -3 "$T/err"))"
  assert_contains "$(jq -r '.body.messages[0].content | tostring' "$FAKE_LOG" | tail -1)" \
    "$task"
  assert_eq "$(jq -r '.body.model' "$FAKE_LOG" | tail -1)" "$model" "model of run $*"
  kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
}
run_ok "fix it" claude-sonnet-4-5 "fix it" --grant "$G" --mode auto
run_ok "fix it" claude-x -g "$G" "fix it" --model claude-x --mode auto
run_ok "fix it" claude-x --mode auto -g "$G" "fix it" --json --model claude-x
run_ok "-n is a task" claude-sonnet-4-5 --grant "$G" --mode auto -- "-n is a task"

# Two operands: exit 2, the second named, no session.
rc=0; "$DESKHAND" run -g "$G" fix it >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "exit status of two operands"
assert_contains "$(head -1 "$T/err")" "deskhand run: unexpected argument 'it'"
# --detach: an option after the TASK is the run's, and its value is not taken
# for the TASK.
rc=0; "$DESKHAND" run --detach "fix it" -g "$G" --model >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "exit status of --model without its value"
assert_contains "$(head -1 "$T/err")" "option '--model' needs a value"
out=$("$DESKHAND" run --help)
assert_contains "$out" "Options may come before or after TASK"
echo ok

# `deskhand review --json` says whether a file's step (the checkpoint that
# last changed it) recorded changes made outside the agent (a person's edit
# between tool calls): "external": true, as `deskhand log --json` does.
# Before, the step had no such field: a script could tell a person's edit
# from the agent's only by the label.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf 'person v1\n' > "$G/person.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "make files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "agent.txt", "content": "agent 1\n"}}]},
 {"fault": "slow", "delay_ms": 300, "text": "thinking slowly",
  "tool_calls": [{"name": "write_file", "input": {"path": "other.txt", "content": "agent 2\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "make files" > "$T/out" 2>"$T/err" &
pid=$!
# the third request is the slow turn: the person edits while it streams
wait_requests 3 8 || { kill $pid; fail "the slow turn never started"; }
printf 'person v2\n' > "$G/person.txt"
wait $pid || { cat "$T/err"; fail "run failed"; }
cd "$G"
rev=$("$DESKHAND" review --json) || fail "review --json failed"
jq -c '.grants[].files[] | {path, step}' <<<"$rev"
files=$(jq -c '[.grants[].files[]]' <<<"$rev")
assert_eq "$(jq -r '[.[] | .step.external | type] | unique | join(",")' <<<"$files")" boolean \
  "every step's external"
assert_eq "$(jq -r '.[] | select(.path == "person.txt") | .step.external' <<<"$files")" true \
  "the person's edit"
assert_eq "$(jq -r '.[] | select(.path == "person.txt") | .step.tool_call' <<<"$files")" null
assert_eq "$(jq -r '[.[] | select(.path != "person.txt") | .step.external] | unique | join(",")' \
  <<<"$files")" false "the agent's steps"
# the same checkpoint as log --json says is external
assert_eq "$(jq -r '.[] | select(.path == "person.txt") | .step.short_id' <<<"$files")" \
  "$("$DESKHAND" log --json | jq -r '.[] | select(.external) | .short_id')" "log --json"
echo ok

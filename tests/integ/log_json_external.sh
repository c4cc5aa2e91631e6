# `deskhand log --json` says which checkpoints recorded changes made outside
# the agent (a person's edit between tool calls): "external": true, as the
# event stream's checkpoint events and the text output's "external changes"
# line say. Before, the JSON had no such field: a script could tell them
# only by the label.
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
assert_contains "$("$DESKHAND" log)" "external changes"
log=$("$DESKHAND" log --json) || fail "log --json failed"
jq -c '.[] | {short_id, "label": .label, tool_call, external}' <<<"$log"
assert_eq "$(jq -r '[.[] | .external | type] | unique | join(",")' <<<"$log")" boolean \
  "every checkpoint's external"
ext=$(jq -c '[.[] | select(.external)]' <<<"$log")
assert_eq "$(jq -r length <<<"$ext")" 1 "external checkpoints"
assert_eq "$(jq -r '.[0].label' <<<"$ext")" "external changes"
assert_eq "$(jq -r '.[0].tool_call' <<<"$ext")" null
assert_eq "$(jq -r '.[0].changes[].path' <<<"$ext")" person.txt
# the baseline and the agent's two steps are not
assert_eq "$(jq -r '[.[] | select(.external | not)] | length' <<<"$log")" 3 "the others"
assert_eq "$(jq -r '[.[] | select(.tool_call != null) | .external] | unique | join(",")' <<<"$log")" \
  false "the agent's steps"
# the event stream agrees
assert_eq "$(jq -r 'select(.type=="checkpoint" and .external) | .short_id' "$T/out")" \
  "$(jq -r '.[] | select(.external) | .short_id' <<<"$log")" "the checkpoint event"
echo ok

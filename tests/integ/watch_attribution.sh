# Attribution with the watcher: what a tool call changes is its checkpoint;
# what the person changes between tool calls (here: while the model is
# "thinking", a slow turn) is checkpointed as external before the next tool
# call, with incremental checkpoints throughout. `deskhand undo` (agent
# steps) then never reverts the person's edit.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/docs"
printf 'person v1\n' > "$G/docs/person.txt"
printf 'keep\n' > "$G/keep.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "make files"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo agent > agent.txt"}}]},
 {"fault": "slow", "delay_ms": 300, "text": "thinking slowly",
  "tool_calls": [{"name": "write_file", "input": {"path": "other.txt", "content": "agent 2\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "make files" > "$T/out" 2>"$T/err" &
pid=$!
# The third request is the slow turn: the person edits while it streams.
wait_requests 3 8 || { kill $pid; fail "the slow turn never started"; }
printf 'person v2\n' > "$G/docs/person.txt"
wait $pid || { cat "$T/err"; fail "run failed"; }
out=$(cat "$T/out")
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
watcher=$(jq -r 'select(.type=="session_started").watcher' <<<"$out")
echo "watcher: $watcher"
assert_contains "$watcher" "inotify"
jq -c 'select(.type=="checkpoint") | {tool_call, external, mode, paths_read, files_changed, stat}' <<<"$out"
# the baseline is a full scan; the agent's steps are incremental
assert_eq "$(jq -r 'select(.type=="checkpoint")' <<<"$out" | jq -rs '.[0].mode')" full
run_id=$(jq -r 'select(.type=="tool_call" and .name=="run_command").id' <<<"$out")
write_id=$(jq -r 'select(.type=="tool_call" and .name=="write_file").id' <<<"$out")
for id in "$run_id" "$write_id"; do
  c=$(jq -c --arg id "$id" 'select(.type=="checkpoint" and .tool_call==$id)' <<<"$out")
  assert_eq "$(jq -r .mode <<<"$c")" incremental "checkpoint of $id"
  assert_eq "$(jq -r .files_changed <<<"$c")" 1 "checkpoint of $id"
  assert_not_contains "$(jq -r .stat <<<"$c")" person.txt
done
assert_contains "$(jq -r --arg id "$run_id" 'select(.type=="checkpoint" and .tool_call==$id).stat' <<<"$out")" agent.txt
assert_contains "$(jq -r --arg id "$write_id" 'select(.type=="checkpoint" and .tool_call==$id).stat' <<<"$out")" other.txt
# exactly one external checkpoint, before the write_file call, holding person.txt only
ext=$(jq -c 'select(.type=="checkpoint" and .external==true)' <<<"$out")
assert_eq "$(wc -l <<<"$ext")" 1 "external checkpoints"
assert_eq "$(jq -r .tool_call <<<"$ext")" null
assert_eq "$(jq -r .files_changed <<<"$ext")" 1
assert_contains "$(jq -r .stat <<<"$ext")" docs/person.txt
order=$(jq -r 'select(.type=="checkpoint" or (.type=="tool_call" and .name=="write_file")) |
  if .type=="tool_call" then "call" elif .external then "ext" else "step" end' <<<"$out" | tr '\n' ' ')
# the call is announced, then what others changed is recorded, then it runs
assert_eq "$order" "step step call ext step " "event order"
# the log says so too
log=$("$DESKHAND" log)
echo "$log"
assert_contains "$log" "external changes"
# undoing the agent's last step leaves the person's edit alone
"$DESKHAND" undo > "$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
[ ! -e "$G/other.txt" ] || fail "undo did not revert the agent's last step"
assert_eq "$(cat "$G/docs/person.txt")" "person v2" "the person's edit after undo"
"$DESKHAND" undo > "$T/undo2.out" 2>&1 || { cat "$T/undo2.out"; fail "second undo failed"; }
[ ! -e "$G/agent.txt" ] || fail "the second undo did not revert the run_command step"
assert_eq "$(cat "$G/docs/person.txt")" "person v2" "the person's edit after two undos"
assert_eq "$(cat "$G/keep.txt")" keep
echo ok

# A whole scripted session through the real binary against the fake server:
# plan, file tools, run_command in the sandbox, checkpoints, log, diff, undo.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/notes"; printf 'alpha\nbeta\ngamma\n' > "$G/notes/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Let me look first.", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a summary"}, {"title": "Fix the notes"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "summary.md", "content": "# Summary\nAll good. ünïcødé ✓\n"}},
                 {"name": "edit_file", "input": {"path": "notes/a.txt", "old_string": "beta", "new_string": "BETA"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'x,y\\n1,2\\n' > data.csv && wc -l data.csv"}}]},
 {"tool_calls": [{"name": "update_plan", "input": {"steps": [{"title": "Write a summary", "status": "done"}, {"title": "Fix the notes", "status": "done"}]}}]},
 {"text": "Done: wrote summary.md, fixed notes/a.txt and made data.csv.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "plan updated"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Tidy my notes" 2>"$T/err") || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
types=$(jq -r .type <<<"$out" | grep -v text_delta | uniq | tr '\n' ' ')
echo "$types"
assert_contains "$types" "session_started turn_started"
# The baseline is taken beside the first request: it lands before the first
# call that changes the folder runs.
b=$(jq -s 'map(.type) | index("checkpoint")' <<<"$out")
w=$(jq -s 'map(.type == "tool_result" and .name == "write_file") | index(true)' <<<"$out")
[ "$b" != null ] && [ "$w" != null ] && [ "$b" -lt "$w" ] ||
  fail "the baseline checkpoint (event $b) did not land before the first write (event $w)"
assert_eq "$(jq -s -r 'map(select(.type == "checkpoint"))[0].tool_call' <<<"$out")" null
assert_contains "$types" "plan_proposed plan_decided"
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
# every mutating call is followed by a checkpoint naming it
for id in $(jq -r 'select(.type=="tool_call" and (.name=="write_file" or .name=="edit_file" or .name=="run_command")).id' <<<"$out"); do
  n=$(jq -r --arg id "$id" 'select(.type=="checkpoint" and .tool_call==$id).files_changed' <<<"$out")
  [ "${n:-0}" -ge 1 ] || fail "no checkpoint with changes for tool call $id"
done
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="run_command").is_error' <<<"$out")" false
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")" "2 data.csv"
# the files are really there
assert_eq "$(cat "$G/summary.md")" "$(printf '# Summary\nAll good. ünïcødé ✓')"
assert_eq "$(sed -n 2p "$G/notes/a.txt")" "BETA"
assert_eq "$(cat "$G/data.csv")" "$(printf 'x,y\n1,2')"
# usage: cache_control on the system prompt and the last tool; key never stored
req=$(head -1 "$FAKE_LOG")
assert_eq "$(jq -r '.body.system[0].cache_control.type' <<<"$req")" ephemeral
assert_eq "$(jq -r '.body.tools[-1].cache_control.type' <<<"$req")" ephemeral
assert_eq "$(jq -r '.body.stream' <<<"$req")" true
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
! grep -rq test-key-123 "$XDG_STATE_HOME" || fail "API key found in the state dir"
# the transcript has every event (but deltas) and the history
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$tr")" done
[ "$(jq -r 'select(.type=="history").message.role' "$tr" | wc -l)" -eq 12 ] || fail "expected 12 history records"
# log / diff / undo
log=$("$DESKHAND" log)
assert_contains "$log" "baseline"
assert_contains "$log" "A summary.md"
assert_contains "$log" "M notes/a.txt"
assert_contains "$log" "A data.csv"
d=$("$DESKHAND" diff)
assert_contains "$d" "+BETA"
assert_contains "$d" "-beta"
assert_contains "$d" "+++ b/summary.md"
"$DESKHAND" sessions | grep -q "$sid" || fail "sessions does not list $sid"
"$DESKHAND" undo >/dev/null || fail "undo failed"
[ ! -e "$G/data.csv" ] || fail "undo did not remove data.csv (the last step)"
[ -e "$G/summary.md" ] || fail "undo went too far"
"$DESKHAND" undo --to baseline >/dev/null || fail "undo --to baseline failed"
[ ! -e "$G/summary.md" ] || fail "summary.md survived undo to baseline"
assert_eq "$(cat "$G/notes/a.txt")" "$(printf 'alpha\nbeta\ngamma')"
echo ok

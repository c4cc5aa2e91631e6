# A stream cut in the middle of a tool_use block: the partial call never runs;
# it is retried (a connection fault), and when the retries run out too the run
# ends with a clear error, and --resume continues the session.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_retries = 1' > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the file"}]}}]},
 {"fault": "cut_mid_tool", "tool_calls": [{"name": "write_file", "input": {"path": "pwned.txt", "content": "this must never be written"}}]},
 {"fault": "cut_mid_tool", "tool_calls": [{"name": "write_file", "input": {"path": "pwned.txt", "content": "this must never be written"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "ok.txt", "content": "resumed\n"}}],
  "expect": {"last_user_contains": "please continue"}},
 {"text": "Finished after the resume.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
set +e
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" 2>"$T/err"); rc=$?
set -e
assert_eq "$rc" 1 "exit status of a failed session"
[ ! -e "$G/pwned.txt" ] || fail "a partial tool call was executed"
assert_eq "$(jq -r 'select(.type=="tool_call" and .name=="write_file").id' <<<"$out" | wc -l)" 0
fin=$(jq -r 'select(.type=="session_finished")|.status+": "+.message' <<<"$out")
assert_contains "$fin" "failed: model request failed: stream ended mid-response"
assert_contains "$fin" "(gave up after 1 retry)"
assert_eq "$(jq -r 'select(.type=="retry").attempt' <<<"$out")" 1
[ "$(wc -l <<<"$fin")" -eq 1 ] || fail "expected one line, got: $fin"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
out2=$("$DESKHAND" run --resume "$sid" --json "please continue" 2>"$T/err2") || { cat "$T/err2"; echo "$out2"; fail "resume failed"; }
echo "$out2" | jq -c "select(.type!=\"text_delta\")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
assert_eq "$(cat "$G/ok.txt")" resumed
[ ! -e "$G/pwned.txt" ] || fail "pwned.txt exists after resume"
# the resumed request carried the whole conversation (plan call and its result)
last=$(tail -2 "$FAKE_LOG" | head -1)
assert_contains "$(jq -c .body.messages <<<"$last")" "propose_plan"
assert_eq "$(jq -r '.body.messages[0].role' <<<"$last")" user
echo ok

# A headless ask-mode run with nobody to ask (no terminal, no --commands):
# the plan and the writes are refused, and the run says so: status
# "blocked", exit 5, every refused call listed (also when the model then
# finishes as if all went well).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "make clean"}}]},
 {"text": "All done!", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0
out=$("$DESKHAND" run --grant "$G" --approve-plan "write a" </dev/null 2>"$T/err") || rc=$?
echo "$out"
assert_eq "$rc" 5 "exit status of a blocked run"
[ ! -e "$G/a.txt" ] || fail "a.txt written without approval"
assert_contains "$out" "refused:"
assert_contains "$out" "write_file a.txt: no terminal to ask"
assert_contains "$out" "run_command make clean: no terminal to ask"
assert_contains "$out" "blocked · session"
# The session's record and --json say the same; 'wait' exits 5 too.
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --approve-plan --json "write a" </dev/null >"$T/j" 2>"$T/err" || rc=$?
assert_eq "$rc" 5
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/j")" blocked
assert_contains "$(jq -r 'select(.type=="session_finished").message' "$T/j")" "write_file a.txt"
sid=$(jq -r 'select(.type=="session_started").session' "$T/j")
rc=0; "$DESKHAND" wait "$sid" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 5 "deskhand wait on a blocked session"
# Without a plan approval the plan itself is what was refused.
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"text": "I cannot go on without a plan.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script2.json"
rc=0
out=$("$DESKHAND" run --grant "$G" "write a" </dev/null 2>"$T/err") || rc=$?
assert_eq "$rc" 5
assert_contains "$out" "the plan: no terminal to ask"
echo ok

# The inbox (issue 13, Done when 2): a detached run reaches an approval and
# waits: `inbox` lists it as waiting; attaching (the workbench, tmux) answers
# it and the run finishes: `inbox` lists it done with its pending file, the
# summary (the agent's last message) and the schedule named by --origin;
# `deskhand accept` in the folder clears the entry. A failed run stays until
# `inbox --dismiss`; a workbench's own session is never listed.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file", "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote the answer.\nSecond line.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
assert_eq "$("$DESKHAND" inbox)" "inbox empty"
sid=$("$DESKHAND" run --detach --origin schedule:digest --grant "$G" --approve-plan --mode ask \
  "write the answer" </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
wait_state "$sid" waiting 30
"$DESKHAND" inbox --json > "$T/inbox" || fail "inbox failed"
cat "$T/inbox"
assert_eq "$(jq -r '.[0].id' "$T/inbox")" "$sid"
assert_eq "$(jq -r '.[0].state' "$T/inbox")" waiting
assert_eq "$(jq -r '.[0].waiting' "$T/inbox")" true
assert_eq "$(jq -r '.[0].schedule' "$T/inbox")" digest
assert_contains "$("$DESKHAND" inbox)" "waiting"
# Attach and answer.
ui_start 120 30 attach "$sid"
ui_wait "Allow write_file answer.txt?" 20
ui_keys y
ui_wait "task done" 20
tm_stop
rc=0; timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 0 "wait after the answer"
"$DESKHAND" inbox --json > "$T/inbox" || fail "inbox failed"
cat "$T/inbox"
assert_eq "$(jq -r '.[0].id' "$T/inbox")" "$sid"
assert_eq "$(jq -r '.[0].state' "$T/inbox")" done
assert_eq "$(jq -r '.[0].waiting' "$T/inbox")" false
assert_eq "$(jq -r '.[0].pending' "$T/inbox")" 1
assert_eq "$(jq -r '.[0].summary' "$T/inbox")" "Wrote the answer."
out=$("$DESKHAND" inbox); echo "$out"
assert_contains "$out" "$sid       done            1 file"
assert_contains "$out" "[digest] Wrote the answer."
# Reviewable, and accepting everything in the folder empties the entry.
(cd "$G" && "$DESKHAND" review) > "$T/review" 2>&1 || { cat "$T/review"; fail "review failed"; }
assert_contains "$(cat "$T/review")" answer.txt
(cd "$G" && "$DESKHAND" accept) > "$T/accept" 2>&1 || { cat "$T/accept"; fail "accept failed"; }
assert_eq "$("$DESKHAND" inbox --json)" "[]"

# A run that fails (the model errors out) is listed until dismissed.
cat > "$T/fail.json" <<'JSON'
{"turns": [{"fault": "status", "status": 400}]}
JSON
start_fake "$T/fail.json"
rc=0; "$DESKHAND" run --grant "$G" --approve-plan --json "fails" </dev/null >"$T/f.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "the failing run"
fid=$(jq -r 'select(.type=="session_started") | .session' "$T/f.out")
"$DESKHAND" inbox --json > "$T/inbox"
assert_eq "$(jq -r --arg s "$fid" '.[] | select(.id==$s) | .state' "$T/inbox")" failed
assert_eq "$(jq -r --arg s "$fid" '.[] | select(.id==$s) | .origin' "$T/inbox")" run
assert_eq "$("$DESKHAND" inbox --dismiss "${fid:0:20}")" "dismissed $fid"
assert_eq "$("$DESKHAND" inbox --json)" "[]"
rc=0; "$DESKHAND" inbox --dismiss nosuch >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dismiss of no session"
assert_contains "$(cat "$T/err")" "nosuch"
echo ok

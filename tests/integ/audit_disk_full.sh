# The audit log on a full disk: a tool call whose audit record cannot be
# written is not run (its action would happen with no record), the model is
# told why, naming the log and the error, the session gets an error event,
# and the transcript keeps the refusal. Before, the engine said the log could
# not be written and the call ran: the file was written with no record of it.
# Only the audit log is on the full file system here (a tmpfs file mounted at
# its place, empty, so that no page of it has room left): the transcript is not.
. "$DH_TESTS/lib.sh"
state=$XDG_STATE_HOME
small_state 1m
export XDG_STATE_HOME=$state
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Hello.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w",
   "input": {"path": "new.txt", "content": "written\n"}}]},
 {"text": "Stopped.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Hi" >"$T/out1" 2>"$T/err" \
  || { cat "$T/err"; fail "the first run"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/out1")
log=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
[ -s "$log" ] || fail "no audit log after the first run"
: > "$T/small/audit.jsonl"
dd if=/dev/zero of="$T/small/fill" bs=64k 2>/dev/null || true
mount --bind "$T/small/audit.jsonl" "$log" || skip "cannot bind-mount a file here"
trap 'umount "$log" 2>/dev/null || true; umount "$T/small" 2>/dev/null || true; cleanup' EXIT
rc=0
out=$("$DESKHAND" run --resume latest --approve-plan --mode auto --json "Write" 2>"$T/err") || rc=$?
umount "$log"
[ -e "$G/new.txt" ] && fail "write_file ran though its audit record could not be written"
res=$(jq -r 'select(.type=="tool_result" and .id=="toolu_w").output' <<<"$out")
assert_contains "$res" "not run: the audit log $log could not be written: No space left on device"
assert_contains "$(jq -r 'select(.type=="error").message' <<<"$out")" \
  "the audit log $log could not be written: No space left on device"
# the model was told
assert_contains "$(tail -1 "$FAKE_LOG")" "not run: the audit log"
# the transcript keeps the refusal
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_contains "$(jq -r 'select(.type=="tool_result" and .id=="toolu_w").output' "$tr")" \
  "not run: the audit log $log could not be written"
assert_eq "$rc" 0 "exit status"
echo ok

# A full disk under the state directory: the transcript cannot take the next
# record, the run stops at the turn boundary with a one-line error that says
# what to do, and nothing already written is torn.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
mkdir -p "$T/small"
mount -t tmpfs -o size=400k tmpfs "$T/small" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
export XDG_STATE_HOME=$T/small
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
# more than the tmpfs holds (a long text is kept once in the transcript)
big=$(head -c 600000 /dev/zero | tr '\0' 'x')
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "$big", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "never reached", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
set +e
out=$("$DESKHAND" run --grant "$G" --json "fill it" 2>"$T/err"); rc=$?
set -e
assert_eq "$rc" 1 "exit status"
err=$(jq -r 'select(.type=="session_finished").message' <<<"$out")
echo "$err"
assert_contains "$err" "transcript could not be written"
assert_contains "$err" "--resume"
# the model was not asked again after the failed write
assert_eq "$(wc -l < "$FAKE_LOG")" 1
# what is on disk is whole JSON lines
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
while IFS= read -r line; do jq -e . >/dev/null <<<"$line" || fail "torn line in the transcript"; done < "$tr"
echo ok

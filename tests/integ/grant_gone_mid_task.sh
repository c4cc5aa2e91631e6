# The granted folder deleted while the task runs: the checkpoint before the
# next call fails, the session stops failed, and what it says to do is to put
# the folder back, not "make room" (advice for a full disk, which it used to
# give for every failed checkpoint). With the folder back, --resume goes on.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"; echo a > "$G/sub/a.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"text": "thinking", "text_pause_file": "$T/go",
  "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "back again", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write b" > "$T/out" 2>"$T/err" &
pid=$!
# The second request streams its text, then waits for $T/go.
wait_requests 2 || { kill $pid; fail "the second turn never started"; }
mv "$G" "$T/moved"
touch "$T/go"
wait $pid && fail "the run ended 0 with its folder gone"
fin=$(jq -r 'select(.type=="session_finished") | "\(.status) \(.message)"' "$T/out")
echo "$fin"
assert_contains "$fin" "failed checkpoint of $G failed"
assert_contains "$fin" "put the folder back where it was, then --resume"
assert_not_contains "$fin" "make room"
[ ! -e "$T/moved/b.txt" ] || fail "the call ran after its folder's checkpoint failed"

mv "$T/moved" "$G"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto --json "go on" > "$T/out2" 2>"$T/err2" ||
  { cat "$T/err2"; fail "resume with the folder back failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out2")" done
echo ok

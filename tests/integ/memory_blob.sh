# A large write_file input is stored once in the session (blobs/) and the
# history keeps a reference and a bounded excerpt: later request bodies, the
# transcript and memory do not carry it again; --resume sends the reference.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
N=2097152
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the big file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "big.txt"}, "fill": {"field": "content", "bytes": $N}}]},
 {"text": "Checking.", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "Written.", "stop_reason": "end_turn"},
 {"text": "Still here.", "stop_reason": "end_turn", "expect": {"last_user_contains": "again"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" 2>"$T/err") || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(stat -c %s "$G/big.txt")" "$N"
head -c 64 "$G/big.txt" | grep -q "quick brown fox" || fail "big.txt does not hold the content"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
sd=$XDG_STATE_HOME/deskhand/sessions/$sid
# stored once, whole
ls "$sd/blobs" > "$T/blobs"
assert_eq "$(wc -l < "$T/blobs")" 1 "blobs stored"
cmp "$sd/blobs/$(cat "$T/blobs")" "$G/big.txt" || fail "the blob differs from what was written"
# requests after the call carry the reference, not the content
for n in 3 4; do
  body=$(sed -n "${n}p" "$FAKE_LOG" | jq -c .body)
  [ "${#body}" -lt 65536 ] || fail "request $n is ${#body} bytes"
  assert_contains "$body" "blobs/$(cat "$T/blobs")"
  assert_contains "$body" "2097152 bytes"
done
# the transcript and the event stream hold it at most once (the blob holds it)
[ "$(stat -c %s "$sd/transcript.jsonl")" -lt 262144 ] || fail "transcript is $(stat -c %s "$sd/transcript.jsonl") bytes"
[ "${#out}" -lt 262144 ] || fail "the --json stream is ${#out} bytes"
# resume: the conversation still references the blob and stays small
out2=$("$DESKHAND" run --resume "$sid" --json "again" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
body=$(tail -1 "$FAKE_LOG" | jq -c .body)
[ "${#body}" -lt 65536 ] || fail "resumed request is ${#body} bytes"
assert_contains "$body" "blobs/$(cat "$T/blobs")"
echo ok

# A session that writes a 10 MB file and runs 20 more turns sends that content
# once: the write's input is stored in the session (blobs/) and every later
# request carries a reference and a head-and-tail excerpt, so request bodies
# stay under 1 MB; read_tool_output reads any part of the stored value back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
N=10485760
python3 - "$N" > "$T/script.json" <<'PY'
import json, sys
n = int(sys.argv[1])
turns = [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the big file"}]}}]},
    {"tool_calls": [{"name": "write_file", "input": {"path": "big.txt"},
                     "fill": {"field": "content", "bytes": n}}]},
    # the excerpt names the stored value and the tool that reads it
    {"text": "Reading a middle part back.",
     "expect": {"body_contains": "reads any part of it"},
     "tool_calls": [{"name": "read_tool_output",
                     "input": {"id": "blobs/000001", "offset": 5000000, "limit": 200}}]},
]
for k in range(19):
    turns.append({"text": "Turn %d." % k, "tool_calls": [{"name": "list_files", "input": {}}],
                  **({"expect": {"last_user_contains": "bytes 5000000 to 5000200 of %d" % n}}
                     if k == 0 else {})})
turns.append({"text": "Written.", "stop_reason": "end_turn"})
print(json.dumps({"turns": turns}))
PY
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(stat -c %s "$G/big.txt")" "$N"
assert_eq "$(wc -l < "$FAKE_LOG")" 23 "requests"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
sd=$XDG_STATE_HOME/deskhand/sessions/$sid
cmp "$sd/blobs/000001" "$G/big.txt" || fail "the stored value differs from the file"
# every request after the write: under 1 MB, the reference in it, the content not
max=0
for n in $(seq 3 23); do
  size=$(sed -n "${n}p" "$FAKE_LOG" | jq -c .body | wc -c)
  [ "$size" -lt 1048576 ] || fail "request $n is $size bytes"
  [ "$size" -gt "$max" ] && max=$size
  fills=$(sed -n "${n}p" "$FAKE_LOG" | jq -r '.body.messages[] | .content | if type=="array" then .[] else . end | tostring' | grep -o "quick brown fox" | wc -l)
  [ "$fills" -lt 1000 ] || fail "request $n repeats the content ($fills lines of it)"
done
echo "largest request after the write: $max bytes"
# the read came back from the stored value, and it is what the file holds there
got=$(jq -r 'select(.type=="tool_result" and .name=="read_tool_output").output' <<<"$out")
assert_contains "$got" "[blobs/000001: bytes 5000000 to 5000200 of $N; continue with offset 5000200]"
want=$(tail -c +5000001 "$G/big.txt" | head -c 200)
assert_eq "$(tail -n +2 <<<"$got")" "$want" "the page read back"
echo ok

# read_file on a PDF that poppler takes longer than the time limit to read
# (tests/fixtures/docs/limits_pdf.py: a page that costs it 20 s or more in
# one call that cannot be interrupted) stops at the limit: the page is read by a
# child process, killed then. The result says so and gives the page read
# before; the engine's worker goes straight on to the next call, `deskhand
# ls` answers, and no reader is left behind. A PDF that needs more memory
# than the reader may take ends with an error saying so.
# DH_TEST_DOC_MS and DH_TEST_DOC_MIB are test-only: they lower the limits
# from 20 s and 1 GiB to 2 s and 256 MiB. A sanitizer build sets no memory
# limit (docs/doc.h: its shadow memory needs terabytes of address space), so
# there the hungry PDF is read whole (or runs over the time, its allocator
# being slower).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 "$DH_TESTS/fixtures/docs/limits_pdf.py" "$G"
printf 'read after the slow one\n' > "$G/notes.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "slow.pdf"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "hungry.pdf"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
export DH_TEST_DOC_MS=2000 DH_TEST_DOC_MIB=256
start_fake "$T/script.json"
t0=$(date +%s%N)
run_detached auto "read them"
wait_requests 2 12 || fail "no result for slow.pdf within 12 s: the read took as long as poppler did"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
engine=$(cat "$XDG_RUNTIME_DIR"/deskhand/*.pid)
# its reader is gone, not left running or unreaped
left=$(ps --ppid "$engine" -o stat=,args= | grep -F "doc-text pdf" | grep -F slow.pdf || true)
[ -z "$left" ] || fail "the reader of slow.pdf is still there: $left"
st=$(timeout 5 "$DESKHAND" ls --json 2>"$T/ls.err" |
  jq -r --arg s "$sid" '.[] | select((.session // .id) == $s) | .session // .id') ||
  fail "ls did not answer: $(cat "$T/ls.err")"
assert_eq "$st" "$sid" "ls"
# the next call is not held up behind the slow one
wait_requests 3 5 || fail "the read of notes.txt did not follow at once"
result() { sed -n "$1p" "$FAKE_LOG" | jq -r '.body.messages[-1].content[0] | [(.is_error // false | tostring), (.content | if type == "array" then map(select(.type == "text") | .text) | join("") else . end)] | join(" ")'; }
r=$(result 2)
assert_contains "$r" "true slow.pdf: the document took longer than 2 s to read, so reading stopped there; it is too large or too complex to show as text whole"
assert_contains "$r" "[… the text of the 1 page read before then follows]"
assert_contains "$r" "## Page 1"
assert_contains "$r" "Quick first page"
assert_not_contains "$r" "Never reached"
assert_contains "$(result 3)" "read after the slow one"
wait_requests 4 30 || fail "no result for hungry.pdf"
r=$(result 4)
if ldd "$DESKHAND" | grep -q libasan; then
  assert_not_contains "$r" "MiB to read"   # no memory limit: read whole, or over the time
else
  assert_eq "$r" "true hungry.pdf: the document needs more than 256 MiB to read, the limit for one document; reading stopped there"
fi
timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || fail "the task did not end"
left=$(ps --ppid "$engine" -o stat=,args= | grep -E "doc-text|^Z" || true)
[ -z "$left" ] || fail "a reader is still there: $left"
echo "ok (slow.pdf answered in $ms ms)"

# read_file on a PDF whose name does not say so (a download saved as
# "statement", no extension) reads its text on the engine's worker, as it
# does for "statement.pdf", not on the event loop: while poppler works
# through a slow page (tests/fixtures/docs/slow_page.py) the engine still
# answers `deskhand ls`, rather than leaving every client waiting for its
# hello until the page is done.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 "$DH_TESTS/fixtures/docs/slow_page.py" "$G/statement" 400
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "statement"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script.json"
run_detached auto "read the statement"
# the read starts within a second of the first request; each ls must answer
# in well under the client's 10 s hello timeout while it runs
for i in 1 2 3 4 5 6 7 8; do
  t0=$(date +%s%N)
  st=$(timeout 5 "$DESKHAND" ls --json 2>>"$T/ls.err" |
    jq -r --arg s "$sid" '.[] | select((.session // .id) == $s) | (.state // .activity)')
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$st" = working ] || fail "ls $i: session '$st' after $ms ms, not working: $(cat "$T/ls.err")"
  sleep 0.5
done
# and all that time the page was still being read: no request carried its result
assert_eq "$(jq -s 'length' "$FAKE_LOG")" 1 "requests while the page is read"
echo ok

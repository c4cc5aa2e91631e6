# SIGINT while search_files reads the text of a folder's PDFs: the reader of
# the PDF under way (`deskhand doc-text` on the engine's worker) is killed
# and no further PDF is read, so the run exits 130 within a second or two,
# rather than after each slow page (tests/fixtures/docs/slow_page.py) had
# its 5 s, and no reader is left running.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/pdfs"
name=srch-int-$$
python3 "$DH_TESTS/fixtures/docs/slow_page.py" "$G/pdfs/$name-1.pdf" 400
cp "$G/pdfs/$name-1.pdf" "$G/pdfs/$name-2.pdf"
cp "$G/pdfs/$name-1.pdf" "$G/pdfs/$name-3.pdf"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "search_files", "input": {"pattern": "total", "path": "pdfs"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "search the statements" \
  > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 200); do pgrep -f "doc-text pdf .* pdfs/$name-" >/dev/null && break; sleep 0.05; done
pgrep -f "doc-text pdf .* pdfs/$name-" >/dev/null || { cat "$T/err"; fail "no PDF's reader started"; }
sleep 1 # well into the first page
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "run exited ${ms} ms after SIGINT"
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
sleep 0.2
left=$(pgrep -f "doc-text pdf .* pdfs/$name-" || true)
[ -z "$left" ] || { ps -o pid,ppid,etimes,args -p "$left"; fail "a PDF's reader outlived the run"; }
[ "$ms" -lt 3000 ] || fail "the run exited ${ms} ms after SIGINT, not within 3 s"
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="search_files").output' "$T/out")" \
  "search_files was interrupted"
echo ok

# SIGINT while read_file reads a PDF's text: the reader (`deskhand doc-text`,
# a child of the engine's worker) is killed at once, so the run exits 130
# within a second or two, rather than when poppler is done with the page
# (tests/fixtures/docs/slow_page.py: seconds in a release build, the 20 s
# limit under ASan), and no reader is left running.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
name=stmt-int-$$
python3 "$DH_TESTS/fixtures/docs/slow_page.py" "$G/$name" 400
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "$name"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "read the statement" \
  > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 200); do pgrep -f "doc-text pdf .* $name\$" >/dev/null && break; sleep 0.05; done
pgrep -f "doc-text pdf .* $name\$" >/dev/null || { cat "$T/err"; fail "the PDF's reader never started"; }
sleep 1 # well into the page
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "run exited ${ms} ms after SIGINT"
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
left=$(pgrep -f "doc-text pdf .* $name\$" || true)
[ -z "$left" ] || { ps -o pid,ppid,etimes,args -p "$left"; fail "the PDF's reader outlived the run"; }
[ "$ms" -lt 3000 ] || fail "the run exited ${ms} ms after SIGINT, not within 3 s"
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="read_file").output' "$T/out")" \
  "read_file was interrupted"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
echo ok

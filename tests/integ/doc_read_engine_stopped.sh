# SIGTERM to a detached engine while read_file reads a PDF's text: the
# engine stops the call, its reader (`deskhand doc-text` on the worker) is
# killed at once, and the engine exits within a few seconds rather than
# when poppler is done with the page (tests/fixtures/docs/slow_page.py),
# leaving no reader behind.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
name=stmt-term-$$
python3 "$DH_TESTS/fixtures/docs/slow_page.py" "$G/$name" 400
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "$name"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script.json"
run_detached auto "read the statement"
for _ in $(seq 1 200); do pgrep -f "doc-text pdf .* $name\$" >/dev/null && break; sleep 0.05; done
pgrep -f "doc-text pdf .* $name\$" >/dev/null || { cat "$T/run.err"; fail "the PDF's reader never started"; }
epid=$(cat "$XDG_RUNTIME_DIR"/deskhand/*.pid)
sleep 1 # well into the page
t0=$(date +%s%N)
kill -TERM "$epid"
for _ in $(seq 1 400); do kill -0 "$epid" 2>/dev/null || break; sleep 0.025; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "engine exited ${ms} ms after SIGTERM"
kill -0 "$epid" 2>/dev/null && fail "the engine is still there ${ms} ms after SIGTERM"
sleep 0.2
left=$(pgrep -f "doc-text pdf .* $name\$" || true)
[ -z "$left" ] || { ps -o pid,ppid,etimes,args -p "$left"; fail "the PDF's reader outlived the engine"; }
[ "$ms" -lt 4000 ] || fail "the engine exited ${ms} ms after SIGTERM, not within 4 s"
echo ok

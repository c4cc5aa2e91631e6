# In process: a long run_command in ask mode. After `y` the status line says
# `running run_command Ns` (that call's seconds), not `awaiting approval`; the
# output shows live under the call while it runs; when done the call is
# folded to its first and last lines, and Enter opens the whole output (the
# file the engine stored) in $PAGER. A stream cut mid-answer shows a retry
# line with the delay and the attempt, and its partial text goes away.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Build"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'live-%s\\n' one; sleep 1; printf 'live-%s\\n' two; sleep 2.5; seq -f 'log line %g' 1 20000; echo 'error: it broke at the end'"}}]},
 {"fault": "cut_mid_text", "text": "PARTIAL-CUT-TEXT"},
 {"text": "The build failed at the end.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
cat > "$T/pager.sh" <<'EOF2'
#!/bin/sh
echo "$1" > "$PAGELOG.path"
cat "$1" > "$PAGELOG"
EOF2
chmod +x "$T/pager.sh"
steps ":type build it
<Enter>
:wait approval
a
:wait text Allow run_command
y
:wait text live-one
:wait text live-two
:save-screen $T/running.scr elements
:wait text task done
:save-screen $T/done.scr
<Enter>
:wait ms 500
:quit"
UI_ENV="PAGER=$T/pager.sh PAGELOG=$T/paged" ui_run 120 40 --grant "$G"
# while it ran: the call's own seconds, live lines under the call
assert_screen running 'running run_command [1-9][0-9]*s' '^    [│|] live-one$' '^    [│|] live-two$'
screen running | grep -q 'awaiting approval' && fail "still 'awaiting approval' while the command runs"
# done: folded to head and tail, the retry line as the headless output has it
assert_screen done '^    [│|] live-one$' 'error: it broke at the end' 'exit status 0' \
  '… [0-9]+ more lines · Enter: the whole output' \
  'retrying in [0-9.]+ s \(attempt 1\): stream ended mid-response' 'The build failed at the end'
screen done | grep -q 'PARTIAL-CUT-TEXT' && fail "the text of the cut stream is still shown"
screen done | grep -q 'log line 10000$' && fail "the folded call shows its middle"
# Enter: the pager got the stored file, all of it
[ -f "$T/paged" ] || { cat "$T/ui.err"; fail "the pager was not run"; }
case $(cat "$T/paged.path") in "$XDG_STATE_HOME"/deskhand/sessions/*/blobs/*) ;; *) fail "paged $(cat "$T/paged.path")";; esac
{ echo live-one; echo live-two; seq -f 'log line %g' 1 20000; echo 'error: it broke at the end'; } > "$T/want"
cmp "$T/want" "$T/paged" || fail "the pager did not get the whole output"

# A $PAGER that is not installed: the whole output in the overlay instead.
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Build"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "seq -f 'log line %g' 1 20000"}}]},
 {"text": "Long.", "stop_reason": "end_turn"}
]}
JSON
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
start_fake "$T/script2.json"
steps ":type build it
<Enter>
:wait approval
a
:wait text task done
<Enter>
:wait text output of run_command
:save-screen $T/overlay.scr
:quit"
UI_ENV="PAGER=/nonexistent/pager" ui_run 100 30 --grant "$G" --mode auto
assert_screen overlay 'output of run_command seq' '^ *log line 1$' '^ *log line 2$'
echo ok

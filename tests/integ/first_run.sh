# A first run explains itself: with no API key, deskhand run and the workbench
# say how to set one and that `make demo`/`--replay` work without one; with no
# folder granted, deskhand run says how to grant one (--grant DIR, :grant DIR)
# and so does the workbench's transcript, at start and once a task starts.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"

# No API key (lib.sh unsets it): run and the workbench.
rc=0; "$DESKHAND" run --grant "$G" "hello" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "run without a key"
for want in "ANTHROPIC_API_KEY" "make demo" "--replay"; do
  assert_contains "$(cat "$T/err")" "$want"
done
rc=0; "$DESKHAND" --grant "$G" </dev/null >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "workbench without a key"
assert_contains "$(cat "$T/err")" "export ANTHROPIC_API_KEY="
assert_contains "$(cat "$T/err")" "make demo"

# No folder: deskhand run refuses, saying how to grant one.
export ANTHROPIC_API_KEY=test-key-123
rc=0; "$DESKHAND" run "hello" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "run without a grant"
assert_contains "$(cat "$T/err")" "--grant DIR"
assert_contains "$(cat "$T/err")" ":grant DIR"

# The workbench with no folder: the transcript says how to grant one.
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
steps ":wait text No folder is granted yet
:save-screen $T/start.scr
i
:type hello
<Enter>
:wait text task done
:save-screen $T/done.scr
:quit"
ui_run 120 30
assert_screen done 'no folder is granted' ':grant DIR' 'deskhand --grant DIR'
# Before any task: the note, and the hint line offers :grant instead of an
# empty task line.
assert_screen start 'No folder is granted yet' ':grant DIR: let the agent work in a folder'
echo ok

# test: serial (engines slow to close)
# A workbench attached to a live engine (`deskhand attach ID`: one it did
# not start) quit with the task done, then the session resumed at once:
# the engine exits once its last client leaves, and holds the session until
# it has. The workbench returned at once, and `deskhand run --resume ID`
# was refused ("session ID is live: its engine (pid N) runs it now"). It
# now waits for that engine to exit (bounded), as it does for an engine it
# started (ui_quit_resume). A telemetry collector that answers late makes
# the engine slow to close.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"fault": "slow", "text": "Hello there, slowly.", "stop_reason": "end_turn", "delay_ms": 300},
           {"text": "Again.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
slow_collector
sid=$("$DESKHAND" run --detach --grant "$G" --mode auto "say hello") || fail "run --detach failed"
steps ":wait text task done
:quit"
ui_run 100 30 attach "$sid"
rc=0; "$DESKHAND" run --resume "$sid" --mode auto "again" >"$T/r.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "run --resume right after the attached workbench quit: $(cat "$T/r.out")"
echo ok

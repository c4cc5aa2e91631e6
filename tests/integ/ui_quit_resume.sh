# test: serial (engines slow to close)
# The workbench quit with its task done, then the session resumed at once
# (`deskhand run --resume`, or another workbench on the folder): the engine
# the workbench started exits once it is left alone, and holds the folder
# and the session until it has. The workbench returned at once, and what
# followed was refused ("session ID is live: its engine (pid N) runs it
# now", "folder G is in use by live session ID"). It now waits for that
# engine to exit, as it already did for one with no session. A telemetry
# collector that answers late makes the engine slow to close.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"},
           {"text": "Again.", "stop_reason": "end_turn"},
           {"text": "Third.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
slow_collector
steps ":wait text task done
:quit"
ui_run 100 30 --grant "$G" --mode auto "say hello"
sid=$(ls "$XDG_STATE_HOME"/deskhand/sessions/ | head -1)
[ -n "$sid" ] || fail "no session"
rc=0; "$DESKHAND" run --resume "$sid" --mode auto "again" >"$T/r.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "run --resume right after the workbench quit: $(cat "$T/r.out")"
# and a new workbench on the folder right after one quit
ui_run 100 30 --grant "$G" --mode auto "third"
echo ok

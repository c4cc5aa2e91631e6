# A detached engine whose socket directory is removed under it (a logout:
# systemd-logind removes $XDG_RUNTIME_DIR with everything in it, while the
# engine lives on, here waiting for an approval) binds again: the directory
# comes back 0700 with the socket and the pid file, engine.log says so, and
# `deskhand ls`, `wait`, `attach` and `stop` find the session again within a
# few seconds. Before, they all said it was not live, for ever.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file", "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote it.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_detached ask "write the answer"
wait_state "$sid" waiting 30
wait_no_client "$sid"
D=$XDG_RUNTIME_DIR/deskhand
pid=$(cat "$D/$sid.pid")
rm -rf "$D"
kill -0 "$pid" || fail "engine $pid died when its socket directory was removed"
# within a few seconds the engine listens again
for _ in $(seq 1 100); do [ -S "$D/$sid.sock" ] && [ -s "$D/$sid.pid" ] && break; sleep 0.1; done
[ -S "$D/$sid.sock" ] || fail "no socket $D/$sid.sock 10 s after its directory was removed"
assert_eq "$(stat -c %a "$D")" 700 "the socket directory's mode"
assert_eq "$(stat -c %a "$D/$sid.sock")" 600 "the socket's mode"
assert_eq "$(cat "$D/$sid.pid")" "$pid" "the pid file"
LOG=$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log
# logged once the pid file is written: it may follow the files by a moment
said="socket $D/$sid.sock is gone (its directory removed?); listening again on $D/$sid.sock"
for _ in $(seq 1 50); do grep -qF -- "$said" "$LOG" && break; sleep 0.1; done
assert_file_contains "$LOG" "$said"
assert_eq "$(live_state "$sid")" waiting "ls after the socket directory was removed"
rc=0; timeout 10 "$DESKHAND" wait "$sid" > "$T/wait.out" 2>&1 || rc=$?
cat "$T/wait.out"
assert_eq "$rc" 4 "wait on the task waiting for an approval"
# removed again: it binds again again (the check is not a one-off)
rm -rf "$D"
for _ in $(seq 1 100); do [ -S "$D/$sid.sock" ] && break; sleep 0.1; done
[ -S "$D/$sid.sock" ] || fail "no socket after the second removal"
ui_start 120 30 attach "$sid"
ui_wait "Allow write_file answer.txt?" 20
rc=0; timeout 30 "$DESKHAND" stop "$sid" > "$T/stop.out" 2>&1 || rc=$?
cat "$T/stop.out"
assert_eq "$rc" 0 "stop"
assert_contains "$(cat "$T/stop.out")" "session $sid:"
ui_wait "interrupted" 10
tm_stop
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$pid" 2>/dev/null || fail "engine $pid still running after stop"
[ ! -e "$D/$sid.sock" ] && [ ! -e "$D/$sid.pid" ] || fail "socket or pid file left: $(ls "$D")"
[ ! -e "$G/answer.txt" ] || fail "answer.txt written without an approval"
echo ok

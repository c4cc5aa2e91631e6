# test: serial (its engine listens in the machine-wide fallback directory)
# An engine started where $XDG_RUNTIME_DIR was unset (an SSH login without a
# session manager, a cron-fired schedule) listens in /tmp/deskhand-UID. A
# shell that has the variable looked only in $XDG_RUNTIME_DIR/deskhand: `ls`
# said no live session, `stop` that it ran in the foreground, and `attach`
# was refused with a hint to attach. Clients now look in both.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
FB=/tmp/deskhand-$(id -u)
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
id=$(env -u XDG_RUNTIME_DIR "$DESKHAND" run --detach --grant "$G" --mode ask --approve-plan "write a") \
  || fail "run --detach without XDG_RUNTIME_DIR failed"
trap '[ -f "$FB/$id.pid" ] && kill -9 "$(cat "$FB/$id.pid")" 2>/dev/null; rm -f "$FB/$id.sock" "$FB/$id.pid"; cleanup' EXIT
[ -S "$FB/$id.sock" ] || fail "the engine does not listen in $FB"
wait_state "$id" waiting
"$DESKHAND" ls > "$T/ls" 2>&1 || { cat "$T/ls"; fail "ls failed"; }
assert_contains "$(cat "$T/ls")" "$id"
rc=0; "$DESKHAND" stop "$id" > "$T/stop" 2>&1 || rc=$?
assert_eq "$rc" 0 "stop of the engine in $FB: $(cat "$T/stop")"
rc=0; "$DESKHAND" wait "$id" > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 130 "wait after stop"
[ ! -e "$G/a.txt" ] || fail "a.txt was written without an approval"
echo ok

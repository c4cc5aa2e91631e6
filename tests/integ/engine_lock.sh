# One writer per shadow repository: while a session's engine is live (here
# a foreground deskhand run waiting for an approval), a second engine on the
# same folder, or on the same session, is refused with a message naming the
# live session (or, for the same session, saying it is live) and its pid and
# what to do: a foreground run is not attached to (deskhand attach was
# advised, and refused the same way), it is waited for; once the live one
# exits, the folder is free again.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"text": "stopped", "stop_reason": "end_turn"},
 {"text": "again", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --json --commands "edit" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
stop_first() { exec 9>&-; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop_first; cleanup' EXIT
for _ in $(seq 1 300); do grep -q '"approval_needed"' "$T/out" && break; sleep 0.05; done
grep -q '"approval_needed"' "$T/out" || { cat "$T/out" "$T/err"; fail "no approval_needed"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
[ -n "$sid" ] || fail "no session id"

# The same folder, a new session: refused, naming the live one.
set +e
"$DESKHAND" run --grant "$G" --json "second" >"$T/out2" 2>"$T/err2"; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a second engine on $G was not refused"
assert_contains "$(cat "$T/err2")" "is in use by session $sid, which deskhand run (pid $pid) runs in the foreground; wait for it: deskhand wait $sid"
assert_not_contains "$(cat "$T/out2")" '"session_started"'

# The same session: refused too.
set +e
"$DESKHAND" run --resume "$sid" --json "more" >"$T/out3" 2>"$T/err3"; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a second engine on session $sid was not refused"
assert_contains "$(cat "$T/err3")" "session $sid is live: deskhand run (pid $pid) runs it in the foreground"
assert_not_contains "$(cat "$T/err3")" "deskhand attach"
# deskhand wait, as advised, reaches it: a foreground run is waited for.
set +e
timeout 2 "$DESKHAND" wait "$sid" >"$T/out5" 2>"$T/err5"; rc=$?
set -e
[ "$rc" = 124 ] || { cat "$T/err5"; fail "wait on the running session exited $rc"; }

# The live one answers and ends; the folder is free: the session resumes.
echo '{"type":"deny","message":"stop"}' >&9
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
grep -q '"session_finished"' "$T/out" || { cat "$T/out" "$T/err"; fail "the live session did not finish"; }
stop_first
"$DESKHAND" run --resume "$sid" --json "again" >"$T/out4" 2>"$T/err4" || { cat "$T/err4"; fail "resume after the live engine exited"; }
assert_not_contains "$(cat "$T/err4")" "in use"
assert_contains "$(cat "$T/out4")" '"session_finished"'
echo ok

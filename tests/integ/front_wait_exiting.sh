# An engine that hangs up before its hello (it is exiting: its task ended and
# nobody is attached) is not live: `wait` answers from the session's record
# instead of failing with "the connection closed before hello". A fake
# engine socket that accepts and closes at once stands for the exiting one.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
id=$("$DESKHAND" run --detach --grant "$G" --mode auto "say done") || fail "run --detach"
"$DESKHAND" wait "$id" >/dev/null 2>&1 || fail "the task failed"
for _ in $(seq 1 100); do [ -e "$SOCKDIR/$id.sock" ] || break; sleep 0.05; done
[ ! -e "$SOCKDIR/$id.sock" ] || fail "the engine did not exit"
python3 - "$SOCKDIR/$id.sock" "$T/ready" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").close()
s.settimeout(20)
try:
    while True:
        c, _ = s.accept()
        c.close()          # hang up before any hello
except OSError:
    pass
PY
HANGUP=$!
trap 'kill $HANGUP 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -e "$T/ready" ] && break; sleep 0.05; done
rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
assert_eq "$rc" 0 "wait on an engine that hangs up before hello: $(cat "$T/w")"
assert_not_contains "$(cat "$T/w")" "closed before hello"
echo ok

# `deskhand undo` run from a shell while the session is live is carried out by
# the live engine, never by the shell's process: a client attached to the
# engine's socket receives the "review" event, and the file is back.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"; printf 'old\n' > "$G/a.txt"
# The agent rewrites a.txt, then its next model turn hangs: the session stays
# live (working) as long as we like.
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "rewrite a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "new\n"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script.json"
id=$("$DESKHAND" run --detach --grant "$G" --mode auto --approve-plan "rewrite a") \
  || fail "run --detach failed"
for _ in $(seq 1 200); do [ "$(cat "$G/a.txt")" = new ] && break; sleep 0.05; done
assert_eq "$(cat "$G/a.txt")" new "the agent's write"
# wait for the checkpoint of that write: `deskhand log` lists it
for _ in $(seq 1 200); do "$DESKHAND" log "$id" 2>/dev/null | grep -q write_file && break; sleep 0.05; done
wait_state "$id" working

# A raw client on the socket: hello, then every line it receives into a file.
python3 - "$SOCKDIR/$id.sock" "$T/client.out" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"type":"hello","protocol":1,"client":"test"}\n')
s.settimeout(30)
with open(sys.argv[2], "wb", buffering=0) as out:
    end = time.time() + 30
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        out.write(b)
PY
cpid=$!
for _ in $(seq 1 200); do grep -q '"history_end"' "$T/client.out" 2>/dev/null && break; sleep 0.05; done
grep -q '"history_end"' "$T/client.out" || { kill $cpid; fail "the raw client got no history_end"; }
# ls counts the attached client (not its own connection)
assert_eq "$("$DESKHAND" ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .clients')" 1

rc=0; out=$("$DESKHAND" undo --session "$id" 2>&1) || rc=$?
assert_eq "$rc" 0 "undo on the live session: $out"
assert_eq "$(cat "$G/a.txt")" old "a.txt after the live undo"
for _ in $(seq 1 100); do grep -q '"type":"review"' "$T/client.out" && break; sleep 0.05; done
r=$(grep '"type":"review"' "$T/client.out" | tail -1)
[ -n "$r" ] || { kill $cpid; fail "the attached client saw no review event: $(cat "$T/client.out" | tail -5)"; }
assert_eq "$(jq -r '.op + " " + (.ok|tostring)' <<<"$r")" "undo true"
assert_contains "$out" "$(jq -r .message <<<"$r" | head -1)"
# redo and an accept go the same way
rc=0; out=$("$DESKHAND" redo --session "$id" 2>&1) || rc=$?
assert_eq "$rc" 0 "redo on the live session: $out"
assert_eq "$(cat "$G/a.txt")" new "a.txt after the live redo"
for _ in $(seq 1 100); do [ "$(grep -c '"type":"review"' "$T/client.out")" -ge 2 ] && break; sleep 0.05; done
assert_eq "$(grep '"type":"review"' "$T/client.out" | tail -1 | jq -r .op)" redo
# reading verbs read beside the live engine (no lock, no recording)
rc=0; out=$("$DESKHAND" review --session "$id" 2>&1) || rc=$?
assert_eq "$rc" 0 "review on the live session: $out"
assert_contains "$out" "a.txt"
# accept of a path: the engine's answer, seen by the attached client too
rc=0; out=$("$DESKHAND" accept --session "$id" --json a.txt 2>&1) || rc=$?
assert_eq "$rc" 0 "accept on the live session: $out"
assert_eq "$(jq -r '.type + " " + .op + " " + (.ok|tostring)' <<<"$out")" "review accept true"
for _ in $(seq 1 100); do [ "$(grep -c '"type":"review"' "$T/client.out")" -ge 3 ] && break; sleep 0.05; done
assert_eq "$(grep '"type":"review"' "$T/client.out" | tail -1 | jq -r .op)" accept
rc=0; out=$("$DESKHAND" review --session "$id" 2>&1) || rc=$?
assert_not_contains "$out" "a.txt"
# a conflict is exit 3: a.txt changed after the agent's (redone) write
printf 'mine\n' > "$G/a.txt"
rc=0; out=$("$DESKHAND" undo --session "$id" 2>&1) || rc=$?
assert_eq "$rc" 3 "undo over someone else's change: $out"
assert_eq "$(cat "$G/a.txt")" mine "a refused undo wrote a.txt"
cdir=$(grep -o '/tmp/deskhand-conflict-[A-Za-z0-9]*' <<<"$out" | head -1)
[ -n "$cdir" ] && [ -d "$cdir" ] || fail "the conflict names no directory of versions: $out"
rm -rf "$cdir"
# undo --to is a restore, and --force goes with it
rc=0; out=$("$DESKHAND" undo --session "$id" --to baseline --force 2>&1) || rc=$?
assert_eq "$rc" 0 "undo --to baseline --force on the live session: $out"
assert_eq "$(cat "$G/a.txt")" old "a.txt after undo --to baseline"
for _ in $(seq 1 100); do grep '"type":"review"' "$T/client.out" | tail -1 | grep -q restore && break; sleep 0.05; done
assert_eq "$(grep '"type":"review"' "$T/client.out" | tail -1 | jq -r '.op + " " + (.ok|tostring)')" "restore true"
# an error is the engine's answer too, with exit 1
rc=0; out=$("$DESKHAND" reject --session "$id" /etc/passwd 2>&1) || rc=$?
assert_eq "$rc" 1 "reject outside the grants: $out"
assert_contains "$out" "outside the granted folders"
# the session is still working: the verbs did not stop it
wait_state "$id" working 20
kill $cpid 2>/dev/null || true
"$DESKHAND" stop "$id" >/dev/null

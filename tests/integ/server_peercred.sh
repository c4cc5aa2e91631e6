# Connections from another uid are refused. Run as root: a process made uid
# 65534 with setpriv cannot reach the socket through the 0700 directory; with
# the directory and socket opened up (only here, by the test) it connects, but
# the engine checks SO_PEERCRED, closes the connection before any byte, logs
# the refusal and keeps serving its own uid. An engine refuses to start on a
# socket directory that others can enter or that someone else owns.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (to run a client as another uid)"
command -v setpriv >/dev/null || skip "no setpriv"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 (one any uid may run)"
export DESKHAND
G=$T/work; mkdir -p "$G"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
export ANTHROPIC_API_KEY=test-key-123
ready=$(python3 "$PY" spawn --grant "$G") || fail "spawn: $ready"
name=$(basename "$(ls "$D"/new-*.sock)" .sock)
epid=${name#new-}
sock=$D/$name.sock
# the client as uid 65534: prints what happened
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect-error", e.errno); sys.exit()
try:
    s.sendall(b"{\"type\":\"hello\",\"protocol\":1,\"client\":\"intruder\"}\n")
except OSError as e:
    pass
try:
    data = s.recv(65536)
except OSError as e:
    print("recv-error", e.errno); sys.exit()
print("eof" if not data else "got " + data.decode(errors="replace")[:200])
' "$sock"
}
# 1. the directory is 0700: not even reachable
r=$(as_nobody)
assert_eq "$r" "connect-error 13" "connect through the 0700 directory"
# 2. opened up (test only): connects, but the engine hangs up at once
chmod 711 "$T" "$XDG_RUNTIME_DIR" "$D"
chmod 777 "$sock"
r=$(as_nobody)
chmod 700 "$D" "$XDG_RUNTIME_DIR" "$T"
chmod 600 "$sock"
case $r in eof|"recv-error 104") ;; *) fail "another uid got: $r" ;; esac
kill -0 "$epid" || fail "the engine died"
LOG=$XDG_STATE_HOME/deskhand/log
for _ in $(seq 1 40); do grep -q "refused a connection from uid 65534" "$LOG" && break; sleep 0.05; done
assert_file_contains "$LOG" "refused a connection from uid 65534"
# our own uid is still served
python3 - "$name" <<'PY' || fail "own uid not served"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "owner")
assert h["type"] == "hello" and h["state"]["clients"] == 1 and h["session"] is None, h
PY
# 3. a socket directory others can enter, or owned by someone else: refused
chmod 755 "$D"
r=$(python3 "$PY" spawn --grant "$G") && fail "an engine started on a 0755 socket dir: $r"
assert_contains "$r" "socket directory $D: mode 0755 lets others in"
chmod 700 "$D"
chown 65534 "$D"
r=$(python3 "$PY" spawn --grant "$G") && fail "an engine started on someone else's socket dir: $r"
assert_contains "$r" "owned by uid 65534"
chown 0 "$D"
# the first engine had a client and no task: it exited when the owner left
for _ in $(seq 1 100); do kill -0 "$epid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$epid" 2>/dev/null || fail "engine with no task still running after its client left"
[ -z "$(ls "$D")" ] || fail "left in the socket dir: $(ls "$D")"
echo ok

# A host Unix socket the sandbox can see (a read-only path outside the
# hidden directories) cannot be connected to from inside: socket(AF_UNIX)
# is refused; socketpair(2) still works for a command's own plumbing.
. "$DH_TESTS/lib.sh"
bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null || skip "bwrap cannot create namespaces here"
D=$(mktemp -d /opt/dhsock.XXXXXX 2>/dev/null || mktemp -d /var/lib/dhsock.XXXXXX) || skip "no visible place for a host socket"
trap 'rm -rf "$D"; cleanup' EXIT
W=$T/work; mkdir -p "$W"
python3 - "$D/host.sock" "$T/hits" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); s.settimeout(6)
try:
    c, _ = s.accept(); open(sys.argv[2], "a").write("CONNECTED\n"); c.sendall(b"HOST-SECRET"); c.close()
except OSError:
    pass
PY
srv=$!
for _ in $(seq 1 100); do [ -S "$D/host.sock" ] && break; sleep 0.05; done
out=$("$SANDBOX" --rw "$W" --timeout 5 -- python3 -c '
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print("GOT", s.recv(64))
except OSError as e:
    print("refused:", e.errno)
a, b = socket.socketpair(); a.sendall(b"pair-ok"); print(b.recv(16).decode())' "$D/host.sock" 2>&1) || true
echo "$out"
kill $srv 2>/dev/null || true; wait $srv 2>/dev/null || true
assert_not_contains "$out" "HOST-SECRET"
assert_contains "$out" "refused: 97"      # EAFNOSUPPORT
assert_contains "$out" "pair-ok"
[ ! -s "$T/hits" ] || fail "the host socket accepted a connection from the sandbox"
echo ok

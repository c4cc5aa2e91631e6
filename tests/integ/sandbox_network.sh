#!/usr/bin/env bash
# No network: a listener on the host's 127.0.0.1 and a public address are unreachable from
# inside (own empty netns with only lo), and the listener never sees a connection.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

# Host listener on a free loopback port; it records every accepted connection.
python3 - "$T/port" "$T/accepted" >"$T/listener.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, a = s.accept(); open(sys.argv[2], "a").write("accepted %s\n" % (a,)); c.close()
PY
FAKE_PID=$!   # lib.sh's cleanup kills it
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port" 2>/dev/null) || fail "listener did not start"
# sanity: the listener is reachable from the host
python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$port"
for _ in $(seq 1 40); do [ -s "$T/accepted" ] && break; sleep 0.05; done
assert_file_contains "$T/accepted" accepted
: > "$T/accepted"

rc=0
out=$("$SANDBOX" --rw "$W" -- bash -c '
  port=$1
  (echo hi > /dev/tcp/127.0.0.1/$port) 2>/dev/null && echo CONNECTED-bash-loopback
  timeout 3 bash -c "echo hi > /dev/tcp/1.1.1.1/53" 2>/dev/null && echo CONNECTED-bash-public
  python3 - "$port" <<"PY"
import socket, sys
for host, p in (("127.0.0.1", int(sys.argv[1])), ("1.1.1.1", 53), ("1.1.1.1", 443), ("::1", int(sys.argv[1]))):
    try:
        socket.create_connection((host, p), 2).close(); print("CONNECTED", host, p)
    except OSError as e:
        print("refused", host, p, e.errno)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"x", ("1.1.1.1", 53)); print("SENT-udp")
except OSError as e:
    print("udp refused", e.errno)
try:
    socket.getaddrinfo("example.com", 443); print("RESOLVED")
except OSError as e:
    print("dns failed")
PY
  echo ifaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " ")' sh "$port" 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_not_contains "$out" CONNECTED
assert_not_contains "$out" SENT-udp
assert_not_contains "$out" RESOLVED
assert_contains "$out" "refused 1.1.1.1 53"
assert_contains "$out" "ifaces: lo"
assert_eq "$(grep ifaces: <<<"$out")" "ifaces: lo"
sleep 0.2
[ ! -s "$T/accepted" ] || fail "host listener accepted a connection from the sandbox: $(cat "$T/accepted")"
echo ok

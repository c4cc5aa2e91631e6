# deskhand-sandbox --proxy-fd: the listener made inside the sandbox's network
# namespace arrives over SCM_RIGHTS before the command runs; the command sees
# HTTP(S)_PROXY pointing at it and reaches us only through it; the socket is
# not in the host's network namespace; neither it nor the --proxy-fd socket
# leaks into the command. Without --proxy-fd nothing of this exists.
. "$DH_TESTS/lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap_or_skip
W=$T/work; mkdir -p "$W"
out=$(python3 - "$SANDBOX" "$W" <<'PY'
import array, socket, subprocess, sys
sbx, w = sys.argv[1], sys.argv[2]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
cmd = r'''env | grep -i _proxy | sort; ls /proc/self/fd | tr '\n' ' '; echo
curl -sS -m 5 http://example.com/through-proxy; echo curl=$?'''
p = subprocess.Popen([sbx, "--rw", w, "--proxy-fd", str(b.fileno()), "--", "sh", "-c", cmd],
                     pass_fds=[b.fileno()], stdout=subprocess.PIPE, text=True)
b.close()
msg, anc, _, _ = a.recvmsg(4, socket.CMSG_SPACE(4))
fds = array.array("i")
for lvl, typ, data in anc:
    if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[:4])
print("message", msg, len(fds))
l = socket.socket(fileno=fds[0]); l.setblocking(True)
print("listener", l.getsockname())
# The host's loopback has no such listener: it lives in the sandbox's netns.
try:
    socket.create_connection(("127.0.0.1", l.getsockname()[1]), 1).close(); print("HOST-REACHED")
except OSError:
    print("host: not reachable")
c, _ = l.accept()
print("request", c.recv(200).split(b"\r\n")[0].decode())
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nproxy\n")
c.close()
print(p.stdout.read())
print("exit", p.wait())
PY
)
echo "$out"
assert_contains "$out" "message b'L' 1"
assert_contains "$out" "listener ('127.0.0.1', 3128)"
assert_contains "$out" "request GET http://example.com/through-proxy HTTP/1.1"
assert_contains "$out" "proxy"
assert_contains "$out" "curl=0"
assert_contains "$out" "HTTP_PROXY=http://127.0.0.1:3128"
assert_contains "$out" "https_proxy=http://127.0.0.1:3128"
assert_contains "$out" "NO_PROXY="
assert_contains "$out" "exit 0"
# only 0, 1, 2 (and ls's own directory fd) in the command
assert_eq "$(grep -E '^[0-9 ]+$' <<<"$out" | tr -s ' ' | sed 's/ $//')" "0 1 2 3"
[[ "$out" != *HOST-REACHED* ]] || fail "the in-sandbox listener was reachable from the host"
# Whatever number the caller's socket has: at 5, between the helper's fixed fds (3, 4, 6),
# it leaked into the command before, in both modes. The ready pipe's end is at 21.
out=$(python3 - "$SANDBOX" "$W" <<'PY'
import os, socket, subprocess, sys
sbx, w = sys.argv[1], sys.argv[2]
def at(fd, num):
    if fd != num:
        os.dup2(fd, num); os.close(fd)
    return num
for mode in ("supervised", "exec"):
    for num in (5, 9):
        r, wr = os.pipe()
        r, wr = at(r, 20), at(wr, 21)
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        a = socket.socket(fileno=at(a.detach(), 22))
        b = at(b.detach(), num)
        extra = ["--exec", "--ready-fd", "21"] if mode == "exec" else []
        p = subprocess.Popen([sbx, "--rw", w, "--proxy-fd", str(num)] + extra +
                             ["--", "sh", "-c", "ls /proc/self/fd | tr '\\n' ' '"],
                             pass_fds=[num, 21], stdout=subprocess.PIPE, text=True)
        os.close(num); os.close(21)
        a.recvmsg(4, socket.CMSG_SPACE(4))
        print(mode, num, p.stdout.read().strip(), "exit", p.wait())
        p.stdout.close(); os.close(r); a.close()
PY
)
for m in "supervised 5" "supervised 9" "exec 5" "exec 9"; do
  assert_contains "$out" "$m 0 1 2 3 exit 0"
done
# without --proxy-fd: no proxy variables, no network
out=$("$SANDBOX" --rw "$W" -- sh -c 'env | grep -ci _proxy; curl -sS -m 3 http://example.com/ 2>&1; echo curl=$?')
assert_eq "$(head -1 <<<"$out")" 0
assert_contains "$out" "curl=6" # no proxy, and DNS fails
# --proxy-fd must be a socket
rc=0; "$SANDBOX" --rw "$W" --proxy-fd 0 -- true 2>"$T/e" || rc=$?
assert_eq "$rc" 125
# The listener cannot be sent (the caller's end is closed): setup failed, 125, and the
# command never ran, in the supervising mode and in run_command's exec mode (no ready byte).
out=$(python3 - "$SANDBOX" "$W" <<'PY'
import os, socket, subprocess, sys
sbx, w = sys.argv[1], sys.argv[2]
for mode in ("supervised", "exec"):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    a.close()
    r, wr = os.pipe()
    extra = ["--exec", "--ready-fd", str(wr)] if mode == "exec" else []
    p = subprocess.run([sbx, "--rw", w, "--proxy-fd", str(b.fileno())] + extra +
                       ["--", "sh", "-c", "echo COMMAND-RAN; touch ran-" + mode],
                       pass_fds=[b.fileno(), wr], capture_output=True, text=True)
    b.close(); os.close(wr)
    ready = os.read(r, 1); os.close(r)
    print(mode, "rc", p.returncode, "ready", ready, "out", p.stdout.strip() or "-",
          "err", p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "-")
PY
)
echo "$out"
assert_contains "$out" "supervised rc 125 ready b'' out - err deskhand-sandbox: bwrap could not set up"
assert_contains "$out" "exec rc 125 ready b'' out - err deskhand-sandbox: proxy listener: sending the listener:"
assert_contains "$out" "supervised rc 125 ready b'' out -"
[ ! -e "$W/ran-supervised" ] && [ ! -e "$W/ran-exec" ] || fail "the command ran without its proxy listener"
echo ok

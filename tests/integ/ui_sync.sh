# Synchronized output (mode 2026): the workbench asks with DECRQM at start and
# never waits; when the reply says "supported" each frame is wrapped in
# CSI ?2026h / CSI ?2026l, the reply never reaches the keymap (its '?' would
# open the help), and with no reply nothing is wrapped and keys still work.
. "$DH_TESTS/lib.sh"
mkdir -p "$T/work"
cat > "$T/sync_pty.py" <<'PY'
import os, pty, select, signal, struct, sys, fcntl, termios, time
reply = sys.argv[1] == "reply"
env = dict(os.environ, TERM="xterm-256color", ESCDELAY="25", ANTHROPIC_API_KEY="x",
           ANTHROPIC_BASE_URL="http://127.0.0.1:9")
pid, fd = pty.fork()
if pid == 0:
    os.execve(sys.argv[2], [sys.argv[2], "--grant", sys.argv[3]], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
def rd(t):
    end, out = time.time() + t, b""
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out
first = rd(1.0)
assert b"\x1b[?2026$p" in first, "no DECRQM query"
assert b"\x1b[?2026h" not in first, "wrapped before the reply"
if reply:
    os.write(fd, b"\x1b[?2026;2$y")
    after = rd(0.5)
    assert b"keys" not in after, "the reply reached the keymap"
os.write(fd, b"\x1b")      # leave the input line: a frame
after = rd(0.5)
os.write(fd, b"?")         # the help overlay: a frame
after += rd(0.5)
assert b"focus-next" in after or b"Move focus" in after, "no help overlay: %r" % after[-300:]
if reply:
    assert after.count(b"\x1b[?2026h") >= 2 and after.count(b"\x1b[?2026l") >= 2, "frames not wrapped"
    assert after.index(b"\x1b[?2026h") < after.index(b"Move focus") < after.rindex(b"\x1b[?2026l")
else:
    assert b"\x1b[?2026h" not in after, "wrapped without support"
os.write(fd, b"qq")
rd(0.5)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
print("ok", sys.argv[1])
PY
python3 "$T/sync_pty.py" reply "$DESKHAND" "$T/work"
python3 "$T/sync_pty.py" none "$DESKHAND" "$T/work"
echo ok

# An interrupt while load_skill hashes a folder skill again (on the worker)
# ends the turn at once: the call is cancelled, the calls after it are not
# run, and the session finishes "interrupted" without waiting for the
# remaining calls' hashing.
. "$DH_TESTS/lib.sh"
G=$T/work; S=$G/.agents/skills/big; mkdir -p "$S"
printf -- '---\nname: big\ndescription: A big skill.\n---\nBIG-BODY-5150\n' > "$S/SKILL.md"
head -c $((15 << 20)) /dev/urandom > "$S/data.bin"
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
N=100
python3 - "$N" > "$T/script.json" <<'PY'
import json, sys
print(json.dumps({"turns": [
    {"tool_calls": [{"name": "load_skill", "input": {"name": "big"}}] * int(sys.argv[1])},
    {"text": "Done.", "stop_reason": "end_turn"}]}))
PY
start_fake "$T/script.json"
python3 - "$DESKHAND" "$G" "$N" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the interrupt waited for load_skill"; }
import json, os, select, subprocess, sys, time
deskhand, grant, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = subprocess.Popen([deskhand, "run", "--grant", grant, "--json", "--commands", "--approve-plan",
                      "--mode", "auto", "task"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
buf, ok, sent, fin = b"", 0, None, None
t0 = time.monotonic()
while fin is None:
    r, _, _ = select.select([p.stdout], [], [], 0.05)
    if r:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ev = json.loads(line)
            if ev["type"] == "tool_result":
                ok += not ev["is_error"]
                if ok == 3 and sent is None:
                    p.stdin.write(b'{"type":"interrupt"}\n')
                    sent = time.monotonic()
            elif ev["type"] == "session_finished":
                fin, ms = ev, int((time.monotonic() - sent) * 1000) if sent else -1
    if time.monotonic() - t0 > 120:
        p.kill()
        sys.exit("timed out")
p.stdin.close()
rc = p.wait()
print("finished %s %d ms after the interrupt; %d of %d calls ran" % (fin and fin["status"], ms, ok, n))
assert sent is not None, "no load_skill call gave a result"
assert fin["status"] == "interrupted", fin
assert ms < 1000, "the session finished %d ms after the interrupt" % ms
assert ok < n, "every call ran"
PY
cat "$T/py.out" >&2
echo ok

# load_skill hashes a folder skill's every file again (to refuse one changed
# since it was trusted); that runs on the worker, not on the event loop: while
# a turn's load_skill calls of a 15 MiB skill hash it over and over, status
# commands sent meanwhile are answered at once, and every call still gets
# the skill's body and its files.
. "$DH_TESTS/lib.sh"
G=$T/work; S=$G/.agents/skills/big; mkdir -p "$S"
printf -- '---\nname: big\ndescription: A big skill.\n---\nBIG-BODY-5150\n' > "$S/SKILL.md"
head -c $((15 << 20)) /dev/urandom > "$S/data.bin"
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
N=80
python3 - "$N" > "$T/script.json" <<'PY'
import json, sys
print(json.dumps({"turns": [
    {"tool_calls": [{"name": "load_skill", "input": {"name": "big"}}] * int(sys.argv[1])},
    {"text": "Done.", "stop_reason": "end_turn"}]}))
PY
start_fake "$T/script.json"
python3 - "$DESKHAND" "$G" "$N" "$S" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for load_skill"; }
import json, os, select, subprocess, sys, time
deskhand, grant, n, skill = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
p = subprocess.Popen([deskhand, "run", "--grant", grant, "--json", "--commands", "--approve-plan",
                      "--mode", "auto", "task"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
buf, sent, lat, results, during, fin = b"", [], [], [], 0, None
t0 = next_send = time.monotonic()
while True:
    now = time.monotonic()
    if fin is None and now >= next_send:
        p.stdin.write(b'{"type":"status"}\n')
        sent.append(now)
        next_send = now + 0.1
    r, _, _ = select.select([p.stdout], [], [], 0.02)
    if r:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ev = json.loads(line)
            if ev["type"] == "status":
                lat.append(time.monotonic() - sent[len(lat)])
                during += bool(results) and len(results) < n
            elif ev["type"] == "tool_result":
                results.append(ev)
            elif ev["type"] == "session_finished" and fin is None:
                fin = ev
                p.stdin.close()
    if time.monotonic() - t0 > 120:
        p.kill()
        sys.exit("timed out")
rc = p.wait()
ms = sorted(int(x * 1000) for x in lat)
print("%d load_skill calls; %d status replies, %d while they ran; latency ms: median %d, max %d"
      % (len(results), len(ms), during, ms[len(ms) // 2], ms[-1]))
assert rc == 0, "deskhand exited %d" % rc
assert fin and fin["status"] == "done", fin
assert len(results) == n, len(results)
for ev in results:
    assert not ev["is_error"], ev["output"][:300]
    assert "Skill big (%s/SKILL.md)" % skill in ev["output"], ev["output"][:300]
    assert "BIG-BODY-5150" in ev["output"] and "- %s/data.bin" % skill in ev["output"], \
        ev["output"][:300]
assert ms[-1] < 1000, "a status reply took %d ms" % ms[-1]
assert during >= 1, "no status reply came while the calls ran"
PY
cat "$T/py.out" >&2
echo ok

# :instructions before the first task reads the instructions and skills
# (hashing every file of a folder's skills) on the worker, not on the event
# loop: with a trusted 15 MiB folder skill and many :instructions asked at
# once, a status asked after them is answered at once, and every
# instructions reply still lists the skill (the same answer as before).
# So does :trust-skills (skills_trust), which hashes them too.
. "$DH_TESTS/lib.sh"
G=$T/work; S=$G/.agents/skills/big; mkdir -p "$S"
printf -- '---\nname: big\ndescription: A big skill.\n---\nBIG-BODY-5150\n' > "$S/SKILL.md"
head -c $((15 << 20)) /dev/urandom > "$S/data.bin"
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json" # no task is started: the engine needs a provider all the same
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
ready=$(DESKHAND=$DESKHAND python3 "$PY" spawn --grant "$G") || fail "spawn: $ready"
name=$(basename "$(ls "$D"/new-*.sock)" .sock)
DH_TESTS=$DH_TESTS python3 - "$name" "$S" "$G" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for :instructions or skills_trust"; }
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, skill, grant = sys.argv[1:]
n = 80
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "instr")


def burst(op, request):
    """n requests of op (request(i) makes each), then a status: the status
    reply's delay in ms and op's n replies."""
    for i in range(n):
        sc.send(s, request(i))
    t0 = time.monotonic()
    sc.send(s, {"type": "status", "id": "st-" + op})
    got, status_ms, replies, waited = [], None, 0, 0
    while replies < n or status_ms is None:
        ev = r.next(120)
        if ev["type"] == "status" and status_ms is None:
            status_ms = int((time.monotonic() - t0) * 1000)
            waited = replies
        elif ev.get("op") == op:
            replies += 1
            got.append(ev)
    print("status after %d ms, %d of %d %s replies before it" % (status_ms, waited, n, op))
    return status_ms, got


status_ms, got = burst("instructions", lambda i: {"type": "instructions", "id": "i%d" % i})
for ev in got:
    assert ev["type"] == "reply" and ev["ok"], ev
    sk = ev["data"]["skills"]
    assert [k["name"] for k in sk] == ["big"] and sk[0]["dir"] == skill and sk[0]["trusted"], sk
assert status_ms < 1000, "the status reply took %d ms" % status_ms

status_ms, got = burst("skills_trust",
                      lambda i: {"type": "skills_trust", "path": grant, "id": "t%d" % i})
for ev in got:
    assert ev["type"] == "reply" and ev["ok"], ev
    assert ev["message"] == "trusted the skills of %s: the next task offers them" % grant, ev
assert status_ms < 1000, "the status reply took %d ms" % status_ms
PY
cat "$T/py.out" >&2
# Its client gone and no task: the engine exits (waited for, so that none is
# left running when the test ends).
wait_gone "engine .*--grant $G" "the engine, its client gone,"
echo ok

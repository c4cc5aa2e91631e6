# A client that asks to trust a folder's skills and, without waiting for
# the reply, to start the first task: the trust (hashed on the worker) is
# recorded before the task loads the skills, so the task offers them, as
# the requests came.
. "$DH_TESTS/lib.sh"
G=$T/work; S=$G/.agents/skills/big; mkdir -p "$S"
printf -- '---\nname: big\ndescription: A big skill.\n---\nBIG-BODY-5150\n' > "$S/SKILL.md"
head -c $((15 << 20)) /dev/urandom > "$S/data.bin"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
ready=$(DESKHAND=$DESKHAND python3 "$PY" spawn --grant "$G" --approve-plan --mode auto) ||
  fail "spawn: $ready"
name=$(basename "$(ls "$D"/new-*.sock)" .sock)
DH_TESTS=$DH_TESTS python3 - "$name" "$G" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "client"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, grant = sys.argv[1:]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "trust")
sc.send(s, {"type": "skills_trust", "path": grant, "id": "t"})
sc.send(s, {"type": "start", "text": "task", "id": "go"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
trust = [ev for ev in got if ev.get("re") == "t"]
start = [ev for ev in got if ev.get("re") == "go"]
assert trust and trust[0]["ok"], trust
assert start and start[0]["ok"], start
assert got[-1]["status"] == "done", got[-1]
PY
assert_contains "$(jq -r '.body.system[0].text' "$FAKE_LOG" | head -50)" "- big: A big skill."
echo ok

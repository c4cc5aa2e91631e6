# An attaching client's history is read from the transcript on a thread of
# the server's, not on the event loop: with a 100 MiB transcript, a status
# asked by another client while a client attaches is answered at once, and
# the attaching client still gets every record, then history_end, then the
# live events.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json --approve-plan --mode auto task > "$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
TR=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
# The baseline's checkpoint record, again and again before the last record.
python3 - "$TR" > "$T/n" <<'PY'
import json, sys
tr = sys.argv[1]
lines = open(tr).read().splitlines()
ck = [l for l in lines if json.loads(l)["type"] == "checkpoint"]
assert len(ck) == 1, lines
n = (100 << 20) // (len(ck[0]) + 1)
with open(tr, "w") as f:
    f.write("\n".join(lines[:-1]) + "\n")
    f.write((ck[0] + "\n") * n)
    f.write(lines[-1] + "\n")
print(n + 1)
PY
PY=$DH_TESTS/integ/server_client.py
ready=$(DESKHAND=$DESKHAND python3 "$PY" spawn --resume "$sid") || fail "spawn: $ready"
name=$(basename "$(ls "$XDG_RUNTIME_DIR"/deskhand/*.sock)" .sock)
DH_TESTS=$DH_TESTS python3 - "$name" "$(cat "$T/n")" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for a client's history"; }
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, n = sys.argv[1], int(sys.argv[2])
a = sc.connect(name)
sc.send(a, {"type": "hello", "protocol": 1, "client": "ls", "state_only": True})
ra = sc.Lines(a)
assert ra.next()["type"] == "hello"
b = sc.connect(name)
sc.send(b, {"type": "hello", "protocol": 1, "client": "attach"})
time.sleep(0.05)
t0 = time.monotonic()
sc.send(a, {"type": "status", "id": "st"})
while ra.next(120)["type"] != "status":
    pass
status_ms = int((time.monotonic() - t0) * 1000)
# A live event for b, sent while its history may still be read: after it.
# (Another engine's notice: a connection that says no hello.)
o = sc.connect(name)
sc.send(o, {"type": "notice", "session": "other", "status": "done", "summary": "LIVE-7311"})
rb = sc.Lines(b)
assert rb.next(120)["type"] == "hello"
ck, got = 0, None
while True:
    ev = rb.next(120)
    if ev["type"] == "history_end":
        end = ev
        break
    ck += ev["type"] == "checkpoint"
live = rb.next(60)
print("status after %d ms while a client attached; %d checkpoints in its history" % (status_ms, ck))
assert ck == n, (ck, n)
assert live["type"] == "notice" and live["summary"] == "LIVE-7311", live
assert status_ms < 1000, "the status reply took %d ms" % status_ms
PY
cat "$T/py.out" >&2
# Its clients gone and no task: the engine exits (waited for here, so that
# none is left running when the test ends).
wait_gone "engine .*--resume $sid" "the engine, its clients gone,"
echo ok

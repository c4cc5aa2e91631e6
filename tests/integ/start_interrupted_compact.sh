# A compact sent after an interrupt, while the interrupted task is still
# starting or ending, is refused with an error that says why, as a steer or
# start there is (start_interrupted_steer): it is not taken and then
# dropped with the task. A first task (started, interrupted, compacted, all
# in one write: the interrupt ends it at once) and a follow-up (the same
# while its history is read again) both end "interrupted" with no request
# and nothing compacted; the refusal reaches a sender with no id too.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [{"expect": {"last_user_contains": "the last task"}, "text": "Last done.",
            "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS python3 - "$ENGINE_ID" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a compact after an interrupt was not refused"; }
import json, os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = sys.argv[1]
if name == "-":
    name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")

def idle():
    sc.wait_idle(s, r)

def burst(cmds):
    """Send cmds in one write; every event up to session_finished and the
    answer to a status sent behind them."""
    s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in cmds))
    got = r.until(lambda ev: ev["type"] == "session_finished", 60)
    sc.send(s, {"type": "status", "id": "after"})
    return got + r.until(lambda ev: ev.get("re") == "after", 60)

def refused(got, rid):
    a = [ev for ev in got if ev["type"] == "error" and ev.get("re") == rid]
    assert len(a) == 1, "%s was not refused: %s" % (rid, got)
    assert "interrupted" in a[0]["message"], a

for k in ("one", "two"):  # a first task, then a follow-up
    got = burst([{"type": "start", "text": "task " + k, "id": "go-" + k},
                 {"type": "interrupt"},
                 {"type": "compact", "id": "c-" + k},
                 {"type": "compact"}])
    assert [ev for ev in got if ev.get("re") == "go-" + k][0]["ok"], got
    refused(got, "c-" + k)
    refused(got, None)
    fin = [ev for ev in got if ev["type"] == "session_finished"]
    assert fin[-1]["status"] == "interrupted", fin
    assert not [ev for ev in got if ev["type"] == "compacted"], got
    idle()
got = burst([{"type": "start", "text": "the last task", "id": "go3"}])
assert [ev for ev in got if ev["type"] == "session_finished"][-1]["status"] == "done", got
print("ok")
PY
cat "$T/py.out"
# One request, for the last task: nothing was compacted or sent before it.
assert_eq "$(wc -l < "$FAKE_LOG")" "1"
echo ok

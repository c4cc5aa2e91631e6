# Starting a task reads the instructions and skills (hashing every file of
# each granted folder's skills) on the worker, not on the event loop. With
# twelve granted folders each holding a trusted 15 MiB skill, on a live
# engine: a status sent right behind a first `start`, and behind a follow-up
# one, is answered at once; an interrupt sent right behind a third `start`
# ends that task at once, as interrupted, before any request; a `start`
# sent while a task starts steers it (its text joins the task's message);
# and every request's system prompt still lists the skills.
. "$DH_TESTS/lib.sh"
N=12
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
# The checkpoints leave the big files out: only the skills' hashing is slow.
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF'
{"turns": [{"text": "One done.", "stop_reason": "end_turn"},
           {"text": "Two done.", "stop_reason": "end_turn"}]}
EOF
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
ready=$(DESKHAND=$DESKHAND python3 "$PY" spawn "${grants[@]}" --approve-plan --mode auto) ||
  fail "spawn: $ready"
name=$(basename "$(ls "$D"/new-*.sock)" .sock)
DH_TESTS=$DH_TESTS python3 - "$name" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for the task's skills"; }
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = sys.argv[1]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "start")

def idle():
    sc.wait_idle(s, r)

def start(task, then, timeout=120):
    """Send start and right behind it `then`; returns (ms to the answer to
    `then`, ms to session_finished, every event up to it)."""
    t0 = time.monotonic()
    sc.send(s, {"type": "start", "text": task, "id": "go-" + task})
    for c in then:
        sc.send(s, c)
    got, then_ms, fin_ms = [], None, None
    while fin_ms is None:
        ev = r.next(timeout)
        got.append(ev)
        ms = int((time.monotonic() - t0) * 1000)
        if then_ms is None and ev.get("re") == then[0]["id"]:
            then_ms = ms
        if then_ms is None and then[0]["type"] == "interrupt" and ev["type"] == "session_finished":
            then_ms = ms
        if ev["type"] == "session_finished":
            fin_ms = ms
    go = [ev for ev in got if ev.get("re") == "go-" + task]
    assert go and go[0]["ok"], go
    return then_ms, fin_ms, got

st1, fin1, got = start("one", [{"type": "status", "id": "st1"}])
print("first start: status after %d ms, finished after %d ms" % (st1, fin1))
assert got[-1]["status"] == "done", got[-1]
assert [ev for ev in got if ev.get("re") == "st1"][0]["type"] == "status"
idle()
st2, fin2, got = start("two", [{"type": "status", "id": "st2"},
                               {"type": "start", "text": "and more", "id": "more"}])
print("follow-up start: status after %d ms, finished after %d ms" % (st2, fin2))
assert got[-1]["status"] == "done", got[-1]
more = [ev for ev in got if ev.get("re") == "more"]
assert more and more[0]["ok"] and more[0]["message"] == "steered the running task", more
idle()
x, fin3, got = start("three", [{"type": "interrupt", "id": "x"}])
print("interrupted start: finished after %d ms" % fin3)
assert got[-1]["status"] == "interrupted", got[-1]
assert not [ev for ev in got if ev.get("re") == "x"], "the interrupt was refused"
# Against the time the skills take here (a loaded machine is slower at
# both): read on the loop, a status waits for all of them, an interrupt
# for all of them too; off it, for none, and for one folder's at most.
assert st1 < max(200, fin1 / 3) and st2 < max(200, fin2 / 3), \
    "a status reply took %d / %d ms (the tasks %d / %d ms)" % (st1, st2, fin1, fin2)
assert fin3 < max(400, fin2 / 3), "the interrupted start took %d ms to end (a task %d ms)" % (fin3, fin2)
PY
cat "$T/py.out" >&2
# Two requests (one, two with the steer): none for the interrupted task.
assert_eq "$(wc -l < "$FAKE_LOG")" "2"
for k in 1 2; do
  sys=$(sed -n "${k}p" "$FAKE_LOG" | jq -r '.body.system[0].text')
  for i in $(seq $N); do assert_contains "$sys" "- big$i: Big skill $i."; done
done
# once each: the follow-up's own "task" records, read back with its
# history, are not sent again as pending
last=$(sed -n 2p "$FAKE_LOG" | jq -r '[.body.messages[-1].content[] | select(.type=="text") | .text] | join("|")')
assert_contains "$last" "two|and more"
msgs=$(sed -n 2p "$FAKE_LOG" | jq -c '.body.messages')
assert_eq "$(grep -o '"two"' <<<"$msgs" | wc -l)" 1 "the follow-up, sent"
assert_eq "$(grep -o 'and more' <<<"$msgs" | wc -l)" 1 "the steer, sent"
echo ok

# A steer, and a start taken as one, sent while a follow-up starts whose
# start then fails (here a rule every session refuses, added to the
# person's config between tasks) were told as taken: when the start fails,
# each is said not sent, with its text, and the next task's request does
# not carry them as if the failed task had seen them. Before, they were
# dropped with the task without a word: the person had been told the
# steer was taken and its text was nowhere.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "${cfg%/*}"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "First done.", "stop_reason": "end_turn"},
 {"expect": {"body_contains": "the third task"}, "text": "Third done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS CFG=$cfg python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the steers of a failed start were not said"; }
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.run_task(s, r, "the first task")
with open(os.environ["CFG"], "w") as f:
    f.write("allow web_fetch(x)\n")
s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in [
    {"type": "start", "text": "the failed task", "id": "go2"},
    {"type": "steer", "text": "a steer for it", "id": "st2"},
    {"type": "start", "text": "a start taken as a steer", "id": "go2b"}]))
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
print(json.dumps(got))
assert got[-1]["status"] == "failed", got[-1]
assert [ev for ev in got if ev.get("re") == "go2"][0]["ok"], got
assert [ev for ev in got if ev.get("re") == "go2b"][0]["ok"], got
errs = [ev["message"] for ev in got if ev["type"] == "error"]
for t in ("a steer for it", "a start taken as a steer"):
    said = [m for m in errs if t in m]
    assert len(said) == 1 and "not sent" in said[0], (t, errs)
sc.wait_idle(s, r)
os.unlink(os.environ["CFG"])
sc.send(s, {"type": "start", "text": "the third task", "id": "go3"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
print("ok")
PY
assert_eq "$(wc -l < "$FAKE_LOG")" "2"
body=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages')
assert_contains "$body" "the third task"
for t in "the failed task" "a steer for it" "a start taken as a steer"; do
  assert_not_contains "$body" "$t"
done
echo ok

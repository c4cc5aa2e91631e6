# With every folder taken back (ungrant), a review action has nothing to
# act on and says so: `restore baseline` answered ok ("restored") of no
# folder.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto "Write"
id=$ENGINE_ID
python3 - "$id" "$G" <<'PY' || fail "client checks failed"
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid, g = sys.argv[1], sys.argv[2]
a = sc.connect(sid)
h, hist, end, ra = sc.hello(a, "a")
if not any(e["type"] == "session_finished" for e in hist):
    ra.until(lambda e: e["type"] == "session_finished", 30)
# ungrant waits for the last snapshot jobs: asked again until it is done
for i in range(100):
    sc.send(a, {"type": "ungrant", "path": g, "id": "u%d" % i})
    u = ra.until(lambda e: e.get("re") == "u%d" % i, 10)[-1]
    if u["ok"]:
        break
    assert "snapshot jobs are still running" in u["message"], u
    time.sleep(0.05)
assert u["ok"], u
sc.send(a, {"type": "restore", "checkpoint": "baseline", "id": "r1"})
r = ra.until(lambda e: e.get("re") == "r1", 10)[-1]
assert r["type"] == "review" and r["ok"] is False, r
assert "no folder is granted" in r["message"], r
a.close()
PY
assert_eq "$(cat "$G/c.txt")" C "the file after the refused restore"
echo ok

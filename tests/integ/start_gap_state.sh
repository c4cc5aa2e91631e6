# While a task starts (its instructions and skills are read on a worker and
# its agent is not made yet), a client that attaches is told the state
# "starting", as a status command's phase says, and so does `deskhand ls`;
# for a first task and for a follow-up. Before, hello and ls said "working"
# while status said "starting".
. "$DH_TESTS/lib.sh"
N=12
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "One done.", "stop_reason": "end_turn"},
           {"text": "Two done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
engine_spawn "${grants[@]}" --approve-plan --mode auto
DESKHAND=$DESKHAND DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the start gap was not said as starting"; }
import json, os, subprocess, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")

for k in ("one", "two"):  # a first task, then a follow-up
    sc.send(s, {"type": "start", "text": "task " + k, "id": "go-" + k})
    got = r.until(lambda ev: ev.get("re") == "go-" + k, 30)
    assert got[-1]["ok"], got
    # attached while the task starts
    # the socket is named after the session once the session exists
    name2 = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
    s2 = sc.connect(name2)
    h2, _, _, r2 = sc.hello(s2, "late")
    sc.send(s2, {"type": "status", "id": "st"})
    st = r2.until(lambda ev: ev.get("re") == "st", 30)[-1]
    ls = json.loads(subprocess.run([os.environ["DESKHAND"], "ls", "--json"], check=True,
                                   capture_output=True, text=True).stdout)
    rest = r.until(lambda ev: ev["type"] == "session_finished", 120)
    print(k, "hello:", h2["state"]["activity"], "status:", st["phase"],
          "ls:", [x["state"] for x in ls])
    assert st["phase"] == "starting", "the task started too fast to test: %s" % st
    assert h2["state"]["activity"] == "starting", h2["state"]
    assert h2["state"]["busy"], h2["state"]
    assert [x["state"] for x in ls] == ["starting"], ls
    assert rest[-1]["status"] == "done", rest[-1]
    s2.close()
    sc.wait_idle(s, r)
print("ok")
PY
cat "$T/py.out"
echo ok

# What the recovery of a killed command takes back is told to the model
# even when the resumed task is interrupted before the recovery is done:
# the interrupted task waits for it (still with no request), so its message
# carries the lines into the history, and the next resume's request has
# them. Before, the task ended at once with a message that did not have
# them, and the engine, stopped then, dropped the lines the recovery had
# taken from the shadow repository: the model was never told.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' > .bashrc; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"body_contains": "removed .bashrc, a protected path the interrupted call toolu_killed created"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
# Changes the recovery records (hashed and compressed into its checkpoint):
# it outlasts the start and the interrupt sent right after the hello.
mkdir -p "$G/data"
for i in $(seq 1 60); do head -c $((900 << 10)) /dev/urandom > "$G/data/f$i.bin"; done
n=$(wc -l < "$FAKE_LOG")
engine_spawn --resume "$sid" --mode auto
DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the interrupted resume did not wait for its recovery"; }
import json, os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in [
    {"type": "start", "text": "go on", "id": "go"},
    {"type": "status", "id": "st"},
    {"type": "interrupt"}]))
got = r.until(lambda ev: ev["type"] == "session_finished", 120)
st = [ev for ev in got if ev.get("re") == "st"]
assert st and st[0]["phase"] == "starting", got
rec = [i for i, ev in enumerate(got) if ev["type"] == "review" and ev.get("op") == "recover"]
print([ev["type"] for ev in got])
assert rec, "no recovery report before the end: %s" % got
assert "removed .bashrc" in got[rec[0]]["message"], got[rec[0]]
# the task's message (session_started comes with it) waited for the recovery
began = [i for i, ev in enumerate(got) if ev["type"] == "session_started"]
assert began and began[0] > rec[0], "the task began before its recovery was done"
assert got[-1]["status"] == "interrupted", got[-1]
# the engine stops: what it had not written is lost with it
pid = h["state"]["pid"]
os.kill(pid, signal.SIGTERM)
for _ in range(600):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(0.05)
else:
    sys.exit("the engine did not exit on SIGTERM")
print("ok")
PY
cat "$T/py.out"
assert_eq "$(wc -l < "$FAKE_LOG")" "$n" "requests of the interrupted resume"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
# The next resume's request tells the model.
"$DESKHAND" run --resume "$sid" --mode auto "again" > "$T/r2" 2>"$T/e2" ||
  { cat "$T/r2" "$T/e2"; fail "the resume after the interrupted one failed (the model was not told?)"; }
assert_contains "$(cat "$T/r2")" "Resumed and done."
echo ok

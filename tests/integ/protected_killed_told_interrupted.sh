# What the recovery of a killed command takes back is told to the model
# even when the resumed task is interrupted while it starts, before its
# first request: the lines the recovery had read go with that task's
# message into the history (and the shadow repository forgets them), and
# the next resume's request carries them. Before, they were kept only in
# the engine for a next task that never came there: the model was never
# told. The recovery is done before the task starts (the engine's status
# says no job is left), and the start and the interrupt come in one write:
# the task is interrupted while it starts, whatever the machine's load.
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
n=$(wc -l < "$FAKE_LOG")
engine_spawn --resume "$sid" --mode auto
DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the resume interrupted while it started"; }
import json, os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.wait_idle(s, r)  # the recovery (posted before the engine listened) is done
s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in [
    {"type": "start", "text": "go on", "id": "go"},
    {"type": "status", "id": "st"},
    {"type": "interrupt"}]))
got = r.until(lambda ev: ev["type"] == "session_finished", 120)
st = [ev for ev in got if ev.get("re") == "st"]
assert st and st[0]["phase"] == "starting", got
assert got[-1]["status"] == "interrupted", got[-1]
sc.wait_idle(s, r)
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
# The interrupted task's message carried the lines into the history.
assert_contains "$(jq -c 'select(.type=="history")' "$ENGINE_TR")" \
  "removed .bashrc, a protected path the interrupted call toolu_killed created"
# The next resume's request tells the model.
"$DESKHAND" run --resume "$sid" --mode auto "again" > "$T/r2" 2>"$T/e2" ||
  { cat "$T/r2" "$T/e2"; fail "the resume after the interrupted one failed (the model was not told?)"; }
assert_contains "$(cat "$T/r2")" "Resumed and done."
echo ok

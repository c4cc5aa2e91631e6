# What the recovery of a killed command takes back is told to the model
# even when the engine that recovered closes before any task starts (a
# `deskhand attach` on the dead session, quit at once): the lines stay in
# the shadow repository until a task's message carries them, and the next
# resume's first request has them. Before, that engine took them from the
# shadow repository and dropped them when it closed: the model was never
# told.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' > .bashrc; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "removed .bashrc, a protected path the interrupted call toolu_killed created"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
n=$(wc -l < "$FAKE_LOG")
# An engine on the session, with no task: it recovers, then it is closed.
engine_spawn --resume "$sid" --mode auto
DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the engine with no task did not recover or close"; }
import os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.wait_idle(s, r)  # the recovery is done
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
assert_eq "$(wc -l < "$FAKE_LOG")" "$n" "requests of the engine with no task"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
untold() { find "$XDG_STATE_HOME" -name "deskhand-untold-$sid" | wc -l; }
assert_eq "$(untold)" 1 "the recovery's lines kept for the model"
# The next resume's first request tells the model.
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/r2" 2>"$T/e2" ||
  { cat "$T/r2" "$T/e2"; fail "the resume after the closed engine failed (the model was not told?)"; }
assert_contains "$(cat "$T/r2")" "Resumed and done."
# Told once: its message has them, and they are forgotten.
assert_eq "$(untold)" 0 "the recovery's lines kept after the model was told"
echo ok

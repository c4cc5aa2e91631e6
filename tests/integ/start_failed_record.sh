# A task that fails before its agent is made leaves its session recorded
# as failed, with why, not as a "running" session whose engine is gone
# (which reads "interrupted", and `deskhand wait` as killed or crashed):
# a detached run whose audit log cannot be opened (its key readable by
# others) exits 1, and `sessions`, `inbox` and `wait` (exit 1) say failed;
# a follow-up on a live engine whose history cannot be read again ends
# "failed", and so does its record once the engine has exited.
. "$DH_TESTS/lib.sh"
G=$T/work; G2=$T/other; mkdir -p "$G" "$G2"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "First done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
echo junk > "$T/key"; chmod 644 "$T/key"
printf 'set audit = on\nset audit_key = %s\n' "$T/key" > "$T/audit.conf"
rc=0
DH_CONFIG=$T/audit.conf "$DESKHAND" run --detach --grant "$G" "audit task" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "run --detach exit status"
assert_contains "$(cat "$T/err")" "audit log:"
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
assert_contains "$("$DESKHAND" sessions | grep "$sid")" "failed"
assert_contains "$("$DESKHAND" inbox | grep "$sid")" "failed"
assert_contains "$("$DESKHAND" inbox | grep "$sid")" "audit log:"
rc=0; "$DESKHAND" wait "$sid" >"$T/wait.out" 2>"$T/wait.err" || rc=$?
assert_eq "$rc" 1 "wait exit status"
assert_not_contains "$(cat "$T/wait.err")" "killed or crashed"
# A follow-up whose history cannot be read again.
engine_spawn --grant "$G2" --approve-plan --mode auto
DH_TESTS=$DH_TESTS python3 - "$XDG_STATE_HOME/deskhand/sessions" > "$T/py.out" 2>&1 <<'PY' ||
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sessions = sys.argv[1]
# the spawned engine's (the failed run's may still be going away)
for f in os.listdir(sc.sockdir()):
    if f.startswith("new-") and f.endswith(".sock"):
        try:
            s = sc.connect(f[:-5])
            break
        except OSError:
            pass
h, hist, end, r = sc.hello(s, "t")
sc.send(s, {"type": "start", "text": "one", "id": "go1"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
for i in range(600):
    sc.send(s, {"type": "status", "id": "idle%d" % i})
    ev = r.until(lambda ev: ev.get("re") == "idle%d" % i, 60)[-1]
    if ev["pending_jobs"] == 0:
        break
    time.sleep(0.05)
sid = [ev for ev in got if ev["type"] == "session_started"][0]["session"]
tr = os.path.join(sessions, sid, "transcript.jsonl")
os.rename(tr, tr + ".aside")
os.mkdir(tr)
sc.send(s, {"type": "start", "text": "two", "id": "go2"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert [ev for ev in got if ev.get("re") == "go2"][0]["ok"], got
assert got[-1]["status"] == "failed", got[-1]
print(sid)
PY
  { cat "$T/py.out"; fail "the follow-up did not fail"; }
sid2=$(tail -1 "$T/py.out")
for _ in $(seq 1 100); do [ -e "$XDG_RUNTIME_DIR/deskhand/$sid2.sock" ] || break; sleep 0.1; done
[ -e "$XDG_RUNTIME_DIR/deskhand/$sid2.sock" ] && fail "the engine did not exit"
assert_contains "$("$DESKHAND" sessions | grep "$sid2")" "failed"
echo ok

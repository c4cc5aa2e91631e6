# Two follow-ups, each on its own engine killed (kill -9) after the start was
# answered but before the task's message reached the transcript (the start
# waits for the granted folders' skills, hashed on a worker): the second on
# an engine that resumed the session after the first was killed. Resumed
# with a new message, the model is sent both, in the order they were typed,
# once each, before that message. Before, only the last "task" record came
# back: the first follow-up's text never reached the model.
. "$DH_TESTS/lib.sh"
N=4
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF2'
{"turns": [{"text": "First done.", "stop_reason": "end_turn"},
           {"text": "Picked them up.", "stop_reason": "end_turn"}]}
EOF2
start_fake "$T/script.json"
DESKHAND=$DESKHAND DH_TESTS=$DH_TESTS python3 - "${grants[@]}" > "$T/py.out" 2>&1 <<'PY' ||
import os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc

def start_then_kill(s, r, pid, text, re):
    sc.send(s, {"type": "start", "text": text, "id": re})
    sc.send(s, {"type": "status", "id": "st-" + re})
    got = r.until(lambda ev: ev.get("re") == "st-" + re, 30)
    assert [ev for ev in got if ev.get("re") == re][0]["ok"], got
    assert got[-1]["phase"] == "starting", "the follow-up started too fast to test: %s" % got
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)

line, pid = sc.spawn(sys.argv[1:] + ["--approve-plan", "--mode", "auto"])
assert line.startswith("ok"), line
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.send(s, {"type": "start", "text": "the first task", "id": "go1"})
got = r.until(lambda ev: ev["type"] == "session_finished", 120)
assert got[-1]["status"] == "done", got[-1]
sid = [ev for ev in got if ev["type"] == "session_started"][0]["session"]
sc.wait_idle(s, r)
start_then_kill(s, r, pid, "first rename the old reports", "go2")
line, pid = sc.spawn(["--resume", sid])
assert line.startswith("ok"), line
s = sc.connect(sid)
h, hist, end, r = sc.hello(s, "t")
start_then_kill(s, r, pid, "then archive the drafts", "go3")
print("killed twice")
PY
  { cat "$T/py.out"; fail "the engines were not killed while their follow-ups started"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests before the resume"
assert_eq "$(jq -c 'select(.type=="task")' "$tr" | wc -l)" 2 "task records"
assert_not_contains "$(jq -c 'select(.type=="history")' "$tr")" "the old reports"
assert_not_contains "$(jq -c 'select(.type=="history")' "$tr")" "the drafts"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err") || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 2
msgs=$(sed -n 2p "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
assert_eq "$(jq -r '.[-1].role' <<<"$msgs")" user
texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
assert_contains "$texts" "first rename the old reports|then archive the drafts|go on"
assert_eq "$(grep -o 'the old reports' <<<"$msgs" | wc -l)" 1 "the first follow-up, sent"
assert_eq "$(grep -o 'the drafts' <<<"$msgs" | wc -l)" 1 "the second follow-up, sent"
assert_eq "$(jq '[.[] | select(.role=="user")] | length' <<<"$msgs")" 2 "user messages"
echo ok

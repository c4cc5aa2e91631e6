# A steer taken while a task runs (a command runs; the model's answer
# streams, then a command runs), whose engine is then killed (kill -9)
# before a request carried it: resumed with a new message, the model is sent
# the steer once, before that message. Before, the steer was only in the
# dead engine's memory: the person had been told it was taken, and the
# model never saw it. The resume shows the person the steer it sends
# again, a user_message event (it showed nothing of it). Not killed, the steer is sent once too: by the turn
# after the command, and not again by a follow-up or a resume; by the
# session's next task when its own failed before a request carried it.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
plan='{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]}'
cat > "$T/script.json" <<JSON
{"turns": [
 $plan,
 {"text": "Running.", "tool_calls": [{"name": "run_command",
   "input": {"command": "touch ready1 && sleep 30"}}]},
 {"text": "Picked it up.", "stop_reason": "end_turn"},
 $plan,
 {"text": "Thinking it over at length.", "text_step": 4, "text_pause_file": "$T/go2",
  "tool_calls": [{"name": "run_command", "input": {"command": "touch ready2 && sleep 30"}}]},
 {"text": "Picked that up.", "stop_reason": "end_turn"},
 $plan,
 {"text": "Running.", "tool_calls": [{"name": "run_command",
   "input": {"command": "touch ready3; while [ ! -e go3 ]; do sleep 0.05; done"}}]},
 {"text": "Done, with it.", "stop_reason": "end_turn"},
 {"text": "Follow-up done.", "stop_reason": "end_turn"},
 {"text": "Resumed.", "stop_reason": "end_turn"},
 {"text": "Cut short here.", "text_step": 4, "text_pause_file": "$T/go4",
  "stop_reason": "max_tokens"},
 {"text": "Next done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"

# steer ID TEXT [PHASE]: sends a steer to session ID's engine and waits
# until a status sent behind it is answered (the steer was taken; with
# PHASE, the task's phase then).
steer() {
  python3 - "$@" > "$T/steer.out" 2>&1 <<'PY' || { cat "$T/steer.out"; fail "steer '$2' not taken"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "steer")
sc.send(s, {"type": "steer", "text": sys.argv[2], "id": "st"})
sc.send(s, {"type": "status", "id": "ss"})
got = r.until(lambda ev: ev.get("re") == "ss", 30)
assert not [ev for ev in got if ev.get("re") == "st"], got  # taken: no error
if len(sys.argv) > 3:
    assert got[-1].get("phase") == sys.argv[3], got[-1]
s.close()
PY
}

wait_file() {
  for _ in $(seq 1 400); do [ -e "$1" ] && return 0; sleep 0.05; done
  fail "$2"
}

# kill_pid PID: kill -9 an engine, and wait until it is gone (gone
# already: nothing).
kill_pid() {
  kill -9 "$1" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  fail "engine $1 still there"
}

kill_engine() {
  kill_pid "$(cat "$XDG_RUNTIME_DIR/deskhand/$1.pid")"
}

# resumed N STEER: the Nth request, after a resume with "go on": its last
# message has STEER then "go on", and the request has STEER once.
resumed() {
  local msgs texts
  msgs=$(sed -n "$1p" "$FAKE_LOG" | jq -c '.body.messages')
  echo "$msgs"
  texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
  assert_contains "$texts" "$2|go on"
  assert_eq "$(grep -o "$2" <<<"$msgs" | wc -l)" 1 "'$2', sent"
}

# 1. A command runs.
engine_spawn --grant "$G" --approve-plan --mode auto "clean the logs"
id1=$ENGINE_ID
wait_file "$G/ready1" "the first command never ran"
steer "$id1" "keep the newest log" tools
kill_engine "$id1"
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests before the first resume"
"$DESKHAND" run --resume "$id1" --json "go on" > "$T/resume1.out" 2>"$T/err" || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 3
resumed 3 "keep the newest log"
assert_eq "$(jq -r 'select(.type=="user_message").text' "$T/resume1.out")" "keep the newest log" \
  "user_message events of the resume"

# 2. The model's answer streams, then a command runs: the answer, written
# after the steer, does not carry it.
rm -f "$G"/ready*
engine_spawn --grant "$G" --approve-plan --mode auto "tidy the notes"
id2=$ENGINE_ID
wait_requests 5 || fail "the second task's answer never streamed"
steer "$id2" "skip the drafts" stream
touch "$T/go2"
wait_file "$G/ready2" "the second command never ran"
kill_engine "$id2"
"$DESKHAND" run --resume "$id2" --json "go on" > "$T/resume2.out" 2>"$T/err" || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 6
resumed 6 "skip the drafts"
assert_eq "$(jq -r 'select(.type=="user_message").text' "$T/resume2.out")" "skip the drafts" \
  "user_message events of the resume"

# 3. Not killed: the turn after the command carries the steer, once; a
# follow-up and a resume do not send it again.
engine_spawn --grant "$G" --approve-plan --mode auto "sort the photos"
id3=$ENGINE_ID
pid3=$(cat "$XDG_RUNTIME_DIR/deskhand/$id3.pid")
G=$G python3 - "$id3" > "$T/py3.out" 2>&1 <<'PY' || { cat "$T/py3.out"; fail "the steer or the follow-up went wrong"; }
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
G = os.environ["G"]
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "t")
for _ in range(400):
    if os.path.exists(G + "/ready3"):
        break
    time.sleep(0.05)
else:
    sys.exit("the third command never ran")
sc.send(s, {"type": "steer", "text": "by the year taken", "id": "st"})
sc.send(s, {"type": "status", "id": "ss"})
got = r.until(lambda ev: ev.get("re") == "ss", 30)
assert got[-1].get("phase") == "tools", got[-1]
open(G + "/go3", "w").close()
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert not [ev for ev in got if ev.get("re") == "st"], got  # taken: no error
assert got[-1]["status"] == "done", got[-1]
assert [ev["text"] for ev in got if ev["type"] == "user_message"] == ["by the year taken"], got
sc.wait_idle(s, r)
sc.send(s, {"type": "start", "text": "and then the videos", "id": "go"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
s.close()
PY
assert_eq "$(wc -l < "$FAKE_LOG")" 10
for n in 9 10; do
  msgs=$(sed -n "${n}p" "$FAKE_LOG" | jq -c '.body.messages')
  assert_eq "$(grep -o "by the year taken" <<<"$msgs" | wc -l)" 1 "the steer, in request $n"
done
assert_contains "$(sed -n 10p "$FAKE_LOG" | jq -c '.body.messages[-1]')" "and then the videos"
kill_pid "$pid3" # its client left: it may be exiting
"$DESKHAND" run --resume "$id3" --json "go on" > /dev/null 2>"$T/err" || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 11
msgs=$(sed -n 11p "$FAKE_LOG" | jq -c '.body.messages')
assert_eq "$(grep -o "by the year taken" <<<"$msgs" | wc -l)" 1 "the steer, after the resume"

# 4. A steer taken while the answer streams, whose task then fails (the
# answer is cut at max_tokens) with no request carrying it: the session's
# next task sends it, once, before its own message.
engine_spawn --grant "$G" --approve-plan --mode auto "list the backups"
id4=$ENGINE_ID
pid4=$(cat "$XDG_RUNTIME_DIR/deskhand/$id4.pid")
wait_requests 12 || fail "the fourth task's answer never streamed"
T=$T python3 - "$id4" > "$T/py4.out" 2>&1 <<'PY' || { cat "$T/py4.out"; fail "the steer or the next task went wrong"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "t")
sc.send(s, {"type": "steer", "text": "the weekly ones only", "id": "st"})
sc.send(s, {"type": "status", "id": "ss"})
got = r.until(lambda ev: ev.get("re") == "ss", 30)
assert got[-1].get("phase") == "stream", got[-1]
open(os.environ["T"] + "/go4", "w").close()
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "failed", got[-1]
sc.wait_idle(s, r)
sc.send(s, {"type": "start", "text": "then the monthly ones", "id": "go"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
s.close()
PY
kill_pid "$pid4"
assert_eq "$(wc -l < "$FAKE_LOG")" 13
msgs=$(sed -n 13p "$FAKE_LOG" | jq -c '.body.messages')
texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
assert_contains "$texts" "the weekly ones only|then the monthly ones"
assert_eq "$(grep -o "the weekly ones only" <<<"$msgs" | wc -l)" 1 "the steer, sent"
echo ok

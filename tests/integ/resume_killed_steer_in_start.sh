# A steer, and a start taken as one ("steered the running task"), sent while
# a follow-up starts, whose engine is then killed (kill -9) before the
# task's message reached the transcript (the start waits for the granted
# folders' skills, hashed on a worker): resumed with a new message, the
# model is sent the follow-up and both, in the order they were typed, once
# each, before that message. Before, the steers were only in the dead
# engine's memory: the person had been told they were taken, and the model
# never saw them. A new session's first task too: its text comes back from
# its meta.json, the steer's after it. The person is shown what is sent
# again, a user_message event each (none were: `run --json` and an
# attached workbench showed nothing of them).
. "$DH_TESTS/lib.sh"
N=4
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF2'
{"turns": [{"text": "First done.", "stop_reason": "end_turn"},
           {"text": "Picked them up.", "stop_reason": "end_turn"},
           {"text": "Picked it up.", "stop_reason": "end_turn"}]}
EOF2
start_fake "$T/script.json"
DESKHAND=$DESKHAND DH_TESTS=$DH_TESTS python3 - "${grants[@]}" > "$T/py.out" 2>&1 <<'PY' ||
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
line, pid = sc.spawn(sys.argv[1:] + ["--approve-plan", "--mode", "auto"])
assert line.startswith("ok"), line
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.run_task(s, r, "the first task")
got = sc.kill_while_starting(s, r, pid, [
    {"type": "start", "text": "rename the old reports", "id": "go2"},
    {"type": "steer", "text": "keep their dates", "id": "st2"},
    {"type": "start", "text": "and list what you renamed", "id": "go2b"}])
assert [ev for ev in got if ev.get("re") == "go2b"][0]["message"] == "steered the running task", got
print("killed")
PY
  { cat "$T/py.out"; fail "the engine was not killed while its follow-up started"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests before the resume"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err") || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 2
msgs=$(sed -n 2p "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
assert_contains "$texts" "rename the old reports|keep their dates|and list what you renamed|go on"
for t in "the old reports" "their dates" "what you renamed"; do
  assert_eq "$(grep -o "$t" <<<"$msgs" | wc -l)" 1 "'$t', sent"
done
assert_eq "$(jq '[.[] | select(.role=="user")] | length' <<<"$msgs")" 2 "user messages"
assert_eq "$(jq -r 'select(.type=="user_message").text' <<<"$out" | paste -sd'|')" \
  "rename the old reports|keep their dates|and list what you renamed" "user_message events"
# A new session's first task, and a steer sent while it starts.
DESKHAND=$DESKHAND DH_TESTS=$DH_TESTS python3 - "${grants[@]}" > "$T/py2.out" 2>&1 <<'PY' ||
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
line, pid = sc.spawn(sys.argv[1:] + ["--approve-plan", "--mode", "auto"])
assert line.startswith("ok"), line
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.startswith("new-") and f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.kill_while_starting(s, r, pid, [
    {"type": "start", "text": "sort the invoices", "id": "go1"},
    {"type": "steer", "text": "by their due date", "id": "st1"}])
print("killed")
PY
  { cat "$T/py2.out"; fail "the engine was not killed while its first task started"; }
sid2=$(ls "$XDG_STATE_HOME/deskhand/sessions" | grep -vx "$sid")
out=$("$DESKHAND" run --resume "$sid2" --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 3
msgs=$(sed -n 3p "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
assert_contains "$texts" "sort the invoices|by their due date|go on"
assert_eq "$(grep -o 'due date' <<<"$msgs" | wc -l)" 1 "the steer, sent"
assert_eq "$(jq '[.[] | select(.role=="user")] | length' <<<"$msgs")" 1 "user messages"
assert_eq "$(jq -r 'select(.type=="user_message").text' <<<"$out" | paste -sd'|')" \
  "sort the invoices|by their due date" "user_message events"
echo ok

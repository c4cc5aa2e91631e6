# A follow-up task whose engine is killed (kill -9) after the start was
# answered but before the task's message reached the transcript (the start
# waits for the granted folders' skills, hashed on a worker): resumed with a
# new message, the model is sent the follow-up too, before that message.
# Before, the follow-up's text was nowhere on disk and the model never saw it.
# The person is shown it is sent again: a user_message event (there was
# none, and `run --json` showed nothing of it).
. "$DH_TESTS/lib.sh"
N=4
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF2'
{"turns": [{"text": "First done.", "stop_reason": "end_turn"},
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
sc.kill_while_starting(s, r, pid, [
    {"type": "start", "text": "now rename the old reports", "id": "go2"}])
print("killed")
PY
  { cat "$T/py.out"; fail "the engine was not killed while its follow-up started"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests before the resume"
# the kill came before the agent wrote the follow-up's message
assert_not_contains "$(jq -c 'select(.type=="history")' "$tr")" "rename the old reports"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err") || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 2
msgs=$(sed -n 2p "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
assert_eq "$(jq -r '.[-1].role' <<<"$msgs")" user
texts=$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | join("|")' <<<"$msgs")
assert_contains "$texts" "now rename the old reports|go on"
assert_eq "$(jq '[.[] | select(.role=="user")] | length' <<<"$msgs")" 2 "user messages"
assert_eq "$(jq -r 'select(.type=="user_message").text' <<<"$out")" "now rename the old reports" \
  "user_message events"
echo ok

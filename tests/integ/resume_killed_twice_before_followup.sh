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
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
line, pid = sc.spawn(sys.argv[1:] + ["--approve-plan", "--mode", "auto"])
assert line.startswith("ok"), line
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sid = sc.run_task(s, r, "the first task")
sc.kill_while_starting(s, r, pid, [
    {"type": "start", "text": "first rename the old reports", "id": "go2"}])
line, pid = sc.spawn(["--resume", sid])
assert line.startswith("ok"), line
s = sc.connect(sid)
h, hist, end, r = sc.hello(s, "t")
sc.kill_while_starting(s, r, pid, [
    {"type": "start", "text": "then archive the drafts", "id": "go3"}])
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

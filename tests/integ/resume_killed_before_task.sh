# A first task whose engine is killed (kill -9) after its session was
# created but before the task's text reached the transcript (the start waits
# for the granted folders' skills, hashed on the worker): resumed with a new
# message, the model is sent the original task too, as the first user
# message, before that message. Before, its history was empty and the model
# saw only "go on". The person is shown it is sent again: a user_message
# event (there was none).
. "$DH_TESTS/lib.sh"
N=4
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF2'
{"turns": [{"text": "Picked it up.", "stop_reason": "end_turn"}]}
EOF2
start_fake "$T/script.json"
printf 'rename the old reports' > "$T/task"
kill_in_first_start "$T/task" "${grants[@]}"
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -r .task "$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json")" "rename the old reports"
# the kill came before the agent wrote the task's message
assert_eq "$(grep -c '"history"' "$tr")" 0 "history records before the resume"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err") || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 1
msgs=$(head -1 "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
assert_eq "$(jq -r '.[0].role' <<<"$msgs")" user
assert_eq "$(jq -r '[.[0].content[] | select(.type=="text") | .text] | first' <<<"$msgs")" \
  "rename the old reports"
assert_contains "$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | last' <<<"$msgs")" "go on"
assert_eq "$(jq -r 'select(.type=="user_message").text' <<<"$out")" "rename the old reports" \
  "user_message events"
# the repaired history is kept: read back, the session starts with the task
assert_contains "$(jq -c 'select(.type=="history") | .message' "$tr" | head -1)" "rename the old reports"
echo ok

# A first task longer than meta.json keeps (SESSION_TASK_MAX, 4096 bytes),
# whose engine is killed before the task's text reached the transcript: its
# cut lands inside a 4-byte character, so meta.json keeps 4093 bytes and
# "…", 4096 in all, no longer than an uncut task may be. Resumed, the model
# is told the task is cut. Before, only a stored task longer than 4096
# bytes was said to be cut, and this one came back as if whole.
. "$DH_TESTS/lib.sh"
N=4
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'EOF2'
{"turns": [{"text": "Picked it up.", "stop_reason": "end_turn"}]}
EOF2
start_fake "$T/script.json"
# 4093 bytes, then 4-byte characters: byte 4096 is the fourth of the first
python3 -c 'import sys; sys.stdout.buffer.write(("a" * 4093 + "\U0001F600" * 8).encode())' > "$T/task"
assert_eq "$(wc -c < "$T/task")" $((4093 + 32)) "bytes of the task"
kill_in_first_start "$T/task" "${grants[@]}"
meta=$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
want="$(printf 'a%.0s' $(seq 4093))…"
# meta.json keeps 4093 bytes and "…": 4096, not over SESSION_TASK_MAX
assert_eq "$(jq -j .task "$meta" | wc -c)" 4096 "bytes of meta.json's task"
assert_eq "$(jq -r .task "$meta")" "$want" "meta.json's task"
# the kill came before the agent wrote the task's message
assert_eq "$(grep -c '"history"' "$tr")" 0 "history records before the resume"
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err") || { cat "$T/err"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 1
msgs=$(head -1 "$FAKE_LOG" | jq -c '.body.messages')
first=$(jq -c '[.[0].content[] | select(.type=="text") | .text]' <<<"$msgs")
assert_eq "$(jq -r '.[0]' <<<"$first")" "$want" "the first message's task"
assert_eq "$(jq -r '.[1]' <<<"$first")" "(this task is cut: only its first 4093 bytes were kept)" \
  "the first message's second text"
assert_contains "$(jq -r '[.[-1].content[] | select(.type=="text") | .text] | last' <<<"$msgs")" "go on"
# meta.json says so, and goes on saying so once the resumed agent rewrote it
assert_eq "$(jq -r .task_cut "$meta")" true "meta.json's task_cut after the resume"
assert_eq "$(jq -j .task "$meta" | wc -c)" 4096 "bytes of meta.json's task after the resume"
echo ok

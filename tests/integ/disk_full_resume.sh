# --resume on a nearly full state disk must not shorten the saved
# conversation. A resume merges its message into the last user message (here
# the "interrupted" result of a run_command killed mid-way): that was two
# records, "drop the last message" and the new one; when only the first fit,
# each failed resume took one more message off, and the model was later never
# told its command had run. It is one record now, written whole or not at all.
. "$DH_TESTS/lib.sh"
small_state 4m
G=$T/work; mkdir -p "$G"; echo orig > "$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_cmd", "input": {"command":
   "echo changed > f.txt; touch ready; sleep 30"}}]},
 {"text": "unused", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" "Run"
kill "$FAKE_PID"
echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' > "$T/ok.json"
start_fake "$T/ok.json" --check-history
# 12 KiB left: a 30 KB message does not fit
avail=$(df -k --output=avail "$T/small" | tail -1)
head -c $(( (avail - 12) * 1024 )) /dev/zero > "$T/small/filler" 2>/dev/null || true
long="go on $(head -c 30000 /dev/zero | tr '\0' 'x')"
for i in 1 2; do
  rc=0; "$DESKHAND" run --resume latest "$long" >/dev/null 2>"$T/err$i" || rc=$?
  [ "$rc" = 0 ] && fail "resume $i succeeded on a full disk"
done
rm "$T/small/filler"
out=$("$DESKHAND" run --resume latest --json "final" 2>"$T/err") || { cat "$T/err"; fail "resume with room"; }
# what the model was sent: the call, its interrupted result, and "final"
last=$(tail -1 "$FAKE_LOG")
assert_eq "$(jq -r '[.body.messages[] | .content[]? | select(type=="object") |
  if .type=="tool_use" then "use:" + .name elif .type=="tool_result" then "result"
  elif .type=="text" then "text:" + .text[0:5] else .type end] | join(" ")' <<<"$last")" \
  "text:Run use:propose_plan result use:run_command result text:final" \
  "the conversation sent after the failed resumes"
echo ok

# A session whose requests outgrow compact_at of the context window is
# compacted: the older turns are summarised by the model (a compaction
# request the fake answers), a `compacted` event says so, no request goes past
# the window (the fake refuses one, as the real API does), the plan and the
# task survive in the note, the transcript keeps every message, and --resume
# continues from the compacted conversation.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
python3 - "$G" <<'PY'
import sys
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
for k in range(24):
    text = " ".join(words[(i * 7 + k) % len(words)] + str(i % 97) for i in range(700))
    open("%s/f%02d.txt" % (sys.argv[1], k), "w").write(text + "\n")
PY
# 0.05 of sonnet's 200000 tokens: compaction past 10000; the fake's window is 12000
echo 'set compact_at = 0.05' > "$XDG_CONFIG_HOME/deskhand/config"
python3 > "$T/script.json" <<'PY'
import json
steps = [{"title": "Read every file"}, {"title": "Write the index"}]
turns = [{"tool_calls": [{"name": "propose_plan", "input": {"steps": steps}}]},
         {"tool_calls": [{"name": "update_plan", "input": {"steps": [
             {"title": "Read every file", "status": "in_progress"},
             {"title": "Write the index", "status": "pending"}]}}]}]
for k in range(24):
    turns.append({"text": "Reading file %d." % k,
                  "tool_calls": [{"name": "read_file", "input": {"path": "f%02d.txt" % k}}]})
# after the compactions the plan and the task are still in what is sent
turns.append({"text": "All read.", "stop_reason": "end_turn",
              "expect": {"body_contains": "[in_progress] Read every file"}})
turns.append({"text": "Resumed.", "stop_reason": "end_turn",
              "expect": {"body_contains": "index the files please"}})
print(json.dumps({"window": 12000, "turns": turns}))
PY
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --max-turns 100 --json \
      "index the files please" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
ncomp=$(jq -s '[.[] | select(.type=="compacted")] | length' <<<"$out")
[ "$ncomp" -ge 2 ] || fail "expected at least 2 compactions, got $ncomp"
good=$(jq -s '[.[] | select(.type=="compacted") | select(.trigger=="auto" and .messages >= 2
        and .tokens_before > 10000 and .tokens_after < .tokens_before
        and (.summary | contains("Task:")))] | length' <<<"$out")
assert_eq "$good" "$ncomp" "well-formed compacted events"
# no request went past the window: every one was answered
max=$(jq -s 'map(.tokens) | max' "$FAKE_LOG")
[ "$max" -le 12000 ] || fail "a request of $max tokens"
# the compaction requests went out (system prompt of their own, no tools)
nsum=$(jq -s '[.[] | select(.body.system[0].text | startswith("You summarise"))] | length' "$FAKE_LOG")
assert_eq "$nsum" "$ncomp" "compaction requests"
jq -s -e '[.[] | select(.body.system[0].text | startswith("You summarise")) | select(.body.tools == null)] | length > 0' "$FAKE_LOG" >/dev/null || fail "a compaction request carried tools"
# the note holds the task verbatim and the files the dropped calls read are summarised
last=$(jq -s -c '[.[] | select(.body.system[0].text | startswith("You summarise") | not)] | last | .body.messages[0]' "$FAKE_LOG")
assert_contains "$last" "was compacted"
assert_contains "$last" "index the files please"
assert_contains "$last" "fake summary of request"
# the transcript keeps everything: every tool result, and the compaction records
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -s '[.[] | select(.type=="tool_result" and .name=="read_file")] | length' "$tr")" 24 "tool results kept"
assert_eq "$(jq -s '[.[] | select(.type=="history_compact")] | length' "$tr")" "$ncomp" "history_compact records"
[ "$(jq -s '[.[] | select(.type=="history")] | length' "$tr")" -ge 50 ] || fail "history records were dropped"
# --resume continues from the compacted conversation
out2=$("$DESKHAND" run --resume "$sid" --json "and once more" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
first=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages[0]')
assert_contains "$first" "was compacted"
[ "$(tail -1 "$FAKE_LOG" | jq .tokens)" -le 12000 ] || fail "the resumed request is over the window"
echo ok

# A compaction request is a model request like any other: a spend cap is
# checked before it is sent. Six turns spend $0.90 of `--max-cost 1`; the
# seventh request is past compact_at, so deskhand would first send the
# summarising request, which could cost $0.12 at max_tokens alone. It is never
# sent: the run ends with status budget (exit 7) naming max_cost and the
# refused request's estimate, and the fake model never sees a compaction
# request nor serves more than the cap.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
python3 - "$G" <<'PY'
import sys
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
for k in range(8):
    text = " ".join(words[(i * 7 + k) % len(words)] + str(i % 97) for i in range(700))
    open("%s/f%02d.txt" % (sys.argv[1], k), "w").write(text + "\n")
PY
# 0.05 of sonnet's 200000 tokens: compaction past 10000 (after the sixth file); each
# turn costs $0.15 (10000 output tokens)
echo 'set compact_at = 0.05' > "$XDG_CONFIG_HOME/deskhand/config"
python3 > "$T/script.json" <<'PY'
import json
turns = [{"text": "Reading %d." % k, "usage": {"input_tokens": 0, "output_tokens": 10000},
          "tool_calls": [{"name": "read_file", "input": {"path": "f%02d.txt" % k}}]}
         for k in range(8)]
turns.append({"text": "All read.", "stop_reason": "end_turn"})
summary = "Task: read\nDecisions: none\nPlan state: none\nFiles changed: none\nOpen questions: none"
print(json.dumps({"turns": turns, "compaction": {
    "text": summary, "usage": {"input_tokens": 30000, "output_tokens": 2000}}}))
PY
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --mode auto --json --max-cost 1 "read the files" \
  >"$T/out" 2>"$T/err" </dev/null || rc=$?
jq -c 'select(.type=="budget" or .type=="compacted" or .type=="session_finished") | del(.text)' \
  "$T/out"
assert_eq "$(jq -s '[.[] | select(.type=="compacted")] | length' "$T/out")" 0 \
  "a compaction past the cap"
assert_eq "$(grep -c 'Write the summary of the conversation' "$FAKE_LOG" || true)" 0 \
  "compaction requests the fake model got"
assert_eq "$(wc -l < "$FAKE_LOG")" 6 "requests the fake model got"
assert_eq "$rc" 7 "exit status of a run stopped by its spend cap"
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap, .limit]' "$T/out")" '[0.9,1,"max_cost"]'
est=$(jq -r 'select(.type=="budget") | .estimate' "$T/out")
jq -e --argjson e "$est" -n '$e > 0.12288' >/dev/null \
  || fail "estimate $est: not the compaction request's max_tokens output and its input"
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out")" \
  'spend cap: the next request could cost $0.1'
echo ok

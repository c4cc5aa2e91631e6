# The tool results of one turn together stay within the context window: a
# turn that reads three 256 KiB pages of dense data at once (about 790,000
# tokens by deskhand's estimate, 320,000 as the fake counts them, against a
# 200,000-token window) used to go to the model whole, after a compaction
# that could not help, and the session (and every --resume of it) failed
# with "prompt is too long". Now the results past the turn's share of the
# window are stored once and the model gets an excerpt that says why and
# how to read the rest.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 - "$G" <<'PY'
import sys
for k in range(3):
    open("%s/d%d.csv" % (sys.argv[1], k), "w").write(("1,2,3,4,5,6,7,8,9,0," * 99 + "\n") * 300)
PY
python3 > "$T/script.json" <<'PY'
import json
turns = [{"text": "Reading.", "tool_calls": [
             {"name": "read_file", "input": {"path": "d%d.csv" % k}} for k in range(3)]},
         {"text": "Done.", "stop_reason": "end_turn"},
         {"text": "Resumed.", "stop_reason": "end_turn"}]
print(json.dumps({"window": 200000, "bytes_per_token": 2.5, "input_usage": "estimate",
                  "turns": turns}))
PY
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --mode auto --json "sum the data" 2>"$T/err") ||
  { cat "$T/err"; jq -c 'select(.type=="error")' <<<"$out" >&2; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
max=$(jq -s 'map(.tokens) | max' "$FAKE_LOG")
[ "$max" -le 200000 ] || fail "a request of $max tokens"
# each result is cut to its share, and the model is told so
res=$(jq -s -c '[.[] | select(.body.system[0].text | startswith("You summarise") | not)]
  | .[1].body.messages[-1].content | map(select(.type=="tool_result") | .content)' "$FAKE_LOG")
assert_eq "$(jq length <<<"$res")" 3 "tool results"
assert_eq "$(jq '[.[] | select(contains("read_tool_output"))] | length' <<<"$res")" 3 \
  "results that say how to read the rest"
assert_contains "$(jq -r '.[2]' <<<"$res")" "context window"
# --resume goes on from it
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
out2=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
[ "$(tail -1 "$FAKE_LOG" | jq .tokens)" -le 200000 ] || fail "the resumed request is over the window"
echo ok

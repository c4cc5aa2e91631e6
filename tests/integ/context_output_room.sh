# With compact_at = 1 a request is compacted before its input and the output
# it asks for (max_tokens) together pass the context window: a request whose
# input alone was under the window used to go out with max_tokens = 64000
# on top, and the API refused it ("input length and `max_tokens` exceed
# context limit"), failing the session. Each turn reads about 25,000 tokens
# of plain words (deskhand's estimate and the fake's count agree on them: a
# token per 5 bytes) against sonnet's 200,000-token window.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
python3 - "$G" <<'PY'
import sys
words = "able acid aged also area army away baby back ball band bank base bath".split()
for k in range(8):
    line = " ".join(words[(i * 5 + k) % len(words)] for i in range(199))
    open("%s/p%d.txt" % (sys.argv[1], k), "w").write((line + "\n") * 125)
PY
printf 'set compact_at = 1\nset max_tokens = 64000\n' > "$XDG_CONFIG_HOME/deskhand/config"
python3 > "$T/script.json" <<'PY'
import json
turns = [{"text": "Reading part %d." % k,
          "tool_calls": [{"name": "read_file", "input": {"path": "p%d.txt" % k}}]}
         for k in range(8)]
turns.append({"text": "All read.", "stop_reason": "end_turn"})
print(json.dumps({"window": 200000, "window_output": True, "bytes_per_token": 5,
                  "turns": turns}))
PY
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --mode auto --max-turns 50 --json "read the parts" \
      2>"$T/err") || { cat "$T/err"; jq -c 'select(.type=="error")' <<<"$out" >&2; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
# every request asked max_tokens 64000, and its input left room for them
assert_eq "$(jq -s '[.[] | .body.max_tokens] | unique' -c "$FAKE_LOG")" "[64000]" "max_tokens asked"
max=$(jq -s 'map(.tokens + .body.max_tokens) | max' "$FAKE_LOG")
[ "$max" -le 200000 ] || fail "a request of $max tokens with its max_tokens"
# compacted below the window itself: at what it leaves beside max_tokens
ncomp=$(jq -s '[.[] | select(.type=="compacted" and .trigger=="auto")] | length' <<<"$out")
[ "$ncomp" -ge 1 ] || fail "no compaction"
jq -s -e '[.[] | select(.type=="compacted")] | all(.tokens_before > 136000 and
  .tokens_before <= 200000 and .tokens_after < .tokens_before)' <<<"$out" >/dev/null ||
  fail "compacted events: $(jq -c 'select(.type=="compacted") | del(.summary)' <<<"$out")"
echo ok

# A local model the registry does not know, served with a 32768-token window
# (`provider local kind = openai`): `set context_window = 32768` makes
# compaction come before a request passes that window. Without it the window
# was taken as 200000 tokens, compaction came near 160000, and the server
# refused every request past 32768 ("maximum context length"). Each turn
# reads about 5,000 tokens of plain words (deskhand's estimate and the fake's
# count agree on them: a token per 5 bytes), ten of them in all.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 - "$G" <<'PY'
import sys
words = "able acid aged also area army away baby back ball band bank base bath".split()
for k in range(10):
    line = " ".join(words[(i * 5 + k) % len(words)] for i in range(199))
    open("%s/p%d.txt" % (sys.argv[1], k), "w").write((line + "\n") * 25)
PY
python3 > "$T/script.json" <<'PY'
import json
turns = [{"text": "Reading part %d." % k,
          "tool_calls": [{"name": "read_file", "input": {"path": "p%d.txt" % k}}]}
         for k in range(10)]
turns.append({"text": "All read."})
print(json.dumps({"window": 32768, "bytes_per_token": 5, "turns": turns}))
PY
start_fake_openai "$T/script.json" --check-history
cat > "$DH_CONFIG" <<CFG
provider local kind = openai
provider local base_url = $FAKE_URL/v1
provider local key_env =
set model = local/qwen-local
set context_window = 32768
CFG
out=$("$DESKHAND" run --grant "$G" --mode auto --max-turns 50 --json "read the parts" \
      2>"$T/err") ||
  { cat "$T/err"; jq -c 'select(.type=="error")' <<<"$out" >&2; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
# all ten parts were read, and no request passed the window with its max_tokens
assert_eq "$(jq -s '[.[] | select(.method=="POST")] | length > 11' "$FAKE_LOG")" true "requests"
max=$(jq -s '[.[] | select(.method=="POST") |
  .tokens + (.body.max_tokens // .body.max_completion_tokens)] | max' "$FAKE_LOG")
[ "$max" -le 32768 ] || fail "a request of $max tokens with its max_tokens"
ncomp=$(jq -s '[.[] | select(.type=="compacted" and .trigger=="auto")] | length' <<<"$out")
[ "$ncomp" -ge 1 ] || fail "no compaction"
jq -s -e '[.[] | select(.type=="compacted")] | all(.tokens_before <= 32768 and
  .tokens_after < .tokens_before)' <<<"$out" >/dev/null ||
  fail "compacted events: $(jq -c 'select(.type=="compacted") | del(.summary)' <<<"$out")"
echo ok

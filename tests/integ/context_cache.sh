# Prompt caching (PROTOCOLS.md §1.7): every request carries a cache
# breakpoint on its last message, besides the tools and the system prompt,
# so the breakpoint moves forward with the conversation; the fake server
# keeps a prompt cache (the prefix up to each breakpoint), refuses a request
# whose last message has none, and reports cache reads and writes. The usage
# events, meta.json, `deskhand usage` and the cost carry the cache figures.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for k in 1 2 3 4; do seq 1 400 | sed "s/^/file $k line /" > "$G/f$k.txt"; done
python3 > "$T/script.json" <<'PY'
import json
turns = [{"text": "Reading %d." % k, "tool_calls": [{"name": "read_file", "input": {"path": "f%d.txt" % k}}]}
         for k in range(1, 5)]
turns.append({"text": "Read them all.", "stop_reason": "end_turn"})
turns.append({"text": "Still here.", "stop_reason": "end_turn"})
print(json.dumps({"turns": turns}))
PY
start_fake "$T/script.json" --cache --check-history
out=$("$DESKHAND" run --grant "$G" --mode auto --json "read the four files" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(wc -l <"$FAKE_LOG")" 5 "requests"
# four breakpoints at most; the last one on the last block of the last message
jq -s -e 'all(.[]; (.breakpoints | length) <= 4 and (.breakpoints | length) >= 3)' "$FAKE_LOG" >/dev/null \
  || fail "breakpoint count: $(jq -c .breakpoints "$FAKE_LOG")"
jq -s -e 'all(.[]; .breakpoints[-1] == [(.body.messages | length) - 1,
                                        (.body.messages[-1].content | length) - 1])' "$FAKE_LOG" >/dev/null \
  || fail "the last breakpoint is not on the last message: $(jq -c .breakpoints "$FAKE_LOG")"
# it moves forward each request, and the previous request's stays as the 4th
moves=$(jq -s '[.[] | .breakpoints[-1][0]] | [range(1; length) as $i | .[$i] > .[$i - 1]] | all' "$FAKE_LOG")
assert_eq "$moves" true "the breakpoint moves forward"
prev=$(jq -s -c '[.[1:][] | .breakpoints[-2][0]]' "$FAKE_LOG")
last=$(jq -s -c '[.[:-1][] | .breakpoints[-1][0]]' "$FAKE_LOG")
assert_eq "$prev" "$last" "the previous request's breakpoint is kept"
# the history is never rewritten before a breakpoint: every request after
# the first reads the whole previous request from the cache
reads=$(jq -s -c '[.[] | .cache.read]' "$FAKE_LOG")
jq -s -e '.[0].cache.read == 0 and .[0].cache.creation > 0' "$FAKE_LOG" >/dev/null || fail "first request: $reads"
jq -s -e '[range(1; length) as $i | .[$i].cache.read as $r | .[$i - 1] |
           ($r > 0 and $r >= .cache.read + .cache.creation)] | all' "$FAKE_LOG" >/dev/null \
  || fail "cache reads do not cover the previous request: $reads"
# the usage events report what the server said
got=$(jq -s -c '[.[] | select(.type=="usage") | .cache_read_tokens]' <<<"$out")
assert_eq "$got" "$reads" "cache_read_tokens of the usage events"
got=$(jq -s -c '[.[] | select(.type=="usage") | .cache_creation_tokens]' <<<"$out")
assert_eq "$got" "$(jq -s -c '[.[] | .cache.creation]' "$FAKE_LOG")" "cache_creation_tokens"
# the cost prices cache reads and writes (claude-sonnet-4-5: $3 in, $15 out,
# $0.30 cache read, $3.75 cache write per million)
jq -s -e '[.[] | select(.type=="usage") | ((.input_tokens * 3 + .output_tokens * 15 +
           .cache_read_tokens * 0.3 + .cache_creation_tokens * 3.75) / 1e6 - .cost_usd) |
           fabs < 1e-9] | all' <<<"$out" >/dev/null || fail "cost does not price the cache"
total_read=$(jq -s '[.[] | .cache.read] | add' "$FAKE_LOG")
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
assert_eq "$(jq .cache_read_tokens "$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json")" "$total_read" "meta.json"
u=$("$DESKHAND" usage --json) || fail "usage"
assert_eq "$(jq .total.cache_read_tokens <<<"$u")" "$total_read" "deskhand usage"
# --resume: the resumed conversation is the same prefix, read from the cache
out2=$("$DESKHAND" run --resume "$sid" --json "anything else?" 2>"$T/err2") || { cat "$T/err2"; fail "resume"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
tail -1 "$FAKE_LOG" | jq -e '.cache.read > 0' >/dev/null || fail "the resumed request missed the cache"
echo ok

# Images and documents count against the turn's share of the context window
# (half the compaction limit for all of one turn's results): a turn that
# reads more images than fit used to send them all, however many; now the
# ones past the share are left out of what is sent, and the model is told
# so in their result.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
for k in 1 2 3 4; do
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89' > "$G/p$k.png"
done
# 0.05 of 200,000 tokens: compaction past 10,000, so the turn's results share
# 5,000 tokens; an image counts 1,600
echo 'set compact_at = 0.05' > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "p1.png"}}, {"name": "read_file", "input": {"path": "p2.png"}},
                 {"name": "read_file", "input": {"path": "p3.png"}}, {"name": "read_file", "input": {"path": "p4.png"}}]},
 {"text": "seen", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --check-history
"$DESKHAND" run --grant "$G" --json "look" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
res=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages[-1].content | map(select(.type=="tool_result"))')
assert_eq "$(jq length <<<"$res")" 4 "tool results"
assert_eq "$(jq -c 'map([.content[] | select(.type=="image")] | length)' <<<"$res")" "[1,1,1,0]" \
  "image blocks of each result"
last=$(jq -r '.[3].content | map(.text // "") | join("\n")' <<<"$res")
assert_contains "$last" "p4.png: image/png"
assert_contains "$last" "would not fit the context window"
echo ok

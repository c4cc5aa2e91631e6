# Extended thinking (PROTOCOLS.md §1.6): `--thinking N` / `set thinking`
# asks for it; thinking and redacted_thinking blocks stream in
# (thinking_delta, signature_delta), come out as `thinking` events, are
# shown folded by `run` and the workbench, stay in the transcript, and go
# back unchanged (text and signature byte for byte) on the next request: the
# fake server refuses a request whose thinking blocks changed, as the API
# does. --resume sends them again; a bad value is an error naming it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
echo "alpha" > "$G/a.txt"; echo "beta" > "$G/b.txt"
# thinking text that a re-encoding would change: escapes, quotes, non-ASCII,
# U+2028, a NUL-free control character, trailing blanks
export T
python3 > "$T/script.json" <<'PY'
import json
t1 = 'First I read a.txt.\n\t"quoted" \\ back\\slash, caf\u00e9 \u2028 \u65e5\u672c \U0001F600 \x07 end  '
t2 = "Then b.txt; </thinking> is just text."
turns = [
  {"thinking": t1, "signature": "EqQBCgIYAhIM+sig/one==", "text": "Reading a.",
   "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}],
   "expect": {"body_contains": '"thinking": {"type": "enabled", "budget_tokens": 2048}'}},
  {"thinking": t2, "redacted_thinking": "EmwKAhgBEgy3va3pzix/LafPsn4a+opaque==",
   "tool_calls": [{"name": "read_file", "input": {"path": "b.txt"}}]},
  {"thinking": "Both read.", "text": "alpha and beta.", "stop_reason": "end_turn"},
  {"text": "Resumed.", "stop_reason": "end_turn",
   "expect": {"body_contains": '"thinking": {"type": "adaptive"}'}},
  {"thinking": "In the workbench.", "text": "Shown.", "stop_reason": "end_turn"},
]
print(json.dumps({"turns": turns}))
json.dump({"t1": t1, "t2": t2}, open(__import__("os").environ["T"] + "/texts.json", "w"))
PY
start_fake "$T/script.json" --check-thinking --check-history --cache
out=$("$DESKHAND" run --grant "$G" --mode auto --thinking 2048 --json "read both files" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
# the events: one per block, the text whole, the redacted one without text
assert_eq "$(jq -s -c '[.[] | select(.type=="thinking") | [.turn, .redacted]]' <<<"$out")" \
  '[[1,false],[2,false],[2,true],[3,false]]' "thinking events"
assert_eq "$(jq -c 'select(.type=="thinking" and .turn==1).thinking' <<<"$out")" "$(jq -c .t1 "$T/texts.json")" "thinking text"
# the fake compared the blocks it sent with the ones that came back
assert_eq "$(jq -s -c '[.[] | .checked]' "$FAKE_LOG.thinking")" '[0,1,2]' "blocks checked"
# the request asked for thinking; the budget stays under max_tokens
jq -s -e 'all(.[]; .body.thinking == {"type": "enabled", "budget_tokens": 2048} and .body.max_tokens > 2048)' \
  "$FAKE_LOG" >/dev/null || fail "thinking parameter: $(jq -c '.body.thinking' "$FAKE_LOG")"
# no breakpoint on a thinking block
jq -s -e '[.[] | .body.messages[] | .content[]? | select(.type == "thinking" or .type == "redacted_thinking") |
           select(has("cache_control"))] | length == 0' "$FAKE_LOG" >/dev/null || fail "a thinking block carries cache_control"
# the transcript keeps the blocks with their signatures
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_file_contains "$tr" 'EqQBCgIYAhIM+sig/one=='
assert_file_contains "$tr" 'EmwKAhgBEgy3va3pzix/LafPsn4a+opaque=='
# --resume sends every block back as it came (and the fake checks the last)
out2=$("$DESKHAND" run --resume "$sid" --thinking adaptive "anything else?" 2>"$T/err2") \
  || { cat "$T/err2"; fail "resume failed"; }
assert_contains "$out2" "Resumed."
last=$(tail -1 "$FAKE_LOG")
assert_eq "$(jq -c '[.body.messages[] | select(.role=="assistant") | .content[] |
                    select(.type=="thinking" or .type=="redacted_thinking")] | length' <<<"$last")" 4 "blocks resent"
assert_eq "$(jq -c '[.body.messages[] | .content[]? | select(.type=="thinking") | .thinking][0]' <<<"$last")" \
  "$(jq -c .t1 "$T/texts.json")" "resent byte for byte"
# run's own output shows the thinking folded to one line
plain=$("$DESKHAND" run --resume "$sid" --thinking 4096 "once more" 2>&1) || fail "third run: $plain"
assert_contains "$plain" "▸ thinking (17 chars): In the workbench."
# a bad value names itself
bad=$("$DESKHAND" run --grant "$G" --thinking 12 "x" 2>&1) && fail "--thinking 12 was taken"
assert_contains "$bad" "'thinking' must be off, adaptive or a budget of thinking tokens"
echo 'set thinking = lots' > "$XDG_CONFIG_HOME/deskhand/config"
bad=$("$DESKHAND" run --grant "$G" "x" 2>&1) && fail "thinking = lots was taken"
assert_contains "$bad" "config:1: 'thinking' must be off"
echo ok

# A whole session against the fake OpenAI-compatible server (PROTOCOLS.md §2.3):
# the plan, then two edits asked for in one turn whose arguments arrive in
# fragments interleaved by index, a call sent whole (Ollama), a turn with no
# usage chunk; the requests carry tool results as "tool" messages in the
# order the server requires; the cost counts cached tokens at their price;
# the session is undoable as with Anthropic.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "one" > "$G/a.txt"; echo "uno" > "$G/b.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit both"}]}}],
  "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "cached_tokens": 400}},
 {"text": "Editing both files: ça va.", "style": "interleaved",
  "tool_calls": [{"name": "edit_file", "input": {"path": "a.txt", "old_string": "one", "new_string": "two"}},
                 {"name": "edit_file", "input": {"path": "b.txt", "old_string": "uno", "new_string": "dos"}}]},
 {"style": "whole", "no_usage": true,
  "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
 {"text": "Done: both edited.", "text_step": 3}
]}
JSON
start_fake_openai "$T/script.json" --require-key test-key-123 --check-history
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit a and b" 2>"$T/err") \
  || { cat "$T/err"; cat "$T/fake.out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(cat "$G/a.txt")" two
assert_eq "$(cat "$G/b.txt")" dos
assert_eq "$(wc -l < "$FAKE_LOG")" 4
# the request: model, stream with usage, tools as functions, the key as a bearer token
first=$(head -1 "$FAKE_LOG")
assert_eq "$(jq -r .path <<<"$first")" /v1/chat/completions
assert_eq "$(jq -r .body.model <<<"$first")" gpt-4o
assert_eq "$(jq -c .body.stream_options <<<"$first")" '{"include_usage":true}'
assert_eq "$(jq -r '.body.messages[0].role' <<<"$first")" system
assert_eq "$(jq -r '[.body.tools[]|select(.function.name=="edit_file")][0].type' <<<"$first")" function
assert_contains "$(jq -c '[.body.tools[]|select(.function.name=="edit_file")][0].function.parameters' <<<"$first")" '"old_string"'
assert_eq "$(jq -r '.headers.authorization' <<<"$first")" "<redacted>"
# the third request: both calls of turn two, then their two tool messages
third=$(sed -n 3p "$FAKE_LOG")
assert_eq "$(jq -r '[.body.messages[]|select(.role=="assistant")][1].tool_calls|length' <<<"$third")" 2
assert_eq "$(jq -r '[.body.messages[]|select(.role=="assistant")][1].content' <<<"$third")" "Editing both files: ça va."
assert_eq "$(jq -r '[.body.messages[]|select(.role=="assistant")][1].tool_calls[1].function.arguments|fromjson|.path' <<<"$third")" b.txt
assert_eq "$(jq -r '[.body.messages[]|.role]|.[-2:]|join(" ")' <<<"$third")" "tool tool"
# the whole call (turn three) came back with its id and arguments
last=$(tail -1 "$FAKE_LOG")
assert_eq "$(jq -r '[.body.messages[]|select(.role=="assistant")][2].tool_calls[0].function.arguments|fromjson|.path' <<<"$last")" a.txt
assert_contains "$(jq -r '.body.messages[-1].content' <<<"$last")" two
# text streamed, and the final message
assert_contains "$(jq -r 'select(.type=="text_delta").text' <<<"$out" | tr -d '\n')" "Done: both edited."
# usage: 600 uncached + 400 cached input, 100 output; the turn without a
# usage chunk counts nothing
u=$(jq -c 'select(.type=="usage")' <<<"$out" | head -1)
assert_eq "$(jq -r .input_tokens <<<"$u")" 600
assert_eq "$(jq -r .cache_read_tokens <<<"$u")" 400
assert_eq "$(jq -r .output_tokens <<<"$u")" 100
# gpt-4o: 600×2.50 + 400×1.25 + 100×10 per million
assert_eq "$(jq -r '.cost_usd*1e6|round' <<<"$u")" 3000
# undoable as any session: both edits back
"$DESKHAND" undo --to baseline >/dev/null 2>"$T/err" || { cat "$T/err"; fail "undo failed"; }
assert_eq "$(cat "$G/a.txt")" one
assert_eq "$(cat "$G/b.txt")" uno
echo ok

# A NUL inside any string a tool takes is a tool error naming the argument,
# never a silently cut value: write_file to "f12.txt\u0000.bak" must not
# overwrite f12.txt, and edit_file with a NUL in new_string changes nothing.
# The transcript keeps what the model sent (\u0000) as valid JSON.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo keep > "$G/f12.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f12.txt\u0000.bak", "content": "clobbered"}},
                 {"name": "edit_file", "input": {"path": "f12.txt", "old_string": "keep", "new_string": "a\u0000b"}},
                 {"name": "search_files", "input": {"pattern": "keep\u0000"}}]},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "NUL"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" >"$T/out" 2>"$T/err" \
  || { cat "$T/err" "$T/out"; fail "run failed"; }
assert_eq "$(cat "$G/f12.txt")" keep
[ "$(ls "$G")" = f12.txt ] || fail "unexpected files: $(ls "$G")"
res=$(jq -r 'select(.type=="tool_result") | "\(.name) \(.is_error) \(.output)"' "$T/out")
echo "$res"
assert_contains "$res" "write_file true write_file: field 'path' holds a NUL character"
assert_contains "$res" "edit_file true edit_file: field 'new_string' holds a NUL character"
assert_contains "$res" "search_files true search_files: field 'pattern' holds a NUL character"
assert_strict_jsonl "$T/out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_strict_jsonl "$tr"
grep -qF 'f12.txt\u0000.bak' "$tr" || fail "the transcript lost what the model sent"
echo ok

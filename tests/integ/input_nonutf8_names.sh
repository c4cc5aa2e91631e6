# A file whose name is not UTF-8 (byte 0xff) is listed in an escaped form
# (\xff) that the file tools take back: read, edited and renamed to another
# non-UTF-8 name (byte 0xfe) through it. A literal "\x41" in a real name is
# escaped too (\x5c for the backslash), so both names round-trip. Every line
# of --json, the transcript and `log --json` parses strictly.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf 'one\n' > "$G/f"$'\xff'".txt"
printf 'lit\n' > "$G/a\\x41.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "rename"}]}}]},
 {"tool_calls": [{"name": "list_files", "input": {}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "f\\xff.txt"}},
                 {"name": "read_file", "input": {"path": "a\\x5cx41.txt"}}],
  "expect": {"last_user_contains": "f\\\\xff.txt"}},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f\\xff.txt", "old_string": "one", "new_string": "two"}}],
  "expect": {"last_user_contains": "lit"}},
 {"tool_calls": [{"name": "move_file", "input": {"source": "f\\xff.txt", "destination": "sub/g\\xfe.txt"}}],
  "expect": {"last_user_contains": "edited f\\\\xff.txt"}},
 {"tool_calls": [{"name": "search_files", "input": {"pattern": "two"}}],
  "expect": {"last_user_contains": "moved f\\\\xff.txt to sub/g\\\\xfe.txt"}},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "sub/g\\\\xfe.txt:1:two"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "rename" >"$T/out" 2>"$T/err" \
  || { cat "$T/err" "$T/out"; fail "run failed"; }
assert_strict_jsonl "$T/out"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
list=$(jq -r 'select(.type=="tool_result" and .name=="list_files").output' "$T/out")
assert_contains "$list" 'f\xff.txt'
assert_contains "$list" 'a\x5cx41.txt'
reads=$(jq -r 'select(.type=="tool_result" and .name=="read_file").output' "$T/out")
assert_contains "$reads" "one"
assert_contains "$reads" "lit"
[ "$(cat "$G/sub/g"$'\xfe'".txt")" = two ] || fail "the renamed file is not there with its edit"
[ ! -e "$G/f"$'\xff'".txt" ] || fail "the old name is still there"
[ "$(cat "$G/a\\x41.txt")" = lit ] || fail "the literal-backslash file changed"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
assert_strict_jsonl "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl"
"$DESKHAND" log --json >"$T/log" 2>"$T/logerr" || { cat "$T/logerr"; fail "log failed"; }
assert_strict_jsonl "$T/log"
assert_contains "$(cat "$T/log")" 'sub/g\\xfe.txt'
echo ok

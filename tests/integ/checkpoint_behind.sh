# test: the checkpoint of a step runs beside what follows it (the next call,
# the next request) and still reads as if it had been waited for: each call
# that changed files is followed by its checkpoint, in the --json events and
# in the transcript, before anything after it; each checkpoint holds the
# folder as that call left it, not as a later one did; a second call of the
# same turn that changes files runs only after the first one's checkpoint.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write, edit, read"}]}}]},
 {"text": "Writing.", "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\n"}}]},
 {"text": "Editing and adding.", "tool_calls": [
   {"name": "edit_file", "input": {"path": "a.txt", "old_string": "one", "new_string": "two"}},
   {"name": "write_file", "input": {"path": "b.txt", "content": "bee\n"}}]},
 {"text": "Reading.", "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write and edit" > "$T/out" 2>"$T/err" ||
  { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
assert_eq "$(cat "$G/a.txt")" two
assert_eq "$(cat "$G/b.txt")" bee
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
calls=$(jq -r 'select(.type=="tool_call" and (.name=="write_file" or .name=="edit_file")).id' "$T/out")
assert_eq "$(wc -l <<<"$calls" | tr -d ' ')" 3
# In both streams the record right after a call's tool_result is its checkpoint.
for f in "$T/out" "$tr"; do
  for id in $calls; do
    next=$(jq -s -c --arg id "$id" '
      map(select(.type != "text_delta")) as $e
      | ($e | map(.type == "tool_result" and .id == $id) | index(true)) as $i
      | $e[$i + 1] | {type, tool_call}' "$f")
    assert_eq "$next" "{\"type\":\"checkpoint\",\"tool_call\":\"$id\"}" "after the result of $id in $f"
  done
done
# The tool results go to the model (the history record) after the checkpoint.
order=$(jq -r 'if .type == "history" then "history:" + .message.role else .type end' "$tr" |
  grep -E '^(checkpoint|history:user|turn_started)$' | tr '\n' ' ')
assert_contains "$order" "checkpoint history:user turn_started checkpoint checkpoint history:user turn_started"
# Each checkpoint holds the folder as its own call left it.
repo=$(ls -d "$XDG_STATE_HOME"/deskhand/snapshots/*.git)
[ "$(wc -l <<<"$repo")" = 1 ] || fail "expected one shadow repository: $repo"
ck() { jq -r --arg id "$1" 'select(.type=="checkpoint" and .tool_call==$id).id' "$T/out"; }
set -- $calls
assert_eq "$(git --git-dir="$repo" show "$(ck "$1"):a.txt")" one "write_file's checkpoint"
assert_eq "$(git --git-dir="$repo" show "$(ck "$2"):a.txt")" two "edit_file's checkpoint"
git --git-dir="$repo" cat-file -e "$(ck "$2"):b.txt" 2>/dev/null &&
  fail "edit_file's checkpoint holds b.txt, which the next call wrote"
assert_eq "$(git --git-dir="$repo" show "$(ck "$3"):b.txt")" bee "the second write_file's checkpoint"
echo ok

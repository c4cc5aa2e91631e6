# A file the agent replaces with a directory of the same name (and a
# directory replaced with a file) is checkpointed like any other change:
# the run goes on, review shows the file deleted and the directory's files
# added, and reject and undo put the file back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/dir"
echo "was a file" > "$G/notes"
echo "in a dir" > "$G/dir/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Reshape"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_a", "input": {"command": "rm notes && mkdir notes && echo inner > notes/a.txt"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_b", "input": {"command": "rm -r dir && echo now a file > dir"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_c", "input": {"path": "after.txt", "content": "later\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "reshape" 2>"$T/err") || rc=$?
assert_eq "$(jq -r 'select(.type=="error").message' <<<"$out")" ""
assert_eq "$rc" 0 "run exit status"
assert_eq "$(cat "$G/after.txt")" later
assert_eq "$(cat "$G/notes/a.txt")" inner
j=$("$DESKHAND" review --json 2>/dev/null)
st() { jq -r --arg p "$1" '.grants[0].files[] | select(.path==$p) | .status + " " + .step.tool_call' <<<"$j"; }
assert_eq "$(st notes)" "D toolu_a"
assert_eq "$(st notes/a.txt)" "A toolu_a"
assert_eq "$(st dir)" "A toolu_b"
assert_eq "$(st dir/f.txt)" "D toolu_b"
# the agent's last step undone: the later file goes, the rest stays
"$DESKHAND" undo >/dev/null 2>&1 || fail "undo failed"
[ ! -e "$G/after.txt" ] || fail "undo left after.txt"
"$DESKHAND" reject notes >"$T/rj.out" 2>&1 || { cat "$T/rj.out"; fail "reject notes failed"; }
assert_eq "$(cat "$G/notes")" "was a file"
"$DESKHAND" undo >/dev/null 2>&1 || fail "second undo failed"
assert_eq "$(cat "$G/dir/f.txt")" "in a dir"
assert_eq "$("$DESKHAND" review --json 2>/dev/null | jq -r '[.grants[0].files[].path] | join(" ")')" ""
echo ok

# The granted folder's own mode: a run_command `chmod 700 .`, then another
# that edits a file and does `chmod 555 .`. The log shows `T ./` for each
# step, the review the folder's mode change; `deskhand undo` of each step
# puts the mode back (0700, then 0755: the first undo writes a.txt into the
# 0555 folder) and `deskhand redo` makes it 0700 and 0555 again.
# With DH_AS_NOBODY set (undo_root_mode_user.sh), deskhand runs as uid/gid
# 65534, who unlike root cannot write into a 0555 folder.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
echo before > "$G/a.txt"; echo b > "$G/sub/b.txt"
chmod 755 "$G" "$G/sub"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "lock"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_700", "input": {"command": "chmod 700 ."}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_555", "input": {"command": "echo after > a.txt && chmod 555 ."}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
[ -z "${DH_AS_NOBODY:-}" ] || as_nobody
cd "$T"
"${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto "lock" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after the commands"
cd "$G"
log=$("${AS[@]}" "$DESKHAND" log --json)
changes() { jq -r --arg t "$1" '.[] | select(.tool_call==$t) | [.changes[] | .status + " " + .path] | sort | join(", ")' <<<"$log"; }
assert_eq "$(changes toolu_700)" "T ./" "the chmod 700 step's changes"
assert_eq "$(changes toolu_555)" "M a.txt, T ./" "the chmod 555 step's changes"
rv=$("${AS[@]}" "$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[].files[] | .status + " " + .path + " " + .old_mode + " " + .new_mode] | join(", ")' <<<"$rv")" \
  "T ./ 040755 040555, M a.txt 100644 100644" "the review"
rt=$("${AS[@]}" "$DESKHAND" review 2>/dev/null)
assert_contains "$(head -1 <<<"$rt")" "T  ./  mode 040755 -> 040555  ["
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "first undo failed"; }
echo "$out"
assert_contains "$out" "restored ./ (mode 0700)"
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "700 before" "the folder after the first undo"
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "second undo failed"; }
assert_eq "$(stat -c %a "$G")" "755" "the folder's mode after the second undo"
diff -r "$T/orig" "$G" || fail "the folder differs from the original after the undos"
assert_eq "$("${AS[@]}" "$DESKHAND" review --json | jq -r '[.grants[].files[].path] | join(" ")')" "" \
  "pending after the undos"
out=$("${AS[@]}" "$DESKHAND" redo 2>&1) || { echo "$out"; fail "first redo failed"; }
assert_eq "$(stat -c %a "$G")" "700" "the folder's mode after the first redo"
out=$("${AS[@]}" "$DESKHAND" redo 2>&1) || { echo "$out"; fail "second redo failed"; }
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after the second redo"
echo ok

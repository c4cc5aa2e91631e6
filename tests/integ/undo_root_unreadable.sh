# The granted folder made unreadable to its owner: as an ordinary user
# (uid/gid 65534; root reads everything), a run_command edits a.txt, then
# another does `chmod 000 .`. That step's checkpoint keeps the folder's last
# content with its mode 0000 (nothing shows as deleted): the log shows `T ./`
# for it, the review the folder's mode change and the edit. `deskhand undo`
# gives the folder its mode back with the edit in place, `deskhand redo`
# makes it 0000 again, and a second undo opens it once more.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
echo before > "$G/a.txt"; echo b > "$G/sub/b.txt"
chmod 755 "$G" "$G/sub"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "shut"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_edit", "input": {"command": "echo after > a.txt"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_000", "input": {"command": "chmod 000 ."}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
as_nobody
cd "$T"
"${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto "shut" >"$T/run.out" 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_not_contains "$(cat "$T/err")" "checkpoint of $G failed"
assert_eq "$(stat -c %a "$G")" 0 "the folder's mode after the command"
log=$("${AS[@]}" "$DESKHAND" log --json)
changes() { jq -r --arg t "$1" '.[] | select(.tool_call==$t) | [.changes[] | .status + " " + .path] | sort | join(", ")' <<<"$log"; }
assert_eq "$(changes toolu_000)" "T ./" "the chmod 000 step's changes"
rv=$("${AS[@]}" "$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[].files[] | .status + " " + .path + " " + .old_mode + " " + .new_mode] | join(", ")' <<<"$rv")" \
  "T ./ 040755 040000, M a.txt 100644 100644" "the review"
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo failed"; }
echo "$out"
assert_contains "$out" "restored ./ (mode 0755)"
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt") $(cat "$G/sub/b.txt")" "755 after b" \
  "the folder after the undo"
out=$("${AS[@]}" "$DESKHAND" redo 2>&1) || { echo "$out"; fail "redo failed"; }
assert_eq "$(stat -c %a "$G")" 0 "the folder's mode after the redo"
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "second undo failed"; }
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt") $(cat "$G/sub/b.txt")" "755 after b" \
  "the folder after the second undo"
assert_eq "$("${AS[@]}" "$DESKHAND" review --json | jq -r '[.grants[].files[] | .status + " " + .path] | join(", ")')" \
  "M a.txt" "pending after the second undo"
echo ok

# A run_command that makes one directory 0700 and another 0555 (after
# editing a file inside it): `deskhand undo` of that step puts both modes
# back and the files inside as they were; the log shows each directory's
# mode change; `deskhand redo` makes them 0700 and 0555 again. The review
# lists each mode change; rejecting one puts that directory's mode back,
# accepting one leaves the folder as it is and nothing pending.
# With DH_AS_NOBODY set (undo_dir_modes_user.sh), deskhand runs as uid/gid
# 65534, who unlike root cannot write into a 0555 directory or enter a 0700
# one it does not own.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/priv" "$G/ro/sub"
echo key > "$G/priv/key"; echo before > "$G/ro/f.txt"; echo deep > "$G/ro/sub/g.txt"
chmod 755 "$G/priv" "$G/ro" "$G/ro/sub"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "lock"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_chmod", "input": {"command": "echo after > ro/f.txt && chmod 700 priv && chmod 555 ro"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
[ -z "${DH_AS_NOBODY:-}" ] || as_nobody
cd "$G"
"${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto "lock" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(stat -c %a "$G/priv") $(stat -c %a "$G/ro")" "700 555" "modes after the command"
assert_eq "$(cat "$G/ro/f.txt")" after "the command's edit"
log=$("${AS[@]}" "$DESKHAND" log --json)
step=$(jq -c '.[] | select(.tool_call=="toolu_chmod")' <<<"$log")
[ -n "$step" ] || { echo "$log"; fail "no checkpoint of the command"; }
assert_eq "$(jq -r '[.changes[] | .status + " " + .path] | sort | join(", ")' <<<"$step")" \
  "M ro/f.txt, T priv/, T ro/" "the step's changes"
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo failed"; }
echo "$out"
assert_eq "$(stat -c %a "$G/priv") $(stat -c %a "$G/ro")" "755 755" "modes after the undo"
diff -r "$T/orig" "$G" || fail "the folder differs from the original after the undo"
assert_eq "$(folder_listing "$G")" "$(folder_listing "$T/orig")" "find listing after the undo"
out=$("${AS[@]}" "$DESKHAND" redo 2>&1) || { echo "$out"; fail "redo failed"; }
assert_eq "$(stat -c %a "$G/priv") $(stat -c %a "$G/ro") $(stat -c %a "$G/ro/sub")" "700 555 755" \
  "modes after the redo"
assert_eq "$(cat "$G/ro/f.txt") $(cat "$G/ro/sub/g.txt") $(cat "$G/priv/key")" "after deep key" \
  "files after the redo"
rv=$("${AS[@]}" "$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[].files[] | .status + " " + .path + " " + .old_mode + " " + .new_mode] | join(", ")' <<<"$rv")" \
  "T priv/ 040755 040700, T ro/ 040755 040555, M ro/f.txt 100644 100644" "the review"
out=$("${AS[@]}" "$DESKHAND" reject priv/ 2>&1) || { echo "$out"; fail "reject failed"; }
assert_contains "$out" "restored priv/ (mode 0755)"
assert_eq "$(stat -c %a "$G/priv") $(stat -c %a "$G/ro")" "755 555" "modes after the reject"
out=$("${AS[@]}" "$DESKHAND" accept ro/ 2>&1) || { echo "$out"; fail "accept failed"; }
# (ro/ names its file too)
assert_eq "$("${AS[@]}" "$DESKHAND" review --json | jq -r '[.grants[].files[].path] | join(" ")')" "" \
  "pending after the reject and the accept"
assert_eq "$(stat -c %a "$G/priv") $(stat -c %a "$G/ro") $(cat "$G/ro/f.txt")" "755 555 after" \
  "the folder after the accept"
echo ok

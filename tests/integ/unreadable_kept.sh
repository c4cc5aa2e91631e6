# A file and a directory made unreadable by a command are not deleted. As an
# ordinary user (uid/gid 65534; root reads everything), a run_command that does `chmod 000 notes.txt; chmod 000 sub` checkpoints both
# with their last content: the review lists the two mode changes and no
# deletion; `deskhand undo` of that step puts both modes back with the
# contents intact, and `deskhand redo` makes them 0000 again.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub/deep"
echo keep > "$G/notes.txt"; echo x > "$G/sub/x.txt"; echo y > "$G/sub/deep/y.txt"
chmod 755 "$G/sub" "$G/sub/deep"; chmod 644 "$G/notes.txt" "$G/sub/x.txt" "$G/sub/deep/y.txt"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "hide"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_hide", "input": {"command": "chmod 000 notes.txt; chmod 000 sub"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
as_nobody
cd "$G"
"${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto "hide" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(stat -c %a "$G/notes.txt") $(stat -c %a "$G/sub")" "0 0" "modes after the command"
log=$("${AS[@]}" "$DESKHAND" log --json)
step=$(jq -c '.[] | select(.tool_call=="toolu_hide")' <<<"$log")
[ -n "$step" ] || { echo "$log"; fail "no checkpoint of the command"; }
assert_eq "$(jq -r '[.changes[] | .status + " " + .path] | sort | join(", ")' <<<"$step")" \
  "T notes.txt, T sub/" "the step's changes"
rv=$("${AS[@]}" "$DESKHAND" review --json)
assert_eq "$(jq -r '.grants[].files[] | .status + " " + .path + " " + .old_mode + " " + .new_mode' <<<"$rv")" \
"T notes.txt 100644 100000
T sub/ 040755 040000" "the review"
id8=$(jq -r .id <<<"$step" | cut -c1-8)
rt=$("${AS[@]}" "$DESKHAND" review 2>/dev/null)
what="$id8 turn 2: run_command chmod 000 notes.txt; chmod 000 sub"
assert_eq "$(head -2 <<<"$rt")" \
"T  notes.txt  mode 100644 -> 100000  [$what]
T  sub/  mode 040755 -> 040000  [$what]" "the review's lines"
assert_contains "$(sed -n 3p <<<"$rt")" "2 files pending in $G "
out=$("${AS[@]}" "$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo failed"; }
echo "$out"
assert_eq "$(stat -c %a "$G/notes.txt") $(stat -c %a "$G/sub")" "644 755" "modes after the undo"
diff -r "$T/orig" "$G" || fail "the folder differs from the original after the undo"
assert_eq "$("${AS[@]}" "$DESKHAND" review --json | jq -r '[.grants[].files[].path] | join(" ")')" "" \
  "pending after the undo"
# redo: mode 0000 is a mode like any other, for the file and the directory
out=$("${AS[@]}" "$DESKHAND" redo 2>&1) || { echo "$out"; fail "redo failed"; }
assert_eq "$(stat -c %a "$G/notes.txt") $(stat -c %a "$G/sub")" "0 0" "modes after the redo"
chmod 755 "$G/sub"; chmod 644 "$G/notes.txt"
diff -r "$T/orig" "$G" || fail "the folder differs from the original after the redo"
echo ok

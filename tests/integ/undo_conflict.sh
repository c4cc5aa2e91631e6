# deskhand undo --to refuses, naming the files, when someone changed a path
# since the agent did (the change is recorded first as external, so nothing
# is lost); nothing is modified; --force then returns the folder to the
# checkpoint, and the person's versions stay in the recorded checkpoint.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "original" > "$G/doc.txt"; echo "keep" > "$G/other.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "doc.txt", "content": "agent version\n"}}]},
 {"text": "edited", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
echo "the person's edit" > "$G/doc.txt"        # someone changes it after the agent did
echo "also changed" > "$G/other.txt"            # a path the agent never touched
set +e
out=$("$DESKHAND" undo --to baseline 2>&1); rc=$?
set -e
echo "$out"
assert_eq "$rc" 3 "exit status of a refused undo"
assert_contains "$out" "doc.txt"
assert_contains "$out" "other.txt"
assert_contains "$out" "as external changes"
assert_eq "$(cat "$G/doc.txt")" "the person's edit"
assert_eq "$(cat "$G/other.txt")" "also changed"
"$DESKHAND" undo --to baseline --force >/dev/null || fail "undo --force failed"
assert_eq "$(cat "$G/doc.txt")" "original"
assert_eq "$(cat "$G/other.txt")" "keep"
# the person's edits are in the recovered checkpoint: restore brings them back
ext=$("$DESKHAND" log --json | jq -r '.[] | select(.label=="external changes (recovered)") | .short_id')
[ "$(wc -l <<<"$ext")" = 1 ] && [ -n "$ext" ] || fail "expected one recovered checkpoint, got '$ext'"
"$DESKHAND" restore "$ext" >/dev/null || fail "restore of the recovered checkpoint failed"
assert_eq "$(cat "$G/doc.txt")" "the person's edit"
assert_eq "$(cat "$G/other.txt")" "also changed"
echo ok

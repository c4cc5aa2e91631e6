# A session killed (SIGKILL) while run_command runs, after the command changed
# files and before its checkpoint: `deskhand undo --to baseline` makes the
# folder byte-identical to the original on the FIRST try (contents, modes,
# types, links, empty directories), because it first records what changed
# since the last checkpoint, attributed to the interrupted call. The log shows
# that recovery checkpoint.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub/empty"
for i in $(seq 1 20); do echo "file $i" > "$G/f$i.txt"; done
printf '#!/bin/sh\necho hi\n' > "$G/sub/run.sh"; chmod 755 "$G/sub/run.sh"
ln -s f1.txt "$G/link"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "change"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f2.txt", "content": "agent\n"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo changed > f3.txt && rm f4.txt && chmod 600 f5.txt && echo new > new.txt && rmdir sub/empty && ln -sf f9.txt link && touch ready && sleep 2"}}]},
 {"text": "never", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" change
assert_eq "$(cat "$G/f3.txt")" changed "the command's change before the kill"
out=$("$DESKHAND" undo --to baseline 2>&1) || { echo "$out"; fail "undo --to baseline failed"; }
echo "$out"
diff -r "$T/orig" "$G" || fail "the folder differs from the original after the first undo"
assert_eq "$(folder_listing "$G")" "$(folder_listing "$T/orig")" "find listing after the first undo"
# the recovery is in the log, attributed to the interrupted call
log=$("$DESKHAND" log --json)
rec=$(jq -c '.[] | select(.tool_call=="toolu_killed")' <<<"$log")
[ -n "$rec" ] || { echo "$log"; fail "no checkpoint of the interrupted call"; }
assert_contains "$(jq -r .label <<<"$rec")" "interrupted"
assert_contains "$(jq -r '[.changes[].path] | join(" ")' <<<"$rec")" "f3.txt"
echo ok

# The person's .deskhandignore works as before (an ignored path is not
# recorded nor reviewed) and the agent cannot change it: a command finds it
# bound read-only (it cannot write, truncate, remove or move it), and the
# file tools refuse it. So what the person chose to leave out stays the only
# thing left out of review and undo.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G/cache"
printf 'cache/\n' > "$G/.deskhandignore"
echo old > "$G/cache/old"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo y > cache/x; printf 'cache/\\nsecret/\\n' >> .deskhandignore && echo APPENDED; true > .deskhandignore && echo TRUNCATED; rm -f .deskhandignore && echo REMOVED; mv .deskhandignore moved && echo MOVED; mkdir secret; echo s > secret/s; echo b > b.txt"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ".deskhandignore", "content": "*\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result").output' <<<"$out")
echo "$res"
for w in APPENDED TRUNCATED REMOVED MOVED; do assert_not_contains "$res" "$w"; done
assert_eq "$(cat "$G/.deskhandignore")" "cache/" "the person's rules"
[ ! -e "$G/moved" ] || fail "the rules were moved away"
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="write_file").output' <<<"$out")" "is protected"
assert_eq "$(cat "$G/cache/x") $(cat "$G/secret/s") $(cat "$G/b.txt")" "y s b"
cd "$G"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
j=$("$DESKHAND" review --json) || fail "review"
# the ignored path is left out, as the person's rules say; the rest is there
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "b.txt secret/s"
"$DESKHAND" undo --steps 1 >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
[ ! -e "$G/secret/s" ] && [ ! -e "$G/b.txt" ] || fail "undo left the command's changes"
assert_eq "$(cat "$G/cache/x")" y "undo leaves the ignored path alone"
assert_eq "$(cat "$G/.deskhandignore")" "cache/"
echo ok

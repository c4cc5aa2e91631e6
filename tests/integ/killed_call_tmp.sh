# A tool call killed between writing a file's temporary copy and renaming it
# into place leaves ".dh-tmp-" + 16 hex digits in the folder (core/atomic.h).
# The recovery that records the interrupted call's changes removes it and
# says so: before, it was recorded as the call's change, listed pending
# review, and an accept made it part of the accepted state.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"; echo orig > "$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_cmd", "input": {"command":
   "echo changed > f.txt; printf part > sub/.dh-tmp-0123456789abcdef; printf mine > sub/.dh-tmp-notours; touch ready; sleep 30"}}]},
 {"text": "unused", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" "Run"
rm "$G/ready"
cd "$G"
out=$("$DESKHAND" review --stat 2>&1) || { echo "$out"; fail "review failed"; }
echo "$out"
assert_contains "$out" "removed sub/.dh-tmp-0123456789abcdef, a write it had not finished"
assert_contains "$out" "M  f.txt"
assert_not_contains "$out" "0123456789abcdef  "
[ -e sub/.dh-tmp-0123456789abcdef ] && fail "the temporary file is still there"
# a name that is not one of ours stays, the call's like any other file
[ -e sub/.dh-tmp-notours ] || fail "sub/.dh-tmp-notours was removed"
assert_contains "$out" "A  sub/.dh-tmp-notours"
echo ok

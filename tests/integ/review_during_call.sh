# A review action sent to the live engine while a tool call that changes the
# folder is running (run_command, here mid-way: s.txt written, e.txt not yet)
# is refused, naming the call, and records nothing: before, its first
# checkpoint took the call's half-made changes for someone else's
# ("external changes (recovered)"), so reject of s.txt said the person had
# changed it, and undo of the agent's step left s.txt behind. Once the call
# ends, its step holds both files and undo takes both.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command":
   "echo start > s.txt; while [ ! -e go ]; do sleep 0.05; done; echo end > e.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
id=$("$DESKHAND" run --detach --grant "$G" --mode auto --approve-plan "Run") \
  || fail "run --detach failed"
for _ in $(seq 1 400); do [ -e s.txt ] && break; sleep 0.05; done
[ -e s.txt ] || fail "the command did not start"
for verb in "reject s.txt" "accept" "undo" "restore baseline"; do
  rc=0; "$DESKHAND" $verb >"$T/v.out" 2>"$T/v.err" || rc=$?
  assert_eq "$rc" 1 "exit status of '$verb' while run_command runs"
  assert_contains "$(cat "$T/v.err")" "run_command is running: its changes are not recorded yet"
done
assert_eq "$(cat s.txt)" start "s.txt after the refused actions"
[ -e e.txt ] && fail "the command went on before go existed"
touch go
"$DESKHAND" wait "$id" >/dev/null 2>&1 || fail "wait failed"
log=$("$DESKHAND" log "$id" 2>&1)
echo "$log"
case $log in *"external changes"*) fail "the call's changes were recorded as external changes";; esac
assert_contains "$log" "A s.txt"
out=$("$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo failed"; }
echo "$out"
assert_eq "$(ls | tr '\n' ' ')" "a.txt " "the folder after the undo of the command's step"
echo ok

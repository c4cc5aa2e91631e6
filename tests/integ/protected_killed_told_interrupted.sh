# What the recovery of a killed command takes back is told to the model
# even when the resumed task is interrupted while it starts, before its
# first request: the lines go with that task's message into the history,
# and the next resume's request carries them. Before, they were kept only
# in the engine for a next task that never came there: the model was never
# told.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' > .bashrc; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"body_contains": "removed .bashrc, a protected path the interrupted call toolu_killed created"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
# Six more folders, each with a trusted 15 MiB skill: reading them
# outlasts the recovery (the checkpoints leave the big files out).
echo "set large_file_limit = 1" > "$T/config"; export DH_CONFIG=$T/config
more=()
big_skill_folders "$T/more" 6; more+=("${BIG_GRANTS[@]}")
n=$(wc -l < "$FAKE_LOG")
# Interrupted once the recovery reported, while the skill is still read.
"$DESKHAND" run --resume "$sid" "${more[@]}" --mode auto --json "go on" > "$T/r1" 2>"$T/e1" &
pid=$!
for _ in $(seq 1 400); do grep -q '"recover"' "$T/r1" && break; sleep 0.01; done
grep -q '"recover"' "$T/r1" || { kill $pid; cat "$T/r1" "$T/e1"; fail "no recovery report"; }
kill -INT $pid
rc=0; wait $pid || rc=$?
assert_eq "$rc" 130 "the interrupted resume's exit status"
assert_contains "$(cat "$T/r1")" "removed .bashrc"
assert_eq "$(wc -l < "$FAKE_LOG")" "$n" "requests of the interrupted resume"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
# The next resume's request tells the model.
"$DESKHAND" run --resume "$sid" --mode auto "again" > "$T/r2" 2>"$T/e2" ||
  { cat "$T/r2" "$T/e2"; fail "the resume after the interrupted one failed (the model was not told?)"; }
assert_contains "$(cat "$T/r2")" "Resumed and done."
echo ok

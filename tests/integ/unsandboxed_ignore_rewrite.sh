# Without the sandbox (--dangerously-run-commands-unsandboxed) nothing binds
# the person's .deskhandignore read-only, so a command can rewrite it. Its
# step is still recorded under the person's rules, as they were before the
# command: a change under a path the new rules name (hid/y) is in the step,
# listed by review and taken back by undo. The rewrite is reported to the
# model and put back after the step's checkpoint, in a checkpoint of
# deskhand's own. A .bashrc the command creates is taken back too, as under
# the sandbox. Before, the rewritten rules stayed and decided what the step
# recorded: hid/y was in no step, and undo left it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"; printf 'cache/\n' > "$G/.deskhandignore"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'cache/\\nhid/\\n' > .deskhandignore; mkdir hid; echo z > hid/y; echo 'echo pwned' > .bashrc"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "cat .deskhandignore"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_contains "$res" "UNSANDBOXED"
assert_contains "$res" "this command changed $G/.deskhandignore"
assert_contains "$res" "created $G/.bashrc"
assert_eq "$(cat "$G/.deskhandignore")" "cache/" "the person's rules, put back"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
assert_eq "$(cat "$G/hid/y")" z
# the model (its next request) and the person (an audit event) are told
assert_contains "$(sed -n 3p "$FAKE_LOG")" "put back $G/.deskhandignore as the person had it"
assert_contains "$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")" \
  "put back $G/.deskhandignore"
cd "$G"
"$DESKHAND" log --json > "$T/log.json" || fail "log"
changes() { jq -r --arg l "$1" '[.[] | select(.label | startswith($l))][0] | [.changes[] | .status + " " + .path] | join(",")' "$T/log.json"; }
assert_eq "$(changes 'turn 2: run_command')" "A .bashrc,M .deskhandignore,A hid/y"
assert_eq "$(changes 'deskhand took back')" "D .bashrc,M .deskhandignore"
j=$("$DESKHAND" review --json) || fail "review"
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "hid/y"
"$DESKHAND" undo >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
[ ! -e "$G/hid" ] || fail "undo left hid/: $(ls -A "$G/hid")"
assert_eq "$(cat "$G/.deskhandignore")" "cache/"
echo ok

# Without the sandbox, an engine killed (SIGKILL) while a command ran leaves
# the copies of the protected files on disk. A review verb run before any
# resume recovers the session: it puts back the .bashrc the command rewrote
# right then, and says so; the resume after it tells the model once, from
# what the verb kept for it. Before, the verb recovered without the
# put-back: the rewritten .bashrc stayed until a resume.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' >> .bashrc; chmod 644 .bashrc; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "put back .bashrc as the person had it, a protected path the interrupted call toolu_killed changed"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x --dangerously-run-commands-unsandboxed
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
(cd "$G" && "$DESKHAND" review) > "$T/review.out" 2>&1 || { cat "$T/review.out"; fail "review"; }
cat "$T/review.out"
# put back by the verb, and said to the person
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(stat -c %a "$G/.bashrc")" 600
assert_contains "$(cat "$T/review.out")" "$G: put back .bashrc as the person had it, a protected path the interrupted call toolu_killed changed"
[ -z "$(find "$T" -name protected-copies)" ] || fail "the copies on disk outlived the put-back"
log=$("$DESKHAND" log --session "$sid" 2>&1 || true)
assert_contains "$log" "deskhand put back the protected paths the interrupted call toolu_killed changed"
# the resume tells the model, once
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume after review failed (the model was not told?)"; }
assert_contains "$(cat "$T/resumed")" "Resumed and done."
req=$(tail -n 1 "$FAKE_LOG")
n=$(printf '%s' "$req" | grep -o "put back .bashrc as the person had it" | wc -l)
assert_eq "$n" 1
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(cat "$G/a.txt")" b
# and not again at the next task
cat > "$T/script2.json" <<'JSON'
{"turns": [{"text": "Again.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script2.json"
"$DESKHAND" run --resume "$sid" --mode auto "and then" > "$T/resumed2" 2>"$T/err3" ||
  { cat "$T/resumed2" "$T/err3"; fail "second resume"; }
req=$(tail -n 1 "$FAKE_LOG")
n=$(printf '%s' "$req" | grep -o "put back .bashrc as the person had it" | wc -l)
assert_eq "$n" 1
echo ok

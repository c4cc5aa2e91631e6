# What the recovery of a killed command takes back is told to the model, as
# a live take-back is in the command's result: the first request of the
# resumed run carries it. Both when the resume itself recovers (its first
# task waits for the recovery) and when a review verb recovered before it
# (the lines wait in the shadow repository for the next resume). Before, the
# model was never told: only the person's report said so.
. "$DH_TESTS/lib.sh"
script() {
  cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' > .bashrc; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "removed .bashrc, a protected path the interrupted call toolu_killed created"}}
]}
JSON
}
resume() {
  rm -f "$G/ready"
  local sid
  sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
  "$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
    { cat "$T/resumed" "$T/err2"; fail "resume failed (the model was not told?)"; }
  cat "$T/resumed"
  [ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
  assert_contains "$(cat "$T/resumed")" "Resumed and done."
}

# the resume recovers
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"
script; start_fake "$T/script.json"
run_killed_in_command "$G" x
resume

# a review verb recovers first: the next resume tells the model
G=$T/work2; mkdir -p "$G"; echo a > "$G/a.txt"
script; start_fake "$T/script.json"
run_killed_in_command "$G" x
(cd "$G" && "$DESKHAND" review) > "$T/review.out" 2>&1 || { cat "$T/review.out"; fail "review"; }
cat "$T/review.out"
assert_contains "$(cat "$T/review.out")" "removed .bashrc"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place by the review's recovery"
resume
echo ok

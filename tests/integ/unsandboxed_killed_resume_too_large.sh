# Without the sandbox the engine keeps the bytes of a protected file up to
# 1 MiB (64 MiB for one command). A larger one is kept on disk without its
# bytes, by its type, bits, inode, size and mtime: after an engine killed
# (SIGKILL) during a command that rewrote it, --resume tells the model and
# the person that the call changed it and that it could not be put back;
# a large one the command left alone is not named. Before, nothing was
# said of it at all.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"
head -c 2097152 /dev/zero | tr '\0' '#' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
head -c 2097152 /dev/zero | tr '\0' '#' > "$G/.zshrc"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' >> .bashrc; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "the interrupted call toolu_killed changed .bashrc, a protected path; deskhand kept no copy of it"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x --dangerously-run-commands-unsandboxed
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed (the model was not told?)"; }
assert_contains "$(cat "$T/resumed")" "Resumed and done."
# left as the command made it
assert_contains "$(tail -n 1 "$G/.bashrc")" "echo pwned"
req=$(tail -n 1 "$FAKE_LOG")
assert_contains "$req" "the interrupted call toolu_killed changed .bashrc, a protected path; deskhand kept no copy of it (over 1 MiB, past the 64 MiB kept for one command, or unreadable) and could not put it back: look at it"
assert_not_contains "$req" "changed .zshrc"
assert_contains "$(cat "$T/resumed" "$T/err2")" "$G: the interrupted call toolu_killed changed .bashrc, a protected path"
[ -z "$(find "$T" -name protected-copies)" ] || fail "the copies on disk outlived the resume"
echo ok

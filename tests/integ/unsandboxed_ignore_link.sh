# Without the sandbox (--dangerously-run-commands-unsandboxed) a command can
# rewrite the person's .deskhandignore; deskhand puts it back after the
# command's checkpoint, and puts it back as it was: a symlink to the
# person's rules stays a symlink, with what the command wrote through it
# undone in the file it names, and a file keeps its own permission bits.
# Before, the link came back as a regular file (and the rules it names kept
# the command's text), and the file came back with the default mode.
. "$DH_TESTS/lib.sh"
G=$T/work; G2=$T/other; mkdir -p "$G" "$G2" "$T/dots"
printf 'cache/\n' > "$T/dots/rules"; chmod 640 "$T/dots/rules"
ln -s ../dots/rules "$G/.deskhandignore"
printf 'build/\n' > "$G2/.deskhandignore"; chmod 600 "$G2/.deskhandignore"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'hid/\\\\n' > .deskhandignore; rm $G2/.deskhandignore; printf 'hid/\\\\n' > $G2/.deskhandignore"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --grant "$G2" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_contains "$res" "this command changed $G/.deskhandignore"
assert_contains "$res" "this command changed $G2/.deskhandignore"
[ -L "$G/.deskhandignore" ] || fail "the link came back as: $(stat -c %F "$G/.deskhandignore")"
assert_eq "$(readlink "$G/.deskhandignore")" ../dots/rules
assert_eq "$(cat "$T/dots/rules")" "cache/" "the rules the link names"
assert_eq "$(stat -c %a "$T/dots/rules")" 640
assert_eq "$(cat "$G2/.deskhandignore")" "build/"
assert_eq "$(stat -c %a "$G2/.deskhandignore")" 600
assert_contains "$(sed -n 3p "$FAKE_LOG")" "put back $G/.deskhandignore as the person had it"
assert_contains "$(sed -n 3p "$FAKE_LOG")" "put back $G2/.deskhandignore as the person had it"
echo ok

# The recovery of a command killed before its checkpoint takes back only the
# protected paths the command made: the person's own, there before it ran,
# stay, even those no checkpoint holds (a .deskhandignore that names itself,
# and the .zshrc it hides). The .bashrc the command made is taken back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"; echo 'alias l=ls' > "$G/.zshrc"
printf '.deskhandignore\n.zshrc\n' > "$G/.deskhandignore"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' > .bashrc; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
[ -e "$G/.bashrc" ] || fail "the command did not run"
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
assert_eq "$(cat "$G/.deskhandignore")" "$(printf '.deskhandignore\n.zshrc')" "the person's rules"
assert_eq "$(cat "$G/.zshrc")" 'alias l=ls' "the person's .zshrc"
assert_eq "$(cat "$G/a.txt")" b
assert_contains "$(cat "$T/resumed")" "removed .bashrc, a protected path the interrupted call toolu_killed created"
assert_not_contains "$(cat "$T/resumed")" "removed .deskhandignore"
assert_not_contains "$(cat "$T/resumed")" "removed .zshrc"
echo ok

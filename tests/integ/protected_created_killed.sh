# A command killed (SIGKILL) after it made protected paths at the folder's
# root, before its checkpoint: the recovery on --resume records its changes
# under the person's rules (there was no .deskhandignore, so the built-in ones
# alone: the rules the agent wrote do not hide hid/y from its step), then takes
# the paths back as the live checkpoint would, saying so, and records that in
# a checkpoint of its own. The person's .profile, there before, stays. Before,
# the recovery recorded the folder as it found it: .deskhandignore and .bashrc
# stayed, and hid/y was in no step (the agent's rules hid it).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"; echo 'export A=1' > "$G/.profile"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "printf 'hid/\\n' > .deskhandignore; mkdir hid; echo z > hid/y; echo 'echo pwned' > .bashrc; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
[ -e "$G/.deskhandignore" ] && [ -e "$G/.bashrc" ] || fail "the command did not run"
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
[ ! -e "$G/.deskhandignore" ] || fail ".deskhandignore left in place: $(cat "$G/.deskhandignore")"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
assert_eq "$(cat "$G/.profile")" 'export A=1' "the person's .profile"
assert_contains "$(cat "$T/resumed")" "removed .deskhandignore, a protected path the interrupted call toolu_killed created"
assert_contains "$(cat "$T/resumed")" "removed .bashrc, a protected path the interrupted call toolu_killed created"
cd "$G"
"$DESKHAND" log --json > "$T/log.json" || fail "log"
changes() { jq -r --arg l "$1" '[.[] | select(.label | startswith($l))][0] | [.changes[] | .status + " " + .path] | join(",")' "$T/log.json"; }
assert_eq "$(changes 'interrupted: toolu_killed')" "A .bashrc,A .deskhandignore,A hid/y"
assert_eq "$(changes 'deskhand removed')" "D .bashrc,D .deskhandignore"
j=$("$DESKHAND" review --json) || fail "review"
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "hid/y"
"$DESKHAND" undo >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
[ ! -e "$G/hid" ] || fail "undo left hid/: $(ls -A "$G/hid")"
[ ! -e "$G/.bashrc" ] || fail "undo brought .bashrc back"
assert_eq "$(ls -A "$G" | tr '\n' ' ')" ".profile a.txt "
echo ok

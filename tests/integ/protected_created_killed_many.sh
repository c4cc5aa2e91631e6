# A command killed before its checkpoint that made several protected paths,
# .deskhandignore among them: the recovery records its changes under the
# person's rules (the built-in ones alone) whatever else it made, so the
# change its rules would hide (hid/y) is in its step. Before, the lookup of
# .deskhandignore among them was a binary search of an unsorted list, and
# with .bashrc and .mcp.json beside it missed it: hid/y was in no step.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "printf 'hid/\\n' > .deskhandignore; mkdir hid; echo z > hid/y; echo x > .bashrc; echo '{}' > .mcp.json; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
for f in .deskhandignore .bashrc .mcp.json; do [ ! -e "$G/$f" ] || fail "$f left in place"; done
cd "$G"
"$DESKHAND" log --json > "$T/log.json" || fail "log"
changes() { jq -r --arg l "$1" '[.[] | select(.label | startswith($l))][0] | [.changes[] | .status + " " + .path] | join(",")' "$T/log.json"; }
assert_eq "$(changes 'interrupted: toolu_killed')" "A .bashrc,A .deskhandignore,A .mcp.json,A hid/y"
echo ok

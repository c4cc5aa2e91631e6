# A .deskhandignore that a command creates (there was none) is taken back
# after the command's checkpoint, as any protected path, and it does not
# decide what that checkpoint records: the rules then are the person's (the
# built-in ones alone), so a change the same command made under a path it
# names is in the command's step, listed by review and undone by undo.
# Rules that also name the file itself (so that its removal would be unseen)
# do not outlive it either: a later command's change there is its own step's.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo a > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'cache/\\n' > .deskhandignore; mkdir -p cache; echo y > cache/x"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf '.deskhandignore\\nhid/\\n' > .deskhandignore; mkdir hid; echo z > hid/y"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo w > hid/w; echo b > a.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_eq "$(cat "$G/cache/x") $(cat "$G/hid/y") $(cat "$G/hid/w")" "y z w"
cd "$G"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
"$DESKHAND" log --json > "$T/log.json" || fail "log"
changes() { jq -r --arg l "$1" '[.[] | select(.label | startswith($l))][0] | [.changes[] | .status + " " + .path] | join(",")' "$T/log.json"; }
# each change is in the step of the command that made it
assert_eq "$(changes 'turn 2: run_command')" "A .deskhandignore,A cache/x"
assert_eq "$(changes 'turn 3: run_command')" "A .deskhandignore,A hid/y"
assert_eq "$(changes 'turn 4: run_command')" "M a.txt,A hid/w"
# the rules were taken back, and the model told
assert_contains "$res" "created $G/.deskhandignore"
[ ! -e "$G/.deskhandignore" ] || fail ".deskhandignore left in place: $(cat "$G/.deskhandignore")"
assert_eq "$(changes 'deskhand removed')" "D .deskhandignore"
j=$("$DESKHAND" review --json) || fail "review"
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "a.txt cache/x hid/w hid/y"
# undo takes every step back, the hidden ones' changes included
for i in 1 2 3; do
	"$DESKHAND" undo >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo $i failed"; }
done
[ ! -e "$G/cache/x" ] || fail "undo left cache/x: $(cat "$G/cache/x")"
[ ! -e "$G/hid/y" ] || fail "undo left hid/y"
[ ! -e "$G/hid/w" ] || fail "undo left hid/w"
[ ! -e "$G/.deskhandignore" ] || fail "undo brought .deskhandignore back"
assert_eq "$(cat "$G/a.txt")" a
j=$("$DESKHAND" review --json) || fail "review after undo"
assert_eq "$(jq -r '[.grants[0].files[].path] | join(" ")' <<<"$j")" ""
echo ok

# A granted folder inside another has its own .deskhandignore at its root.
# One that a command creates there (there was none) does not decide what the
# inner grant's checkpoint of that command records either: the change under
# the path it names is in the command's step of both grants, in review, and
# undone; the file is taken back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
echo inner > "$G/sub/in.txt"
jq -n --arg g "$G" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_a", "input": {"command":
   ("cd " + $g + "/sub && printf \"cache/\\n\" > .deskhandignore; mkdir -p cache; echo y > cache/x")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --grant "$G/sub" --approve-plan --mode auto --json "edit" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat "$G/sub/cache/x")" y
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
j=$("$DESKHAND" review --json 2>"$T/rv.err") || { cat "$T/rv.err"; fail "review"; }
steps=$(jq -r --arg g "$G" '.grants[] | .grant as $f | .files[] | "\($f | ltrimstr($g)) \(.path) \(.step.tool_call)"' <<<"$j" | sort)
assert_contains "$steps" "/sub cache/x toolu_a"
assert_contains "$steps" " sub/cache/x toolu_a"
[ ! -e "$G/sub/.deskhandignore" ] || fail "sub/.deskhandignore left in place"
cd "$G/sub"
"$DESKHAND" undo >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
[ ! -e "$G/sub/cache/x" ] || fail "undo left sub/cache/x"
echo ok

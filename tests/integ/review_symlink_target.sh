# A symlink the agent pointed elsewhere (same path, still a link, a new
# target) is listed by `deskhand review` with both targets, as git's diff of
# a link shows them: "symlink: OLD -> NEW"; a created link gives its target,
# a removed one the target it had. --json carries them as old_target and
# new_target, and the workbench's diff pane says the same over each file.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
printf 'a\n' > "$G/a.txt"; printf 'b\n' > "$G/b.txt"
ln -s a.txt "$G/link"
ln -s b.txt "$G/doomed"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Relink"}]}}]},
 {"tool_calls": [{"name": "run_command",
   "input": {"command": "ln -sfn b.txt link && ln -s a.txt fresh && rm doomed"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/run.out"
[ "$(readlink "$G/link")" = b.txt ] || fail "the session did not retarget the link"
out=$("$DESKHAND" review 2>&1) || fail "review exited $?: $out"
line() { grep -E "^. +$1( |$)" <<<"$out" || fail "no line for $1 in: $out"; }
assert_contains "$(line link)" "symlink: a.txt -> b.txt"
assert_contains "$(line fresh)" "symlink to a.txt"
assert_contains "$(line doomed)" "was a symlink to b.txt"
j=$("$DESKHAND" review --json)
f() {
  jq -r --arg p "$1" '.grants[0].files[] | select(.path==$p)
    | "\(.status) \(.old_target) \(.new_target)"' <<<"$j"
}
assert_eq "$(f link)" "M a.txt b.txt"
assert_eq "$(f fresh)" "A null a.txt"
assert_eq "$(f doomed)" "D b.txt null"

# the workbench: each file's diff says what its link pointed to
steps ":wait text diff \\(3 files pending\\)
<Tab>
z
g
:wait text ^── doomed \\(
:wait idle
:save-screen $T/doomed.scr
}
:wait text ^── fresh \\(
:wait idle
:save-screen $T/fresh.scr
}
:wait text ^── link \\(
:wait idle
:save-screen $T/link.scr
:quit"
ui_run 100 30 --resume latest
assert_screen doomed '^was a symlink to b\.txt'
assert_screen fresh '^symlink to a\.txt'
assert_screen link '^symlink: a\.txt -> b\.txt'
screen link | grep -F 'no text to show' && fail "the retargeted link has 'no text to show'"
echo ok

# A session whose head ref is gone while its baseline is there is damage,
# named as such, not an empty session: `review` said "nothing pending" (exit
# 0), `log` listed no checkpoint, and a resume recorded the folder as a new
# history with no parent, over the baseline ref, so the session's first state
# and every step after it were no longer reachable. Now every verb and the
# resume name the missing ref (exit 1), and the baseline stays where it was.
. "$DH_TESTS/lib.sh"
G=$T/work
snap_two_edits "$G" "$T/run.out"
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
rm "$R/refs/deskhand/$SID/head"
git --git-dir="$R" rev-parse -q --verify "refs/deskhand/$SID/head" >/dev/null &&
  fail "the head ref is still there (packed?)"
damage="snapshot: the head of session $SID (refs/deskhand/$SID/head) is missing, though its baseline is there: the snapshot store is damaged"
for verb in review log accept undo; do
  set +e; "$DESKHAND" $verb --session "$SID" >"$T/out" 2>"$T/err"; rc=$?; set -e
  assert_eq "$rc" 1 "exit status of $verb with the head ref gone"
  assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
  assert_not_contains "$(cat "$T/out")" "nothing pending"
done
echo "line 3" > "$G/f2.txt"
start_fake "$T/two_edits.json"
set +e
"$DESKHAND" run --resume "$SID" --approve-plan --mode auto "more" >"$T/out" 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "exit status of the resume with the head ref gone"
assert_contains "$(cat "$T/err")" "$damage"
assert_eq "$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")" "$base" "the baseline ref after the resume"
git --git-dir="$R" rev-parse -q --verify "refs/deskhand/$SID/head" >/dev/null &&
  fail "the resume wrote a head over the damage"
echo ok

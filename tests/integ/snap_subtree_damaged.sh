# A directory's tree below a checkpoint's top (sub/, sub/deep/) that cannot
# be read: its loose file emptied by a crash. Before, every verb failed with
# libgit2's "failed to insert entry: invalid object specified - sub" while
# the folder still held that directory as recorded, and with a bare "failed
# to parse loose object: invalid header" once it had changed.
# 1. The folder still holds both directories as the head recorded them: the
#    scan writes each tree anew, deepest first, and every verb works.
# 2. Emptied again, and sub/ changed since: nothing to write it from. `diff`
#    names the directory, the tree and its file; the next command records
#    the folder over the head (saying which checkpoint to diff to see the
#    damage); what still needs that tree (the review's accepted mark, the
#    baseline, a restore) names it and changes nothing.
. "$DH_TESTS/lib.sh"
G=$T/work
mkdir -p "$G/sub/deep"; echo "in sub" > "$G/sub/s.txt"; echo deep > "$G/sub/deep/d.txt"
snap_two_edits "$G" "$T/one.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
sub=$(git --git-dir="$R" rev-parse "$head:sub")
deep=$(git --git-dir="$R" rev-parse "$head:sub/deep")
empty_tree() { local o; o=$(loose_object "$R" "$1"); [ -f "$o" ] || fail "tree $1 is not loose"; chmod u+w "$o"; : > "$o"; }

# 1.
empty_tree "$sub"; empty_tree "$deep"
"$DESKHAND" diff --session "$SID" head >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "diff head over the emptied trees"; }
assert_eq "$(cat "$T/out")" "" "diff head: the folder is the head"
assert_eq "$(git --git-dir="$R" cat-file -p "$sub" | awk '{print $4}' | tr '\n' ' ')" "deep s.txt " "sub/ written anew"
assert_eq "$(git --git-dir="$R" cat-file -p "$deep" | awk '{print $4}')" "d.txt" "sub/deep/ written anew"
[ -z "$(find "$R/objects" -name '*.damaged')" ] || fail "a damaged file was left: $(find "$R/objects" -name '*.damaged')"
"$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "review after the repair"; }
assert_contains "$(cat "$T/out")" "2 files pending"

# 2.
empty_tree "$sub"
echo changed > "$G/sub/s.txt"
obj=$(loose_object "$R" "$sub")
damage="snapshot: $R/: cannot read sub/ as a checkpoint recorded it: its tree $sub: failed to parse loose object: invalid header; its file $obj is empty. Checkpoints without this version of the directory can still be restored; or copy the object back from a backup of the repository"
set +e; "$DESKHAND" diff --session "$SID" head >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with sub/ emptied and changed"
assert_eq "$(cat "$T/err")" "deskhand: $G: $damage" "diff head's error"
# The review's recovery records the folder over the head; the review itself
# needs the accepted mark's sub/ (the baseline's: the same tree).
set +e; "$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "review with the accepted mark's sub/ unreadable"
now=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
[ "$now" != "$head" ] || fail "no checkpoint recorded over the head"
assert_eq "$(git --git-dir="$R" rev-parse "$now^")" "$head" "the new checkpoint's parent"
assert_eq "$(git --git-dir="$R" cat-file -p "$now:sub/s.txt")" "changed" "sub/s.txt in it"
assert_contains "$(cat "$T/out")" "$G: a directory of the head checkpoint ${head:0:12} of session $SID cannot be read ('deskhand diff ${head:0:12}' names it): recorded the folder as it is now over it (checkpoint ${now:0:12})"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
# From the new head on, what does not need sub/'s old tree works.
"$DESKHAND" diff --session "$SID" head >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "diff of the new head"; }
assert_eq "$(cat "$T/out")" "" "diff of the new head"
set +e; "$DESKHAND" diff --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff of the old head"
assert_eq "$(cat "$T/err")" "deskhand: $G: $damage" "what diff of the old head names"
# A restore that needs it names it and changes nothing.
set +e; "$DESKHAND" restore --force --session "$SID" baseline >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "restore of the baseline, whose sub/ is that tree"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
assert_eq "$(cat "$G/f1.txt" "$G/sub/s.txt")" "LINE 1
changed" "the folder after the refused restore"
echo ok

# A checkpoint's tree that cannot be read (its loose file emptied by a
# crash) is named as a damaged commit is (snap_object_damaged): the shadow
# repository, the checkpoint, its ref, the tree and its file. With the
# head's tree emptied: `log` lists every checkpoint and marks the head
# (exit 1); `diff head` names it. The folder still holds what that tree
# recorded, so a scan of it writes the tree anew: `diff baseline` works, and
# `log` reads everything again. Emptied once more: `undo` records the folder
# over the damaged head, which writes the tree anew (said on stdout), then
# undoes the last edit. With the head's tree emptied and the folder changed
# since, `undo --to baseline` records the folder over the damaged head,
# which stays as it was, and puts the folder back.
. "$DH_TESTS/lib.sh"

# 1. The head's tree emptied; the folder still matches it.
G=$T/work
snap_two_edits "$G" "$T/one.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
tree=$(git --git-dir="$R" rev-parse "$head^{tree}")
obj=$(loose_object "$R" "$tree")
[ -f "$obj" ] || fail "the head's tree is not a loose object: $obj"
chmod u+w "$obj"; : > "$obj"
damage="snapshot: $R/: cannot read checkpoint ${head:0:12}, the head of session $SID (refs/deskhand/$SID/head): its tree $tree: failed to parse loose object: invalid header; its file $obj is empty. The folder itself is untouched"

set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the head's tree emptied"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log" | grep -v '^      M')" "session $SID (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
  $(git --git-dir="$R" rev-parse --short=12 "$head^")  TIME  turn 2: edit_file f1.txt
  ${head:0:12}  TIME  turn 3: edit_file f2.txt
      (not all of it can be read: see above)" "log with the head's tree emptied"
set +e; "$DESKHAND" diff --session "$SID" head >"$T/diff" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with the head's tree emptied"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${head:0:12}: its tree $tree: "
assert_contains "$(cat "$T/err")" "its file $obj is empty"

# diff baseline scans the folder, whose tree is the damaged one: written anew.
"$DESKHAND" diff --session "$SID" baseline >"$T/diff" 2>"$T/err" ||
  { cat "$T/err"; fail "diff baseline with the head's tree emptied"; }
assert_contains "$(cat "$T/diff")" "+LINE 1"
assert_contains "$(cat "$T/diff")" "+LINE 2"
assert_eq "$(git --git-dir="$R" cat-file -t "$tree")" tree "the tree written anew"
[ ! -e "$obj.damaged" ] || fail "the damaged copy was left behind"
"$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err" || { cat "$T/err"; fail "log once the tree is written anew"; }
assert_contains "$(cat "$T/log")" "turn 3: edit_file f2.txt
      M f2.txt"

# Emptied again: the recovery that undo runs first writes it anew.
chmod u+w "$obj"; : > "$obj"
"$DESKHAND" undo --session "$SID" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo with the head's tree emptied"; }
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $SID could not be read: the folder matched it, and recording it over it (checkpoint "
assert_contains "$(cat "$T/undo")" ") wrote what was damaged anew; it reads again"
assert_contains "$(cat "$T/undo")" "restored f2.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "LINE 1
line 2" "the folder after undo"
assert_eq "$(git --git-dir="$R" cat-file -t "$tree")" tree "the tree written anew by the recovery"
"$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err" || { cat "$T/err"; fail "log after the undo"; }
assert_contains "$(cat "$T/log")" "external changes (recovered)"
assert_contains "$(cat "$T/log")" "undo 1 step: ${head:0:12}"

# 2. The head's tree emptied, and the folder changed since: the damage stays.
G=$T/other
snap_two_edits "$G" "$T/two.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
tree=$(git --git-dir="$R" rev-parse "$head^{tree}")
obj=$(loose_object "$R" "$tree")
chmod u+w "$obj"; : > "$obj"
echo "line 3" > "$G/f3.txt"
"$DESKHAND" undo --to baseline --session "$SID" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo --to baseline with the head's tree emptied"; }
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $SID cannot be read (see 'deskhand log'): recorded the folder as it is now over it"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after undo --to baseline"
[ ! -e "$G/f3.txt" ] || fail "f3.txt, not in the baseline, is still there"
[ -f "$obj" ] && [ ! -s "$obj" ] || fail "the damaged tree's file was not left as it was"
set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log after the undo: the damage is still there"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${head:0:12}: its tree $tree: "
echo ok

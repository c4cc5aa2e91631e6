# A checkpoint object that cannot be read in the shadow repository (emptied
# by a crash, or corrupt) is named, and does not take down what does not
# need it. With the session's head commit emptied: `log` lists the
# baseline and marks the head, its message on stderr naming the shadow
# repository, the checkpoint, its ref, the object's file and libgit2's own
# text, and saying what to do (exit 1); `diff head` names it the same way;
# `undo --to baseline` puts the folder back, recording the folder over the
# damaged head; `undo` says why no step can be undone; and once the object
# is copied back, `log` reads everything again. With a corrupt checkpoint in
# the middle, `log` lists what it can around it and `undo --to baseline`
# works.
. "$DH_TESTS/lib.sh"
# 1. The head commit emptied.
G=$T/work
snap_two_edits "$G" "$T/one.out"
sid=$SID
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/baseline")
obj=$(loose_object "$R" "$head")
[ -f "$obj" ] || fail "the head is not a loose object: $obj"
cp "$obj" "$T/head.obj"
chmod u+w "$obj"; : > "$obj"
damage="snapshot: $R/: cannot read checkpoint ${head:0:12}, the head of session $sid (refs/deskhand/$sid/head): failed to parse loose object: invalid header; its file $obj is empty. The folder itself is untouched"

set +e; "$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the head emptied"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
assert_contains "$(cat "$T/err")" "'deskhand undo --to baseline'"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log")" "session $sid (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
  ${head:0:12}  ?                    (cannot be read: see above)" "log with the head emptied"
set +e; "$DESKHAND" log --json --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log --json with the head emptied"
assert_eq "$(jq -r '.[0].label, .[1].id' "$T/log" | tr '\n' ' ')" "baseline $head " "log --json"
assert_contains "$(jq -r '.[1].damaged' "$T/log")" "$damage"
set +e; "$DESKHAND" diff --session "$sid" head >"$T/diff" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with the head emptied"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${head:0:12}"
assert_contains "$(cat "$T/err")" "its file $obj is empty"

# undo --to baseline needs only the baseline: the folder goes back, and
# what it found is recorded over the damaged head (said on stdout).
"$DESKHAND" undo --to baseline --session "$sid" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo --to baseline with the head emptied"; }
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $sid cannot be read (see 'deskhand log'): recorded the folder as it is now over it"
assert_contains "$(cat "$T/undo")" "restored f1.txt"
assert_contains "$(cat "$T/undo")" "restored f2.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after undo --to baseline"
[ ! -s "$obj" ] || fail "the damaged object was rewritten"
# The recorded checkpoints are whole git commits on top of the damaged one.
new=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head")
rec=$(git --git-dir="$R" rev-parse "$new^")
assert_eq "$(git --git-dir="$R" rev-parse "$rec^")" "$head" "the recovery's parent"
subject() { git --git-dir="$R" cat-file commit "$1" | sed -n '/^$/{n;p;q}'; }
assert_eq "$(subject "$rec")" "external changes (recovered)"
assert_eq "$(subject "$new")" "restore ${base:0:12}"
set +e; "$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log after the undo: the damage is still there"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log" | grep -v '^      ')" "session $sid (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
  ${head:0:12}  ?                    (cannot be read: see above)
  ${rec:0:12}  TIME  external changes (recovered)
  ${new:0:12}  TIME  restore ${base:0:12}" "log after the undo"
# No step can be undone past the damage: said so, nothing written.
set +e; "$DESKHAND" undo --session "$sid" >"$T/undo" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "undo of a step behind the damage"
assert_contains "$(cat "$T/err")" "no agent step to undo since a checkpoint that cannot be read: snapshot: $R/: cannot read checkpoint ${head:0:12}"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after the refused undo"
# Copied back, as the message says: the whole history reads again.
cp "$T/head.obj" "$obj"
"$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err" || { cat "$T/err"; fail "log once the object is back"; }
assert_contains "$(cat "$T/log")" "turn 2: edit_file"
assert_contains "$(cat "$T/log")" "turn 3: edit_file"

# 2. A corrupt checkpoint in the middle (the first edit's).
G=$T/other
snap_two_edits "$G" "$T/two.out"
sid=$SID
mid=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head^")
obj=$(loose_object "$R" "$mid")
chmod u+w "$obj"; printf 'x\234 not zlib at all' > "$obj"
set +e; "$DESKHAND" log --session "$sid" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with a corrupt checkpoint in the middle"
assert_contains "$(cat "$T/err")" "snapshot: $R/: cannot read checkpoint ${mid:0:12}: "
assert_contains "$(cat "$T/err")" "its file $obj has 18 bytes"
assert_eq "$(grep -c '^  [0-9a-f]' "$T/log")" 3 "checkpoints listed: baseline, the damaged one, the head"
assert_contains "$(cat "$T/log")" "${mid:0:12}  ?                    (cannot be read: see above)"
assert_contains "$(cat "$T/log")" "turn 3: edit_file"
"$DESKHAND" undo --to baseline --session "$sid" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo --to baseline with a corrupt checkpoint in the middle"; }
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after undo --to baseline"
echo ok

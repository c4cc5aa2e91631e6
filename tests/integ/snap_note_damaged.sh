# A checkpoint's note (refs/notes/deskhand: the file count, empty
# directories and modes that a git tree cannot hold) whose blob cannot be
# read is named as a damaged commit is (snap_object_damaged): the shadow
# repository, the checkpoint, its ref, the note's blob and its file. One
# blob serves every note with the same text, so emptying the head's note
# empties the baseline's and the first edit's too: `log` lists every
# checkpoint, with the file count its tree gives, each marked (exit 1);
# `diff head`, which needs no note, works. The folder still holds what
# those notes recorded: `undo` records the folder over the head, which
# writes the blob anew (said on stdout), and undoes the last edit; `log`
# reads everything again, and `undo --to baseline` works. With the folder
# changed since, the blob stays damaged, and `undo --to baseline`, which
# needs the baseline's note (the modes to restore), says so and leaves the
# folder alone.
. "$DH_TESTS/lib.sh"
G=$T/work
snap_two_edits "$G" "$T/run.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
mid=$(git --git-dir="$R" rev-parse "$head^")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
note=$(git --git-dir="$R" notes --ref=deskhand list "$head")
for c in "$base" "$mid"; do
  assert_eq "$(git --git-dir="$R" notes --ref=deskhand list "$c")" "$note" "the note of $c"
done
obj=$(loose_object "$R" "$note")
[ -f "$obj" ] || fail "the head's note is not a loose object: $obj"
chmod u+w "$obj"; : > "$obj"
damage="its note $note (refs/notes/deskhand): failed to parse loose object: invalid header; its file $obj is empty. The folder itself is untouched"

set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the notes emptied"
assert_contains "$(cat "$T/err")" "deskhand: $G: snapshot: $R/: cannot read checkpoint ${head:0:12}, the head of session $SID (refs/deskhand/$SID/head): $damage"
assert_contains "$(cat "$T/err")" "deskhand: $G: snapshot: $R/: cannot read checkpoint ${base:0:12}, the baseline of session $SID (refs/deskhand/$SID/baseline): $damage"
assert_contains "$(cat "$T/err")" "deskhand: $G: snapshot: $R/: cannot read checkpoint ${mid:0:12}: $damage"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log")" "session $SID (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
      (not all of it can be read: see above)
  ${mid:0:12}  TIME  turn 2: edit_file f1.txt
      (not all of it can be read: see above)
  ${head:0:12}  TIME  turn 3: edit_file f2.txt
      (not all of it can be read: see above)" "log with the notes emptied"
"$DESKHAND" diff --session "$SID" "${mid:0:12}" head >"$T/diff" 2>"$T/err" ||
  { cat "$T/err"; fail "diff of the edits with the notes emptied"; }
assert_contains "$(cat "$T/diff")" "+LINE 2"

# undo: its recovery records the folder, whose note is the emptied blob's text.
"$DESKHAND" undo --session "$SID" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo with the notes emptied"; }
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $SID could not be read: the folder matched it, and recording it over it (checkpoint "
assert_contains "$(cat "$T/undo")" "restored f2.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "LINE 1
line 2" "the folder after undo"
assert_eq "$(git --git-dir="$R" cat-file -t "$note")" blob "the note's blob written anew"
[ ! -e "$obj.damaged" ] || fail "the damaged copy was left behind"
"$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err" || { cat "$T/err"; fail "log after the undo"; }
assert_contains "$(cat "$T/log")" "turn 3: edit_file f2.txt
      M f2.txt"
assert_contains "$(cat "$T/log")" "undo 1 step: ${head:0:12}"
"$DESKHAND" undo --to baseline --session "$SID" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo --to baseline after the notes were written anew"; }
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after undo --to baseline"

# 2. The notes emptied, and the folder changed since.
G=$T/other
snap_two_edits "$G" "$T/two.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
note=$(git --git-dir="$R" notes --ref=deskhand list "$base")
obj=$(loose_object "$R" "$note")
chmod u+w "$obj"; : > "$obj"
echo "line 3" > "$G/f3.txt"
set +e; "$DESKHAND" undo --to baseline --session "$SID" >"$T/undo" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "undo --to baseline with the baseline's note emptied"
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $SID cannot be read (see 'deskhand log'): recorded the folder as it is now over it"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${base:0:12}, the baseline of session $SID (refs/deskhand/$SID/baseline): its note $note (refs/notes/deskhand): "
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt" "$G/f3.txt")" "LINE 1
LINE 2
line 3" "the folder after the refused undo"
[ -f "$obj" ] && [ ! -s "$obj" ] || fail "the damaged note's file was not left as it was"
echo ok

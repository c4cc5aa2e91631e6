# The notes commit itself (refs/notes/deskhand: every checkpoint's note
# hangs from it) emptied by a crash. Before, every checkpoint of the folder
# failed with libgit2's bare "failed to parse loose object: invalid
# header", in every session on it. Now the next checkpoint records its note
# over the damage: a notes commit whose parent is the damaged one (by id)
# and whose tree holds that note and "deskhand-recorded-over", naming the
# damaged commit. Older notes are looked for through it: named as the
# notes "as it was before it was recorded over" while the object is
# damaged, read again once it is copied back.
. "$DH_TESTS/lib.sh"
G=$T/work
snap_two_edits "$G" "$T/run.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
nc=$(git --git-dir="$R" rev-parse refs/notes/deskhand)
obj=$(loose_object "$R" "$nc")
[ -f "$obj" ] || fail "the notes commit is not a loose object: $obj"
cp "$obj" "$T/saved"; chmod u+w "$obj"; : > "$obj"

# The review's recovery records the changed folder over the head, whose
# note cannot be read; its own note goes over the damaged notes.
echo more >> "$G/f1.txt"
set +e; "$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err"; rc=$?; set -e
now=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
[ "$now" != "$head" ] || { cat "$T/out" "$T/err"; fail "no checkpoint was recorded"; }
assert_contains "$(cat "$T/out")" "$G: the head checkpoint ${head:0:12} of session $SID cannot be read (see 'deskhand log'): recorded the folder as it is now over it (checkpoint ${now:0:12})"
tip=$(git --git-dir="$R" rev-parse refs/notes/deskhand)
assert_eq "$(git --git-dir="$R" cat-file -p "$tip" | sed -n 's/^parent //p')" "$nc" "the new notes commit's parent"
assert_eq "$(git --git-dir="$R" cat-file -p "$tip:deskhand-recorded-over")" "$nc" "what the notes were recorded over"
# git reads the new note, and the extra entry does not trouble it
git --git-dir="$R" notes --ref=deskhand show "$now" >"$T/note" || fail "git notes show of the new checkpoint"
assert_contains "$(cat "$T/note")" "n 2"
# the review itself needs the baseline's note, which hangs from the damaged commit
assert_eq "$rc" 1 "review with the older notes unreadable"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${base:0:12}, the baseline of session $SID (refs/deskhand/$SID/baseline): its note, in refs/notes/deskhand as it was before it was recorded over: the commit $nc: failed to parse loose object: invalid header; its file $obj is empty"

# Checkpoints go on: a restore of the new checkpoint over a change records
# the change, then restores, each with its note.
echo again >> "$G/f2.txt"
"$DESKHAND" restore --session "$SID" --force "${now:0:12}" >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err"; fail "restore of the checkpoint recorded over the damage"; }
assert_eq "$(cat "$G/f2.txt")" "LINE 2" "f2.txt restored"
last=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
git --git-dir="$R" notes --ref=deskhand show "$last" >/dev/null || fail "no note for the restore's checkpoint"

# The object copied back: the older notes read again, through the record.
cp "$T/saved" "$obj"
"$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "review once the notes commit is back"; }
"$DESKHAND" log --session "$SID" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "log once the notes commit is back"; }
assert_contains "$(cat "$T/out")" "baseline  (2 files)"
echo ok

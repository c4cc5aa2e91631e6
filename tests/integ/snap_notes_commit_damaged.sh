# The notes commit itself (refs/notes/deskhand: every checkpoint's note
# hangs from it) emptied by a crash. Before, every checkpoint of the folder
# failed with libgit2's bare "failed to parse loose object: invalid
# header", in every session on it. Now the next checkpoint records its note
# over the damage: a notes commit whose parent is the damaged one (by id)
# and whose tree holds that note and "deskhand-recorded-over", naming the
# damaged commit. Older notes are looked for through it: named as the
# notes "as it was before it was recorded over" while the object is
# damaged, read again once it is copied back. The same for a fan-out tree
# (notes/ab/) that cannot be read, where the next note goes.
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

# A fan-out tree that cannot be read (notes/ab/ of the checkpoints whose
# ids begin with ab): a note that goes in it is recorded over the notes as
# well. Made certain here: every one of the 256 fan-out trees holds a note
# of its own (the real ones keep theirs), and each is emptied.
git() { command git --git-dir="$R" "$@"; }
fake=$(echo fake | git hash-object -w --stdin)
tip=$(git rev-parse refs/notes/deskhand)
# one tree per prefix (its real notes, if any, and the fake one), made in one batch
git ls-tree -r "$tip" | awk -v fake="$fake" '
  { split($0, t, "\t"); if (t[2] ~ /^[0-9a-f][0-9a-f]\//) real[substr(t[2], 1, 2)] = real[substr(t[2], 1, 2)] t[1] "\t" substr(t[2], 4) "\n" }
  END { for (i = 0; i < 256; i++) { p = sprintf("%02x", i)
        printf "%s100644 blob %s\tffffffffffffffffffffffffffffffffffffff\n\n", real[p], fake } }' |
  git mktree --batch >"$T/fanouts"
[ "$(wc -l <"$T/fanouts")" = 256 ] || fail "made $(wc -l <"$T/fanouts") fan-out trees"
top=$(awk '{ printf "040000 tree %s\t%02x\n", $1, NR - 1 }' "$T/fanouts"
      git ls-tree "$tip" | grep -v $'\t[0-9a-f][0-9a-f]$' || true)
fanned=$(GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t \
  git commit-tree "$(printf '%s\n' "$top" | git mktree)" -p "$tip" -m "every fan-out")
git update-ref refs/notes/deskhand "$fanned"
for t in $(git ls-tree "$fanned" | awk '$2 == "tree" {print $3}' | sort -u); do
  o=$(loose_object "$R" "$t"); [ -f "$o" ] || fail "fan-out tree $t is not loose"; chmod u+w "$o"; : > "$o"
done
unset -f git
echo third >> "$G/f1.txt"
set +e; "$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err"; rc=$?; set -e
tip=$(git --git-dir="$R" rev-parse refs/notes/deskhand)
[ "$tip" != "$fanned" ] || { cat "$T/out" "$T/err"; fail "no note was recorded over the damaged fan-out"; }
assert_eq "$(git --git-dir="$R" cat-file -p "$tip" | sed -n 's/^parent //p')" "$fanned" "its parent, by id"
assert_eq "$(git --git-dir="$R" cat-file -p "$tip:deskhand-recorded-over")" "$fanned" "the record"
assert_contains "$(cat "$T/out")" "recorded the folder as it is now over it"
echo ok

# A checkpoint whose object is corrupt inside a pack file of the shadow
# repository (packed with `git repack`, bytes of its compressed data
# overwritten) is named as a damaged loose object is (snap_object_damaged),
# with the pack file and the object's offset in it where a loose object's
# file would be: `log` lists the baseline and marks the head (exit 1), its
# message on stderr naming the shadow repository, the checkpoint, its ref
# and the pack; `diff head` names it the same way; `undo` says why no step
# can be undone; `undo --to baseline` puts the folder back, recording it
# over the damaged head; and the pack itself is left as it was.
. "$DH_TESTS/lib.sh"
G=$T/work
snap_two_edits "$G" "$T/run.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
base=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/baseline")
git --git-dir="$R" repack -a -d -q
[ ! -e "$(loose_object "$R" "$head")" ] || fail "the head is still a loose object after the repack"
idx=("$R"/objects/pack/pack-*.idx)
assert_eq "${#idx[@]}" 1 "packs after the repack"
pack=${idx[0]%.idx}.pack
# verify-pack -v: id, type, size, size in the pack, offset
read -r off len < <(git verify-pack -v "${idx[0]}" | awk -v id="$head" '$1 == id { print $5, $4 }')
[ -n "$off" ] || fail "the head $head is not in $pack"
chmod u+w "$pack"
printf 'XXXX' | dd of="$pack" bs=1 seek=$((off + len / 2)) conv=notrunc status=none
cp "$pack" "$T/damaged.pack"
damage="snapshot: $R/: cannot read checkpoint ${head:0:12}, the head of session $SID (refs/deskhand/$SID/head): "
where="; it is in the pack $pack at offset $off. The folder itself is untouched"

set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with the head corrupt in the pack"
assert_contains "$(cat "$T/err")" "deskhand: $G: $damage"
assert_contains "$(cat "$T/err")" "$where"
assert_eq "$(sed -E 's/  [0-9-]+ [0-9:]+  /  TIME  /' "$T/log")" "session $SID (done) task
$G
  ${base:0:12}  TIME  baseline  (2 files)
  ${head:0:12}  ?                    (cannot be read: see above)" "log with the head corrupt in the pack"
set +e; "$DESKHAND" diff --session "$SID" head >"$T/diff" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with the head corrupt in the pack"
assert_contains "$(cat "$T/err")" "cannot read checkpoint ${head:0:12}: "
assert_contains "$(cat "$T/err")" "$where"

# undo: its recovery records the folder over the damaged head; no step
# above the damage is left to undo, and the folder stays as it is.
set +e; "$DESKHAND" undo --session "$SID" >"$T/undo" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "undo with the head corrupt in the pack"
assert_contains "$(cat "$T/undo")" "$G: the head checkpoint ${head:0:12} of session $SID cannot be read (see 'deskhand log'): recorded the folder as it is now over it"
assert_contains "$(cat "$T/err")" "no agent step to undo since a checkpoint that cannot be read: snapshot: $R/: cannot read checkpoint ${head:0:12}: "
assert_contains "$(cat "$T/err")" "$where"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "LINE 1
LINE 2" "the folder after the refused undo"

"$DESKHAND" undo --to baseline --session "$SID" >"$T/undo" 2>"$T/err" ||
  { cat "$T/undo" "$T/err"; fail "undo --to baseline with the head corrupt in the pack"; }
assert_contains "$(cat "$T/undo")" "restored f1.txt"
assert_contains "$(cat "$T/undo")" "restored f2.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "line 1
line 2" "the folder after undo --to baseline"
cmp -s "$pack" "$T/damaged.pack" || fail "the pack was rewritten"
set +e; "$DESKHAND" log --session "$SID" >"$T/log" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log after the undo: the damage is still there"
assert_contains "$(cat "$T/err")" "$where"
assert_contains "$(cat "$T/log")" "external changes (recovered)"
assert_contains "$(cat "$T/log")" "restore ${base:0:12}"
echo ok

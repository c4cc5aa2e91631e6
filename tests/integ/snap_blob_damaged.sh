# A file's blob in a checkpoint that cannot be read (its loose file emptied
# by a crash). While the folder still holds that file unchanged, the next
# scan writes the blob anew from it (before, every verb failed with
# libgit2's "failed to insert entry: invalid object specified"). Once the
# file has changed there is nothing to write it from: `diff`, the review and
# a restore that need the blob say which file, the blob, its file in the
# shadow repository and that it is empty, instead of libgit2's bare "failed
# to parse loose object"; a conflict's version from it reads "(cannot be
# read)", not "(absent)". What does not need it still works. A restore
# that needs it is refused before it changes anything, or, when the blob is
# damaged past its header, records what it wrote before it stopped.
. "$DH_TESTS/lib.sh"
G=$T/work
snap_two_edits "$G" "$T/one.out"
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
blob=$(git --git-dir="$R" rev-parse "$head:f2.txt")
obj=$(loose_object "$R" "$blob")
[ -f "$obj" ] || fail "the head's f2.txt is not a loose object: $obj"
empty_blob() { chmod u+w "$obj"; : > "$obj"; }

# 1. The folder still holds f2.txt as the head recorded it: written anew.
empty_blob
"$DESKHAND" diff --session "$SID" head >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "diff head over the emptied blob"; }
assert_eq "$(cat "$T/out")" "" "diff head: the folder is the head"
assert_eq "$(git --git-dir="$R" cat-file -p "$blob")" "LINE 2" "the blob written anew"
[ ! -e "$obj.damaged" ] || fail "the damaged file was left beside the blob"

# 2. Emptied again, and f2.txt changed since: nothing to write it from.
empty_blob
echo changed > "$G/f2.txt"
damage="cannot read f2.txt as a checkpoint recorded it: its blob $blob: failed to parse loose object: invalid header; its file $obj is empty. Checkpoints without this version of the file can still be restored"
set +e; "$DESKHAND" diff --session "$SID" head >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "diff head with f2.txt's blob emptied and the file changed"
assert_contains "$(cat "$T/err")" "snapshot: $R/: $damage"
# the baseline's f2.txt is another blob: its diff to the folder reads whole
"$DESKHAND" diff --session "$SID" baseline >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "diff baseline"; }
assert_contains "$(cat "$T/out")" "+changed"

# the review records the folder (external changes) and reads the baseline's
# blob and the folder's: it does not need the damaged one
"$DESKHAND" review --session "$SID" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "review"; }
assert_contains "$(cat "$T/out")" "+changed"

# A restore of the head over the changed file is a conflict whose versions
# from the head cannot be read: said as such (not "absent"), with the blob.
set +e; "$DESKHAND" restore --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 3 "restore of the damaged checkpoint over a changed file"
cat "$T/out"
grep -qE '^    (base|agent): +\(cannot be read\)$' "$T/out" || fail "no version said unreadable"
assert_contains "$(cat "$T/out")" "$damage"
set +e; "$DESKHAND" restore --json --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_contains "$(jq -r '.results[0].conflicts[] | select(.path=="f2.txt") | .error' "$T/out")" "$damage"
# With --force it names the blob and is refused before it changes
# anything: f2.txt stays as it is, and the next command has no interrupted
# restore to report (before, it said the restore "was interrupted part
# way" and to "run it again", which met the same blob).
set +e; "$DESKHAND" restore --force --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "restore of the damaged checkpoint"
assert_contains "$(cat "$T/err")" "$damage; or copy the object back from a backup of the repository; nothing was changed"
assert_eq "$(cat "$G/f2.txt")" changed "f2.txt after the failed restore"
nck=$(git --git-dir="$R" rev-list --count "refs/deskhand/$SID/head")
"$DESKHAND" restore --force --session "$SID" baseline >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "restore baseline after the refused restore"; }
! grep -q "interrupted" "$T/out" "$T/err" || { cat "$T/out" "$T/err"; fail "the refused restore was reported as interrupted"; }
assert_contains "$(cat "$T/out")" "restored 2 paths"
assert_eq "$(git --git-dir="$R" rev-list --count "refs/deskhand/$SID/head")" "$((nck + 1))" \
  "checkpoints after the restore of the baseline: one more, the restore's own"

# 3. f2.txt's blob damaged past its header (its size and type read; its
# content does not hash to its id): the restore of the head writes f1.txt,
# then stops at f2.txt. What it wrote is recorded at once as a checkpoint
# of its own, which the error names, and the next command has nothing to
# recover.
chmod u+w "$obj"
/usr/bin/python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(b"blob 7\0XXXXXX\n"))' >"$obj"
echo changed > "$G/f2.txt"
set +e; "$DESKHAND" restore --force --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "restore over the blob damaged past its header"
assert_contains "$(cat "$T/out")" "restored f1.txt"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt")" "LINE 1
changed" "the folder after the restore that stopped at f2.txt"
stopped=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
assert_eq "$(git --git-dir="$R" log -1 --format=%s "$stopped")" "stopped: restore ${head:0:12} (partly done)" "the stopped restore's checkpoint"
assert_eq "$(git --git-dir="$R" cat-file -p "$stopped:f1.txt")" "LINE 1" "f1.txt in that checkpoint"
assert_contains "$(cat "$T/err")" "deskhand: $G: stopped part way, what it had changed recorded as checkpoint ${stopped:0:12}: snapshot: $R/: cannot read f2.txt as a checkpoint recorded it: its blob $blob: object hash mismatch"
"$DESKHAND" log --session "$SID" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "log after the stopped restore"; }
"$DESKHAND" restore --force --session "$SID" baseline >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "restore baseline after the stopped restore"; }
! grep -q "interrupted" "$T/out" "$T/err" || { cat "$T/out" "$T/err"; fail "the stopped restore was reported as interrupted"; }
assert_eq "$(git --git-dir="$R" log -1 --format=%s "refs/deskhand/$SID/head~1")" "stopped: restore ${head:0:12} (partly done)" \
  "the checkpoint before the restore of the baseline"
# --json carries the checkpoint with the error.
set +e; "$DESKHAND" restore --json --force --session "$SID" "${head:0:12}" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "the --json restore over the damaged blob"
stopped=$(git --git-dir="$R" rev-parse "refs/deskhand/$SID/head")
assert_eq "$(jq -r '.results[0].checkpoint' "$T/out")" "$stopped" "--json: the stopped restore's checkpoint"
assert_contains "$(jq -r '.results[0].error' "$T/out")" "stopped part way, what it had changed recorded as checkpoint ${stopped:0:12}: "
echo ok

# An undo syncs every file system it changed, not only the folder's: with a
# file system mounted inside the folder (a tmpfs here, in a mount namespace of
# the test's own), the files restored under it are renamed into place there,
# and a syncfs of the folder's file system would not make those renames
# durable. Watched with strace: one syncfs of the folder and one of the
# mount, each once; the folder must come back byte for byte.
if [ -z "${DH_MOUNT_NS:-}" ]; then
  unshare -m --propagation private true 2>/dev/null ||
    { echo "skip: no mount namespace of our own here (unshare -m)"; exit 77; }
  DH_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G/m"
mount -t tmpfs -o size=4m deskhand-test "$G/m" 2>"$T/mount.err" ||
  skip "cannot mount a tmpfs in the folder: $(cat "$T/mount.err")"
trap 'umount "$G/m"; cleanup' EXIT # lib.sh's cleanup cannot remove a mount point
[ "$(stat -c %d "$G")" != "$(stat -c %d "$G/m")" ] || fail "$G/m is on the folder's file system"
for i in 1 2 3; do echo "top $i" > "$G/top$i.txt"; echo "in $i" > "$G/m/in$i.txt"; done
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "rewrite"}]}}]},
 {"tool_calls": [
   {"name": "write_file", "input": {"path": "top1.txt", "content": "x\n"}},
   {"name": "write_file", "input": {"path": "m/in1.txt", "content": "x\n"}},
   {"name": "write_file", "input": {"path": "m/in2.txt", "content": "x\n"}},
   {"name": "delete_file", "input": {"path": "m/in3.txt"}},
   {"name": "write_file", "input": {"path": "m/new/n.txt", "content": "n\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/out"
assert_eq "$(cat "$G/m/in1.txt")" x
undo_traced "$G" "$T/orig" syncfs,renameat,renameat2
in_mount=$(grep -c "renameat2*([0-9]*<$G/m[/>][^,]*, \"\.dh-tmp-" "$T/strace" || true)
assert_eq "$in_mount" 3 "files renamed into place in the mounted file system"
grep syncfs "$T/strace"
assert_eq "$(grep -c "syncfs([0-9]*<$G>) = 0" "$T/strace" || true)" 1 "syncfs of the folder's file system"
assert_eq "$(grep -c "syncfs([0-9]*<$G/m[/>]" "$T/strace" || true)" 1 "syncfs of the file system mounted in it"
assert_eq "$(grep -c "syncfs(" "$T/strace" || true)" 2 "syncfs calls in all"
echo ok

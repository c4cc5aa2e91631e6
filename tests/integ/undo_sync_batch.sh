# An undo makes what it restored durable with one flush per restored file, not
# two: each file is fsynced before it is renamed into place (a crash leaves the
# old file or the new one, never a torn one), and one syncfs of the folder's
# file system, after every rename, removal, new directory and mode, stands for
# a directory fsync after each rename. Watched with strace; the folder must
# come back byte for byte.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G/a" "$G/b"
for i in $(seq 1 12); do echo "a $i" > "$G/a/f$i.txt"; echo "b $i" > "$G/b/f$i.txt"; done
echo keep > "$G/gone.txt"
cp -a "$G" "$T/orig"
calls='{"name": "write_file", "input": {"path": "a/f1.txt", "content": "x\n"}}'
for i in $(seq 2 12); do
  calls="$calls, {\"name\": \"write_file\", \"input\": {\"path\": \"a/f$i.txt\", \"content\": \"x\\n\"}}"
  calls="$calls, {\"name\": \"write_file\", \"input\": {\"path\": \"b/f$i.txt\", \"content\": \"y\\n\"}}"
done
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "rewrite"}]}}]},
 {"tool_calls": [$calls, {"name": "delete_file", "input": {"path": "gone.txt"}},
   {"name": "write_file", "input": {"path": "new/n.txt", "content": "n\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/out"
assert_eq "$(cat "$G/b/f5.txt")" y
# 23 files rewritten and one deleted come back, one file and its directory go
undo_traced "$G" "$T/orig" fsync,syncfs,rename,renameat,renameat2
# what went into the folder: temporary files renamed onto their names
renames=$(grep -c "renameat2*([0-9]*<$G[/>][^,]*, \"\.dh-tmp-" "$T/strace" || true)
file_syncs=$(grep -c "^[0-9]* *fsync([0-9]*<$G/.*\.dh-tmp-" "$T/strace" || true)
dir_syncs=$(grep "^[0-9]* *fsync([0-9]*<$G[/>]" "$T/strace" | grep -vc "\.dh-tmp-" || true)
syncfs=$(grep -c "^[0-9]* *syncfs([0-9]*<$G>) = 0" "$T/strace" || true)
echo "$renames renames into the folder, $file_syncs file fsyncs, $dir_syncs directory fsyncs, $syncfs syncfs"
assert_eq "$renames" 24 "files renamed into place (23 rewritten, 1 deleted)"
assert_eq "$file_syncs" 24 "each file fsynced before its rename"
assert_eq "$dir_syncs" 0 "directory fsyncs in the folder"
assert_eq "$syncfs" 1 "syncfs of the folder after the writes"
echo ok

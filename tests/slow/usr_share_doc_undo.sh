# Issue 2, done-when 2: on a copy of a real folder nobody here wrote
# (/usr/share/doc, thousands of files) a scripted session moves, renames,
# edits and deletes files and writes a CSV through both the file tools and
# run_command; `deskhand undo --to baseline` then makes the folder
# byte-identical to the original: diff -r clean, modes, symlinks included.
# Several minutes on a loaded 2-core machine (LibreOffice, or a checkpoint of
# thousands of files under ASan): a longer limit than the default.
# test: timeout 900
. "$DH_TESTS/lib.sh"
[ -d /usr/share/doc ] || skip "/usr/share/doc is missing"
G=$T/doc; ORIG=$T/orig
cp -a /usr/share/doc "$G"; cp -a /usr/share/doc "$ORIG"
nfiles=$(find "$G" -type f | wc -l)
[ "$nfiles" -gt 500 ] || skip "/usr/share/doc has only $nfiles files"
# Pick real files of this machine to act on.
mapfile -t files < <(cd "$G" && find . -type f -name 'copyright' -size -8k | sed 's|^\./||' | sort | head -6)
[ ${#files[@]} -ge 6 ] || skip "not enough copyright files"
d1=$(dirname "${files[0]}")
first_line=$(head -1 "$G/${files[2]}" | tr -d '"\\')
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Reorganize"}, {"title": "Inventory CSV"}]}}]},
 {"tool_calls": [
   {"name": "move_file", "input": {"source": "${files[0]}", "destination": "moved/${d1}-copyright.txt"}},
   {"name": "move_file", "input": {"source": "${files[1]}", "destination": "${files[1]}.renamed"}},
   {"name": "edit_file", "input": {"path": "${files[2]}", "old_string": "$first_line", "new_string": "EDITED BY DESKHAND"}},
   {"name": "delete_file", "input": {"path": "${files[3]}"}},
   {"name": "write_file", "input": {"path": "inventory.csv", "content": "package,files\nexample,1\n"}},
   {"name": "make_directory", "input": {"path": "new/empty/dir"}}
 ]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "find . -maxdepth 1 -type d | sort | sed 's|^./||' > dirs.csv && rm -f '${files[4]}' && mv '${files[5]}' '${files[5]}.old' && chmod 600 inventory.csv && mkdir -p cmd/made && ln -s ../dirs.csv cmd/link"}}]},
 {"text": "Reorganized.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Reorganize the docs" 2>"$T/err") || { cat "$T/err"; tail -5 <<<"$out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
[ "$(jq -r 'select(.type=="tool_result" and .is_error==true).id' <<<"$out" | wc -l)" -eq 0 ] || {
  jq -c 'select(.type=="tool_result" and .is_error==true)' <<<"$out"; fail "a tool call failed"; }
# the session really changed the folder
[ -e "$G/moved/${d1}-copyright.txt" ] && [ ! -e "$G/${files[0]}" ] || fail "move_file did not happen"
grep -q "EDITED BY DESKHAND" "$G/${files[2]}" || fail "edit_file did not happen"
[ ! -e "$G/${files[3]}" ] && [ ! -e "$G/${files[4]}" ] || fail "deletes did not happen"
[ -s "$G/dirs.csv" ] && [ -L "$G/cmd/link" ] && [ -d "$G/new/empty/dir" ] || fail "run_command/make_directory effects missing"
assert_eq "$(stat -c %a "$G/inventory.csv")" 600
! diff -r "$ORIG" "$G" >/dev/null 2>&1 || fail "folder unchanged?"
"$DESKHAND" undo --to baseline > "$T/undo.out" || { cat "$T/undo.out"; fail "undo --to baseline failed"; }
diff -r --no-dereference "$ORIG" "$G" || fail "diff -r not clean after undo"
( cd "$ORIG" && find . -printf '%y %m %p %l\n' | sort ) > "$T/a.meta"
( cd "$G" && find . -printf '%y %m %p %l\n' | sort ) > "$T/b.meta"
diff "$T/a.meta" "$T/b.meta" || fail "types/modes/links differ after undo"
echo "ok: $nfiles files, undo restored $(wc -l < "$T/undo.out") paths"

# A checkpoint is on the disk before anything points at it: every object
# libgit2 writes into the shadow repository is fsynced before it is renamed
# into place, and so is every ref (a session's head, the notes) before its
# rename. Without that, a power loss could leave a ref naming an empty
# object, and every later checkpoint of the folder, its review and its undo
# failing on it. Watched with strace over a session that writes and edits.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G/docs"
for i in 1 2 3; do echo "note $i" > "$G/docs/n$i.txt"; done
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "docs/new.txt", "content": "new\n"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "docs/n2.txt", "old_string": "note 2", "new_string": "NOTE 2"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  strace -f -qq -y -e trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat -o "$T/strace" \
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit" > "$T/out" 2>"$T/err" ||
  { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
assert_eq "$(jq -s '[.[] | select(.type=="checkpoint")] | length' "$T/out")" 3 "checkpoints (baseline, write, edit)"
R=$XDG_STATE_HOME/deskhand/snapshots
# Check, in the order strace saw them (one process writes the repository):
# each loose object or ref that is renamed or linked into place was fsynced
# under its temporary name first.
python3 - "$T/strace" "$R" <<'PY' || fail "a shadow repository file was put in place unsynced (above)"
import re, sys
trace, repo = sys.argv[1], sys.argv[2]
synced, placed, bad = set(), 0, []
for line in open(trace):
    m = re.search(r'\b(?:fsync|fdatasync)\(\d+<([^>]*)>\) = 0', line)
    if m:
        synced.add(m.group(1))
        continue
    m = re.search(r'\b(?:rename|renameat2?|link|linkat)\((?:\d+<[^>]*>, )?"([^"]*)"', line)
    if not m or not m.group(1).startswith(repo):
        continue
    src = m.group(1)
    if "/objects/" in src or "/refs/" in src:
        placed += 1
        if src not in synced:
            bad.append(src)
print("%d objects and refs put in place, %d fsynced paths" % (placed, len(synced)))
for b in bad:
    print("unsynced:", b)
sys.exit(1 if bad or placed < 10 else 0)
PY
echo ok

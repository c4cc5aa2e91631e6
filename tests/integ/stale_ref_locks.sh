# A writer killed while it updated a shared ref or the index of the folder's
# shadow repository (SIGKILL between libgit2's making REF.lock and renaming
# it over REF; a run killed during its baseline) leaves the lock file behind. The next session on the folder removes
# it once it holds the writer lock (with a warning in an engine's log) and
# checkpoints as usual; it used to fail at its first checkpoint ("failed to
# lock file"), and so did every session after it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo one > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write b"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "first\n"}}]},
 {"text": "Wrote b.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write c"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "second\n"}}]},
 {"text": "Wrote c.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "first" 2>"$T/err1") || { cat "$T/err1"; fail "the first run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done "the first run"
R=$(echo "$XDG_STATE_HOME"/deskhand/snapshots/*.git)
assert_eq "$(cat "$G/b.txt")" first "b.txt"
[ -f "$R/refs/notes/deskhand" ] || [ -n "$(grep -s refs/notes/deskhand "$R/packed-refs")" ] ||
  fail "no notes ref in $R"
# What a writer killed in the middle of those updates leaves.
: > "$R/refs/notes/deskhand.lock"
: > "$R/packed-refs.lock"
: > "$R/index.lock"
# A review verb refused while another writer holds the lock leaves them be:
# only the holder of the writer lock may decide they are stale.
exec 9>"$R/deskhand-owner"; flock 9; echo "engine - 1" >&9
set +e; (cd "$G" && "$DESKHAND" undo) >"$T/undo" 2>&1; rc=$?; set -e
exec 9>&-
[ "$rc" -ne 0 ] || fail "undo ran while the writer lock was held"
assert_contains "$(cat "$T/undo")" "in use"
[ -e "$R/refs/notes/deskhand.lock" ] || fail "a refused verb removed the notes lock"
# A reader (diff against the folder) does not write the index, which only
# the writer writes: else the lock file could be a live reader's.
echo changed > "$G/a.txt"
idx=$(stat -c '%i %Y' "$R/index")
(cd "$G" && "$DESKHAND" diff) >"$T/diff" 2>&1 || { cat "$T/diff"; fail "diff failed"; }
assert_contains "$(cat "$T/diff")" "+changed"
assert_eq "$(stat -c '%i %Y' "$R/index")" "$idx" "the index after a diff"
echo one > "$G/a.txt"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "second" 2>"$T/err2") || { cat "$T/err2"; fail "the second run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done "the run after the kill"
[ -e "$R/refs/notes/deskhand.lock" ] && fail "the notes lock is still there"
[ -e "$R/packed-refs.lock" ] && fail "the packed-refs lock is still there"
[ -e "$R/index.lock" ] && fail "the index lock is still there"
assert_eq "$(cat "$G/c.txt")" second "c.txt"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
# Its checkpoint is there, and undo takes the write back.
assert_contains "$("$DESKHAND" log "$sid")" "write_file"
(cd "$G" && "$DESKHAND" undo) >"$T/undo" 2>&1 || { cat "$T/undo"; fail "undo failed"; }
[ ! -e "$G/c.txt" ] || fail "undo left c.txt"
echo ok

# A process killed inside a ref update leaves libgit2's "REF.lock" beside the
# ref, and every later update of that ref failed ("failed to lock file") for
# good. Once the session's owner is gone, the review verbs remove the locks
# under that session's refs before acting (seen by the kill test: an undo
# after a SIGKILL mid-checkpoint). Another session's lock is left alone.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo one > "$G/a.txt"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "two\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Edit" >"$T/run.out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/run.out")
refs=$(find "$XDG_STATE_HOME/deskhand/snapshots" -path "*/refs/deskhand/$sid" -type d)
[ -n "$refs" ] && [ -f "$refs/head" ] || fail "no head ref for $sid"
# what a SIGKILL between taking the lock and renaming it over the ref leaves
cp "$refs/head" "$refs/head.lock"
mkdir -p "$refs/../other-session"; : > "$refs/../other-session/head.lock"
"$DESKHAND" undo --to baseline > "$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo after a stale ref lock"; }
diff -r "$T/orig" "$G" || fail "undo did not restore the folder"
[ ! -e "$refs/head.lock" ] || fail "the stale lock is still there"
[ -e "$refs/../other-session/head.lock" ] || fail "another session's lock was removed"
echo ok

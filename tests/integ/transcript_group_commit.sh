# Transcript durability by group commit: every record is written at once
# (a killed process loses none: crash_kill_random, resume_after_kill), and
# the fdatasyncs run on the worker thread, one per turn and before each call
# that changes files, not one per record on the event loop. Watched with
# strace: which thread syncs the transcript, and how often.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit a.txt"}]}}]},
 {"text": "Writing.", "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\n"}}]},
 {"text": "Reading.", "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
 {"text": "Editing.", "tool_calls": [{"name": "edit_file", "input": {"path": "a.txt", "old_string": "one", "new_string": "two"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
# LeakSanitizer does not run under ptrace: the other tests check leaks
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  strace -f -qq -y -e trace=fdatasync,execve -o "$T/strace" \
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit a.txt" > "$T/out" 2>"$T/err" ||
  { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
assert_eq "$(cat "$G/a.txt")" two
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
records=$(wc -l < "$tr")
# the main thread is the one whose tid is the process id: the first execve's
main=$(head -1 "$T/strace" | awk '{print $1}')
syncs=$(grep -c "fdatasync(.*transcript.jsonl" "$T/strace" || true)
on_loop=$(awk -v m="$main" '$1 == m && /fdatasync\(.*transcript.jsonl/' "$T/strace" | wc -l)
echo "$records records, $syncs fdatasyncs of the transcript, $on_loop on the main thread"
[ "$records" -ge 20 ] || fail "only $records records: the script did not run"
# 5 turns, 2 calls that change files, the end, the close: well under a sync a record
[ "$syncs" -ge 2 ] || fail "the transcript was synced $syncs times"
[ "$syncs" -le 10 ] || fail "$syncs fdatasyncs for $records records: not grouped"
# on the main thread only the last one, at close (after the loop ended)
[ "$on_loop" -le 1 ] || fail "$on_loop fdatasyncs of the transcript on the event loop's thread"

# An undo killed part way is cleaned up after by the next command: the
# temporary file of the write it had not finished is removed, the read-only
# directory it had opened up gets its mode back, and what it had changed is
# recorded as its own ("interrupted: undo ... (partly done)"), not as
# someone else's changes; running it again finishes it. Killed twice: before
# its first file (it had changed nothing) and after it (one of three done);
# then once more, with the head damaged after the kill.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G/ro"
for i in 1 2 3; do echo "line $i" > "$G/ro/f$i.txt"; done
chmod 555 "$G/ro"
cat > "$T/s.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "chmod u+w ro && for i in 1 2 3; do echo NEW $i > ro/f$i.txt; done && chmod 555 ro"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/s.json" "$T/o.out"
assert_eq "$(cat "$G"/ro/f*.txt | tr '\n' ' ')" "NEW 1 NEW 2 NEW 3 " "the agent's edit"
intent() { ls "$XDG_STATE_HOME"/deskhand/snapshots/*.git/ | grep -c '^deskhand-intent-' || true; }
# undo, killed at its Nth rename: the first is its intent record's, then
# one per file restored
killed_undo() {
  local rc=0
  # LeakSanitizer does not run under ptrace
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -o "$T/strace" -e trace=rename,renameat,renameat2 \
    -e "inject=rename,renameat,renameat2:signal=KILL:when=$1" \
    "$DESKHAND" undo >"$T/killed" 2>&1 || rc=$?
  assert_eq "$rc" 137 "undo killed at rename $1: $(cat "$T/killed")"
  assert_eq "$(intent)" 1 "intent records after the kill"
  assert_eq "$(ls -A "$G/ro" | grep -c '^\.dh-tmp-')" 1 "temporary files the kill left"
  assert_eq "$(stat -c %a "$G/ro")" 755 "ro/ as the killed undo left it"
}
lacks() { ! grep -qF -- "$2" "$1" || fail "'$2' in $1: $(grep -F -- "$2" "$1")"; }
step=$("$DESKHAND" log 2>/dev/null | awk '/turn 2: run_command/ {print $1}')
[ -n "$step" ] || fail "no step in the log"

# 1. killed before its first file: nothing changed, nothing to record
killed_undo 2
assert_eq "$(cat "$G"/ro/f*.txt | tr '\n' ' ')" "NEW 1 NEW 2 NEW 3 " "after the first kill"
# the next command cleans up first, whatever it is: here a redo, which then
# finds nothing to redo
"$DESKHAND" redo >"$T/redo" 2>&1 || true
"$DESKHAND" log >"$T/log1" 2>&1
assert_file_contains "$T/redo" "\"undo 1 step: $step\" was interrupted part way"
assert_file_contains "$T/redo" "removed ro/.dh-tmp-"
assert_file_contains "$T/redo" "put back the mode of ro/ (0555)"
assert_file_contains "$T/redo" "it had changed nothing"
assert_eq "$(stat -c %a "$G/ro")" 555 "ro/ after the clean-up"
assert_eq "$(intent)" 0 "intent records after the clean-up"
lacks "$T/log1" "external changes"

# 2. killed after its first file: one of three restored
killed_undo 3
assert_eq "$(cat "$G"/ro/f*.txt | tr '\n' ' ')" "line 1 NEW 2 NEW 3 " "after the second kill"
"$DESKHAND" undo >"$T/next" 2>&1 || { rc=$?; cat "$T/next"; fail "undo exited $rc"; }
assert_file_contains "$T/next" "\"undo 1 step: $step\" was interrupted part way"
assert_file_contains "$T/next" "removed ro/.dh-tmp-"
assert_file_contains "$T/next" "put back the mode of ro/ (0555)"
assert_file_contains "$T/next" "recorded what it had changed"
# ... and the undo, run again, finished: the two files left (ro/f1.txt,
# restored before the kill, is neither written again nor counted)
assert_file_contains "$T/next" "undid steps on 2 paths"
lacks "$T/next" "restored ro/f1.txt"
assert_eq "$(cat "$G"/ro/f*.txt | tr '\n' ' ')" "line 1 line 2 line 3 " "after the undo, run again"
assert_eq "$(stat -c %a "$G/ro")" 555 "ro/ at the end"
assert_eq "$(ls -A "$G/ro" | grep -c '^\.dh-tmp-' || true)" 0 "temporary files at the end"
assert_eq "$(intent)" 0 "intent records at the end"
"$DESKHAND" log >"$T/log2" 2>&1
assert_file_contains "$T/log2" "interrupted: undo 1 step: $step (partly done)"
lacks "$T/log2" "external changes"
lacks "$T/log2" ".dh-tmp-"

# 3. killed after its first file, and then the head it was undoing from
# emptied by a crash (its tree): the clean-up records the folder over that
# head and removes the record. Before, its checkpoint failed on the head,
# the record stayed, and every command after failed the same way.
G=$T/work2; mkdir -p "$G/ro"
for i in 1 2 3; do echo "line $i" > "$G/ro/f$i.txt"; done
chmod 555 "$G/ro"
run_task "$T/s.json" "$T/o2.out"
step=$("$DESKHAND" log 2>/dev/null | awk '/turn 2: run_command/ {print $1}')
killed_undo 3
sid=$(jq -r 'select(.type=="session_started").session' "$T/o2.out")
R=$(dirname "$(grep -lx "	workdir = $G" "$XDG_STATE_HOME"/deskhand/snapshots/*.git/config)")
head=$(git --git-dir="$R" rev-parse "refs/deskhand/$sid/head")
obj=$(loose_object "$R" "$(git --git-dir="$R" rev-parse "$head^{tree}")")
chmod u+w "$obj"; : > "$obj"
rc=0; "$DESKHAND" undo >"$T/next3" 2>&1 || rc=$?
assert_file_contains "$T/next3" "\"undo 1 step: $step\" was interrupted part way"
assert_file_contains "$T/next3" "put back the mode of ro/ (0555)"
assert_file_contains "$T/next3" "recorded what it had changed"
assert_file_contains "$T/next3" "$G: the head checkpoint ${head:0:12} of session $sid cannot be read (see 'deskhand log'): recorded the folder as it is now over it"
assert_eq "$(intent)" 0 "intent records after the clean-up over the damaged head"
# the undo itself needs the step behind the damage: it says so, with an exit
# status of its own; the folder goes back whole to the baseline
[ "$rc" != 0 ] || fail "undo of a step behind a damaged head succeeded: $(cat "$T/next3")"
"$DESKHAND" undo --to baseline >"$T/base3" 2>&1 || { cat "$T/base3"; fail "undo --to baseline"; }
assert_eq "$(cat "$G"/ro/f*.txt | tr '\n' ' ')" "line 1 line 2 line 3 " "after undo --to baseline"
assert_eq "$(stat -c %a "$G/ro")" 555 "ro/ after undo --to baseline"
echo ok

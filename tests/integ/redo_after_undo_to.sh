# `undo --to CHECKPOINT` (and `restore`, the same operation) can be redone
# like `undo --steps N`: redo brings back every step it went back over, as one
# action, byte for byte, and walks on through the undos before it. Before,
# redo after `undo --to` said "nothing to redo" while the help said --to
# works "as restore does" and `undo` could be redone. Both in-process and
# through a live engine; both say they took the restore back (the engine
# said "redid the last undo", the command "redid steps on").
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; printf 'bee\n' > "$G/b.txt"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Three writes"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_a", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_b", "input": {"path": "b.txt", "content": "BEE\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_c", "input": {"path": "c.txt", "content": "c\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Three writes" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
state() { printf '%s|' "$(ls | tr '\n' ' ')" "$(cat b.txt)"; }
all="a.txt b.txt c.txt |BEE|"
assert_eq "$(state)" "$all" "the folder after the run"
ta=$("$DESKHAND" log --json 2>/dev/null |
  jq -r '[.. | objects | select((.label? // "") | test("write_file a.txt"))][0].id')
[ -n "$ta" ] && [ "$ta" != null ] || fail "no checkpoint of the a.txt write in the log"

# 1. undo --to the a.txt write: two steps go; one redo brings both back
out=$("$DESKHAND" undo --to "$ta" 2>&1) || { echo "$out"; fail "undo --to failed"; }
assert_eq "$(state)" "a.txt b.txt |bee|" "the folder after undo --to"
rc=0; out=$("$DESKHAND" redo 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 0 "exit status of redo after undo --to"
assert_not_contains "$out" "nothing to redo"
# it says what it took back, as the log does (not "redid steps")
assert_contains "$out" "took back restore "
assert_eq "$(state)" "$all" "the folder after redo of undo --to"
rc=0; out=$("$DESKHAND" redo 2>&1) || rc=$?
assert_eq "$rc" 1 "a second redo"
assert_contains "$out" "nothing to redo"
assert_eq "$(state)" "$all" "the folder after a second redo"
# the log says what the redo did
assert_contains "$("$DESKHAND" log 2>/dev/null)" "redo (taking back restore"

# 2. undo, then undo --to baseline: redo walks back through both, newest first
"$DESKHAND" undo >/dev/null 2>&1 || fail "undo failed"
assert_eq "$(state)" "a.txt b.txt |BEE|" "the folder after undo"
"$DESKHAND" undo --to baseline >/dev/null 2>&1 || fail "undo --to baseline failed"
assert_eq "$(state)" "b.txt |bee|" "the folder after undo --to baseline"
"$DESKHAND" redo >/dev/null 2>&1 || fail "redo of undo --to baseline failed"
assert_eq "$(state)" "a.txt b.txt |BEE|" "the folder after the first redo"
"$DESKHAND" redo >/dev/null 2>&1 || fail "redo of the undo failed"
assert_eq "$(state)" "$all" "the folder after the second redo"

# 3. restore is the same operation; --json says ok; an edit after it takes
# the redo away, as after an undo
"$DESKHAND" restore baseline >/dev/null 2>&1 || fail "restore baseline failed"
assert_eq "$(state)" "b.txt |bee|" "the folder after restore baseline"
rc=0; "$DESKHAND" redo --json >"$T/redo.json" 2>/dev/null || rc=$?
assert_eq "$rc" 0 "exit status of redo --json after restore"
assert_eq "$(jq -r .status "$T/redo.json")" ok "redo --json status"
assert_eq "$(state)" "$all" "the folder after redo of restore"
"$DESKHAND" restore baseline >/dev/null 2>&1 || fail "second restore baseline failed"
echo mine > notes.txt
rc=0; out=$("$DESKHAND" redo 2>&1) || rc=$?
assert_eq "$rc" 1 "redo after an edit"
assert_contains "$out" "changes were recorded after the undo"
rm notes.txt
"$DESKHAND" restore "$ta" >/dev/null 2>&1 || fail "restore of the a.txt write failed"

# 4. through a live engine: undo --to, then redo, as commands to it
cd "$T"
H=$T/live; mkdir -p "$H"; printf 'old\n' > "$H/x.txt"
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "rewrite x"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "x.txt", "content": "new\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "y.txt", "content": "y\n"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script2.json"
id=$("$DESKHAND" run --detach --grant "$H" --mode auto --approve-plan "rewrite x") \
  || fail "run --detach failed"
for _ in $(seq 1 200); do "$DESKHAND" log "$id" 2>/dev/null | grep -q 'write_file y.txt' && break; sleep 0.05; done
wait_state "$id" working
rc=0; out=$("$DESKHAND" undo --session "$id" --to baseline 2>&1) || rc=$?
assert_eq "$rc" 0 "undo --to baseline on the live session: $out"
assert_eq "$(cat "$H/x.txt")" old "x.txt after the live undo --to"
[ -e "$H/y.txt" ] && fail "y.txt left after the live undo --to"
rc=0; out=$("$DESKHAND" redo --session "$id" 2>&1) || rc=$?
assert_eq "$rc" 0 "redo on the live session: $out"
# the engine says it took the restore back, not "redid the last undo",
# naming the restore as the log does
assert_contains "$out" "took back restore "
assert_not_contains "$out" "redid the last undo"
assert_eq "$(cat "$H/x.txt")$(cat "$H/y.txt")" newy "the folder after the live redo"
"$DESKHAND" stop "$id" >/dev/null
r=${out##*took back restore }; r=${r%%[!0-9a-f]*}
assert_contains "$("$DESKHAND" log "$id" 2>/dev/null)" "redo (taking back restore $r)"
echo ok

# The session's only granted folder moved or deleted: `deskhand log` and
# `deskhand diff` still show its history, read from the shadow repository
# (exit 0), with a warning naming the folder on stderr; diff without TO,
# which would compare with the folder now, compares with its last
# checkpoint and says so. review, which needs the folder, still fails
# naming it. Before, log and diff failed with "its granted folder ... is
# gone (moved or deleted); put it back to review its checkpoints".
. "$DH_TESTS/lib.sh"
A=$T/alpha; mkdir -p "$A"; echo a > "$A/x.txt"
jq -n --arg a "$A" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ($a + "/x.txt"), "content": "A\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$A" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
status() { local rc=0; "$@" >"$T/st.out" 2>"$T/st.err" || rc=$?; echo "$rc"; }
gone="granted folder $A is gone (moved or deleted): its checkpoints are read from"
gone="$gone the shadow repository"

mv "$A" "$T/alpha.moved"
cd "$T"
assert_eq "$(status "$DESKHAND" log)" 0 "log with the folder gone: $(cat "$T/st.err")"
assert_contains "$(cat "$T/st.out")" "$A"
assert_contains "$(cat "$T/st.out")" "baseline  (1 files)"
assert_contains "$(cat "$T/st.out")" "turn 2: write_file $A/x.txt"
assert_contains "$(cat "$T/st.out")" "      M x.txt"
assert_contains "$(cat "$T/st.err")" "$gone"
assert_eq "$(status "$DESKHAND" log --json)" 0 "log --json with the folder gone"
assert_eq "$(jq -r '[.[].label] | join(",")' "$T/st.out")" "baseline,turn 2: write_file $A/x.txt" \
  "log --json labels"
assert_eq "$(jq -r '.[1].changes[0].path' "$T/st.out")" x.txt "log --json changes"

assert_eq "$(status "$DESKHAND" diff baseline head)" 0 "diff baseline head: $(cat "$T/st.err")"
assert_eq "$(grep -E '^[-+][aA]$' "$T/st.out" | tr '\n' ' ')" "-a +A " "diff baseline head"
assert_contains "$(cat "$T/st.err")" "$gone"
assert_eq "$(status "$DESKHAND" diff)" 0 "diff with the folder gone: $(cat "$T/st.err")"
assert_eq "$(grep -E '^[-+][aA]$' "$T/st.out" | tr '\n' ' ')" "-a +A " "diff"
assert_contains "$(cat "$T/st.err")" "$A is gone: diff to its last checkpoint (head)"
step=$("$DESKHAND" log 2>/dev/null | awk '/turn 2: write_file/ {print $1}')
assert_eq "$(status "$DESKHAND" diff "$step" baseline)" 0 "diff of a checkpoint id"
assert_eq "$(grep -E '^[-+][aA]$' "$T/st.out" | tr '\n' ' ')" "-A +a " "diff STEP baseline"

# review needs the folder: it fails, naming it
assert_eq "$(status "$DESKHAND" review)" 1 "review with the folder gone"
assert_contains "$(cat "$T/st.err")" "granted folder $A is gone (moved or deleted)"

# Put back, log reads it as before, without the warning
mv "$T/alpha.moved" "$A"
assert_eq "$(status "$DESKHAND" log)" 0 "log with the folder back"
assert_not_contains "$(cat "$T/st.err")" "is gone"
echo ok

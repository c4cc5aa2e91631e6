# A granted folder moved or deleted after the session: review reads the
# other granted folders, naming the one left out on stderr; log and diff
# read its history too, from its shadow repository (log_diff_grant_gone); a verb
# given paths in the others acts on them; undo, redo, restore and accept
# without paths, which act on every granted folder, are refused naming the
# folder that is gone (exit 1), nothing written. With every folder gone the
# error names the folder. Before, any verb failed with "snapshot: PATH: No
# such file or directory", the other folders' review blocked too.
. "$DH_TESTS/lib.sh"
A=$T/alpha; B=$T/beta; mkdir -p "$A" "$B"
echo a > "$A/x.txt"; echo b > "$B/y.txt"
jq -n --arg a "$A" --arg b "$B" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ($a + "/x.txt"), "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ($b + "/y.txt"), "content": "B\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$A" --grant "$B" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat "$A/x.txt" "$B/y.txt" | tr '\n' ' ')" "A B " "the folders after the session"
status() { local rc=0; "$@" >"$T/st.out" 2>"$T/st.err" || rc=$?; echo "$rc"; }
gone="granted folder $B is gone (moved or deleted)"

mv "$B" "$T/beta.moved"
cd "$A"
assert_eq "$(status "$DESKHAND" review --stat)" 0 "review with a folder gone"
assert_contains "$(cat "$T/st.out")" "M  x.txt"
assert_contains "$(cat "$T/st.err")" "$gone"
assert_eq "$(status "$DESKHAND" review --json)" 0 "review --json with a folder gone"
assert_eq "$(jq -r '[.grants[].grant] | join(" ")' "$T/st.out")" "$A" "review --json grants"
assert_eq "$(status "$DESKHAND" log)" 0 "log with a folder gone"
assert_contains "$(cat "$T/st.out")" "write_file $A/x.txt"
assert_contains "$(cat "$T/st.out")" "write_file $B/y.txt"
assert_eq "$(status "$DESKHAND" diff baseline head)" 0 "diff with a folder gone"
assert_contains "$(cat "$T/st.out")" "+A"
for v in undo redo "restore baseline" accept; do
  # shellcheck disable=SC2086 # the verb and its operand
  assert_eq "$(status "$DESKHAND" $v)" 1 "$v with a folder gone"
  assert_contains "$(cat "$T/st.err")" "$gone"
done
assert_eq "$(cat "$A/x.txt")" A "x.txt after the refused verbs"
assert_eq "$(status "$DESKHAND" reject x.txt)" 0 "reject of a path in the folder still there"
assert_eq "$(cat "$A/x.txt")" a "x.txt after the reject"

# Every folder gone: the error names it.
mv "$A" "$T/alpha.moved"
cd "$T"
assert_eq "$(status "$DESKHAND" review)" 1 "review with every folder gone"
assert_contains "$(cat "$T/st.err")" "granted folder $A is gone (moved or deleted)"

# Put back, the session is whole again.
mv "$T/alpha.moved" "$A"; mv "$T/beta.moved" "$B"
cd "$B"
"$DESKHAND" undo >/dev/null 2>&1 || fail "undo with the folders back"
assert_eq "$(cat "$B/y.txt")" b "y.txt after the undo"
echo ok

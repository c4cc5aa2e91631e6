# Rejecting a file whose folder the agent replaced with a file or a symbolic
# link (review lists both: "D dir/f" and "A dir") brings the folder back with
# it: the replacement goes, as the file cannot come back otherwise. Before,
# the reject failed with "cannot restore dir/f: Too many levels of symbolic
# links" (or "Not a directory"), in the CLI and the review pane alike. A
# replacement the person changed since stays a conflict.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/dir" "$G/d2" "$G/d3" "$G/d4"
echo in > "$G/dir/f"; echo in2 > "$G/d2/f"; echo in3 > "$G/d3/f"; echo in4 > "$G/d4/f"; echo x > "$G/x"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Flatten"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_a", "input": {"command": "rm -r dir && ln -s x dir && rm -r d2 && echo file > d2 && rm -r d3 && echo file3 > d3 && mv d4/f moved && rm -r d4 && echo file4 > d4"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "flatten" >"$T/run.out" 2>"$T/err" \
  || { cat "$T/err"; tail -3 "$T/run.out"; fail "run failed"; }
[ -L "$G/dir" ] || fail "the session did not run"
cd "$G"
status() { local rc=0; "$DESKHAND" "$@" >"$T/st.out" 2>"$T/st.err" || rc=$?; echo "$rc"; }
# a folder replaced by a symbolic link
assert_eq "$(status reject dir/f)" 0 "reject dir/f: $(cat "$T/st.err")"
assert_contains "$(cat "$T/st.out")" "removed dir"
assert_contains "$(cat "$T/st.out")" "restored dir/f"
[ -d dir ] && [ ! -L dir ] || fail "dir is not a folder again"
assert_eq "$(cat dir/f)" in
# by a file
assert_eq "$(status reject d2/f)" 0 "reject d2/f: $(cat "$T/st.err")"
[ -d d2 ] || fail "d2 is not a folder again"
assert_eq "$(cat d2/f)" in2
# the old name of a renamed file
assert_eq "$(status reject moved)" 0 "reject moved: $(cat "$T/st.err")"
[ ! -e moved ] || fail "moved is still there"
assert_eq "$(cat d4/f)" in4
# the person changed the file in the way: a conflict, nothing written
echo mine >> d3
assert_eq "$(status reject d3/f)" 3 "reject d3/f over the person's d3: $(cat "$T/st.err")"
assert_eq "$(cat d3)" "$(printf 'file3\nmine')"
left=$("$DESKHAND" review --json 2>/dev/null | jq -r '[.grants[0].files[].path] | sort | join(" ")')
assert_eq "$left" "d3 d3/f"
echo ok

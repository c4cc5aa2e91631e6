# The review verbs over a session with two granted folders: paths route to
# the grant that owns them (relative to the first, or absolute), one agent
# step that changed both folders is undone and redone in both.
. "$DH_TESTS/lib.sh"
A=$T/one; B=$T/two; mkdir -p "$A" "$B"
printf 'a\n' > "$A/a.txt"; printf 'b\n' > "$B/b.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit both"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_both", "input": {"command": "echo A >> a.txt && echo B >> $B/b.txt && echo new > $B/new.txt"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_one", "input": {"path": "c.txt", "content": "c\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$A" --grant "$B" --approve-plan --mode auto --json "Edit" >"$T/run.out" 2>"$T/err" || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
[ -e "$B/new.txt" ] && [ -e "$A/c.txt" ] || fail "session did not run: $(grep tool_result "$T/run.out")"
j=$("$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[] | .grant + ":" + ([.files[].path] | join(","))] | join(" ")' <<<"$j")" "$A:a.txt,c.txt $B:b.txt,new.txt"
assert_eq "$(jq -r '.grants[1].files[0].step.tool_call' <<<"$j")" toolu_both
txt=$("$DESKHAND" review --stat)
assert_contains "$txt" "# $B"
assert_contains "$("$DESKHAND" review --stat "$B")" "new.txt"
# no row for a.txt (the step's label, the command, may name it)
grep -q '^[AMDRT]  a\.txt' <<<"$("$DESKHAND" review --stat "$B")" && fail "review of $B lists a.txt"
"$DESKHAND" accept "$B/new.txt" c.txt >/dev/null || fail "accept across grants"
assert_eq "$("$DESKHAND" review --json | jq -r '[.grants[].files[].path] | join(",")')" "a.txt,b.txt"
"$DESKHAND" reject "$T/elsewhere.txt" >/dev/null 2>&1 && fail "a path outside the grants"
# undo 2 steps: toolu_one (first grant only), then toolu_both (both grants)
"$DESKHAND" undo --steps 2 >/dev/null || fail "undo --steps 2"
[ ! -e "$A/c.txt" ] && [ ! -e "$B/new.txt" ] || fail "undo left files"
assert_eq "$(cat "$A/a.txt"):$(cat "$B/b.txt")" "a:b"
"$DESKHAND" redo >/dev/null || fail "redo"
assert_eq "$(cat "$A/a.txt" | tr '\n' ' ')$(cat "$B/b.txt" | tr '\n' ' ')$(cat "$B/new.txt")$(cat "$A/c.txt")" "a A b B newc"
"$DESKHAND" restore baseline >/dev/null || fail "restore baseline in both"
assert_eq "$(ls "$A" "$B" | tr '\n' ' ')" "$A: a.txt  $B: b.txt "
echo ok

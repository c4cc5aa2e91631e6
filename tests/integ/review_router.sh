# The review verbs route a path to its grant the way grant_resolve does for
# the agent's tools and the engine's review commands: a path that reaches a
# granted folder only through a symlinked prefix is outside the grants (and
# nothing is changed), the folder's own path and relative paths work.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "original" > "$G/a.txt"
ln -s "$G" "$T/link"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "agent\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
rc=0; out=$("$DESKHAND" reject "$T/link/a.txt" 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 1 "exit status through a symlinked prefix"
assert_contains "$out" "outside the granted folders"
assert_eq "$(cat "$G/a.txt")" agent
rc=0; out=$("$DESKHAND" review "$T/link/a.txt" 2>&1) || rc=$?
assert_eq "$rc" 1 "review through a symlinked prefix"
assert_contains "$out" "outside the granted folders"
"$DESKHAND" reject "$G/a.txt" >/dev/null || fail "reject by the grant's path failed"
assert_eq "$(cat "$G/a.txt")" original
echo ok

